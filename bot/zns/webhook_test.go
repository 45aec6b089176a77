package zns_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"electionbot/bot/zns"
	"electionbot/bot/zns/znstest"
)

type deliveries struct {
	mu   sync.Mutex
	got  []string
	at   []time.Time
	fail bool
}

func (d *deliveries) record(_ context.Context, tid string, at time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail {
		return errors.New("database down")
	}
	d.got, d.at = append(d.got, tid), append(d.at, at)
	return nil
}

var now = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

func newDeliveries(d *deliveries) *zns.Deliveries {
	return &zns.Deliveries{AppID: znstest.AppID, OASecretKey: znstest.OASecretKey, Delivered: d.record,
		Now: func() time.Time { return now }}
}

func event(name, tracking string, at time.Time, appID string) []byte {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	b, _ := json.Marshal(map[string]any{"app_id": appID, "event_name": name, "timestamp": ts,
		"sender": map[string]string{"id": znstest.OAID}, "recipient": map[string]string{"id": "u1"},
		"message": map[string]string{"msg_id": "m1", "tracking_id": tracking, "delivery_time": ts}})
	return b
}

func sign(body []byte, at time.Time) string {
	return zns.Signature(znstest.AppID, body, strconv.FormatInt(at.UnixMilli(), 10), znstest.OASecretKey)
}

// TestDeliveryWebhook: a signed, fresh receipt of this app with a
// tracking id reaches Delivered with its delivery time; anything else is
// refused or ignored, and nothing reaches Delivered.
func TestDeliveryWebhook(t *testing.T) {
	at := now.Add(-time.Hour)
	good := event(zns.EventReceived, "reach:7:12", at, znstest.AppID)
	cases := []struct {
		name    string
		body    []byte
		sig     string
		status  int
		tracked string
	}{
		{"receipt", good, sign(good, at), 200, "reach:7:12"},
		{"no signature", good, "", 401, ""},
		{"wrong signature", good, "mac=" + string(bytes.Repeat([]byte("0"), 64)), 401, ""},
		{"another app", event(zns.EventReceived, "t", at, "999"), sign(event(zns.EventReceived, "t", at, "999"), at), 403, ""},
		{"stale", event(zns.EventReceived, "t", now.Add(-48*time.Hour), znstest.AppID), sign(event(zns.EventReceived, "t", now.Add(-48*time.Hour), znstest.AppID), now.Add(-48*time.Hour)), 403, ""},
		{"a receipt without tracking id (a chat message)", event(zns.EventReceived, "", at, znstest.AppID), sign(event(zns.EventReceived, "", at, znstest.AppID), at), 200, ""},
		{"another event", event("user_seen_message", "t", at, znstest.AppID), sign(event("user_seen_message", "t", at, znstest.AppID), at), 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &deliveries{}
			ts := httptest.NewServer(newDeliveries(d).Handler())
			defer ts.Close()
			req, _ := http.NewRequest(http.MethodPost, ts.URL+zns.WebhookPath, bytes.NewReader(c.body))
			if c.sig != "" {
				req.Header.Set(zns.SignatureHeader, c.sig)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status || (c.tracked == "") != (len(d.got) == 0) || (c.tracked != "" && (d.got[0] != c.tracked || !d.at[0].Equal(at.Truncate(time.Millisecond)))) {
				t.Fatalf("status %d, delivered %v at %v; want %d, %q at %v", resp.StatusCode, d.got, d.at, c.status, c.tracked, at)
			}
		})
	}
	// A receipt that cannot be recorded answers 500: Zalo posts it again.
	d := &deliveries{fail: true}
	ts := httptest.NewServer(newDeliveries(d).Handler())
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodPost, ts.URL, bytes.NewReader(good))
	req.Header.Set(zns.SignatureHeader, sign(good, at))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("a failing Delivered answered %d, want 500", resp.StatusCode)
	}
}

// TestFakeDelivers: the fake posts the receipts of the messages it
// accepted, once each, signed as Zalo signs them.
func TestFakeDelivers(t *testing.T) {
	f := znstest.New(t)
	f.SetNow(func() time.Time { return now })
	f.NotOnZalo(notOnZalo)
	d := &deliveries{}
	ts := httptest.NewServer(newDeliveries(d).Handler())
	defer ts.Close()
	s := newSender(t, f, nil)
	ctx := context.Background()
	for i, phone := range []string{onZalo, notOnZalo, "84911222333"} {
		_ = s.Send(ctx, msg(int64(i+1), phone, zns.Payload(tplNotice, noticeData, "")))
	}
	if n, err := f.Deliver(ctx, ts.URL); err != nil || n != 2 {
		t.Fatalf("Deliver = %d, %v; want the 2 accepted", n, err)
	}
	if n, err := f.Deliver(ctx, ts.URL); err != nil || n != 0 {
		t.Fatalf("Deliver again = %d, %v; want none", n, err)
	}
	if len(d.got) != 2 || d.got[0] != "1" || d.got[1] != "3" {
		t.Fatalf("delivered %v, want [1 3]", d.got)
	}
}
