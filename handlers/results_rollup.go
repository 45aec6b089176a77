package handlers

import (
	"log/slog"
	"strings"
	"time"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// The results of a province's or city's election for its officials (an
// admin or viewer grant of every ward): /ketqua without a ward in view, or
// /ketqua tatca, rolls the areas up by ward and city, one line each;
// /ketqua <ward> is one ward's results. An official of one ward never
// reaches this: their /ketqua reads their ward's areas only.

// maxRollupWards is how many wards the chat's roll-up lists; the rest are
// on the results page (a province has 177).
const maxRollupWards = 30

// allWordsArgs are the arguments of /ketqua that ask for the whole
// election, folded.
var allWordsArgs = map[string]bool{"tatca": true, "tat ca": true, "all": true, "toan bo": true,
	"toan tinh": true, "tong hop": true}

// unplacedSummary is /ketqua of an official with no ward in view: the
// roll-up of the current election for a province's or city's official.
// handled is false for anyone else (they are asked for their ward).
func (wr *wardResults) unplacedSummary(arg string) (handled bool, err error) {
	if w, err := wr.ward(); err != nil || w != nil {
		return false, err
	}
	if all, err := wr.coversAllWards(); err != nil || !all {
		return false, err
	}
	el, err := wr.store.CurrentElection(wr.ctx)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if strings.TrimSpace(arg) != "" {
		if done, err := wr.levelArg(el, arg); done || err != nil {
			return true, err
		}
	}
	return true, wr.electionRollUp(el)
}

// coversAllWards reports whether the contact holds an admin or viewer
// grant of every ward: roles() has none to read without an election in
// view.
func (wr *wardResults) coversAllWards() (bool, error) {
	gs, err := wr.officials.store.ActiveGrants(wr.ctx, wr.c.ID)
	if err != nil {
		return false, err
	}
	for _, g := range gs {
		if g.WardID == nil && g.AreaID == nil && (g.Role == models.RoleAdmin || g.Role == models.RoleViewer) {
			return true, nil
		}
	}
	return false, nil
}

// levelArg answers /ketqua tatca (the whole election) and /ketqua <ward>
// (by code or name, of el) for a province's official; done is false when
// arg is neither.
func (wr *wardResults) levelArg(el *models.Election, arg string) (done bool, err error) {
	if allWordsArgs[models.Fold(arg)] {
		return true, wr.electionRollUp(el)
	}
	ws, err := wr.store.ElectionWards(wr.ctx, el.ID)
	if err != nil {
		return true, err
	}
	w := wardArg(arg, ws)
	if w == nil {
		return false, nil
	}
	lines, err := wr.summaryLines(el, w, wr.el != nil && wr.el.Ward != nil && wr.el.Ward.ID == w.ID)
	if err != nil {
		return true, err
	}
	// Another ward's results are short and are not paged: the page
	// buttons turn the pages of the ward in view.
	wr.replyPages(lines)
	return true, nil
}

// wardArg is the ward arg names: its code, or its name with or without
// its kind ("phuong ka long", "ka long"); nil unless exactly one.
func wardArg(arg string, ws []*models.Ward) *models.Ward {
	f := models.Fold(arg)
	var found *models.Ward
	for _, w := range ws {
		name := models.Fold(w.Name)
		bare := name
		for _, kind := range []string{"phuong ", "xa ", "thi tran "} {
			bare = strings.TrimPrefix(bare, kind)
		}
		if strings.EqualFold(strings.TrimSpace(arg), w.Code) || f == name || f == bare {
			if found != nil && found.ID != w.ID {
				return nil
			}
			found = w
		}
	}
	return found
}

// allWardsHint is the line under a ward's results telling a province's
// official how to see the whole election ("" for anyone else, and for an
// election of one ward).
func (wr *wardResults) allWardsHint() (string, error) {
	o, err := wr.officials.roles()
	if err != nil || o == nil || !o.allWards {
		return "", err
	}
	ws, err := wr.store.ElectionWards(wr.ctx, wr.el.ID)
	if err != nil || len(ws) < 2 {
		return "", err
	}
	return wr.tr("off_rollup_hint_all", nil), nil
}

// resultsLink is the officials' link to the results page of el (of w
// when it is one ward's results), "" without one.
func (wr *wardResults) resultsLink(el *models.Election, w *models.Ward) string {
	if wr.conv.resultsURL == nil {
		return ""
	}
	code := ""
	if w != nil && el.WardID == nil {
		code = w.Code
	}
	return wr.conv.resultsURL(el.Code, code)
}

// maxRollupConflicts is how many areas in conflict the chat's roll-up
// names; the rest are counted (each ward's /ketqua lists its own).
const maxRollupConflicts = 10

// tallyCount is the reporting progress of a set of areas, as the results
// page counts it in the officials' view.
type tallyCount struct {
	total, received, accepted, elected, rerun, provisional, conflict int
}

// add counts a ward's standing (models.WardStanding: its areas' stored
// standings summed by the database, in the officials' view).
func (c *tallyCount) add(w *models.WardStanding) {
	c.total += w.Areas
	c.received += w.Received
	c.accepted += w.Recognised // the recognised version stands for the area
	c.elected += w.Elected
	c.rerun += w.Rerun
	c.provisional += w.Provisional
	c.conflict += w.Conflict
}

func (c tallyCount) data(lang string) map[string]any {
	return map[string]any{"Received": locales.Number(lang, c.received), "Total": locales.Number(lang, c.total),
		"Accepted": locales.Number(lang, c.accepted), "Elected": locales.Number(lang, c.elected),
		"Rerun": locales.Number(lang, c.rerun), "Percent": locales.Percent(lang, c.received, c.total),
		"Provisional": locales.Number(lang, c.provisional), "Conflict": locales.Number(lang, c.conflict)}
}

// electionRollUp answers the roll-up of a whole election: its totals,
// the areas in conflict (the first maxRollupConflicts), then each city
// with its wards (the first maxRollupWards of them); with the progress
// chart. It reads the areas' standings summed by ward (one row per ward)
// and the areas in conflict, never an area's tallies: its cost does not
// grow with the province's areas (issue 18).
func (wr *wardResults) electionRollUp(el *models.Election) error {
	e, ws, err := wr.store.WardStandingsOf(wr.ctx, el)
	if err != nil {
		return err
	}
	type cityCount struct {
		name string
		tallyCount
		wards []*models.WardStanding
	}
	var (
		total  tallyCount
		cities []*cityCount
		byCity = map[string]*cityCount{}
	)
	for _, w := range ws { // in the order of each ward's first area
		total.add(w)
		c := byCity[w.Ward.Province+"\x00"+w.Ward.City]
		if c == nil {
			c = &cityCount{name: w.Ward.City}
			byCity[w.Ward.Province+"\x00"+w.Ward.City] = c
			cities = append(cities, c)
		}
		c.add(w)
		c.wards = append(c.wards, w)
	}
	lang := wr.lang
	lines := []string{
		wr.tr("off_rollup_head", map[string]any{"Title": el.Title, "Place": el.Province, "At": wr.texts.when(lang, el, wr.now())}),
		wr.tr("off_rollup_total", total.data(lang)),
	}
	if total.provisional+total.conflict > 0 {
		lines = append(lines, wr.tr("off_rollup_pending", total.data(lang)))
	}
	if total.conflict > 0 {
		conflicts, err := wr.conflictLines(e.ID, total.conflict)
		if err != nil {
			return err
		}
		lines = append(lines, conflicts...)
	}
	listed, example := 0, ""
	for _, c := range cities {
		d := c.data(lang)
		d["City"] = c.name
		lines = append(lines, "", wr.tr("off_rollup_city", d))
		for _, w := range c.wards {
			if listed == maxRollupWards {
				break
			}
			listed++
			var wc tallyCount
			wc.add(w)
			d := wc.data(lang)
			d["Ward"], d["Code"] = w.Ward.Name, w.Ward.Code
			lines = append(lines, wr.tr("off_rollup_ward", d))
			if example == "" {
				example = w.Ward.Code
			}
		}
	}
	link := wr.resultsLink(el, nil)
	lines = append(lines, "")
	switch more := len(ws) - listed; {
	case more > 0 && link != "":
		lines = append(lines, wr.tr("off_rollup_more_link", map[string]any{"Count": locales.Number(lang, more), "URL": link}))
	case more > 0:
		lines = append(lines, wr.tr("off_rollup_more", map[string]any{"Count": locales.Number(lang, more)}))
	case link != "":
		lines = append(lines, wr.tr("off_rollup_link", map[string]any{"URL": link}))
	}
	if example != "" {
		lines = append(lines, wr.tr("off_rollup_hint", map[string]any{"Code": example}))
	}
	wr.replyPages(lines)
	wr.wardsChart(e, ws)
	return nil
}

// conflictLines name the first maxRollupConflicts of the election's n
// areas in conflict, each with the /ketqua of its ward.
func (wr *wardResults) conflictLines(electionID int64, n int) ([]string, error) {
	as, err := wr.store.ConflictAreas(wr.ctx, electionID, maxRollupConflicts)
	if err != nil {
		return nil, err
	}
	lang := wr.lang
	lines := []string{"", wr.tr("off_rollup_conflicts", map[string]any{"Count": locales.Number(lang, n)})}
	for _, a := range as {
		lines = append(lines, wr.tr("off_rollup_conflict_line", map[string]any{"Area": a.Name, "Ward": a.Ward.Name, "Code": a.Ward.Code}))
	}
	if more := n - len(as); more > 0 {
		lines = append(lines, wr.tr("off_rollup_conflicts_more", map[string]any{"Count": locales.Number(lang, more)}))
	}
	return lines, nil
}

// WardCharts is a Charts that draws the progress chart from the areas'
// standings summed by ward; results.Charts implements it. A Charts
// without it draws the roll-up's chart from every area's tallies.
type WardCharts interface {
	ProgressOfWards(e *models.Election, ws []*models.WardStanding, now time.Time, lang string) ([]byte, error)
}

// wardsChart adds the progress chart of a whole election to its roll-up.
func (wr *wardResults) wardsChart(e *models.Election, ws []*models.WardStanding) {
	charts := wr.conv.charts
	if charts == nil {
		return
	}
	wc, ok := charts.(WardCharts)
	if !ok {
		if e, ats, err := wr.load(e, 0); err == nil {
			wr.chartOf(e, ats, "")
		} else {
			slog.Warn("handlers: chart", "err", err)
		}
		return
	}
	png, err := wc.ProgressOfWards(e, ws, wr.now(), wr.lang)
	if err != nil {
		slog.Warn("handlers: chart", "err", err)
		return
	}
	wr.out = append(wr.out, bot.Outgoing{Document: &bot.Document{Name: "tien-do-" + e.Code + ".png", MIME: "image/png", Data: png}})
}
