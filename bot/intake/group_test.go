package intake_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// Group commit: the updates arriving while the intake's one transaction
// is busy are committed together by the next; each Take returns after
// that commit with its own replies; an update that fails in a group does
// not take the others with it (they are taken again one by one); each
// update is still recorded once and its replies queued once.
func TestTakeGroupsConcurrentUpdates(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			s, ctx := named.Store, context.Background()
			started, release := make(chan struct{}), make(chan struct{})
			var mu sync.Mutex
			runs := map[string]int{}
			h := bot.HandlerFunc(func(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
				mu.Lock()
				runs[in.Text]++
				mu.Unlock()
				switch in.Text {
				case "first":
					close(started)
					<-release // holds the one transaction while the others queue
				case "bad":
					return nil, errors.New("boom")
				}
				return []bot.Outgoing{{Text: "re " + in.Text}}, nil
			})
			reg := prometheus.NewRegistry()
			ob := &fakeOutbox{}
			it, err := intake.New(intake.Config{Channel: "test", Store: s, Handler: h, Outbox: ob,
				Encode: encodeAs("test"), Registerer: reg, GroupCommit: 1})
			if err != nil {
				t.Fatal(err)
			}
			update := func(id, text string) intake.Update {
				return intake.Update{ID: id, Type: "message", In: &bot.Incoming{Channel: "test", UserID: "u" + id, ChatID: "u" + id, Text: text}}
			}
			type outcome struct {
				taken intake.Taken
				err   error
			}
			results := map[string]outcome{}
			var wg sync.WaitGroup
			take := func(u intake.Update) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					taken, err := it.Take(ctx, u)
					mu.Lock()
					results[u.ID] = outcome{taken, err}
					mu.Unlock()
				}()
			}
			// round sends first (alone in the transaction), then the others
			// while it holds it, and waits for every answer.
			round := func(first intake.Update, others ...intake.Update) {
				t.Helper()
				started, release = make(chan struct{}), make(chan struct{})
				take(first)
				<-started
				// One at a time, so the group holds them in this order.
				for i, u := range others {
					take(u)
					for intake.Queued(it) != i+1 {
						runtime.Gosched()
					}
				}
				close(release)
				wg.Wait()
			}

			round(update("1", "first"), update("2", "a"), update("3", "b"), update("4", "c"))
			for id, text := range map[string]string{"1": "first", "2": "a", "3": "b", "4": "c"} {
				r := results[id]
				if r.err != nil || r.taken.Duplicate || len(r.taken.Messages) != 1 || r.taken.Messages[0].Payload != "test:re "+text {
					t.Fatalf("update %s: %+v %v", id, r.taken, r.err)
				}
			}
			// Two transactions: the first alone, then the three together.
			if n := metric(t, reg, "electionbot_intake_group_updates", map[string]string{"channel": "test"}); n != 2 {
				t.Errorf("%v transactions committed, want 2", n)
			}

			// A failure in a group: the others are committed all the same.
			round(update("5", "first"), update("6", "d"), update("7", "bad"), update("8", "e"))
			if r := results["7"]; r.err == nil {
				t.Errorf("the failing update was acknowledged: %+v", r.taken)
			}
			for _, id := range []string{"5", "6", "8"} {
				if r := results[id]; r.err != nil || len(r.taken.Messages) != 1 {
					t.Errorf("update %s lost with the failing one: %+v %v", id, r.taken, r.err)
				}
			}
			if done, _ := s.UpdateProcessed(ctx, "test", "7"); done {
				t.Error("the failing update was recorded")
			}
			mu.Lock()
			// The group stops at its first failure: d and bad ran in it,
			// e did not; then each ran alone.
			if runs["d"] != 2 || runs["bad"] != 2 || runs["e"] != 1 {
				t.Errorf("runs %v: d and bad once in the group and once alone, e alone only", runs)
			}
			mu.Unlock()

			// Each update's replies are queued once, delivered again or not.
			for _, id := range []string{"2", "6"} {
				if taken, err := it.Take(ctx, update(id, "again")); err != nil || !taken.Duplicate {
					t.Errorf("update %s delivered again: %+v %v", id, taken, err)
				}
			}
			var rows []string
			for _, r := range (&intakeEnv{s: s}).rows(t) {
				rows = append(rows, strings.TrimPrefix(r, "test/"))
			}
			slices.Sort(rows)
			want := []string{}
			for id, text := range map[string]string{"1": "first", "2": "a", "3": "b", "4": "c", "5": "first", "6": "d", "8": "e"} {
				want = append(want, fmt.Sprintf("u%s/test:re %s", id, text))
			}
			slices.Sort(want)
			if !slices.Equal(rows, want) {
				t.Errorf("outbox rows\n%v\nwant\n%v", rows, want)
			}
			if k := ob.kicks(); len(k) != len(want) {
				t.Errorf("%d rows kicked, want %d", len(k), len(want))
			}
		})
	}
}

// A group's statements do not grow with its size: its updates are
// recorded in one statement, the contacts who wrote them read in one, its
// replies queued in one — the handler's EnsureContact and MarkReachable
// of a contact who wrote before cost nothing more.
func TestGroupStatementsDoNotGrowWithItsSize(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			s, ctx := named.Store, context.Background()
			var hold chan struct{}
			started := make(chan struct{}, 1)
			h := bot.HandlerFunc(func(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
				c, err := tx.EnsureContact(ctx, &models.Contact{Channel: in.Channel, ExternalID: in.UserID, ChatID: in.ChatID})
				if err != nil {
					return nil, err
				}
				if _, err := tx.MarkReachable(ctx, in.Channel, c.ChatID); err != nil {
					return nil, err
				}
				if in.Text == "first" {
					started <- struct{}{}
					<-hold
				}
				return []bot.Outgoing{{Text: "re " + c.ExternalID}}, nil
			})
			it, err := intake.New(intake.Config{Channel: "test", Store: s, Handler: h, Outbox: &fakeOutbox{},
				Encode: encodeAs("test"), GroupCommit: 1})
			if err != nil {
				t.Fatal(err)
			}
			next := 0
			update := func(user int, text string) intake.Update {
				next++
				u := fmt.Sprint("u", user)
				return intake.Update{ID: fmt.Sprint(next), Type: "message", In: &bot.Incoming{Channel: "test", UserID: u, ChatID: u, Text: text}}
			}
			for i := range 20 { // contacts who wrote before
				if _, err := s.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: fmt.Sprint("u", i)}); err != nil {
					t.Fatal(err)
				}
			}
			// round: the first update holds the one transaction while n
			// others queue, then all are taken; its statements.
			round := func(n int) int64 {
				t.Helper()
				before := s.Statements()
				hold = make(chan struct{})
				var wg sync.WaitGroup
				take := func(u intake.Update) {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if taken, err := it.Take(ctx, u); err != nil || len(taken.Messages) != 1 {
							t.Errorf("update %s: %+v %v", u.ID, taken, err)
						}
					}()
				}
				take(update(0, "first"))
				<-started
				for i := range n {
					take(update(i, "q"))
					for intake.Queued(it) != i+1 {
						runtime.Gosched()
					}
				}
				close(hold)
				wg.Wait()
				return s.Statements() - before
			}
			small, large := round(5), round(20)
			if small != large {
				t.Errorf("a group of 5 cost %d statements, of 20 %d: want the same", small, large)
			}
			// The first alone (record, contact, reachable, reply: 4), the
			// group (record, contacts, replies: 3).
			if large > 7 {
				t.Errorf("21 updates cost %d statements, want at most 7", large)
			}
		})
	}
}
