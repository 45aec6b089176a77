// Package zalotest is an httptest fake of the Zalo OA API (the
// customer-service message endpoint) and of the OAuth endpoint that
// refreshes the OA's token pair, answering like the real ones:
// {"error":0,"message":"Success","data":{"message_id":…}} or
// {"error":-216,"message":"Access token is invalid"}, a new pair for a
// refresh token that is spent once, OAuth errors otherwise. It records
// every call, can be told to fail (per call or per user: -32 rate limit,
// -230 outside the window, 5xx…), to expire the access token, and to
// slow refreshes down (to test concurrent senders). It also builds and
// signs webhook events (events.go).
package zalotest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/internal/fakeapi"
)

// The app's credentials the fake accepts.
const (
	AppID        = "4290531846211784"
	AppSecret    = "app-secret-for-tests"
	OASecretKey  = "oa-secret-key-for-tests"
	OAID         = "579745863508352884"
	FirstAccess  = "access-1"
	FirstRefresh = "refresh-1"
)

// Paths of the fake.
const (
	MessagePath = "/v3.0/oa/message/cs"
	TokenPath   = "/v4/oa/access_token"
)

// Call is one request to the message endpoint.
type Call struct {
	AccessToken string
	Body        json.RawMessage
	UserID      string // recipient.user_id
	Error       int    // the error code answered (0: sent)
	Status      int    // the HTTP status answered
	At          time.Time
}

// OK tells whether the message was accepted.
func (c Call) OK() bool { return c.Status == http.StatusOK && c.Error == 0 }

// Message is the decoded message of a call.
type Message struct {
	Text       string `json:"text"`
	Attachment *struct {
		Type    string `json:"type"`
		Payload struct {
			TemplateType string            `json:"template_type"`
			Elements     []json.RawMessage `json:"elements"`
			Buttons      []Button          `json:"buttons"`
		} `json:"payload"`
	} `json:"attachment"`
}

// Button is a decoded button.
type Button struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	Payload string `json:"payload"`
}

// Message decodes the call's message.
func (c Call) Message() Message {
	var b struct {
		Message Message `json:"message"`
	}
	_ = json.Unmarshal(c.Body, &b)
	return b.Message
}

// Text is the call's message text.
func (c Call) Text() string { return c.Message().Text }

// Buttons are the call's buttons.
func (c Call) Buttons() []Button {
	if m := c.Message(); m.Attachment != nil {
		return m.Attachment.Payload.Buttons
	}
	return nil
}

// TemplateType is the call's template type ("" for text or buttons).
func (c Call) TemplateType() string {
	if m := c.Message(); m.Attachment != nil {
		return m.Attachment.Payload.TemplateType
	}
	return ""
}

// Refresh is one request to the OAuth endpoint.
type Refresh struct {
	SecretKey    string
	AppID        string
	GrantType    string
	RefreshToken string
	OK           bool // a new pair was given
	At           time.Time
}

// Reply is an injected answer of the message endpoint.
type Reply struct {
	Status int
	Body   string
}

// APIError is an answer {"error":code,"message":msg} with HTTP 200, as
// the OA API answers its errors.
func APIError(code int, msg string) Reply {
	b, _ := json.Marshal(map[string]any{"error": code, "message": msg})
	return Reply{Status: http.StatusOK, Body: string(b)}
}

// RateLimited is error -32.
func RateLimited() Reply { return APIError(-32, "The request exceeds the rate limit") }

// OutsideWindow is error -230: the user has not interacted with the OA
// within the last 7 days.
func OutsideWindow() Reply {
	return APIError(-230, "User has not interacted with the OA in the past 7 days")
}

// NotFollower is error -213: the user does not follow the OA.
func NotFollower() Reply { return APIError(-213, "User has not followed OA") }

// ServerError is an HTTP 502 from a proxy in front of the API: not JSON.
func ServerError() Reply { return Reply{Status: 502, Body: "<html>502 Bad Gateway</html>"} }

// Server is the fake OA API and OAuth endpoint (one server, both paths).
type Server struct {
	*httptest.Server

	changes fakeapi.Changes

	mu           sync.Mutex
	access       string // the valid access token ("" when expired)
	refresh      string // the valid refresh token
	gen          int
	calls        []Call
	refreshes    []Refresh
	inject       []Reply
	byUser       map[string][]Reply
	refreshDelay time.Duration
	nextID       int
	files        map[string][]byte // path → content of a file a user sent (files.go)
}

// New starts a fake accepting FirstAccess and FirstRefresh, closed when
// the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		access:  FirstAccess,
		refresh: FirstRefresh,
		gen:     1,
		byUser:  map[string][]Reply{},
		nextID:  1000,
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Endpoint is the ZALO_API_ENDPOINT and ZALO_OAUTH_ENDPOINT of the fake.
func (s *Server) Endpoint() string { return s.URL }

