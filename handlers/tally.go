package handlers

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/models"
	"electionbot/tally"
)

// A reporter's counting minutes before they are stored: from one message
// (tally.Parse) or the guided form (/baocao). The draft lives in
// Contact.State, so a restart or another replica continues it.

// awaitTally is convState.Await while a draft is pending.
const awaitTally = "tally"

// Audit actions of the officials' conversation (the store audits the
// rest: tally.submit, tally.confirm, role.grant, …).
const (
	ActionTallyRefused = "tally.refused"
	ActionRemind       = "tally.remind"
	ActionExport       = "results.export"
)

// draft is a tally being written. Ask is the field the bot asked for ("" at
// the summary): "area", "method", a field key (attending, issued, …) or
// voteField(ballot no).
type draft struct {
	AreaID     int64       `json:"a,omitempty"`
	Method     string      `json:"m,omitempty"`
	Households int         `json:"hh,omitempty"` // as stated on the minutes; 0: the list's
	Attending  *int        `json:"td,omitempty"`
	Issued     *int        `json:"pr,omitempty"`
	Returned   *int        `json:"tv,omitempty"`
	Valid      *int        `json:"hl,omitempty"`
	Invalid    *int        `json:"khl,omitempty"`
	Votes      map[int]int `json:"v,omitempty"`
	Photo      string      `json:"p,omitempty"`
	Ask        string      `json:"q,omitempty"`
}

// votePrefix starts the key of a candidate's votes in a draft ("#1"): no
// field key starts with it.
const votePrefix = "#"

func voteField(ballotNo int) string { return votePrefix + strconv.Itoa(ballotNo) }

// The number fields in the order of the minutes.
var tallyFields = []string{
	models.TallyFieldAttending, models.TallyFieldIssued, models.TallyFieldReturned,
	models.TallyFieldValid, models.TallyFieldInvalid,
}

func (d *draft) field(f string) **int {
	switch f {
	case models.TallyFieldAttending:
		return &d.Attending
	case models.TallyFieldIssued:
		return &d.Issued
	case models.TallyFieldReturned:
		return &d.Returned
	case models.TallyFieldValid:
		return &d.Valid
	case models.TallyFieldInvalid:
		return &d.Invalid
	}
	return nil
}

// fields are the number fields the method needs (show of hands: attending
// only).
func (d *draft) fields() []string {
	if d.Method == models.MethodHands {
		return tallyFields[:1]
	}
	return tallyFields
}

// missing lists what is still to be given: "method", fields, voteField(no).
func (d *draft) missing(a *models.Area) []string {
	var out []string
	if d.Method == "" {
		out = append(out, "method")
	}
	for _, f := range d.fields() {
		if *d.field(f) == nil {
			out = append(out, f)
		}
	}
	for _, c := range a.Candidates {
		if _, ok := d.Votes[c.BallotNo]; !ok {
			out = append(out, voteField(c.BallotNo))
		}
	}
	return out
}

func (d *draft) households(a *models.Area) int {
	if d.Households > 0 {
		return d.Households
	}
	return a.Households
}

// numbers are the draft's numbers for the rules (missing ones as 0/nil).
func (d *draft) numbers(a *models.Area) models.TallyNumbers {
	n := models.TallyNumbers{Method: d.Method, Households: d.households(a),
		Issued: d.Issued, Returned: d.Returned, Valid: d.Valid, Invalid: d.Invalid, Votes: map[int]int{}}
	if d.Attending != nil {
		n.Attending = *d.Attending
	}
	for k, v := range d.Votes {
		n.Votes[k] = v
	}
	return n
}

// nonce identifies the draft's content: a Confirm button of an older
// summary does not confirm different numbers.
func (d *draft) nonce() string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%d|%s|%d|%v|%v|%v|%v|%v", d.AreaID, d.Method, d.Households, ptrText(d.Attending),
		ptrText(d.Issued), ptrText(d.Returned), ptrText(d.Valid), ptrText(d.Invalid))
	keys := make([]int, 0, len(d.Votes))
	for k := range d.Votes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "|%d=%d", k, d.Votes[k])
	}
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

