package zalo

import (
	"encoding/json"
	"testing"
	"time"

	"electionbot/bot/zalo/zalotest"
	"electionbot/internal/testdb"
)

// TestWebhookRefusesAnotherOA is finding 8 of issue 17: an event of
// another Official Account or app, signed with our key (an OA secret
// shared by mistake, an event replayed from another OA), was handled
// and answered. With Config.OAID set it is refused with 403 and nothing
// is recorded.
func TestWebhookRefusesAnotherOA(t *testing.T) {
	now := time.Now().UTC()
	with := func(body []byte, set map[string]any) []byte {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		for k, v := range set {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name string
		body []byte
		want int
	}{
		{"ours", zalotest.TextEvent("u1", "m1", "hi", now), 200},
		{"another oa_id", with(zalotest.TextEvent("u1", "m2", "hi", now), map[string]any{"oa_id": "111222333"}), 403},
		{"a message to another OA", with(zalotest.TextEvent("u1", "m3", "hi", now), map[string]any{"oa_id": nil, "recipient": map[string]string{"id": "111222333"}}), 403},
		{"a follow of another OA", with(zalotest.FollowEvent("u1", now), map[string]any{"oa_id": "111222333"}), 403},
		{"another app", with(zalotest.TextEvent("u1", "m4", "hi", now), map[string]any{"app_id": "999"}), 403},
	}
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					e := newEnv(t, testStore(t, named.Name), zalotest.New(t), func(c *Config) { c.OAID = zalotest.OAID })
					e.clock.t = now
					// Signed with our app id and our key: only the ids in
					// the body say it is not ours.
					if got := zalotest.Post(t, e.url+WebhookPath, tc.body, zalotest.SignBody(tc.body)); got != tc.want {
						t.Fatalf("status %d, want %d", got, tc.want)
					}
					want := int64(0)
					if tc.want == 200 {
						want = 1
					}
					if n := e.count(t, "channel_updates"); n != want {
						t.Errorf("%d events recorded, want %d", n, want)
					}
					if n := int64(len(e.h.calls())); n != want {
						t.Errorf("handler called %d times, want %d", n, want)
					}
				})
			}
		})
	}
}
