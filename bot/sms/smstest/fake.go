// Package smstest is an httptest fake of a brandname SMS gateway, with an
// API of its own that the generic sender is configured for (Config gives
// the SMS_* settings): POST /send with a JSON body {"to","text","id"}, or
// a form with the same fields, or GET /send?to=…&text=…&id=…, and the
// header "Authorization: Bearer <Key>". It answers
// {"status":"queued","id":…} (SMS_OK "queued"), and honours the
// idempotency key: a call with an id seen before is answered as the first
// was and not sent again, and is counted (Duplicates). It records every
// call and can be told to limit the calls a second (429 above; the second
// is the fake's clock, SetNow), to run out of credit after n SMS (402
// {"status":"error","error":"insufficient balance"}), or to fail the next
// calls. MO posts a subscriber's answer to a URL.
package smstest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/bot/sms"
	"electionbot/internal/fakeapi"
)

// Key is the API key the fake accepts.
const Key = "sms-key-for-tests"

// SendPath is the fake's send endpoint.
const SendPath = "/send"

// Call is one request to the send endpoint.
type Call struct {
	Method    string
	To, Text  string
	ID        string
	Auth      string
	Status    int  // the HTTP status answered
	Duplicate bool // the id was seen before: not sent again
	At        time.Time
}

// Sent tells whether the call sent an SMS.
func (c Call) Sent() bool { return c.Status == http.StatusOK && !c.Duplicate }

// Reply is an injected answer.
type Reply struct {
	Status int
	Body   string
	Header http.Header
}

// ServerError is an HTTP 503.
func ServerError() Reply { return Reply{Status: 503, Body: `{"status":"error","error":"unavailable"}`} }

// Refused is an HTTP 400 refusal (a brandname not registered, a bad number…).
func Refused(reason string) Reply {
	b, _ := json.Marshal(map[string]string{"status": "error", "error": reason})
	return Reply{Status: http.StatusBadRequest, Body: string(b)}
}

// NotQueued is an HTTP 200 whose body does not say "queued" (gateways
// that answer their errors with 200).
func NotQueued() Reply { return Reply{Status: http.StatusOK, Body: `{"status":"error","code":"99"}`} }

// Server is the fake gateway.
type Server struct {
	*httptest.Server

	changes fakeapi.Changes

	mu       sync.Mutex
	now      func() time.Time
	calls    []Call
	seen     map[string]bool
	inject   []Reply
	perSec   int // 0: no limit
	second   time.Time
	inSecond int
	credit   int // SMS left; <0: unlimited
}

// New starts a fake with no limit and unlimited credit, closed when the
// test ends.
func New(t testing.TB) *Server {
	s := &Server{now: time.Now, seen: map[string]bool{}, credit: -1}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Config is the sender's configuration for this fake: JSON body, the
// key in SMS_HEADERS, SMS_OK "queued", SMS_EXHAUSTED "insufficient
// balance".
func (s *Server) Config() sms.Config {
	return sms.Config{
		URL:       s.URL + SendPath,
		Method:    http.MethodPost,
		Body:      `{"to":"{{.Phone}}","text":"{{.Text}}","id":"{{.ID}}"}`,
		Headers:   http.Header{"Authorization": {"Bearer " + Key}},
		OK:        `"queued"`,
		Exhausted: "insufficient balance",
	}
}

// SetNow sets the clock of the calls and of the rate limit.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// RateLimit answers 429 (Retry-After: 1) to the calls beyond n within one
// second of the fake's clock; 0: no limit.
func (s *Server) RateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perSec = n
}

// Credit spends the account after n more SMS: later calls answer 402
// "insufficient balance". n < 0: unlimited.
func (s *Server) Credit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credit = n
}

// Inject queues answers for the next authorised calls, in order.
func (s *Server) Inject(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inject = append(s.inject, replies...)
}

// Calls returns every call, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Sent returns the SMS sent to a phone (84…; all phones: ""), in order:
// each id once.
func (s *Server) Sent(phone string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Sent() && (phone == "" || c.To == phone) {
			out = append(out, c)
		}
	}
	return out
}