func ptrText(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

func (t *turn) setDraft(d *draft) {
	st := t.st
	st.Await, st.Then, st.Query, st.Draft = awaitTally, "", nil, d
	t.setState(st)
}

// draftArea is the draft's area among the contact's areas (nil if the
// contact no longer reports for it).
func (t *turn) draftArea(d *draft) (*models.Area, error) {
	o, err := t.roles()
	if err != nil || o == nil {
		return nil, err
	}
	for _, a := range o.areas {
		if a.ID == d.AreaID {
			return a, nil
		}
	}
	return nil, nil
}

// officialText catches the officials' typed text: an answer of the guided
// form, or a tally in one message. handled is false for anything else.
func (t *turn) officialText(text string) (handled bool, err error) {
	if t.off() == nil {
		return false, nil
	}
	d := t.st.Draft
	asked := d != nil && t.st.Await == awaitTally && d.Ask != ""
	// A tally has numbers: other text is not parsed (most messages are
	// residents' questions).
	if strings.ContainsAny(text, "0123456789") {
		areas, err := t.areaList()
		if err != nil {
			return false, err
		}
		if len(areas) > 0 {
			p, isTally := tally.Parse(text, areas)
			if isTally && t.in.Group {
				t.reply(t.tr("off_private_only", nil), nil)
				return true, nil
			}
			if isTally {
				photo := ""
				if d != nil {
					photo = d.Photo
				}
				return true, t.tallyMessage(p, photo)
			}
		}
	}
	if asked {
		return true, t.formAnswer(d, text)
	}
	return false, nil
}

// refuse tells a contact who does not report for the area (or for any)
// that the tally is not taken, and audits it.
func (t *turn) refuse(area *models.Area) error {
	subject, detail := "", "not a reporter"
	name := ""
	if area != nil {
		subject, name = area.Code, area.Name
		detail = fmt.Sprintf("area=%d not a reporter of it", area.ID)
	}
	id := t.c.ID
	if err := t.h.store.Audit(t.ctx, &models.AuditEvent{At: t.h.now().UTC(), ContactID: &id, Action: ActionTallyRefused,
		Subject: subject, Detail: detail, OK: false}); err != nil {
		return err
	}
	if area != nil {
		t.reply(t.tr("off_not_reporter_of", map[string]any{"Area": name}), t.menu())
	} else {
		t.reply(t.tr("off_not_reporter", nil), t.menu())
	}
	return nil
}

// tallyMessage takes a tally sent in one message: checks who sent it,
// echoes what was understood and asks to confirm.
func (t *turn) tallyMessage(p *tally.Parsed, photo string) error {
	o, err := t.roles()
	if err != nil {
		return err
	}
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	var area *models.Area
	for _, a := range areas {
		if p.AreaCode != "" && a.Code == p.AreaCode {
			area = a
		}
	}
	if area != nil && !o.reporterOf(area.ID) {
		return t.refuse(area)
	}
	if o == nil || len(o.areas) == 0 {
		return t.refuse(nil)
	}
	d := &draft{Method: p.Numbers.Method, Households: p.Households, Photo: photo,
		Issued: p.Numbers.Issued, Returned: p.Numbers.Returned, Valid: p.Numbers.Valid, Invalid: p.Numbers.Invalid}
	if p.Set[models.TallyFieldAttending] {
		v := p.Numbers.Attending
		d.Attending = &v
	}
	if len(p.Numbers.Votes) > 0 {
		d.Votes = map[int]int{}
		for k, v := range p.Numbers.Votes {
			d.Votes[k] = v
		}
	}
	if d.Method == "" && t.el != nil {
		d.Method = t.el.Method
	}
	if area == nil && len(o.areas) == 1 {
		area = o.areas[0]
	}
	var notes []string
	if len(p.Unknown) > 0 {
		notes = append(notes, t.tr("off_tally_unknown", map[string]any{"Parts": quoteParts(p.Unknown)}))
	}
	if len(p.Ambiguous) > 0 {
		notes = append(notes, t.tr("off_tally_ambiguous", map[string]any{"Parts": quoteParts(p.Ambiguous)}))
	}
	if area == nil {
		// Several areas and none named: ask which.
		d.Ask = "area"
		t.setDraft(d)
		if len(notes) > 0 {
			t.reply(strings.Join(notes, "\n"), nil)
		}
		return t.askDraftArea(o)
	}
	// A show of hands with ballot numbers keeps them: CheckTally names
	// the mistake rather than the bot dropping numbers silently.
	d.AreaID = area.ID
	t.setDraft(d)
	return t.summary(d, area, notes)
}

func quoteParts(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = "«" + p + "»"
	}
	return strings.Join(q, ", ")
}

