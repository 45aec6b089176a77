package zalo

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/bot/zalo/zalotest"
	"electionbot/models"
)

// echo answers "echo: <text or callback>" and creates the contact in the
// event's transaction, recording what it got.
type echo struct {
	mu   sync.Mutex
	got  []bot.Incoming
	outs func(in bot.Incoming) []bot.Outgoing
}

func (e *echo) Handle(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
	if _, err := tx.EnsureContact(ctx, &models.Contact{Channel: in.Channel, ExternalID: in.UserID, ChatID: in.ChatID, Lang: "vi"}); err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.got = append(e.got, in)
	e.mu.Unlock()
	if e.outs != nil {
		return e.outs(in), nil
	}
	return []bot.Outgoing{{ChatID: in.ChatID, Channel: in.Channel, Text: "echo: " + in.Text + in.Callback}}, nil
}

func (e *echo) calls() []bot.Incoming {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]bot.Incoming(nil), e.got...)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	s     *models.Store
	fake  *zalotest.Server
	c     *Channel
	ob    *outbox.Outbox
	h     *echo
	clock *clock
	url   string
}

func newEnv(t *testing.T, s *models.Store, fake *zalotest.Server, mod func(*Config)) *env {
	t.Helper()
	ctx := context.Background()
	ob, err := outbox.New(ctx, outbox.Config{Store: s, Grace: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{s: s, fake: fake, ob: ob, h: &echo{}, clock: &clock{t: time.Now().UTC()}}
	cfg := Config{
		AppID: zalotest.AppID, AppSecret: zalotest.AppSecret, OASecretKey: zalotest.OASecretKey,
		AccessToken: zalotest.FirstAccess, RefreshToken: zalotest.FirstRefresh,
		APIEndpoint: fake.Endpoint(), OAuthEndpoint: fake.Endpoint(),
		Store: s, Handler: e.h, Outbox: ob, Now: e.clock.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	if e.c, err = New(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	ob.Register(models.ChannelZalo, e.c.Sender())
	ts := httptest.NewServer(e.c.WebhookHandler())
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

func (e *env) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := e.s.DB(context.Background()).Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) contact(t *testing.T, uid string) *models.Contact {
	t.Helper()
	var c models.Contact
	if err := e.s.DB(context.Background()).Where("channel = ? AND external_id = ?", models.ChannelZalo, uid).Take(&c).Error; err != nil {
		t.Fatalf("contact %s: %v", uid, err)
	}
	return &c
}

func msg(payload string) *models.OutboxMessage {
	return &models.OutboxMessage{Channel: models.ChannelZalo, ChatID: "u1", Payload: payload}
}

const hello = `{"recipient":{"user_id":"u1"},"message":{"text":"xin chào"}}`
