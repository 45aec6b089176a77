package console

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"electionbot/bot"
	"electionbot/models"
)

// inbox is the terminal's view of its contact's messages in the outbox:
// each message is shown once it is sent, in the order they are sent
// (a broadcast's message may be sent after a later reply). The messages
// up to low are all finished and shown (or failed); shown holds those
// after low already shown. low is kept in channel_state, so that a
// contact who comes back (chat --keep --as N) sees what arrived while
// away.
type inbox struct {
	mu       sync.Mutex // one read at a time; taken before Console.mu
	low      int64
	shown    map[int64]bool
	expected map[int64]bool // the replies to the line being answered

	stateMu sync.Mutex
	taking  bool // a line is being answered: its turn reads the inbox
}

const inboxPage = 200

func inboxKey(userID string) string { return "inbox:" + userID }

// open reads where the contact's inbox was left, and the contact's
// language (a contact who comes back may have switched).
func (ib *inbox) open(ctx context.Context, c *Console) error {
	if lang, err := c.Store.ContactLang(ctx, models.ChannelConsole, c.UserID); err != nil {
		return err
	} else if lang != "" && c.Lang == "" {
		c.lang = lang
	}
	v, err := c.Store.ChannelState(ctx, models.ChannelConsole, inboxKey(c.UserID))
	if err != nil {
		return err
	}
	ib.low, ib.shown = 0, map[int64]bool{}
	if v != "" {
		if ib.low, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("console: inbox cursor %q: %w", v, err)
		}
	}
	return nil
}

func (ib *inbox) busy(on bool) {
	ib.stateMu.Lock()
	defer ib.stateMu.Unlock()
	ib.taking = on
}

func (ib *inbox) isBusy() bool {
	ib.stateMu.Lock()
	defer ib.stateMu.Unlock()
	return ib.taking
}

func (ib *inbox) expect(ids []int64) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	ib.expected = map[int64]bool{}
	for _, id := range ids {
		ib.expected[id] = true
	}
}

// shownAll tells whether every message of ids is shown (or finished
// without being sent).
func (ib *inbox) shownAll(ids []int64) bool {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	for _, id := range ids {
		if id > ib.low && !ib.shown[id] {
			return false
		}
	}
	return true
}

// pollLoop shows what arrives between lines.
func (c *Console) pollLoop(ctx context.Context) {
	tick := time.NewTicker(c.PollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if c.inbox.isBusy() {
			continue
		}
		if err := c.poll(ctx); err != nil && ctx.Err() == nil {
			c.Log.Warn("console: read inbox", "chat", c.UserID, "err", err)
		}
	}
}

// poll shows the messages sent to this contact since the last poll.
func (c *Console) poll(ctx context.Context) error {
	ib := &c.inbox
	ib.mu.Lock()
	defer ib.mu.Unlock()
	after, low, moved := ib.low, ib.low, false
	open := false // a message before this one is not finished: low stays
	for {
		ms, err := c.Store.ChatOutbox(ctx, models.ChannelConsole, c.UserID, after, inboxPage)
		if err != nil {
			return err
		}
		for _, m := range ms {
			switch {
			case m.Status == models.OutboxSent && !ib.shown[m.ID]:
				c.show(m, !ib.expected[m.ID])
				ib.shown[m.ID] = true
			case m.Status == models.OutboxPending || m.Status == models.OutboxSending:
				open = true
			}
			if !open {
				low, moved = m.ID, true
				delete(ib.shown, m.ID)
			}
		}
		if len(ms) < inboxPage {
			break
		}
		after = ms[len(ms)-1].ID
	}
	if !moved {
		return nil
	}
	ib.low = low
	return c.Store.SetChannelState(ctx, models.ChannelConsole, inboxKey(c.UserID), strconv.FormatInt(low, 10))
}

// show prints one message of the inbox; one that is not the answer to
// the line just typed is marked as arrived, with the time it was sent
// on the bot's clock.
func (c *Console) show(m *models.OutboxMessage, arrived bool) {
	o, err := DecodePayload(m.Payload)
	if err != nil {
		c.Log.Warn("console: message not shown", "outbox_id", m.ID, "err", err)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.atPrompt {
		fmt.Fprintln(c.Out)
	}
	if arrived {
		at := m.CreatedAt.In(models.VietnamTime).Format("15:04 02/01/2006")
		fmt.Fprintln(c.Out, c.textLocked("console_arrived", map[string]any{"Time": at}))
	}
	c.print(o)
	if c.atPrompt {
		fmt.Fprint(c.Out, "> ")
	}
}

// settle waits, at the end of the input, for the work the session started
// (Settle), showing what arrives meanwhile.
func (c *Console) settle(ctx context.Context) {
	if c.Intake == nil {
		return
	}
	c.inbox.busy(true)
	defer c.inbox.busy(false)
	deadline := time.Now().Add(c.SettleTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		done := true
		if c.Settle != nil {
			var err error
			if done, err = c.Settle(ctx); err != nil {
				c.Log.Warn("console: settle", "err", err)
				done = true
			}
		}
		if err := c.poll(ctx); err != nil {
			c.Log.Warn("console: read inbox", "chat", c.UserID, "err", err)
			return
		}
		if done || time.Now().After(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// print shows one message: text, photo reference, map pin, document
// (saved to DocumentDir), keyboard as numbered options. c.mu is held.
func (c *Console) print(o bot.Outgoing) {
	if o.Text != "" {
		fmt.Fprintln(c.Out, o.Text)
	}
	if o.Photo != "" {
		fmt.Fprintf(c.Out, "🖼 %s\n", o.Photo)
	}
	if o.Location != nil {
		fmt.Fprintf(c.Out, "📍 %s %.5f, %.5f  https://maps.google.com/?q=%.5f,%.5f\n",
			o.Location.Title, o.Location.Lat, o.Location.Lon, o.Location.Lat, o.Location.Lon)
	}
	if o.Document != nil {
		c.saveDocument(o.Document)
	}
	if o.RemoveKeyboard {
		c.buttons = nil
	}
	if o.Keyboard != nil && len(o.Keyboard.Rows) > 0 {
		c.buttons, c.inline = c.buttons[:0], o.Keyboard.Inline
		var b strings.Builder
		for _, row := range o.Keyboard.Rows {
			b.WriteString("  ")
			for j, btn := range row {
				c.buttons = append(c.buttons, btn)
				if j > 0 {
					b.WriteString("   ")
				}
				fmt.Fprintf(&b, "[%d] %s", len(c.buttons), btn.Text)
			}
			b.WriteByte('\n')
		}
		fmt.Fprint(c.Out, b.String())
	}
	fmt.Fprintln(c.Out)
}

func (c *Console) saveDocument(d *bot.Document) {
	path := filepath.Join(c.DocumentDir, filepath.Base(d.Name))
	if err := os.WriteFile(path, d.Data, 0o644); err != nil {
		fmt.Fprintf(c.Out, "📎 %s (%d bytes): %v\n", d.Name, len(d.Data), err)
		return
	}
	fmt.Fprintf(c.Out, "📎 %s (%d bytes) → %s\n", d.Name, len(d.Data), path)
}