// reportCommand: /baocao [kp1] starts (or resumes) the guided form.
func (t *turn) reportCommand(o *officials, arg string) error {
	if o == nil || len(o.areas) == 0 {
		t.reply(t.tr("off_not_reporter", nil), t.menu())
		return nil
	}
	if d := t.st.Draft; d != nil && strings.TrimSpace(arg) == "" {
		t.reply(t.tr("off_form_resume", nil), nil)
		return t.formNext(d)
	}
	d := &draft{}
	if a, _ := areaArg(arg, o.areas); a != nil {
		d.AreaID = a.ID
	} else if strings.TrimSpace(arg) != "" {
		all, err := t.areaList()
		if err != nil {
			return err
		}
		if a, _ := areaArg(arg, all); a != nil {
			t.reply(t.tr("off_not_reporter_of", map[string]any{"Area": a.Name}), t.menu())
			return nil
		}
	}
	if d.AreaID == 0 && len(o.areas) == 1 {
		d.AreaID = o.areas[0].ID
	}
	t.reply(t.tr("off_form_intro", nil), nil)
	return t.formNext(d)
}

// formNext asks the first missing field, or shows the summary.
func (t *turn) formNext(d *draft) error {
	o, err := t.roles()
	if err != nil {
		return err
	}
	if d.AreaID == 0 {
		d.Ask = "area"
		t.setDraft(d)
		return t.askDraftArea(o)
	}
	area, err := t.draftArea(d)
	if err != nil {
		return err
	}
	if area == nil {
		// No longer a reporter of the draft's area (revoked meanwhile).
		t.clearState()
		a, err := t.h.store.Area(t.ctx, d.AreaID)
		if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
			return err
		}
		return t.refuse(a)
	}
	miss := d.missing(area)
	if len(miss) == 0 {
		d.Ask = ""
		t.setDraft(d)
		return t.summary(d, area, nil)
	}
	d.Ask = miss[0]
	t.setDraft(d)
	return t.askField(d, area)
}

func (t *turn) askDraftArea(o *officials) error {
	if o == nil || len(o.areas) == 0 {
		t.clearState()
		t.reply(t.tr("off_not_reporter", nil), t.menu())
		return nil
	}
	kb := &bot.Keyboard{Inline: true}
	var row []bot.Button
	for _, a := range o.areas {
		row = append(row, bot.Button{Text: a.Name, Data: "o:fa:" + itoa64(a.ID)})
		if len(row) == 2 {
			kb.Rows = append(kb.Rows, row)
			row = nil
		}
	}
	if row != nil {
		kb.Rows = append(kb.Rows, row)
	}
	t.reply(t.tr("off_form_ask_area", nil), kb)
	return nil
}

// fieldName is a field's label in the contact's language.
func (t *turn) fieldName(f string, area *models.Area) string {
	if f == "method" {
		return t.tr("tally_field_method", nil)
	}
	if no, ok := strings.CutPrefix(f, votePrefix); ok {
		n, _ := strconv.Atoi(no)
		for _, c := range area.Candidates {
			if c.BallotNo == n {
				return strconv.Itoa(n) + ". " + c.Name
			}
		}
		return no
	}
	return t.tr("tally_field_"+f, nil)
}

