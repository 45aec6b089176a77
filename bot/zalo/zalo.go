// Package zalo is the Zalo Official Account channel: the OA's signed
// webhook events become bot.Incoming, and the handlers' Outgoing
// become customer-service messages of the OA API v3, sent through the
// outbox with the OA's access token (refreshed through the OAuth endpoint
// when Zalo refuses it, once across replicas).
//
// Each event is handled once: its key (the message id, or event, user and
// timestamp) is recorded in the same transaction as the handler's effects
// and the replies queued in the outbox.
//
// Zalo only lets an OA write to a user for a while after the user's last
// interaction (the customer-service window, 7 days by default): the
// channel records that time on the contact, and InWindow / SplitWindow
// tell broadcasts whom they can still reach.
package zalo

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/bot/outbox"
	"electionbot/models"
)

// Default endpoints (ZALO_API_ENDPOINT, ZALO_OAUTH_ENDPOINT).
const (
	DefaultAPIEndpoint   = "https://openapi.zalo.me"
	DefaultOAuthEndpoint = "https://oauth.zaloapp.com"
)

// API paths under the endpoints.
const (
	MessagePath = "/v3.0/oa/message/cs"
	TokenPath   = "/v4/oa/access_token"
)

// DefaultWindow is how long after a user's last interaction the OA may
// send them customer-service messages ("tin tư vấn": within 7 days; the
// first 8 replies within 48 hours are free, later ones use the OA's
// quota). Outside it Zalo answers -230.
const DefaultWindow = 7 * 24 * time.Hour

