package sms

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"electionbot/bot/intake"
	"electionbot/models"
)

// InboundPath is where serve takes the gateway's replies (MO messages).
const InboundPath = "/sms/inbound"

// TokenHeader carries the inbound token when the gateway can set a
// header; otherwise it is the "token" query parameter of the URL given to
// the gateway.
const TokenHeader = "X-SMS-Token"

// IsOptOut tells whether a reply asks for no more messages: STOP, TU CHOI
// or TUCHOI (any case, with or without diacritics: "Từ chối"), alone or
// followed by more words ("STOP tin nhan").
func IsOptOut(text string) bool {
	f := models.Fold(text)
	for _, w := range []string{"stop", "tu choi", "tuchoi"} {
		if f == w || strings.HasPrefix(f, w+" ") {
			return true
		}
	}
	return false
}

// Inbound takes a gateway's replies (MO callbacks): an opt-out goes to
// OptOut, anything else is acknowledged and dropped (the bot does not
// converse by SMS).
type Inbound struct {
	// Token authenticates the gateway (SMS_INBOUND_TOKEN): the "token"
	// query parameter or the X-SMS-Token header. Required.
	Token string
	// OptOut stops every message to the household of phone (84…). An
	// error answers 500: the gateway posts the reply again.
	OptOut func(ctx context.Context, phone string) error
	Logger *slog.Logger
}

// Field names a gateway's callback uses for the sender and the text
// (query, form or JSON object; any case).
var (
	phoneFields = []string{"phone", "from", "msisdn", "sender", "src", "source", "mobile"}
	textFields  = []string{"text", "message", "content", "body", "msg", "sms"}
)

// Handler serves the MO callback (GET or POST; query, form or JSON): 401
// without the token, 400 without a Vietnamese phone, 500 when OptOut
// failed, otherwise 200 {"ok":true}.
func (in *Inbound) Handler() http.Handler {
	log := in.Logger
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(TokenHeader)
		if got == "" {
			got = r.URL.Query().Get("token")
		}
		if in.Token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(in.Token)) != 1 {
			w.Header().Set("Connection", "close")
			http.Error(w, "wrong token", http.StatusUnauthorized)
			return
		}
		fields, err := readFields(r)
		if err != nil {
			http.Error(w, "cannot read the message", http.StatusBadRequest)
			return
		}
		phone, perr := models.Phone84(pick(fields, phoneFields))
		text := intake.Clean(pick(fields, textFields), 1000)
		if perr != nil {
			http.Error(w, "no Vietnamese phone in the message", http.StatusBadRequest)
			return
		}
		if IsOptOut(text) && in.OptOut != nil {
			if err := in.OptOut(context.WithoutCancel(r.Context()), phone); err != nil {
				log.Error("sms: opt-out not recorded", "phone", models.MaskPhone("+"+phone), "err", err)
				http.Error(w, "not recorded, send it again", http.StatusInternalServerError)
				return
			}
			log.Info("sms: opt-out", "phone", models.MaskPhone("+"+phone))
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`+"\n")
	})
}

// readFields is the callback's fields: the query, and a form or JSON
// object body (strings and numbers), keys lower-cased.
func readFields(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	add := func(v url.Values) {
		for k, vs := range v {
			if len(vs) > 0 {
				out[strings.ToLower(k)] = vs[0]
			}
		}
	}
	add(r.URL.Query())
	if r.Method == http.MethodGet || r.Body == nil {
		return out, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, intake.MaxWebhookBody))
	if err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	t := strings.TrimSpace(string(body))
	if mt == "application/json" || strings.HasPrefix(t, "{") {
		var obj map[string]any
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			return nil, err
		}
		for k, v := range obj {
			switch v := v.(type) {
			case string:
				out[strings.ToLower(k)] = v
			case json.Number:
				out[strings.ToLower(k)] = v.String()
			}
		}
		return out, nil
	}
	v, err := url.ParseQuery(t)
	if err != nil {
		return nil, err
	}
	add(v)
	return out, nil
}

func pick(fields map[string]string, names []string) string {
	for _, n := range names {
		if v := strings.TrimSpace(fields[n]); v != "" {
			return v
		}
	}
	return ""
}
