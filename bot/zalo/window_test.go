package zalo

import (
	"context"
	"strings"
	"testing"
	"time"

	"electionbot/bot/zalo/zalotest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestWindow(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			e := newEnv(t, named.Store, zalotest.New(t), nil)
			ctx := context.Background()
			now := e.clock.Now().Truncate(time.Millisecond)
			for _, b := range [][]byte{
				zalotest.TextEvent("recent", "m1", "hi", now.Add(-time.Minute)),
				zalotest.TextEvent("old", "m2", "hi", now.Add(-4*time.Minute)),
			} {
				if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
					t.Fatalf("webhook %d", got)
				}
			}
			// An older event arriving late does not move the time back.
			if err := e.s.TouchInbound(ctx, models.ChannelZalo, "recent", now.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			recent, old := e.contact(t, "recent"), e.contact(t, "old")
			never, err := e.s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelZalo, ExternalID: "never"})
			if err != nil {
				t.Fatal(err)
			}
			tg, err := e.s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: "111"})
			if err != nil {
				t.Fatal(err)
			}
			last, err := e.s.LastInbound(ctx, []int64{recent.ID, old.ID, never.ID})
			if err != nil {
				t.Fatal(err)
			}
			if !last[recent.ID].Equal(now.Add(-time.Minute)) || !last[old.ID].Equal(now.Add(-4*time.Minute)) || len(last) != 2 {
				t.Fatalf("last inbound %v", last)
			}
			// 7 days later, "old" is out, "recent" still in.
			e.clock.t = now.Add(DefaultWindow - 2*time.Minute)
			in, out, err := e.c.SplitWindow(ctx, []*models.Contact{recent, old, never, tg})
			if err != nil {
				t.Fatal(err)
			}
			ids := func(cs []*models.Contact) (s []string) {
				for _, c := range cs {
					s = append(s, c.ExternalID)
				}
				return s
			}
			if strings.Join(ids(in), ",") != "recent,111" || strings.Join(ids(out), ",") != "old,never" {
				t.Fatalf("in %v, out %v", ids(in), ids(out))
			}
			for ct, want := range map[*models.Contact]bool{recent: true, old: false, never: false, tg: true} {
				if got, err := e.c.InWindow(ctx, ct); err != nil || got != want {
					t.Errorf("InWindow(%s) = %v %v, want %v", ct.ExternalID, got, err, want)
				}
			}
		})
	}
}
