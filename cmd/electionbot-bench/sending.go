package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"time"

	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/demo"
	"electionbot/internal/loadtest"
	"electionbot/models"
)

// sendingRun is one run of a sending part: the serve wiring at a
// BROADCAST_RATE on a fresh schema, sending --contacts messages to a fake
// Bot API that enforces the same limits as Telegram (429 when exceeded).
type sendingRun struct {
	part string
	rate float64
	n    int
	st   *models.Store
	fake *telegramtest.Server
	srv  *benchServe
}

// sending runs the part "broadcast" (the broadcast engine) at rate to
// each of --broadcast-sizes recipients, or "outbox" (the outbox alone) to
// --contacts, and adds their rows. At a rate, the sizes that take under
// 5 s of it are skipped (a pace over a fraction of a second says little),
// unless that leaves none.
func (b *bench) sending(ctx context.Context, part string, rate float64) error {
	sizes := []int{b.opt.contacts}
	if part == "broadcast" {
		sizes = nil
		for _, n := range b.opt.sizes {
			if float64(n) >= 5*rate {
				sizes = append(sizes, n)
			}
		}
		if len(sizes) == 0 {
			sizes = []int{slices.Max(b.opt.sizes)}
		}
	}
	var err error
	for _, n := range sizes {
		err = errors.Join(err, b.sendingRun(ctx, part, rate, n))
	}
	return err
}

// sendingRun is one row: n messages at rate.
func (b *bench) sendingRun(ctx context.Context, part string, rate float64, n int) error {
	r := &sendingRun{part: part, rate: rate, n: n}
	what, seed, send := "residents", demo.Load, r.broadcastEngine
	if part == "outbox" {
		what, seed, send = "messages", nil, r.outbox
	}
	b.logf("%s: %d %s at %v/s (about %s)", part, r.n, what, rate, time.Duration(float64(r.n)/rate*float64(time.Second)).Round(time.Second))
	_, st, err := b.store(ctx, fmt.Sprintf("%s_%d_%d", part, int(rate), n), seed)
	if err != nil {
		return err
	}
	defer st.Close()
	r.st, r.fake = st, b.fakeBotAPI(rate)
	defer r.fake.Close()
	if r.srv, err = startBenchServe(ctx, st, r.fake, rate); err != nil {
		return err
	}
	defer r.srv.close()

	if b.opt.cpuProfile != "" {
		stop, err := profileCPU(fmt.Sprintf("%s.%s-%v-%d", b.opt.cpuProfile, part, rate, n))
		if err != nil {
			return err
		}
		defer stop()
	}
	row, ratio, err := send(ctx)
	if err != nil {
		return err
	}
	stats, limits := r.fake.Stats(), r.fake.Limits()
	global := fmt.Sprintf("%v/s global (burst %d)", limits.Global, limits.GlobalBurst)
	if limits.Strict {
		global = fmt.Sprintf("%v/s global (at most %v in any rolling second, no burst)", limits.Global, limits.Global)
	}
	row.Bound = fmt.Sprintf("BROADCAST_RATE=%v; the fake allows %s, %v/s per chat (burst %d)", rate, global, limits.PerChat, limits.PerChatBurst)
	lost := int64(r.n) - int64(stats.Chats)
	row.Measured += fmt.Sprintf("; **%d × 429, %d lost, %d duplicates**", stats.TooMany, lost, stats.Duplicates)
	goal := 0.95
	row.Target = "≥ 0.95, zero 429s"
	if rate >= 1000 {
		goal, row.Target = 0.90, "≥ 0.90 (paid broadcast), zero 429s"
	}
	row.Met = loadtest.Bool(ratio >= goal && stats.TooMany == 0 && stats.Duplicates == 0 && lost == 0)
	b.add(row)
	return nil
}

// addContacts stores the n reachable Telegram residents the messages go
// to, each as set changes it.
func (r *sendingRun) addContacts(ctx context.Context, set func(i int, c *models.Contact)) ([]*models.Contact, error) {
	contacts := make([]*models.Contact, r.n)
	for i := range contacts {
		id := strconv.Itoa(200_000_000 + i)
		contacts[i] = &models.Contact{Channel: models.ChannelTelegram, ExternalID: id, ChatID: id, Lang: "vi", Reachable: true}
		set(i, contacts[i])
	}
	return contacts, r.st.DB(ctx).CreateInBatches(contacts, 1000).Error
}

// waitDelivered waits for the n messages: as long as their pace allows
// and half again, plus a minute. Not delivered by then is an error that
// says what the fake saw and detail.
func (r *sendingRun) waitDelivered(ctx context.Context, detail func() string) error {
	timeout := time.Duration(float64(r.n)/r.rate*1.5*float64(time.Second)) + time.Minute
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if r.fake.WaitDelivered(wctx, int64(r.n)) == nil {
		return nil
	}
	stats := r.fake.Stats()
	return fmt.Errorf("%s at %v/s: %d of %d delivered after %s (%d × 429); %s", r.part, r.rate, stats.Sent, r.n, timeout, stats.TooMany, detail())
}

