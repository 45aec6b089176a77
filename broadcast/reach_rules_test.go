package broadcast_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// TestReachQuotaExhausted: ZNS out of quota after 10 messages stops ZNS
// for the rest of the broadcast, the rest goes by SMS, nobody gets two,
// and the admin who sent it is told once.
func TestReachQuotaExhausted(t *testing.T) {
	for _, db := range testdb.Stores(t) {
		t.Run(db.Name, func(t *testing.T) {
			env := newReachEnv(t, db.Store, households{zalo: 30}, daytime)
			env.zns.Quota(10)
			env.build(plan())
			env.start()
			bc := env.announce("Thông báo lịch họp")
			env.waitDone(bc.ID)
			env.waitFor("the households' report", 100, func() bool { return env.sentTexts(42, "hộ gia đình đã nhận") == 1 })
			got, per := env.delivered(bc.ID, "Thông báo lịch họp")
			if got[models.ChannelZNS] != 10 || got[models.ChannelSMS] != 20 {
				t.Errorf("delivered %v, want 10 by ZNS and 20 by SMS", got)
			}
			for i, n := range per {
				if n != 1 {
					t.Errorf("household %d got %d messages", i, n)
				}
			}
			if n := env.sentTexts(42, "hết hạn mức"); n != 1 {
				t.Errorf("the admin was told %d times that ZNS ran out: %v", n, env.fake.Sent(42))
			}
			sent, _ := env.ledger(bc.ID)
			if sent[models.ChannelZNS] != 10 || sent[models.ChannelSMS] != 20 {
				t.Errorf("ledger %v", sent)
			}
		})
	}
}

// TestReachQuietHours: an announcement queued at 22:30 waits for 07:00 on
// every channel, chats included; an urgent one goes now.
func TestReachQuietHours(t *testing.T) {
	for _, db := range testdb.Stores(t) {
		t.Run(db.Name, func(t *testing.T) {
			ctx := context.Background()
			night := time.Date(2022, 6, 1, 22, 30, 0, 0, models.VietnamTime)
			morning := time.Date(2022, 6, 2, 7, 0, 0, 0, models.VietnamTime)
			env := newReachEnv(t, db.Store, households{chat: 3, zalo: 4}, night)
			env.build(plan())
			quiet := env.announce("Thông báo buổi tối")
			fanOut := func(id int64) {
				for i := 0; ; i++ {
					if err := env.bc.Tick(ctx); err != nil {
						t.Fatal(err)
					}
					r, err := env.s.BroadcastReach(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					if r.FannedOut {
						return
					}
					if i > 20 {
						t.Fatal("the households were not fanned out")
					}
				}
			}
			fanOut(quiet.ID)
			due := func(id int64) map[string][]time.Time {
				var ms []*models.OutboxMessage
				if err := env.s.DB(ctx).Where("dedupe_key LIKE ? OR dedupe_key LIKE ?",
					"bc:"+itoa(id)+":%", "hh:"+itoa(id)+":%").Find(&ms).Error; err != nil {
					t.Fatal(err)
				}
				out := map[string][]time.Time{}
				for _, m := range ms {
					if m.Kind == models.OutboxBroadcast {
						out[m.Channel] = append(out[m.Channel], m.NextAttemptAt)
					}
				}
				return out
			}
			got := due(quiet.ID)
			// 3 households and the admin on Telegram (the ward's admins
			// are in "all"), 4 by ZNS.
			if len(got[models.ChannelTelegram]) != 4 || len(got[models.ChannelZNS]) != 4 {
				t.Fatalf("messages %v, want 4 Telegram and 4 ZNS", got)
			}
			for ch, ats := range got {
				for _, at := range ats {
					if !at.Equal(morning) {
						t.Errorf("%s message due %v, want %v", ch, at.In(models.VietnamTime), morning)
					}
				}
			}

			urgent := &models.Broadcast{ElectionID: env.e.ID, Kind: models.BroadcastAnnouncement,
				Audience: models.AudienceAll, Body: "Khẩn: mất điện", CreatedBy: &env.admin.ID}
			if err := env.s.CreateBroadcast(ctx, urgent); err != nil {
				t.Fatal(err)
			}
			if err := env.s.SetReachUrgent(ctx, urgent.ID, true); err != nil {
				t.Fatal(err)
			}
			if _, err := env.s.QueueBroadcast(ctx, urgent.ID, &env.admin.ID); err != nil {
				t.Fatal(err)
			}
			fanOut(urgent.ID)
			for ch, ats := range due(urgent.ID) {
				for _, at := range ats {
					if !at.Equal(night) {
						t.Errorf("urgent %s message due %v, want now", ch, at.In(models.VietnamTime))
					}
				}
			}

			// Nothing of the quiet one goes before 07:00 (the urgent one
			// does); at 07:05 it all goes.
			env.start()
			env.waitDone(urgent.ID)
			if got, _ := env.delivered(quiet.ID, "Thông báo buổi tối"); got[models.ChannelTelegram]+got[models.ChannelZNS] > 0 {
				t.Errorf("sent in the quiet hours: %v", got)
			}
			env.clock.Set(morning.Add(5 * time.Minute))
			env.waitDone(quiet.ID)
			got2, _ := env.delivered(quiet.ID, "Thông báo buổi tối")
			if got2[models.ChannelTelegram] != 3 || got2[models.ChannelZNS] != 4 {
				t.Errorf("delivered after 07:00: %v", got2)
			}
		})
	}
}

// TestReachCeilingAndOptOut: paid messages stop at the broadcast's cost
// ceiling; a household that said STOP by SMS, or /stop on its chat, gets
// nothing on any channel.
func TestReachCeilingAndOptOut(t *testing.T) {
	for _, db := range testdb.Stores(t) {
		t.Run(db.Name, func(t *testing.T) {
			ctx := context.Background()
			env := newReachEnv(t, db.Store, households{chat: 2, zalo: 10}, daytime)
			// Household 0 said /stop on Telegram; household 2 STOP by SMS.
			c, err := env.s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: itoa(firstChat)})
			if err != nil {
				t.Fatal(err)
			}
			now := daytime
			if err := env.s.SaveSubscription(ctx, &models.Subscription{ContactID: c.ID, StoppedAt: &now}); err != nil {
				t.Fatal(err)
			}
			if err := env.s.OptOutHousehold(ctx, "0"+phone84(2)[2:], "sms"); err != nil {
				t.Fatal(err)
			}
			p := plan()
			p.CeilingVND = 5 * 300
			env.build(p)
			env.start()
			bc := env.announce("Thông báo có giới hạn")
			env.waitDone(bc.ID)
			got, per := env.delivered(bc.ID, "Thông báo có giới hạn")
			if per[0] != 0 || per[2] != 0 {
				t.Errorf("opted-out households got messages: %v", per)
			}
			if got[models.ChannelZNS] != 5 || got[models.ChannelTelegram] != 1 {
				t.Errorf("delivered %v, want 1 Telegram and 5 ZNS (the ceiling)", got)
			}
			_, other := env.ledger(bc.ID)
			if other[models.ReachOptedOut] != 2 || other[models.ReachCeiling] != 4 {
				t.Errorf("ledger %v, want 2 opted out and 4 over the ceiling", other)
			}
		})
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
