// Package znstest is an httptest fake of the Zalo ZNS API (POST
// /message/template), answering like the real one:
// {"error":0,"message":"Success","data":{"msg_id":…,"sent_time":…}} or
// {"error":-118,"message":"Zalo account not existed"}. It records every
// call and can be told which phones have no Zalo account (-118) or cannot
// receive (-119), after how many messages the quota is spent (-115),
// which templates are refused (-109) or need which parameters (-112), and
// to fail the next calls (5xx, 429, any answer). It posts the delivery
// events (user_received_message, signed like the OA's events) of the
// messages it accepted to a URL when told to (Deliver): explicit, not in
// the background, so that tests choose when a delivery arrives.
package znstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"electionbot/bot/zns"
	"electionbot/internal/fakeapi"
)

// The credentials the fake accepts and signs its events with (the same
// values as zalotest's, so that one OA can serve both fakes).
const (
	AppID       = "4290531846211784"
	OASecretKey = "oa-secret-key-for-tests"
	OAID        = "579745863508352884"
	AccessToken = "access-1"
)

// Call is one request to the template endpoint.
type Call struct {
	AccessToken  string
	Phone        string
	TemplateID   string
	TemplateData map[string]string
	TrackingID   string
	Error        int    // the error code answered (0: sent)
	Status       int    // the HTTP status answered
	MsgID        string // the msg_id given to an accepted message
	At           time.Time
}

// OK tells whether the message was accepted.
func (c Call) OK() bool { return c.Status == http.StatusOK && c.Error == 0 }

// Reply is an injected answer.
type Reply struct {
	Status int
	Body   string
	Header http.Header
}

// APIError is an answer {"error":code,"message":msg} with HTTP 200, as
// the ZNS API answers its errors.
func APIError(code int, msg string) Reply {
	b, _ := json.Marshal(map[string]any{"error": code, "message": msg})
	return Reply{Status: http.StatusOK, Body: string(b)}
}

// ServerError is an HTTP 502 from a proxy in front of the API.
func ServerError() Reply { return Reply{Status: 502, Body: "<html>502 Bad Gateway</html>"} }

// TooManyRequests is an HTTP 429 with Retry-After seconds.
func TooManyRequests(seconds int) Reply {
	return Reply{Status: http.StatusTooManyRequests, Body: `{"error":-32,"message":"rate limit"}`,
		Header: http.Header{"Retry-After": {strconv.Itoa(seconds)}}}
}

// Server is the fake ZNS API.
type Server struct {
	*httptest.Server

	changes fakeapi.Changes
	now     func() time.Time

	mu        sync.Mutex
	token     func() string
	calls     []Call
	inject    []Reply
	notOnZalo map[string]bool
	noReceive map[string]bool
	badTpl    map[string]bool
	required  map[string][]string
	quota     int // accepted messages before -115; <0: no quota
	accepted  int
	delivered int // calls[:i] whose deliveries were posted, by index
	nextID    int
}

// New starts a fake that accepts AccessToken, with no quota, closed when
// the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		now:       time.Now,
		token:     func() string { return AccessToken },
		notOnZalo: map[string]bool{},
		noReceive: map[string]bool{},
		badTpl:    map[string]bool{},
		required:  map[string][]string{},
		quota:     -1,
		nextID:    5000,
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Endpoint is the ZNS_ENDPOINT of the fake.
func (s *Server) Endpoint() string { return s.URL }

// SetToken makes the fake accept the token valid() gives (e.g. the Zalo
// fake's current access token, which refreshes change).
func (s *Server) SetToken(valid func() string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = valid
}

// SetNow sets the clock of the calls' and events' times.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// NotOnZalo makes these phones (84…) have no Zalo account: -118.
func (s *Server) NotOnZalo(phones ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range phones {
		s.notOnZalo[p] = true
	}
}

// CannotReceive makes these phones refuse ZNS: -119.
func (s *Server) CannotReceive(phones ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range phones {
		s.noReceive[p] = true
	}
}

// Quota spends the quota after n more accepted messages: later calls
// answer -115 (out of quota). n < 0: no quota.
func (s *Server) Quota(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 {
		s.quota = -1
		return
	}
	s.quota = s.accepted + n
}

// BadTemplate makes these template ids unknown: -109.
func (s *Server) BadTemplate(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.badTpl[id] = true
	}
}

// Require makes a template need these parameters: a call without one of
// them answers -112 (template data invalid).
func (s *Server) Require(templateID string, params ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.required[templateID] = params
}

// Inject queues answers for the next calls with a valid token, in order.
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

// Sent returns the accepted messages to a phone (all phones: ""), in order.
func (s *Server) Sent(phone string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.OK() && (phone == "" || c.Phone == phone) {
			out = append(out, c)
		}
	}
	return out
}

