// Package telegram is the Telegram channel: Bot API updates (long polling
// or a webhook with a secret token) become bot.Incoming, and the
// handlers' Outgoing become Bot API calls sent through the outbox.
//
// Each update is handled once: its update_id is recorded in the same
// transaction as the handler's effects and the replies queued in the
// outbox, so an update delivered again (a webhook retry, a poll after a
// crash) is acknowledged without being processed twice.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/bot/outbox"
	"electionbot/models"
)

// DefaultEndpoint is the public Bot API.
const DefaultEndpoint = tgbotapi.APIEndpoint

// AllowedUpdates are the update types the bot asks for.
var AllowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// Config configures the channel.
type Config struct {
	Token    string
	Endpoint string // Bot API endpoint pattern (TELEGRAM_API_ENDPOINT) [DefaultEndpoint]
	// WebhookURL set: webhook mode; empty: long polling.
	WebhookURL string
	// WebhookSecret is the secret_token; random per start if empty.
	WebhookSecret  string
	MaxConnections int // webhook connections Telegram may open [40]
	// WebhookLimits bound the reading of webhook bodies [the defaults of
	// intake.NewBodyLimits].
	WebhookLimits *intake.BodyLimits

	Store   *models.Store
	Handler bot.Handler
	Outbox  intake.Outbox
	// Routes encode replies addressed to contacts of other channels; this
	// channel adds its own encoder to them. Nil: such replies are dropped
	// (logged).
	Routes *intake.Routes

	// AdminIDs are Telegram user ids made ward admins at their first
	// message (ADMIN_TELEGRAM_IDS).
	AdminIDs    []int64
	DefaultLang string // language of the default command menu [vi]

	PollTimeout time.Duration // getUpdates long-poll timeout [25s]
	// HTTPClient makes the Bot API requests [a client with a 60 s timeout].
	HTTPClient *http.Client
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Channel is a running Telegram bot.
type Channel struct {
	cfg     Config
	bot     *tgbotapi.BotAPI
	self    Self
	store   *models.Store
	log     *slog.Logger
	intake  *intake.Intake
	admins  map[int64]bool
	granted sync.Map // admin ids granted by this process

	secretMu     sync.Mutex
	secret       string
	secretStored bool // random secret shared through channel_state
	secretLoaded time.Time
}

// New connects to the Bot API (getMe, retried with backoff until it
// answers or ctx is done; a wrong token fails at once).
func New(ctx context.Context, cfg Config) (*Channel, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no token")
	}
	if cfg.Store == nil || cfg.Handler == nil || cfg.Outbox == nil {
		return nil, errors.New("telegram: Config needs Store, Handler and Outbox")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.WebhookLimits == nil {
		cfg.WebhookLimits = intake.NewBodyLimits(0, 0)
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = 40
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Channel{
		cfg:    cfg,
		store:  cfg.Store,
		log:    cfg.Logger.With("channel", models.ChannelTelegram),
		admins: map[int64]bool{},
	}
	for _, id := range cfg.AdminIDs {
		c.admins[id] = true
	}
	var err error
	for attempt := 1; ; attempt++ {
		c.bot, err = tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.Endpoint, ctxClient{cfg.HTTPClient, ctx})
		if err == nil {
			break
		}
		var te *tgbotapi.Error
		if errors.As(err, &te) && (te.Code == 401 || te.Code == 404) {
			return nil, fmt.Errorf("telegram: getMe: %w (check TELEGRAM_TOKEN and TELEGRAM_API_ENDPOINT)", err)
		}
		wait := min(time.Duration(attempt)*time.Second, 30*time.Second)
		c.log.Warn("telegram: getMe failed, retrying", "err", err, "in", wait)
		if outbox.Sleep(ctx, wait) != nil {
			return nil, fmt.Errorf("telegram: getMe: %w", err)
		}
	}
	c.self = Self{ID: c.bot.Self.ID, Username: c.bot.Self.UserName}
	// After getMe: a channel that is not connected takes no replies of
	// the other channels.
	c.intake, err = intake.New(intake.Config{
		Channel: models.ChannelTelegram, Store: cfg.Store, Handler: cfg.Handler, Outbox: cfg.Outbox,
		Encode: c.encode, Routes: cfg.Routes, Logger: c.log, Registerer: cfg.Registerer,
	})
	if err != nil {
		return nil, err
	}
	c.log.Info("telegram: connected", "bot", c.self.Username, "mode", c.Mode())
	return c, nil
}

// Mode is "webhook" or "polling".
func (c *Channel) Mode() string {
	if c.cfg.WebhookURL != "" {
		return "webhook"
	}
	return "polling"
}

// Self is the bot's identity.
func (c *Channel) Self() Self { return c.self }

// ChatLimit is Telegram's pace for a chat key "telegram:<chat_id>" of the
// outbox: one message a second in a private chat (short bursts of 3 are
// tolerated), 20 a minute in a group (negative chat ids).
func ChatLimit(key string) (rate.Limit, int) {
	if strings.HasPrefix(key, models.ChannelTelegram+":-") {
		return rate.Limit(20.0 / 60.0), 3
	}
	return rate.Limit(1), 3
}

// SetCommands sets the command menus (vi, en, default); failures are
// logged, not fatal.
func (c *Channel) SetCommands(ctx context.Context) {
	calls, err := CommandMenus(c.cfg.DefaultLang)
	if err != nil {
		c.log.Error("telegram: command menu", "err", err)
		return
	}
	for _, call := range calls {
		if _, err := c.do(ctx, call); err != nil {
			c.log.Warn("telegram: setMyCommands", "language_code", call.Params["language_code"], "err", err)
		}
	}
}

// Sender sends the channel's outbox messages.
func (c *Channel) Sender() outbox.Sender { return outbox.SenderFunc(c.send) }

func (c *Channel) send(ctx context.Context, m *models.OutboxMessage) error {
	var call Call
	if err := json.Unmarshal([]byte(m.Payload), &call); err != nil {
		return &outbox.SendError{Kind: outbox.Permanent, Code: "payload", Err: err}
	}
	_, err := c.do(ctx, call)
	var te *tgbotapi.Error
	if errors.As(err, &te) && te.MigrateToChatID != 0 && call.Params["chat_id"] != "" {
		// The group became a supergroup: same chat, new id.
		call.Params["chat_id"] = strconv.FormatInt(te.MigrateToChatID, 10)
		_, err = c.do(ctx, call)
	}
	return Classify(err)
}

// Classify maps a Bot API error to the outbox's kinds: 429 waits
// retry_after; 403 (blocked, deactivated, kicked) and 400 chat not found
// make the chat unreachable; other 400s are permanent; 5xx, network errors
// and answers that are not JSON are temporary.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		code := "network"
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			code = "bad_response"
		}
		return &outbox.SendError{Kind: outbox.Temporary, Code: code, Err: err}
	}
	se := &outbox.SendError{Code: strconv.Itoa(te.Code), Err: err}
	desc := strings.ToLower(te.Message)
	switch {
	case te.Code == 429:
		se.Kind = outbox.RateLimited
		se.RetryAfter = time.Duration(te.RetryAfter) * time.Second
	case te.Code == 403:
		se.Kind = outbox.Unreachable
	case te.Code == 400 && (strings.Contains(desc, "chat not found") || strings.Contains(desc, "user is deactivated") ||
		strings.Contains(desc, "peer_id_invalid") || strings.Contains(desc, "bot was kicked")):
		se.Kind = outbox.Unreachable
	case te.Code == 400:
		se.Kind = outbox.Permanent
	default: // 5xx; 401/404 (token or endpoint): retried, bounded
		se.Kind = outbox.Temporary
	}
	return se
}

// do makes one Bot API call, cancelled with ctx.
func (c *Channel) do(ctx context.Context, call Call) (*tgbotapi.APIResponse, error) {
	bot := *c.bot
	bot.Client = ctxClient{c.cfg.HTTPClient, ctx}
	if call.File != nil {
		return bot.UploadFiles(call.Method, tgbotapi.Params(call.Params), []tgbotapi.RequestFile{{
			Name: call.File.Field,
			Data: tgbotapi.FileBytes{Name: call.File.Name, Bytes: call.File.Data},
		}})
	}
	return bot.MakeRequest(call.Method, tgbotapi.Params(call.Params))
}

// ctxClient gives tgbotapi's context-less requests a context.
type ctxClient struct {
	c   *http.Client
	ctx context.Context
}

func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	return c.c.Do(req.WithContext(c.ctx))
}
