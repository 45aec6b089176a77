// Package console is the terminal channel: it reads lines from a reader
// (a terminal or a scripted file), hands them to the same handlers as
// Telegram and Zalo, and prints what the bot sends its contact. Keyboard
// buttons are shown as numbered options; typing the number presses the
// button.
//
// With an Intake the console is a channel like the others: each line is
// taken as an update (answered in a transaction, the replies queued in the
// outbox), and the terminal shows its contact's inbox — the messages the
// outbox delivered to it, its replies and what arrives on its own
// (announcements, reminders, a message from another contact), marked as
// such (wire.go, inbox.go).
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/models"
)

// Console is one contact talking to the bot in a terminal.
type Console struct {
	In  io.Reader
	Out io.Writer
	// Intake takes each line as an update of the console channel; Store
	// is then where the terminal reads its contact's inbox.
	Intake *intake.Intake
	// Handler answers the lines when there is no Intake (tests of the
	// terminal alone): this contact's replies are printed at once, those
	// to anyone else dropped. With a Store each answer is a transaction.
	Handler bot.Handler
	Store   *models.Store
	UserID  string // console contact id (--as), default "1"
	Name    string
	Lang    string // the language the contact starts in
	// Echo prints each input line after a "> " mark: on for scripted input
	// (stdin is not a terminal) so the transcript reads as a conversation.
	Echo bool
	// Prompt prints "> " before reading: on for an interactive terminal.
	Prompt bool
	// DocumentDir is where received documents are saved ("" = working dir).
	DocumentDir string
	// Text localises the console's own lines (message id → text in lang).
	Text func(lang, id string, data map[string]any) string
	// Local answers the console's own commands (the demo clock) before
	// the handler; handled false passes the line on.
	Local func(ctx context.Context, lang, line string) (reply string, handled bool)
	// Settle reports, at the end of the input, whether the work the
	// session started is done (its broadcasts sent): the terminal goes on
	// showing its inbox until then, or SettleTimeout [30s].
	Settle        func(ctx context.Context) (bool, error)
	SettleTimeout time.Duration
	// PollEvery is how often the inbox is read between lines [200ms];
	// ReplyTimeout how long a line's replies are waited for [10s].
	PollEvery, ReplyTimeout time.Duration
	Log                     *slog.Logger

	// mu guards the output and the state below: the inbox is shown from
	// a goroutine of its own while a line may be answered.
	mu         sync.Mutex
	lang       string
	buttons    []bot.Button // options of the last keyboard shown
	inline     bool
	awaitPhone bool // the share-phone button was pressed: next line is the number
	atPrompt   bool // "> " printed, no line read yet

	inbox inbox
}

// helpCommands are the conversation's help commands: the console adds its
// own commands to their answer.
var helpCommands = map[string]bool{"/help": true, "/trogiup": true, "/huongdan": true}

// Run reads until EOF, /quit or ctx is done. A handler error is printed
// and the conversation goes on, as a chat would.
func (c *Console) Run(ctx context.Context) error {
	c.defaults()
	if c.Intake != nil {
		if err := c.inbox.open(ctx, c); err != nil {
			return err
		}
		// What arrived while the contact was away comes first.
		if err := c.poll(ctx); err != nil {
			return err
		}
		pollCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); c.pollLoop(pollCtx) }()
		defer func() { stop(); wg.Wait() }()
	}
	lines, readErr := c.readLines(ctx)
	for {
		c.prompt()
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
		}
		if !ok { // the end of the input
			c.settle(ctx)
			return <-readErr
		}
		c.mu.Lock()
		c.atPrompt = false
		c.mu.Unlock()
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if c.Echo {
			c.printf("> %s\n", line)
		}
		if line == "/quit" || line == "/exit" {
			c.settle(ctx)
			return nil
		}
		c.turn(ctx, line)
	}
}

func (c *Console) defaults() {
	if c.UserID == "" {
		c.UserID = "1"
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.PollEvery <= 0 {
		c.PollEvery = 200 * time.Millisecond
	}
	if c.ReplyTimeout <= 0 {
		c.ReplyTimeout = 10 * time.Second
	}
	if c.SettleTimeout <= 0 {
		c.SettleTimeout = 30 * time.Second
	}
	c.lang = c.Lang
}

// readLines reads the input in a goroutine of its own, so that an
// interrupt (ctx) ends the session while a terminal waits for a line. The
// error channel gets the reader's error once the lines are closed.
func (c *Console) readLines(ctx context.Context) (<-chan string, <-chan error) {
	lines, errc := make(chan string), make(chan error, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(c.In)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				errc <- nil
				return
			}
		}
		if err := sc.Err(); err != nil {
			errc <- fmt.Errorf("console input: %w", err)
			return
		}
		errc <- nil
	}()
	return lines, errc
}

