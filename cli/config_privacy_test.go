package cli

import (
	"errors"
	"testing"
	"time"
)

// The variables of issue 17 (README "Privacy"): defaults and bad values.
func TestLoadConfigPrivacy(t *testing.T) {
	c, err := LoadConfig(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	b := c.lookupBudget()
	if b.Area != 60 || b.Global != 5000 || b.Window != time.Hour || b.Cooldown != 2*time.Minute || b.PendingTTL != 5*time.Minute ||
		c.PurgeAfterDays != 30 || c.WebhookMaxBodies != 64 || c.WebhookBodyTimeout != 10*time.Second {
		t.Fatalf("defaults: %+v, purge %d, webhook %d %v", b, c.PurgeAfterDays, c.WebhookMaxBodies, c.WebhookBodyTimeout)
	}
	off, err := LoadConfig(map[string]string{"LOOKUP_AREA_BUDGET": "0", "LOOKUP_GLOBAL_BUDGET": "0", "LOOKUP_COOLDOWN": "0s", "PURGE_AFTER_DAYS": "0"})
	if err != nil || off.LookupAreaBudget != 0 || off.LookupCooldown != 0 || off.PurgeAfterDays != 0 {
		t.Fatalf("0 turns them off: %+v, %v", off, err)
	}
	for _, tc := range []struct{ key, value string }{
		{"LOOKUP_AREA_BUDGET", "-1"},
		{"LOOKUP_GLOBAL_BUDGET", "many"},
		{"LOOKUP_BUDGET_WINDOW", "30s"},
		{"LOOKUP_COOLDOWN", "2h"},
		{"LOOKUP_PENDING_TTL", "1d"},
		{"LOOKUP_PENDING_TTL", "2h"},
		{"PURGE_AFTER_DAYS", "-3"},
		{"WEBHOOK_MAX_BODIES", "0"},
		{"WEBHOOK_BODY_TIMEOUT", "10ms"},
	} {
		_, err := LoadConfig(map[string]string{tc.key: tc.value})
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != tc.key {
			t.Errorf("%s=%s: %v, want a ConfigError naming it", tc.key, tc.value, err)
		}
	}
}
