package zalo

import (
	"context"
	"errors"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/bot/zalo/zalotest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestRateLimitBacksOff(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, func(c *Config) { c.RateLimitWait = 20 * time.Second })
	fake.Inject(zalotest.RateLimited())
	ctx := context.Background()
	err := e.c.send(ctx, msg(hello))
	var se *outbox.SendError
	if !errors.As(err, &se) || se.Kind != outbox.RateLimited || se.RetryAfter != 20*time.Second || se.Code != "-32" {
		t.Fatalf("send = %#v, want RateLimited after 20s", err)
	}
	// The whole channel waits: the next send does not reach Zalo.
	e.clock.Add(5 * time.Second)
	err = e.c.send(ctx, &models.OutboxMessage{Channel: models.ChannelZalo, ChatID: "u2", Payload: `{"recipient":{"user_id":"u2"},"message":{"text":"x"}}`})
	if !errors.As(err, &se) || se.Kind != outbox.RateLimited || se.RetryAfter != 15*time.Second {
		t.Fatalf("send during the pause = %v", err)
	}
	if n := len(fake.Calls()); n != 1 {
		t.Fatalf("%d calls reached Zalo during the pause", n)
	}
	e.clock.Add(16 * time.Second)
	if err := e.c.send(ctx, msg(hello)); err != nil {
		t.Fatalf("after the pause: %v", err)
	}
}

func TestRateLimitedReplyArrivesThroughTheOutbox(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, func(c *Config) { c.RateLimitWait = 300 * time.Millisecond; c.Now = time.Now })
	fake.Inject(zalotest.RateLimited())
	b := zalotest.TextEvent("u1", "m1", "hi", time.Now())
	if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
		t.Fatalf("webhook %d", got)
	}
	sent := fake.WaitSent(t, "u1", 1)
	calls := fake.Calls()
	if len(calls) != 2 || calls[0].Error != ErrRateLimit {
		t.Fatalf("calls %+v", calls)
	}
	if gap := sent[0].At.Sub(calls[0].At); gap < 250*time.Millisecond {
		t.Fatalf("sent again %v after -32", gap)
	}
}

func TestClassify(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, nil)
	tests := []struct {
		reply zalotest.Reply
		kind  outbox.ErrorKind
		code  string
	}{
		{zalotest.OutsideWindow(), outbox.Unreachable, CodeOutsideWindow},
		{zalotest.NotFollower(), outbox.Unreachable, CodeNotFollower},
		{zalotest.APIError(-201, "Parameters are invalid"), outbox.Permanent, "-201"},
		{zalotest.ServerError(), outbox.Temporary, "502"},
		{zalotest.Reply{Status: 200, Body: "not json"}, outbox.Temporary, "bad_response"},
	}
	for _, tc := range tests {
		fake.Inject(tc.reply)
		err := e.c.send(context.Background(), msg(hello))
		var se *outbox.SendError
		if !errors.As(err, &se) || se.Kind != tc.kind || se.Code != tc.code {
			t.Errorf("%s: %v (%#v), want kind %d code %s", tc.reply.Body, err, se, tc.kind, tc.code)
		}
	}
	if err := e.c.send(context.Background(), msg("{")); err == nil {
		t.Error("a bad payload was sent")
	}
}

// TestRequestBodyOnTheWire checks what the OA API receives for a reply
// with buttons: the body as encoded, with the access token header.
func TestRequestBodyOnTheWire(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, nil)
	e.h.outs = func(in bot.Incoming) []bot.Outgoing {
		return []bot.Outgoing{{ChatID: in.ChatID, Channel: in.Channel, Text: "Lưu biên bản KP1?",
			Keyboard: &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{{Text: "✅ Lưu", Data: "o:ok:7"}, {Text: "✏️ Sửa", Data: "o:edit:7"}}}}}}
	}
	b := zalotest.TextEvent("u1", "m1", "KQ KP1 TD 290", e.clock.Now())
	if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
		t.Fatalf("webhook %d", got)
	}
	call := fake.WaitSent(t, "u1", 1)[0]
	// A reply to the user's message m1 carries its id.
	want := `{"recipient":{"user_id":"u1","message_id":"m1"},"message":{"text":"Lưu biên bản KP1?","attachment":{"type":"template","payload":{"buttons":[` +
		`{"title":"✅ Lưu","type":"oa.query.hide","payload":"#cb:o:ok:7"},{"title":"✏️ Sửa","type":"oa.query.hide","payload":"#cb:o:edit:7"}]}}}}`
	if string(call.Body) != want || call.AccessToken != zalotest.FirstAccess {
		t.Fatalf("on the wire (token %q):\n%s\nwant\n%s", call.AccessToken, call.Body, want)
	}
	// Pressing "✏️ Sửa" comes back as its callback.
	b = zalotest.TextEvent("u1", "m2", call.Buttons()[1].Payload, e.clock.Now())
	zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b))
	if got := e.h.calls(); len(got) != 2 || got[1].Callback != "o:edit:7" || got[1].Text != "" {
		t.Fatalf("the press reached the handler as %+v", got[len(got)-1])
	}
}
