package handlers

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"electionbot/locales"
	"electionbot/models"
)

// texts renders the catalogs' messages in a given language: the sender's
// for replies, another contact's for notices. Numbers and percentages come
// from locales.Number and locales.Percent.
type texts struct {
	locs *locales.Localizers
	// place gives every message the words of a place (at, turn.placed);
	// nil for the conversation's shared texts.
	place func(lang string) map[string]any
}

// tr localises a message id with template data; a missing message is
// logged and its id shown, and so is a template key the data lacks (a
// text about a place rendered without its words).
func (x *texts) tr(lang, id string, data map[string]any) string {
	if x.place != nil && locales.UsesWords(id) {
		data = locales.MergeWords(x.place(lang), data)
	}
	s, err := x.locs.Localize(lang, id, data)
	if err != nil {
		slog.Error("handlers: missing message", "id", id, "lang", lang, "err", err)
	} else if strings.Contains(s, "<no value>") {
		slog.Error("handlers: message data incomplete", "id", id, "lang", lang)
	}
	return s
}

// trWords is tr with the words of a place under the keys data does not set.
func (x *texts) trWords(lang, id string, data, words map[string]any) string {
	return x.tr(lang, id, locales.MergeWords(words, data))
}

// trTurn is tr with the words of a turn (turnWords), looked for only when
// the message uses them: every reply goes through it.
func (x *texts) trTurn(lang, id string, data map[string]any, w *models.Ward, loaded bool, areas []*models.Area, areaID *int64) string {
	if x.place != nil || !locales.UsesWords(id) {
		return x.tr(lang, id, data)
	}
	return x.trWords(lang, id, data, x.turnWords(lang, w, loaded, areas, areaID))
}

// The words of the place a text is about (docs/design.md §2): Trưởng thôn
// or Trưởng khu phố, UBND xã or UBND phường. turn.tr gives them to every
// reply (the keys of locales.WordKeys: {{.Unit}}, {{.Head}},
// {{.Committee}}…); a notice or a nested text about another place takes
// them from at or turn.placed.

// words are the words of area a (nil: of ward w's areas, as wardWords) in
// ward w (nil: a's own Ward).
func (x *texts) words(lang string, w *models.Ward, a *models.Area) map[string]any {
	if a == nil {
		return x.wardWords(lang, w, nil)
	}
	if w == nil {
		w = a.Ward
	}
	return x.locs.PlaceWordsFor(lang, wardKind(w), []string{models.UnitOf(a, w)}, models.ElectorateOf(a.Electorate))
}

// electorateOf is the electorate of areas when they share one, else
// households (the words of a ward whose areas differ).
func electorateOf(areas []*models.Area) string {
	if len(areas) == 0 {
		return models.ElectorateHouseholds
	}
	e := models.ElectorateOf(areas[0].Electorate)
	for _, a := range areas[1:] {
		if models.ElectorateOf(a.Electorate) != e {
			return models.ElectorateHouseholds
		}
	}
	return e
}

// wardWords are the words of ward w when no one area is meant: the unit
// kinds of its areas (one, or several joined: "thôn, tổ dân phố"), else
// the usual one of its kind (models.UnitOf). A nil ward (not known) gives
// the general words: "thôn, tổ dân phố", "UBND cấp xã".
func (x *texts) wardWords(lang string, w *models.Ward, areas []*models.Area) map[string]any {
	if w == nil {
		return x.locs.PlaceWords(lang, "", nil)
	}
	units := make([]string, 0, 2)
	for _, a := range areas {
		if u := models.UnitOf(a, w); !slices.Contains(units, u) {
			units = append(units, u)
		}
	}
	if len(units) == 0 {
		units = append(units, models.UnitOf(nil, w))
	}
	return x.locs.PlaceWordsFor(lang, models.KindOf(w), units, electorateOf(areas))
}

// turnWords are the words of a turn: of the contact's area (areaID) when
// it is among the ward's loaded areas, else of the ward in view w and its
// loaded areas; a contact known to have no ward yet (loaded, w nil) gets
// the general words. They use only what is loaded, nothing is queried: a
// turn that has not looked its ward up (loaded false: /help) gets the
// words the bot used before wards had kinds, khu phố and phường — the
// route should look the ward up first when its text is about the place.
func (x *texts) turnWords(lang string, w *models.Ward, loaded bool, areas []*models.Area, areaID *int64) map[string]any {
	if !loaded {
		return x.locs.PlaceWords(lang, models.WardUrban, []string{models.UnitKhuPho})
	}
	if areaID != nil {
		for _, a := range areas {
			if a.ID == *areaID {
				return x.words(lang, w, a)
			}
		}
	}
	return x.wardWords(lang, w, areas)
}

func wardKind(w *models.Ward) string {
	if w == nil {
		return ""
	}
	return models.KindOf(w)
}

// at is x giving every message the words of area a (nil: of ward w) of
// ward w (nil: a's own): for a notice about an area, in the recipient's
// language.
func (x *texts) at(w *models.Ward, a *models.Area) *texts {
	cp := *x
	cp.place = func(lang string) map[string]any { return x.words(lang, w, a) }
	return &cp
}

// placed are the turn's texts with the words of area a (its ward, else
// the ward in view), or with a nil a the words of the turn (as tr): for
// the texts built inside a reply or a notice (a tally's state, an
// outcome, a role).
func (t *turn) placed(a *models.Area) *texts {
	if a == nil {
		cp := *t.texts
		cp.place = func(lang string) map[string]any {
			return t.texts.turnWords(lang, t.wd, t.wardLoaded, t.areas, t.c.AreaID)
		}
		return &cp
	}
	w := a.Ward
	if w == nil {
		w = t.wd
	}
	return t.texts.at(w, a)
}

// date writes a day as residents read it, with the layout of message id:
// "Chủ nhật, 05/06/2022", "Sunday, 5 June 2022".
func (x *texts) date(lang, id string, d time.Time) string {
	return x.tr(lang, id, map[string]any{
		"Weekday": x.locs.Weekday(lang, d.Weekday()),
		"D":       d.Day(),
		"DD":      fmt.Sprintf("%02d", d.Day()),
		"MM":      fmt.Sprintf("%02d", int(d.Month())),
		"Month":   x.tr(lang, "month_"+strconv.Itoa(int(d.Month())), nil),
		"YYYY":    d.Year(),
	})
}

// relative says when the election is, from now: "còn 3 ngày nữa", "ngày
// mai", "hôm nay", "đã diễn ra".
func (x *texts) relative(lang string, el *models.Election, now time.Time) string {
	phase, days := electionPhase(el, now)
	switch phase {
	case phaseBefore:
		if days == 1 {
			return x.tr(lang, "rel_tomorrow", nil)
		}
		return x.tr(lang, "rel_days", map[string]any{"Days": days})
	case phaseToday:
		return x.tr(lang, "rel_today", nil)
	case phaseOpen:
		return x.tr(lang, "rel_today_open", nil)
	}
	return x.tr(lang, "rel_past", nil)
}

// when formats an instant in the election's time zone for officials.
func (x *texts) when(lang string, el *models.Election, at time.Time) string {
	loc := models.VietnamTime
	if el != nil {
		loc = el.Location()
	}
	return at.In(loc).Format(x.tr(lang, "off_time_layout", nil))
}
