package zalo

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/models"
)

// stateOptions + user id is the channel_state key of the numbered options
// last offered to a user.
const stateOptions = "options:"

// HandleEvent processes one verified event: in one transaction it records
// the event key, makes its effects (the handlers' answer, or an
// unfollow's), records the user's interaction time and queues the
// replies; then it kicks the outbox. An event seen before returns nil
// without doing anything; an error means nothing was stored.
func (c *Channel) HandleEvent(ctx context.Context, ev Event) error {
	kind := ev.kind()
	c.metrics.Received.WithLabelValues(eventLabel(ev.Name)).Inc()
	log := c.log.With("event", ev.Name, "user_id", ev.UserID(), "key", ev.Key())
	if kind == kindIgnore {
		log.Debug("zalo: event ignored")
		return nil
	}
	start := time.Now()
	taken, err := c.cfg.Outbox.Take(ctx, c.store, outbox.Update{
		Channel: models.ChannelZalo,
		ID:      ev.Key(),
		Process: func(ctx context.Context, tx *models.Store) ([]*models.OutboxMessage, error) {
			if kind == kindUnfollow {
				return nil, c.unfollow(ctx, tx, ev.UserID())
			}
			return c.answer(ctx, tx, log, ev)
		},
	})
	if err != nil {
		c.metrics.Failures.Inc()
		log.Error("zalo: event not processed", "err", err)
		return err
	}
	if taken.Duplicate {
		c.metrics.Duplicates.Inc()
		log.Info("zalo: event already processed")
		return nil
	}
	log.Info("zalo: event processed", "messages", len(taken.Messages), "took", time.Since(start))
	return nil
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

// answer runs the handlers on a message event and encodes their replies.
func (c *Channel) answer(ctx context.Context, tx *models.Store, log *slog.Logger, ev Event) ([]*models.OutboxMessage, error) {
	in := ev.Incoming()
	uid := in.UserID
	// Writing again (or following again) undoes an unfollow.
	if _, err := tx.MarkReachable(ctx, models.ChannelZalo, uid); err != nil {
		return nil, err
	}
	if err := c.chooseOption(ctx, tx, in); err != nil {
		return nil, err
	}
	hstart := time.Now()
	outs, err := c.cfg.Handler.Handle(ctx, tx, *in)
	c.metrics.Handler.Observe(time.Since(hstart).Seconds())
	if err != nil {
		return nil, err
	}
	// After the handler, which creates the contact at its first message.
	if err := tx.TouchInbound(ctx, models.ChannelZalo, uid, ev.Time()); err != nil {
		return nil, err
	}
	return c.encodeReplies(ctx, tx, log, uid, outs)
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

// encodeReplies turns the handlers' replies into outbox rows: replies to
// Zalo users here, replies to contacts of other channels through the
// routes. Consecutive plain texts to the same user go as one message (each
// message counts against the OA's free replies).
func (c *Channel) encodeReplies(ctx context.Context, tx *models.Store, log *slog.Logger, uid string, outs []bot.Outgoing) ([]*models.OutboxMessage, error) {
	var msgs []*models.OutboxMessage
	offered := false
	for _, o := range mergeTexts(outs) {
		if o.Channel != "" && o.Channel != models.ChannelZalo {
			rows, err := c.cfg.Routes.Encode(ctx, tx, o.Channel, o)
			if err != nil {
				log.Warn("zalo: reply to another channel dropped", "to_channel", o.Channel, "chat_id", o.ChatID, "err", err)
				continue
			}
			msgs = append(msgs, rows...)
			continue
		}
		chat := o.ChatID
		if chat == "" {
			chat = uid
		}
		rows, enc, err := c.encodeFor(ctx, tx, log, chat, o)
		if err != nil {
			return nil, err
		}
		if chat == uid && len(enc.Options) > 0 {
			offered = true
		}
		msgs = append(msgs, rows...)
	}
	if !offered {
		if err := c.setOptions(ctx, tx, uid, nil); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// encodeRoute encodes a reply to a Zalo user produced by another
// channel's update (outbox.Routes).
func (c *Channel) encodeRoute(ctx context.Context, tx *models.Store, o bot.Outgoing) ([]*models.OutboxMessage, error) {
	if o.ChatID == "" {
		return nil, nil
	}
	rows, _, err := c.encodeFor(ctx, tx, c.log, o.ChatID, o)
	return rows, err
}

// encodeFor encodes one Outgoing to a Zalo user, in the user's language,
// and keeps the numbered options it offers.
func (c *Channel) encodeFor(ctx context.Context, tx *models.Store, log *slog.Logger, chat string, o bot.Outgoing) ([]*models.OutboxMessage, Encoded, error) {
	lang, err := tx.ContactLang(ctx, models.ChannelZalo, chat)
	if err != nil {
		return nil, Encoded{}, err
	}
	if lang == "" {
		lang = c.enc.defLang
	}
	enc, err := c.enc.Encode(chat, lang, o)
	if err != nil {
		log.Warn("zalo: reply", "chat_id", chat, "err", err)
	}
	if enc.Keyboard || len(enc.Options) > 0 {
		if err := c.setOptions(ctx, tx, chat, enc.Options); err != nil {
			return nil, Encoded{}, err
		}
	}
	rows := make([]*models.OutboxMessage, 0, len(enc.Requests))
	for _, r := range enc.Requests {
		raw, err := json.Marshal(r)
		if err != nil {
			return nil, Encoded{}, err
		}
		rows = append(rows, &models.OutboxMessage{Channel: models.ChannelZalo, ChatID: r.Recipient.UserID, Kind: models.OutboxReply, Payload: string(raw)})
	}
	return rows, enc, nil
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
