package zns_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"electionbot/bot/outbox"
	"electionbot/bot/zns"
	"electionbot/bot/zns/znstest"
	"electionbot/models"
)

const (
	tplNotice = "301234"
	onZalo    = "84912345678"
	notOnZalo = "84987654321"
	cannot    = "84911111111"
)

var noticeData = map[string]string{"area": "Khu phố 1", "date": "05/06/2022", "time": "07:00", "place": "Nhà văn hóa khu phố 1"}

func newSender(t *testing.T, f *znstest.Server, renew func(ctx context.Context, stale string) (string, error)) *zns.Sender {
	t.Helper()
	s, err := zns.New(zns.Config{
		Endpoint: f.Endpoint(),
		Token:    func(context.Context) (string, error) { return znstest.AccessToken, nil },
		Renew:    renew,
		// 2026-11-27 23:30 in Vietnam: a night refusal waits until 06:01.
		Now: func() time.Time { return time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func msg(id int64, phone, payload string) *models.OutboxMessage {
	return &models.OutboxMessage{ID: id, Channel: zns.Channel, ChatID: phone, Payload: payload}
}

// TestSendOutcomes: every answer of the API becomes the outbox's kind and
// the code the cascade acts on (issue 19: quota → Exhausted, not on Zalo
// → Unreachable, template → Permanent, 5xx → Temporary, 429 → RateLimited).
func TestSendOutcomes(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(f *znstest.Server)
		phone   string
		payload string
		kind    outbox.ErrorKind
		code    string // "" : sent
		wait    time.Duration
	}{
		{name: "sent", phone: onZalo},
		{name: "voter-list phone form", phone: "0912 345 678"},
		{name: "not on Zalo", phone: notOnZalo, kind: outbox.Unreachable, code: zns.CodeNoUser},
		{name: "cannot receive", phone: cannot, kind: outbox.Unreachable, code: zns.CodeNoUser},
		{name: "not a Vietnamese phone", phone: "+12025550100", kind: outbox.Unreachable, code: zns.CodeNoUser},
		{name: "quota spent", phone: onZalo, setup: func(f *znstest.Server) { f.Quota(0) }, kind: outbox.Exhausted, code: zns.CodeQuota},
		{name: "unknown template", phone: onZalo, setup: func(f *znstest.Server) { f.BadTemplate(tplNotice) }, kind: outbox.Permanent, code: zns.CodeTemplate},
		{name: "template data missing", phone: onZalo, setup: func(f *znstest.Server) { f.Require(tplNotice, "area", "link") }, kind: outbox.Permanent, code: zns.CodeTemplate},
		{name: "502", phone: onZalo, setup: func(f *znstest.Server) { f.Inject(znstest.ServerError()) }, kind: outbox.Temporary, code: "502"},
		{name: "unknown error", phone: onZalo, setup: func(f *znstest.Server) { f.Inject(znstest.APIError(-100, "Unknown error")) }, kind: outbox.Temporary, code: "zns-100"},
		{name: "429", phone: onZalo, setup: func(f *znstest.Server) { f.Inject(znstest.TooManyRequests(7)) }, kind: outbox.RateLimited, code: "429", wait: 7 * time.Second},
		{name: "night", phone: onZalo, setup: func(f *znstest.Server) { f.Inject(znstest.APIError(zns.ErrNight, "not at night")) }, kind: outbox.RateLimited, code: zns.CodeNight, wait: 6*time.Hour + 31*time.Minute},
		{name: "app not linked to an OA", phone: onZalo, setup: func(f *znstest.Server) { f.Inject(znstest.APIError(-105, "Application not link to any OA")) }, kind: outbox.Exhausted, code: zns.CodeConfig},
		{name: "payload not a template", phone: onZalo, payload: `{"text":"hi"}`, kind: outbox.Permanent, code: "zns-payload"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := znstest.New(t)
			f.NotOnZalo(notOnZalo)
			f.CannotReceive(cannot)
			if c.setup != nil {
				c.setup(f)
			}
			payload := c.payload
			if payload == "" {
				payload = zns.Payload(tplNotice, noticeData, "")
			}
			err := newSender(t, f, nil).Send(context.Background(), msg(42, c.phone, payload))
			if c.code == "" {
				if err != nil {
					t.Fatalf("Send = %v, want sent", err)
				}
				sent := f.Sent("")
				if len(sent) != 1 || sent[0].Phone != onZalo || sent[0].TemplateID != tplNotice ||
					sent[0].TemplateData["place"] != noticeData["place"] || sent[0].TrackingID != "42" {
					t.Fatalf("sent %+v", sent)
				}
				return
			}
			var se *outbox.SendError
			if !errors.As(err, &se) || se.Kind != c.kind || se.Code != c.code || se.RetryAfter != c.wait {
				t.Fatalf("Send = %#v, want kind %d code %q wait %v", err, c.kind, c.code, c.wait)
			}
			if len(f.Sent("")) != 0 {
				t.Fatal("a refused message counts as sent")
			}
		})
	}
}

// TestTrackingID: the payload's tracking id, else the dedupe key, else the id.
func TestTrackingID(t *testing.T) {
	key := "reach:7:household:12"
	for _, c := range []struct {
		m    *models.OutboxMessage
		want string
	}{
		{msg(5, onZalo, zns.Payload(tplNotice, nil, "t-1")), "t-1"},
		{&models.OutboxMessage{ID: 5, ChatID: onZalo, DedupeKey: &key, Payload: zns.Payload(tplNotice, nil, "")}, key},
		{msg(5, onZalo, zns.Payload(tplNotice, nil, "")), "5"},
	} {
		if got := zns.TrackingID(c.m); got != c.want {
			t.Errorf("TrackingID = %q, want %q", got, c.want)
		}
		f := znstest.New(t)
		if err := newSender(t, f, nil).Send(context.Background(), c.m); err != nil {
			t.Fatal(err)
		}
		if got := f.Sent(onZalo)[0].TrackingID; got != c.want {
			t.Errorf("sent with tracking id %q, want %q", got, c.want)
		}
	}
}

// TestTokenRenewed: a refused token is renewed once and the message sent
// with the new one; still refused, the failure is temporary.
func TestTokenRenewed(t *testing.T) {
	f := znstest.New(t)
	f.SetToken(func() string { return "access-2" })
	var renewals atomic.Int32
	s := newSender(t, f, func(_ context.Context, stale string) (string, error) {
		renewals.Add(1)
		if stale != znstest.AccessToken {
			t.Errorf("renewed %q, want the refused %q", stale, znstest.AccessToken)
		}
		return "access-2", nil
	})
	if err := s.Send(context.Background(), msg(1, onZalo, zns.Payload(tplNotice, noticeData, ""))); err != nil {
		t.Fatalf("Send after renewal: %v", err)
	}
	if calls := f.Calls(); len(calls) != 2 || calls[0].Error != zns.ErrTokenInvalid || !calls[1].OK() || renewals.Load() != 1 {
		t.Fatalf("calls %+v, renewals %d", calls, renewals.Load())
	}
	f.SetToken(func() string { return "access-3" })
	err := s.Send(context.Background(), msg(2, onZalo, zns.Payload(tplNotice, noticeData, "")))
	var se *outbox.SendError
	if !errors.As(err, &se) || se.Kind != outbox.Temporary {
		t.Fatalf("a token still refused: %v, want Temporary", err)
	}
}

// TestQuotaAfterN: the quota allows n messages, the next is Exhausted;
// for ExhaustedWait the later ones are answered Exhausted without a call
// (the rest of a broadcast falls through at once), then Zalo is asked
// again.
func TestQuotaAfterN(t *testing.T) {
	f := znstest.New(t)
	f.Quota(3)
	clock := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	s, err := zns.New(zns.Config{Endpoint: f.Endpoint(), ExhaustedWait: 5 * time.Minute,
		Token: func(context.Context) (string, error) { return znstest.AccessToken, nil },
		Now:   func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	send := func(n int) string {
		var kinds []string
		for i := range n {
			err := s.Send(context.Background(), msg(int64(i+1), onZalo, zns.Payload(tplNotice, noticeData, "")))
			var se *outbox.SendError
			switch {
			case err == nil:
				kinds = append(kinds, "sent")
			case errors.As(err, &se) && se.Kind == outbox.Exhausted:
				kinds = append(kinds, se.Code)
			default:
				kinds = append(kinds, err.Error())
			}
		}
		return fmtList(kinds)
	}
	if got, want := send(6), "[sent sent sent zns-quota zns-quota zns-quota]"; got != want {
		t.Fatalf("outcomes %s, want %s", got, want)
	}
	if n := len(f.Calls()); n != 4 {
		t.Fatalf("%d calls, want 4: none after the quota was spent", n)
	}
	clock = clock.Add(5 * time.Minute)
	f.Quota(1) // renewed
	if got, want := send(2), "[sent zns-quota]"; got != want {
		t.Fatalf("after the wait: %s, want %s", got, want)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}
