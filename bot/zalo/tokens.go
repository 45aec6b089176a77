package zalo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"electionbot/models"
)

// stateTokens is the channel_state key of the token pair.
const stateTokens = "tokens"

// tokenPair is the OA's access token and its single-use refresh token, as
// stored in channel_state (zalo, tokens).
type tokenPair struct {
	Access    string    `json:"access_token"`
	Refresh   string    `json:"refresh_token"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Seed is a hash of the configured pair the stored chain started
	// from: a different configured pair replaces the chain.
	Seed      string    `json:"seed,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

func decodePair(raw string) tokenPair {
	var p tokenPair
	if raw != "" {
		_ = json.Unmarshal([]byte(raw), &p) // an unreadable pair is an empty one
	}
	return p
}

func (p tokenPair) encode() string {
	b, _ := json.Marshal(p)
	return string(b)
}

func seedOf(access, refresh string) string {
	if access == "" && refresh == "" {
		return ""
	}
	h := sha256.Sum256([]byte(access + "\n" + refresh))
	return hex.EncodeToString(h[:8])
}

// ErrNoToken is returned by New when neither the configuration nor the
// database has a token.
var ErrNoToken = errors.New("zalo: no token: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN (the OA's authorisation of the app)")

// initTokens stores the configured pair at the first start, or when it
// differs from the one the stored chain started from; otherwise it takes
// the stored pair (refreshed since).
func (c *Channel) initTokens(ctx context.Context) error {
	seed := seedOf(c.cfg.AccessToken, c.cfg.RefreshToken)
	var pair tokenPair
	err := c.store.InTx(ctx, func(tx *models.Store) error {
		raw, ok, err := tx.LockChannelState(ctx, models.ChannelZalo, stateTokens)
		if err != nil {
			return err
		}
		stored := decodePair(raw)
		if seed == "" || (ok && stored.Seed == seed && (stored.Access != "" || stored.Refresh != "")) {
			pair = stored
			return nil
		}
		if ok && stored.Seed != "" {
			c.log.Warn("zalo: the configured token pair differs from the one in use: using the configured pair")
		}
		pair = tokenPair{Access: c.cfg.AccessToken, Refresh: c.cfg.RefreshToken, Seed: seed, UpdatedAt: c.now()}
		return tx.SetChannelState(ctx, models.ChannelZalo, stateTokens, pair.encode())
	})
	if err != nil {
		return fmt.Errorf("zalo: token pair: %w", err)
	}
	if pair.Access == "" && pair.Refresh == "" {
		return ErrNoToken
	}
	c.tokMu.Lock()
	c.tok = pair
	c.tokMu.Unlock()
	return nil
}

func (c *Channel) current() tokenPair {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	return c.tok
}

// accessToken is the token to send with: the one in use, refreshed first
// if it is known to have expired (or there is only a refresh token).
func (c *Channel) accessToken(ctx context.Context) (string, error) {
	p := c.current()
	if p.Access != "" && (p.ExpiresAt.IsZero() || c.now().Before(p.ExpiresAt.Add(-time.Minute))) {
		return p.Access, nil
	}
	return c.refresh(ctx, p.Access)
}

// refresh replaces the access token stale (refused by Zalo, or expired)
// and returns the new one. Within a process, concurrent callers share one
// refresh; across replicas, the stored pair is read and replaced under a
// row lock, and a pair that another replica has already refreshed is
// taken as it is: a refresh token is never spent twice.
func (c *Channel) refresh(ctx context.Context, stale string) (string, error) {
	v, err, _ := c.sf.Do("refresh", func() (any, error) {
		if p := c.current(); p.Access != "" && p.Access != stale {
			return p.Access, nil // refreshed while we waited
		}
		// Not cancelled by one sender giving up: the others wait for it.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		var fresh tokenPair
		adopted := false
		err := c.store.InTx(rctx, func(tx *models.Store) error {
			raw, _, err := tx.LockChannelState(rctx, models.ChannelZalo, stateTokens)
			if err != nil {
				return err
			}
			stored := decodePair(raw)
			if stored.Access != "" && stored.Access != stale {
				fresh, adopted = stored, true // another replica refreshed it
				return nil
			}
			if stored.Refresh == "" {
				return errors.New("no refresh token stored")
			}
			p, err := c.oauthRefresh(rctx, stored.Refresh)
			if err != nil {
				return err
			}
			p.Seed, p.UpdatedAt = stored.Seed, c.now()
			fresh = p
			// The old refresh token is spent: if this write is lost, the
			// OA must authorise the app again.
			return tx.SetChannelState(rctx, models.ChannelZalo, stateTokens, p.encode())
		})
		if err != nil {
			c.refreshes.WithLabelValues("failed").Inc()
			c.log.Error("zalo: access token refresh failed (if the refresh token was refused, authorise the app again and set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN)", "err", err)
			return "", err
		}
		if adopted {
			c.refreshes.WithLabelValues("adopted").Inc()
		} else {
			c.refreshes.WithLabelValues("ok").Inc()
			c.log.Info("zalo: access token refreshed", "expires_at", fresh.ExpiresAt)
		}
		c.tokMu.Lock()
		c.tok = fresh
		c.tokMu.Unlock()
		return fresh.Access, nil
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// oauthAnswer is the OAuth endpoint's answer: a new pair, or an error.
type oauthAnswer struct {
	AccessToken      string    `json:"access_token"`
	RefreshToken     string    `json:"refresh_token"`
	ExpiresIn        flexValue `json:"expires_in"`
	Error            flexValue `json:"error"`
	ErrorName        string    `json:"error_name"`
	ErrorDescription string    `json:"error_description"`
}

// oauthRefresh spends a refresh token for a new pair:
// POST {OAuth}/v4/oa/access_token, header secret_key, form refresh_token,
// app_id, grant_type=refresh_token.
func (c *Channel) oauthRefresh(ctx context.Context, refreshToken string) (tokenPair, error) {
	if c.cfg.AppSecret == "" {
		return tokenPair{}, errors.New("ZALO_APP_SECRET is not set")
	}
	form := url.Values{
		"refresh_token": {refreshToken},
		"app_id":        {c.cfg.AppID},
		"grant_type":    {"refresh_token"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.OAuthEndpoint+TokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenPair{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("secret_key", c.cfg.AppSecret)
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return tokenPair{}, fmt.Errorf("oauth: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return tokenPair{}, fmt.Errorf("oauth: %w", err)
	}
	var a oauthAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return tokenPair{}, fmt.Errorf("oauth: HTTP %d, not JSON: %.100q", resp.StatusCode, body)
	}
	if a.AccessToken == "" || a.RefreshToken == "" {
		return tokenPair{}, fmt.Errorf("oauth: HTTP %d, error %s %s: %s", resp.StatusCode, a.Error, a.ErrorName, a.ErrorDescription)
	}
	p := tokenPair{Access: a.AccessToken, Refresh: a.RefreshToken}
	if secs, err := strconv.Atoi(string(a.ExpiresIn)); err == nil && secs > 0 {
		p.ExpiresAt = c.now().Add(time.Duration(secs) * time.Second)
	}
	return p, nil
}

// Token upkeep: an access token lives about 25 hours and its refresh
// token about 3 months, and a refresh token that expires unused (an OA
// quiet between two elections) would need the app authorised again. Run
// refreshes the pair before it expires, whether or not anything is sent.

// keepAhead is how long before its expiry the access token is renewed.
const keepAhead = 30 * time.Minute

// Run keeps the token pair fresh until ctx is done: every interval it
// reads the stored pair (taking a pair another replica refreshed) and
// refreshes it when the access token expires within keepAhead, or, for a
// configured pair of unknown expiry, when it is a day old. Replicas
// running it together refresh once (see refresh).
func (c *Channel) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 10 * time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := c.keepFresh(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("zalo: token upkeep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *Channel) keepFresh(ctx context.Context) error {
	raw, err := c.store.ChannelState(ctx, models.ChannelZalo, stateTokens)
	if err != nil {
		return err
	}
	stored := decodePair(raw)
	if stored.Access == "" && stored.Refresh == "" {
		return nil
	}
	c.tokMu.Lock()
	if stored.Access != c.tok.Access {
		c.tok = stored // refreshed by another replica
	}
	c.tokMu.Unlock()
	now := c.now()
	due := (!stored.ExpiresAt.IsZero() && now.After(stored.ExpiresAt.Add(-keepAhead))) ||
		(stored.ExpiresAt.IsZero() && now.Sub(stored.UpdatedAt) > 24*time.Hour)
	if !due || c.cfg.AppSecret == "" {
		return nil
	}
	_, err = c.refresh(ctx, stored.Access)
	return err
}
