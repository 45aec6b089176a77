package results

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"electionbot/models"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Defaults of Options.
const (
	DefaultCacheTTL = 3 * time.Second
	DefaultRefresh  = 30 * time.Second
)

// Options tune a Server; the zero value is fine.
type Options struct {
	// Bundle holds the results_* messages in vi and en; nil: DefaultBundle.
	Bundle *i18n.Bundle
	// DefaultLang is the page's language without ?lang= (default "vi").
	DefaultLang string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// CacheTTL is how long a built view is served again (default 3 s;
	// negative: no cache).
	CacheTTL time.Duration
	// Refresh is the auto-refresh interval while counting (default 30 s).
	Refresh time.Duration
	// Logger (default slog.Default()).
	Logger *slog.Logger
}

// Server serves GET /results/{election}, /results/{election}.json and
// /results/{election}.csv.
type Server struct {
	src    Source
	key    []byte
	opts   Options
	tmpl   *template.Template
	trs    map[string]*tr
	log    *slog.Logger
	bodies *ttlCache[*rendered] // responses by view, language and format
	models *ttlCache[*Results]  // built views, shared by their formats
}

// New returns the results handler. src is the store (models.Store); key is
// the server's secret for the officials' links (SignAdminLink): with an
// empty key only the public view is served. It fails if the bundle lacks
// one of MessageIDs.
func New(src Source, key []byte, opts Options) (*Server, error) {
	if src == nil {
		return nil, errors.New("results: no source")
	}
	if opts.Bundle == nil {
		b, err := DefaultBundle()
		if err != nil {
			return nil, err
		}
		opts.Bundle = b
	}
	if err := CheckBundle(opts.Bundle); err != nil {
		return nil, err
	}
	if err := checkRollupBundle(opts.Bundle); err != nil {
		return nil, err
	}
	opts.DefaultLang = pickLang(opts.DefaultLang, Languages[0])
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = DefaultCacheTTL
	}
	if opts.Refresh <= 0 {
		opts.Refresh = DefaultRefresh
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	tmpl, err := template.New("").Funcs(template.FuncMap{"dict": dict}).ParseFS(templatesFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("results: templates: %w", err)
	}
	s := &Server{
		src: src, key: append([]byte(nil), key...), opts: opts, tmpl: tmpl, log: opts.Logger,
		trs: map[string]*tr{}, bodies: newTTLCache[*rendered](opts.CacheTTL), models: newTTLCache[*Results](opts.CacheTTL),
	}
	for _, l := range Languages {
		s.trs[l] = newTr(opts.Bundle, l)
	}
	return s, nil
}

// Register adds the results routes to mux: GET (and HEAD) /results/{election}
// with the .json and .csv forms.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("GET /results/{election}", s)
}

// Format of a response.
const (
	formatHTML = "html"
	formatJSON = "json"
	formatCSV  = "csv"
)

