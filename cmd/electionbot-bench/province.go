package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"electionbot/internal/loadtest"
	"electionbot/models"
	"electionbot/results"
)

// province: the Quảng Ninh-shaped election with a generated registry of
// --households: its import next to psql \copy, lookups, the roll-up after
// an accepted tally, and a child serve's memory on it.
func (b *bench) province(ctx context.Context) error {
	p := loadtest.QuangNinh(b.opt.households)
	t0 := time.Now()
	sc, st, err := b.store(ctx, "province", p.Load)
	if err != nil {
		return err
	}
	defer st.Close()
	b.logf("province: election of %d areas loaded in %s; generating %s voters", p.Areas, time.Since(t0).Round(time.Millisecond), loadtest.Thousands(int64(p.Households)))
	csv, err := p.VoterCSV()
	if err != nil {
		return err
	}
	b.logf("province: voter CSV %.0f MB", float64(len(csv))/1e6)
	importOnce := func() (time.Duration, error) {
		if err := st.DB(ctx).Exec("TRUNCATE voters CASCADE").Error; err != nil {
			return 0, err
		}
		start := time.Now()
		rep, err := st.ImportVoters(ctx, bytes.NewReader(csv), "csv", models.ImportOptions{ElectionCode: p.Code})
		if err != nil {
			return 0, err
		}
		if rep.Rows != p.Households {
			return 0, fmt.Errorf("import: %d rows, want %d", rep.Rows, p.Households)
		}
		return time.Since(start), nil
	}
	if b.opt.only["import"] {
		if err := b.importVsCopy(ctx, p, st, importOnce); err != nil {
			return err
		}
	} else if _, err := importOnce(); err != nil {
		return err
	}
	csv = nil
	if b.opt.only["lookups"] {
		if err := b.lookups(ctx, st); err != nil {
			return err
		}
	}
	if b.opt.only["rollup"] {
		if err := b.rollupRows(ctx, p, st); err != nil {
			return err
		}
	}
	if b.opt.only["rss"] {
		if err := b.rss(ctx, sc, st, p); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) importVsCopy(ctx context.Context, p loadtest.Province, st *models.Store, importOnce func() (time.Duration, error)) error {
	n := int64(p.Households)
	b.logf("import: %s rows × %d runs, each next to psql \\copy of the same rows", loadtest.Thousands(n), b.opt.repeat)
	if _, err := importOnce(); err != nil { // the rows psql will copy
		return err
	}
	dir, err := os.MkdirTemp("", "electionbot-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dump := filepath.Join(dir, "voters_table.csv")
	if err := loadtest.DumpVoters(ctx, st, dump); err != nil {
		return err
	}
	cs, cst, err := b.store(ctx, "copy", p.Load)
	if err != nil {
		return err
	}
	cst.Close()
	copyCmd := fmt.Sprintf(`\copy voters (%s) from '%s' csv`, loadtest.VoterColumns, dump)
	var imports, copies []float64
	for run := range b.opt.repeat {
		d, err := importOnce()
		if err != nil {
			return err
		}
		imports = append(imports, d.Seconds())
		if err := loadtest.Exec(ctx, cs.URL, "TRUNCATE voters CASCADE"); err != nil {
			return err
		}
		c, err := cs.Psql(ctx, copyCmd)
		if err != nil {
			return err
		}
		copies = append(copies, c.Seconds())
		b.logf("import run %d: %.1f s; psql \\copy %.1f s; load %s", run+1, d.Seconds(), c.Seconds(), loadtest.LoadAvg())
	}
	bestImp, bestCopy := slices.Min(imports), slices.Min(copies)
	ratio := bestCopy / bestImp
	b.add(loadtest.Row{
		Name: fmt.Sprintf("import of a %s-row voter CSV (fresh table, 1,452 areas)", loadtest.Thousands(n)),
		Measured: fmt.Sprintf("**%.1f s** (median %.1f s), %s rows/s; **%.2f×** psql", bestImp, loadtest.Median(imports),
			loadtest.Thousands(int64(float64(n)/bestImp)), ratio),
		Bound:  fmt.Sprintf("psql \\copy of the same table rows: %.1f s (median %.1f s)", bestCopy, loadtest.Median(copies)),
		Target: "≥ 0.5× psql",
		Met:    loadtest.Bool(ratio >= 0.5),
	})
	return nil
}

func (b *bench) lookups(ctx context.Context, st *models.Store) error {
	keys, err := loadtest.SampleVoters(ctx, st, 10_000)
	if err != nil {
		return err
	}
	n := b.opt.lookups
	b.logf("lookups: %d FindVoters of random existing voters (%d sampled)", n, len(keys))
	rng := rand.New(rand.NewPCG(1, 2))
	one := func() (time.Duration, error) {
		k := keys[rng.IntN(len(keys))]
		t0 := time.Now()
		vs, err := st.FindVoters(ctx, k.AreaID, k.Folded, k.BirthYear)
		d := time.Since(t0)
		if err == nil && len(vs) == 0 {
			err = fmt.Errorf("voter %q %d of area %d not found", k.Folded, k.BirthYear, k.AreaID)
		}
		return d, err
	}
	for range min(n, 2000) { // warm the pool and the caches
		if _, err := one(); err != nil {
			return err
		}
	}
	lat := make(loadtest.Latencies, n)
	for i := range lat {
		if lat[i], err = one(); err != nil {
			return err
		}
	}
	ping := make(loadtest.Latencies, n/4+1)
	for i := range ping {
		t0 := time.Now()
		var one int
		if err := st.DB(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
			return err
		}
		ping[i] = time.Since(t0)
	}
	// Throughput with 8 at once (informative).
	var wg sync.WaitGroup
	var mu sync.Mutex
	par := 0
	start := time.Now()
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for range n / 8 {
				k := keys[r.IntN(len(keys))]
				if _, err := st.FindVoters(ctx, k.AreaID, k.Folded, k.BirthYear); err == nil {
					mu.Lock()
					par++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	parRate := float64(par) / time.Since(start).Seconds()
	var count int64
	st.DB(ctx).Table("voters").Count(&count)
	b.add(loadtest.Row{
		Name: fmt.Sprintf("eligibility lookup (area, folded name, birth year) in %s households", loadtest.Thousands(count)),
		Measured: fmt.Sprintf("**%s** one at a time; %s with 8 at once",
			lat.Summary(), loadtest.Rate(parRate)),
		Bound:  fmt.Sprintf("SELECT 1 on the same pool: %s", ping.Summary()),
		Target: "p99 < 2 ms",
		Met:    loadtest.Bool(lat.Percentile(0.99) < 2*time.Millisecond),
	})
	return nil
}

// rollup: an admin accepts an area's provisional tally (Store.ReviewTally),
// then the public results of the 1,452 areas with the ward/city/province
// roll-ups are rebuilt from the database (results.Load: one query + Build),
// as the results page does once its cache expires.
func (b *bench) rollup(ctx context.Context, p loadtest.Province, st *models.Store) error {
	if _, err := p.SeedTallies(ctx, st); err != nil {
		return err
	}
	admin, err := st.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "bench-admin", Lang: "vi"})
	if err != nil {
		return err
	}
	_, areas, err := st.ElectionResults(ctx, p.Code)
	if err != nil {
		return err
	}
	var todo []int64
	for _, a := range areas {
		if a.Latest != nil && (a.Latest.Status == models.TallyProvisional || a.Latest.Status == models.TallyConflict) {
			todo = append(todo, a.Area.ID)
		}
	}
	todo = todo[:min(len(todo), b.opt.rollups)]
	b.logf("rollup: %d tallies accepted, each followed by the roll-up of %d areas", len(todo), len(areas))
	// The query alone, nothing changed: the floor of a refresh.
	query := make(loadtest.Latencies, 20)
	for i := range query {
		t0 := time.Now()
		if _, _, err := st.ElectionResults(ctx, p.Code); err != nil {
			return err
		}
		query[i] = time.Since(t0)
	}
	var total, accept, load loadtest.Latencies
	prev := -1
	for _, id := range todo {
		t0 := time.Now()
		if _, err := st.ReviewTally(ctx, models.ReviewRequest{AreaID: id, Accept: true, By: admin.ID}); err != nil {
			return err
		}
		t1 := time.Now()
		r, err := results.Load(ctx, st, p.Code, false, t1)
		if err != nil {
			return err
		}
		t2 := time.Now()
		total, accept, load = append(total, t2.Sub(t0)), append(accept, t1.Sub(t0)), append(load, t2.Sub(t1))
		done := r.Progress.Recognised // elected + re-run
		if prev >= 0 && done != prev+1 {
			return fmt.Errorf("rollup: %d areas recognised after accepting one more, was %d", done, prev)
		}
		prev = done
		if len(r.RollUps) == 0 {
			return errors.New("rollup: no roll-ups built")
		}
	}
	b.add(loadtest.Row{
		Name: fmt.Sprintf("(before, for comparison) tally accepted → province roll-up of %s areas rebuilt from every tally", loadtest.Thousands(int64(len(areas)))),
		Measured: fmt.Sprintf("%s (accept %s; roll-up %s), %d tallies",
			total.Summary(), loadtest.Ms(accept.Percentile(0.5)), loadtest.Ms(load.Percentile(0.5)), len(total)),
		Bound:  fmt.Sprintf("the roll-up query alone: %s", query.Summary()),
		Target: "— (the page now reads the areas' standings: the next row)",
	})
	return nil
}
