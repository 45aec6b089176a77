package zalo

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/models"
)

// stateOptions + user id is the channel_state key of the numbered options
// last offered to a user.
const stateOptions = "options:"

// HandleEvent processes one verified event through the intake
// (intake.Intake.Take): in one transaction it records the event key, makes
// its effects (the handlers' answer, or an unfollow's) and queues the
// replies; then it kicks the outbox. Around the handler the channel makes
// the user reachable again, turns a number into the option it chooses and
// records the user's interaction time. An event seen before returns nil
// without doing anything; an error means nothing was stored.
func (c *Channel) HandleEvent(ctx context.Context, ev Event) error {
	uid := ev.UserID()
	u := intake.Update{
		ID:   ev.Key(),
		Type: eventLabel(ev.Name),
		Log:  c.log.With("event", ev.Name, "user_id", uid, "key", ev.Key()),
	}
	switch ev.kind() {
	case kindUnfollow:
		u.Before = func(ctx context.Context, tx *models.Store, _ *bot.Incoming) ([]*models.OutboxMessage, error) {
			return nil, c.unfollow(ctx, tx, uid)
		}
	case kindMessage:
		u.In = ev.Incoming()
		ctx = withReplyTo(ctx, uid, ev.Message.MsgID) // outgoing.go
		u.Before = func(ctx context.Context, tx *models.Store, in *bot.Incoming) ([]*models.OutboxMessage, error) {
			// Writing again (or following again) undoes an unfollow.
			if _, err := tx.MarkReachable(ctx, models.ChannelZalo, uid); err != nil {
				return nil, err
			}
			return nil, c.chooseOption(ctx, tx, in)
		}
		u.After = func(ctx context.Context, tx *models.Store, _ bot.Incoming) ([]*models.OutboxMessage, error) {
			// After the handler, which creates the contact at its first message.
			if err := tx.TouchInbound(ctx, models.ChannelZalo, uid, ev.Time()); err != nil {
				return nil, err
			}
			// The options offered before are answered; the replies offer
			// new ones, if any.
			return nil, c.setOptions(ctx, tx, uid, nil)
		}
	}
	_, err := c.intake.Take(ctx, u)
	return err
}

// unfollow: the user left the OA. Reminders stop, the contact is
// unreachable (broadcasts skip it) and nothing queued for it is sent.
func (c *Channel) unfollow(ctx context.Context, tx *models.Store, uid string) error {
	if _, err := tx.StopReminders(ctx, models.ChannelZalo, uid); err != nil {
		return err
	}
	if _, err := tx.MarkUnreachable(ctx, models.ChannelZalo, uid); err != nil {
		return err
	}
	_, err := tx.OutboxCloseChat(ctx, models.ChannelZalo, uid, models.OutboxUnreachable, "unfollowed the OA")
	return err
}

// chooseOption turns a bare number answering numbered options ("2") into
// the option: its text, or its callback data.
func (c *Channel) chooseOption(ctx context.Context, tx *models.Store, in *bot.Incoming) error {
	text := strings.TrimSpace(in.Text)
	if in.Callback != "" || text == "" || len(text) > 3 {
		return nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 {
		return nil
	}
	raw, err := tx.ChannelState(ctx, models.ChannelZalo, stateOptions+in.UserID)
	if err != nil || raw == "" {
		return err
	}
	var opts []Option
	if json.Unmarshal([]byte(raw), &opts) != nil || n > len(opts) {
		return nil
	}
	if op := opts[n-1]; op.Callback != "" {
		in.Text, in.Callback = "", op.Callback
	} else {
		in.Text = op.Text
	}
	return nil
}

// setOptions stores the numbered options offered to a user (none: an
// answer "2" is just "2" again).
func (c *Channel) setOptions(ctx context.Context, tx *models.Store, uid string, opts []Option) error {
	key := stateOptions + uid
	if len(opts) == 0 {
		return tx.DB(ctx).Where("channel = ? AND key = ?", models.ChannelZalo, key).Delete(&models.ChannelStateEntry{}).Error
	}
	raw, _ := json.Marshal(opts)
	return tx.SetChannelState(ctx, models.ChannelZalo, key, string(raw))
}

// encode turns one reply to a Zalo user into outbox rows, in the user's
// language, and keeps the numbered options it offers (the channel's
// intake.Encoder). What it has to drop is logged; a database error fails
// the update.
func (c *Channel) encode(ctx context.Context, tx *models.Store, o bot.Outgoing) ([]*models.OutboxMessage, error) {
	if o.ChatID == "" {
		return nil, nil
	}
	lang, err := tx.ContactLang(ctx, models.ChannelZalo, o.ChatID)
	if err != nil {
		return nil, err
	}
	if lang == "" {
		lang = c.enc.defLang
	}
	enc, err := c.enc.Encode(o.ChatID, lang, o)
	if err != nil {
		c.log.Warn("zalo: reply", "chat_id", o.ChatID, "err", err)
	}
	if enc.Keyboard || len(enc.Options) > 0 {
		if err := c.setOptions(ctx, tx, o.ChatID, enc.Options); err != nil {
			return nil, err
		}
	}
	markReplies(ctx, enc.Requests) // outgoing.go
	rows := make([]*models.OutboxMessage, 0, len(enc.Requests))
	for _, r := range enc.Requests {
		raw, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		rows = append(rows, &models.OutboxMessage{Channel: models.ChannelZalo, ChatID: r.Recipient.UserID, Kind: models.OutboxReply, Payload: string(raw)})
	}
	return rows, nil
}

// mergeReplies gives the intake the handler's replies with consecutive
// plain texts to the same chat joined (each message counts against the
// OA's free replies).
func mergeReplies(h bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
		outs, err := h.Handle(ctx, tx, in)
		return mergeTexts(outs), err
	})
}

// mergeTexts joins a plain text (no keyboard, place, file or photo) to
// the next reply to the same chat.
func mergeTexts(outs []bot.Outgoing) []bot.Outgoing {
	var res []bot.Outgoing
	for i := 0; i < len(outs); i++ {
		o := outs[i]
		for i+1 < len(outs) && plainText(o) && sameChat(o, outs[i+1]) && outs[i+1].Photo == "" {
			next := outs[i+1]
			next.Text = joinParagraphs(o.Text, next.Text)
			o = next
			i++
		}
		res = append(res, o)
	}
	return res
}

func plainText(o bot.Outgoing) bool {
	return o.Keyboard == nil && !o.RemoveKeyboard && o.Location == nil && o.Document == nil && o.Photo == ""
}

func sameChat(a, b bot.Outgoing) bool { return a.ChatID == b.ChatID && a.Channel == b.Channel }

// eventLabel bounds the metric's label values: event names are short
// snake_case words (and only Zalo can sign one).
func eventLabel(name string) string {
	if name == "" || len(name) > 40 {
		return "other"
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && r != '_' {
			return "other"
		}
	}
	return name
}
