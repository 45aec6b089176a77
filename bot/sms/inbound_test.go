package sms_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"electionbot/bot/sms"
	"electionbot/bot/sms/smstest"
)

func TestIsOptOut(t *testing.T) {
	for text, want := range map[string]bool{
		"STOP":                true,
		"stop":                true,
		" Stop tin nhắn ":     true,
		"TU CHOI":             true,
		"Từ chối":             true,
		"tuchoi":              true,
		"TUCHOI nhan tin":     true,
		"tu choi.":            true,
		"stopp":               false,
		"khong tu choi":       false,
		"Cảm ơn Kênh hỏi đáp": false,
		"":                    false,
	} {
		if got := sms.IsOptOut(text); got != want {
			t.Errorf("IsOptOut(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestInbound: the gateway's replies in the shapes gateways post them
// (form, JSON, query); STOP / TU CHOI reach OptOut with the phone in 84…
// form, other texts do not; a wrong token or no phone changes nothing.
func TestInbound(t *testing.T) {
	var mu sync.Mutex
	var got []string
	failing := false
	in := &sms.Inbound{Token: "tok", OptOut: func(_ context.Context, phone string) error {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return errors.New("database down")
		}
		got = append(got, phone)
		return nil
	}}
	ts := httptest.NewServer(in.Handler())
	defer ts.Close()
	cases := []struct {
		name, method, path, ctype, body string
		header                          string
		status                          int
		optOut                          string
	}{
		{name: "form STOP", method: "POST", path: "/?token=tok", ctype: "application/x-www-form-urlencoded", body: "from=0987654321&text=STOP", status: 200, optOut: "84987654321"},
		{name: "JSON, number phone", method: "POST", path: "/", header: "tok", ctype: "application/json", body: `{"MSISDN":84912345678,"Message":"Từ chối"}`, status: 200, optOut: "84912345678"},
		{name: "GET query", method: "GET", path: "/?token=tok&phone=%2B84911222333&content=tuchoi", status: 200, optOut: "84911222333"},
		{name: "not an opt-out", method: "POST", path: "/?token=tok", ctype: "application/x-www-form-urlencoded", body: "from=0987654321&text=cam+on", status: 200},
		{name: "wrong token", method: "POST", path: "/?token=nope", ctype: "application/x-www-form-urlencoded", body: "from=0987654321&text=STOP", status: 401},
		{name: "no token", method: "POST", path: "/", ctype: "application/x-www-form-urlencoded", body: "from=0987654321&text=STOP", status: 401},
		{name: "no phone", method: "POST", path: "/?token=tok", ctype: "application/x-www-form-urlencoded", body: "text=STOP", status: 400},
		{name: "foreign phone", method: "POST", path: "/?token=tok", ctype: "application/x-www-form-urlencoded", body: "from=%2B12025550100&text=STOP", status: 400},
		{name: "bad JSON", method: "POST", path: "/?token=tok", ctype: "application/json", body: `{"from":`, status: 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			req, _ := http.NewRequest(c.method, ts.URL+c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			if c.header != "" {
				req.Header.Set(sms.TokenHeader, c.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			if resp.StatusCode != c.status || (c.optOut == "") != (len(got) == 0) || (c.optOut != "" && got[0] != c.optOut) {
				t.Fatalf("status %d, opt-outs %v; want %d, %q", resp.StatusCode, got, c.status, c.optOut)
			}
		})
	}
	// An opt-out not recorded answers 500: the gateway posts it again.
	mu.Lock()
	failing = true
	mu.Unlock()
	if st, err := smstest.MO(context.Background(), ts.URL+"/?token=tok", "0987654321", "STOP"); err != nil || st != 500 {
		t.Fatalf("failing OptOut: %d %v, want 500", st, err)
	}
}
