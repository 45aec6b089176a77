package results

import (
	"electionbot/models"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The HTML page: what its template reads (pageData) and the error page.

// errorPage answers a localised error page (404 unknown election, 403 bad
// or expired link, 500), as JSON for the feeds.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, lang, code string, status int) {
	t := s.trs[lang]
	var title, body string
	switch status {
	case http.StatusNotFound:
		title, body = t.T("results_not_found_title"), t.T("results_not_found_body", "Code", code)
	case http.StatusForbidden:
		title, body = t.T("results_forbidden_title"), t.T("results_forbidden_body")
	default:
		title, body = t.T("results_error_title"), t.T("results_error_body")
	}
	s.errorMessage(w, r, lang, status, title, body)
}

// errorMessage answers an error page with its title and text.
func (s *Server) errorMessage(w http.ResponseWriter, r *http.Request, lang string, status int, title, body string) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.HasSuffix(r.URL.Path, ".json") {
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		writeJSONError(w, status, title, body)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	d := s.basePage(lang, nil) // an error page keeps no signature
	d.Title, d.ErrTitle, d.ErrBody = title, title, body
	if err := s.tmpl.ExecuteTemplate(w, "error", d); err != nil {
		s.log.Error("results: error page", "err", err)
	}
}

// pageData is what the templates see.
type pageData struct {
	R        *Results
	T        *tr
	Lang     string
	Admin    bool
	AdminExp time.Time
	Loc      *time.Location
	Title    string
	// Multi: the view has several wards; it shows them, not the areas.
	Multi bool
	// keep are the query values every link of the page carries: the
	// officials' signature (not a ward-bound one, which opens nothing
	// else) and a language other than the default.
	keep url.Values

	// att is the live attendance of the officials' page (attendance.go).
	att map[string]*AreaAttendance
	// reachData is the household reach of the officials' page (reach.go).
	reachData *PageReach

	OtherLang, OtherLangName, OtherLangURL string
	JSONURL, CSVURL                        string
	RefreshSeconds                         int

	ErrTitle, ErrBody string
}

func (s *Server) basePage(lang string, q url.Values) *pageData {
	other := "en"
	if lang == "en" {
		other = "vi"
	}
	oq := url.Values{}
	for _, k := range []string{"exp", "sig", "ward", "city"} {
		if v := q.Get(k); v != "" {
			oq.Set(k, v)
		}
	}
	if other != s.opts.DefaultLang {
		oq.Set("lang", other)
	}
	d := &pageData{
		T: s.trs[lang], Lang: lang, Loc: models.VietnamTime,
		OtherLang: other, OtherLangName: s.trs[lang].T("results_lang_switch"),
		OtherLangURL: "?" + oq.Encode(),
	}
	if len(oq) == 0 {
		d.OtherLangURL = "?"
	}
	return d
}

func (s *Server) pageData(res *Results, lang string, adminExp time.Time, bound bool, q url.Values) *pageData {
	d := s.basePage(lang, q)
	d.R = res
	d.Admin = res.View == ViewAdmin
	d.AdminExp = adminExp
	d.Multi = res.MultiWard()
	d.keep = url.Values{}
	if d.Admin && !bound {
		d.keep.Set("exp", q.Get("exp"))
		d.keep.Set("sig", q.Get("sig"))
	}
	if lang != s.opts.DefaultLang {
		d.keep.Set("lang", lang)
	}
	if loc, err := time.LoadLocation(res.Election.Timezone); err == nil && res.Election.Timezone != "" {
		d.Loc = loc
	}
	d.Title = d.T.T("results_title") + " — " + res.Election.Title
	switch e := res.Election; {
	case e.Ward != "":
		d.Title += " — " + e.Ward
	case e.City != "":
		d.Title += " — " + e.City
	case e.Province != "":
		d.Title += " — " + e.Province
	}
	fq := url.Values{}
	if d.Admin {
		fq.Set("exp", q.Get("exp"))
		fq.Set("sig", q.Get("sig"))
	}
	if sc := res.Scope; sc.Ward != "" {
		fq.Set("ward", sc.Ward)
	} else if sc.City != "" {
		fq.Set("city", sc.City)
	}
	suffix := ""
	if len(fq) > 0 {
		suffix = "?" + fq.Encode()
	}
	base := url.PathEscape(res.Election.Code)
	d.JSONURL, d.CSVURL = base+".json"+suffix, base+".csv"+suffix
	if res.Counting {
		d.RefreshSeconds = int(s.opts.Refresh / time.Second)
	}
	return d
}

