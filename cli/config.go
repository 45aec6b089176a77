package cli

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"electionbot/handlers"
	"electionbot/posters"
)

// Config is read from the environment (docs/design.md §5). A bad value stops the
// program with exit code 2, naming the variable.
type Config struct {
	DatabaseURL           string        `env:"DATABASE_URL" envDefault:"sqlite://electionbot.db"`
	TelegramToken         string        `env:"TELEGRAM_TOKEN"`
	TelegramAPIEndpoint   string        `env:"TELEGRAM_API_ENDPOINT" envDefault:"https://api.telegram.org/bot%s/%s"`
	TelegramBotUsername   string        `env:"TELEGRAM_BOT_USERNAME"`
	TelegramWebhookURL    string        `env:"TELEGRAM_WEBHOOK_URL"`
	TelegramWebhookSecret string        `env:"TELEGRAM_WEBHOOK_SECRET"`
	ZaloAppID             string        `env:"ZALO_APP_ID"`
	ZaloAppSecret         string        `env:"ZALO_APP_SECRET"`
	ZaloOASecretKey       string        `env:"ZALO_OA_SECRET_KEY"`
	ZaloAccessToken       string        `env:"ZALO_ACCESS_TOKEN"`
	ZaloRefreshToken      string        `env:"ZALO_REFRESH_TOKEN"`
	ZaloOAID              string        `env:"ZALO_OA_ID"` // the OA's page zalo.me/<id> (posters)
	ZaloAPIEndpoint       string        `env:"ZALO_API_ENDPOINT" envDefault:"https://openapi.zalo.me"`
	ZaloOAuthEndpoint     string        `env:"ZALO_OAUTH_ENDPOINT" envDefault:"https://oauth.zaloapp.com"`
	ListenAddr            string        `env:"LISTEN_ADDR" envDefault:":8080"`
	AdminTelegramIDs      []int64       `env:"ADMIN_TELEGRAM_IDS" envSeparator:","`
	BroadcastRate         float64       `env:"BROADCAST_RATE" envDefault:"30"`
	DefaultLang           string        `env:"DEFAULT_LANG" envDefault:"vi"`
	LookupLimit           int           `env:"LOOKUP_LIMIT" envDefault:"10"`
	LookupWindow          time.Duration `env:"LOOKUP_WINDOW" envDefault:"10m"`
	// The enumeration budgets and the wait of new contacts
	// (handlers.LookupBudget); 0 turns one off.
	LookupAreaBudget   int           `env:"LOOKUP_AREA_BUDGET" envDefault:"60"`
	LookupGlobalBudget int           `env:"LOOKUP_GLOBAL_BUDGET" envDefault:"5000"`
	LookupBudgetWindow time.Duration `env:"LOOKUP_BUDGET_WINDOW" envDefault:"1h"`
	LookupCooldown     time.Duration `env:"LOOKUP_COOLDOWN" envDefault:"2m"`
	// LookupPendingTTL: how long a searched name waiting for the area is kept.
	LookupPendingTTL time.Duration `env:"LOOKUP_PENDING_TTL" envDefault:"5m"`
	LogLevel         string        `env:"LOG_LEVEL" envDefault:"info"`
	// PurgeAfterDays: serve purges an election's personal data this many
	// days after its results are all recognised (0: never; purge.go).
	PurgeAfterDays int `env:"PURGE_AFTER_DAYS" envDefault:"30"`
	// WebhookMaxBodies and WebhookBodyTimeout bound the reading of each
	// channel's webhook bodies (intake.BodyLimits): slow clients cannot
	// hold the server.
	WebhookMaxBodies   int           `env:"WEBHOOK_MAX_BODIES" envDefault:"64"`
	WebhookBodyTimeout time.Duration `env:"WEBHOOK_BODY_TIMEOUT" envDefault:"10s"`
	// ResultsLinkKey signs the officials' links to the results page; the
	// same on every replica. Unset: only the public view is served.
	ResultsLinkKey string `env:"RESULTS_LINK_KEY"`
	// PublicBaseURL is serve's public address (https://bot.example.org):
	// the results page's links given in chat. Unset: no link is given.
	PublicBaseURL string `env:"PUBLIC_BASE_URL"`
	// ReachConfig: ZNS_* and SMS_*, the households without a chat (config_reach.go).
	ReachConfig
	// HouseholdConfig: QUIET_HOURS, BROADCAST_COST_CEILING_VND (config_households.go).
	HouseholdConfig
}

// ConfigError names the variable that has a bad value.
type ConfigError struct {
	Var    string
	Reason string
}

func (e *ConfigError) Error() string { return e.Var + ": " + e.Reason }

