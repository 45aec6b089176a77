package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/bot/outbox"
	"electionbot/bot/sms"
	"electionbot/bot/telegram"
	"electionbot/bot/zalo"
	"electionbot/bot/zns"
	"electionbot/broadcast"
	"electionbot/models"
	"electionbot/results"
)

func cmdServe(ctx context.Context, cfg *Config, args []string) error {
	if len(args) > 0 {
		return usageErr("serve takes no arguments")
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	srv, err := NewServer(ctx, cfg, s, ServerOptions{})
	if err != nil {
		return err
	}
	return srv.run(ctx)
}

// ServerOptions are what tests and the load command change in the serve
// wiring; the zero value is `electionbot serve`'s.
type ServerOptions struct {
	// Handler answers Telegram updates and Zalo events; nil: the
	// conversation handlers.
	Handler bot.Handler
	// Outbox tunes the outbox's timing (Store, Rate, ChatLimit, Logger,
	// Registerer and the broadcasts' DefaultLang are set by NewServer).
	Outbox outbox.Config
	// PollTimeout is the long-polling timeout [the channel's default].
	PollTimeout time.Duration
	// Logger is the log of the channels and the outbox [slog.Default()].
	Logger *slog.Logger
	// Reach: what ZNS receipts and SMS opt-outs do (serve_reach.go).
	Reach ReachHooks
}

// Server is `electionbot serve`: the HTTP endpoints (/healthz, /metrics,
// the results page, the channels' webhooks), the channels and the outbox
// that sends for them. Build it with NewServer, serve Handler on a
// listener, then Start; Stop after the listener is closed.
type Server struct {
	cfg    *Config
	store  *models.Store
	mux    *http.ServeMux
	reg    *prometheus.Registry
	outbox *outbox.Outbox
	// broadcasts runs broadcasts and reminders through the outbox.
	broadcasts *broadcast.Broadcaster
	tg         *telegram.Channel
	zalo       *zalo.Channel
	reach      reach // ZNS and SMS (serve_reach.go)
	// routes encode a reply for the channel of the contact it goes to.
	routes *intake.Routes
	// lookups is electionbot_lookups_total{result} (handlers.Lookup*).
	lookups *prometheus.CounterVec
	// purgeChecked is when housekeeping last looked for elections to
	// purge; housekeepMu serialises housekeep (its goroutine, a test).
	housekeepMu  sync.Mutex
	purgeChecked time.Time
	log          *slog.Logger
	wg           sync.WaitGroup
}

// countLookup counts a voter-list lookup or refusal by result.
func (sv *Server) countLookup(result string) { sv.lookups.WithLabelValues(result).Inc() }

// NewServer builds the serve wiring on an open, migrated store (see
// OpenStore). With TELEGRAM_TOKEN it connects to the Bot API (getMe) and
// mounts the webhook in webhook mode; with the ZALO_* variables it starts
// the Zalo channel; Start runs the rest. ctx bounds the channels' lives.
func NewServer(ctx context.Context, cfg *Config, s *models.Store, opt ServerOptions) (*Server, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	sv := &Server{cfg: cfg, store: s, mux: http.NewServeMux(), reg: reg, log: opt.Logger}
	if opt.Reach.OptOut == nil {
		opt.Reach.OptOut = sv.householdOptOut // config_households.go
	}
	if opt.Reach.Delivered == nil {
		opt.Reach.Delivered = sv.householdDelivered // config_households.go
	}
	if sv.log == nil {
		sv.log = slog.Default()
	}
	sv.lookups = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "electionbot_lookups_total",
		Help: "Voter-list lookups by result: found, not_found; refused: limited (the contact's limit), cooldown (a new contact), budget_area, budget_global (the enumeration budgets), group.",
	}, []string{"result"})
	reg.MustRegister(sv.lookups)
	sv.mux.Handle("GET /healthz", newHealth(s, time.Now)) // health.go
	sv.mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	rs, err := results.New(s, []byte(cfg.ResultsLinkKey), results.Options{DefaultLang: cfg.DefaultLang})
	if err != nil {
		return nil, err
	}
	rs.Register(sv.mux)

	if cfg.TelegramToken == "" && cfg.ZaloAppID == "" {
		sv.log.Warn("no channel configured: set TELEGRAM_TOKEN (or the ZALO_* variables); serving /healthz and /metrics only")
	}
	if _, err := zaloEnabled(cfg); err != nil {
		return nil, err
	}
	sv.routes = intake.NewRoutes()
	if cfg.TelegramToken == "" {
		if err := sv.zaloOnly(ctx, opt); err != nil {
			return nil, err
		}
		if err := sv.addReach(ctx, opt); err != nil {
			return nil, err
		}
		return sv, nil
	}
	ob, err := sv.newOutbox(ctx, opt)
	if err != nil {
		return nil, err
	}
	// The conversation needs the bot's username (for invite links), known
	// only after getMe in telegram.New: the channel gets a handler that
	// delegates to it, set right after.
	h := opt.Handler
	var conv bot.Handler
	if h == nil {
		h = bot.HandlerFunc(func(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
			return conv.Handle(ctx, tx, in)
		})
	}
	sv.tg, err = telegram.New(ctx, telegram.Config{
		Token:         cfg.TelegramToken,
		Endpoint:      cfg.TelegramAPIEndpoint,
		WebhookURL:    cfg.TelegramWebhookURL,
		WebhookSecret: cfg.TelegramWebhookSecret,
		Store:         s,
		Handler:       h,
		Outbox:        ob,
		Routes:        sv.routes,
		AdminIDs:      cfg.AdminTelegramIDs,
		DefaultLang:   cfg.DefaultLang,
		PollTimeout:   opt.PollTimeout,
		WebhookLimits: intake.NewBodyLimits(cfg.WebhookMaxBodies, cfg.WebhookBodyTimeout),
		HTTPClient:    apiClient(), // broadcast.go
		Logger:        sv.log,
		Registerer:    reg,
	})
	if err != nil {
		return nil, err
	}
	if opt.Handler == nil {
		if conv, err = newConversation(cfg, telegramInviteLink(sv.tg.Self().Username), sv.countLookup); err != nil {
			return nil, err
		}
	}
	ob.Register(models.ChannelTelegram, sv.tg.Sender())
	sv.broadcasts.RegisterChannel(models.ChannelTelegram, telegram.BroadcastChannel{})
	if sv.tg.Mode() == "webhook" {
		sv.mux.Handle("POST "+telegram.WebhookPath, sv.tg.WebhookHandler())
	}
	if err := sv.addZalo(ctx, h); err != nil {
		return nil, err
	}
	if err := sv.addReach(ctx, opt); err != nil {
		return nil, err
	}
	return sv, nil
}

