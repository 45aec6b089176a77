package cli

import (
	"errors"
	"testing"
)

func TestLoadConfigHouseholds(t *testing.T) {
	cfg, err := LoadConfig(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.reachPlan(); p.Quiet.String() != "21:00-07:00" || p.CeilingVND != 500000 || p.Enabled() {
		t.Errorf("defaults: quiet %s, ceiling %d, enabled %v", p.Quiet, p.CeilingVND, p.Enabled())
	}
	for _, c := range []struct{ name, value string }{
		{"QUIET_HOURS", "tối"}, {"QUIET_HOURS", "21:00"}, {"QUIET_HOURS", "25:00-07:00"},
		{"BROADCAST_COST_CEILING_VND", "-1"}, {"BROADCAST_COST_CEILING_VND", "năm trăm"},
	} {
		_, err := LoadConfig(map[string]string{c.name: c.value})
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != c.name {
			t.Errorf("%s=%q: %v, want an error naming %s", c.name, c.value, err, c.name)
		}
	}
	cfg, err = LoadConfig(map[string]string{"QUIET_HOURS": "off", "BROADCAST_COST_CEILING_VND": "0"})
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.reachPlan(); !p.Quiet.Off() || p.CeilingVND != 0 {
		t.Errorf("off: quiet %s, ceiling %d", p.Quiet, p.CeilingVND)
	}
}
