// Package telegramtest is an httptest fake of the Telegram Bot API that
// answers like the real one: the same JSON envelopes ({"ok":true,
// "result":…} or {"ok":false,"error_code":…,"description":…}), 401 for a
// wrong token, 404 for an unknown method, 409 for getUpdates while a webhook
// is set, 400 for a message that is empty, too long or whose HTML does not
// parse (api.go, validate.go). It records every call, serves queued updates
// to getUpdates (long polling with offset and timeout) and can be told to
// fail: a reply per method or per chat (429 with retry_after, 403 blocked,
// 400 chat not found, 500), or a chat that has blocked the bot. With
// EnforceLimits it refuses messages sent faster than Telegram allows
// (limits.go). It is the one fake of the Bot API: the channel's tests, the
// serve tests (package cli) and the load command (cmd/electionbot-bench,
// which turns the record off with CountOnly and reads Stats) use it.
package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/internal/fakeapi"
)

// Token is the bot token the fake accepts.
const Token = "123456:TEST-token"

// Bot is the fake bot's identity (getMe).
var Bot = User{ID: 123456, IsBot: true, FirstName: "Bầu cử", Username: "electionbot_test"}

// User is a Telegram user as getMe returns it.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username,omitempty"`
}

// Call is one request the fake received.
type Call struct {
	Method string
	Params url.Values        // form fields (urlencoded or multipart)
	Files  map[string][]byte // multipart files by field name
	At     time.Time
	OK     bool // answered with ok:true
}

// Get returns a parameter.
func (c Call) Get(name string) string { return c.Params.Get(name) }

// JSON decodes a JSON parameter (reply_markup, commands…) into v.
func (c Call) JSON(name string, v any) error { return json.Unmarshal([]byte(c.Params.Get(name)), v) }

// Server is the fake Bot API.
type Server struct {
	*httptest.Server
	changes fakeapi.Changes
	now     func() time.Time // the clock of the calls and of flood control

	mu          sync.Mutex
	calls       []Call
	countOnly   bool // calls are counted in stats, not kept
	stats       Stats
	delivered   map[string]bool // chats that received a message
	byMethod    map[string][]Reply
	byChat      map[string][]Reply
	blocked     map[string]bool
	updates     []json.RawMessage // pending, in update_id order
	updateIDs   []int
	lastUpdate  int
	webhookURL  string
	webhookSec  string
	nextMessage int
	limits      *limiter          // flood control (limits.go), nil: off
	files       map[string][]byte // file_id → content (files.go)
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	s := NewServer()
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a fake; Close it when done.
func NewServer() *Server {
	s := &Server{
		now:         time.Now,
		delivered:   map[string]bool{},
		byMethod:    map[string][]Reply{},
		byChat:      map[string][]Reply{},
		blocked:     map[string]bool{},
		nextMessage: 100,
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Endpoint is the TELEGRAM_API_ENDPOINT pattern of the fake.
func (s *Server) Endpoint() string { return s.URL + "/bot%s/%s" }

// CountOnly stops keeping the calls: Calls, Sent, WaitFor and WaitSent
// see none of the later ones, Stats and WaitDelivered go on counting. For
// loads of many messages, whose calls would fill the memory.
func (s *Server) CountOnly() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.countOnly = true
}

// Inject queues answers for the next calls of a method, in order.
func (s *Server) Inject(method string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byMethod[method] = append(s.byMethod[method], replies...)
}

// InjectChat queues answers for the next calls addressed to a chat (any
// method with that chat_id), in order.
func (s *Server) InjectChat(chatID int64, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := strconv.FormatInt(chatID, 10)
	s.byChat[k] = append(s.byChat[k], replies...)
}

// Block makes every call addressed to chatID fail with 403 blocked.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[strconv.FormatInt(chatID, 10)] = true
}

// AddUpdate queues an update (its JSON, with or without update_id: one is
// assigned if missing) for getUpdates, and returns its update_id.
func (s *Server) AddUpdate(update string) int {
	var m map[string]any
	if err := json.Unmarshal([]byte(update), &m); err != nil {
		panic("telegramtest: AddUpdate: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.lastUpdate + 1
	if v, ok := m["update_id"].(float64); ok {
		id = int(v)
	} else {
		m["update_id"] = id
	}
	if id > s.lastUpdate {
		s.lastUpdate = id
	}
	raw, _ := json.Marshal(m)
	s.updates = append(s.updates, raw)
	s.updateIDs = append(s.updateIDs, id)
	s.changes.Notify()
	return id
}

// PendingUpdates is the number of updates getUpdates has not had
// confirmed (by a later offset).
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Webhook returns the URL and secret_token of the last setWebhook.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.webhookSec
}

// Calls returns the calls of the given methods (all calls if none), in
// order.
func (s *Server) Calls(methods ...string) []Call {
	return s.filter(func(c Call) bool { return len(methods) == 0 || slices.Contains(methods, c.Method) })
}

// Sent returns the successful message-sending calls (sendMessage,
// sendLocation, sendVenue, sendDocument, sendPhoto) to a chat.
func (s *Server) Sent(chatID int64) []Call {
	chat := strconv.FormatInt(chatID, 10)
	return s.filter(func(c Call) bool { return c.OK && isSend(c.Method) && c.Get("chat_id") == chat })
}

func (s *Server) filter(keep func(Call) bool) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// isSend tells the methods that send a message (those flood control and
// Stats count).
func isSend(method string) bool { return strings.HasPrefix(method, "send") }

// WaitFor waits until cond holds on the recorded calls, woken by each
// call; after 30 s (a test that hangs) the test fails.
func (s *Server) WaitFor(t testing.TB, what string, cond func(calls []Call) bool) []Call {
	t.Helper()
	var calls []Call
	if !s.changes.Await(30*time.Second, func() bool { calls = s.Calls(); return cond(calls) }) {
		t.Fatalf("telegramtest: waited 30s for %s; calls: %s", what, summary(calls))
	}
	return calls
}

// WaitSent waits until n messages were delivered to a chat, and returns them.
func (s *Server) WaitSent(t testing.TB, chatID int64, n int) []Call {
	t.Helper()
	s.WaitFor(t, fmt.Sprintf("%d messages to chat %d", n, chatID), func([]Call) bool { return len(s.Sent(chatID)) >= n })
	return s.Sent(chatID)
}

func summary(calls []Call) string {
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "\n  %s chat=%s ok=%v text=%q", c.Method, c.Get("chat_id"), c.OK, c.Get("text"))
	}
	return b.String()
}

// Stats count the messages (send* calls) the fake answered, kept also
// under CountOnly.
type Stats struct {
	Sent        int64 // messages accepted
	TooMany     int64 // refused by flood control with 429
	TooManyChat int64 // of which for the pace of one chat (the rest: global)
	BadRequests int64 // refused with 400 (empty text, no chat, bad HTML…)
	Chats       int   // distinct chats that received a message
	Duplicates  int64 // messages beyond the first to a chat
	First, Last time.Time
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// WaitDelivered waits until the fake has accepted n messages in all; it
// returns ctx's error if ctx is done first.
func (s *Server) WaitDelivered(ctx context.Context, n int64) error {
	return s.changes.AwaitContext(ctx, func() bool { return s.Stats().Sent >= n })
}