// askField asks for d.Ask, with the step number.
func (t *turn) askField(d *draft, area *models.Area) error {
	// The steps of the method chosen, or else of the election's method.
	counted := *d
	if counted.Method == "" && t.el != nil {
		counted.Method = t.el.Method
	}
	steps := append([]string{"method"}, counted.fields()...)
	for _, c := range area.Candidates {
		steps = append(steps, voteField(c.BallotNo))
	}
	step := 1
	for i, s := range steps {
		if s == d.Ask {
			step = i + 1
		}
	}
	data := map[string]any{"Area": area.Name, "Step": step, "Total": len(steps), "Field": t.fieldName(d.Ask, area),
		"Households": t.h.num(t.lang, d.households(area))}
	switch {
	case d.Ask == "method":
		kb := &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
			{Text: t.tr("tally_method_secret", nil), Data: "o:fm:" + models.MethodSecret},
			{Text: t.tr("tally_method_hands", nil), Data: "o:fm:" + models.MethodHands},
		}}}
		t.reply(t.tr("off_form_ask_method", data), kb)
	case strings.HasPrefix(d.Ask, votePrefix):
		id := "off_form_ask_votes"
		if d.Method == models.MethodHands {
			id = "off_form_ask_hands"
		}
		t.reply(t.tr(id, data), nil)
	default:
		t.reply(t.tr("off_form_ask_"+d.Ask, data), nil)
	}
	return nil
}

// formAnswer takes a typed answer to the field asked.
func (t *turn) formAnswer(d *draft, text string) error {
	o, err := t.roles()
	if err != nil {
		return err
	}
	folded := models.Fold(text)
	switch d.Ask {
	case "area":
		if o == nil {
			return t.formNext(d)
		}
		a, _ := areaArg(text, o.areas)
		if a == nil {
			if n, ok := smallNumber(folded); ok {
				a, _, _ = matchArea("khu "+strconv.Itoa(n), o.areas)
			}
		}
		if a == nil {
			return t.askDraftArea(o)
		}
		d.AreaID = a.ID
		return t.formNext(d)
	case "method":
		if m := methodAnswer(folded); m != "" {
			t.setMethod(d, m)
			return t.formNext(d)
		}
		area, err := t.draftArea(d)
		if err != nil || area == nil {
			return t.formNext(d)
		}
		return t.askField(d, area)
	}
	n, ok := parseCount(text)
	if !ok {
		t.reply(t.tr("off_form_not_a_number", nil), nil)
		area, err := t.draftArea(d)
		if err != nil || area == nil {
			return t.formNext(d)
		}
		return t.askField(d, area)
	}
	if no, ok := strings.CutPrefix(d.Ask, votePrefix); ok {
		b, _ := strconv.Atoi(no)
		if d.Votes == nil {
			d.Votes = map[int]int{}
		}
		d.Votes[b] = n
	} else if p := d.field(d.Ask); p != nil {
		*p = &n
	}
	return t.formNext(d)
}

// setMethod sets the method; a show of hands has no ballot fields.
func (t *turn) setMethod(d *draft, m string) {
	d.Method = m
	if m == models.MethodHands {
		d.Issued, d.Returned, d.Valid, d.Invalid = nil, nil, nil, nil
	}
}

func methodAnswer(folded string) string {
	switch {
	case folded == "1" || strings.Contains(folded, "kin") || strings.Contains(folded, "secret") || strings.Contains(folded, "ballot"):
		return models.MethodSecret
	case folded == "2" || strings.Contains(folded, "gio tay") || strings.Contains(folded, "hand"):
		return models.MethodHands
	}
	return ""
}