// Config configures the channel. Zero values take the defaults in
// brackets.
type Config struct {
	AppID string // ZALO_APP_ID
	// OAID is the Official Account's id (ZALO_OA_ID). Set, an event of
	// another OA is refused (403) even when it is signed with our key;
	// unset, only the app id is checked.
	OAID        string
	AppSecret   string // ZALO_APP_SECRET: the secret_key of token refreshes
	OASecretKey string // ZALO_OA_SECRET_KEY: signs the webhook events
	// AccessToken and RefreshToken are the first token pair
	// (ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN). They are stored in the
	// database at the first start; refreshed pairs replace them there.
	// A pair different from the one the stored chain started from (the
	// app was authorised again) replaces the stored one.
	AccessToken, RefreshToken string
	APIEndpoint               string // [DefaultAPIEndpoint]
	OAuthEndpoint             string // [DefaultOAuthEndpoint]

	Store   *models.Store
	Handler bot.Handler
	Outbox  intake.Outbox
	// Routes encode replies addressed to contacts of other channels; this
	// channel adds its own encoder to them. Nil: such replies are dropped
	// (logged).
	Routes      *intake.Routes
	DefaultLang string // language of the texts the channel adds [vi]

	Window      time.Duration // customer-service window [DefaultWindow]
	MaxEventAge time.Duration // older (or as far in the future) events are refused as replays [5m]
	// WebhookLimits bound the reading of webhook bodies: the mac is
	// checked once the body is read, so anyone may send one [the defaults
	// of intake.NewBodyLimits].
	WebhookLimits *intake.BodyLimits
	RateLimitWait time.Duration // pause of all sends after error -32 [15s]
	// InfoImageURL is the image of the card that asks for the user's
	// phone (request_user_info), e.g. the OA's logo [none].
	InfoImageURL string
	// OtherEvents, when set, is offered the verified events the channel
	// does not handle itself (body as posted): ZNS delivery receipts
	// (bot/zns Deliveries.HandleEvent). handled false: the channel ignores
	// the event as before; an error answers 500 (Zalo posts it again).
	OtherEvents func(ctx context.Context, body []byte) (handled bool, err error)

	Now        func() time.Time // [time.Now]
	HTTPClient *http.Client     // [a client with a 30 s timeout]
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Channel is a running Zalo OA channel.
type Channel struct {
	cfg    Config
	store  *models.Store
	enc    *Encoder
	log    *slog.Logger
	intake *intake.Intake
	// refreshes counts the token refreshes, by result.
	refreshes *prometheus.CounterVec

	tokMu sync.Mutex
	tok   tokenPair // the pair in use (a copy of the stored one)
	sf    singleflight.Group

	pauseMu     sync.Mutex
	pausedUntil time.Time // after -32, every send waits
}

// New sets up the channel: it stores the first token pair (or takes the
// stored one) and loads the catalogs. It makes no API call.
func New(ctx context.Context, cfg Config) (*Channel, error) {
	switch {
	case cfg.AppID == "":
		return nil, errors.New("zalo: no app id (ZALO_APP_ID)")
	case cfg.OASecretKey == "":
		return nil, errors.New("zalo: no OA secret key (ZALO_OA_SECRET_KEY): webhook events cannot be verified")
	case cfg.Store == nil || cfg.Handler == nil || cfg.Outbox == nil:
		return nil, errors.New("zalo: Config needs Store, Handler and Outbox")
	}
	if cfg.APIEndpoint == "" {
		cfg.APIEndpoint = DefaultAPIEndpoint
	}
	if cfg.OAuthEndpoint == "" {
		cfg.OAuthEndpoint = DefaultOAuthEndpoint
	}
	cfg.APIEndpoint = strings.TrimRight(cfg.APIEndpoint, "/")
	cfg.OAuthEndpoint = strings.TrimRight(cfg.OAuthEndpoint, "/")
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.WebhookLimits == nil {
		cfg.WebhookLimits = intake.NewBodyLimits(0, 0)
	}
	if cfg.MaxEventAge <= 0 {
		cfg.MaxEventAge = 5 * time.Minute
	}
	if cfg.RateLimitWait <= 0 {
		cfg.RateLimitWait = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	enc, err := NewEncoder(cfg.DefaultLang, cfg.InfoImageURL)
	if err != nil {
		return nil, err
	}
	c := &Channel{
		cfg:       cfg,
		store:     cfg.Store,
		enc:       enc,
		log:       cfg.Logger.With("channel", models.ChannelZalo),
		refreshes: newRefreshes(cfg.Registerer),
	}
	if err := c.initTokens(ctx); err != nil {
		return nil, err
	}
	if cfg.AppSecret == "" {
		c.log.Warn("zalo: ZALO_APP_SECRET is not set: the access token cannot be refreshed when it expires")
	}
	c.intake, err = intake.New(intake.Config{
		Channel: models.ChannelZalo, Store: cfg.Store, Handler: mergeReplies(cfg.Handler), Outbox: cfg.Outbox,
		Encode: c.encode, Routes: cfg.Routes, Logger: c.log, Registerer: cfg.Registerer,
	})
	if err != nil {
		return nil, err
	}
	c.log.Info("zalo: ready", "api", cfg.APIEndpoint, "window", cfg.Window)
	return c, nil
}

// ChatLimit is the pace of one Zalo user (outbox key "zalo:<user_id>"):
// one message a second, bursts of 3. Zalo publishes no per-user limit;
// the app-wide limit answers -32, after which the whole channel waits.
func ChatLimit(string) (rate.Limit, int) { return rate.Limit(1), 3 }

// Sender sends the channel's outbox messages.
func (c *Channel) Sender() outbox.Sender { return outbox.SenderFunc(c.send) }

func (c *Channel) now() time.Time { return c.cfg.Now().UTC() }

func newRefreshes(reg prometheus.Registerer) *prometheus.CounterVec {
	refreshes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "electionbot_zalo_token_refreshes_total",
		Help: "Access token refreshes through the OAuth endpoint, by result (ok, adopted: another replica had refreshed, failed).",
	}, []string{"result"})
	if reg != nil {
		reg.MustRegister(refreshes)
	}
	return refreshes
}
