package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are the sending limits a FakeBot enforces, as Telegram does: a
// global rate across all chats, and a rate per chat (private chats; groups
// have their own). A send over a limit is refused with 429 Too Many
// Requests and a retry_after, like the real Bot API.
type Limits struct {
	// Global is messages per second across all chats [30; 1000 with paid
	// broadcasts]; GlobalBurst is how many may go at once [Global/10, at
	// least 1].
	Global      float64
	GlobalBurst int
	// PerChat is messages per second to one private chat [1], with
	// ChatBurst at once [3]. Groups (negative chat ids) get 20 a minute.
	PerChat   float64
	ChatBurst int
}

func (l *Limits) defaults() {
	if l.Global <= 0 {
		l.Global = 30
	}
	if l.GlobalBurst <= 0 {
		l.GlobalBurst = max(1, int(l.Global/10))
	}
	if l.PerChat <= 0 {
		l.PerChat = 1
	}
	if l.ChatBurst <= 0 {
		l.ChatBurst = 3
	}
}

// BotUser is the fake bot's identity (getMe).
var BotUser = map[string]any{"id": 777000111, "is_bot": true, "first_name": "Bầu cử", "username": "electionbot_bench"}

// FakeBot is an HTTP fake of the Telegram Bot API for load: it answers
// getMe, setWebhook, deleteWebhook, setMyCommands, getUpdates (empty),
// answerCallbackQuery, editMessage* and the send* methods, enforces
// Limits on the send* methods, and counts what it delivered. It keeps
// counters, not the messages, so it can absorb millions of calls.
type FakeBot struct {
	*httptest.Server
	limits Limits
	global *rate.Limiter

	mu          sync.Mutex
	chats       map[string]*chatState
	sent        int64
	tooMany     int64
	tooManyChat int64
	badRequests int64
	first, last time.Time
	webhookURL  string
	webhookSec  string
	nextMessage int64
}

type chatState struct {
	lim  *rate.Limiter
	sent int
}

// NewFakeBot starts a fake enforcing limits; Close it when done.
func NewFakeBot(limits Limits) *FakeBot {
	limits.defaults()
	f := &FakeBot{
		limits:      limits,
		global:      rate.NewLimiter(rate.Limit(limits.Global), limits.GlobalBurst),
		chats:       map[string]*chatState{},
		nextMessage: 1000,
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// Endpoint is the TELEGRAM_API_ENDPOINT pattern of the fake.
func (f *FakeBot) Endpoint() string { return f.URL + "/bot%s/%s" }

// Limits returns the limits enforced.
func (f *FakeBot) Limits() Limits { return f.limits }

// Webhook is the URL and secret of the last setWebhook.
func (f *FakeBot) Webhook() (string, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.webhookURL, f.webhookSec
}

// Stats are the fake's counters.
type Stats struct {
	Sent        int64 // messages accepted (2xx)
	TooMany     int64 // 429s answered
	TooManyChat int64 // of which for the pace of one chat (the rest: global)
	BadRequests int64 // 400s answered (empty text, no chat…)
	Chats       int   // distinct chats that received a message
	Duplicates  int64 // messages beyond the first to a chat
	First, Last time.Time
}

// Stats returns the counters so far.
func (f *FakeBot) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := Stats{Sent: f.sent, TooMany: f.tooMany, TooManyChat: f.tooManyChat, BadRequests: f.badRequests, First: f.first, Last: f.last}
	for _, c := range f.chats {
		if c.sent > 0 {
			st.Chats++
			st.Duplicates += int64(c.sent - 1)
		}
	}
	return st
}

// SentTo is how many messages a chat received.
func (f *FakeBot) SentTo(chat string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.chats[chat]; c != nil {
		return c.sent
	}
	return 0
}

// Reset forgets the counters and the chats' pace (not the webhook).
func (f *FakeBot) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chats = map[string]*chatState{}
	f.sent, f.tooMany, f.tooManyChat, f.badRequests = 0, 0, 0, 0
	f.first, f.last = time.Time{}, time.Time{}
	f.global = rate.NewLimiter(rate.Limit(f.limits.Global), f.limits.GlobalBurst)
}

