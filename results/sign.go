package results

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Errors of VerifyAdmin.
var (
	ErrNoKey        = errors.New("results: no admin key configured")
	ErrBadSignature = errors.New("results: bad admin link signature")
	ErrExpired      = errors.New("results: admin link expired")
	// ErrTooLong: the link's expiry is further than MaxAdminLinkTTL from
	// now — not a link this server issues (a link "until 9999" is refused
	// even when signed).
	ErrTooLong = errors.New("results: admin link valid beyond the cap")
)

// How long an officials' link is valid: DefaultAdminLinkTTL unless the
// issuer says otherwise, never more than MaxAdminLinkTTL (a link forwarded
// beyond the officials stops working within days).
const (
	DefaultAdminLinkTTL = 12 * time.Hour
	MaxAdminLinkTTL     = 7 * 24 * time.Hour
)

// adminSig is hex(HMAC-SHA256(key, election + "\n" + exp)), exp in Unix
// seconds; a link bound to one ward signs election + "\n" + exp +
// "\nward:" + code, so that it cannot be widened to the whole election.
func adminSig(election string, exp int64, key []byte, ward ...string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(election))
	m.Write([]byte{'\n'})
	m.Write([]byte(strconv.FormatInt(exp, 10)))
	for _, w := range ward {
		m.Write([]byte("\nward:" + w))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// SignAdminLink returns the officials' link to an election's results page,
// valid until exp: base (e.g. "https://bot.example.vn", no trailing slash
// needed) + "/results/{election}?exp=UNIX&sig=HMAC", the signature being
// HMAC-SHA256 under key over the election code and exp. The same exp and
// sig open the JSON and CSV feeds in the officials' view; lang=en may be
// added.
func SignAdminLink(base, election string, key []byte, exp time.Time) string {
	e := exp.Unix()
	q := url.Values{}
	q.Set("exp", strconv.FormatInt(e, 10))
	q.Set("sig", adminSig(election, e, key))
	return strings.TrimRight(base, "/") + "/results/" + url.PathEscape(election) + "?" + q.Encode()
}

// SignWardAdminLink is SignAdminLink bound to one ward: the officials'
// view of that ward's page (…?exp=…&sig=…&ward=CODE) and feeds, and of
// no other ward or level — the link a ward's official is given. An empty
// ward is SignAdminLink.
func SignWardAdminLink(base, election, ward string, key []byte, exp time.Time) string {
	if ward == "" {
		return SignAdminLink(base, election, key, exp)
	}
	e := exp.Unix()
	q := url.Values{}
	q.Set("exp", strconv.FormatInt(e, 10))
	q.Set("sig", adminSig(election, e, key, ward))
	q.Set("ward", ward)
	return strings.TrimRight(base, "/") + "/results/" + url.PathEscape(election) + "?" + q.Encode()
}

// VerifyAdminScope checks an officials' link to a view of election: a
// link to the whole election opens every view of it; a link bound to a
// ward (SignWardAdminLink) only that ward's, so ward is the view's ward
// ("" for the whole election or a city). bound reports a ward-bound
// link. Errors as VerifyAdmin's.
func VerifyAdminScope(election, ward, exp, sig string, key []byte, now time.Time) (at time.Time, bound bool, err error) {
	at, err = VerifyAdmin(election, exp, sig, key, now)
	if err != ErrBadSignature || ward == "" {
		return at, false, err
	}
	e, perr := strconv.ParseInt(exp, 10, 64)
	got, herr := hex.DecodeString(sig)
	if perr != nil || herr != nil {
		return time.Time{}, false, ErrBadSignature
	}
	want, _ := hex.DecodeString(adminSig(election, e, key, ward))
	if !hmac.Equal(got, want) {
		return time.Time{}, false, ErrBadSignature
	}
	at = time.Unix(e, 0).UTC()
	if !now.Before(at) {
		return at, true, ErrExpired
	}
	if at.Sub(now) > MaxAdminLinkTTL {
		return at, true, ErrTooLong
	}
	return at, true, nil
}

// VerifyAdmin checks the exp and sig parameters of an officials' link to
// election at now, in constant time: nil when valid, else ErrNoKey,
// ErrBadSignature, ErrExpired or ErrTooLong (the expiry is checked after
// the signature, so a forged exp is a bad signature).
func VerifyAdmin(election, exp, sig string, key []byte, now time.Time) (time.Time, error) {
	if len(key) == 0 {
		return time.Time{}, ErrNoKey
	}
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || strconv.FormatInt(e, 10) != exp {
		return time.Time{}, ErrBadSignature
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return time.Time{}, ErrBadSignature
	}
	want, _ := hex.DecodeString(adminSig(election, e, key))
	if !hmac.Equal(got, want) {
		return time.Time{}, ErrBadSignature
	}
	at := time.Unix(e, 0).UTC()
	if !now.Before(at) {
		return at, ErrExpired
	}
	if at.Sub(now) > MaxAdminLinkTTL {
		return at, ErrTooLong
	}
	return at, nil
}

// OfficialsLinks makes the chat's links to the results page at base (the
// server's public URL; handlers.Config.ResultsLink): officials' links
// valid for ttl from now(), bound to the ward when one is given
// (SignWardAdminLink). Without a key they are the public page's links,
// without a base there are none ("").
func OfficialsLinks(base string, key []byte, ttl time.Duration, now func() time.Time) func(election, ward string) string {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	return func(election, ward string) string {
		switch {
		case base == "":
			return ""
		case len(key) == 0:
			u := base + "/results/" + url.PathEscape(election)
			if ward != "" {
				u += "?" + url.Values{"ward": {ward}}.Encode()
			}
			return u
		}
		return SignWardAdminLink(base, election, ward, key, now().Add(ttl))
	}
}

// OfficialsPage makes /trangketqua's links (handlers.Config.OfficialsPageLink):
// the officials' view of an election at base, bound to the ward when one
// is given, valid ttl from now() (DefaultAdminLinkTTL when ttl <= 0, at
// most MaxAdminLinkTTL). Without a base or a key no link can be made:
// missing is then "PUBLIC_BASE_URL" or "RESULTS_LINK_KEY".
func OfficialsPage(base string, key []byte, ttl time.Duration, now func() time.Time) func(election, ward string) (link string, until time.Time, missing string) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	key = append([]byte(nil), key...)
	if ttl <= 0 {
		ttl = DefaultAdminLinkTTL
	}
	ttl = min(ttl, MaxAdminLinkTTL)
	return func(election, ward string) (string, time.Time, string) {
		switch {
		case base == "":
			return "", time.Time{}, "PUBLIC_BASE_URL"
		case len(key) == 0:
			return "", time.Time{}, "RESULTS_LINK_KEY"
		}
		// Whole seconds: the link carries Unix seconds.
		until := now().Add(ttl).Truncate(time.Second)
		return SignWardAdminLink(base, election, ward, key, until), until.UTC(), ""
	}
}