// stateMessages are the message ids of the area states.
var stateMessages = map[State]string{
	StateNotReported: "results_state_not_reported",
	StateAwaiting:    "results_state_awaiting",
	StateProvisional: "results_state_provisional",
	StateConflict:    "results_state_conflict",
	StateAccepted:    "results_state_accepted",
	StateRerun:       "results_state_rerun",
}

// StateName is the localised name of an area state.
func (d *pageData) StateName(st State) string {
	id := stateMessages[st]
	if id == "" {
		id = "results_state_awaiting"
	}
	return d.T.T(id)
}

// rollUpRow is a line of the totals table: a roll-up with the names under
// its own (its level, or the city and province it is in).
type rollUpRow struct {
	RollUp
	Sub string
}

// RollUpRows are the lines of the totals table. With one ward on the page
// its city and province have the same totals: one line names all three.
// Otherwise every ward, city and province has a line, its level under it.
func (d *pageData) RollUpRows() []rollUpRow {
	var wards []RollUp
	for _, ru := range d.R.RollUps {
		if ru.Level == "ward" {
			wards = append(wards, ru)
		}
	}
	if len(wards) == 1 {
		sub := []string{}
		for _, ru := range d.R.RollUps {
			if ru.Level != "ward" && ru.Name != "" {
				sub = append(sub, ru.Name)
			}
		}
		return []rollUpRow{{RollUp: wards[0], Sub: strings.Join(sub, ", ")}}
	}
	rows := make([]rollUpRow, 0, len(d.R.RollUps))
	for _, ru := range d.R.RollUps {
		rows = append(rows, rollUpRow{RollUp: ru, Sub: d.LevelName(ru.Level)})
	}
	return rows
}

// LevelName is the localised name of a roll-up level.
func (d *pageData) LevelName(level string) string {
	return d.T.T("results_level_" + level)
}

// OutcomeText says why nobody was elected and what follows (docs/design.md §3).
func (d *pageData) OutcomeText(t *TallyResult) string {
	switch t.OutcomeKind {
	case models.OutcomeRerun:
		return d.T.T("results_outcome_rerun", "Days", t.RerunWithinDays)
	case models.OutcomeMeetingInvalid:
		return d.T.T("results_outcome_meeting_invalid")
	case models.OutcomeHouseholdBallotNeeded:
		return d.T.T("law_results_outcome_household_ballot")
	case models.OutcomeUndecided:
		return d.T.T("results_outcome_undecided")
	}
	return ""
}

// ElectorUnit is what an area's count counts: "hộ", or "cử tri" for an
// all-voter area.
func (d *pageData) ElectorUnit(a *AreaResult) string {
	return d.T.T("elector_unit_" + models.ElectorateOf(a.Electorate))
}

// ElectorsTotal is the base of an area's thresholds: "tổng số cử tri đại
// diện hộ gia đình", or "tổng số cử tri".
func (d *pageData) ElectorsTotal(a *AreaResult) string {
	return d.T.T("electors_total_" + models.ElectorateOf(a.Electorate))
}

// Share formats n of total as a percentage.
func (d *pageData) Share(n, total int) float64 { return models.PercentOf(n, total) }

// SharePtr is Share of an optional number (0 when absent).
func (d *pageData) SharePtr(n *int, total int) float64 {
	if n == nil {
		return 0
	}
	return models.PercentOf(*n, total)
}

// Num formats an optional number ("–" when absent).
func (d *pageData) Num(p *int) string {
	if p == nil {
		return "–"
	}
	return d.T.Int(*p)
}

// DoneWidth and PendingWidth are the progress bar's segments, in percent.
func (d *pageData) DoneWidth() string { return width(d.R.Progress.Recognised, d.R.Progress.Areas) }

// PendingWidth is the received-but-not-recognised segment.
func (d *pageData) PendingWidth() string {
	return width(d.R.Progress.Received-d.R.Progress.Recognised, d.R.Progress.Areas)
}

func width(n, total int) string {
	return strconv.FormatFloat(models.PercentOf(n, total), 'f', 2, 64)
}

func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: key is not a string")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