// ServeHTTP answers /results/{election}[.json|.csv][?lang=en][&exp=…&sig=…]
// [&ward=CODE | &city=SLUG]: the whole election, or one ward's or city's
// part of it (Scope).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r.URL.Query().Get("lang"), s.opts.DefaultLang)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	code := r.PathValue("election")
	if code == "" {
		c, ok := strings.CutPrefix(r.URL.Path, "/results/")
		if !ok || c == "" || strings.Contains(c, "/") {
			s.errorPage(w, r, lang, c, http.StatusNotFound)
			return
		}
		code = c
	}
	format := formatHTML
	if c, ok := strings.CutSuffix(code, ".json"); ok {
		code, format = c, formatJSON
	} else if c, ok := strings.CutSuffix(code, ".csv"); ok {
		code, format = c, formatCSV
	}

	now := s.opts.Now()
	q := r.URL.Query()
	scope := Scope{Ward: q.Get("ward"), City: q.Get("city")}.norm()
	admin, bound := false, false
	var adminExp time.Time
	if q.Has("sig") || q.Has("exp") {
		exp, b, err := VerifyAdminScope(code, scope.Ward, q.Get("exp"), q.Get("sig"), s.key, now)
		if err != nil {
			s.log.Info("results: admin link refused", "election", code, "reason", err)
			s.errorPage(w, r, lang, code, http.StatusForbidden)
			return
		}
		admin, bound, adminExp = true, b, exp
	}

	view := ViewPublic
	if admin {
		view = ViewAdmin
	}
	key := cacheKey{code: code, scope: scope.key(), view: view, lang: lang, format: format, bound: bound}
	if admin {
		// The page of an officials' link states its expiry.
		key.exp = adminExp.Unix()
	}
	body, err := s.render(r.Context(), key, scope, adminExp, q)
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrNotInElection):
			t := s.trs[lang]
			s.errorMessage(w, r, lang, http.StatusNotFound, t.T("rollup_not_found_title"),
				t.T("rollup_not_found_body", "Code", q.Get("ward")+q.Get("city")))
			return
		case models.ErrorCode(err) == models.ENOTFOUND:
			status = http.StatusNotFound
		default:
			s.log.Error("results", "election", code, "err", err)
		}
		s.errorPage(w, r, lang, code, status)
		return
	}
	h := w.Header()
	switch format {
	case formatJSON:
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Access-Control-Allow-Origin", "*")
	case formatCSV:
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s.csv"`, safeFileName(code)))
		h.Set("Access-Control-Allow-Origin", "*")
	default:
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if admin {
		h.Set("Cache-Control", "private, no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		h.Del("Access-Control-Allow-Origin")
	} else {
		h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", max(int(s.opts.CacheTTL/time.Second), 1)))
	}
	data := body.plain
	if body.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		data = body.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// rendered is a response body, with its gzip form when worth it.
type rendered struct {
	plain, gz []byte
}

// render returns the body for key from the cache, or builds it: one query
// (shared by concurrent requests for the same key) and one rendering.
func (s *Server) render(ctx context.Context, key cacheKey, scope Scope, adminExp time.Time, q url.Values) (*rendered, error) {
	now := s.opts.Now()
	return s.bodies.get(ctx, key, now, func(ctx context.Context) (*rendered, error) {
		results := s.results
		if key.format == formatHTML {
			results = s.pageResults
		}
		res, err := results(ctx, key.code, scope, key.view == ViewAdmin, now)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		switch key.format {
		case formatJSON:
			err = writeJSON(&buf, res)
		case formatCSV:
			err = writeCSV(&buf, res)
		default:
			d := s.pageData(res, key.lang, adminExp, key.bound, q)
			d.att = s.attendance(ctx, res) // officials only
			d.reachData = s.reach(ctx, res)
			err = s.tmpl.ExecuteTemplate(&buf, "page", d)
		}
		if err != nil {
			return nil, err
		}
		b := &rendered{plain: buf.Bytes()}
		if len(b.plain) > 1024 {
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
			zw.Write(b.plain)
			zw.Close()
			b.gz = z.Bytes()
		}
		return b, nil
	})
}

// results builds one view of an election (of its scope), sharing the
// query between the formats and languages of the same view within the
// cache's lifetime.
func (s *Server) results(ctx context.Context, code string, scope Scope, admin bool, now time.Time) (*Results, error) {
	mk := cacheKey{code: code, scope: scope.key(), view: ViewPublic, format: "model"}
	if admin {
		mk.view = ViewAdmin
	}
	return s.models.get(ctx, mk, now, func(ctx context.Context) (*Results, error) {
		return LoadScope(ctx, s.src, code, scope, admin, now)
	})
}

// Results returns an election's results as the page shows them (through
// the same cache): public unless admin. For the chat's /ketqua.
func (s *Server) Results(ctx context.Context, code string, admin bool) (*Results, error) {
	return s.results(ctx, code, Scope{}, admin, s.opts.Now())
}

// ResultsOf is Results of a part of the election (a ward's, a city's).
func (s *Server) ResultsOf(ctx context.Context, code string, scope Scope, admin bool) (*Results, error) {
	return s.results(ctx, code, scope.norm(), admin, s.opts.Now())
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}