// LoadConfig reads and checks the environment.
func LoadConfig(environ map[string]string) (*Config, error) {
	var c Config
	if err := env.ParseWithOptions(&c, env.Options{Environment: environ}); err != nil {
		var agg env.AggregateError
		if errors.As(err, &agg) && len(agg.Errors) > 0 {
			var pe env.ParseError
			if errors.As(agg.Errors[0], &pe) {
				return nil, &ConfigError{Var: envName(pe.Name), Reason: fmt.Sprintf("not a valid %s: %v", pe.Type, pe.Err)}
			}
			return nil, &ConfigError{Var: "environment", Reason: agg.Errors[0].Error()}
		}
		return nil, &ConfigError{Var: "environment", Reason: err.Error()}
	}
	switch {
	case c.DefaultLang != "vi" && c.DefaultLang != "en":
		return nil, &ConfigError{"DEFAULT_LANG", fmt.Sprintf("%q: must be vi or en", c.DefaultLang)}
	case c.BroadcastRate <= 0 || c.BroadcastRate > 1000:
		return nil, &ConfigError{"BROADCAST_RATE", fmt.Sprintf("%v: must be between 1 and 1000 messages/second", c.BroadcastRate)}
	case c.LookupLimit < 1:
		return nil, &ConfigError{"LOOKUP_LIMIT", fmt.Sprintf("%d: must be at least 1", c.LookupLimit)}
	case c.LookupWindow < time.Second:
		return nil, &ConfigError{"LOOKUP_WINDOW", fmt.Sprintf("%v: must be at least 1s", c.LookupWindow)}
	case c.LookupAreaBudget < 0:
		return nil, &ConfigError{"LOOKUP_AREA_BUDGET", fmt.Sprintf("%d: must be 0 (off) or more", c.LookupAreaBudget)}
	case c.LookupGlobalBudget < 0:
		return nil, &ConfigError{"LOOKUP_GLOBAL_BUDGET", fmt.Sprintf("%d: must be 0 (off) or more", c.LookupGlobalBudget)}
	case c.LookupBudgetWindow < time.Minute:
		return nil, &ConfigError{"LOOKUP_BUDGET_WINDOW", fmt.Sprintf("%v: must be at least 1m", c.LookupBudgetWindow)}
	case c.LookupCooldown < 0 || c.LookupCooldown > time.Hour:
		return nil, &ConfigError{"LOOKUP_COOLDOWN", fmt.Sprintf("%v: must be between 0 (off) and 1h", c.LookupCooldown)}
	case c.LookupPendingTTL < time.Minute || c.LookupPendingTTL > time.Hour:
		return nil, &ConfigError{"LOOKUP_PENDING_TTL", fmt.Sprintf("%v: must be between 1m and 1h", c.LookupPendingTTL)}
	case c.PurgeAfterDays < 0 || c.PurgeAfterDays > 3650:
		return nil, &ConfigError{"PURGE_AFTER_DAYS", fmt.Sprintf("%d: must be between 0 (never) and 3650 days", c.PurgeAfterDays)}
	case c.WebhookMaxBodies < 1:
		return nil, &ConfigError{"WEBHOOK_MAX_BODIES", fmt.Sprintf("%d: must be at least 1", c.WebhookMaxBodies)}
	case c.WebhookBodyTimeout < 100*time.Millisecond || c.WebhookBodyTimeout > time.Minute:
		return nil, &ConfigError{"WEBHOOK_BODY_TIMEOUT", fmt.Sprintf("%v: must be between 100ms and 1m", c.WebhookBodyTimeout)}
	case c.ListenAddr == "":
		return nil, &ConfigError{"LISTEN_ADDR", "must not be empty"}
	}
	if c.TelegramBotUsername != "" {
		if _, err := posters.BotUsername(c.TelegramBotUsername); err != nil {
			return nil, &ConfigError{"TELEGRAM_BOT_USERNAME", err.Error()}
		}
	}
	if c.PublicBaseURL != "" {
		if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, &ConfigError{"PUBLIC_BASE_URL", fmt.Sprintf("%q: must be an absolute http(s) URL, e.g. https://bot.example.org", c.PublicBaseURL)}
		}
	}
	if c.ZaloOAID != "" && strings.Trim(c.ZaloOAID, "0123456789") != "" {
		return nil, &ConfigError{"ZALO_OA_ID", fmt.Sprintf("%q: must be the Official Account's id, digits only (as in https://zalo.me/<id>)", c.ZaloOAID)}
	}
	if err := c.checkReach(); err != nil {
		return nil, err
	}
	if err := c.checkHouseholds(); err != nil {
		return nil, err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return nil, &ConfigError{"LOG_LEVEL", fmt.Sprintf("%q: must be debug, info, warn or error", c.LogLevel)}
	}
	return &c, nil
}

// envName maps a Config field name to its variable.
func envName(field string) string {
	if f, ok := reflect.TypeOf(Config{}).FieldByName(field); ok {
		return f.Tag.Get("env")
	}
	return field
}

// lookupBudget is the conversation's LookupBudget.
func (c *Config) lookupBudget() handlers.LookupBudget {
	return handlers.LookupBudget{Area: c.LookupAreaBudget, Global: c.LookupGlobalBudget, Window: c.LookupBudgetWindow,
		Cooldown: c.LookupCooldown, PendingTTL: c.LookupPendingTTL}
}
