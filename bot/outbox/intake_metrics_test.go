package outbox_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"electionbot/bot/outbox"
)

// Two channels on one registry share the series, apart by channel.
func TestIntakeMetricsTwoChannels(t *testing.T) {
	reg := prometheus.NewRegistry()
	tg := outbox.NewIntakeMetrics(reg, "telegram")
	za := outbox.NewIntakeMetrics(reg, "zalo") // must not panic
	tg.Received.WithLabelValues("message").Inc()
	za.Received.WithLabelValues("user_send_text").Inc()
	za.Duplicates.Inc()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range fams {
		got[f.GetName()] = len(f.GetMetric())
	}
	for name, n := range map[string]int{
		"electionbot_updates_received_total":  2,
		"electionbot_updates_duplicate_total": 2, // both channels, from 0
		"electionbot_updates_failed_total":    2,
		"electionbot_handler_seconds":         2,
	} {
		if got[name] != n {
			t.Errorf("%s: %d series, want %d", name, got[name], n)
		}
	}
}
