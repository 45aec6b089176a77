package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"time"

	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/demo"
	"electionbot/internal/loadtest"
	"electionbot/models"
)

// perupdate: one resident's update must cost the same in a province of
// 1,452 areas as in a ward of 6 (issue 18). One Q&A stream
// (loadtest.PlacedQuestionUpdate: residents placed by a poster's deep
// link, then the usual questions) goes through the real serve wiring's
// webhook (cli.Server.Handler: intake, conversation, outbox), called
// in-process one update after the other, on two elections: the demo ward
// (Ka Long, 6 areas) and Quảng Ninh (177 wards, 1,452 areas, 346,663
// households), whose residents live in its 16 wards of 6 areas, so that
// each resident's own ward is the same size and only the province around
// it differs. A run counts the process's CPU time, the bytes allocated
// and the store's statements until its replies are sent (to a fake Bot
// API without limits: the pace is not measured here). The runs alternate
// ward/province, the order flipped every round, so both see the same
// machine; the ratios are of each side's medians (CostSummary.Ratio).
func (b *bench) perUpdate(ctx context.Context) error {
	n, rounds := b.opt.perUpdates, b.opt.perRounds
	fake := telegramtest.NewServer()
	fake.CountOnly()
	defer fake.Close()
	ward, err := b.updateSide(ctx, "perupdate_ward", demo.Load, fake)
	if err != nil {
		return err
	}
	defer ward.close()
	p := loadtest.QuangNinh(qnHouseholds)
	province, err := b.updateSide(ctx, "perupdate_province", func(ctx context.Context, st *models.Store) error {
		if err := p.Load(ctx, st); err != nil {
			return err
		}
		csv, err := p.VoterCSV()
		if err != nil {
			return err
		}
		_, err = st.ImportVoters(ctx, bytes.NewReader(csv), "csv", models.ImportOptions{ElectionCode: p.Code})
		return err
	}, fake)
	if err != nil {
		return err
	}
	defer province.close()
	if ward.areasPerWard != province.areasPerWard {
		return fmt.Errorf("perupdate: the ward has %d areas, the province's residents' wards %d", ward.areasPerWard, province.areasPerWard)
	}
	b.logf("perupdate: %d updates × %d rounds on each side, alternating; residents in %d areas of %d ward(s) vs %d areas of %d wards (%s)",
		n, rounds, len(ward.places), ward.wards, len(province.places), province.wards, p)

	// Warm-up, not measured: the pools' connections, the first
	// allocations of every path, and the catalog's cache of each ward a
	// resident lives in (models/catalog.go: a ward's first message after
	// a load reads it, ~12 statements, once per replica): a resident
	// placed in every area.
	for _, s := range []*updateSide{ward, province} {
		warm := max(n/4, 4*len(s.places))
		c, err := s.run(ctx, warm)
		if err != nil {
			return err
		}
		b.logf("perupdate warm-up, %s: %d updates, %.2f statements per update (the cold caches' included)", s.name, warm, c.Per().Statements)
	}
	var wardRuns, provRuns []loadtest.Cost
	for round := range rounds {
		order := []*updateSide{ward, province}
		if round%2 == 1 {
			order[0], order[1] = province, ward
		}
		for _, s := range order {
			c, err := s.run(ctx, n)
			if err != nil {
				return err
			}
			if s == ward {
				wardRuns = append(wardRuns, c)
			} else {
				provRuns = append(provRuns, c)
			}
			per := c.Per()
			b.logf("perupdate round %d, %s: %s CPU, %.1f KB, %.0f allocations, %.2f statements per update; wall %s per update; load %s",
				round+1, s.name, loadtest.Ms(per.CPU), per.Bytes/1e3, per.Allocs, per.Statements, loadtest.Ms(per.Wall), loadtest.LoadAvg())
		}
	}
	ws, ps := loadtest.Summarize(wardRuns), loadtest.Summarize(provRuns)
	r := ps.Ratio(ws)
	b.add(loadtest.Row{
		Name: fmt.Sprintf("cost of a resident's update, province of %s areas vs a ward of %d (webhook → reply sent, in-process)",
			loadtest.Thousands(int64(p.Areas)), len(ward.places)),
		Measured: fmt.Sprintf("**CPU %.2f×** (%s per update; least of the rounds %s, %.2f×), **allocated %.2f×** (%s, %.0f allocations), **statements %.2f×** (%.2f)",
			r.CPU, loadtest.Ms(ps.Median.CPU), loadtest.Ms(ps.Best.CPU), r.BestCPU, r.Bytes, kb(ps.Median.Bytes), ps.Median.Allocs,
			r.Statements, ps.Median.Statements),
		Bound: fmt.Sprintf("the 6-area ward, same stream, runs alternated: CPU %s per update (least %s), %s, %.0f allocations, %.2f statements",
			loadtest.Ms(ws.Median.CPU), loadtest.Ms(ws.Best.CPU), kb(ws.Median.Bytes), ws.Median.Allocs, ws.Median.Statements),
		Target: "≤ 1.10 × the ward (CPU, bytes, statements)",
		Met:    loadtest.Bool(r.Within(1.10)),
		Note: fmt.Sprintf("%d rounds of %d updates on each side, medians; CPU: the process's user+system time (handler, intake, outbox, the fake Bot API's "+
			"side of the sends, GC); wall time per update, the replies' per-chat pace (1/s) included: %s vs %s (median)",
			rounds, n, loadtest.Ms(ps.Median.Wall), loadtest.Ms(ws.Median.Wall)),
	})
	return nil
}

