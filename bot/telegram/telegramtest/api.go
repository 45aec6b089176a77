package telegramtest

import (
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// How the fake answers each method: serve parses the call, checks the
// token, applies what a test injected (injected: per method, per chat,
// blocked chats, flood control), then answers like the Bot API.

var pathRE = regexp.MustCompile(`^/bot([^/]+)/([A-Za-z]+)$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.serveFile(w, r) {
		return
	}
	m := pathRE.FindStringSubmatch(r.URL.Path)
	if m == nil {
		write(w, apiError(404, 404, "Not Found", ""))
		return
	}
	token, method := m[1], m[2]
	call := Call{Method: method, Params: url.Values{}, Files: map[string][]byte{}, At: s.now()}
	if err := parseParams(r, &call); err != nil {
		write(w, apiError(400, 400, "Bad Request: "+err.Error(), ""))
		return
	}
	if token != Token {
		reply := apiError(401, 401, "Unauthorized", "")
		s.record(call, reply, false)
		write(w, reply)
		return
	}
	if method == "getUpdates" {
		s.record(call, Reply{Status: 200}, true)
		s.getUpdates(w, r, call)
		return
	}
	if reply, ok := s.injected(call); ok {
		s.record(call, reply, false)
		write(w, reply)
		return
	}
	var (
		reply Reply
		ok    bool
	)
	if method == "getFile" {
		reply, ok = s.getFile(call) // files.go
	} else {
		reply, ok = s.answer(call)
	}
	s.record(call, reply, ok)
	write(w, reply)
}

// record keeps a call (unless CountOnly), counts a message's outcome in
// Stats, and wakes the waiters.
func (s *Server) record(c Call, reply Reply, ok bool) {
	c.OK = ok
	s.mu.Lock()
	if !s.countOnly {
		s.calls = append(s.calls, c)
	}
	if isSend(c.Method) {
		st, chat := &s.stats, c.Get("chat_id")
		switch {
		case ok && s.delivered[chat]:
			st.Sent++
			st.Duplicates++
		case ok:
			st.Sent++
			st.Chats++
			s.delivered[chat] = true
		case reply.Status == http.StatusBadRequest:
			st.BadRequests++
		}
		if ok && (st.First.IsZero() || c.At.Before(st.First)) {
			st.First = c.At
		}
		if ok && c.At.After(st.Last) {
			st.Last = c.At
		}
	}
	s.mu.Unlock()
	s.changes.Notify()
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
		"message_id": n, "date": s.now().Unix(),
		"chat": map[string]any{"id": chat, "type": "private"},
		"from": Bot, "text": c.Get("text"),
	}
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
		ch := s.changes.C() // before reading: an update added meanwhile wakes us
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
