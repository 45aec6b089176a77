package intake_test

import (
	"electionbot/bot/intake"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// Two channels on one registry share the series, apart by channel.
func TestIntakeMetricsTwoChannels(t *testing.T) {
	reg := prometheus.NewRegistry()
	tg := intake.NewMetrics(reg, "telegram")
	za := intake.NewMetrics(reg, "zalo") // must not panic
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

// metric is the value of the counter (or the sample count of the
// histogram) name whose labels include want, 0 if there is none.
func metric(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue series
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