// parseCount reads a typed count: "290", "1.234", "1,234", "290 hộ",
// "290 phiếu". Anything else (two numbers, a decimal, a negative number,
// other words) is not one.
func parseCount(text string) (int, bool) {
	num := ""
	for _, w := range strings.Fields(text) {
		w = strings.TrimRight(w, ".,;:!?")
		switch {
		case w == "":
		case w[0] >= '0' && w[0] <= '9':
			if num != "" {
				return 0, false
			}
			num = w
		default:
			for _, f := range strings.Fields(models.Fold(w)) {
				if !countFillers[f] {
					return 0, false
				}
			}
		}
	}
	if num == "" {
		return 0, false
	}
	// Thousands separators: every group after the first has three digits.
	groups := strings.FieldsFunc(num, func(r rune) bool { return r == '.' || r == ',' })
	if len(groups) > 1 {
		if strings.Count(num, ".")+strings.Count(num, ",") != len(groups)-1 || len(groups[0]) > 3 {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
	}
	digits := strings.Join(groups, "")
	if len(digits) > 8 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || n > tally.MaxNumber {
		return 0, false
	}
	return n, true
}

var countFillers = map[string]bool{
	"ho": true, "phieu": true, "nguoi": true, "cu": true, "tri": true, "la": true, "so": true,
	"households": true, "household": true, "votes": true, "vote": true, "ballots": true, "people": true, "hands": true,
}

// draftCallback handles the buttons of a draft: ok (confirm), ed (edit or
// fill in), no (cancel), fa (area), fm (method), fe (edit one field).
func (t *turn) draftCallback(kind, arg string) error {
	d := t.st.Draft
	if d == nil {
		t.reply(t.tr("off_draft_gone", nil), t.menu())
		return nil
	}
	o, err := t.roles()
	if err != nil {
		return err
	}
	switch kind {
	case "no":
		t.clearState()
		t.reply(t.tr("off_form_cancelled", nil), t.menu())
		return nil
	case "fa":
		id, _ := strconv.ParseInt(arg, 10, 64)
		if !o.reporterOf(id) {
			return t.formNext(d)
		}
		d.AreaID = id
		return t.formNext(d)
	case "fm":
		if arg == models.MethodSecret || arg == models.MethodHands {
			t.setMethod(d, arg)
		}
		return t.formNext(d)
	}
	area, err := t.draftArea(d)
	if err != nil {
		return err
	}
	if area == nil {
		return t.formNext(d)
	}
	switch kind {
	case "ed":
		if len(d.missing(area)) > 0 {
			return t.formNext(d)
		}
		d.Ask = ""
		t.setDraft(d)
		return t.editMenu(d, area)
	case "fe":
		if arg == "method" {
			d.Method = ""
		} else if p := d.field(arg); p != nil {
			*p = nil
		} else if no, ok := strings.CutPrefix(arg, votePrefix); ok {
			b, _ := strconv.Atoi(no)
			delete(d.Votes, b)
		}
		return t.formNext(d)
	case "ok":
		if arg != d.nonce() {
			t.reply(t.tr("off_draft_changed", nil), nil)
			return t.summary(d, area, nil)
		}
		return t.submitDraft(d, area)
	}
	return t.formNext(d)
}

// editMenu lists the fields to correct.
func (t *turn) editMenu(d *draft, area *models.Area) error {
	kb := &bot.Keyboard{Inline: true}
	fs := append([]string{"method"}, d.fields()...)
	var row []bot.Button
	add := func(b bot.Button) {
		row = append(row, b)
		if len(row) == 2 {
			kb.Rows = append(kb.Rows, row)
			row = nil
		}
	}
	for _, f := range fs {
		add(bot.Button{Text: t.fieldName(f, area), Data: "o:fe:" + f})
	}
	for _, c := range area.Candidates {
		f := voteField(c.BallotNo)
		add(bot.Button{Text: t.fieldName(f, area), Data: "o:fe:" + f})
	}
	if row != nil {
		kb.Rows = append(kb.Rows, row)
	}
	kb.Rows = append(kb.Rows, []bot.Button{{Text: t.tr("off_btn_cancel", nil), Data: "o:no"}})
	t.reply(t.tr("off_edit_which", nil), kb)
	return nil
}

// tallyTable is the echo of a tally's numbers, one per line; missing ones
// show as "—".
func (h *Handler) tallyTable(lang string, area *models.Area, method string, households int, attending *int, ballots [4]*int, votes map[int]int) string {
	var b strings.Builder
	dash := func(p *int) string {
		if p == nil {
			return "—"
		}
		return h.num(lang, *p)
	}
	m := "—"
	if method == models.MethodSecret || method == models.MethodHands {
		m = h.tr(lang, "tally_method_"+method, nil)
	}
	fmt.Fprintf(&b, "%s: %s\n", h.tr(lang, "tally_field_method", nil), m)
	fmt.Fprintf(&b, "%s: %s\n", h.tr(lang, "tally_field_households", nil), h.num(lang, households))
	att := dash(attending)
	if attending != nil && households > 0 {
		att += " (" + h.pct(lang, *attending, households) + "%)"
	}
	fmt.Fprintf(&b, "%s: %s\n", h.tr(lang, "tally_field_attending", nil), att)
	if method != models.MethodHands || ballots[0] != nil || ballots[1] != nil || ballots[2] != nil || ballots[3] != nil {
		for i, f := range tallyFields[1:] {
			fmt.Fprintf(&b, "%s: %s\n", h.tr(lang, "tally_field_"+f, nil), dash(ballots[i]))
		}
	}
	b.WriteString(h.tr(lang, "off_table_votes", nil))
	for _, c := range area.Candidates {
		v, ok := votes[c.BallotNo]
		line := "—"
		if ok {
			line = h.num(lang, v)
			if households > 0 {
				line += " (" + h.pct(lang, v, households) + "%)"
			}
		}
		fmt.Fprintf(&b, "\n  %d. %s: %s", c.BallotNo, c.Name, line)
	}
	return b.String()
}

func (t *turn) draftTable(d *draft, area *models.Area) string {
	return t.h.tallyTable(t.lang, area, d.Method, d.households(area), d.Attending,
		[4]*int{d.Issued, d.Returned, d.Valid, d.Invalid}, d.Votes)
}

// summary echoes the draft as a table with what is missing or
// inconsistent and the provisional outcome, and asks to confirm.
func (t *turn) summary(d *draft, area *models.Area, notes []string) error {
	el, err := t.election()
	if err != nil {
		return err
	}
	parts := []string{t.tr("off_summary_head", map[string]any{"Area": area.Name}) + "\n" + t.draftTable(d, area)}
	if d.Households > 0 && d.Households != area.Households {
		parts = append(parts, t.tr("off_households_differ", map[string]any{
			"Stated": t.h.num(t.lang, d.Households), "List": t.h.num(t.lang, area.Households)}))
	}
	parts = append(parts, notes...)
	if d.Photo != "" {
		parts = append(parts, t.tr("off_photo_with_draft", nil))
	}
	cancel := bot.Button{Text: t.tr("off_btn_cancel", nil), Data: "o:no"}
	if miss := d.missing(area); len(miss) > 0 {
		names := make([]string, len(miss))
		for i, m := range miss {
			names[i] = t.fieldName(m, area)
		}
		parts = append(parts, t.tr("off_summary_missing", map[string]any{"Fields": strings.Join(names, ", ")}))
		t.reply(strings.Join(parts, "\n\n"), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
			{Text: t.tr("off_btn_fill", nil), Data: "o:ed"}, cancel}}})
		return nil
	}
	n := d.numbers(area)
	if vs := models.CheckTally(n, area.Candidates); len(vs) > 0 {
		parts = append(parts, t.violations(vs))
		t.reply(strings.Join(parts, "\n\n"), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
			{Text: t.tr("off_btn_edit", nil), Data: "o:ed"}, cancel}}})
		return nil
	}
	o, err := models.DecideOutcome(el.Rules, n, area.Candidates)
	if err != nil {
		return err
	}
	parts = append(parts, t.tr("off_outcome_provisional", map[string]any{"Outcome": t.h.outcomeText(t.lang, o, n)}),
		t.tr("off_summary_confirm", nil))
	t.reply(strings.Join(parts, "\n\n"), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
		{Text: t.tr("off_btn_confirm", nil), Data: "o:ok:" + d.nonce()},
		{Text: t.tr("off_btn_edit", nil), Data: "o:ed"}, cancel}}})
	return nil
}

