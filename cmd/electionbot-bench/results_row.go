package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strconv"
	"time"

	"electionbot/internal/loadtest"
	"electionbot/models"
	"electionbot/results"
)

// rollupRows are the rollup part's rows: the roll-up rebuilt from every
// tally (rollup), then the province's results page as it is served, from
// the areas' standings kept on each accepted tally (resultsPage).
func (b *bench) rollupRows(ctx context.Context, p loadtest.Province, st *models.Store) error {
	if err := b.rollup(ctx, p, st); err != nil {
		return err
	}
	return b.resultsPage(ctx, p, st)
}

// progressRe reads the page's count of recognised areas.
var progressRe = regexp.MustCompile(`<section id="progress" data-recognised="(\d+)"`)

// resultsPage: the ward recognises an area's tally (Store.ReviewTally),
// then the province's results page (GET /results/{election}, cache off:
// what a refresh reads once the 3 s cache has expired) is fetched and must
// count it. Between rounds the recognition is withdrawn, off the clock.
// Beside it: the page alone, and the full recompute from every tally
// (results.Load) the page was built from before issue 18.
func (b *bench) resultsPage(ctx context.Context, p loadtest.Province, st *models.Store) error {
	admin, err := st.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "bench-admin", Lang: "vi"})
	if err != nil {
		return err
	}
	srv, err := results.New(st, nil, results.Options{CacheTTL: -1})
	if err != nil {
		return err
	}
	page := func() (int, error) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/results/"+p.Code, nil))
		if rec.Code != 200 {
			return 0, fmt.Errorf("results page: status %d", rec.Code)
		}
		m := progressRe.FindSubmatch(rec.Body.Bytes())
		if m == nil {
			return 0, fmt.Errorf("results page: no progress section")
		}
		return strconv.Atoi(string(m[1]))
	}
	_, areas, err := st.ElectionResults(ctx, p.Code)
	if err != nil {
		return err
	}
	var todo []int64
	for _, a := range areas {
		if a.Recognised != nil {
			todo = append(todo, a.Area.ID)
		}
	}
	todo = todo[:min(len(todo), b.opt.rollups)]
	b.logf("results: %d tallies recognised again, each followed by the province's page of %d areas", len(todo), len(areas))
	alone := make(loadtest.Latencies, 50)
	for i := range alone {
		t0 := time.Now()
		if _, err := page(); err != nil {
			return err
		}
		alone[i] = time.Since(t0)
	}
	full := make(loadtest.Latencies, 20)
	for i := range full {
		t0 := time.Now()
		if _, err := results.Load(ctx, st, p.Code, false, t0); err != nil {
			return err
		}
		full[i] = time.Since(t0)
	}
	var total, accept loadtest.Latencies
	for _, id := range todo {
		if _, err := st.WithdrawRecognition(ctx, models.WithdrawRequest{AreaID: id, Reason: "bench", By: admin.ID}); err != nil {
			return err
		}
		before, err := page()
		if err != nil {
			return err
		}
		t0 := time.Now()
		if _, err := st.ReviewTally(ctx, models.ReviewRequest{AreaID: id, Accept: true, By: admin.ID}); err != nil {
			return err
		}
		t1 := time.Now()
		after, err := page()
		if err != nil {
			return err
		}
		t2 := time.Now()
		if after != before+1 {
			return fmt.Errorf("results: the page counts %d areas recognised after one more was, was %d", after, before)
		}
		total, accept = append(total, t2.Sub(t0)), append(accept, t1.Sub(t0))
	}
	b.add(loadtest.Row{
		Name: fmt.Sprintf("tally accepted → province results page of %s areas updated (from the areas' standings)", loadtest.Thousands(int64(len(areas)))),
		Measured: fmt.Sprintf("**%s** (accept %s), %d tallies",
			total.Summary(), loadtest.Ms(accept.Percentile(0.5)), len(total)),
		Bound: fmt.Sprintf("the page alone: %s; the full recompute from every tally (results.Load, before): %s",
			alone.Summary(), full.Summary()),
		Target: "< 50 ms (p99)",
		Met:    loadtest.Bool(total.Percentile(0.99) < 50*time.Millisecond),
	})
	return nil
}
