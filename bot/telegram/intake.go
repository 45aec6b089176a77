package telegram

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/models"
)

// HandleUpdate processes one update through the intake (intake.Intake.Take):
// the update_id recorded, the handler run and the replies queued in one
// transaction, then the outbox kicked. Around the handler the channel
// answers a callback query, makes a private chat reachable again, grants
// ADMIN_TELEGRAM_IDS and edits the message whose button was pressed. A
// redelivered update returns nil without doing anything. An error means
// nothing was stored: deliver the update again.
func (c *Channel) HandleUpdate(ctx context.Context, u tgbotapi.Update) error {
	up := Parse(u, c.self)
	log := c.log.With("update_id", up.ID, "chat_id", up.ChatID, "type", up.Type)
	if up.Member != "" {
		// Not recorded: blocking (or unblocking) twice is the same.
		_, err := c.intake.Take(ctx, intake.Update{Type: up.Type, Log: log, Before: c.membership(log, up)})
		return err
	}
	if up.In != nil && up.In.Group && privateOnly(up.In) {
		// Personal, in a group: "write to the bot privately" (group.go).
		_, err := c.intake.Take(ctx, intake.Update{ID: strconv.Itoa(up.ID), Type: up.Type, Log: log, Before: c.groupGate(up.In)})
		return err
	}
	if up.In != nil && up.In.File != nil && !up.In.Group {
		file := *up.In.File
		c.fetchFile(ctx, &file) // before the transaction: download.go
		up.In.File = &file
	}
	grant := false
	update := intake.Update{ID: strconv.Itoa(up.ID), Type: up.Type, Log: log, In: up.In}
	if up.In != nil || up.CallbackID != "" {
		update.Before = func(ctx context.Context, tx *models.Store, in *bot.Incoming) ([]*models.OutboxMessage, error) {
			var msgs []*models.OutboxMessage
			grant = false
			if up.CallbackID != "" {
				msgs = append(msgs, c.row(strconv.FormatInt(up.ChatID, 10), models.OutboxAck, AnswerCallback(up.CallbackID)))
			}
			if in == nil {
				return msgs, nil
			}
			if !in.Group {
				// Writing again undoes "blocked the bot".
				if _, err := tx.MarkReachable(ctx, models.ChannelTelegram, in.ChatID); err != nil {
					return nil, err
				}
			}
			var err error
			grant, err = c.grantAdmin(ctx, tx, *in)
			return msgs, err
		}
	}
	if up.CallbackMessage != nil {
		update.After = func(_ context.Context, _ *models.Store, in bot.Incoming) ([]*models.OutboxMessage, error) {
			if call, ok := EditChoice(up.CallbackMessage, up.CallbackLabel); ok {
				return []*models.OutboxMessage{c.row(in.ChatID, models.OutboxReply, call)}, nil
			}
			return nil, nil
		}
	}
	taken, err := c.intake.Take(ctx, update)
	if err != nil || taken.Duplicate {
		return err
	}
	if grant {
		id, _ := strconv.ParseInt(up.In.UserID, 10, 64)
		c.granted.Store(id, true)
		log.Info("telegram: ward admin granted (ADMIN_TELEGRAM_IDS)", "user_id", id)
	}
	return nil
}

// encode turns one reply to a Telegram chat into outbox rows (the
// channel's intake.Encoder). Buttons it has to drop are logged; the rest is
// sent.
func (c *Channel) encode(_ context.Context, _ *models.Store, o bot.Outgoing) ([]*models.OutboxMessage, error) {
	if o.ChatID == "" {
		return nil, nil
	}
	calls, err := Encode(o.ChatID, o)
	if err != nil {
		c.log.Warn("telegram: reply", "chat_id", o.ChatID, "err", err)
	}
	rows := make([]*models.OutboxMessage, 0, len(calls))
	for _, call := range calls {
		rows = append(rows, c.row(call.Params["chat_id"], models.OutboxReply, call))
	}
	return rows, nil
}

func (c *Channel) row(chatID, kind string, call Call) *models.OutboxMessage {
	raw, _ := json.Marshal(call) // a Call always marshals
	return &models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: chatID, Kind: kind, Payload: string(raw)}
}

// membership follows the bot's status in private chats: a user who
// blocks the bot is unreachable until they unblock it or write again.
func (c *Channel) membership(log *slog.Logger, up Update) func(context.Context, *models.Store, *bot.Incoming) ([]*models.OutboxMessage, error) {
	return func(ctx context.Context, tx *models.Store, _ *bot.Incoming) ([]*models.OutboxMessage, error) {
		chat := strconv.FormatInt(up.ChatID, 10)
		var err error
		switch up.Member {
		case "kicked":
			_, err = tx.MarkUnreachable(ctx, models.ChannelTelegram, chat)
			log.Info("telegram: user blocked the bot")
		case "member":
			_, err = tx.MarkReachable(ctx, models.ChannelTelegram, chat)
			log.Info("telegram: user unblocked the bot")
		}
		return nil, err
	}
}

// grantAdmin makes a user of ADMIN_TELEGRAM_IDS a ward admin (of the
// current election's ward, if there is one) at their first message.
func (c *Channel) grantAdmin(ctx context.Context, tx *models.Store, in bot.Incoming) (bool, error) {
	id, err := strconv.ParseInt(in.UserID, 10, 64)
	if err != nil || !c.admins[id] {
		return false, nil
	}
	if _, done := c.granted.Load(id); done {
		return false, nil
	}
	lang := in.Lang
	if lang != "vi" && lang != "en" {
		lang = c.cfg.DefaultLang
	}
	ct, err := tx.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: in.UserID, ChatID: in.UserID, Lang: lang})
	if err != nil {
		return false, err
	}
	// A bootstrap admin is the province's or city's: every ward.
	return true, tx.Grant(ctx, &models.RoleGrant{ContactID: &ct.ID, Role: models.RoleAdmin})
}