// broadcastEngine: an announcement to every resident of the demo election
// (spread over its 6 areas), queued as `electionbot broadcast` or
// /thongbao do, fanned out and sent by the broadcast engine of the serve
// wiring (River jobs, the outbox, its limiter). Of allowed: the pace from
// the first to the last message over BROADCAST_RATE.
func (r *sendingRun) broadcastEngine(ctx context.Context) (loadtest.Row, float64, error) {
	st := r.st
	e, err := st.CurrentElection(ctx)
	if err != nil {
		return loadtest.Row{}, 0, err
	}
	areas, err := st.Areas(ctx, e.ID)
	if err != nil {
		return loadtest.Row{}, 0, err
	}
	if _, err := r.addContacts(ctx, func(i int, c *models.Contact) { c.AreaID = &areas[i%len(areas)].ID }); err != nil {
		return loadtest.Row{}, 0, err
	}
	// Started by a console admin: its progress messages are not sent to
	// Telegram, so the fake counts the residents' messages only.
	admin, err := st.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "bench-admin", Lang: "vi"})
	if err != nil {
		return loadtest.Row{}, 0, err
	}
	bc := &models.Broadcast{ElectionID: e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
		Body:   "Nhắc lịch bầu cử: Chủ nhật 05/06/2022, 07:00–11:00, bầu Trưởng khu phố tại nhà văn hóa khu phố.",
		Status: models.BroadcastQueued, Source: "cli", CreatedBy: &admin.ID}
	queued := time.Now()
	if err := st.CreateBroadcast(ctx, bc); err != nil {
		return loadtest.Row{}, 0, err
	}
	err = r.waitDelivered(ctx, func() string {
		stats, _ := st.BroadcastStats(ctx, bc.ID)
		return fmt.Sprintf("deliveries %+v", stats)
	})
	if err != nil {
		return loadtest.Row{}, 0, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cur, err := st.Broadcast(ctx, bc.ID)
		if err != nil {
			return loadtest.Row{}, 0, err
		}
		if cur.Status == models.BroadcastDone || time.Now().After(deadline) {
			bc = cur
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	bst, err := st.BroadcastStats(ctx, bc.ID)
	if err != nil {
		return loadtest.Row{}, 0, err
	}
	stats := r.fake.Stats()
	pace := float64(stats.Sent-1) / stats.Last.Sub(stats.First).Seconds()
	ratio := pace / r.rate
	return loadtest.Row{
		Name: fmt.Sprintf("broadcast to %s residents at BROADCAST_RATE=%v (broadcast engine → fake Bot API)", loadtest.Thousands(int64(r.n)), r.rate),
		Measured: fmt.Sprintf("**%.3f** of allowed (%.1f/s, first to last message); %d of the 429s per chat; %s delivered to %s chats; first message %s after queueing, last %s; broadcast %s (sent %d, pending %d, failed %d)",
			ratio, pace, stats.TooManyChat, loadtest.Thousands(stats.Sent), loadtest.Thousands(int64(stats.Chats)),
			stats.First.Sub(queued).Round(100*time.Millisecond), stats.Last.Sub(queued).Round(100*time.Millisecond), bc.Status, bst.Sent, bst.Pending, bst.Failed),
	}, ratio, nil
}

// outbox: the messages put in the outbox at once, delivered by the serve
// wiring's outbox through its rate limiter. Of allowed: the messages over
// the time from the kick to the last one, over BROADCAST_RATE.
func (r *sendingRun) outbox(ctx context.Context) (loadtest.Row, float64, error) {
	contacts, err := r.addContacts(ctx, func(_ int, c *models.Contact) { c.Reminders = true })
	if err != nil {
		return loadtest.Row{}, 0, err
	}
	text := "🔔 <b>Nhắc lịch bầu cử</b>: Chủ nhật 05/06/2022, 07:00–11:00, bầu Trưởng khu phố tại nhà văn hóa khu phố."
	ob := r.srv.sv.Outbox()
	enqStart := time.Now()
	var batches [][]*models.OutboxMessage
	for from := 0; from < r.n; from += 1000 {
		var msgs []*models.OutboxMessage
		for _, c := range contacts[from:min(r.n, from+1000)] {
			payload, _ := json.Marshal(telegram.Call{Method: "sendMessage", Params: map[string]string{
				"chat_id": c.ChatID, "text": text, "parse_mode": "HTML"}})
			id := c.ID
			msgs = append(msgs, &models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: c.ChatID, ContactID: &id,
				Kind: models.OutboxReply, Payload: string(payload)})
		}
		if err := r.st.InTx(ctx, func(tx *models.Store) error { return ob.Enqueue(ctx, tx, msgs) }); err != nil {
			return loadtest.Row{}, 0, err
		}
		batches = append(batches, msgs)
	}
	enqTook := time.Since(enqStart)
	start := time.Now()
	for _, msgs := range batches {
		ob.Kick(msgs)
	}
	err = r.waitDelivered(ctx, func() string {
		var counts []struct {
			Status string
			N      int
		}
		r.st.DB(ctx).Raw("SELECT status, count(*) AS n FROM outbox GROUP BY status ORDER BY status").Scan(&counts)
		var errs []string
		r.st.DB(ctx).Raw("SELECT DISTINCT last_error FROM outbox WHERE last_error <> '' LIMIT 5").Scan(&errs)
		return fmt.Sprintf("outbox rows by status %+v; errors %q", counts, errs)
	})
	if err != nil {
		return loadtest.Row{}, 0, err
	}
	// Late duplicates would show within the outbox's grace.
	time.Sleep(time.Second)
	stats := r.fake.Stats()
	took := stats.Last.Sub(start)
	achieved := float64(stats.Sent) / took.Seconds()
	ratio := achieved / r.rate
	return loadtest.Row{
		Name: fmt.Sprintf("%s messages put in the outbox at once, BROADCAST_RATE=%v (outbox → fake Bot API)", loadtest.Thousands(int64(r.n)), r.rate),
		Measured: fmt.Sprintf("**%.3f** of allowed (%.1f/s over %s); %d of the 429s per chat; %s delivered to %s chats; enqueue %s",
			ratio, achieved, took.Round(100*time.Millisecond), stats.TooManyChat, loadtest.Thousands(stats.Sent),
			loadtest.Thousands(int64(stats.Chats)), enqTook.Round(time.Millisecond)),
	}, ratio, nil
}

// profileCPU writes a CPU profile of this process to path until stop.
func profileCPU(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
