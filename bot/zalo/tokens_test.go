package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"electionbot/bot/outbox"
	"electionbot/bot/zalo/zalotest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestSendRefreshesTheTokenOnce(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			fake := zalotest.New(t)
			e := newEnv(t, named.Store, fake, nil)
			ctx := context.Background()
			if err := e.c.send(ctx, msg(hello)); err != nil {
				t.Fatalf("first send: %v", err)
			}
			fake.ExpireAccess()
			if err := e.c.send(ctx, msg(hello)); err != nil {
				t.Fatalf("send after expiry: %v", err)
			}
			rs := fake.Refreshes()
			if len(rs) != 1 || !rs[0].OK || rs[0].SecretKey != zalotest.AppSecret || rs[0].AppID != zalotest.AppID ||
				rs[0].GrantType != "refresh_token" || rs[0].RefreshToken != zalotest.FirstRefresh {
				t.Fatalf("refreshes %+v", rs)
			}
			calls := fake.Calls()
			if len(calls) != 3 || calls[1].Error != ErrTokenInvalid || !calls[2].OK() || calls[2].AccessToken != "access-2" {
				t.Fatalf("calls %+v", calls)
			}
			// The new pair is stored: a restart (same configured pair) uses it.
			raw, _ := e.s.ChannelState(ctx, models.ChannelZalo, stateTokens)
			if p := decodePair(raw); p.Access != "access-2" || p.Refresh != "refresh-2" || p.ExpiresAt.IsZero() {
				t.Fatalf("stored pair %s", raw)
			}
			e2 := newEnv(t, named.Store, fake, nil)
			if err := e2.c.send(ctx, msg(hello)); err != nil || len(fake.Refreshes()) != 1 {
				t.Fatalf("after restart: %v, %d refreshes", err, len(fake.Refreshes()))
			}
		})
	}
}

func TestConcurrentSendersWaitForOneRefresh(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			fake := zalotest.New(t)
			// Two replicas on one database, each with two senders.
			a := newEnv(t, named.Store, fake, nil)
			b := newEnv(t, named.Store, fake, nil)
			fake.ExpireAccess()
			fake.SetRefreshDelay(200 * time.Millisecond)
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for _, c := range []*Channel{a.c, a.c, b.c, b.c} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- c.send(context.Background(), msg(hello))
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("send: %v", err)
				}
			}
			if rs := fake.Refreshes(); len(rs) != 1 || !rs[0].OK {
				t.Fatalf("%d refresh calls (%+v), want exactly 1", len(rs), rs)
			}
			if n := len(fake.Sent("u1")); n != 4 {
				t.Fatalf("%d messages sent, want 4", n)
			}
		})
	}
}

func TestSingleProcessTwoSendersOneRefresh(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, nil)
	fake.ExpireAccess()
	fake.SetRefreshDelay(200 * time.Millisecond)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.c.send(context.Background(), msg(hello)); err != nil {
				t.Errorf("send: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := len(fake.Refreshes()); n != 1 {
		t.Fatalf("%d refresh calls, want 1", n)
	}
}

func TestRefreshRefused(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, func(c *Config) { c.RefreshToken = "spent" })
	fake.ExpireAccess()
	err := e.c.send(context.Background(), msg(hello))
	var se *outbox.SendError
	if !errors.As(err, &se) || se.Kind != outbox.Temporary || se.Code != "token_refresh" {
		t.Fatalf("send = %v, want a temporary token_refresh error", err)
	}
	// Nothing changed in the database: the pair is still the configured one.
	raw, _ := e.s.ChannelState(context.Background(), models.ChannelZalo, stateTokens)
	if p := decodePair(raw); p.Refresh != "spent" {
		t.Fatalf("stored %s", raw)
	}
}

