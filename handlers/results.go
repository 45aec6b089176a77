package handlers

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// ResultStore is what the ward's results use. *models.Store satisfies it.
type ResultStore interface {
	// ElectionResults is every area of the election with its latest
	// tallies, in one query: no command of a message reads it, but a
	// Charts without WardCharts for the roll-up's chart.
	ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error)
	// WardStandingsOf is the areas' standings summed by ward (one row
	// per ward) and ConflictAreas the first areas in conflict: what a
	// province's or city's official's roll-up reads.
	WardStandingsOf(ctx context.Context, el *models.Election) (*models.Election, []*models.WardStanding, error)
	ConflictAreas(ctx context.Context, electionID int64, limit int) ([]*models.Area, error)
	// ElectionResultsOf is ElectionResults of one ward's areas.
	ElectionResultsOf(ctx context.Context, code string, wardID int64) (*models.Election, []*models.AreaTallies, error)
	// ExportResultsOf writes the results (of one ward when wardCode is
	// not "") as format (models.ExportXLSX, ExportCSV).
	ExportResultsOf(ctx context.Context, electionCode, wardCode, format string, w io.Writer) error
	// CurrentElection is the election a province's official with no
	// ward in view is shown; ElectionWards an election's wards.
	CurrentElection(ctx context.Context) (*models.Election, error)
	ElectionWards(ctx context.Context, electionID int64) ([]*models.Ward, error)
	AreaHistory(ctx context.Context, areaID int64) (*models.TallyHistory, error)
	ContactsByID(ctx context.Context, ids []int64) (map[int64]*models.Contact, error)
	ElectionReporters(ctx context.Context, electionID int64) ([]*models.GrantHolder, error)
	Audit(ctx context.Context, ev *models.AuditEvent) error
}

var _ ResultStore = (*models.Store)(nil)

// wardResults are the results as the ward sees them coming in, for admins
// and viewers: /ketqua (with a chart through Config.Charts), /ketqua kp1,
// /chuabao with reminders to the reporters, /xuat. Off without a store or
// without officials.
type wardResults struct {
	*turn
	store ResultStore
}

func (wr *wardResults) on() bool { return wr.store != nil && wr.officials.on() }

// summary answers /ketqua for admins and viewers; handled is false for
// anyone else (residents get their area's recognised result). An official
// of one ward gets that ward's results; a province's or city's official
// (allWards) with no ward in view, or who asks for /ketqua tatca, the
// roll-up of the whole election by city and ward, and /ketqua <ward> one
// ward's results (results_rollup.go).
func (wr *wardResults) summary(arg string) (handled bool, err error) {
	if !wr.on() {
		return false, nil
	}
	o, err := wr.officials.roles()
	if err != nil {
		return false, err
	}
	if o == nil {
		return wr.unplacedSummary(arg)
	}
	if !o.admin && !o.viewer {
		return false, nil
	}
	if strings.TrimSpace(arg) != "" {
		areas, err := wr.areaList()
		if err != nil {
			return true, err
		}
		if a, _ := areaArg(arg, areas); a != nil {
			if err := wr.areaDetail(a); err != nil {
				return true, err
			}
			wr.chart(a.Code)
			return true, nil
		}
		if o.allWards {
			if done, err := wr.levelArg(wr.el, arg); done || err != nil {
				return true, err
			}
		}
	}
	// The chart is drawn from the results the summary read.
	e, ats, err := wr.summaryPageOf(1)
	if err != nil {
		return true, err
	}
	wr.chartOf(e, ats, "")
	return true, nil
}

// chart adds a PNG to /ketqua: the ward's reporting progress, or the votes
// per candidate of one area (the officials' view: provisional numbers too).
// A chart that cannot be drawn is logged and left out; the text stands.
func (wr *wardResults) chart(areaCode string) {
	if wr.conv.charts == nil {
		return
	}
	e, ats, err := wr.load(wr.el, wr.wardID())
	if err != nil {
		slog.Warn("handlers: chart", "err", err)
		return
	}
	wr.chartOf(e, ats, areaCode)
}

// chartOf adds the chart of results already read.
func (wr *wardResults) chartOf(e *models.Election, ats []*models.AreaTallies, areaCode string) {
	charts := wr.conv.charts
	if charts == nil {
		return
	}
	var (
		png []byte
		err error
	)
	name := "tien-do-" + e.Code + ".png"
	if areaCode == "" {
		png, err = charts.Progress(e, ats, wr.now(), wr.lang)
	} else {
		var counted bool
		png, counted, err = charts.Votes(e, ats, areaCode, wr.now(), wr.lang)
		if err == nil && !counted {
			return // nothing counted yet: no bars to draw
		}
		name = "ket-qua-" + areaCode + ".png"
	}
	if err != nil {
		slog.Warn("handlers: chart", "err", err)
		return
	}
	wr.out = append(wr.out, bot.Outgoing{Document: &bot.Document{Name: name, MIME: "image/png", Data: png}})
}

