package broadcast_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"electionbot/bot/outbox"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/broadcast"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// BenchmarkBroadcast10k sends an announcement to 10,000 Telegram contacts
// through the fake Bot API, which enforces the limit like Telegram's flood
// control (the limit overall, 1 message a second per chat, 429 beyond), with
// BROADCAST_RATE set to the limit and the defaults of serve otherwise. It
// reports the achieved rate (messages a second between the first and the
// last delivery) over the limit, the 429s and the whole time from queueing
// to the end. On PostgreSQL when TEST_DATABASE_URL is set, else on SQLite.
//
// At 30/s one run takes ~6 minutes; run it on purpose:
//
//	TEST_DATABASE_URL=postgres://… go test ./broadcast -run '^$' -bench Broadcast10k -benchtime 1x -timeout 30m
//
// BENCH_BROADCAST_N changes the number of recipients; BENCH_BROADCAST_RATES
// the limits (comma-separated, default 30,1000).
func BenchmarkBroadcast10k(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("BENCH_BROADCAST_N")); err == nil && v > 0 {
		n = v
	}
	rates := []float64{30, 1000}
	if v := os.Getenv("BENCH_BROADCAST_RATES"); v != "" {
		rates = nil
		for _, f := range strings.Split(v, ",") {
			r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				b.Fatal(err)
			}
			rates = append(rates, r)
		}
	}
	for _, limit := range rates {
		b.Run(fmt.Sprintf("limit=%g", limit), func(b *testing.B) { benchBroadcast(b, limit, n) })
	}
}

func benchBroadcast(b *testing.B, limit float64, n int) {
	var s *models.Store
	if os.Getenv("TEST_DATABASE_URL") != "" {
		s = testdb.Postgres(b)
	} else {
		s = testdb.SQLite(b)
	}
	env := newBCEnv(b, s, n)
	env.fake.EnforceLimits(telegramtest.Limits{Global: limit, PerChat: 1})
	r := env.start(outbox.Config{Rate: limit}, broadcast.Config{})
	b.ResetTimer()
	var achieved, total float64
	for i := 0; i < b.N; i++ {
		marker := fmt.Sprintf("bench-%d", i)
		start := time.Now()
		bc := env.announce("Thông báo thử " + marker)
		env.waitDone(bc.ID)
		total = time.Since(start).Seconds()
		var first, last time.Time
		sent := 0
		for _, c := range env.fake.Calls("sendMessage") {
			if !c.OK || !strings.Contains(c.Get("text"), marker) {
				continue
			}
			if sent == 0 || c.At.Before(first) {
				first = c.At
			}
			if c.At.After(last) {
				last = c.At
			}
			sent++
		}
		st, err := r.bc.Stats(context.Background(), bc.ID)
		if err != nil {
			b.Fatal(err)
		}
		if sent != st.Sent || st.Sent != n+1 { // the recipients and the admin
			b.Fatalf("sent %d (stats %+v), want %d", sent, *st, n+1)
		}
		achieved = float64(sent-1) / last.Sub(first).Seconds()
	}
	b.StopTimer()
	passed, tooMany := env.fake.FloodStats()
	b.ReportMetric(achieved, "msg/s")
	b.ReportMetric(achieved/limit, "rate/limit")
	b.ReportMetric(float64(tooMany), "429s")
	b.ReportMetric(total, "s/broadcast")
	b.Logf("%d recipients at limit %g/s: %.1f msg/s (%.3f of the limit), %d answers 429 of %d sends, %.1f s from queueing to the report (%s)",
		n, limit, achieved, achieved/limit, tooMany, passed+tooMany, total, s.Dialect())
}