// WaitSent waits until at least n messages are accepted (to any phone),
// woken by each call; after 30 s (a test that hangs) the test fails.
func (s *Server) WaitSent(t testing.TB, n int) []Call {
	t.Helper()
	var got []Call
	if !s.changes.Await(30*time.Second, func() bool { got = s.Sent(""); return len(got) >= n }) {
		t.Fatalf("znstest: waited 30s for %d messages, got %d (calls: %d)", n, len(got), len(s.Calls()))
	}
	return got
}

// Event is the signed user_received_message of an accepted call, as Zalo
// posts it: its body and signature header.
func Event(c Call, at time.Time) (body []byte, signature string) {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	body, _ = json.Marshal(map[string]any{
		"app_id":     AppID,
		"event_name": zns.EventReceived,
		"sender":     map[string]string{"id": OAID},
		"recipient":  map[string]string{"id": "zuid-" + c.Phone},
		"message":    map[string]string{"msg_id": c.MsgID, "tracking_id": c.TrackingID, "delivery_time": ts},
		"timestamp":  ts,
	})
	return body, zns.Signature(AppID, body, ts, OASecretKey)
}

// Deliver posts the delivery event of every accepted message not
// delivered before to url (a serve's /zns/webhook or /zalo/webhook), in
// order, and returns how many it posted; it stops at the first answer
// that is not 200.
func (s *Server) Deliver(ctx context.Context, url string) (int, error) {
	s.mu.Lock()
	var todo []Call
	for _, c := range s.calls[s.delivered:] {
		if c.OK() {
			todo = append(todo, c)
		}
	}
	s.delivered = len(s.calls)
	now := s.now
	s.mu.Unlock()
	for i, c := range todo {
		body, sig := Event(c, now())
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return i, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(zns.SignatureHeader, sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return i, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return i, fmt.Errorf("znstest: delivery of %s answered %s", c.TrackingID, resp.Status)
		}
	}
	return len(todo), nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != zns.TemplatePath {
		http.Error(w, `{"error":-106,"message":"Method unsupported"}`, http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req zns.Request
	s.mu.Lock()
	defer s.mu.Unlock()
	call := Call{AccessToken: r.Header.Get("access_token"), At: s.now(), Status: http.StatusOK}
	reply := Reply{}
	if err := json.Unmarshal(body, &req); err != nil {
		reply = APIError(-121, "Body data empty")
	}
	call.Phone, call.TemplateID, call.TemplateData, call.TrackingID = req.Phone, req.TemplateID, req.TemplateData, req.TrackingID
	switch {
	case reply.Body != "":
	case call.AccessToken == "" || call.AccessToken != s.token():
		reply = APIError(zns.ErrTokenInvalid, "Access token invalid")
	case len(s.inject) > 0:
		reply, s.inject = s.inject[0], s.inject[1:]
	case len(req.Phone) < 11 || req.Phone[:2] != "84":
		reply = APIError(zns.ErrPhoneInvalid, "Phone number invalid")
	case s.badTpl[req.TemplateID] || req.TemplateID == "":
		reply = APIError(zns.ErrTemplateID, "Template ID invalid")
	case missing(req.TemplateData, s.required[req.TemplateID]) != "":
		reply = APIError(zns.ErrTemplateData, "Template data invalid: "+missing(req.TemplateData, s.required[req.TemplateID]))
	case s.notOnZalo[req.Phone]:
		reply = APIError(zns.ErrNoZaloAccount, "Zalo account not existed")
	case s.noReceive[req.Phone]:
		reply = APIError(zns.ErrCannotReceive, "Account can not receive")
	case s.quota >= 0 && s.accepted >= s.quota:
		reply = APIError(zns.ErrQuota, "Out of quota")
	default:
		s.nextID++
		s.accepted++
		call.MsgID = "zns" + strconv.Itoa(s.nextID)
		b, _ := json.Marshal(map[string]any{"error": 0, "message": "Success", "data": map[string]any{
			"msg_id": call.MsgID, "sent_time": strconv.FormatInt(call.At.UnixMilli(), 10),
			"quota": map[string]string{"dailyQuota": "500000", "remainingQuota": strconv.Itoa(max(0, 500000-s.accepted))},
		}})
		reply = Reply{Status: http.StatusOK, Body: string(b)}
	}
	call.Status = reply.Status
	var ans struct {
		Error int `json:"error"`
	}
	if json.Unmarshal([]byte(reply.Body), &ans) == nil && reply.Status == http.StatusOK {
		call.Error = ans.Error
	}
	s.calls = append(s.calls, call)
	s.changes.Notify()
	for k, v := range reply.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(reply.Status)
	io.WriteString(w, reply.Body)
}

// missing is the first of want that data lacks ("" when none).
func missing(data map[string]string, want []string) string {
	for _, k := range want {
		if data[k] == "" {
			return k
		}
	}
	return ""
}