// WaitSent waits until the fake has accepted n messages in all, or the
// timeout passes or ctx is done; it reports whether it got there.
func (f *FakeBot) WaitSent(ctx context.Context, n int64, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if f.Stats().Sent >= n {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var fakePath = regexp.MustCompile(`^/bot([^/]+)/([A-Za-z]+)$`)

func (f *FakeBot) serve(w http.ResponseWriter, r *http.Request) {
	m := fakePath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		fail(w, 404, "Not Found", "")
		return
	}
	method := m[2]
	params, err := readParams(r)
	if err != nil {
		fail(w, 400, "Bad Request: "+err.Error(), "")
		return
	}
	switch {
	case method == "getMe":
		okResult(w, BotUser)
	case method == "setWebhook":
		f.mu.Lock()
		f.webhookURL, f.webhookSec = params.Get("url"), params.Get("secret_token")
		f.mu.Unlock()
		okResult(w, true)
	case method == "deleteWebhook":
		f.mu.Lock()
		f.webhookURL, f.webhookSec = "", ""
		f.mu.Unlock()
		okResult(w, true)
	case method == "getUpdates":
		// Long polling is not measured: answer nothing after a short wait.
		select {
		case <-time.After(200 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		okResult(w, []any{})
	case method == "setMyCommands", method == "deleteMyCommands", method == "answerCallbackQuery":
		okResult(w, true)
	case strings.HasPrefix(method, "editMessage"):
		okResult(w, f.message(params.Get("chat_id"), params.Get("text")))
	case strings.HasPrefix(method, "send"):
		f.send(w, method, params)
	default:
		fail(w, 404, "Not Found", "")
	}
}

func (f *FakeBot) send(w http.ResponseWriter, method string, p url.Values) {
	chat := p.Get("chat_id")
	if chat == "" || (method == "sendMessage" && strings.TrimSpace(p.Get("text")) == "") {
		f.mu.Lock()
		f.badRequests++
		f.mu.Unlock()
		fail(w, 400, "Bad Request: chat_id or text is empty", "")
		return
	}
	f.mu.Lock()
	now := time.Now() // under the lock: the buckets see time in order
	c := f.chats[chat]
	if c == nil {
		r, b := rate.Limit(f.limits.PerChat), f.limits.ChatBurst
		if strings.HasPrefix(chat, "-") {
			r = rate.Limit(20.0 / 60.0)
		}
		c = &chatState{lim: rate.NewLimiter(r, b)}
		f.chats[chat] = c
	}
	// A send takes a token from the chat and from the global bucket, or
	// is refused without taking either.
	chatRes := c.lim.ReserveN(now, 1)
	globalRes := f.global.ReserveN(now, 1)
	chatWait := chatRes.DelayFrom(now)
	wait := max(chatWait, globalRes.DelayFrom(now))
	if wait > 0 {
		chatRes.CancelAt(now)
		globalRes.CancelAt(now)
		f.tooMany++
		if chatWait > 0 {
			f.tooManyChat++
		}
		f.mu.Unlock()
		retry := max(1, int(math.Ceil(wait.Seconds())))
		fail(w, 429, fmt.Sprintf("Too Many Requests: retry after %d", retry), fmt.Sprintf(`{"retry_after":%d}`, retry))
		return
	}
	c.sent++
	f.sent++
	if f.first.IsZero() {
		f.first = now
	}
	f.last = now
	f.mu.Unlock()
	okResult(w, f.message(chat, p.Get("text")))
}

func (f *FakeBot) message(chat, text string) map[string]any {
	f.mu.Lock()
	f.nextMessage++
	id := f.nextMessage
	f.mu.Unlock()
	chatID, _ := strconv.ParseInt(chat, 10, 64)
	return map[string]any{
		"message_id": id, "date": time.Now().Unix(),
		"chat": map[string]any{"id": chatID, "type": "private"},
		"from": BotUser, "text": text,
	}
}

func readParams(r *http.Request) (url.Values, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return nil, err
		}
		return r.MultipartForm.Value, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.Form, nil
}

func okResult(w http.ResponseWriter, result any) {
	b, _ := json.Marshal(map[string]any{"ok": true, "result": result})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func fail(w http.ResponseWriter, code int, description, params string) {
	body := fmt.Sprintf(`{"ok":false,"error_code":%d,"description":%q`, code, description)
	if params != "" {
		body += `,"parameters":` + params
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	io.WriteString(w, body+"}")
}
