package intake

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics count one channel's intake: the updates it receives (by
// type: Telegram's update types, Zalo's event names), those delivered
// again and those that failed, the handlers' time and the webhook's
// answers. Every channel shares the same series, told apart by their
// channel label.
type Metrics struct {
	Received   *prometheus.CounterVec // by type
	Duplicates prometheus.Counter     // delivered again after they were processed
	Failures   prometheus.Counter     // processing failed: nothing stored
	Poison     prometheus.Counter     // cannot be processed: recorded and acknowledged (poison.go)
	Handler    prometheus.Observer    // seconds the handlers took on one update
	Webhook    *prometheus.CounterVec // webhook requests, by HTTP status answered
	Group      prometheus.Observer    // updates committed by one transaction (group.go)
}

// observeGroup counts a committed group of n updates.
func (m *Metrics) observeGroup(n int) { m.Group.Observe(float64(n)) }

// NewMetrics returns the intake metrics of channel, registered
// with reg (nil: not registered). Channels of one process share reg: the
// second channel uses the collectors the first registered.
func NewMetrics(reg prometheus.Registerer, channel string) *Metrics {
	received := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "electionbot_updates_received_total",
		Help: "Updates received, by channel and type (Telegram: message, callback_query, my_chat_member…; Zalo: the event name, signed and fresh).",
	}, []string{"channel", "type"}))
	duplicates := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "electionbot_updates_duplicate_total",
		Help: "Updates delivered again after they were processed (acknowledged, not processed), by channel.",
	}, []string{"channel"}))
	failures := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "electionbot_updates_failed_total",
		Help: "Updates whose processing failed (nothing stored; delivered again), by channel.",
	}, []string{"channel"}))
	poison := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "electionbot_updates_poison_total",
		Help: "Updates that cannot be processed however often they come (refused data, a panic, repeated failures with the database up): recorded, logged and acknowledged, by channel.",
	}, []string{"channel"}))
	handler := register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "electionbot_handler_seconds",
		Help:    "Time the handlers took to answer one update, by channel.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"channel"}))
	webhook := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "electionbot_webhook_requests_total",
		Help: "Webhook requests, by channel and HTTP status answered.",
	}, []string{"channel", "status"}))
	group := register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "electionbot_intake_group_updates",
		Help:    "Updates committed together in one transaction (group commit), by channel.",
		Buckets: []float64{1, 2, 4, 8, 16, 32},
	}, []string{"channel"}))
	ch := prometheus.Labels{"channel": channel}
	return &Metrics{
		Received:   received.MustCurryWith(ch),
		Duplicates: duplicates.With(ch),
		Failures:   failures.With(ch),
		Poison:     poison.With(ch),
		Handler:    handler.With(ch),
		Webhook:    webhook.MustCurryWith(ch),
		Group:      group.With(ch),
	}
}

// register registers c with reg, or returns the collector already
// registered under the same description.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
		panic(err)
	}
	return c
}
