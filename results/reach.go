package results

import (
	"context"
	"time"

	"electionbot/models"
)

// Reaching households on the officials' page (issue 19): for the latest
// broadcast (announcement or reminder) that went to the households of the
// page's ward, per area the households reached by chat, ZNS and SMS, those
// still to be visited door to door, and those who opted out. Like the
// live attendance it is read after the view is built, only for the
// officials' HTML page of one ward; the public view never shows it, and a
// page of several wards goes without (no per-area load of a province).

// ReachSource is a Source with the household ledger (models.Store).
type ReachSource interface {
	// WardReach is the latest broadcast of the election that went to
	// households of the ward (codes) with its reach by area of that ward;
	// nil, nil when none did. It changes nothing.
	WardReach(ctx context.Context, electionCode, wardCode string) (*models.WardReach, error)
}

// ReachRow is one line of the page's table: an area, or the total.
type ReachRow struct {
	Code, Name                  string
	Households                  int
	Chat, ZNS, SMS              int // reached, by channel
	Pending, NotReached, OptOut int
}

// PageReach is the section "Thông báo tới hộ dân" of the officials' page.
type PageReach struct {
	BroadcastID int64
	Reminder    bool // a reminder of the schedule, not an announcement
	At          time.Time
	Areas       []ReachRow
	Total       ReachRow
	AnyPending  bool // show the "still sending" column
}

func reachRow(code, name string, a *models.AreaReach) ReachRow {
	r := ReachRow{Code: code, Name: name, Households: a.Households, ZNS: a.ByChannel[models.ChannelZNS],
		SMS: a.ByChannel[models.ChannelSMS], Pending: a.Pending, NotReached: a.NotReached(), OptOut: a.OptedOut}
	r.Chat = a.Reached - r.ZNS - r.SMS // every chat channel (Telegram, Zalo, …)
	return r
}

// reach reads the section for res; nil when the source has no ledger,
// the view is not the officials' page of one ward, or no broadcast went
// to the ward's households. A failure is logged and the page goes
// without it.
func (s *Server) reach(ctx context.Context, res *Results) *PageReach {
	rs, ok := s.src.(ReachSource)
	if !ok || res.View != ViewAdmin || res.MultiWard() || res.Election.WardCode == "" {
		return nil
	}
	w, err := rs.WardReach(ctx, res.Election.Code, res.Election.WardCode)
	if err != nil {
		s.log.Warn("results: household reach", "election", res.Election.Code, "ward", res.Election.WardCode, "err", err)
		return nil
	}
	if w == nil || len(w.Areas) == 0 {
		return nil
	}
	p := &PageReach{BroadcastID: w.BroadcastID, Reminder: w.Kind == models.BroadcastReminder, At: w.At}
	for _, a := range w.Areas {
		p.Areas = append(p.Areas, reachRow(a.Code, a.Name, &a.AreaReach))
		p.AnyPending = p.AnyPending || a.Pending > 0
	}
	p.Total = reachRow("", "", w.Total())
	return p
}

// Reach is the household reach section of the page, or nil.
func (d *pageData) Reach() *PageReach { return d.reachData }