// qnHouseholds are Quảng Ninh's households of 2022 (docs/design.md).
const qnHouseholds = 346_663

// kb formats bytes per update: "70.4 KB".
func kb(bytes float64) string { return fmt.Sprintf("%.1f KB", bytes/1e3) }

// updateSide is one election of the perupdate part: its store, its serve,
// and where its residents live.
type updateSide struct {
	name         string
	st           *models.Store
	watch        *models.Store // reads the outbox off the store's count
	srv          *benchServe
	places       []string // the residents' deep links (models.AreaPayload)
	areasPerWard int
	wards        int
	nextID       int
	user0        int64
}

// updateSide loads an election with seed into a fresh schema and starts
// serve on it; its residents live in the election's wards that have as
// many areas as the demo's ward (6).
func (b *bench) updateSide(ctx context.Context, part string, seed func(context.Context, *models.Store) error, fake *telegramtest.Server) (*updateSide, error) {
	t0 := time.Now()
	sc, st, err := b.store(ctx, part, seed)
	if err != nil {
		return nil, err
	}
	s := &updateSide{name: part[len("perupdate_"):], st: st, areasPerWard: 6, nextID: 1, user0: 200_000_000}
	if s.watch, err = models.Open(ctx, sc.URL); err != nil {
		s.close()
		return nil, err
	}
	var ids []int64
	err = st.DB(ctx).Raw(`SELECT id FROM areas WHERE ward_id IN
		(SELECT ward_id FROM areas GROUP BY ward_id HAVING count(*) = ?) ORDER BY id`, s.areasPerWard).Scan(&ids).Error
	if err == nil && len(ids) == 0 {
		err = fmt.Errorf("%s: no ward of %d areas", part, s.areasPerWard)
	}
	if err == nil {
		err = st.DB(ctx).Raw(`SELECT count(DISTINCT ward_id) FROM areas WHERE id IN ?`, ids).Scan(&s.wards).Error
	}
	if err != nil {
		s.close()
		return nil, err
	}
	for _, id := range ids {
		s.places = append(s.places, models.AreaPayload(&models.Area{ID: id}))
	}
	// The fake does not limit, and the reply's pace is at its highest, so
	// that the sends keep up and a run ends when its updates are handled.
	if s.srv, err = startBenchServe(ctx, st, fake, 1000); err != nil {
		s.close()
		return nil, err
	}
	b.logf("perupdate: %s loaded and serving in %s", part, time.Since(t0).Round(time.Millisecond))
	return s, nil
}

func (s *updateSide) close() {
	if s.srv != nil {
		s.srv.close()
	}
	if s.watch != nil {
		s.watch.Close()
	}
	s.st.Close()
}

// run posts n updates of the stream to the webhook handler, one after the
// other, with new residents (a quarter of n, as the intake's load), and
// waits for their replies to be sent.
func (s *updateSide) run(ctx context.Context, n int) (loadtest.Cost, error) {
	users := max(1, n/4)
	h, header := s.srv.sv.Handler(), webhookHeader()
	runtime.GC() // each run starts from the same heap, not the garbage of the other side's
	m := loadtest.StartCost(s.st.Statements)
	for i := range n {
		body := loadtest.PlacedQuestionUpdate(s.nextID+i, i, s.user0, users, s.places)
		req := httptest.NewRequestWithContext(ctx, "POST", telegram.WebhookPath, bytes.NewReader(body))
		req.Header = header.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			return loadtest.Cost{}, fmt.Errorf("perupdate %s: update %d: status %d %s", s.name, s.nextID+i, rec.Code, rec.Body.String())
		}
	}
	s.nextID += n
	s.user0 += int64(users)
	if err := s.sent(ctx); err != nil {
		return loadtest.Cost{}, err
	}
	return m.Stop(n), nil
}

// sent waits until the outbox holds nothing to send, reading it through a
// store of its own so that its own statements are not counted.
func (s *updateSide) sent(ctx context.Context) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var left int64
		if err := s.watch.DB(ctx).Raw("SELECT count(*) FROM outbox WHERE status IN (?, ?)",
			models.OutboxPending, models.OutboxSending).Scan(&left).Error; err != nil {
			return err
		}
		if left == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("perupdate %s: %d replies still unsent after 2 min", s.name, left)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
