// Package telegramtest is an httptest fake of the Telegram Bot API that
// answers like the real one: the same JSON envelopes ({"ok":true,
// "result":…} or {"ok":false,"error_code":…,"description":…}), 401 for a
// wrong token, 404 for an unknown method, 409 for getUpdates while a webhook
// is set, 400 for a message that is empty, too long or whose HTML does not
// parse. It records every call, serves queued updates to getUpdates (long
// polling with offset and timeout) and can be told to fail: a reply per
// method or per chat (429 with retry_after, 403 blocked, 400 chat not
// found, 500), or a chat that has blocked the bot.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
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

// Reply is an injected answer: an HTTP status and a body.
type Reply struct {
	Status int
	Body   string
}

func apiError(status, code int, description string, params string) Reply {
	body := fmt.Sprintf(`{"ok":false,"error_code":%d,"description":%q`, code, description)
	if params != "" {
		body += `,"parameters":` + params
	}
	return Reply{Status: status, Body: body + "}"}
}

// TooManyRequests is Telegram's flood-control answer.
func TooManyRequests(retryAfter int) Reply {
	return apiError(429, 429, fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		fmt.Sprintf(`{"retry_after":%d}`, retryAfter))
}

// Blocked is the answer for a user who blocked the bot.
func Blocked() Reply { return apiError(403, 403, "Forbidden: bot was blocked by the user", "") }

// Deactivated is the answer for a deleted account.
func Deactivated() Reply { return apiError(403, 403, "Forbidden: user is deactivated", "") }

// ChatNotFound is the answer for a chat that does not exist.
func ChatNotFound() Reply { return apiError(400, 400, "Bad Request: chat not found", "") }

// ServerError is a 500 from the Bot API.
func ServerError() Reply { return apiError(500, 500, "Internal Server Error", "") }

// BadGateway is what a proxy in front of the Bot API answers when it is
// down: not JSON.
func BadGateway() Reply { return Reply{Status: 502, Body: "<html><body>502 Bad Gateway</body></html>"} }

