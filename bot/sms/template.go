package sms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"text/template"
)

// Fields are what SMS_URL and SMS_BODY may use: {{.Phone}} (84…),
// {{.LocalPhone}} (0…), {{.Text}} (one SMS, in GSM-7), {{.ID}} (the
// idempotency key: the outbox message's dedupe key or id, "-n" for the
// n-th part of a long message). They are escaped for where they go:
// URL-encoded in SMS_URL and in a form body, JSON-escaped (without the
// quotes: the template writes them) in a JSON body, XML-escaped in an XML
// body, as they are in any other body.
type Fields struct {
	Phone, LocalPhone, Text, ID string
}

// Content types of a body, by how its fields are escaped.
const (
	bodyJSON = "json"
	bodyForm = "form"
	bodyXML  = "xml"
	bodyRaw  = "raw"
)

// bodyKind is how a body's fields are escaped, from its content type
// (SMS_HEADERS' Content-Type), else from the body itself: a JSON object
// or array is JSON, anything else a form. The content type to send is
// returned when the headers have none.
func bodyKind(contentType, body string) (kind, setType string) {
	if contentType == "" {
		t := strings.TrimSpace(body)
		if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			return bodyJSON, "application/json"
		}
		if strings.HasPrefix(t, "<") {
			return bodyXML, "application/xml; charset=utf-8"
		}
		return bodyForm, "application/x-www-form-urlencoded"
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(contentType)
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return bodyJSON, ""
	case mt == "application/x-www-form-urlencoded":
		return bodyForm, ""
	case strings.HasSuffix(mt, "/xml") || strings.HasSuffix(mt, "+xml"):
		return bodyXML, ""
	}
	return bodyRaw, ""
}

// escape escapes the fields for a kind of text.
func (f Fields) escape(kind string) Fields {
	var esc func(string) string
	switch kind {
	case bodyJSON:
		esc = func(s string) string {
			b, _ := json.Marshal(s)
			return string(b[1 : len(b)-1])
		}
	case bodyForm:
		esc = url.QueryEscape
	case bodyXML:
		esc = html.EscapeString
	default:
		return f
	}
	return Fields{Phone: esc(f.Phone), LocalPhone: esc(f.LocalPhone), Text: esc(f.Text), ID: esc(f.ID)}
}

// request is a parsed SMS_URL/SMS_METHOD/SMS_BODY/SMS_HEADERS.
type request struct {
	method  string
	url     *template.Template
	body    *template.Template // nil: no body
	kind    string
	headers http.Header
}

func newRequest(method, rawURL, body string, headers http.Header) (*request, error) {
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		method = http.MethodPost
	}
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut:
	default:
		return nil, &ConfigError{"SMS_METHOD", fmt.Sprintf("%q: must be GET, POST or PUT", method)}
	}
	r := &request{method: method, headers: headers.Clone()}
	if r.headers == nil {
		r.headers = http.Header{}
	}
	var err error
	if r.url, err = template.New("SMS_URL").Option("missingkey=error").Parse(rawURL); err != nil {
		return nil, &ConfigError{"SMS_URL", err.Error()}
	}
	if strings.TrimSpace(body) != "" {
		if method == http.MethodGet {
			return nil, &ConfigError{"SMS_BODY", "a GET request has no body: put the fields in SMS_URL"}
		}
		if r.body, err = template.New("SMS_BODY").Option("missingkey=error").Parse(body); err != nil {
			return nil, &ConfigError{"SMS_BODY", err.Error()}
		}
		var setType string
		r.kind, setType = bodyKind(r.headers.Get("Content-Type"), body)
		if setType != "" {
			r.headers.Set("Content-Type", setType)
		}
	}
	// A sample call shows a wrong field or an invalid body now, not at the
	// first SMS.
	u, b, err := r.render(Fields{Phone: "84912345678", LocalPhone: "0912345678", Text: `Hop "bau" & <ngay> 5/6`, ID: "check-1"})
	if err != nil {
		return nil, err
	}
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, &ConfigError{"SMS_URL", fmt.Sprintf("%q: must be an absolute http(s) URL", rawURL)}
	}
	if r.kind == bodyJSON && !json.Valid(b) {
		return nil, &ConfigError{"SMS_BODY", fmt.Sprintf("not JSON once filled in: %.200s (quote the fields: \"text\":\"{{.Text}}\")", b)}
	}
	return r, nil
}

// render fills the URL and body in with one SMS's fields.
func (r *request) render(f Fields) (string, []byte, error) {
	var u bytes.Buffer
	if err := r.url.Execute(&u, f.escape(bodyForm)); err != nil {
		return "", nil, &ConfigError{"SMS_URL", err.Error()}
	}
	if r.body == nil {
		return u.String(), nil, nil
	}
	var b bytes.Buffer
	if err := r.body.Execute(&b, f.escape(r.kind)); err != nil {
		return "", nil, &ConfigError{"SMS_BODY", err.Error()}
	}
	return u.String(), b.Bytes(), nil
}

// ParseHeaders reads SMS_HEADERS: "Name: value" pairs separated by line
// breaks or by ";" ("Authorization: Bearer k1; X-Brand: UBND"). With ";"
// a piece that is not a pair continues the value before it
// ("Content-Type: text/xml; charset=utf-8"); with line breaks a value
// keeps its ";" as it is. Empty pairs are skipped.
func ParseHeaders(s string) (http.Header, error) {
	h := http.Header{}
	sep := ";"
	if strings.Contains(s, "\n") {
		sep = "\n"
	}
	last := ""
	for _, pair := range strings.Split(s, sep) {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, value, ok := strings.Cut(pair, ":")
		name = strings.TrimSpace(name)
		valid := ok && name != "" && !strings.ContainsAny(name, " \t\"()<>@,;\\/[]?={}")
		if !valid && sep == ";" && last != "" {
			vs := h[last]
			vs[len(vs)-1] += "; " + pair
			continue
		}
		if !valid {
			return nil, &ConfigError{"SMS_HEADERS", fmt.Sprintf("%q: not a \"Name: value\" pair", pair)}
		}
		last = textproto.CanonicalMIMEHeaderKey(name)
		h.Add(last, strings.TrimSpace(value))
	}
	return h, nil
}

// ConfigError names the variable of a bad setting.
type ConfigError struct {
	Var    string
	Reason string
}

func (e *ConfigError) Error() string { return e.Var + ": " + e.Reason }
