package intake_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/bot/outbox"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// The outbox every channel is given satisfies the intake's interface.
var _ intake.Outbox = (*outbox.Outbox)(nil)

// fakeOutbox stores the rows in the update's transaction, as the outbox
// does, and records what was kicked.
type fakeOutbox struct {
	mu     sync.Mutex
	kicked []*models.OutboxMessage
}

func (f *fakeOutbox) Enqueue(ctx context.Context, tx *models.Store, msgs []*models.OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	return tx.EnqueueOutbox(ctx, msgs)
}

func (f *fakeOutbox) Kick(msgs []*models.OutboxMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.kicked = append(f.kicked, msgs...)
}

func (f *fakeOutbox) kicks() []*models.OutboxMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*models.OutboxMessage(nil), f.kicked...)
}

// row is an outbox row of channel "test" for chat, its payload the text.
func row(chat, text string) *models.OutboxMessage {
	return &models.OutboxMessage{Channel: "test", ChatID: chat, Kind: models.OutboxReply, Payload: text}
}

// encodeAs is the encoder of a channel: one row, "<channel>:<text>".
func encodeAs(channel string) intake.Encoder {
	return func(_ context.Context, _ *models.Store, o bot.Outgoing) ([]*models.OutboxMessage, error) {
		m := row(o.ChatID, channel+":"+o.Text)
		m.Channel = channel
		return []*models.OutboxMessage{m}, nil
	}
}

type intakeEnv struct {
	s   *models.Store
	ob  *fakeOutbox
	reg *prometheus.Registry
	it  *intake.Intake
}

func newIntake(t *testing.T, s *models.Store, h bot.Handler, routes *intake.Routes) *intakeEnv {
	t.Helper()
	e := &intakeEnv{s: s, ob: &fakeOutbox{}, reg: prometheus.NewRegistry()}
	var err error
	e.it, err = intake.New(intake.Config{Channel: "test", Store: s, Handler: h, Outbox: e.ob,
		Encode: encodeAs("test"), Routes: routes, Registerer: e.reg})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *intakeEnv) rows(t *testing.T) []string {
	t.Helper()
	var ms []models.OutboxMessage
	if err := e.s.DB(context.Background()).Order("id").Find(&ms).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Channel+"/"+m.ChatID+"/"+m.Payload)
	}
	return out
}

func TestTakeProcessesEachUpdateOnce(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			s := named.Store
			ctx := context.Background()
			runs := 0
			var fail error
			e := newIntake(t, s, bot.HandlerFunc(func(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
				runs++
				if _, err := tx.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: "u1"}); err != nil {
					return nil, err
				}
				return []bot.Outgoing{{Text: "reply"}}, fail
			}), nil)
			update := intake.Update{ID: "42", Type: "message", In: &bot.Incoming{Channel: "test", UserID: "u1", ChatID: "u1", Text: "hi"}}
			// A failing update leaves nothing behind: not even its record.
			fail = errors.New("boom")
			if _, err := e.it.Take(ctx, update); err == nil {
				t.Fatal("a failed handler did not fail Take")
			}
			var n int64
			s.DB(ctx).Model(&models.Contact{}).Count(&n)
			if done, _ := s.UpdateProcessed(ctx, "test", "42"); done || n != 0 || len(e.rows(t)) != 0 {
				t.Fatalf("after a failure: recorded %v, %d contacts, rows %v", done, n, e.rows(t))
			}
			fail = nil
			taken, err := e.it.Take(ctx, update)
			if err != nil || taken.Duplicate || len(taken.Messages) != 1 || taken.Messages[0].ID == 0 {
				t.Fatalf("first delivery: %+v %v", taken, err)
			}
			if k := e.ob.kicks(); len(k) != 1 || k[0].ID != taken.Messages[0].ID {
				t.Fatalf("kicked %+v, want the reply", k)
			}
			taken, err = e.it.Take(ctx, update)
			if err != nil || !taken.Duplicate || len(taken.Messages) != 0 {
				t.Fatalf("second delivery: %+v %v", taken, err)
			}
			if runs != 2 {
				t.Fatalf("the handler ran %d times, want 2 (the failure and the first delivery)", runs)
			}
			if got := e.rows(t); strings.Join(got, ",") != "test/u1/test:reply" || len(e.ob.kicks()) != 1 {
				t.Fatalf("rows %v, kicked %d", got, len(e.ob.kicks()))
			}
			ch := map[string]string{"channel": "test"}
			if r, d, f, h := metric(t, e.reg, "electionbot_updates_received_total", map[string]string{"channel": "test", "type": "message"}),
				metric(t, e.reg, "electionbot_updates_duplicate_total", ch), metric(t, e.reg, "electionbot_updates_failed_total", ch),
				metric(t, e.reg, "electionbot_handler_seconds", ch); r != 3 || d != 1 || f != 1 || h != 2 {
				t.Fatalf("metrics: received %v, duplicates %v, failures %v, handler runs %v", r, d, f, h)
			}
		})
	}
}

