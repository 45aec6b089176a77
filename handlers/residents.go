package handlers

import (
	"context"
	"strconv"
	"strings"

	"electionbot/models"
)

// ResidentStore is what the residents' questions use beyond the core: the
// recognised result of their area after the day. *models.Store satisfies
// it.
type ResidentStore interface {
	// AcceptedTally is the area's latest accepted tally; models.ENOTFOUND
	// (or nil) when none is.
	AcceptedTally(ctx context.Context, areaID int64) (*models.Tally, error)
}

var _ ResidentStore = (*models.Store)(nil)

// residents answers what any resident asks: the welcome, help, their area,
// the language, and (info.go) the date, the place, the candidates, the
// rules and the result.
type residents struct {
	*turn
	store ResidentStore
}

// start is /start [payload]: the welcome, and the place of a deep link —
// a poster's area ("a123", any ward) or an area of the ward ("kp1").
// A contact not placed yet, where there are several wards, is asked the
// ward.
func (r *residents) start(payload string) error {
	if id, ok := models.ParseAreaPayload(payload); ok {
		if _, err := r.choosePlace(id); err != nil {
			return err
		}
	}
	el, err := r.election()
	if err != nil {
		return err
	}
	if el == nil {
		if ws, err := r.wardList(); err != nil || len(ws) > 1 {
			if err != nil {
				return err
			}
			r.reply(r.tr("welcome_unplaced", nil), nil)
			return r.askWard("ward_ask", "")
		}
		r.reply(r.tr("welcome_no_election", nil), r.menu())
		return nil
	}
	r.reply(r.tr("welcome", map[string]any{"Ward": wardLine(el), "Title": el.Title}), r.menu())
	if payload != "" { // deep link: /start kp1
		areas, err := r.areaList()
		if err != nil {
			return err
		}
		if area, _, _ := matchArea(payload, areas); area != nil {
			r.setArea(area)
		}
	}
	if a, err := r.myArea(); err != nil || a != nil {
		if a != nil && payload != "" {
			r.reply(r.tr("area_set", map[string]any{"Area": a.Name}), r.menu())
		}
		return err
	}
	return nil
}

// help is the residents' help, then the officials' part for the
// contact's roles.
func (r *residents) help() error {
	if _, err := r.ward(); err != nil { // the help speaks of the place's own units
		return err
	}
	r.reply(r.tr("help", nil), r.menu())
	extra, err := r.officials.help()
	if err != nil {
		return err
	}
	if extra != "" {
		r.out[len(r.out)-1].Keyboard = nil
		r.reply(extra, r.menu())
	}
	return nil
}

// areaInText takes an area named in free text (areas.go, areas_named.go).
// The area alone ("khu 2", "tôi ở khu 2", "dong thinh"), or the answer to
// "which area?", is the contact's choice: remembered, confirmed and
// answered (taken). Named with a question, it is answered for once
// (visit.go) unless it is the contact's own, or the contact has none yet
// and asks a question of their own (then it is remembered, and said). An
// area the ward does not have is said so with the ward's areas; a partial
// name that fits several offers them. rest is the text without the area's
// words.
func (r *residents) areaInText(folded string) (rest string, taken bool, err error) {
	areas, err := r.areaList()
	if err != nil || len(areas) == 0 {
		return folded, err != nil, err
	}
	area, ref, found := matchArea(folded, areas)
	switch {
	case !found:
		return folded, false, nil
	case area == nil && len(ref.Choices) > 1:
		return folded, true, r.areaChoices(ref, folded)
	case area == nil:
		return folded, true, r.areaUnknown(r.quoted(ref, folded))
	}
	rest = ref.Rest
	alone := onlyFillers(strings.Fields(rest))
	switch {
	case r.visitingWard():
		if alone { // "phường Hồng Hải khu 1": the contact says where they live
			r.setArea(area)
			return "", true, r.areaChosen(area)
		}
		r.visitArea(area)
	case alone || r.st.Await == awaitArea:
		r.setArea(area)
		if alone {
			return "", true, r.areaChosen(area)
		}
	case r.c.AreaID != nil && *r.c.AreaID == area.ID:
	case r.c.AreaID == nil && !r.lookup.isLookup(rest):
		r.setArea(area) // their first area, with their first question: said
		r.reply(r.tr("area_set", map[string]any{"Area": area.Name}), nil)
		r.adopted = area
	default:
		r.visitArea(area)
	}
	return rest, false, nil
}

