package intake_test

import (
	"context"
	"electionbot/bot/intake"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestWebhook(t *testing.T) {
	var taken []string
	reg := prometheus.NewRegistry()
	m := intake.NewMetrics(reg, "test")
	wh := intake.Webhook{
		Noun: "event",
		Admit: func(r *http.Request) string {
			if r.Header.Get("X-Secret") != "s3cret" {
				return "wrong secret"
			}
			return ""
		},
		Take: func(ctx context.Context, _ *http.Request, body []byte) error {
			switch b := string(body); {
			case b == "stale":
				return intake.Refuse(http.StatusForbidden, "stale event")
			case b == "down":
				return errors.New("database down")
			case ctx.Err() != nil:
				return ctx.Err()
			default:
				taken = append(taken, b)
				return nil
			}
		},
		OK:      `{"ok":true}`,
		Metrics: m,
	}
	for _, tc := range []struct {
		name, method, secret, body string
		status                     int
		answer                     string
	}{
		{"stored", "POST", "s3cret", "hi", 200, `{"ok":true}`},
		{"GET", "GET", "s3cret", "", 405, "POST only\n"},
		{"wrong secret", "POST", "guess", "hi", 401, "wrong secret\n"},
		{"wrong secret beats size", "POST", "", strings.Repeat("x", intake.MaxWebhookBody+1), 401, "wrong secret\n"},
		{"over 1 MiB", "POST", "s3cret", strings.Repeat("x", intake.MaxWebhookBody+1), 413, "event too large\n"},
		{"refused by Take", "POST", "s3cret", "stale", 403, "stale event\n"},
		{"not stored", "POST", "s3cret", "down", 500, "event not stored, send it again\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			taken = nil
			req := httptest.NewRequest(tc.method, "/hook", strings.NewReader(tc.body))
			req.Header.Set("X-Secret", tc.secret)
			rec := httptest.NewRecorder()
			wh.ServeHTTP(rec, req)
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tc.status || string(body) != tc.answer {
				t.Fatalf("answered %d %q, want %d %q", rec.Code, body, tc.status, tc.answer)
			}
			if want := tc.status == 200; (len(taken) == 1) != want {
				t.Fatalf("taken %q", taken)
			}
			if tc.status == 405 && rec.Header().Get("Allow") != "POST" {
				t.Errorf("Allow: %q", rec.Header().Get("Allow"))
			}
		})
	}
	for status, want := range map[string]float64{"200": 1, "401": 2, "403": 1, "405": 1, "413": 1, "500": 1} {
		if got := metric(t, reg, "electionbot_webhook_requests_total", map[string]string{"channel": "test", "status": status}); got != want {
			t.Errorf("webhook answers %s: %v, want %v", status, got, want)
		}
	}
}

// A request cancelled by the provider (it hung up) is still taken whole.
func TestWebhookFinishesWhenTheProviderHangsUp(t *testing.T) {
	var takeErr error
	wh := intake.Webhook{
		Noun:  "update",
		Admit: func(*http.Request) string { return "" },
		Take: func(ctx context.Context, _ *http.Request, _ []byte) error {
			takeErr = ctx.Err()
			return nil
		},
		OK:      "{}\n",
		Metrics: intake.NewMetrics(nil, "test"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("POST", "/hook", strings.NewReader("{}")).WithContext(ctx)
	rec := httptest.NewRecorder()
	wh.ServeHTTP(rec, req)
	if rec.Code != 200 || takeErr != nil {
		t.Fatalf("answered %d; Take's context: %v", rec.Code, takeErr)
	}
}