// areaResult is one area's standing in the roll-up: its recognised
// version while it has one (docs/design.md §3: a later report does not
// replace it), else its latest.
type areaResult struct {
	at      *models.AreaTallies
	shown   *models.Tally // at.Recognised, else at.Latest
	n       models.TallyNumbers
	outcome *models.Outcome // nil: nothing reported, rejected or inconsistent
}

// wardID is the ward in view's id (0, the whole election, without one).
func (wr *wardResults) wardID() int64 {
	if wr.el == nil || wr.el.Ward == nil {
		return 0
	}
	return wr.el.Ward.ID
}

// rollUp is the standing of the areas of the ward in view: never the
// whole province's.
func (wr *wardResults) rollUp() ([]*areaResult, error) {
	return wr.rollUpOf(wr.el, wr.wardID())
}

// rollUpOf is the standing of an election's areas, of one ward unless
// wardID is 0.
func (wr *wardResults) rollUpOf(el *models.Election, wardID int64) ([]*areaResult, error) {
	_, ats, err := wr.load(el, wardID)
	if err != nil {
		return nil, err
	}
	return standings(el.Rules, ats), nil
}

// load reads an election's results, of one ward unless wardID is 0.
func (wr *wardResults) load(el *models.Election, wardID int64) (*models.Election, []*models.AreaTallies, error) {
	if wardID == 0 {
		return wr.store.ElectionResults(wr.ctx, el.Code)
	}
	return wr.store.ElectionResultsOf(wr.ctx, el.Code, wardID)
}

// standings are the areas' standing under the election's rules.
func standings(rules string, ats []*models.AreaTallies) []*areaResult {
	out := make([]*areaResult, len(ats))
	for i, at := range ats {
		r := &areaResult{at: at, shown: at.Latest}
		if at.Recognised != nil {
			r.shown = at.Recognised
		}
		if l := r.shown; l != nil && l.Status != models.TallyRejected {
			r.n = models.TallyNumbersOf(l, at.Area.Candidates)
			if r.n.Households <= 0 {
				r.n.Households = at.Area.Households
			}
			if o, err := models.DecideOutcome(rules, r.n, at.Area.Candidates); err == nil {
				r.outcome = &o
			}
		}
		out[i] = r
	}
	return out
}

// summaryPage: areas reported, elected heads, re-runs, conflicts,
// turnout of the ward in view; paginated for large wards. A province's
// official is told where the whole election's roll-up is.
func (wr *wardResults) summaryPage(page int) error {
	_, _, err := wr.summaryPageOf(page)
	return err
}

// summaryPageOf is summaryPage, returning the results it read.
func (wr *wardResults) summaryPageOf(page int) (*models.Election, []*models.AreaTallies, error) {
	lines, e, ats, err := wr.summaryLinesOf(wr.el, wr.el.Ward, true)
	if err != nil {
		return nil, nil, err
	}
	if hint, err := wr.allWardsHint(); err != nil {
		return nil, nil, err
	} else if hint != "" {
		lines = append(lines, hint)
	}
	wr.replyPage(lines, page, "o:kq:")
	return e, ats, nil
}

// summaryLines are a ward's results (w of el; wr.el's ward when inView,
// whose areas /ketqua kp1 details).
func (wr *wardResults) summaryLines(el *models.Election, w *models.Ward, inView bool) ([]string, error) {
	lines, _, _, err := wr.summaryLinesOf(el, w, inView)
	return lines, err
}

