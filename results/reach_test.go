package results_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// seedReach records the ledger of two broadcasts to Ka Long's households:
// an older one (which the page must not show) and the latest, queued at
// 08:00 on 4 June 2022 (Vietnam), with in kp1: 2 by chat (Telegram,
// Zalo), 2 by ZNS (one settled from its sent outbox message only), 1 by
// SMS after ZNS failed, 1 not reached, 1 opted out; in kp2: 1 still being
// sent by SMS, 1 whose SMS failed. It returns the latest broadcast and the
// ledger row still queued whose message was sent.
func seedReach(t *testing.T, s *models.Store) (latest *models.Broadcast, queuedSent int64) {
	t.Helper()
	ctx := context.Background()
	e, err := s.ElectionByCode(ctx, demo.ElectionCode)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	voters := map[string][]*models.Voter{}
	for _, a := range areas {
		var vs []*models.Voter
		if err := s.DB(ctx).Where("area_id = ?", a.ID).Order("id").Limit(7).Find(&vs).Error; err != nil {
			t.Fatal(err)
		}
		voters[a.Code] = vs
	}
	if len(voters["kp1"]) < 7 || len(voters["kp2"]) < 2 {
		t.Fatalf("demo voters: kp1 %d, kp2 %d", len(voters["kp1"]), len(voters["kp2"]))
	}
	broadcast := func() *models.Broadcast {
		b := &models.Broadcast{ElectionID: e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
			Body: "Họp tổ dân phố lúc 19:00", Status: models.BroadcastQueued}
		if err := s.CreateBroadcast(ctx, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	outbox := func(status string) *int64 {
		m := &models.OutboxMessage{Channel: models.ChannelZNS, ChatID: "84912345678", Kind: models.OutboxReply,
			Payload: "{}", Status: status, NextAttemptAt: electionDay, CreatedAt: electionDay}
		if err := s.DB(ctx).Create(m).Error; err != nil {
			t.Fatal(err)
		}
		return &m.ID
	}
	row := func(b *models.Broadcast, v *models.Voter, channel, outcome string, cost int, ob *int64) *models.ReachAttempt {
		return &models.ReachAttempt{BroadcastID: b.ID, VoterID: v.ID, AreaID: v.AreaID, Channel: channel,
			Outcome: outcome, CostVND: cost, OutboxID: ob}
	}

	old := broadcast()
	if err := s.InsertReachAttempts(ctx, []*models.ReachAttempt{
		row(old, voters["kp1"][0], models.ChannelSMS, models.ReachSent, 800, nil),
		row(old, voters["kp3"][0], models.ChannelSMS, models.ReachSent, 800, nil),
	}); err != nil {
		t.Fatal(err)
	}

	latest = broadcast()
	queuedAt := time.Date(2022, 6, 4, 1, 0, 0, 0, time.UTC) // 08:00 in Vietnam
	if err := s.DB(ctx).Model(latest).Update("queued_at", queuedAt).Error; err != nil {
		t.Fatal(err)
	}
	k1, k2 := voters["kp1"], voters["kp2"]
	rows := []*models.ReachAttempt{
		row(latest, k1[0], models.ChannelTelegram, models.ReachSent, 0, nil),
		row(latest, k1[1], models.ChannelZalo, models.ReachSent, 0, nil),
		row(latest, k1[2], models.ChannelZNS, models.ReachUnreachable, 0, nil),
		row(latest, k1[2], models.ChannelSMS, models.ReachSent, 800, nil),
		row(latest, k1[3], models.ChannelZNS, models.ReachSent, 300, nil),
		row(latest, k1[4], models.ReachNone, models.ReachNoChannel, 0, nil),
		row(latest, k1[5], models.ReachNone, models.ReachOptedOut, 0, nil),
		row(latest, k1[6], models.ChannelZNS, models.ReachQueued, 300, outbox(models.OutboxSent)),
		row(latest, k2[0], models.ChannelSMS, models.ReachQueued, 800, outbox(models.OutboxPending)),
		row(latest, k2[1], models.ChannelSMS, models.ReachFailed, 0, nil),
	}
	if err := s.InsertReachAttempts(ctx, rows); err != nil {
		t.Fatal(err)
	}
	var q models.ReachAttempt
	if err := s.DB(ctx).Where("broadcast_id = ? AND voter_id = ?", latest.ID, k1[6].ID).Take(&q).Error; err != nil {
		t.Fatal(err)
	}
	return latest, q.ID
}

// reachCells are the numbers of one row of the reach table, by data-col.
func reachCells(t *testing.T, page, id string) map[string]string {
	t.Helper()
	start := strings.Index(page, `<tr id="`+id+`">`)
	if start < 0 {
		t.Fatalf("no row %s in the reach section", id)
	}
	tr := page[start : start+strings.Index(page[start:], "</tr>")]
	out := map[string]string{}
	for _, part := range strings.Split(tr, `data-col="`)[1:] {
		col, rest, _ := strings.Cut(part, `">`)
		out[col], _, _ = strings.Cut(rest, "<")
	}
	return out
}

func TestOfficialsPageShowsHouseholdReachByArea(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			seedKaLong(t, s)
			_, ts := newServer(t, s, electionDay, results.Options{CacheTTL: -1})
			link := results.SignAdminLink(ts.URL, demo.ElectionCode, testKey, electionDay.Add(24*time.Hour))

			// No broadcast went to households yet: no section.
			if _, page, _ := get(t, link); strings.Contains(page, `id="reach"`) {
				t.Fatal("reach section before any broadcast reached households")
			}

			latest, queuedSent := seedReach(t, s)
			status, page, _ := get(t, link)
			if status != 200 {
				t.Fatalf("officials' page: %d\n%s", status, page)
			}
			for _, want := range []string{"Thông báo tới hộ dân", fmt.Sprintf(`data-broadcast="%d"`, latest.ID),
				fmt.Sprintf("Thông báo #%d, gửi lúc 08:00 04/06/2022.", latest.ID), "Chưa liên lạc được (cần đến tận nhà)"} {
				if !strings.Contains(page, want) {
					t.Errorf("officials' page lacks %q", want)
				}
			}
			for _, tc := range []struct {
				row  string
				want map[string]string
			}{
				{"reach-kp1", map[string]string{"households": "7", "chat": "2", "zns": "2", "sms": "1", "pending": "0", "not-reached": "1", "opted-out": "1"}},
				{"reach-kp2", map[string]string{"households": "2", "chat": "0", "zns": "0", "sms": "0", "pending": "1", "not-reached": "1", "opted-out": "0"}},
				{"reach-total", map[string]string{"households": "9", "chat": "2", "zns": "2", "sms": "1", "pending": "1", "not-reached": "2", "opted-out": "1"}},
			} {
				got := reachCells(t, page, tc.row)
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("%s: got %v, want %v", tc.row, got, tc.want)
				}
			}
			if strings.Contains(page, `id="reach-kp3"`) {
				t.Error("kp3 shown: only the older broadcast reached it")
			}

			// The page reads the ledger; it settles nothing.
			var q models.ReachAttempt
			if err := s.DB(context.Background()).Take(&q, queuedSent).Error; err != nil || q.Outcome != models.ReachQueued {
				t.Errorf("ledger row %d after the page: %q, %v", queuedSent, q.Outcome, err)
			}

			if _, en, _ := get(t, link+"&lang=en"); !strings.Contains(en, "Announcements to households") ||
				!strings.Contains(en, "Not reached (visit door to door)") {
				t.Error("English officials' page lacks the reach section")
			}

			// Never on the public page.
			_, pub, _ := get(t, ts.URL+"/results/"+demo.ElectionCode)
			if strings.Contains(pub, `id="reach"`) || strings.Contains(pub, "Thông báo tới hộ dân") {
				t.Error("public page shows the household reach")
			}
		})
	}
}

