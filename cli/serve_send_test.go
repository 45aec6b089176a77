package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/models"
)

func testRateLimited(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	fake.InjectChat(111, telegramtest.TooManyRequests(1))
	h := startServe(t, s, fake, webhookEnv(), &echo{})
	if code := h.post(textUpdate(6001, 111, "hi"), testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	fake.WaitSent(t, 111, 1)
	var tries []telegramtest.Call
	for _, c := range fake.Calls("sendMessage") {
		if c.Get("chat_id") == "111" {
			tries = append(tries, c)
		}
	}
	if len(tries) != 2 || tries[0].OK || !tries[1].OK {
		t.Fatalf("sendMessage tries: %d", len(tries))
	}
	if gap := tries[1].At.Sub(tries[0].At); gap < 950*time.Millisecond {
		t.Fatalf("retried %v after a 429 with retry_after 1", gap)
	}
}

func testServerError(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	fake.InjectChat(111, telegramtest.ServerError(), telegramtest.BadGateway())
	h := startServe(t, s, fake, webhookEnv(), &echo{})
	if code := h.post(textUpdate(6101, 111, "hi"), testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	fake.WaitSent(t, 111, 1)
	if n := len(fake.Calls("sendMessage")); n != 3 {
		t.Fatalf("sendMessage tries: %d, want 3 (500, 502, ok)", n)
	}
}

func testBlocked(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	fake.Block(111)
	h := startServe(t, s, fake, webhookEnv(), nil) // real handlers create the contact
	if code := h.post(textUpdate(7001, 111, "/start"), testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	waitUntil(t, "contact unreachable", func() bool { return !h.contact(111).Reachable })
	var pending int64
	s.DB(context.Background()).Model(&models.OutboxMessage{}).Where("status IN ?", []string{"pending", "sending"}).Count(&pending)
	if pending != 0 {
		t.Fatalf("%d messages still queued for a blocked chat", pending)
	}
	if len(fake.Sent(111)) != 0 {
		t.Fatal("a blocked chat received a message")
	}
}

func testMyChatMember(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	h := startServe(t, s, fake, webhookEnv(), &echo{})
	if code := h.post(textUpdate(7101, 111, "hi"), testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	member := func(id int, status string) string {
		return fmt.Sprintf(`{"update_id":%d,"my_chat_member":{"chat":{"id":111,"type":"private"},"from":{"id":111,"is_bot":false,"first_name":"An"},"date":1,`+
			`"old_chat_member":{"user":{"id":123456,"is_bot":true,"first_name":"B"},"status":"member"},`+
			`"new_chat_member":{"user":{"id":123456,"is_bot":true,"first_name":"B"},"status":%q}}}`, id, status)
	}
	if code := h.post(member(7102, "kicked"), testSecret); code != 200 || h.contact(111).Reachable {
		t.Fatalf("kicked: %d, reachable %v", code, h.contact(111).Reachable)
	}
	if code := h.post(textUpdate(7103, 111, "again"), testSecret); code != 200 || !h.contact(111).Reachable {
		t.Fatalf("writing again: %d, reachable %v", code, h.contact(111).Reachable)
	}
}

func testCallback(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	e := &echo{}
	h := startServe(t, s, fake, webhookEnv(), e)
	cb := `{"update_id":8001,"callback_query":{"id":"cbq-1","from":{"id":111,"is_bot":false,"first_name":"An","language_code":"en"},` +
		`"chat_instance":"ci","data":"tally:ok:3","message":{"message_id":55,"date":1,"chat":{"id":111,"type":"private"},` +
		`"text":"Save the tally of <Khu phố 1>?","reply_markup":{"inline_keyboard":[[{"text":"✅ Save","callback_data":"tally:ok:3"}]]}}}}`
	if code := h.post(cb, testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	calls := fake.WaitFor(t, "answer, edit and reply", func(c []telegramtest.Call) bool { return len(fake.Sent(111)) >= 1 })
	var methods []string
	for _, c := range calls {
		switch c.Method {
		case "answerCallbackQuery", "editMessageText", "sendMessage":
			methods = append(methods, c.Method)
		}
	}
	if strings.Join(methods, ",") != "answerCallbackQuery,editMessageText,sendMessage" {
		t.Fatalf("calls %v", methods)
	}
	if got := fake.Calls("answerCallbackQuery")[0].Get("callback_query_id"); got != "cbq-1" {
		t.Fatalf("answered %q", got)
	}
	edit := fake.Calls("editMessageText")[0]
	if edit.Get("message_id") != "55" || edit.Get("text") != "Save the tally of &lt;Khu phố 1&gt;?\n\n✓ ✅ Save" {
		t.Fatalf("edit %v", edit.Params)
	}
	if in := e.calls(); len(in) != 1 || in[0].Callback != "tally:ok:3" || in[0].Lang != "en" {
		t.Fatalf("handler got %+v", in)
	}
}

func testMetrics(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	fake.InjectChat(111, telegramtest.ServerError())
	h := startServe(t, s, fake, webhookEnv(), &echo{})
	if code, body := h.get("/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	h.post(textUpdate(9201, 111, "hi"), testSecret)
	h.post(textUpdate(9201, 111, "hi"), testSecret)
	h.post(textUpdate(9202, 111, "hi"), "wrong")
	fake.WaitSent(t, 111, 1)
	waitUntil(t, "sent counted", func() bool {
		_, body := h.get("/metrics")
		return strings.Contains(body, `electionbot_outbox_sent_total{channel="telegram",kind="reply"} 1`)
	})
	h.checkMetrics(
		`electionbot_updates_received_total{channel="telegram",type="message"} 2`,
		`electionbot_updates_duplicate_total{channel="telegram"} 1`,
		`electionbot_handler_seconds_count{channel="telegram"} 1`,
		`electionbot_webhook_requests_total{channel="telegram",status="401"} 1`,
		`electionbot_outbox_send_errors_total{channel="telegram",code="500"} 1`,
	)
}
