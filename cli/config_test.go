package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "sqlite://electionbot.db" || c.ListenAddr != ":8080" || c.BroadcastRate != 30 ||
		c.DefaultLang != "vi" || c.TelegramAPIEndpoint != "https://api.telegram.org/bot%s/%s" ||
		c.ZaloAPIEndpoint != "https://openapi.zalo.me" || c.ZaloOAuthEndpoint != "https://oauth.zaloapp.com" ||
		c.LookupLimit != 10 || c.LookupWindow != 10*time.Minute {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestLoadConfigParsesAdmins(t *testing.T) {
	c, err := LoadConfig(map[string]string{"ADMIN_TELEGRAM_IDS": "111,222", "DEFAULT_LANG": "en", "BROADCAST_RATE": "1000"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AdminTelegramIDs) != 2 || c.AdminTelegramIDs[1] != 222 || c.DefaultLang != "en" || c.BroadcastRate != 1000 {
		t.Fatalf("config = %+v", c)
	}
}

func TestLoadConfigBadValueNamesVariable(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"BROADCAST_RATE", "fast"},
		{"BROADCAST_RATE", "5000"},
		{"ADMIN_TELEGRAM_IDS", "12,abc"},
		{"DEFAULT_LANG", "fr"},
		{"LOOKUP_WINDOW", "soon"},
		{"PUBLIC_BASE_URL", "bot.example.org"},
		{"PUBLIC_BASE_URL", "ftp://bot.example.org"},
		{"TELEGRAM_BOT_USERNAME", "a b"},
		{"ZALO_OA_ID", "oa-123"},
		{"LOOKUP_LIMIT", "0"},
		{"LOG_LEVEL", "loud"},
	} {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			_, err := LoadConfig(map[string]string{tc.key: tc.value})
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Var != tc.key {
				t.Fatalf("LoadConfig(%s=%s) error = %v, want a ConfigError naming %s", tc.key, tc.value, err, tc.key)
			}
		})
	}
}

func TestRunExitsTwoOnBadConfig(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"migrate"}, strings.NewReader(""), &out, &errb, map[string]string{"BROADCAST_RATE": "x"})
	if code != 2 || !strings.Contains(errb.String(), "BROADCAST_RATE") {
		t.Fatalf("exit %d, stderr %q; want 2 naming BROADCAST_RATE", code, errb.String())
	}
}

func TestRunUnknownCommandIsUsageError(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"frobnicate"}, strings.NewReader(""), &out, &errb, map[string]string{}); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
}
