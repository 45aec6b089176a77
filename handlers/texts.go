package handlers

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"electionbot/locales"
	"electionbot/models"
)

// texts renders the catalogs' messages in a given language: the sender's
// for replies, another contact's for notices. Numbers and percentages come
// from locales.Number and locales.Percent.
type texts struct {
	locs *locales.Localizers
}

// tr localises a message id with template data; a missing message is
// logged and its id shown.
func (x *texts) tr(lang, id string, data map[string]any) string {
	s, err := x.locs.Localize(lang, id, data)
	if err != nil {
		slog.Error("handlers: missing message", "id", id, "lang", lang, "err", err)
	}
	return s
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