// violations lists the broken rules in the contact's language.
func (t *turn) violations(vs []models.Violation) string {
	lines := []string{t.tr("off_violations", nil)}
	for _, v := range vs {
		lines = append(lines, "• "+t.tr(v.ID, v.Data))
	}
	return strings.Join(lines, "\n")
}

// outcomeText says what numbers give under the regime.
func (h *Handler) outcomeText(lang string, o models.Outcome, n models.TallyNumbers) string {
	data := map[string]any{
		"Households": h.num(lang, n.Households),
		"Attending":  h.num(lang, n.Attending),
		"Turnout":    h.pct(lang, n.Attending, n.Households),
		"Votes":      h.num(lang, o.Votes),
		"Percent":    h.pct(lang, o.Votes, n.Households),
		"Days":       o.RerunWithinDays,
		"Months":     o.InterimMaxMonths,
		"Leader":     "",
		"Tie":        o.Tie,
	}
	if o.Leader != nil {
		data["Leader"] = o.Leader.Name
		data["BallotNo"] = o.Leader.BallotNo
	}
	switch o.Kind {
	case models.OutcomeElected:
		data["Name"], data["BallotNo"] = o.Winner.Name, o.Winner.BallotNo
		return h.tr(lang, "off_outcome_elected", data)
	case models.OutcomeMeetingInvalid:
		return h.tr(lang, "off_outcome_meeting_invalid", data)
	case models.OutcomeUndecided:
		return h.tr(lang, "off_outcome_undecided", data)
	}
	return h.tr(lang, "off_outcome_rerun", data)
}