// Handler serves the HTTP endpoints: /healthz, /metrics, the results page
// and feeds, and the channels' webhooks.
func (sv *Server) Handler() http.Handler { return sv.mux }

// Outbox is the outbox every channel sends through; nil when no channel
// is configured.
func (sv *Server) Outbox() *outbox.Outbox { return sv.outbox }

// Start runs the background work: the housekeeping (expired pending
// lookups, automatic purges: housekeeping.go), the outbox's River
// workers, the command menu, and setWebhook or long polling, until ctx is
// done. Call it once Handler is served: a webhook must find it.
func (sv *Server) Start(ctx context.Context) error {
	sv.wg.Add(1)
	go func() {
		defer sv.wg.Done()
		sv.housekeeping(ctx) // housekeeping.go
	}()
	if sv.outbox != nil {
		if err := sv.outbox.Start(ctx); err != nil {
			return err
		}
	}
	if sv.zalo != nil {
		// Refreshes the OA's token pair before it expires.
		sv.wg.Add(1)
		go func() {
			defer sv.wg.Done()
			sv.zalo.Run(ctx, 10*time.Minute)
		}()
	}
	if sv.tg == nil {
		return nil
	}
	sv.tg.SetCommands(ctx)
	if sv.tg.Mode() == "webhook" {
		return sv.tg.SetWebhook(ctx)
	}
	sv.wg.Add(1)
	go func() {
		defer sv.wg.Done()
		sv.tg.Poll(ctx)
	}()
	return nil
}