// Duplicates is how many calls repeated an id already sent (not sent again).
func (s *Server) Duplicates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Duplicate {
			n++
		}
	}
	return n
}

// WaitSent waits until at least n SMS are sent, woken by each call; after
// 30 s (a test that hangs) the test fails.
func (s *Server) WaitSent(t testing.TB, n int) []Call {
	t.Helper()
	var got []Call
	if !s.changes.Await(30*time.Second, func() bool { got = s.Sent(""); return len(got) >= n }) {
		t.Fatalf("smstest: waited 30s for %d SMS, got %d (calls: %d)", n, len(got), len(s.Calls()))
	}
	return got
}

// MO posts a subscriber's answer to url (the serve's /sms/inbound with
// its token) as this gateway's callback: a form from=<phone>&text=<text>.
// It returns the status answered.
func MO(ctx context.Context, url_, phone, text string) (int, error) {
	form := url.Values{"from": {phone}, "text": {text}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url_, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != SendPath {
		http.Error(w, `{"status":"error","error":"not found"}`, http.StatusNotFound)
		return
	}
	call := Call{Method: r.Method, Auth: r.Header.Get("Authorization")}
	fields := r.URL.Query()
	if r.Method != http.MethodGet {
		body, _ := io.ReadAll(r.Body)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			var b map[string]string
			if err := json.Unmarshal(body, &b); err != nil {
				write(w, Refused("body is not JSON: "+err.Error()))
				return
			}
			for k, v := range b {
				fields.Set(k, v)
			}
		} else if v, err := url.ParseQuery(string(body)); err == nil {
			for k := range v {
				fields.Set(k, v.Get(k))
			}
		}
	}
	call.To, call.Text, call.ID = fields.Get("to"), fields.Get("text"), fields.Get("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	call.At = s.now()
	reply := s.answer(&call)
	call.Status = reply.Status
	s.calls = append(s.calls, call)
	s.changes.Notify()
	write(w, reply)
}

// answer decides a call's answer (s.mu held).
func (s *Server) answer(c *Call) Reply {
	queued := func() Reply {
		b, _ := json.Marshal(map[string]any{"status": "queued", "id": c.ID, "duplicate": c.Duplicate})
		return Reply{Status: http.StatusOK, Body: string(b)}
	}
	switch {
	case c.Auth != "Bearer "+Key:
		return Reply{Status: http.StatusUnauthorized, Body: `{"status":"error","error":"bad key"}`}
	case c.To == "" || c.Text == "" || c.ID == "":
		return Refused("to, text and id are required")
	case len(c.To) < 11 || !strings.HasPrefix(c.To, "84"):
		return Refused("not a Vietnamese number: " + c.To)
	}
	if s.perSec > 0 {
		sec := c.At.Truncate(time.Second)
		if !sec.Equal(s.second) {
			s.second, s.inSecond = sec, 0
		}
		s.inSecond++
		if s.inSecond > s.perSec {
			return Reply{Status: http.StatusTooManyRequests, Body: `{"status":"error","error":"rate limit"}`, Header: http.Header{"Retry-After": {"1"}}}
		}
	}
	if len(s.inject) > 0 {
		var r Reply
		r, s.inject = s.inject[0], s.inject[1:]
		return r
	}
	if s.seen[c.ID] {
		c.Duplicate = true
		return queued()
	}
	if _, gsm := sms.GSMLength(c.Text); !gsm {
		return Refused(fmt.Sprintf("text has characters GSM-7 lacks: %q", c.Text))
	}
	if s.credit == 0 {
		return Reply{Status: http.StatusPaymentRequired, Body: `{"status":"error","error":"insufficient balance"}`}
	}
	if s.credit > 0 {
		s.credit--
	}
	s.seen[c.ID] = true
	return queued()
}

func write(w http.ResponseWriter, r Reply) {
	for k, v := range r.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.Status)
	io.WriteString(w, r.Body)
}
