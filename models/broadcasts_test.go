package models_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// audienceFixture is the demo election with contacts: residents of kp1 and
// kp2 (one with reminders, one unreachable, one who said /stop), one with
// no area, a reporter of kp3 and a ward admin.
type audienceFixture struct {
	s     *models.Store
	e     *models.Election
	areas []*models.Area
	ids   map[string]int64
}

func newAudienceFixture(t *testing.T, s *models.Store) *audienceFixture {
	t.Helper()
	ctx := context.Background()
	if _, err := s.LoadElectionFile(ctx, demoFile); err != nil {
		t.Fatal(err)
	}
	e, err := s.ElectionByCode(ctx, "ka-long-2022")
	if err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	f := &audienceFixture{s: s, e: e, areas: areas, ids: map[string]int64{}}
	add := func(name string, area int, reminders, reachable bool) *models.Contact {
		c, err := s.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: name})
		if err != nil {
			t.Fatal(err)
		}
		if area >= 0 {
			c.AreaID = &areas[area].ID
		}
		c.Reminders, c.Reachable = reminders, reachable
		if err := s.SaveContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		f.ids[name] = c.ID
		return c
	}
	add("kp1-sub", 0, true, true)
	add("kp1-plain", 0, false, true)
	add("kp2-sub-blocked", 1, true, false)
	stopped := add("kp2-stopped", 1, false, true)
	now := s.Now()
	if err := s.SaveSubscription(ctx, &models.Subscription{ContactID: stopped.ID, StoppedAt: &now}); err != nil {
		t.Fatal(err)
	}
	add("no-area", -1, true, true)
	rep := add("reporter-kp3", -1, false, true)
	if err := s.Grant(ctx, &models.RoleGrant{ContactID: &rep.ID, Role: models.RoleReporter, AreaID: &areas[2].ID}); err != nil {
		t.Fatal(err)
	}
	adm := add("admin", -1, false, true)
	if err := s.Grant(ctx, &models.RoleGrant{ContactID: &adm.ID, Role: models.RoleAdmin, WardID: e.WardID}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *audienceFixture) names(cs []*models.Contact) string {
	byID := map[int64]string{}
	for k, v := range f.ids {
		byID[v] = k
	}
	var out []string
	for _, c := range cs {
		out = append(out, byID[c.ID])
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestBroadcastAudiences(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newAudienceFixture(t, n.Store)
			kp2 := &models.Broadcast{}
			kp2.SetAreas([]int64{f.areas[1].ID, f.areas[0].ID})
			cases := []struct {
				audience, areas string
				want            string
				reachable       int
			}{
				{models.AudienceAll, "", "admin kp1-plain kp1-sub kp2-sub-blocked reporter-kp3", 4},
				{models.AudienceAreas, kp2.AreaIDs, "kp1-plain kp1-sub kp2-sub-blocked", 2},
				{models.AudienceAreas, strconv.FormatInt(f.areas[2].ID, 10), "", 0},
				{models.AudienceReporters, "", "reporter-kp3", 1},
				{models.AudienceSubscribers, "", "kp1-sub kp2-sub-blocked", 1},
				{models.AudienceOfficials, "", "admin reporter-kp3", 2},
			}
			for _, tc := range cases {
				b := &models.Broadcast{ElectionID: f.e.ID, Kind: models.BroadcastAnnouncement, Audience: tc.audience, AreaIDs: tc.areas, Body: "x"}
				cs, err := n.Store.BroadcastRecipients(ctx, b, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				if got := f.names(cs); got != tc.want {
					t.Errorf("%s %s: recipients %q, want %q", tc.audience, tc.areas, got, tc.want)
				}
				cnt, err := n.Store.CountAudience(ctx, b)
				if err != nil {
					t.Fatal(err)
				}
				if cnt.Reachable != tc.reachable || cnt.Reachable+cnt.Unreachable != len(cs) {
					t.Errorf("%s %s: count %+v, want %d reachable of %d", tc.audience, tc.areas, cnt, tc.reachable, len(cs))
				}
				// Pages: one contact at a time, in id order.
				var paged []*models.Contact
				for after := int64(0); ; {
					page, err := n.Store.BroadcastRecipients(ctx, b, after, 1)
					if err != nil {
						t.Fatal(err)
					}
					if len(page) == 0 {
						break
					}
					paged = append(paged, page...)
					after = page[0].ID
				}
				if f.names(paged) != tc.want {
					t.Errorf("%s: paged recipients %q", tc.audience, f.names(paged))
				}
			}
		})
	}
}