// Server is the fake Bot API.
type Server struct {
	*httptest.Server

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced on every change
	calls       []Call
	byMethod    map[string][]Reply
	byChat      map[string][]Reply
	blocked     map[string]bool
	updates     []json.RawMessage // pending, in update_id order
	updateIDs   []int
	lastUpdate  int
	webhookURL  string
	webhookSec  string
	nextMessage int
	limits      *limiter // flood control (limits.go), nil: off
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
		changed:     make(chan struct{}),
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
	s.changeLocked()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// Sent returns the successful message-sending calls (sendMessage,
// sendLocation, sendVenue, sendDocument) to a chat.
func (s *Server) Sent(chatID int64) []Call {
	return s.filter(func(c Call) bool {
		return c.Get("chat_id") == strconv.FormatInt(chatID, 10) && c.OK &&
			strings.HasPrefix(c.Method, "send")
	})
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

// WaitFor waits until cond holds on the recorded calls (10 s at most; the
// test fails after that).
func (s *Server) WaitFor(t testing.TB, what string, cond func(calls []Call) bool) []Call {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		calls := append([]Call(nil), s.calls...)
		ch := s.changed
		s.mu.Unlock()
		if cond(calls) {
			return calls
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("telegramtest: waited 10s for %s; calls: %s", what, summary(calls))
			return nil
		}
	}
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

func (s *Server) changeLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

var pathRE = regexp.MustCompile(`^/bot([^/]+)/([A-Za-z]+)$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	m := pathRE.FindStringSubmatch(r.URL.Path)
	if m == nil {
		write(w, apiError(404, 404, "Not Found", ""))
		return
	}
	token, method := m[1], m[2]
	call := Call{Method: method, Params: url.Values{}, Files: map[string][]byte{}, At: time.Now()}
	if err := parseParams(r, &call); err != nil {
		write(w, apiError(400, 400, "Bad Request: "+err.Error(), ""))
		return
	}
	if token != Token {
		s.record(call, false)
		write(w, apiError(401, 401, "Unauthorized", ""))
		return
	}
	if method == "getUpdates" {
		s.record(call, true)
		s.getUpdates(w, r, call)
		return
	}
	if reply, ok := s.injected(call); ok {
		s.record(call, false)
		write(w, reply)
		return
	}
	reply, ok := s.answer(call)
	s.record(call, ok)
	write(w, reply)
}

func (s *Server) record(c Call, ok bool) {
	c.OK = ok
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.changeLocked()
}

func (s *Server) injected(c Call) (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	chat := c.Get("chat_id")
	if q := s.byMethod[c.Method]; len(q) > 0 {
		s.byMethod[c.Method] = q[1:]
		return q[0], true
	}
	if chat == "" {
		return Reply{}, false
	}
	if q := s.byChat[chat]; len(q) > 0 {
		s.byChat[chat] = q[1:]
		return q[0], true
	}
	if s.blocked[chat] && c.Method != "answerCallbackQuery" {
		return Blocked(), true
	}
	return s.limitLocked(c)
}

func ok(result any) Reply {
	raw, _ := json.Marshal(map[string]any{"ok": true, "result": result})
	return Reply{Status: 200, Body: string(raw)}
}

func (s *Server) answer(c Call) (Reply, bool) {
	switch c.Method {
	case "getMe":
		return ok(Bot), true
	case "setWebhook":
		if c.Get("url") == "" {
			return apiError(400, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook", ""), false
		}
		if sec := c.Get("secret_token"); sec != "" && !regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`).MatchString(sec) {
			return apiError(400, 400, "Bad Request: secret token contains unallowed characters", ""), false
		}
		s.mu.Lock()
		s.webhookURL, s.webhookSec = c.Get("url"), c.Get("secret_token")
		s.mu.Unlock()
		return ok(true), true
	case "deleteWebhook":
		s.mu.Lock()
		s.webhookURL, s.webhookSec = "", ""
		s.mu.Unlock()
		return ok(true), true
	case "getWebhookInfo":
		u, _ := s.Webhook()
		return ok(map[string]any{"url": u, "pending_update_count": s.PendingUpdates()}), true
	case "setMyCommands":
		var cmds []struct{ Command, Description string }
		if err := c.JSON("commands", &cmds); err != nil {
			return apiError(400, 400, "Bad Request: can't parse commands JSON object", ""), false
		}
		for _, cmd := range cmds {
			if !regexp.MustCompile(`^[a-z0-9_]{1,32}$`).MatchString(cmd.Command) {
				return apiError(400, 400, "Bad Request: BOT_COMMAND_INVALID", ""), false
			}
			if n := len([]rune(cmd.Description)); n < 1 || n > 256 {
				return apiError(400, 400, "Bad Request: command description is empty or too long", ""), false
			}
		}
		return ok(true), true
	case "deleteMyCommands":
		return ok(true), true
	case "answerCallbackQuery":
		if c.Get("callback_query_id") == "" {
			return apiError(400, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid", ""), false
		}
		return ok(true), true
	case "sendMessage", "editMessageText":
		if r, bad := checkChat(c); bad {
			return r, false
		}
		if r, bad := checkText(c.Get("text"), c.Get("parse_mode"), 4096); bad {
			return r, false
		}
		if r, bad := checkMarkup(c); bad {
			return r, false
		}
		if c.Method == "editMessageText" {
			return ok(s.message(c, c.Get("message_id"))), true
		}
		return ok(s.message(c, "")), true
	case "editMessageReplyMarkup":
		if r, bad := checkChat(c); bad {
			return r, false
		}
		return ok(s.message(c, c.Get("message_id"))), true
	case "sendLocation", "sendVenue":
		if r, bad := checkChat(c); bad {
			return r, false
		}
		lat, err1 := strconv.ParseFloat(c.Get("latitude"), 64)
		lon, err2 := strconv.ParseFloat(c.Get("longitude"), 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return apiError(400, 400, "Bad Request: wrong latitude or longitude", ""), false
		}
		if c.Method == "sendVenue" && (c.Get("title") == "" || c.Get("address") == "") {
			return apiError(400, 400, "Bad Request: venue title and address must be non-empty", ""), false
		}
		if r, bad := checkMarkup(c); bad {
			return r, false
		}
		return ok(s.message(c, "")), true
	case "sendDocument", "sendPhoto":
		if r, bad := checkChat(c); bad {
			return r, false
		}
		field := "document"
		if c.Method == "sendPhoto" {
			field = "photo"
		}
		if len(c.Files[field]) == 0 && c.Get(field) == "" {
			return apiError(400, 400, "Bad Request: there is no "+field+" in the request", ""), false
		}
		if r, bad := checkText(c.Get("caption"), c.Get("parse_mode"), 1024); bad && c.Get("caption") != "" {
			return r, false
		}
		return ok(s.message(c, "")), true
	}
	return apiError(404, 404, "Not Found", ""), false
}

func (s *Server) message(c Call, id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := strconv.Atoi(id)
	if n == 0 {
		s.nextMessage++
		n = s.nextMessage
	}
	chat, _ := strconv.ParseInt(c.Get("chat_id"), 10, 64)
	return map[string]any{
		"message_id": n, "date": time.Now().Unix(),
		"chat": map[string]any{"id": chat, "type": "private"},
		"from": Bot, "text": c.Get("text"),
	}
}

func checkChat(c Call) (Reply, bool) {
	if c.Get("chat_id") == "" {
		return apiError(400, 400, "Bad Request: chat_id is empty", ""), true
	}
	return Reply{}, false
}

// checkText refuses what the real API refuses: an empty text, a text
// longer than limit after entity parsing, or HTML that does not parse.
func checkText(text, parseMode string, limit int) (Reply, bool) {
	plain := text
	if parseMode == "HTML" {
		p, err := parseHTML(text)
		if err != nil {
			return apiError(400, 400, "Bad Request: can't parse entities: "+err.Error(), ""), true
		}
		plain = p
	}
	if strings.TrimSpace(plain) == "" {
		return apiError(400, 400, "Bad Request: message text is empty", ""), true
	}
	if len(utf16.Encode([]rune(plain))) > limit {
		return apiError(400, 400, "Bad Request: message is too long", ""), true
	}
	return Reply{}, false
}

var allowedTags = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true, "span": true, "tg-spoiler": true, "blockquote": true}