// Stop waits for polling to finish the update in flight (Start's ctx must
// be done), then lets the outbox finish its sends (until ctx is done) and
// stops River.
func (sv *Server) Stop(ctx context.Context) error {
	sv.wg.Wait()
	if sv.outbox != nil {
		return sv.outbox.Stop(ctx)
	}
	return nil
}

// HTTPServer is the http.Server that serves Handler, with the timeouts
// an open port needs: a request's headers within 5 s, the whole request
// within 30 s (webhook bodies within WEBHOOK_BODY_TIMEOUT: intake.Webhook),
// the answer within 60 s (a webhook's handling is bounded at 30 s), an
// idle connection closed after 60 s. Before, only the headers were
// bounded, and 500 clients sending a byte every 5 s held the server.
func (sv *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           sv.mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(sv.log.Handler(), slog.LevelWarn),
	}
}

// run listens on LISTEN_ADDR, starts the channels once it accepts
// connections (a webhook must find us), and on ctx done drains the HTTP
// requests in flight, then the channels.
func (sv *Server) run(ctx context.Context) error {
	ln, err := net.Listen("tcp", sv.cfg.ListenAddr)
	if err != nil {
		return err
	}
	srv := sv.HTTPServer()
	sv.log.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := sv.Start(runCtx); err != nil {
		srv.Close()
		cancel()
		sv.Stop(context.Background())
		return err
	}
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	cancel()
	shutdownCtx, done := context.WithTimeout(context.Background(), 20*time.Second)
	defer done()
	if serr := srv.Shutdown(shutdownCtx); serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if serr := sv.Stop(shutdownCtx); serr != nil && err == nil {
		err = serr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	sv.log.Info("stopped")
	return err
}

// cmdHealthcheck asks the local serve's /healthz: the container's health
// check, which has no shell or curl to do it.
func cmdHealthcheck(ctx context.Context, cfg *Config) error {
	_, port, err := net.SplitHostPort(cfg.ListenAddr)
	if err != nil {
		return &exitError{2, fmt.Errorf("LISTEN_ADDR %q: %w", cfg.ListenAddr, err)}
	}
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %s", resp.Status)
	}
	return nil
}

// newOutbox builds the outbox every channel sends through, and the
// broadcasts and reminders that go through it (broadcast.go, README.md
// ("Reminders and announcements")).
func (sv *Server) newOutbox(ctx context.Context, opt ServerOptions) (*outbox.Outbox, error) {
	bc, err := broadcast.New(broadcast.Config{Store: sv.store, DefaultLang: sv.cfg.DefaultLang, Logger: sv.log,
		Reach: sv.cfg.reachPlan()})
	if err != nil {
		return nil, err
	}
	sv.addHouseholds(bc) // config_households.go
	oc := opt.Outbox
	if oc.OnGiveUp == nil {
		oc.OnGiveUp = bc.OnGiveUp // a household moves on to its next channel
	}
	oc.Store, oc.Rate, oc.ChatLimit = sv.store, sv.cfg.BroadcastRate, chatLimit
	oc.Logger, oc.Registerer = sv.log, sv.reg
	oc.Jobs = bc.Jobs()
	ob, err := outbox.New(ctx, oc)
	if err != nil {
		return nil, err
	}
	bc.Connect(ob)
	sv.outbox, sv.broadcasts = ob, bc
	return ob, nil
}