// Tokens returns the currently valid pair.
func (s *Server) Tokens() (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access, s.refresh
}

// ExpireAccess makes the current access token invalid (-216); the
// refresh token still gives a new pair.
func (s *Server) ExpireAccess() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = ""
}

// SetRefreshDelay makes the OAuth endpoint answer after d.
func (s *Server) SetRefreshDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshDelay = d
}

// Inject queues answers for the next message calls (with a valid token),
// in order.
func (s *Server) Inject(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inject = append(s.inject, replies...)
}

// InjectUser queues answers for the next message calls to a user.
func (s *Server) InjectUser(userID string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byUser[userID] = append(s.byUser[userID], replies...)
}

// Calls returns every message call, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Sent returns the messages accepted for a user, in order.
func (s *Server) Sent(userID string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.UserID == userID && c.OK() {
			out = append(out, c)
		}
	}
	return out
}

// Refreshes returns the OAuth calls, in order.
func (s *Server) Refreshes() []Refresh {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Refresh(nil), s.refreshes...)
}

// WaitSent waits until a user has at least n messages, woken by each
// call; after 30 s (a test that hangs) the test fails.
func (s *Server) WaitSent(t testing.TB, userID string, n int) []Call {
	t.Helper()
	var got []Call
	if !s.changes.Await(30*time.Second, func() bool { got = s.Sent(userID); return len(got) >= n }) {
		t.Fatalf("zalotest: waited 30s for %d messages to %s, got %d (calls: %d)", n, userID, len(got), len(s.Calls()))
	}
	return got
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == MessagePath:
		s.message(w, r)
	case r.Method == http.MethodPost && r.URL.Path == TokenPath:
		s.token(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, filesPath):
		s.serveFile(w, r)
	default:
		http.Error(w, `{"error":-404,"message":"not found"}`, http.StatusNotFound)
	}
}

func (s *Server) message(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Recipient struct {
			UserID string `json:"user_id"`
		} `json:"recipient"`
		Message json.RawMessage `json:"message"`
	}
	call := Call{AccessToken: r.Header.Get("access_token"), Body: body, At: time.Now(), Status: http.StatusOK}
	reply := Reply{}
	if err := json.Unmarshal(body, &req); err != nil || len(req.Message) == 0 {
		reply = APIError(-201, "Parameters are invalid")
	} else {
		call.UserID = req.Recipient.UserID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case reply.Body != "":
	case call.AccessToken == "" || call.AccessToken != s.access:
		reply = APIError(-216, "Access token is invalid")
	case len(s.inject) > 0:
		reply, s.inject = s.inject[0], s.inject[1:]
	case len(s.byUser[call.UserID]) > 0:
		reply, s.byUser[call.UserID] = s.byUser[call.UserID][0], s.byUser[call.UserID][1:]
	default:
		s.nextID++
		b, _ := json.Marshal(map[string]any{"error": 0, "message": "Success",
			"data": map[string]any{"message_id": "msg" + strconv.Itoa(s.nextID), "user_id": call.UserID}})
		reply = Reply{Status: http.StatusOK, Body: string(b)}
	}
	call.Status = reply.Status
	var ans struct {
		Error int `json:"error"`
	}
	if json.Unmarshal([]byte(reply.Body), &ans) == nil {
		call.Error = ans.Error
	}
	s.calls = append(s.calls, call)
	s.changes.Notify()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(reply.Status)
	io.WriteString(w, reply.Body)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	rf := Refresh{
		SecretKey:    r.Header.Get("secret_key"),
		AppID:        r.PostForm.Get("app_id"),
		GrantType:    r.PostForm.Get("grant_type"),
		RefreshToken: r.PostForm.Get("refresh_token"),
		At:           time.Now(),
	}
	s.mu.Lock()
	delay := s.refreshDelay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ans any
	switch {
	case rf.SecretKey != AppSecret:
		ans = oauthError(-14002, "Invalid app secret key")
	case rf.AppID != AppID:
		ans = oauthError(-14001, "Invalid app id")
	case rf.GrantType != "refresh_token":
		ans = oauthError(-14003, "Invalid grant type")
	case rf.RefreshToken == "" || rf.RefreshToken != s.refresh:
		ans = oauthError(-14014, "Invalid refresh token")
	default:
		// The refresh token is spent: a new pair replaces both tokens.
		s.gen++
		s.access = fmt.Sprintf("access-%d", s.gen)
		s.refresh = fmt.Sprintf("refresh-%d", s.gen)
		rf.OK = true
		ans = map[string]string{"access_token": s.access, "refresh_token": s.refresh, "expires_in": "90000"}
	}
	s.refreshes = append(s.refreshes, rf)
	s.changes.Notify()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(ans)
}

func oauthError(code int, name string) map[string]any {
	return map[string]any{"error": code, "error_name": name, "error_reason": name,
		"error_description": name, "ref_doc": "https://developers.zalo.me/docs/official-account/"}
}