// parseHTML checks Telegram's HTML subset and returns the plain text.
func parseHTML(s string) (string, error) {
	var b strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+j]
			closing := strings.HasPrefix(tag, "/")
			name := strings.TrimPrefix(tag, "/")
			if k := strings.IndexAny(name, " \t"); k >= 0 {
				name = name[:k]
			}
			if !allowedTags[name] {
				return "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			if closing {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("unmatched end tag at byte offset %d", i)
				}
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, name)
			}
			i += j + 1
		case '&':
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				return "", fmt.Errorf("unsupported entity at byte offset %d", i)
			}
			ent := s[i : i+j+1]
			switch {
			case ent == "&lt;":
				b.WriteByte('<')
			case ent == "&gt;":
				b.WriteByte('>')
			case ent == "&amp;":
				b.WriteByte('&')
			case ent == "&quot;":
				b.WriteByte('"')
			case strings.HasPrefix(ent, "&#"):
				b.WriteByte('?')
			default:
				return "", fmt.Errorf("unsupported entity %q at byte offset %d", ent, i)
			}
			i += j + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	return b.String(), nil
}

func checkMarkup(c Call) (Reply, bool) {
	raw := c.Get("reply_markup")
	if raw == "" {
		return Reply{}, false
	}
	var m struct {
		InlineKeyboard [][]struct {
			Text         string  `json:"text"`
			CallbackData *string `json:"callback_data"`
			URL          *string `json:"url"`
		} `json:"inline_keyboard"`
		Keyboard [][]struct {
			Text string `json:"text"`
		} `json:"keyboard"`
		RemoveKeyboard bool `json:"remove_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return apiError(400, 400, "Bad Request: can't parse reply keyboard markup JSON object", ""), true
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return apiError(400, 400, "Bad Request: text buttons are unallowed in the inline keyboard", ""), true
			}
			if (b.CallbackData == nil || len(*b.CallbackData) == 0 || len(*b.CallbackData) > 64) && b.URL == nil {
				return apiError(400, 400, "Bad Request: BUTTON_DATA_INVALID", ""), true
			}
		}
	}
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Text == "" {
				return apiError(400, 400, "Bad Request: keyboard button text is empty", ""), true
			}
		}
	}
	return Reply{}, false
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, c Call) {
	s.mu.Lock()
	hooked := s.webhookURL != ""
	s.mu.Unlock()
	if hooked {
		write(w, apiError(409, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", ""))
		return
	}
	offset, _ := strconv.Atoi(c.Get("offset"))
	limit, _ := strconv.Atoi(c.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(c.Get("timeout"))
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		// An offset confirms every update before it: they are gone.
		for len(s.updates) > 0 && offset > 0 && s.updateIDs[0] < offset {
			s.updates, s.updateIDs = s.updates[1:], s.updateIDs[1:]
		}
		var out []json.RawMessage
		for i, u := range s.updates {
			if s.updateIDs[i] >= offset && len(out) < limit {
				out = append(out, u)
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if len(out) > 0 || timeout <= 0 {
			if out == nil {
				out = []json.RawMessage{}
			}
			write(w, ok(out))
			return
		}
		select {
		case <-ch:
		case <-deadline:
			timeout = 0
		case <-r.Context().Done():
			return
		}
	}
}

func parseParams(r *http.Request, c *Call) error {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return err
			}
			if p.FileName() != "" {
				c.Files[p.FormName()] = data
				c.Params.Set(p.FormName()+"_name", p.FileName())
			} else {
				c.Params.Add(p.FormName(), string(data))
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return err
		}
		for k, v := range r.Form {
			c.Params[k] = v
		}
		return nil
	}
}

func write(w http.ResponseWriter, r Reply) {
	if strings.HasPrefix(r.Body, "{") {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "text/html")
	}
	w.WriteHeader(r.Status)
	io.WriteString(w, r.Body)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
