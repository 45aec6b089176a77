package outbox

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	sent    *prometheus.CounterVec
	errors  *prometheus.CounterVec
	givenUp *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "electionbot_outbox_sent_total",
			Help: "Messages delivered (replies, acknowledgements, broadcasts), by channel and kind.",
		}, []string{"channel", "kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "electionbot_outbox_send_errors_total",
			Help: "Failed send attempts, by channel and error code (429, 403, 500, network…).",
		}, []string{"channel", "code"}),
		givenUp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "electionbot_outbox_given_up_total",
			Help: "Messages not delivered, by channel and final status (failed, unreachable).",
		}, []string{"channel", "status"}),
	}
	if reg != nil {
		reg.MustRegister(m.sent, m.errors, m.givenUp)
	}
	return m
}