func TestTokenPairAtStart(t *testing.T) {
	s := testdb.SQLite(t)
	fake := zalotest.New(t)
	ctx := context.Background()
	stored := func() tokenPair {
		raw, _ := s.ChannelState(ctx, models.ChannelZalo, stateTokens)
		return decodePair(raw)
	}
	newEnv(t, s, fake, nil)
	if p := stored(); p.Access != zalotest.FirstAccess || p.Refresh != zalotest.FirstRefresh {
		t.Fatalf("first start stored %+v", p)
	}
	// A refreshed pair survives a restart with the same configuration.
	p := stored()
	p.Access, p.Refresh = "access-9", "refresh-9"
	s.SetChannelState(ctx, models.ChannelZalo, stateTokens, p.encode())
	e := newEnv(t, s, fake, nil)
	if e.c.current().Access != "access-9" {
		t.Fatalf("restart uses %+v", e.c.current())
	}
	// A new configured pair (the app authorised again) replaces it.
	e = newEnv(t, s, fake, func(c *Config) { c.AccessToken, c.RefreshToken = "new-a", "new-r" })
	if e.c.current().Access != "new-a" || stored().Refresh != "new-r" {
		t.Fatalf("new pair not used: %+v", stored())
	}
	// No token anywhere: no channel.
	s2 := testdb.SQLite(t)
	ob, err := outbox.New(ctx, outbox.Config{Store: s2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(ctx, Config{AppID: "1", OASecretKey: "k", Store: s2, Handler: &echo{}, Outbox: ob})
	if !errors.Is(err, ErrNoToken) {
		t.Fatalf("New without a token: %v", err)
	}
}

func TestOAuthAnswerWithNumbers(t *testing.T) {
	var a oauthAnswer
	if err := json.Unmarshal([]byte(`{"access_token":"a","refresh_token":"r","expires_in":90000}`), &a); err != nil || a.ExpiresIn != "90000" {
		t.Fatalf("%+v %v", a, err)
	}
}

func TestTokenUpkeep(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			fake := zalotest.New(t)
			a := newEnv(t, named.Store, fake, nil)
			b := newEnv(t, named.Store, fake, nil)
			ctx := context.Background()
			// A fresh configured pair is left alone.
			if err := a.c.keepFresh(ctx); err != nil || len(fake.Refreshes()) != 0 {
				t.Fatalf("fresh pair: %v, %d refreshes", err, len(fake.Refreshes()))
			}
			// A day later both replicas find it due: one refresh.
			a.clock.Add(25 * time.Hour)
			b.clock.Add(25 * time.Hour)
			if err := a.c.keepFresh(ctx); err != nil {
				t.Fatal(err)
			}
			if err := b.c.keepFresh(ctx); err != nil {
				t.Fatal(err)
			}
			if n := len(fake.Refreshes()); n != 1 {
				t.Fatalf("%d refreshes, want 1", n)
			}
			if a.c.current().Access != "access-2" || b.c.current().Access != "access-2" {
				t.Fatalf("tokens in use: %q, %q", a.c.current().Access, b.c.current().Access)
			}
			// The new pair expires in 25 hours: renewed 30 minutes before.
			a.clock.Add(24 * time.Hour)
			a.c.keepFresh(ctx)
			if n := len(fake.Refreshes()); n != 1 {
				t.Fatalf("renewed too early: %d refreshes", n)
			}
			a.clock.Add(40 * time.Minute)
			a.c.keepFresh(ctx)
			if n := len(fake.Refreshes()); n != 2 || a.c.current().Access != "access-3" {
				t.Fatalf("not renewed before expiry: %d refreshes, %q", n, a.c.current().Access)
			}
			// Replica b takes the new pair at its next look, without a call.
			if err := b.c.send(ctx, msg(hello)); err != nil {
				t.Fatal(err)
			}
			b.c.keepFresh(ctx)
			if b.c.current().Access != "access-3" || len(fake.Refreshes()) != 2 {
				t.Fatalf("replica b uses %q after %d refreshes", b.c.current().Access, len(fake.Refreshes()))
			}
		})
	}
}