// shortState is "bản 2, tạm thời" (the roll-up's lines).
func (h *Handler) shortState(lang string, t *models.Tally) string {
	return h.tr(lang, "off_version_short", map[string]any{"Version": t.Version, "State": h.tr(lang, "off_sstate_"+t.Status, nil)})
}

// stateText is "bản 2 — tạm thời, chờ công nhận".
func (h *Handler) stateText(lang string, t *models.Tally) string {
	return h.tr(lang, "off_version_state", map[string]any{"Version": t.Version, "State": h.tr(lang, "off_state_"+t.Status, nil)})
}

// submitDraft stores the confirmed draft and tells who needs to know.
func (t *turn) submitDraft(d *draft, area *models.Area) error {
	n := d.numbers(area)
	if vs := models.CheckTally(n, area.Candidates); len(vs) > 0 || len(d.missing(area)) > 0 {
		return t.summary(d, area, nil)
	}
	res, err := t.off().SubmitTally(t.ctx, models.TallySubmission{AreaID: area.ID, ReporterID: t.c.ID, Numbers: n, PhotoRef: d.Photo})
	if err != nil {
		return err
	}
	t.clearState()
	el := t.el
	o, err := models.DecideOutcome(el.Rules, n, area.Candidates)
	if err != nil {
		return err
	}
	outcome := t.tr("off_outcome_provisional", map[string]any{"Outcome": t.h.outcomeText(t.lang, o, n)})
	ids := append([]int64{}, res.Supporters...)
	for _, c := range res.Conflicts {
		ids = append(ids, c.ReporterID)
	}
	cs, err := t.off().ContactsByID(t.ctx, ids)
	if err != nil {
		return err
	}
	data := map[string]any{"Area": area.Name, "State": t.h.stateText(t.lang, res.Tally), "Count": len(res.Supporters)}
	switch res.Kind {
	case models.SubmitDuplicate:
		t.reply(t.tr("off_submit_duplicate", data), t.menu())
		return nil
	case models.SubmitConfirmed:
		data["By"] = contactLabel(cs[res.Tally.ReporterID], res.Tally.ReporterID)
		text := t.tr("off_submit_confirmed", data)
		if res.Resolved {
			text += "\n" + t.tr("off_conflict_resolved", nil)
		}
		t.reply(text+"\n\n"+outcome, t.menu())
		return nil
	}
	if len(res.Conflicts) == 0 {
		text := t.tr("off_submitted", data) + "\n\n" + outcome
		if d.Photo == "" {
			text += "\n\n" + t.tr("off_submit_photo_hint", nil)
		}
		t.reply(text, t.menu())
		return nil
	}
	// A conflict: the sender, the other reporters and the admins are told
	// what differs.
	me := contactLabel(t.c, t.c.ID)
	var diffs []string
	for _, c := range res.Conflicts {
		diffs = append(diffs, t.h.diffText(t.lang, area, res.Tally, c, contactLabel(cs[c.ReporterID], c.ReporterID)))
	}
	data["Diff"] = strings.Join(diffs, "\n")
	t.reply(t.tr("off_submit_conflict", data), t.menu())
	told := map[int64]bool{t.c.ID: true}
	diffFor := func(lang string) string {
		var ds []string
		for _, c := range res.Conflicts {
			ds = append(ds, t.h.diffText(lang, area, res.Tally, c, contactLabel(cs[c.ReporterID], c.ReporterID)))
		}
		return strings.Join(ds, "\n")
	}
	for _, c := range res.Conflicts {
		rc := cs[c.ReporterID]
		if rc == nil || told[rc.ID] {
			continue
		}
		told[rc.ID] = true
		t.noticeFunc(rc, func(lang string) string {
			return t.h.tr(lang, "off_conflict_reporter", map[string]any{"Area": area.Name, "Name": me,
				"Version": res.Tally.Version, "Diff": diffFor(lang)})
		})
	}
	admins, err := t.admins()
	if err != nil {
		return err
	}
	for _, a := range admins {
		if told[a.ID] {
			continue
		}
		told[a.ID] = true
		t.noticeFunc(a, func(lang string) string {
			return t.h.tr(lang, "off_conflict_admin", map[string]any{"Area": area.Name, "Name": me,
				"Version": res.Tally.Version, "Diff": diffFor(lang), "Code": area.Code})
		})
	}
	return nil
}

