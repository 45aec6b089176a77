// Package console is the terminal channel: it reads lines from a reader
// (a terminal or a scripted file), hands them to the same handlers as
// Telegram and Zalo, and prints the replies. Keyboard buttons are shown as
// numbered options; typing the number presses the button.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// Console is one contact talking to the bot in a terminal.
type Console struct {
	In  io.Reader
	Out io.Writer
	// Handler answers each line, in a transaction of Store as on the other
	// channels: a failed answer changes nothing. Without a Store it is
	// given a nil tx (handlers that need none, in tests).
	Handler bot.Handler
	Store   *models.Store
	UserID  string // console contact id (--as), default "1"
	Name    string
	Lang    string
	// Echo prints each input line after a "> " mark: on for scripted input
	// (stdin is not a terminal) so the transcript reads as a conversation.
	Echo bool
	// Prompt prints "> " before reading: on for an interactive terminal.
	Prompt bool
	// DocumentDir is where received documents are saved ("" = working dir).
	DocumentDir string
	// Text localises the console's own hints (message id → text in Lang).
	Text func(lang, id string) string

	buttons    []bot.Button // options of the last keyboard shown
	inline     bool
	awaitPhone bool // the share-phone button was pressed: next line is the number
}

// Run reads until EOF or ctx is done. A handler error is printed and the
// conversation goes on, as a chat would.
func (c *Console) Run(ctx context.Context) error {
	if c.UserID == "" {
		c.UserID = "1"
	}
	sc := bufio.NewScanner(c.In)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if c.Prompt {
			fmt.Fprint(c.Out, "> ")
		}
		if !sc.Scan() {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if c.Echo {
			fmt.Fprintf(c.Out, "> %s\n", line)
		}
		if line == "/quit" || line == "/exit" {
			return nil
		}
		in, ok := c.incoming(line)
		if !ok {
			continue
		}
		outs, err := c.handle(ctx, in)
		if err != nil {
			fmt.Fprintf(c.Out, "[%s] %s\n", models.ErrorCode(err), models.ErrorMessage(err))
			continue
		}
		for _, o := range outs {
			c.print(o)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("console input: %w", err)
	}
	return nil
}

// handle runs the handler on one Incoming, in a transaction when there
// is a store.
func (c *Console) handle(ctx context.Context, in bot.Incoming) ([]bot.Outgoing, error) {
	if c.Store == nil {
		return c.Handler.Handle(ctx, nil, in)
	}
	var outs []bot.Outgoing
	err := c.Store.InTx(ctx, func(tx *models.Store) error {
		var err error
		outs, err = c.Handler.Handle(ctx, tx, in)
		return err
	})
	return outs, err
}

// incoming turns a typed line into an Incoming: a number presses the
// matching button of the last keyboard; "/contact 0912345678" shares the
// user's own phone as a channel's contact button would, and so does the line
// typed after pressing a share-phone button. ok is false when the line was
// taken by the console itself.
func (c *Console) incoming(line string) (in bot.Incoming, ok bool) {
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
			if c.Text != nil {
				fmt.Fprintln(c.Out, c.Text(c.Lang, "console_share_phone"))
			}
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

func (c *Console) print(o bot.Outgoing) {
	if c.forOther(o) {
		// A message for another contact (a conflict notice, a grant): the
		// console has no one else's screen, so it shows it marked, without
		// keyboards, and does not let its buttons be pressed here.
		header := "→ " + o.Channel + ":" + o.ChatID
		if c.Text != nil {
			header = c.Text(c.Lang, "console_to_other") + " " + o.Channel + ":" + o.ChatID
		}
		fmt.Fprintf(c.Out, "%s\n%s\n\n", header, o.Text)
		return
	}
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

// forOther reports whether o is addressed to a contact other than this one.
func (c *Console) forOther(o bot.Outgoing) bool {
	if o.Channel != "" && o.Channel != models.ChannelConsole {
		return true
	}
	return o.ChatID != "" && o.ChatID != c.UserID
}

func (c *Console) saveDocument(d *bot.Document) {
	path := filepath.Join(c.DocumentDir, filepath.Base(d.Name))
	if err := os.WriteFile(path, d.Data, 0o644); err != nil {
		fmt.Fprintf(c.Out, "📎 %s (%d bytes): %v\n", d.Name, len(d.Data), err)
		return
	}
	fmt.Fprintf(c.Out, "📎 %s (%d bytes) → %s\n", d.Name, len(d.Data), path)
}