// summaryLinesOf is summaryLines, returning the results it read.
func (wr *wardResults) summaryLinesOf(el *models.Election, w *models.Ward, inView bool) ([]string, *models.Election, []*models.AreaTallies, error) {
	var wardID int64
	wardName := ""
	if w != nil {
		wardID, wardName = w.ID, w.Name
	}
	e, ats, err := wr.load(el, wardID)
	if err != nil {
		return nil, nil, nil, err
	}
	rs := standings(el.Rules, ats)
	lang := wr.lang
	var elected, leading, rerun, conflict, rejected []string
	received, accepted, notReported := 0, 0, 0
	attending, households := 0, 0
	for _, r := range rs {
		l := r.shown
		a := r.at.Area
		if l == nil {
			notReported++
			continue
		}
		state := wr.texts.shortState(lang, l)
		if p := r.at.Pending(); p != nil {
			// A later report than the recognised result: the ward decides.
			conflict = append(conflict, wr.placed(a).tr(lang, "law_res_pending_line", map[string]any{"Area": a.Name,
				"Version": p.Version, "Recognised": l.Version, "Code": a.Code}))
		} else if ns := models.NomineesOf(a.Candidates, r.n); len(ns) > 0 && l.Status != models.TallyAccepted && l.Status != models.TallyRejected {
			// People nominated at the meeting: the ward checks the minutes.
			conflict = append(conflict, wr.placed(a).tr(lang, "law_res_nominee_line", map[string]any{"Area": a.Name,
				"Names": models.CandidateNames(ns), "State": state, "Code": a.Code}))
		}
		switch {
		case l.Status == models.TallyRejected:
			notReported++
			rejected = append(rejected, wr.tr("off_res_rejected_line", map[string]any{"Area": a.Name, "State": state}))
			continue
		case l.Status == models.TallyConflict:
			prev := 0
			if r.at.Previous != nil {
				prev = r.at.Previous.Version
			}
			conflict = append(conflict, wr.tr("off_res_conflict_line", map[string]any{"Area": a.Name, "Version": l.Version, "Previous": prev, "Code": a.Code}))
		case r.outcome == nil:
			conflict = append(conflict, wr.tr("off_res_inconsistent_line", map[string]any{"Area": a.Name, "State": state}))
		case r.outcome.Kind == models.OutcomeElected && l.Status != models.TallyAccepted:
			// Not elected until the ward recognises it: leading, provisionally.
			leading = append(leading, wr.tr("res_leading_line", map[string]any{"Area": a.Name, "Name": r.outcome.Winner.Name,
				"Votes": locales.Number(lang, r.outcome.Votes), "Percent": locales.Percent(lang, r.outcome.Votes, r.n.Households), "State": state,
				"Nominated": r.outcome.Winner.Nominated}))
		case r.outcome.Kind == models.OutcomeElected:
			elected = append(elected, wr.tr("off_res_elected_line", map[string]any{"Area": a.Name, "Name": r.outcome.Winner.Name,
				"Votes": locales.Number(lang, r.outcome.Votes), "Percent": locales.Percent(lang, r.outcome.Votes, r.n.Households), "State": state,
				"Nominated": r.outcome.Winner.Nominated}))
		default:
			rerun = append(rerun, wr.tr("off_res_rerun_line", map[string]any{"Area": a.Name, "Why": wr.placed(a).rerunWhy(lang, *r.outcome, r.n), "State": state}))
		}
		received++
		if l.Status == models.TallyAccepted {
			accepted++
		}
		if l.Status != models.TallyConflict && r.n.Kind != models.TallyKindHouseholdBallot { // no meeting, no attendance
			attending += r.n.Attending
			households += r.n.Households
		}
	}
	total := len(rs)
	lines := []string{
		wr.tr("off_res_head", map[string]any{"Title": el.Title, "Ward": wardName, "At": wr.texts.when(lang, el, wr.now())}),
		wr.tr("off_res_progress", map[string]any{"Received": locales.Number(lang, received), "Accepted": locales.Number(lang, accepted),
			"Total": locales.Number(lang, total), "Percent": locales.Percent(lang, received, total)}),
	}
	if households > 0 {
		lines = append(lines, wr.tr("off_res_turnout", map[string]any{"Attending": locales.Number(lang, attending),
			"Households": locales.Number(lang, households), "Percent": locales.Percent(lang, attending, households)}))
	}
	section := func(id string, items []string) {
		if len(items) == 0 {
			return
		}
		lines = append(lines, "", wr.tr(id, map[string]any{"Count": locales.Number(lang, len(items))}))
		lines = append(lines, items...)
	}
	section("off_res_elected", elected)
	section("res_leading", leading)
	section("off_res_rerun", rerun)
	section("off_res_conflict", conflict)
	section("off_res_rejected", rejected)
	// Live attendance of the areas still without minutes (attendance_view.go).
	att, err := wr.attendanceSection(rs)
	if err != nil {
		return nil, nil, nil, err
	}
	lines = append(lines, att...)
	if notReported > 0 {
		lines = append(lines, "", wr.tr("off_res_not_reported", map[string]any{"Count": locales.Number(lang, notReported)}))
	}
	if inView {
		lines = append(lines, "", wr.tr("off_res_hint", nil))
	}
	if u := wr.resultsLink(el, w); u != "" {
		lines = append(lines, wr.tr("off_rollup_link", map[string]any{"URL": u}))
	}
	return lines, e, ats, nil
}

// rerunWhy says why nobody was elected.
func (x *texts) rerunWhy(lang string, o models.Outcome, n models.TallyNumbers) string {
	switch o.Kind {
	case models.OutcomeMeetingInvalid:
		return x.tr(lang, "off_why_meeting_invalid", map[string]any{"Turnout": locales.Percent(lang, n.Attending, n.Households)})
	case models.OutcomeHouseholdBallotNeeded:
		return x.tr(lang, "law_why_household_ballot", map[string]any{"Turnout": locales.Percent(lang, n.Attending, n.Households)})
	case models.OutcomeUndecided:
		return x.tr(lang, "off_why_undecided", map[string]any{"Percent": locales.Percent(lang, o.Votes, n.Households)})
	}
	return x.tr(lang, "off_why_rerun", map[string]any{"Percent": locales.Percent(lang, o.Votes, n.Households), "Days": o.RerunWithinDays})
}
