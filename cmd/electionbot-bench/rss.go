package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"electionbot/bot/telegram"
	"electionbot/internal/loadtest"
	"electionbot/models"
)

// rss: a child `electionbot serve` (--electionbot) on the database with the
// registry, webhook mode, talking to a fake Bot API: VmRSS once idle, then
// VmRSS and its peak (VmHWM) after residents looked themselves up. Next to
// it, the floor: the same binary serving with no channel on an empty
// embedded database.
func (b *bench) rss(ctx context.Context, sc *loadtest.Schema, st *models.Store, p loadtest.Province) error {
	dir, err := os.MkdirTemp("", "electionbot-bench-rss-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fake := b.fakeBotAPI(30)
	defer fake.Close()

	exe := b.opt.electionbot
	floor, err := startChildServe(ctx, exe, dir, "floor", map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(dir, "empty.db")}, nil)
	if err != nil {
		return err
	}
	time.Sleep(3 * time.Second)
	floorMem, err := loadtest.ReadProcMem(floor.cmd.Process.Pid)
	floor.stop()
	if err != nil {
		return err
	}

	env := telegramEnv(fake)
	env["DATABASE_URL"] = sc.URL
	child, err := startChildServe(ctx, exe, dir, "serve", env, func() bool { u, _ := fake.Webhook(); return u != "" })
	if err != nil {
		return err
	}
	defer child.stop()
	time.Sleep(5 * time.Second)
	idle, err := loadtest.ReadProcMem(child.cmd.Process.Pid)
	if err != nil {
		return err
	}
	users := b.opt.rssUsers
	keys, err := loadtest.SampleVoters(ctx, st, users)
	if err != nil {
		return err
	}
	b.logf("rss: idle %s; %d residents look themselves up through the child", loadtest.MiB(idle.RSS), len(keys))
	var bodies [][]byte
	id := 1
	for i, k := range keys {
		user := int64(300_000_000 + i)
		bodies = append(bodies, loadtest.TextUpdate(id, user, "/start "+models.AreaPayload(&models.Area{ID: k.AreaID})), loadtest.TextUpdate(id+1, user, fmt.Sprintf("%s %d", k.FullName, k.BirthYear)))
		id += 2
	}
	for i := range keys {
		bodies = append(bodies, loadtest.TextUpdate(id, int64(300_000_000+i), loadtest.Questions[i%len(loadtest.Questions)]))
		id++
	}
	// In order per resident: first the /start of everyone, then the
	// lookups, then a question.
	order := make([][]byte, 0, len(bodies))
	for phase := range 2 {
		for i := range keys {
			order = append(order, bodies[2*i+phase])
		}
	}
	order = append(order, bodies[2*len(keys):]...)
	res, err := loadtest.Load{URL: child.url + telegram.WebhookPath, Header: webhookHeader(), N: len(order), Concurrency: 8,
		Body: func(i int) []byte { return order[i] }}.Run(ctx, loadtest.NewClient(8))
	if err != nil {
		return err
	}
	failNote := ""
	if res.Errors > 0 {
		failNote = fmt.Sprintf("%d of %d updates failed (statuses %v; 0 = connection closed: a panic in the child), first: %v",
			res.Errors, res.N, res.Statuses, res.FirstErr)
		b.logf("rss: %s", failNote)
	}
	var audits int64
	st.DB(ctx).Model(&models.AuditEvent{}).Where("action = ?", "eligibility.lookup").Count(&audits)
	time.Sleep(2 * time.Second)
	after, err := loadtest.ReadProcMem(child.cmd.Process.Pid)
	if err != nil {
		return err
	}
	b.add(loadtest.Row{
		Name:     "RSS of `electionbot serve`, idle (webhook mode, PostgreSQL with the registry)",
		Measured: fmt.Sprintf("**%s**", loadtest.MiB(idle.RSS)),
		Bound:    fmt.Sprintf("the same binary serving no channel on an empty SQLite file: %s", loadtest.MiB(floorMem.RSS)),
		Target:   "< 64 MiB",
		Met:      loadtest.Bool(idle.RSS < 64<<20),
	})
	b.add(loadtest.Row{
		Name: fmt.Sprintf("RSS after %s lookups in the %s-household registry (+%s updates in all, %s)",
			loadtest.Thousands(audits), loadtest.Thousands(int64(p.Households)), loadtest.Thousands(int64(res.N)), loadtest.Rate(res.PerSecond())),
		Measured: fmt.Sprintf("**%s**, peak %s", loadtest.MiB(after.RSS), loadtest.MiB(after.HWM)),
		Bound:    fmt.Sprintf("idle: %s", loadtest.MiB(idle.RSS)),
		Target:   "< 128 MiB",
		Met:      loadtest.Bool(after.HWM < 128<<20),
		Note:     failNote,
	})
	return nil
}