// TestTakeSteps: the channel's hooks run around the handler in the
// update's transaction, and their rows come in the order they ran.
func TestTakeSteps(t *testing.T) {
	ctx := context.Background()
	var got []bot.Incoming
	echo := bot.HandlerFunc(func(_ context.Context, _ *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
		got = append(got, in)
		return []bot.Outgoing{{Text: "echo " + in.Text + in.Callback}}, nil
	})
	before := func(_ context.Context, _ *models.Store, in *bot.Incoming) ([]*models.OutboxMessage, error) {
		if in != nil && in.Text == "2" {
			in.Text, in.Callback = "", "option:2" // a number chooses an option
		}
		return []*models.OutboxMessage{row("u1", "ack")}, nil
	}
	after := func(_ context.Context, _ *models.Store, in bot.Incoming) ([]*models.OutboxMessage, error) {
		return []*models.OutboxMessage{row(in.ChatID, "after "+in.Callback)}, nil
	}
	in := &bot.Incoming{Channel: "test", UserID: "u1", ChatID: "u1", Text: "2"}
	for _, tc := range []struct {
		name     string
		u        intake.Update
		rows     string
		handled  int
		recorded bool
	}{
		{"all steps", intake.Update{ID: "1", In: in, Before: before, After: after},
			"test/u1/ack,test/u1/after option:2,test/u1/test:echo option:2", 1, true},
		{"no In: Before only", intake.Update{ID: "2", Before: before, After: after}, "test/u1/ack", 0, true},
		{"neither In nor Before: ignored", intake.Update{ID: "3", After: after}, "", 0, false},
		{"no ID: not recorded", intake.Update{In: in}, "test/u1/test:echo 2", 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			e := newIntake(t, testdb.SQLite(t), echo, nil)
			if _, err := e.it.Take(ctx, tc.u); err != nil {
				t.Fatal(err)
			}
			if rows := strings.Join(e.rows(t), ","); rows != tc.rows || len(got) != tc.handled {
				t.Fatalf("rows %q, handler ran %d times; want %q, %d", rows, len(got), tc.rows, tc.handled)
			}
			var n int64
			e.s.DB(ctx).Model(&models.ChannelUpdate{}).Count(&n)
			if (n == 1) != tc.recorded {
				t.Fatalf("%d updates recorded, want recorded %v", n, tc.recorded)
			}
			if in.Text != "2" {
				t.Fatal("Before changed the channel's Incoming, not the copy")
			}
		})
	}
}

// TestTakeRoutesRepliesToOtherChannels: a reply to a contact of another
// channel is encoded by that channel; one without a running channel is
// dropped; an error of this channel's encoder fails the update.
func TestTakeRoutesRepliesToOtherChannels(t *testing.T) {
	ctx := context.Background()
	routes := intake.NewRoutes()
	routes.Add("zalo", encodeAs("zalo"))
	outs := []bot.Outgoing{
		{Text: "to the sender"},
		{Channel: "test", ChatID: "u2", Text: "to another contact here"},
		{Channel: "zalo", ChatID: "z9", Text: "to a Zalo contact"},
		{Channel: "console", ChatID: "c1", Text: "no route"},
	}
	e := newIntake(t, testdb.SQLite(t), bot.HandlerFunc(func(context.Context, *models.Store, bot.Incoming) ([]bot.Outgoing, error) {
		return outs, nil
	}), routes)
	in := &bot.Incoming{Channel: "test", UserID: "u1", ChatID: "u1"}
	if _, err := e.it.Take(ctx, intake.Update{ID: "1", In: in}); err != nil {
		t.Fatal(err)
	}
	want := "test/u1/test:to the sender,test/u2/test:to another contact here,zalo/z9/zalo:to a Zalo contact"
	if got := strings.Join(e.rows(t), ","); got != want {
		t.Fatalf("rows\n%s\nwant\n%s", got, want)
	}
	// New added this channel's encoder to the routes.
	err := e.s.InTx(ctx, func(tx *models.Store) error {
		rows, err := routes.Encode(ctx, tx, bot.Outgoing{Channel: "test", ChatID: "u7", Text: "hi"})
		if err != nil || len(rows) != 1 || rows[0].Payload != "test:hi" {
			t.Errorf("the routes encode for this channel: %+v %v", rows, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A failing encoder of the receiving channel fails the update.
	bad, err := intake.New(intake.Config{Channel: "test", Store: e.s, Outbox: e.ob,
		Handler: bot.HandlerFunc(func(context.Context, *models.Store, bot.Incoming) ([]bot.Outgoing, error) { return outs, nil }),
		Encode: func(context.Context, *models.Store, bot.Outgoing) ([]*models.OutboxMessage, error) {
			return nil, errors.New("database gone")
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Take(ctx, intake.Update{ID: "2", In: in}); err == nil {
		t.Fatal("an encoder error did not fail the update")
	}
	if done, _ := e.s.UpdateProcessed(ctx, "test", "2"); done {
		t.Fatal("the failed update was recorded")
	}
}

func TestNewIntakeNeedsItsParts(t *testing.T) {
	if _, err := intake.New(intake.Config{Channel: "test"}); err == nil {
		t.Fatal("an intake without store, handler, outbox and encoder")
	}
}

func TestRoutes(t *testing.T) {
	r := intake.NewRoutes()
	r.Add("zalo", func(_ context.Context, _ *models.Store, o bot.Outgoing) ([]*models.OutboxMessage, error) {
		return []*models.OutboxMessage{{Channel: "zalo", Payload: o.Text}}, nil
	})
	rows, err := r.Encode(context.Background(), nil, bot.Outgoing{Channel: "zalo", Text: "hi"})
	if err != nil || len(rows) != 1 || rows[0].Payload != "hi" {
		t.Fatalf("%+v %v", rows, err)
	}
	if _, err := r.Encode(context.Background(), nil, bot.Outgoing{Channel: "telegram", Text: "hi"}); err == nil {
		t.Fatal("no error for a channel without a route")
	}
	var none *intake.Routes
	if _, err := none.Encode(context.Background(), nil, bot.Outgoing{Channel: "zalo", Text: "hi"}); err == nil {
		t.Fatal("nil routes encoded")
	}
}
