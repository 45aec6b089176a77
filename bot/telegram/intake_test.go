package telegram

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// queue is the outbox of these tests: it stores the rows in the update's
// transaction and sends nothing.
type queue struct{}

func (queue) Enqueue(ctx context.Context, tx *models.Store, msgs []*models.OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	return tx.EnqueueOutbox(ctx, msgs)
}

func (queue) Kick([]*models.OutboxMessage) {}

// intakeChannel is a channel whose handler answers "echo <text or
// callback>" (nothing in a group it is not addressed in), with user 42 in
// ADMIN_TELEGRAM_IDS.
func intakeChannel(t *testing.T, s *models.Store, handled *[]bot.Incoming) *Channel {
	t.Helper()
	c, err := New(context.Background(), Config{
		Token: telegramtest.Token, Endpoint: telegramtest.New(t).Endpoint(),
		Store: s, Outbox: queue{}, AdminIDs: []int64{42},
		Handler: bot.HandlerFunc(func(_ context.Context, _ *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
			*handled = append(*handled, in)
			return []bot.Outgoing{{Text: "echo " + in.Text + in.Callback}}, nil
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// calls are the queued Bot API calls, "method chat text" each.
func calls(t *testing.T, s *models.Store) []string {
	t.Helper()
	var rows []models.OutboxMessage
	if err := s.DB(context.Background()).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		var call Call
		if err := json.Unmarshal([]byte(r.Payload), &call); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(call.Method+" "+r.ChatID+" "+call.Params["text"]))
	}
	return out
}

func TestHandleUpdate(t *testing.T) {
	user := func(id int64) *tgbotapi.User { return &tgbotapi.User{ID: id, FirstName: "An"} }
	private := &tgbotapi.Chat{ID: 111, Type: "private"}
	data := "area:1"
	pressed := &tgbotapi.Message{MessageID: 9, Chat: private, Text: "Khu nào?", ReplyMarkup: &tgbotapi.InlineKeyboardMarkup{
		InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{{{Text: "KP1", CallbackData: &data}}}}}
	member := func(status string) *tgbotapi.ChatMemberUpdated {
		return &tgbotapi.ChatMemberUpdated{Chat: *private, From: *user(111), NewChatMember: tgbotapi.ChatMember{User: user(1), Status: status}}
	}
	for _, tc := range []struct {
		name         string
		u            tgbotapi.Update
		calls        string // the queued calls, in order
		handled      int
		recorded     bool
		wasReachable bool // contact 111 before (else it had blocked the bot)
		reachable    bool // contact 111 afterwards
		admin        bool // user 42 granted
	}{
		{name: "text", u: tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{Chat: private, From: user(111), Text: "hi"}},
			calls: "sendMessage 111 echo hi", handled: 1, recorded: true, reachable: true},
		{name: "button pressed: acknowledged, choice shown, answered", u: tgbotapi.Update{UpdateID: 2,
			CallbackQuery: &tgbotapi.CallbackQuery{ID: "cb1", From: user(111), Message: pressed, Data: data}},
			calls: "answerCallbackQuery 111|editMessageText 111 Khu nào?\n\n✓ KP1|sendMessage 111 echo area:1", handled: 1, recorded: true, reachable: true},
		{name: "button without a user: only acknowledged", u: tgbotapi.Update{UpdateID: 3, CallbackQuery: &tgbotapi.CallbackQuery{ID: "cb2"}},
			calls: "answerCallbackQuery 0", recorded: true},
		{name: "blocked the bot", u: tgbotapi.Update{UpdateID: 4, MyChatMember: member("kicked")}, wasReachable: true},
		{name: "unblocked the bot", u: tgbotapi.Update{UpdateID: 5, MyChatMember: member("member")}, reachable: true},
		{name: "group message not for the bot: ignored", u: tgbotapi.Update{UpdateID: 6,
			Message: &tgbotapi.Message{Chat: &tgbotapi.Chat{ID: -5, Type: "group"}, From: user(111), Text: "hi all"}}},
		{name: "ADMIN_TELEGRAM_IDS granted at the first message", u: tgbotapi.Update{UpdateID: 7,
			Message: &tgbotapi.Message{Chat: &tgbotapi.Chat{ID: 42, Type: "private"}, From: user(42), Text: "/start"}},
			calls: "sendMessage 42 echo /start", handled: 1, recorded: true, admin: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testdb.SQLite(t)
			ctx := context.Background()
			if _, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: "111", ChatID: "111"}); err != nil {
				t.Fatal(err)
			}
			if !tc.wasReachable {
				if _, err := s.MarkUnreachable(ctx, models.ChannelTelegram, "111"); err != nil {
					t.Fatal(err)
				}
			}
			var handled []bot.Incoming
			c := intakeChannel(t, s, &handled)
			for range 2 { // delivered again: nothing more
				if err := c.HandleUpdate(ctx, tc.u); err != nil {
					t.Fatal(err)
				}
			}
			if got := strings.Join(calls(t, s), "|"); got != tc.calls || len(handled) != tc.handled {
				t.Errorf("calls %q, handler ran %d times; want %q, %d", got, len(handled), tc.calls, tc.handled)
			}
			if done, _ := s.UpdateProcessed(ctx, models.ChannelTelegram, strconv.Itoa(tc.u.UpdateID)); done != tc.recorded {
				t.Errorf("recorded %v, want %v", done, tc.recorded)
			}
			ct, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: "111"})
			if err != nil || ct.Reachable != tc.reachable {
				t.Errorf("contact 111 reachable %v (%v), want %v", ct.Reachable, err, tc.reachable)
			}
			if _, granted := c.granted.Load(int64(42)); granted != tc.admin {
				t.Errorf("admin granted %v, want %v", granted, tc.admin)
			}
		})
	}
}