// TestReachPageMessagesBothLanguages: reach_page.vi.yaml and .en.yaml have
// the same reachpage_* keys, and the page uses only those.
func TestReachPageMessagesBothLanguages(t *testing.T) {
	keys := func(lang string) []string {
		b, err := os.ReadFile("../locales/reach_page." + lang + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var out []string
		for k := range m {
			if !strings.HasPrefix(k, "reachpage_") {
				t.Errorf("%s: key %s without the reachpage_ prefix", lang, k)
			}
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	vi, en := keys("vi"), keys("en")
	if fmt.Sprint(vi) != fmt.Sprint(en) {
		t.Fatalf("vi %v\nen %v", vi, en)
	}
	tmpl, err := os.ReadFile("templates/reach.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(string(tmpl), `"reachpage_`)[1:] {
		id, _, _ := strings.Cut(part, `"`)
		if i := sort.SearchStrings(vi, "reachpage_"+id); i == len(vi) || vi[i] != "reachpage_"+id {
			t.Errorf("template uses reachpage_%s, not in the locale files", id)
		}
	}
}

// reachCalls records the wards the page asked the ledger about.
type reachCalls struct {
	*models.Store
	wards []string
}

func (c *reachCalls) WardReach(ctx context.Context, code, ward string) (*models.WardReach, error) {
	c.wards = append(c.wards, ward)
	return c.Store.WardReach(ctx, code, ward)
}

// TestReachOnlyForOneWard: a page of several wards (the province's) never
// reads the ledger; a ward's officials' page reads it for that ward alone;
// the public page of a ward never.
func TestReachOnlyForOneWard(t *testing.T) {
	s := testdb.SQLite(t)
	seedProvince(t, s)
	src := &reachCalls{Store: s}
	_, ts := newServer(t, src, electionDay, results.Options{CacheTTL: -1})
	link := results.SignAdminLink(ts.URL, provinceCode, testKey, electionDay.Add(24*time.Hour))
	for _, tc := range []struct {
		url   string
		wards string
	}{
		{link, "[]"},
		{ts.URL + "/results/" + provinceCode + "?ward=hai-hoa", "[]"},
		{link + "&ward=hai-hoa", "[hai-hoa]"},
	} {
		src.wards = nil
		if status, page, _ := get(t, tc.url); status != 200 || strings.Contains(page, `id="reach"`) {
			t.Fatalf("%s: %d, reach section %v", tc.url, status, strings.Contains(page, `id="reach"`))
		}
		if got := fmt.Sprint(src.wards); got != tc.wards {
			t.Errorf("%s: ledger read for wards %s, want %s", tc.url, got, tc.wards)
		}
	}
}
