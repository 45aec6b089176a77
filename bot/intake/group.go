package intake

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"electionbot/models"
)

// Group commit: the updates that arrive while the intake's transactions
// are busy wait, and the next transaction to start takes all of them (up
// to maxGroup) and commits them together — one COMMIT, one WAL flush,
// for many updates. Each Take still returns only after the commit that
// holds its update, so the provider is acknowledged (HTTP 200) only for a
// stored update. Nothing waits for a batch to fill: an update arriving
// when a transaction is free starts one at once, alone. Each update is
// recorded (once-only processing) and its replies queued (the outbox) in
// the group's transaction exactly as in a transaction of its own; if any
// update of a group fails, the group is rolled back and each of its
// updates is taken again in a transaction of its own, so one failure
// (and its poison count) is that update's alone.

// DefaultGroupCommit is the number of transactions of grouped updates in
// flight at once (Config.GroupCommit).
const DefaultGroupCommit = 2

// maxGroup bounds the updates of one transaction: its locks and the
// replies it holds back.
const maxGroup = 32

// errGroupFailed rolls a group back after one of its updates failed.
var errGroupFailed = errors.New("intake: an update of the group failed")

// pending is an update waiting for its group's commit.
type pending struct {
	ctx  context.Context
	u    Update
	log  *slog.Logger
	res  Taken
	err  error
	done chan struct{}
}

// grouper runs the groups: at most limit transactions at once.
type grouper struct {
	it    *Intake
	limit int

	mu       sync.Mutex
	queue    []*pending
	inflight int
}

// take waits for p's group to commit (or for its own transaction, when
// its group failed) and returns its outcome.
func (g *grouper) take(ctx context.Context, u Update, log *slog.Logger) (Taken, error) {
	p := &pending{ctx: ctx, u: u, log: log, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	lead := g.inflight < g.limit
	if lead {
		g.inflight++
	}
	g.mu.Unlock()
	if lead {
		g.lead()
	}
	<-p.done
	return p.res, p.err
}

// lead commits the next group (the caller's transaction slot), then
// hands the slot to a goroutine of its own if updates are still waiting,
// so that the caller answers its provider as soon as its own update is
// committed.
func (g *grouper) lead() {
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	if n == 0 { // another leader took them
		g.inflight--
		g.mu.Unlock()
		return
	}
	group := make([]*pending, n)
	copy(group, g.queue)
	g.queue = append(g.queue[:0], g.queue[n:]...)
	g.mu.Unlock()

	g.commit(group)

	g.mu.Lock()
	more := len(g.queue) > 0
	if !more {
		g.inflight--
	}
	g.mu.Unlock()
	if more {
		go g.lead()
	}
}

// commit takes a group's updates in one transaction; if that fails, each
// in one of its own.
func (g *grouper) commit(group []*pending) {
	defer func() {
		for _, p := range group {
			close(p.done)
		}
	}()
	if len(group) == 1 {
		p := group[0]
		p.res, p.err = g.it.takeTx(p.ctx, p.u, p.log)
		if p.err == nil {
			g.it.metrics.observeGroup(1)
		}
		return
	}
	// The group's transaction outlives no update's wait, but must not be
	// cancelled by one provider hanging up.
	ctx := context.WithoutCancel(group[0].ctx)
	err := g.it.cfg.Store.InTx(ctx, func(tx *models.Store) error {
		// One statement records the group's updates, one reads the
		// contacts who wrote them (models.PrefetchContacts), one queues
		// its replies: a group's statements grow slower than its size.
		var ids, users []string
		for _, p := range group {
			if p.u.ID != "" {
				ids = append(ids, p.u.ID)
			}
			if p.u.In != nil && p.u.In.UserID != "" {
				users = append(users, p.u.In.UserID)
			}
		}
		fresh, err := tx.RecordUpdates(ctx, g.it.cfg.Channel, ids)
		if err != nil {
			return err
		}
		if err := tx.PrefetchContacts(ctx, g.it.cfg.Channel, users); err != nil {
			return err
		}
		var msgs []*models.OutboxMessage
		for _, p := range group {
			recorded := fresh[p.u.ID]
			delete(fresh, p.u.ID) // the same update twice in a group: the second is a duplicate
			res, err := g.it.apply(context.WithoutCancel(p.ctx), tx, p.u, p.log, &recorded)
			if err != nil {
				return errGroupFailed
			}
			p.res = res
			msgs = append(msgs, res.Messages...)
		}
		return g.it.cfg.Outbox.Enqueue(ctx, tx, msgs)
	})
	if err == nil {
		g.it.metrics.observeGroup(len(group))
		return
	}
	for _, p := range group {
		p.res, p.err = g.it.takeTx(p.ctx, p.u, p.log)
	}
}
