package cli

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"electionbot/bot/sms"
	"electionbot/bot/zns"
)

// ReachConfig is how serve reaches the households that never wrote to
// the bot (issue 19, docs/design.md §5): Zalo ZNS to the phone on the
// voter list, and a brandname SMS gateway. Both are off unless
// configured. Part of Config (read from the same environment).
type ReachConfig struct {
	// ZNS: on when a template is set; it sends with the Zalo OA's access
	// token, so it needs the ZALO_* variables.
	ZNSEndpoint         string `env:"ZNS_ENDPOINT" envDefault:"https://business.openapi.zalo.me"`
	ZNSTemplateReminder string `env:"ZNS_TEMPLATE_REMINDER"` // approved template id for reminders
	ZNSTemplateNotice   string `env:"ZNS_TEMPLATE_NOTICE"`   // approved template id for announcements
	// ZNSRate: ZNS calls a second (the OA's limit; this process's share).
	ZNSRate float64 `env:"ZNS_RATE" envDefault:"10"`
	// ZNSCostVND: the price of one ZNS message, for the broadcast's
	// estimate (the OA's contract; the public-service tier is cheaper).
	ZNSCostVND int `env:"ZNS_COST_VND" envDefault:"300"`

	// SMS: on when SMS_URL is set (a contract with a brandname gateway).
	SMSURL    string `env:"SMS_URL"`
	SMSMethod string `env:"SMS_METHOD" envDefault:"POST"`
	SMSBody   string `env:"SMS_BODY"`
	// SMSHeaders: "Name: value" pairs separated by line breaks or ";".
	SMSHeaders string `env:"SMS_HEADERS"`
	SMSOK      string `env:"SMS_OK"`
	// SMSExhausted: a substring of the gateway's answer when the account's
	// credit is spent (then no more SMS, the admin is told).
	SMSExhausted string  `env:"SMS_EXHAUSTED"`
	SMSRate      float64 `env:"SMS_RATE" envDefault:"10"`
	SMSMaxGSM    int     `env:"SMS_MAX_GSM" envDefault:"160"`
	// SMSCostVND: the price of one SMS (one part of a long message).
	SMSCostVND int `env:"SMS_COST_VND" envDefault:"800"`
	// SMSInboundToken authenticates the gateway's replies (MO) on
	// /sms/inbound (?token=… or X-SMS-Token); unset: replies are not taken.
	SMSInboundToken string `env:"SMS_INBOUND_TOKEN"`
}

// ZNSEnabled tells whether ZNS is configured (a template id is set).
func (c *ReachConfig) ZNSEnabled() bool {
	return c.ZNSTemplateReminder != "" || c.ZNSTemplateNotice != ""
}

// SMSEnabled tells whether an SMS gateway is configured.
func (c *ReachConfig) SMSEnabled() bool { return strings.TrimSpace(c.SMSURL) != "" }

// CostVND is the estimated price of one message on a channel (an SMS
// part); 0 for the chats.
func (c *ReachConfig) CostVND(channel string) int {
	switch channel {
	case zns.Channel:
		return c.ZNSCostVND
	case sms.Channel:
		return c.SMSCostVND
	}
	return 0
}

// smsConfig is the sender's configuration (SMS_HEADERS parsed).
func (c *ReachConfig) smsConfig() (sms.Config, error) {
	h, err := sms.ParseHeaders(c.SMSHeaders)
	if err != nil {
		return sms.Config{}, err
	}
	if h == nil {
		h = http.Header{}
	}
	return sms.Config{URL: c.SMSURL, Method: c.SMSMethod, Body: c.SMSBody, Headers: h, OK: c.SMSOK,
		Exhausted: c.SMSExhausted, MaxGSM: c.SMSMaxGSM, Rate: c.SMSRate}, nil
}

// checkReach checks the ZNS_* and SMS_* variables (LoadConfig): a bad
// value is a *ConfigError naming its variable.
func (c *Config) checkReach() error {
	r := &c.ReachConfig
	switch {
	case r.ZNSRate <= 0 || r.ZNSRate > 1000:
		return &ConfigError{"ZNS_RATE", fmt.Sprintf("%v: must be between 1 and 1000 messages/second", r.ZNSRate)}
	case r.SMSRate <= 0 || r.SMSRate > 1000:
		return &ConfigError{"SMS_RATE", fmt.Sprintf("%v: must be between 1 and 1000 messages/second", r.SMSRate)}
	case r.ZNSCostVND < 0:
		return &ConfigError{"ZNS_COST_VND", fmt.Sprintf("%d: must be 0 or more", r.ZNSCostVND)}
	case r.SMSCostVND < 0:
		return &ConfigError{"SMS_COST_VND", fmt.Sprintf("%d: must be 0 or more", r.SMSCostVND)}
	case r.SMSMaxGSM < 20 || r.SMSMaxGSM > 1530:
		return &ConfigError{"SMS_MAX_GSM", fmt.Sprintf("%d: must be between 20 and 1530 characters (160 is one SMS)", r.SMSMaxGSM)}
	}
	if u, err := url.Parse(r.ZNSEndpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &ConfigError{"ZNS_ENDPOINT", fmt.Sprintf("%q: must be an absolute http(s) URL", r.ZNSEndpoint)}
	}
	if r.ZNSEnabled() {
		if on, _ := zaloEnabled(c); !on {
			v := "ZNS_TEMPLATE_NOTICE"
			if r.ZNSTemplateNotice == "" {
				v = "ZNS_TEMPLATE_REMINDER"
			}
			return &ConfigError{v, "ZNS sends with the Zalo Official Account's token: set the ZALO_* variables too"}
		}
	}
	if r.SMSEnabled() {
		sc, err := r.smsConfig()
		if err == nil {
			_, err = sms.New(sc)
		}
		if ce, ok := err.(*sms.ConfigError); ok {
			return &ConfigError{ce.Var, ce.Reason}
		} else if err != nil {
			return &ConfigError{"SMS_URL", err.Error()}
		}
	} else if strings.TrimSpace(r.SMSBody) != "" || r.SMSOK != "" || r.SMSHeaders != "" {
		return &ConfigError{"SMS_URL", "not set, but other SMS_* variables are: set the gateway's URL"}
	}
	return nil
}
