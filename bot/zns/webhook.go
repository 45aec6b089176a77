package zns

import (
	"context"
	"crypto/subtle"
	"electionbot/internal/zaloevent"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"electionbot/bot/intake"
)

// WebhookPath is where serve takes ZNS delivery events when Zalo posts
// them to a URL of their own; posted to the OA's webhook
// (/zalo/webhook), they reach HandleEvent through the Zalo channel.
const WebhookPath = "/zns/webhook"

// EventReceived is the event Zalo posts when a ZNS message reached the
// user's phone.
const EventReceived = "user_received_message"

// SignatureHeader carries an event's signature (package zaloevent).
const SignatureHeader = zaloevent.SignatureHeader

// Signature is the signature header value of an event body: "mac=" + hex
// SHA-256 of app id + raw body + timestamp + OA secret key.
func Signature(appID string, body []byte, timestamp, oaSecretKey string) string {
	return zaloevent.Signature(appID, body, timestamp, oaSecretKey)
}

// Event is a delivery event; only the fields the channel uses are decoded.
type Event struct {
	AppID     string `json:"app_id"`
	Name      string `json:"event_name"`
	Timestamp flex   `json:"timestamp"` // milliseconds since 1970
	Message   struct {
		MsgID        string `json:"msg_id"`
		TrackingID   string `json:"tracking_id"`
		DeliveryTime flex   `json:"delivery_time"` // milliseconds since 1970
	} `json:"message"`
}

// At is when the message reached the phone: its delivery_time, else the
// event's timestamp; zero if it has neither.
func (ev Event) At() time.Time {
	for _, f := range []flex{ev.Message.DeliveryTime, ev.Timestamp} {
		if ms, err := strconv.ParseInt(string(f), 10, 64); err == nil && ms > 0 {
			return time.UnixMilli(ms).UTC()
		}
	}
	return time.Time{}
}

// flex is a JSON string or number kept as its text (Zalo sends times as
// strings, some clients as numbers).
type flex string

func (f *flex) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*f = flex(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flex(n.String())
	return nil
}

// Deliveries takes ZNS delivery events to Delivered.
type Deliveries struct {
	AppID       string // ZALO_APP_ID: events of another app are refused
	OASecretKey string // ZALO_OA_SECRET_KEY: signs the events
	// Delivered records that the message sent with trackingID reached the
	// phone at at. An error makes Zalo post the event again (HTTP 500).
	Delivered func(ctx context.Context, trackingID string, at time.Time) error
	// MaxEventAge: older (or as far in the future) events are refused as
	// replays [24h: Zalo posts a delivery when the phone comes online].
	MaxEventAge time.Duration
	Now         func() time.Time // [time.Now]
	Limits      *intake.BodyLimits
	Logger      *slog.Logger
	Registerer  prometheus.Registerer
}

// HandleEvent takes one verified OA event body (the Zalo channel's
// webhook passes the events it does not handle itself): a
// user_received_message with a tracking_id goes to Delivered (handled
// true); any other event is not ZNS's (false, nil).
func (d *Deliveries) HandleEvent(ctx context.Context, body []byte) (bool, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.Name != EventReceived {
		return false, nil
	}
	tid := intake.Clean(ev.Message.TrackingID, intake.MaxID)
	if tid == "" {
		// A customer-service message's receipt: not a ZNS message.
		return false, nil
	}
	at := ev.At()
	if at.IsZero() {
		at = d.now()
	}
	if d.Delivered == nil {
		return true, nil
	}
	return true, d.Delivered(ctx, tid, at)
}

func (d *Deliveries) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

// verify checks an event's signature header against its body, in
// constant time.
func (d *Deliveries) verify(header string, body []byte, timestamp string) bool {
	got := strings.TrimSpace(header)
	if len(got) < 4 || !strings.EqualFold(got[:4], "mac=") || d.OASecretKey == "" {
		return false
	}
	want := Signature(d.AppID, body, timestamp, d.OASecretKey)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got[4:])), []byte(want[4:])) == 1
}

// Handler serves POST WebhookPath (intake.Webhook): 401 for a missing or
// wrong signature, 403 for an event of another app or a stale one, 500
// when Delivered failed (Zalo posts it again), 200 otherwise (an event
// that is not a ZNS delivery is acknowledged and ignored).
func (d *Deliveries) Handler() http.Handler {
	maxAge := d.MaxEventAge
	if maxAge <= 0 {
		maxAge = 24 * time.Hour
	}
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	return intake.Webhook{
		Noun: "event",
		Admit: func(r *http.Request) string {
			if r.Header.Get(SignatureHeader) == "" {
				return "missing signature"
			}
			return ""
		},
		Take: func(ctx context.Context, r *http.Request, body []byte) error {
			var ev Event
			if err := json.Unmarshal(body, &ev); err != nil || ev.Timestamp == "" || !d.verify(r.Header.Get(SignatureHeader), body, string(ev.Timestamp)) {
				return intake.Refuse(http.StatusUnauthorized, "wrong signature")
			}
			if ev.AppID != "" && ev.AppID != d.AppID {
				return intake.Refuse(http.StatusForbidden, "not this app's event")
			}
			ms, _ := strconv.ParseInt(string(ev.Timestamp), 10, 64)
			if age := d.now().Sub(time.UnixMilli(ms)); ms <= 0 || age > maxAge || age < -maxAge {
				return intake.Refuse(http.StatusForbidden, "stale event")
			}
			_, err := d.HandleEvent(ctx, body)
			if err != nil && !errors.Is(err, context.Canceled) {
				log.Error("zns: delivery not recorded", "tracking_id", ev.Message.TrackingID, "err", err)
			}
			return err
		},
		OK:      `{"error":0,"message":"Success"}` + "\n",
		Metrics: intake.NewMetrics(d.Registerer, Channel),
		Limits:  d.Limits,
	}
}
