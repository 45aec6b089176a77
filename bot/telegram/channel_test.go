package telegram

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

func newChannel(t *testing.T, s *models.Store, fake *telegramtest.Server, webhookSecret string) *Channel {
	t.Helper()
	ctx := context.Background()
	ob, err := outbox.New(ctx, outbox.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(ctx, Config{
		Token: telegramtest.Token, Endpoint: fake.Endpoint(),
		WebhookURL: "https://bot.example.org" + WebhookPath, WebhookSecret: webhookSecret,
		Store: s, Outbox: ob,
		Handler: bot.HandlerFunc(func(context.Context, *models.Store, bot.Incoming) ([]bot.Outgoing, error) { return nil, nil }),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSendThroughTheAPI sends encoded Outgoing through tgbotapi to the fake
// and checks the parameters the Bot API receives.
func TestSendThroughTheAPI(t *testing.T) {
	fake := telegramtest.New(t)
	c := newChannel(t, testdb.SQLite(t), fake, "x")
	tests := []struct {
		name   string
		out    bot.Outgoing
		method string
		check  func(t *testing.T, call telegramtest.Call)
	}{
		{"escaped HTML text", bot.Outgoing{Text: "Tổ <b> & Nguyễn"}, "sendMessage", func(t *testing.T, call telegramtest.Call) {
			if call.Get("text") != "Tổ &lt;b&gt; &amp; Nguyễn" || call.Get("parse_mode") != "HTML" {
				t.Errorf("params %v", call.Params)
			}
		}},
		{"request_contact keyboard", bot.Outgoing{Text: "Số điện thoại?", Keyboard: &bot.Keyboard{Rows: [][]bot.Button{{{Text: "📱 Gửi", RequestContact: true}}}}},
			"sendMessage", func(t *testing.T, call telegramtest.Call) {
				var kb tgbotapi.ReplyKeyboardMarkup
				if err := call.JSON("reply_markup", &kb); err != nil || !kb.Keyboard[0][0].RequestContact || !kb.OneTimeKeyboard {
					t.Errorf("reply_markup %s (%v)", call.Get("reply_markup"), err)
				}
			}},
		{"inline keyboard", bot.Outgoing{Text: "?", Keyboard: &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{{Text: "KP1", Data: "area:1"}}}}},
			"sendMessage", func(t *testing.T, call telegramtest.Call) {
				var kb tgbotapi.InlineKeyboardMarkup
				if err := call.JSON("reply_markup", &kb); err != nil || *kb.InlineKeyboard[0][0].CallbackData != "area:1" {
					t.Errorf("reply_markup %s (%v)", call.Get("reply_markup"), err)
				}
			}},
		{"keyboard removal", bot.Outgoing{Text: "ok", RemoveKeyboard: true}, "sendMessage", func(t *testing.T, call telegramtest.Call) {
			if call.Get("reply_markup") != `{"remove_keyboard":true}` {
				t.Errorf("reply_markup %s", call.Get("reply_markup"))
			}
		}},
		{"location", bot.Outgoing{Location: &bot.Location{Lat: 21.53, Lon: 107.96}}, "sendLocation", func(t *testing.T, call telegramtest.Call) {
			if call.Get("latitude") != "21.53" || call.Get("longitude") != "107.96" {
				t.Errorf("params %v", call.Params)
			}
		}},
		{"photo of the minutes with caption", bot.Outgoing{Photo: "AgACAgIAAxkBAAIB", Text: "Biên bản <KP1> bản 2"}, "sendPhoto", func(t *testing.T, call telegramtest.Call) {
			if call.Get("photo") != "AgACAgIAAxkBAAIB" || call.Get("caption") != "Biên bản &lt;KP1&gt; bản 2" || call.Get("parse_mode") != "HTML" {
				t.Errorf("params %v", call.Params)
			}
		}},
		{"document upload", bot.Outgoing{Document: &bot.Document{Name: "ket-qua.csv", Data: []byte("kp1,290\n")}}, "sendDocument", func(t *testing.T, call telegramtest.Call) {
			if string(call.Files["document"]) != "kp1,290\n" || call.Get("document_name") != "ket-qua.csv" {
				t.Errorf("files %v params %v", call.Files, call.Params)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls, err := Encode("111", tc.out)
			if err != nil || len(calls) != 1 {
				t.Fatalf("Encode: %d calls, %v", len(calls), err)
			}
			n := len(fake.Calls(tc.method))
			if err := c.send(context.Background(), c.row("111", models.OutboxReply, calls[0])); err != nil {
				t.Fatalf("send: %v", err)
			}
			got := fake.Calls(tc.method)
			if len(got) != n+1 || !got[n].OK {
				t.Fatalf("%s not accepted by the API: %+v", tc.method, got)
			}
			tc.check(t, got[n])
		})
	}
}

func TestClassify(t *testing.T) {
	fake := telegramtest.New(t)
	c := newChannel(t, testdb.SQLite(t), fake, "x")
	tests := []struct {
		reply      telegramtest.Reply
		kind       outbox.ErrorKind
		code       string
		retryAfter time.Duration
	}{
		{telegramtest.TooManyRequests(7), outbox.RateLimited, "429", 7 * time.Second},
		{telegramtest.Blocked(), outbox.Unreachable, "403", 0},
		{telegramtest.Deactivated(), outbox.Unreachable, "403", 0},
		{telegramtest.ChatNotFound(), outbox.Unreachable, "400", 0},
		{telegramtest.ServerError(), outbox.Temporary, "500", 0},
		{telegramtest.BadGateway(), outbox.Temporary, "bad_response", 0},
		{telegramtest.Reply{Status: 400, Body: `{"ok":false,"error_code":400,"description":"Bad Request: message is not modified"}`}, outbox.Permanent, "400", 0},
	}
	for _, tc := range tests {
		t.Run(tc.code+" "+tc.reply.Body, func(t *testing.T) {
			fake.Inject("sendMessage", tc.reply)
			call := Call{Method: "sendMessage", Params: map[string]string{"chat_id": "111", "text": "x"}}
			err := c.send(context.Background(), c.row("111", models.OutboxReply, call))
			var se *outbox.SendError
			if !errors.As(err, &se) {
				t.Fatalf("send error %v is not a SendError", err)
			}
			if se.Kind != tc.kind || se.Code != tc.code || se.RetryAfter != tc.retryAfter {
				t.Fatalf("got kind %d code %s retry %v", se.Kind, se.Code, se.RetryAfter)
			}
		})
	}
	t.Run("network", func(t *testing.T) {
		err := Classify(errors.New("dial tcp: connection refused"))
		var se *outbox.SendError
		if !errors.As(err, &se) || se.Kind != outbox.Temporary || se.Code != "network" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("group migrated to a supergroup", func(t *testing.T) {
		fake.Inject("sendMessage", telegramtest.Reply{Status: 400,
			Body: `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-100777}}`})
		call := Call{Method: "sendMessage", Params: map[string]string{"chat_id": "-777", "text": "x"}}
		if err := c.send(context.Background(), c.row("-777", models.OutboxReply, call)); err != nil {
			t.Fatalf("send: %v", err)
		}
		if len(fake.Sent(-100777)) != 1 {
			t.Fatal("not resent to the supergroup")
		}
	})
}

// TestRandomWebhookSecretAcrossReplicas: without TELEGRAM_WEBHOOK_SECRET
// each start sets a random secret (the last setWebhook wins); a replica
// started earlier learns the new one from the database.
func TestRandomWebhookSecretAcrossReplicas(t *testing.T) {
	fake := telegramtest.New(t)
	s := testdb.SQLite(t)
	ctx := context.Background()
	a := newChannel(t, s, fake, "")
	if err := a.SetWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	_, first := fake.Webhook()
	b := newChannel(t, s, fake, "")
	if err := b.SetWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	_, second := fake.Webhook()
	if len(first) < 32 || first == second || strings.ContainsAny(second, "+/=") {
		t.Fatalf("secrets %q then %q: want two different random tokens", first, second)
	}
	if a.checkSecret(ctx, "") || a.checkSecret(ctx, "guess") {
		t.Fatal("accepted a wrong secret")
	}
	a.secretLoaded = time.Now().Add(-time.Minute) // the reload throttle has passed
	if !a.checkSecret(ctx, second) || !b.checkSecret(ctx, second) {
		t.Fatal("the current secret is refused")
	}
	if a.checkSecret(ctx, first) {
		t.Fatal("the replaced secret is still accepted")
	}
}