// quoted is how an area reference is quoted back: the resident's own
// words for it when the message is short, else its folded words.
func (r *residents) quoted(ref areaRef, folded string) string {
	raw := rawWords(r.in.Text)
	if len(raw) == len(strings.Fields(folded)) && ref.To > ref.From && ref.To <= len(raw) {
		return strings.Join(raw[ref.From:ref.To], " ")
	}
	if ref.Text != "" {
		return ref.Text
	}
	return shownText(r.in.Text, folded)
}

// areaChoices asks which of the areas a partial name fits was meant: as
// the contact's own area when the name was all they wrote, else for one
// answer to the question (see: buttons).
func (r *residents) areaChoices(ref areaRef, folded string) error {
	data := map[string]any{"Text": r.quoted(ref, folded), "Areas": areaNames(ref.Choices)}
	then := ""
	if intent, _ := r.conv.scorer.Best(ref.Rest); intent != "" && !onlyFillers(strings.Fields(ref.Rest)) {
		then = intent
	}
	if then == "" || r.lookup.isLookup(ref.Rest) {
		st := r.st
		st.Await = awaitArea
		if q, ok := parseNameYear(ref.Rest, r.nowYear()-adultAge); ok {
			st.Query = q
		}
		r.setState(st)
		r.reply(r.tr("area_which", data), r.areaKeyboard(ref.Choices))
		return nil
	}
	r.reply(r.tr("area_which", data), r.seeKeyboard(ref.Choices, action(then)))
	return nil
}

// areaNoted confirms the area just noted from a text nothing else of
// which was understood; false when there is none.
func (r *residents) areaNoted() (bool, error) {
	area, err := r.ownArea()
	if err != nil || area == nil {
		return false, err
	}
	return true, r.areaChosen(area)
}

// areaUnknown says that the ward has no such area, lists its areas and
// asks again: never answered for another area.
func (r *residents) areaUnknown(text string) error {
	areas, err := r.areaList()
	if err != nil {
		return err
	}
	st := r.st
	st.Await = awaitArea
	r.setState(st)
	r.reply(r.tr("area_unknown", map[string]any{
		"Ward": r.wardName(), "Text": text, "Areas": areaNames(areas),
	}), r.areaKeyboard(areas))
	return nil
}

// chooseAreaByID is the "area:<id>" button.
func (r *residents) chooseAreaByID(s string) error {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return models.Errorf(models.EINVALID, "bad area callback %q", s)
	}
	areas, err := r.areaList()
	if err != nil {
		return err
	}
	for _, a := range areas {
		if a.ID == id {
			r.setArea(a)
			return r.areaChosen(a)
		}
	}
	return r.askArea("area_ask", r.st.Then)
}

// areaChosen confirms the area and resumes what was waiting for it.
func (r *residents) areaChosen(a *models.Area) error {
	then, q := r.st.Then, r.st.Query
	if r.st.Await == awaitArea || r.st.Await == awaitHousehold {
		r.clearState()
	}
	r.reply(r.tr("area_set", map[string]any{"Area": a.Name}), nil)
	if q != nil {
		return r.lookup.nameLookup(q)
	}
	if then != "" {
		return r.run(then, "")
	}
	r.out[len(r.out)-1].Keyboard = r.menu()
	return r.reminders.offer(a)
}

// switchLang sets the language named in arg ("en", "/lang vi", "tieng
// anh", "English"), or toggles vi ↔ en when arg names none.
func (r *residents) switchLang(arg string) {
	lang := ""
	for _, w := range strings.Fields(models.Fold(arg)) {
		switch w {
		case "en", "eng", "english", "anh":
			lang = "en"
		case "vi", "vn", "viet", "vietnamese", "vietnam":
			lang = "vi"
		}
	}
	if lang == "" {
		lang = "en"
		if r.lang == "en" {
			lang = "vi"
		}
	}
	r.lang = lang
	if r.c.Lang != lang {
		r.c.Lang = lang
		r.dirty = true
	}
	r.reply(r.tr("lang_switched", nil), r.menu())
}