// diffText lists what differs between a new version and another one.
func (h *Handler) diffText(lang string, area *models.Area, a, b *models.Tally, bBy string) string {
	na, nb := models.TallyNumbersOf(a, area.Candidates), models.TallyNumbersOf(b, area.Candidates)
	lines := []string{h.tr(lang, "off_diff_head", map[string]any{"A": a.Version, "B": b.Version, "By": bBy})}
	add := func(label, x, y string) {
		if x != y {
			lines = append(lines, h.tr(lang, "off_diff_line", map[string]any{"Field": label, "A": x, "B": y, "VA": a.Version, "VB": b.Version}))
		}
	}
	method := func(m string) string { return h.tr(lang, "tally_method_"+m, nil) }
	add(h.tr(lang, "tally_field_method", nil), method(na.Method), method(nb.Method))
	add(h.tr(lang, "tally_field_households", nil), strconv.Itoa(na.Households), strconv.Itoa(nb.Households))
	add(h.tr(lang, "tally_field_attending", nil), strconv.Itoa(na.Attending), strconv.Itoa(nb.Attending))
	ps := [][2]*int{{na.Issued, nb.Issued}, {na.Returned, nb.Returned}, {na.Valid, nb.Valid}, {na.Invalid, nb.Invalid}}
	for i, f := range tallyFields[1:] {
		add(h.tr(lang, "tally_field_"+f, nil), ptrText(ps[i][0]), ptrText(ps[i][1]))
	}
	for _, c := range area.Candidates {
		add(strconv.Itoa(c.BallotNo)+". "+c.Name, strconv.Itoa(na.Votes[c.BallotNo]), strconv.Itoa(nb.Votes[c.BallotNo]))
	}
	return strings.Join(lines, "\n")
}

// photo takes a photo of the signed minutes from a reporter: with a tally
// in its caption, during a draft, or after a tally. handled is false for
// anyone else.
func (t *turn) photo() (handled bool, err error) {
	if t.off() == nil || t.in.Group {
		return false, nil
	}
	ref := t.in.PhotoRef
	if caption := strings.TrimSpace(t.in.Text); caption != "" {
		areas, err := t.areaList()
		if err != nil {
			return true, err
		}
		if p, ok := tally.Parse(caption, areas); ok {
			return true, t.tallyMessage(p, ref)
		}
	}
	if d := t.st.Draft; d != nil {
		d.Photo = ref
		t.setDraft(d)
		t.reply(t.tr("off_photo_draft", nil), nil)
		return true, nil
	}
	o, err := t.roles()
	if err != nil {
		return true, err
	}
	if o == nil || len(o.areas) == 0 {
		return false, nil
	}
	tl, err := t.off().AttachPhoto(t.ctx, t.c.ID, ref)
	if models.ErrorCode(err) == models.ENOTFOUND {
		t.reply(t.tr("off_photo_no_tally", nil), t.menu())
		return true, nil
	}
	if err != nil {
		return true, err
	}
	name := ""
	for _, a := range o.areas {
		if a.ID == tl.AreaID {
			name = a.Name
		}
	}
	if name == "" {
		if a, err := t.h.store.Area(t.ctx, tl.AreaID); err == nil {
			name = a.Name
		}
	}
	t.reply(t.tr("off_photo_attached", map[string]any{"Area": name, "State": t.h.stateText(t.lang, tl)}), t.menu())
	return true, nil
}
