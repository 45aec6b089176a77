package cli

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"electionbot/bot/sms/smstest"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/bot/zalo/zalotest"
	"electionbot/bot/zns"
	"electionbot/bot/zns/znstest"
	"electionbot/models"
)

// TestReliabilityKillHouseholds (with -reliability.long: minutes): an
// announcement to 1,000 households (300 Telegram, 400 ZNS, 200 SMS after
// ZNS, 100 without a phone) sent by a `serve` process killed with SIGKILL
// half-way through the households, then started again on the same
// database: every household gets the announcement, none twice (an SMS
// sent again carries the same idempotency key: the gateway does not send
// it twice; a ZNS in flight at the kill is not sent again but left
// uncertain, on the door-to-door list until its receipt arrives), and the
// ledger agrees with the fakes.
func TestReliabilityKillHouseholds(t *testing.T) {
	t.Parallel()
	if testing.Short() || !*reliabilityLong {
		t.Skip("builds and runs the binary for minutes: -reliability.long")
	}
	for _, dialect := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			testKillHouseholds(t, dialect)
		})
	}
}

func testKillHouseholds(t *testing.T, dialect string) {
	bin := buildElectionbot(t)
	ctx := context.Background()
	var s *models.Store
	var dbURL string
	if dialect == "postgres" {
		o, _ := postgresOutage(t)
		s, dbURL = o.store, postgresURLOf(t, o.store)
	} else {
		dbURL = "sqlite://" + filepath.Join(t.TempDir(), "kill.db")
		var err error
		if s, err = OpenStore(ctx, dbURL); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
	}
	mix := householdMix{chat: 300, zalo: 400, offZalo: 200, noPhone: 100}
	fake, zf, nf, sf := telegramtest.New(t), zalotest.New(t), znstest.New(t), smstest.New(t)
	nf.SetToken(func() string { a, _ := zf.Tokens(); return a })
	e := seedHouseholds(t, s, mix, nf)
	admin, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "admin", Lang: "vi"})
	if err != nil {
		t.Fatal(err)
	}
	bc := &models.Broadcast{ElectionID: e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
		Body: "Kính mời các hộ gia đình dự họp bầu Trưởng khu phố.", Status: models.BroadcastQueued,
		Source: "cli", CreatedBy: &admin.ID}
	if err := s.CreateBroadcast(ctx, bc); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"DATABASE_URL":               dbURL,
		"TELEGRAM_TOKEN":             telegramtest.Token,
		"TELEGRAM_API_ENDPOINT":      fake.Endpoint(),
		"TELEGRAM_WEBHOOK_URL":       "https://bot.example.org/telegram/webhook",
		"TELEGRAM_WEBHOOK_SECRET":    testSecret,
		"BROADCAST_RATE":             "40",
		"QUIET_HOURS":                "off",
		"BROADCAST_COST_CEILING_VND": "0",
	}
	maps.Copy(env, reachEnv(zf, nf, sf))
	delete(env, "SMS_MAX_GSM")
	delivered := func() int {
		by, _ := householdsDelivered(mix, fake, nf, sf, "họp bầu Trưởng khu phố")
		return by["telegram"] + by["zns"] + by["sms"]
	}
	p := startServeProcess(t, bin, fake, env)
	// Kill it in the middle of the households (after the chats' 300).
	waitUntil(t, "half the households reached", func() bool { return delivered() >= 450 })
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.done <- errors.New("killed") // for the cleanup
	var inFlight int64
	s.DB(ctx).Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxSending).Count(&inFlight)
	before := delivered()
	t.Logf("killed with %d of 900 households reached, %d messages in flight", before, inFlight)
	if before >= 900 {
		t.Fatal("everything was sent before the kill: the test did not test anything")
	}

	restarted := time.Now()
	p2 := startServeProcess(t, bin, fake, env)
	if !waitWithin(t, 400*time.Second, func() bool {
		cur, err := s.Broadcast(ctx, bc.ID)
		return err == nil && cur.Status == models.BroadcastDone
	}) {
		t.Fatalf("the broadcast was not done after the restart; %d households reached", delivered())
	}
	by, per := householdsDelivered(mix, fake, nf, sf, "họp bầu Trưởng khu phố")
	as, err := s.ReachAttempts(ctx, bc.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A ZNS message in flight at the kill (its call made, its result not
	// recorded) is not sent again — Zalo has no idempotency key — but
	// left uncertain: on the door-to-door list, neither twice nor lost.
	ledger, uncertain := map[string]int{}, map[int64]bool{}
	for _, a := range as {
		switch a.Outcome {
		case models.ReachSent:
			ledger[a.Channel]++
		case models.ReachUncertain:
			uncertain[a.VoterID] = true
		}
	}
	voterIdx := householdVoters(t, s, mix)
	dups, missing := 0, 0
	for i, n := range per {
		switch {
		case i < 900 && n == 0 && !uncertain[voterIdx[i]]:
			missing++
		case n > 1:
			dups += n - 1
		}
	}
	if missing > 0 {
		t.Errorf("%d households never got the announcement and are not uncertain (delivered %v)", missing, by)
	}
	if dups > 0 {
		t.Errorf("%d messages arrived twice (%d in flight at the kill)", dups, inFlight)
	}
	if by["zns"] > 400 || by["sms"] != 200 || by["telegram"] != 300 {
		t.Errorf("delivered %v", by)
	}
	if ledger["telegram"] != 300 || ledger["zns"]+len(uncertain) != 400 || ledger["sms"] != 200 {
		t.Errorf("ledger %v, %d uncertain (fakes %v)", ledger, len(uncertain), by)
	}
	un, err := s.UnreachedHouseholds(ctx, bc.ID, nil)
	if err != nil || len(un) != 100+len(uncertain) {
		t.Errorf("unreached %d, want 100 + %d uncertain: %v", len(un), len(uncertain), err)
	}
	// The receipts of what Zalo accepted settle the uncertain households
	// it did get: only those whose call never reached Zalo stay.
	if _, err := nf.Deliver(ctx, p2.url+zns.WebhookPath); err != nil {
		t.Fatal(err)
	}
	un, err = s.UnreachedHouseholds(ctx, bc.ID, nil)
	stillUncertain := 0
	for _, u := range un {
		if u.Reason == models.ReachUncertain {
			stillUncertain++
		}
	}
	if err != nil || len(un) != 100+stillUncertain || stillUncertain > len(uncertain) {
		t.Errorf("after the receipts: unreached %d, %d uncertain: %v", len(un), stillUncertain, err)
	}
	t.Logf("%s after the restart: households reached %v, %d twice (%d in flight at the kill), %d uncertain (%d after the receipts), %d SMS resent with their key and not delivered again",
		time.Since(restarted).Round(100*time.Millisecond), by, dups, inFlight, len(uncertain), stillUncertain, sf.Duplicates())
}

// householdVoters is the voter id of each household of seedHouseholds, by
// index (its household number less one).
func householdVoters(t *testing.T, s *models.Store, mix householdMix) []int64 {
	t.Helper()
	var vs []*models.Voter
	if err := s.DB(context.Background()).Order("id").Find(&vs).Error; err != nil || len(vs) != mix.total() {
		t.Fatalf("voters: %d, %v", len(vs), err)
	}
	out := make([]int64, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}
