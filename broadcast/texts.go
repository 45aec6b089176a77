package broadcast

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"electionbot/locales"
	"electionbot/models"
)

// Texts renders the broadcasts' messages (locales/broadcast.*.yaml), with
// the numbers and weekdays of package locales.
type Texts struct {
	defLang string
	locs    *locales.Localizers
	log     *slog.Logger
}

// NewTexts loads the catalogs; defaultLang is for contacts without a
// language.
func NewTexts(defaultLang string, log *slog.Logger) (*Texts, error) {
	bundle, err := locales.NewBundle()
	if err != nil {
		return nil, err
	}
	if defaultLang != "en" {
		defaultLang = "vi"
	}
	if log == nil {
		log = slog.Default()
	}
	return &Texts{defLang: defaultLang, locs: locales.NewLocalizers(bundle, defaultLang), log: log}, nil
}

func (t *Texts) lang(c *models.Contact) string {
	if c != nil && (c.Lang == "vi" || c.Lang == "en") {
		return c.Lang
	}
	return t.defLang
}

func (t *Texts) tr(lang, id string, data map[string]any) string {
	s, err := t.locs.Localize(lang, id, data)
	if err != nil {
		t.log.Error("broadcast: missing message", "id", id, "lang", lang, "err", err)
	} else if strings.Contains(s, "<no value>") { // a key the data lacks: a place's words
		t.log.Error("broadcast: message data incomplete", "id", id, "lang", lang)
	}
	return s
}

// Header is the first line of an announcement ("📢 Thông báo của Phường
// Ka Long:") in lang.
func (t *Texts) Header(lang, ward string) string {
	return t.tr(lang, "bc_header", map[string]any{"Ward": ward})
}

// ProgressText is "📤 Thông báo #12: đã gửi 1.200/3.400" in lang.
func (t *Texts) ProgressText(lang string, bc *models.Broadcast, done, total int) string {
	return t.tr(lang, "bc_progress", map[string]any{"ID": bc.ID,
		"Done": locales.Number(lang, done), "Total": locales.Number(lang, total)})
}

// ReportText is a finished broadcast's report in lang: sent, unreachable,
// skipped and failed, with the reasons.
func (t *Texts) ReportText(lang string, bc *models.Broadcast, st *models.BroadcastStats) string {
	var reasons strings.Builder
	for _, r := range st.Reasons {
		fmt.Fprintf(&reasons, "\n  – %s: %s", r.Reason, locales.Number(lang, r.Count))
	}
	n := func(v int) string { return locales.Number(lang, v) }
	return t.tr(lang, "bc_report", map[string]any{
		"ID": bc.ID, "Total": n(st.Total), "Sent": n(st.Sent), "Unreachable": n(st.Unreachable),
		"Skipped": n(st.Skipped), "Failed": n(st.Failed), "Pending": n(st.Pending), "Reasons": reasons.String(),
	})
}

// words are the words of the place a text is about (locales.PlaceWords:
// {{.Unit}}, {{.Committee}}…): the unit kinds of the areas, in their ward
// when they all lie in one, else in w (the election's ward, nil for a
// province's: the general words of a ward's kind).
func (t *Texts) words(lang string, w *models.Ward, areas ...*models.Area) map[string]any {
	ward := w
	if len(areas) > 0 && areas[0].Ward != nil {
		ward = areas[0].Ward
		for _, a := range areas[1:] {
			if a.Ward == nil || a.Ward.ID != ward.ID {
				ward = w // areas of several wards
				break
			}
		}
	}
	units := make([]string, 0, 2)
	for _, a := range areas {
		aw := a.Ward
		if aw == nil {
			aw = ward
		}
		units = append(units, models.UnitOf(a, aw))
	}
	kind := ""
	if ward != nil {
		kind = models.KindOf(ward)
		if len(units) == 0 {
			units = append(units, models.UnitOf(nil, ward))
		}
	}
	electorate := models.ElectorateHouseholds
	for i, a := range areas {
		if e := models.ElectorateOf(a.Electorate); i == 0 {
			electorate = e
		} else if e != electorate { // areas that differ: the usual words
			electorate = models.ElectorateHouseholds
			break
		}
	}
	return t.locs.PlaceWordsFor(lang, kind, units, electorate)
}

// day is a date as the reminders write it, "Chủ nhật 05/06/2022", "Sunday
// 05/06/2022": the message rem_day_<weekday>, given the weekday's name
// (locales' weekday_N) and the date.
func (t *Texts) day(lang string, d time.Time) string {
	return t.tr(lang, "rem_day_"+strconv.Itoa(int(d.Weekday())), map[string]any{
		"Weekday": t.locs.Weekday(lang, d.Weekday()), "Date": d.Format("02/01/2006"),
	})
}