func TestBroadcastLifecycle(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			f := newAudienceFixture(t, s)
			admin := f.ids["admin"]
			b := &models.Broadcast{ElectionID: f.e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll, CreatedBy: &admin}
			if err := s.CreateBroadcast(ctx, b); err != nil {
				t.Fatal(err)
			}
			if _, err := s.QueueBroadcast(ctx, b.ID, &admin); models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("queue without text: %v", err)
			}
			b.Body = strings.Repeat("a", models.MaxBroadcastText+1)
			if err := s.SaveBroadcastDraft(ctx, b); models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("too long: %v", err)
			}
			b.Audience, b.AreaIDs, b.Body = models.AudienceAreas, "999999", "Họp tổ dân phố"
			if err := s.SaveBroadcastDraft(ctx, b); models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("area of no election: %v", err)
			}
			b.SetAreas([]int64{f.areas[0].ID})
			if err := s.SaveBroadcastDraft(ctx, b); err != nil {
				t.Fatal(err)
			}
			if d, err := s.LatestDraft(ctx, admin); err != nil || d.ID != b.ID || d.Body != "Họp tổ dân phố" {
				t.Fatalf("LatestDraft = %+v, %v", d, err)
			}
			other := f.ids["kp1-sub"]
			if _, err := s.QueueBroadcast(ctx, b.ID, &other); models.ErrorCode(err) != models.EFORBIDDEN {
				t.Fatalf("queued by another contact: %v", err)
			}
			q, err := s.QueueBroadcast(ctx, b.ID, &admin)
			if err != nil || q.Status != models.BroadcastQueued || q.QueuedAt == nil {
				t.Fatalf("QueueBroadcast = %+v, %v", q, err)
			}
			if _, err := s.QueueBroadcast(ctx, b.ID, &admin); models.ErrorCode(err) != models.ECONFLICT {
				t.Fatalf("queued twice: %v", err)
			}
			act, err := s.ActiveBroadcasts(ctx)
			if err != nil || len(act) != 1 || act[0].ID != b.ID {
				t.Fatalf("ActiveBroadcasts = %v, %v", act, err)
			}
			if ok, err := s.StartBroadcast(ctx, b.ID); !ok || err != nil {
				t.Fatalf("StartBroadcast = %v, %v", ok, err)
			}
			// Fan-out of one page by two workers: only one moves the cursor.
			if ok, _ := s.AdvanceFanout(ctx, b.ID, 0, 10, 2, false); !ok {
				t.Fatal("first advance refused")
			}
			if ok, _ := s.AdvanceFanout(ctx, b.ID, 0, 10, 2, false); ok {
				t.Fatal("second advance from the same cursor accepted")
			}
			if ok, _ := s.FinishBroadcast(ctx, b.ID); ok {
				t.Fatal("finished before the fan-out ended")
			}
			if ok, _ := s.AdvanceFanout(ctx, b.ID, 10, 10, 0, true); !ok {
				t.Fatal("last advance refused")
			}
			if ok, _ := s.FinishBroadcast(ctx, b.ID); !ok {
				t.Fatal("not finished")
			}
			got, _ := s.Broadcast(ctx, b.ID)
			if got.Status != models.BroadcastDone || got.Total != 2 || got.FinishedAt == nil {
				t.Fatalf("after finish: %+v", got)
			}
			if err := s.CancelBroadcast(ctx, b.ID); models.ErrorCode(err) != models.ECONFLICT {
				t.Fatalf("cancel a finished broadcast: %v", err)
			}
		})
	}
}

