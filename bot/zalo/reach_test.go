package zalo

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"electionbot/bot"
	"electionbot/bot/zalo/zalotest"
	"electionbot/internal/testdb"
)

// TestZNSReceiptsGoToOtherEvents: a ZNS delivery receipt posted to the
// OA's webhook (signed, the OA as its sender) reaches OtherEvents, even
// with ZALO_OA_ID set; a failure there makes Zalo post it again.
func TestZNSReceiptsGoToOtherEvents(t *testing.T) {
	fake := zalotest.New(t)
	var mu sync.Mutex
	var got []string
	fail := false
	e := newEnv(t, testdb.SQLite(t), fake, func(c *Config) {
		c.OAID = zalotest.OAID
		c.OtherEvents = func(_ context.Context, body []byte) (bool, error) {
			var ev struct {
				Message struct {
					TrackingID string `json:"tracking_id"`
				} `json:"message"`
			}
			_ = json.Unmarshal(body, &ev)
			mu.Lock()
			defer mu.Unlock()
			if fail {
				return true, context.DeadlineExceeded
			}
			got = append(got, ev.Message.TrackingID)
			return true, nil
		}
	})
	ts := zalotest.MsString(e.clock.Now())
	body, _ := json.Marshal(map[string]any{
		"app_id": zalotest.AppID, "event_name": EventReceived, "timestamp": ts,
		"sender": map[string]string{"id": zalotest.OAID}, "recipient": map[string]string{"id": "u9"},
		"message": map[string]string{"msg_id": "z1", "tracking_id": "reach:1:7", "delivery_time": ts},
	})
	if st := zalotest.Post(t, e.url+WebhookPath, body, zalotest.SignBody(body)); st != 200 {
		t.Fatalf("receipt answered %d", st)
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	if st := zalotest.Post(t, e.url+WebhookPath, body, zalotest.SignBody(body)); st != 500 {
		t.Fatalf("a receipt not recorded answered %d, want 500", st)
	}
	if len(got) != 1 || got[0] != "reach:1:7" {
		t.Fatalf("OtherEvents got %v", got)
	}
	if n := len(e.h.calls()); n != 0 {
		t.Fatalf("the handlers got %d receipts", n)
	}
}

// TestReplyCarriesMessageIDOnlyToItsSender: the answer to u1's message
// carries its id; a message to another user in the same answer does not.
func TestReplyCarriesMessageIDOnlyToItsSender(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, nil)
	e.h.outs = func(in bot.Incoming) []bot.Outgoing {
		return []bot.Outgoing{{ChatID: in.ChatID, Channel: in.Channel, Text: "đã nhận"}, {ChatID: "u2", Channel: in.Channel, Text: "có báo cáo mới"}}
	}
	b := zalotest.TextEvent("u1", "m77", "KQ KP1", e.clock.Now())
	if st := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); st != 200 {
		t.Fatalf("webhook %d", st)
	}
	to1, to2 := fake.WaitSent(t, "u1", 1)[0], fake.WaitSent(t, "u2", 1)[0]
	var r1, r2 Request
	_ = json.Unmarshal(to1.Body, &r1)
	_ = json.Unmarshal(to2.Body, &r2)
	if r1.Recipient.MessageID != "m77" || r2.Recipient.MessageID != "" {
		t.Fatalf("recipients %+v and %+v", r1.Recipient, r2.Recipient)
	}
}
