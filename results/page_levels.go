package results

import (
	"fmt"
	"net/url"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// What the page of several wards reads: its place, the drill-down links
// (?ward=CODE, ?city=SLUG) and the way back up.

// Place is the header's line under the title: the ward, city and
// province of a one-ward view (as ever), else the city and province, else
// the province.
func (d *pageData) Place() string {
	e := d.R.Election
	switch {
	case e.Ward != "":
		return d.T.T("results_place", "Ward", e.Ward, "City", e.City, "Province", e.Province)
	case e.City != "":
		return d.T.T("rollup_place_city", "City", e.City, "Province", e.Province)
	}
	return d.T.T("rollup_place_province", "Province", e.Province)
}

// link is the page's own address with the kept values and kv (name,
// value pairs): a relative "?…" link, so it holds behind any base path.
func (d *pageData) link(kv ...string) string {
	q := url.Values{}
	for k, vs := range d.keep {
		q[k] = vs
	}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return "?" + q.Encode()
}

// WardURL is the page of one ward's areas.
func (d *pageData) WardURL(code string) string { return d.link("ward", code) }

// CityURL is the page of one city's wards.
func (d *pageData) CityURL(slug string) string { return d.link("city", slug) }

// crumb is one step of the way back up: its name and, but for the page
// itself, its link.
type crumb struct{ Name, URL string }

// Crumbs lead from a ward's or city's page back to its city and the whole
// election; none on the whole election's page, nor on a page opened by an
// officials' link bound to one ward (it opens nothing above it).
func (d *pageData) Crumbs() []crumb {
	sc := d.R.Scope
	if sc.IsZero() || (d.Admin && d.keep.Get("sig") == "") {
		return nil
	}
	e := d.R.Election
	top := e.Province
	if top == "" {
		top = d.T.T("rollup_crumb_all")
	}
	out := []crumb{{Name: top, URL: d.link()}}
	if e.City != "" {
		c := crumb{Name: e.City}
		if sc.Ward != "" {
			c.URL = d.CityURL(CitySlug(e.City))
		}
		out = append(out, c)
	}
	if sc.Ward != "" && e.Ward != "" {
		out = append(out, crumb{Name: e.Ward})
	}
	return out
}

// BarDone and BarRecv are a roll-up's progress bar segments, in percent.
func (d *pageData) BarDone(r RollUp) string { return width(r.Recognised, r.Areas) }

// BarRecv is the received-but-not-recognised segment.
func (d *pageData) BarRecv(r RollUp) string { return width(r.Received-r.Recognised, r.Areas) }

// RollupMessageIDs are the messages of the levels (the page of several
// wards, a ward's or city's page): exactly the rollup_* keys of
// locales/rollup.vi.yaml and rollup.en.yaml (a test compares them; New
// checks the bundle has them).
var RollupMessageIDs = []string{
	"rollup_place_city", "rollup_place_province", "rollup_crumbs_label", "rollup_crumb_all",
	"rollup_heading", "rollup_hint", "rollup_col_received", "rollup_col_rerun",
	"rollup_col_provisional", "rollup_col_conflict", "rollup_city_wards", "rollup_total",
	"rollup_not_found_title", "rollup_not_found_body",
}

// LawMessageIDs are the messages of the law as applied the page uses
// (issue 15): exactly the law_results_* keys of locales/law.vi.yaml and
// law.en.yaml (a test compares them), and the words of the electorate.
var LawMessageIDs = []string{
	"law_results_outcome_household_ballot", "law_results_household_ballot", "law_results_household_ballots",
	"law_results_returned", "law_results_nominated", "law_results_pending",
	"electors_total_households", "electors_total_voters", "elector_unit_households", "elector_unit_voters",
}

// checkRollupBundle is CheckBundle for RollupMessageIDs and LawMessageIDs.
func checkRollupBundle(b *i18n.Bundle) error {
	for _, lang := range Languages {
		loc := i18n.NewLocalizer(b, lang)
		want := language.Make(lang)
		for _, ids := range [][]string{RollupMessageIDs, LawMessageIDs} {
			for _, id := range ids {
				_, tag, err := loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
				if err != nil || tag != want {
					return fmt.Errorf("results: message %q missing in %s: load locales/rollup.%s.yaml and law.%s.yaml into the bundle", id, lang, lang, lang)
				}
			}
		}
	}
	return nil
}