func TestBroadcastStatsAndDedupe(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			f := newAudienceFixture(t, s)
			b := &models.Broadcast{ElectionID: f.e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll, Body: "x", Status: models.BroadcastQueued}
			if err := s.CreateBroadcast(ctx, b); err != nil {
				t.Fatal(err)
			}
			var msgs []*models.OutboxMessage
			var ds []*models.BroadcastDelivery
			names := []string{"kp1-sub", "kp1-plain", "admin", "reporter-kp3", "no-area"}
			for _, name := range names {
				id := f.ids[name]
				key := b.DedupeKey(id)
				msgs = append(msgs, &models.OutboxMessage{Channel: "test", ChatID: name, ContactID: &id, DedupeKey: &key, Payload: "p"})
			}
			if err := s.InsertBroadcastMessages(ctx, msgs); err != nil {
				t.Fatal(err)
			}
			for i, m := range msgs {
				if m.ID == 0 || m.Kind != models.OutboxBroadcast {
					t.Fatalf("message %d: %+v", i, m)
				}
				id := m.ID
				ds = append(ds, &models.BroadcastDelivery{BroadcastID: b.ID, ContactID: *m.ContactID, OutboxID: &id, Status: models.DeliveryQueued})
			}
			// The same page again (a worker that crashed after the commit
			// and came back): no second message, the same ids.
			first := msgs[0].ID
			again := []*models.OutboxMessage{{Channel: "test", ChatID: "kp1-sub", DedupeKey: msgs[0].DedupeKey, Payload: "p"}}
			if err := s.InsertBroadcastMessages(ctx, again); err != nil || again[0].ID != first {
				t.Fatalf("again: id %d (want %d), %v", again[0].ID, first, err)
			}
			blocked := f.ids["kp2-sub-blocked"]
			ds = append(ds, &models.BroadcastDelivery{BroadcastID: b.ID, ContactID: blocked, Status: models.DeliverySkipped, Reason: models.ReasonUnreachable},
				&models.BroadcastDelivery{BroadcastID: b.ID, ContactID: f.ids["kp2-stopped"], Status: models.DeliverySkipped, Reason: "zalo: outside the 7-day window"})
			if err := s.InsertDeliveries(ctx, ds); err != nil {
				t.Fatal(err)
			}
			if err := s.InsertDeliveries(ctx, ds[:2]); err != nil {
				t.Fatal(err)
			}
			s.OutboxSent(ctx, msgs[0].ID)
			s.OutboxSent(ctx, msgs[1].ID)
			s.OutboxGiveUp(ctx, msgs[2].ID, models.OutboxUnreachable, "403: Forbidden: bot was blocked by the user")
			s.OutboxGiveUp(ctx, msgs[3].ID, models.OutboxFailed, `network: Post "https://api.telegram.org/bot123:AAbb/sendMessage": connection reset`)
			st, err := s.BroadcastStats(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("%+v", models.BroadcastStats{Total: 7, Sent: 2, Pending: 1, Unreachable: 2, Failed: 1, Skipped: 1,
				Reasons: []models.ReasonCount{{Reason: "network error", Count: 1}, {Reason: "zalo: outside the 7-day window", Count: 1}}})
			if got := fmt.Sprintf("%+v", *st); got != want {
				t.Errorf("stats\n got %s\nwant %s", got, want)
			}
			if st.Finished() != 6 {
				t.Errorf("finished %d", st.Finished())
			}
		})
	}
}

func TestShortReason(t *testing.T) {
	cases := map[string]string{
		"500: Internal Server Error":                                   "500: Internal Server Error",
		`network: Post "https://x/bot123456:AAH-x_y/sendMessage": EOF`: "network error",
		"network: context deadline exceeded":                           "network timeout",
		"400: Bad Request: chat bot123456:AAHxx not found":             "400: Bad Request: chat bot*** not found",
		"": "unknown",
	}
	for in, want := range cases {
		if got := models.ShortReason(in); got != want {
			t.Errorf("ShortReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSubscriptionAndReplicas(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			c, err := s.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: "1"})
			if err != nil {
				t.Fatal(err)
			}
			sub, err := s.Subscription(ctx, c.ID)
			if err != nil || sub.ContactID != c.ID || sub.OfferedAt != nil || sub.StoppedAt != nil {
				t.Fatalf("new subscription %+v, %v", sub, err)
			}
			now := time.Now().UTC().Truncate(time.Second)
			sub.OfferedAt = &now
			if err := s.SaveSubscription(ctx, sub); err != nil {
				t.Fatal(err)
			}
			sub.StoppedAt = &now
			if err := s.SaveSubscription(ctx, sub); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Subscription(ctx, c.ID)
			if got.OfferedAt == nil || got.StoppedAt == nil || !got.StoppedAt.Equal(now) {
				t.Fatalf("saved subscription %+v", got)
			}

			ttl := 10 * time.Second
			t0 := time.Now()
			if n, err := s.HeartbeatReplica(ctx, "a", "host", t0, ttl); n != 1 || err != nil {
				t.Fatalf("one replica: %d, %v", n, err)
			}
			if n, _ := s.HeartbeatReplica(ctx, "b", "host", t0.Add(time.Second), ttl); n != 2 {
				t.Fatalf("two replicas: %d", n)
			}
			// a stops heartbeating: after the TTL, b is alone.
			if n, _ := s.HeartbeatReplica(ctx, "b", "host", t0.Add(12*time.Second), ttl); n != 1 {
				t.Fatalf("after a's lease expired: %d", n)
			}
			if n, _ := s.HeartbeatReplica(ctx, "a", "host", t0.Add(13*time.Second), ttl); n != 2 {
				t.Fatalf("a back: %d", n)
			}
			if err := s.RemoveReplica(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			if n, _ := s.HeartbeatReplica(ctx, "b", "host", t0.Add(14*time.Second), ttl); n != 1 {
				t.Fatalf("after a left: %d", n)
			}
		})
	}
}
