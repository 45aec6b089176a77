package console

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/bot/outbox"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// sendingOutbox queues the rows in the update's transaction and, once it
// committed, sends them with the console's Sender, as the outbox's fast
// path would (claim, send, mark sent).
type sendingOutbox struct {
	t    *testing.T
	s    *models.Store
	hold bool // queue without sending (a message still in the outbox)
}

func (o *sendingOutbox) Enqueue(ctx context.Context, tx *models.Store, msgs []*models.OutboxMessage) error {
	return tx.EnqueueOutbox(ctx, msgs)
}

func (o *sendingOutbox) Kick(msgs []*models.OutboxMessage) {
	if o.hold {
		return
	}
	for _, m := range msgs {
		send(o.t, o.s, m)
	}
}

func send(t *testing.T, s *models.Store, m *models.OutboxMessage) {
	t.Helper()
	ctx := context.Background()
	if ok, err := s.ClaimOutbox(ctx, m.ID, time.Minute); !ok || err != nil {
		t.Fatalf("claim %d: %v %v", m.ID, ok, err)
	}
	if err := Sender().Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.OutboxSent(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
}

func hintText(lang, id string, data map[string]any) string {
	if t, ok := data["Time"]; ok {
		return "[" + id + " " + t.(string) + "]"
	}
	return "[" + id + "]"
}

// A console on the outbox: its contact's replies come back through the
// outbox and print in its terminal; a reply for another console contact
// goes to that contact's inbox, shown in its own terminal (run later
// here, as `chat --keep --as 2` would be), marked as arrived, once.
func TestConsoleThroughTheOutbox(t *testing.T) {
	s := testdb.SQLite(t)
	s.Now = func() time.Time { return time.Date(2022, 6, 4, 11, 0, 0, 0, time.UTC) }
	h := bot.HandlerFunc(func(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
		if _, err := tx.EnsureContact(ctx, &models.Contact{Channel: in.Channel, ExternalID: in.UserID}); err != nil {
			return nil, err
		}
		return []bot.Outgoing{
			{Text: "Đã nhận biên bản", Keyboard: menu},
			{Channel: "console", ChatID: "2", Text: "Khu phố 1 có số liệu khác", Keyboard: inline},
		}, nil
	})
	ob := &sendingOutbox{t: t, s: s}
	it, err := intake.New(intake.Config{Channel: models.ChannelConsole, Store: s, Handler: h, Outbox: ob, Encode: Encode})
	if err != nil {
		t.Fatal(err)
	}
	run := func(id, input string) string {
		var out bytes.Buffer
		c := &Console{In: strings.NewReader(input), Out: &out, Store: s, Intake: it, UserID: id, Echo: true, Text: hintText}
		if err := c.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	one := run("1", "KQ KP1\n3\n")
	if !strings.Contains(one, "> KQ KP1\nĐã nhận biên bản\n  [1] 📅") || strings.Contains(one, "số liệu khác") || strings.Contains(one, "console_arrived") {
		t.Errorf("contact 1's terminal:\n%s", one)
	}
	if !strings.Contains(one, "[console_share_phone]") {
		t.Errorf("3 did not press contact 1's own share-phone button:\n%s", one)
	}
	two := run("2", "")
	if want := "[console_arrived 18:00 04/06/2022]\nKhu phố 1 có số liệu khác\n  [1] Khu phố 1   [2] Khu phố 2\n"; !strings.Contains(two, want) {
		t.Errorf("contact 2's terminal lacks %q:\n%s", want, two)
	}
	if strings.Count(two, "Khu phố 1 có số liệu khác") != 1 {
		t.Errorf("contact 2 was shown the message %d times", strings.Count(two, "Khu phố 1 có số liệu khác"))
	}
	// Its buttons are contact 2's to press now.
	var got []bot.Incoming
	it2, _ := intake.New(intake.Config{Channel: models.ChannelConsole, Store: s, Outbox: ob, Encode: Encode,
		Handler: bot.HandlerFunc(func(_ context.Context, _ *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
			got = append(got, in)
			return nil, nil
		})})
	var out bytes.Buffer
	c := &Console{In: strings.NewReader("2\n"), Out: &out, Store: s, Intake: it2, UserID: "2", Text: hintText}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "số liệu khác") {
		t.Errorf("shown again after a restart:\n%s", out.String())
	}
	// (a new process has no keyboard on screen: "2" is text)
	if len(got) != 1 || got[0].Text != "2" {
		t.Errorf("got %+v", got)
	}
}

// A message sent after a later one (a broadcast's, behind a reply) is
// still shown when it is sent, and nothing is shown twice.
func TestInboxShowsMessagesInTheOrderSent(t *testing.T) {
	s := testdb.SQLite(t)
	ctx := context.Background()
	var out bytes.Buffer
	c := &Console{Out: &out, Store: s, UserID: "2", Text: hintText}
	c.defaults()
	if err := c.inbox.open(ctx, c); err != nil {
		t.Fatal(err)
	}
	queue := func(text string) *models.OutboxMessage {
		ms, err := Encode(ctx, s, bot.Outgoing{ChatID: "2", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueOutbox(ctx, ms); err != nil {
			t.Fatal(err)
		}
		return ms[0]
	}
	poll := func() string {
		out.Reset()
		if err := c.poll(ctx); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	a, b := queue("announcement"), queue("reply")
	if got := poll(); got != "" {
		t.Errorf("nothing sent yet, shown %q", got)
	}
	send(t, s, b)
	if got := poll(); !strings.Contains(got, "reply") || strings.Contains(got, "announcement") {
		t.Errorf("after the reply was sent: %q", got)
	}
	if got := poll(); got != "" {
		t.Errorf("shown again: %q", got)
	}
	send(t, s, a)
	if got := poll(); !strings.Contains(got, "announcement") || strings.Contains(got, "reply") {
		t.Errorf("after the announcement was sent: %q", got)
	}
	if c.inbox.low != b.ID || len(c.inbox.shown) != 0 {
		t.Errorf("inbox low %d shown %v, want %d and none", c.inbox.low, c.inbox.shown, b.ID)
	}
	v, _ := s.ChannelState(ctx, models.ChannelConsole, "inbox:2")
	if v == "" {
		t.Error("the inbox cursor is not kept")
	}
}

// At the end of the input the terminal waits for Settle, showing what
// arrives meanwhile.
func TestConsoleSettlesBeforeLeaving(t *testing.T) {
	s := testdb.SQLite(t)
	ob := &sendingOutbox{t: t, s: s}
	it, err := intake.New(intake.Config{Channel: models.ChannelConsole, Store: s, Outbox: ob, Encode: Encode,
		Handler: bot.HandlerFunc(func(context.Context, *models.Store, bot.Incoming) ([]bot.Outgoing, error) { return nil, nil })})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	var out bytes.Buffer
	c := &Console{In: strings.NewReader("/quit\n"), Out: &out, Store: s, Intake: it, UserID: "2", Text: hintText,
		Settle: func(ctx context.Context) (bool, error) {
			calls++
			if calls == 2 { // the report of a broadcast comes in
				ms, _ := Encode(ctx, s, bot.Outgoing{ChatID: "2", Text: "report"})
				if err := s.EnqueueOutbox(ctx, ms); err != nil {
					return false, err
				}
				send(t, s, ms[0])
			}
			return calls >= 3, nil
		}}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls != 3 || !strings.Contains(out.String(), "report") {
		t.Errorf("Settle called %d times; output %q", calls, out.String())
	}
}

// The payload carries the whole reply; a payload the terminal cannot read
// is refused for good.
func TestConsolePayload(t *testing.T) {
	o := bot.Outgoing{ChatID: "2", Channel: "console", Text: "x", Keyboard: inline,
		Document: &bot.Document{Name: "a.xlsx", Data: []byte{0, 1, 2}}, Location: &bot.Location{Lat: 1, Lon: 2}}
	p, err := EncodePayload(o)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodePayload(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.ChatID != "" || got.Text != "x" || got.Keyboard.Rows[0][1].Data != "area:2" || !bytes.Equal(got.Document.Data, []byte{0, 1, 2}) || got.Location.Lon != 2 {
		t.Errorf("round trip: %+v", got)
	}
	err = Sender().Send(context.Background(), &models.OutboxMessage{Payload: "{not json"})
	var se *outbox.SendError
	if !errors.As(err, &se) || se.Kind != outbox.Permanent {
		t.Errorf("junk payload: %v", err)
	}
	if _, err := Encode(context.Background(), nil, bot.Outgoing{Text: "no chat"}); err == nil {
		t.Error("a reply without a chat was encoded")
	}
}
