package posters

import (
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"electionbot/locales"
	"electionbot/models"
)

// MessageIDs are the message ids the posters use, exactly the keys of
// locales/posters.vi.yaml and posters.en.yaml (a test compares them).
var MessageIDs = []string{
	"poster_head_thon", "poster_head_ban", "poster_head_ap", "poster_head_khu",
	"poster_head_khu_pho", "poster_head_to_dan_pho", "poster_title",
	"poster_date_label", "poster_date", "poster_hours_label", "poster_hours",
	"poster_place_label", "poster_place_unknown", "poster_address_label",
	"poster_instruction", "poster_fallback", "poster_telegram", "poster_zalo",
}

// headIDs name the office of each unit kind (models.Units).
var headIDs = map[string]string{
	models.UnitThon:     "poster_head_thon",
	models.UnitBan:      "poster_head_ban",
	models.UnitAp:       "poster_head_ap",
	models.UnitKhu:      "poster_head_khu",
	models.UnitKhuPho:   "poster_head_khu_pho",
	models.UnitToDanPho: "poster_head_to_dan_pho",
}

// Compose writes the poster of area a (its Ward and PollingPlace loaded)
// in election e, in lang (vi or en; another falls back to the catalogs'
// default), leading to l; botUsername is named under the code for a
// resident who types it.
func Compose(loc *locales.Localizers, lang string, e *models.Election, a *models.Area, l Link, botUsername string) (Poster, error) {
	var firstErr error
	t := func(id string, kv ...any) string {
		data := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			data[kv[i].(string)] = kv[i+1]
		}
		s, err := loc.Localize(lang, id, data)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return s
	}
	tag := language.Vietnamese
	if lang == "en" {
		tag = language.English
	}
	headID, ok := headIDs[models.UnitOf(a, a.Ward)]
	if !ok {
		headID = headIDs[models.UnitKhuPho]
	}
	head := t(headID)
	p := Poster{
		Title:       cases.Upper(tag).String(t("poster_title", "Head", head)),
		Election:    e.Title,
		Area:        a.Name,
		Place:       placeLine(e, a.Ward),
		Link:        l.TelegramURL,
		Instruction: t("poster_instruction"),
		Fallback:    t("poster_fallback"),
		Code:        l.Payload,
	}
	date := e.Date
	if d, err := time.Parse("2006-01-02", e.Date); err == nil {
		date = t("poster_date", "Weekday", loc.Weekday(lang, d.Weekday()), "Date", d.Format("02/01/2006"))
	}
	p.Rows = append(p.Rows,
		Row{t("poster_date_label"), date},
		Row{t("poster_hours_label"), t("poster_hours", "Opens", e.Opens, "Closes", e.Closes)})
	if pp := a.PollingPlace; pp != nil && strings.TrimSpace(pp.Name) != "" {
		p.Rows = append(p.Rows, Row{t("poster_place_label"), pp.Name})
		if strings.TrimSpace(pp.Address) != "" {
			p.Rows = append(p.Rows, Row{t("poster_address_label"), pp.Address})
		}
	} else {
		p.Rows = append(p.Rows, Row{t("poster_place_label"), t("poster_place_unknown")})
	}
	var footer []string
	if botUsername != "" {
		footer = append(footer, t("poster_telegram", "Bot", botUsername))
	}
	if l.ZaloURL != "" {
		footer = append(footer, t("poster_zalo", "URL", strings.TrimPrefix(l.ZaloURL, "https://")))
	}
	p.Footer = strings.Join(footer, "   ·   ")
	return p, firstErr
}

// placeLine is "Xã Hải Tiến, TP Móng Cái, Quảng Ninh": the ward, its city
// and province, leaving out what is not known.
func placeLine(e *models.Election, w *models.Ward) string {
	var parts []string
	province := e.Province
	if w != nil {
		parts = append(parts, w.Name, w.City)
		if w.Province != "" {
			province = w.Province
		}
	}
	parts = append(parts, province)
	out := parts[:0]
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}