func (c *Console) prompt() {
	if !c.Prompt {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprint(c.Out, "> ")
	c.atPrompt = true
}

// turn answers one line: a console command, or the handler's answer
// through the intake (or directly).
func (c *Console) turn(ctx context.Context, line string) {
	if c.Local != nil {
		if reply, ok := c.Local(ctx, c.currentLang(), line); ok {
			c.printf("%s\n\n", reply)
			return
		}
	}
	in, ok := c.incoming(line)
	if !ok {
		return
	}
	var err error
	if c.Intake != nil {
		err = c.take(ctx, in)
	} else {
		err = c.answer(ctx, in)
	}
	if err != nil {
		c.printf("[%s] %s\n", models.ErrorCode(err), models.ErrorMessage(err))
		return
	}
	if helpCommands[strings.ToLower(strings.Fields(line)[0])] {
		c.printf("%s\n\n", c.text("console_help", nil))
	}
}

// take hands the line to the intake and waits until the terminal has
// shown its replies (the outbox delivers them in the background).
func (c *Console) take(ctx context.Context, in bot.Incoming) error {
	c.inbox.busy(true)
	defer c.inbox.busy(false)
	taken, err := c.Intake.Take(ctx, intake.Update{Type: "message", In: &in})
	if err != nil {
		return err
	}
	var mine []int64
	for _, m := range taken.Messages {
		if m.ID != 0 && m.Channel == models.ChannelConsole && m.ChatID == c.UserID {
			mine = append(mine, m.ID)
		}
	}
	c.inbox.expect(mine)
	if lang, err := c.Store.ContactLang(ctx, models.ChannelConsole, c.UserID); err == nil && lang != "" {
		c.mu.Lock()
		c.lang = lang
		c.mu.Unlock()
	}
	return c.waitShown(ctx, mine)
}

// waitShown reads the inbox until ids are shown; the deadline only keeps
// a stopped outbox from hanging the terminal (they are shown later, as
// arrivals).
func (c *Console) waitShown(ctx context.Context, ids []int64) error {
	deadline := time.Now().Add(c.ReplyTimeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := c.poll(ctx); err != nil {
			return err
		}
		if c.inbox.shownAll(ids) {
			return nil
		}
		if time.Now().After(deadline) {
			c.Log.Warn("console: replies not delivered in time", "chat", c.UserID, "ids", ids)
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// answer runs the handler on one Incoming, in a transaction when there
// is a store, and prints this contact's replies.
func (c *Console) answer(ctx context.Context, in bot.Incoming) error {
	var outs []bot.Outgoing
	run := func(tx *models.Store) error {
		var err error
		outs, err = c.Handler.Handle(ctx, tx, in)
		return err
	}
	var err error
	if c.Store == nil {
		err = run(nil)
	} else {
		err = c.Store.InTx(ctx, run)
	}
	if err != nil {
		return err
	}
	for _, o := range outs {
		if (o.Channel != "" && o.Channel != models.ChannelConsole) || (o.ChatID != "" && o.ChatID != c.UserID) {
			continue // another contact's: not this terminal's to show
		}
		c.mu.Lock()
		c.print(o)
		c.mu.Unlock()
	}
	return nil
}

// incoming turns a typed line into an Incoming: a number presses the
// matching button of the last keyboard; "/contact 0912345678" shares the
// user's own phone as a channel's contact button would, and so does the line
// typed after pressing a share-phone button. ok is false when the line was
// taken by the console itself.
func (c *Console) incoming(line string) (in bot.Incoming, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	in = bot.Incoming{
		Channel: models.ChannelConsole,
		UserID:  c.UserID,
		ChatID:  c.UserID,
		Name:    c.Name,
		Lang:    c.Lang,
		Text:    line,
	}
	if c.awaitPhone {
		c.awaitPhone = false
		if !strings.HasPrefix(line, "/") {
			in.Text = ""
			in.Contact = &bot.SharedContact{Phone: line, Own: true}
			return in, true
		}
	}
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(c.buttons) {
		b := c.buttons[n-1]
		if b.RequestContact {
			// A terminal has no phone book: the next line is the number.
			c.awaitPhone = true
			fmt.Fprintln(c.Out, c.textLocked("console_share_phone", nil))
			return in, false
		}
		if c.inline && b.Data != "" {
			in.Text, in.Callback = "", b.Data
		} else {
			in.Text = b.Text
		}
		return in, true
	}
	if rest, ok := strings.CutPrefix(line, "/contact "); ok {
		in.Text = ""
		in.Contact = &bot.SharedContact{Phone: strings.TrimSpace(rest), Own: true}
	}
	return in, true
}

func (c *Console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.Out, format, args...)
}

// currentLang is the contact's language as last read.
func (c *Console) currentLang() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lang
}

// text is one of the console's own lines in the contact's language.
func (c *Console) text(id string, data map[string]any) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.textLocked(id, data)
}

func (c *Console) textLocked(id string, data map[string]any) string {
	if c.Text == nil {
		return id
	}
	return c.Text(c.lang, id, data)
}