// chatLimit is the pace of one chat ("channel:chatID") of any channel.
func chatLimit(key string) (rate.Limit, int) {
	switch {
	case strings.HasPrefix(key, models.ChannelZalo+":"):
		return zalo.ChatLimit(key)
	case strings.HasPrefix(key, zns.Channel+":"):
		return zns.ChatLimit(key)
	case strings.HasPrefix(key, sms.Channel+":"):
		return sms.ChatLimit(key)
	}
	return telegram.ChatLimit(key)
}

// zaloEnabled tells whether serve runs the Zalo channel: ZALO_APP_ID and
// ZALO_OA_SECRET_KEY are set (and a token: ZALO_ACCESS_TOKEN /
// ZALO_REFRESH_TOKEN, or a pair stored by an earlier start, checked by
// zalo.New). Some ZALO_* credentials without the others is an error.
func zaloEnabled(cfg *Config) (bool, error) {
	if cfg.ZaloAppID == "" && cfg.ZaloOASecretKey == "" && cfg.ZaloAccessToken == "" &&
		cfg.ZaloRefreshToken == "" && cfg.ZaloAppSecret == "" {
		return false, nil
	}
	switch {
	case cfg.ZaloAppID == "":
		return false, &ConfigError{"ZALO_APP_ID", "needed for the Zalo channel (other ZALO_* variables are set)"}
	case cfg.ZaloOASecretKey == "":
		return false, &ConfigError{"ZALO_OA_SECRET_KEY", "needed for the Zalo channel: it verifies the webhook events"}
	}
	return true, nil
}

// zaloOnly wires serve without Telegram: the outbox, the conversation and
// the Zalo channel, if it is configured.
func (sv *Server) zaloOnly(ctx context.Context, opt ServerOptions) error {
	if on, err := zaloEnabled(sv.cfg); !on || err != nil {
		return err
	}
	if _, err := sv.newOutbox(ctx, opt); err != nil {
		return err
	}
	h := opt.Handler
	if h == nil {
		var err error
		if h, err = newConversation(sv.cfg, nil, sv.countLookup); err != nil {
			return err
		}
	}
	return sv.addZalo(ctx, h)
}

// addZalo starts the Zalo channel when it is configured: its sender on
// the outbox, its encoder in the routes, its webhook on the mux.
func (sv *Server) addZalo(ctx context.Context, h bot.Handler) error {
	if on, err := zaloEnabled(sv.cfg); !on || err != nil {
		return err
	}
	c, err := zalo.New(ctx, zalo.Config{
		AppID:         sv.cfg.ZaloAppID,
		OAID:          sv.cfg.ZaloOAID,
		AppSecret:     sv.cfg.ZaloAppSecret,
		OASecretKey:   sv.cfg.ZaloOASecretKey,
		AccessToken:   sv.cfg.ZaloAccessToken,
		RefreshToken:  sv.cfg.ZaloRefreshToken,
		APIEndpoint:   sv.cfg.ZaloAPIEndpoint,
		OAuthEndpoint: sv.cfg.ZaloOAuthEndpoint,
		WebhookLimits: intake.NewBodyLimits(sv.cfg.WebhookMaxBodies, sv.cfg.WebhookBodyTimeout),
		Store:         sv.store,
		Handler:       h,
		Outbox:        sv.outbox,
		Routes:        sv.routes,
		DefaultLang:   sv.cfg.DefaultLang,
		OtherEvents:   sv.otherZaloEvents, // ZNS receipts (serve_reach.go)
		Logger:        sv.log,
		Registerer:    sv.reg,
	})
	if err != nil {
		return err
	}
	if sv.cfg.ZaloOAID == "" {
		sv.log.Warn("ZALO_OA_ID is not set: events are checked against ZALO_APP_ID only, not against the Official Account")
	}
	sv.zalo = c
	sv.outbox.Register(models.ChannelZalo, c.Sender())
	sv.broadcasts.RegisterChannel(models.ChannelZalo, c.BroadcastChannel())
	sv.mux.Handle("POST "+zalo.WebhookPath, c.WebhookHandler())
	return nil
}
