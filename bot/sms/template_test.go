package sms_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"electionbot/bot/sms"
)

// capture is a gateway that records the raw requests and answers 200 OK.
type capture struct {
	mu   sync.Mutex
	reqs []captured
}

type captured struct {
	Method, URL, ContentType, Body string
	Header                         http.Header
}

func newCapture(t *testing.T) (*capture, *httptest.Server) {
	c := &capture{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.reqs = append(c.reqs, captured{r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), string(b), r.Header.Clone()})
		c.mu.Unlock()
		io.WriteString(w, "OK:accepted")
	}))
	t.Cleanup(ts.Close)
	return c, ts
}

// TestTemplateRendering: the fields are escaped for where they go: JSON
// in a JSON body, URL-encoding in a form and in the URL, XML in XML.
func TestTemplateRendering(t *testing.T) {
	text := `Hẹn "7h" & <KP1>` // folded: Hen "7h" & <KP1>
	cases := []struct {
		name, method, url, body, headers string
		wantMethod, wantURL, wantType    string
		wantBody                         string
	}{
		{
			name: "JSON", url: "/api/send", body: `{"phone":"{{.Phone}}","msg":"{{.Text}}","ref":"{{.ID}}"}`,
			wantMethod: "POST", wantURL: "/api/send", wantType: "application/json",
			wantBody: `{"phone":"84912345678","msg":"Hen \"7h\" \u0026 \u003cKP1\u003e","ref":"k-1"}`,
		},
		{
			name: "form", url: "/api/send", body: `to={{.LocalPhone}}&text={{.Text}}&id={{.ID}}&brand=UBND`,
			wantMethod: "POST", wantURL: "/api/send", wantType: "application/x-www-form-urlencoded",
			wantBody: "to=0912345678&text=Hen+%227h%22+%26+%3CKP1%3E&id=k-1&brand=UBND",
		},
		{
			name: "GET", method: "GET", url: "/send?u=ward&to={{.Phone}}&sms={{.Text}}&rid={{.ID}}",
			wantMethod: "GET", wantURL: "/send?u=ward&to=84912345678&sms=Hen+%227h%22+%26+%3CKP1%3E&rid=k-1",
		},
		{
			name: "XML by its content type", url: "/soap", body: `<send><to>{{.Phone}}</to><text>{{.Text}}</text></send>`,
			headers: "Content-Type: text/xml; charset=utf-8", wantMethod: "POST", wantURL: "/soap", wantType: "text/xml; charset=utf-8",
			wantBody: "<send><to>84912345678</to><text>Hen &#34;7h&#34; &amp; &lt;KP1&gt;</text></send>",
		},
		{
			name: "JSON by its content type, PUT", method: "put", url: "/v2/sms", body: ` [{"to":"{{.Phone}}","content":"{{.Text}}"}]`,
			headers: "Content-Type: application/json\nAuthorization: Basic dTpw", wantMethod: "PUT", wantURL: "/v2/sms", wantType: "application/json",
			wantBody: ` [{"to":"84912345678","content":"Hen \"7h\" \u0026 \u003cKP1\u003e"}]`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gw, ts := newCapture(t)
			h, err := sms.ParseHeaders(c.headers)
			if err != nil {
				t.Fatal(err)
			}
			s, err := sms.New(sms.Config{URL: ts.URL + c.url, Method: c.method, Body: c.body, Headers: h, OK: "OK:"})
			if err != nil {
				t.Fatal(err)
			}
			key := "k-1"
			m := msg(1, "0912345678", text)
			m.DedupeKey = &key
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			r := gw.reqs[0]
			if r.Method != c.wantMethod || r.URL != c.wantURL || r.ContentType != c.wantType || r.Body != c.wantBody {
				t.Fatalf("request\n%s %s (%s)\n%s\nwant\n%s %s (%s)\n%s", r.Method, r.URL, r.ContentType, r.Body, c.wantMethod, c.wantURL, c.wantType, c.wantBody)
			}
			if c.name == "form" {
				if v, _ := url.ParseQuery(r.Body); v.Get("text") != `Hen "7h" & <KP1>` {
					t.Fatalf("the form's text decodes to %q", v.Get("text"))
				}
			}
			if strings.Contains(c.headers, "Authorization") && r.Header.Get("Authorization") != "Basic dTpw" {
				t.Fatalf("headers %v", r.Header)
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	for _, c := range []struct {
		in   string
		want http.Header
		err  bool
	}{
		{"", http.Header{}, false},
		{"Authorization: Bearer k1; x-brand: UBND P.Ka Long", http.Header{"Authorization": {"Bearer k1"}, "X-Brand": {"UBND P.Ka Long"}}, false},
		{"Authorization: Basic a2V5OnNlY3JldA==\nX-Sig: a;b;c\n\n", http.Header{"Authorization": {"Basic a2V5OnNlY3JldA=="}, "X-Sig": {"a;b;c"}}, false},
		{"X-Empty:", http.Header{"X-Empty": {""}}, false},
		{"Content-Type: text/xml; charset=utf-8; X-Key: k", http.Header{"Content-Type": {"text/xml; charset=utf-8"}, "X-Key": {"k"}}, false},
		{"Authorization Bearer", nil, true},
		{": value", nil, true},
		{"Bad Name: v", nil, true},
	} {
		got, err := sms.ParseHeaders(c.in)
		var ce *sms.ConfigError
		if c.err {
			if !errors.As(err, &ce) || ce.Var != "SMS_HEADERS" {
				t.Errorf("ParseHeaders(%q) = %v, %v; want an SMS_HEADERS error", c.in, got, err)
			}
			continue
		}
		if err != nil || len(got) != len(c.want) {
			t.Errorf("ParseHeaders(%q) = %v, %v; want %v", c.in, got, err, c.want)
			continue
		}
		for k, v := range c.want {
			if got.Get(k) != v[0] {
				t.Errorf("ParseHeaders(%q)[%s] = %q, want %q", c.in, k, got.Get(k), v[0])
			}
		}
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	for _, c := range []struct {
		cfg  sms.Config
		want string
	}{
		{sms.Config{}, "SMS_URL"},
		{sms.Config{URL: "example.vn/send"}, "SMS_URL"},
		{sms.Config{URL: "https://example.vn/send", Method: "PATCH"}, "SMS_METHOD"},
		{sms.Config{URL: "https://example.vn/send", Method: "GET", Body: "x={{.Text}}"}, "SMS_BODY"},
		{sms.Config{URL: "https://example.vn/send", Body: `{"t":"{{.Txt}}"}`}, "SMS_BODY"},
		{sms.Config{URL: "https://example.vn/send", Body: `{"t":{{.Text}}}`}, "SMS_BODY"},
		{sms.Config{URL: "https://example.vn/send?to={{.Phone}", Method: "GET"}, "SMS_URL"},
		{sms.Config{URL: "https://example.vn/send", MaxGSM: 5}, "SMS_MAX_GSM"},
	} {
		_, err := sms.New(c.cfg)
		var ce *sms.ConfigError
		if !errors.As(err, &ce) || ce.Var != c.want {
			t.Errorf("New(%+v) = %v, want an error naming %s", c.cfg, err, c.want)
		}
	}
}
