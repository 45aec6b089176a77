package sms_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/bot/outbox"
	"electionbot/bot/sms"
	"electionbot/bot/sms/smstest"
	"electionbot/models"
)

const phone = "84912345678"

func newSender(t *testing.T, cfg sms.Config) *sms.Sender {
	t.Helper()
	s, err := sms.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func msg(id int64, chat, text string) *models.OutboxMessage {
	return &models.OutboxMessage{ID: id, Channel: sms.Channel, ChatID: chat, Payload: sms.Payload(text)}
}

// TestSendOutcomes: the gateway's answers become the outbox's kinds
// (issue 19: 5xx/network Temporary, 4xx Permanent, 429 RateLimited, a 2xx
// without SMS_OK refused, credit spent Exhausted).
func TestSendOutcomes(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *smstest.Server, c *sms.Config)
		chat  string
		kind  outbox.ErrorKind
		code  string // "": sent
		wait  time.Duration
	}{
		{name: "sent", chat: phone},
		{name: "voter-list phone form", chat: "0912.345.678"},
		{name: "503", chat: phone, setup: func(f *smstest.Server, _ *sms.Config) { f.Inject(smstest.ServerError()) }, kind: outbox.Temporary, code: "503"},
		{name: "400", chat: phone, setup: func(f *smstest.Server, _ *sms.Config) { f.Inject(smstest.Refused("brandname not registered")) }, kind: outbox.Permanent, code: sms.CodeRefused},
		{name: "200 without SMS_OK", chat: phone, setup: func(f *smstest.Server, _ *sms.Config) { f.Inject(smstest.NotQueued()) }, kind: outbox.Permanent, code: sms.CodeRefused},
		{name: "wrong key", chat: phone, setup: func(_ *smstest.Server, c *sms.Config) { c.Headers = http.Header{"Authorization": {"Bearer x"}} }, kind: outbox.Permanent, code: sms.CodeRefused},
		{name: "429", chat: phone, setup: func(f *smstest.Server, _ *sms.Config) { f.RateLimit(1); f.SetNow(fixedClock); f.Inject() }, kind: outbox.RateLimited, code: "429", wait: time.Second},
		{name: "credit spent", chat: phone, setup: func(f *smstest.Server, _ *sms.Config) { f.Credit(0) }, kind: outbox.Exhausted, code: sms.CodeQuota},
		{name: "credit spent, SMS_EXHAUSTED unset", chat: phone, setup: func(f *smstest.Server, c *sms.Config) { f.Credit(0); c.Exhausted = "" }, kind: outbox.Permanent, code: sms.CodeRefused},
		{name: "not a phone", chat: "abc", kind: outbox.Unreachable, code: sms.CodeNoPhone},
		{name: "network", chat: phone, setup: func(f *smstest.Server, c *sms.Config) { c.URL = "http://127.0.0.1:1/send" }, kind: outbox.Temporary, code: "network"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := smstest.New(t)
			cfg := f.Config()
			if c.setup != nil {
				c.setup(f, &cfg)
			}
			s := newSender(t, cfg)
			if c.code == "429" {
				// The first call of the second passes, the second is over the limit.
				if err := s.Send(context.Background(), msg(1, c.chat, "first")); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Send(context.Background(), msg(42, c.chat, "Họp bầu Trưởng khu phố 1"))
			if c.code == "" {
				if err != nil {
					t.Fatalf("Send = %v, want sent", err)
				}
				sent := f.Sent("")
				if len(sent) != 1 || sent[0].To != phone || sent[0].Text != "Hop bau Truong khu pho 1" || sent[0].ID != "outbox-42" {
					t.Fatalf("sent %+v", sent)
				}
				return
			}
			var se *outbox.SendError
			if !errors.As(err, &se) || se.Kind != c.kind || se.Code != c.code || se.RetryAfter != c.wait {
				t.Fatalf("Send = %#v, want kind %d code %q wait %v", err, c.kind, c.code, c.wait)
			}
		})
	}
}

func fixedClock() time.Time { return time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC) }

// TestIdempotencyKey: a message sent again (a retry after a crash) has
// the same ids; the gateway sends each once and counts the repeats.
func TestIdempotencyKey(t *testing.T) {
	f := smstest.New(t)
	s := newSender(t, f.Config())
	key := "reach:3:household:17"
	long := strings.Repeat("Kính mời ông/bà đến Nhà văn hóa khu phố 1 bỏ phiếu bầu Trưởng khu phố. ", 4)
	m := &models.OutboxMessage{ID: 9, ChatID: phone, DedupeKey: &key, Payload: sms.Payload(long)}
	for range 2 {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	sent := f.Sent(phone)
	parts := s.Parts(long)
	if len(parts) < 2 || len(sent) != len(parts) || f.Duplicates() != len(parts) {
		t.Fatalf("%d parts, %d sent, %d duplicates; want each part once and %d duplicates", len(parts), len(sent), f.Duplicates(), len(parts))
	}
	for i, c := range sent {
		if want := key + "-" + string(rune('1'+i)); c.ID != want || c.Text != parts[i] {
			t.Errorf("part %d: id %q text %q, want %q %q", i+1, c.ID, c.Text, want, parts[i])
		}
	}
}

// TestCreditSpentStopsCalls: after "insufficient balance" the sender
// answers Exhausted without calling the gateway for ExhaustedWait, then
// asks again.
func TestCreditSpentStopsCalls(t *testing.T) {
	f := smstest.New(t)
	f.Credit(2)
	clock := fixedClock()
	cfg := f.Config()
	cfg.ExhaustedWait, cfg.Now = time.Minute, func() time.Time { return clock }
	s := newSender(t, cfg)
	var got []string
	for i := range 5 {
		err := s.Send(context.Background(), msg(int64(i+1), phone, "Hop bau"))
		var se *outbox.SendError
		if errors.As(err, &se) {
			got = append(got, se.Code)
		} else {
			got = append(got, "sent")
		}
	}
	if strings.Join(got, " ") != "sent sent sms-quota sms-quota sms-quota" || len(f.Calls()) != 3 {
		t.Fatalf("outcomes %v after %d calls; want 2 sent, then Exhausted after 1 call", got, len(f.Calls()))
	}
	clock = clock.Add(time.Minute)
	f.Credit(-1)
	if err := s.Send(context.Background(), msg(9, phone, "Hop bau")); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

// TestFakeRateLimitPerSecond: the fake's limit counts the calls within
// one second of its clock.
func TestFakeRateLimitPerSecond(t *testing.T) {
	f := smstest.New(t)
	var mu sync.Mutex
	clock := fixedClock()
	f.SetNow(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
	f.RateLimit(2)
	s := newSender(t, f.Config())
	outcome := func(id int64) string {
		err := s.Send(context.Background(), msg(id, phone, "x"))
		var se *outbox.SendError
		if errors.As(err, &se) {
			return se.Code
		}
		return "sent"
	}
	got := []string{outcome(1), outcome(2), outcome(3)}
	mu.Lock()
	clock = clock.Add(time.Second)
	mu.Unlock()
	got = append(got, outcome(3))
	if strings.Join(got, " ") != "sent sent 429 sent" {
		t.Fatalf("outcomes %v", got)
	}
}
