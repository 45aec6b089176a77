package results

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"electionbot/locales"
	"electionbot/models"
)

// Languages of the page; the first is the default.
var Languages = []string{"vi", "en"}

// MessageIDs are the message ids this package uses, exactly the keys of
// locales/results.vi.yaml and locales/results.en.yaml (a test compares
// them; New checks the bundle has them all in both languages).
var MessageIDs = []string{
	"results_title", "results_place", "results_date", "results_basis", "results_lang_switch",
	"results_updated", "results_autorefresh", "results_public_note", "results_admin_banner",
	"results_feeds",
	"results_progress_heading", "results_progress_recognised", "results_progress_received",
	"results_progress_bar",
	"results_rollup_heading", "results_level_ward", "results_level_city", "results_level_province",
	"results_col_unit", "results_col_areas", "results_col_recognised", "results_col_elected",
	"results_col_rerun", "results_col_households", "results_col_turnout",
	"results_areas_heading", "results_no_areas", "results_households",
	"results_state_not_reported", "results_state_awaiting", "results_state_provisional",
	"results_state_conflict", "results_state_accepted", "results_state_rerun",
	"results_winner", "results_winner_share", "results_leader_provisional", "results_turnout",
	"results_outcome_rerun", "results_outcome_meeting_invalid", "results_outcome_undecided",
	"results_votes_heading", "results_candidate_votes", "results_method_secret",
	"results_method_hands", "results_ballots", "results_version", "results_photo",
	"results_no_photo", "results_conflict_previous",
	"results_not_found_title", "results_not_found_body", "results_forbidden_title",
	"results_forbidden_body", "results_error_title", "results_error_body",
	"results_chart_votes_title", "results_chart_votes_empty", "results_chart_votes_axis",
	"results_chart_progress_title", "results_chart_progress_count",
}

// DefaultBundle is the bundle of the locales package, which embeds
// locales/results.vi.yaml and locales/results.en.yaml with the rest.
func DefaultBundle() (*i18n.Bundle, error) { return locales.NewBundle() }

// CheckBundle reports the first message of MessageIDs missing from b in one
// of Languages.
func CheckBundle(b *i18n.Bundle) error {
	for _, lang := range Languages {
		loc := i18n.NewLocalizer(b, lang)
		want := language.Make(lang)
		for _, id := range MessageIDs {
			_, tag, err := loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
			if err != nil || tag != want {
				return fmt.Errorf("results: message %q missing in %s: load locales/results.%s.yaml into the bundle", id, lang, lang)
			}
		}
	}
	return nil
}

// tr translates for one language.
type tr struct {
	lang string
	loc  *i18n.Localizer
}

func newTr(b *i18n.Bundle, lang string) *tr {
	return &tr{lang: lang, loc: i18n.NewLocalizer(b, lang)}
}

// T localises a message with template data given as key, value pairs.
func (t *tr) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			data[k] = kv[i+1]
		}
	}
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Int formats an integer with the language's thousands separator
// (vi 346.663, en 346,663).
func (t *tr) Int(n int) string { return locales.Number(t.lang, n) }

// Pct formats a percentage with up to two decimals (vi 98,12%, en 98.12%).
func (t *tr) Pct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		x = 0
	}
	return locales.DecimalUpTo(t.lang, x, 2) + "%"
}

// Time formats an instant in the election's zone: 10:32 05/06/2022.
func (t *tr) Time(at time.Time, loc *time.Location) string {
	if at.IsZero() {
		return ""
	}
	if loc == nil {
		loc = models.VietnamTime
	}
	return at.In(loc).Format("15:04 02/01/2006")
}

// Date formats a YYYY-MM-DD date as 05/06/2022.
func (t *tr) Date(d string) string {
	if p, err := time.Parse("2006-01-02", d); err == nil {
		return p.Format("02/01/2006")
	}
	return d
}

// pickLang is vi or en: the lang parameter when it is one, else def.
func pickLang(q, def string) string {
	q = strings.ToLower(strings.TrimSpace(q))
	for _, l := range Languages {
		if q == l {
			return l
		}
	}
	return def
}
