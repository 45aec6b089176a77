package models

import (
	"fmt"
	"strings"
	"time"
)

// ReachPlan is how households are reached beyond the chats (issue 19):
// which paid channels are configured, what a message costs on each, the
// default cost ceiling of a broadcast and the quiet hours. The zero value:
// chats only, as before.
type ReachPlan struct {
	ZNS, SMS               bool  // the channel is configured (ZNS_*, SMS_*)
	ZNSCostVND, SMSCostVND int   // the price of one message, VND
	CeilingVND             int64 // a broadcast's default cost ceiling (BROADCAST_COST_CEILING_VND); 0: none
	Quiet                  QuietHours
}

// Default prices (VND a message) when the configuration gives none: the
// public ZNS price list's usual tier and a brandname SMS to a mobile
// network, 2024. A ward's contract sets its own.
const (
	DefaultZNSCostVND = 300
	DefaultSMSCostVND = 800
)

// Enabled says whether any household is reached beyond the chats.
func (p ReachPlan) Enabled() bool { return p.ZNS || p.SMS }

// Cost is the price of one message on a channel (0 for the chats).
func (p ReachPlan) Cost(channel string) int {
	switch channel {
	case ChannelZNS:
		return p.ZNSCostVND
	case ChannelSMS:
		return p.SMSCostVND
	}
	return 0
}

// ReachEstimate is a broadcast's expected messages per channel and cost,
// shown before the admin confirms.
type ReachEstimate struct {
	Households int
	Chat       int // households reached by their chat (free)
	ZNS, SMS   int
	None       int // neither chat nor a usable phone: door to door
	OptedOut   int
	CostVND    int64
}

// Estimate turns the households' classification into messages and cost:
// a phone goes to ZNS when it is configured and the number is not known
// to be off Zalo, else to SMS when that is configured, else nowhere.
func (p ReachPlan) Estimate(c HouseholdCount) ReachEstimate {
	e := ReachEstimate{Households: c.Households, Chat: c.Chat, None: c.NoPhone, OptedOut: c.OptedOut}
	onZalo := c.Phone - c.OffZalo
	switch {
	case p.ZNS:
		e.ZNS = onZalo
	case p.SMS:
		e.SMS += onZalo
	default:
		e.None += onZalo
	}
	if p.SMS {
		e.SMS += c.OffZalo
	} else {
		e.None += c.OffZalo
	}
	e.CostVND = int64(e.ZNS)*int64(p.ZNSCostVND) + int64(e.SMS)*int64(p.SMSCostVND)
	return e
}

// QuietHours are the hours (local time) when nothing that is not urgent
// is sent: it waits for their end. Off when Start == End.
type QuietHours struct {
	Start, End time.Duration // from local midnight
	Loc        *time.Location
}

// DefaultQuietHours are 21:00–07:00 Asia/Ho_Chi_Minh.
var DefaultQuietHours = QuietHours{Start: 21 * time.Hour, End: 7 * time.Hour, Loc: VietnamTime}

// ParseQuietHours reads "21:00-07:00" (QUIET_HOURS) in Asia/Ho_Chi_Minh;
// "off" or "" turns them off.
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") {
		return QuietHours{Loc: VietnamTime}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, Errorf(EINVALID, "quiet hours %q: want HH:MM-HH:MM", s)
	}
	parse := func(v string) (time.Duration, error) {
		t, err := time.Parse("15:04", strings.TrimSpace(v))
		if err != nil {
			return 0, Errorf(EINVALID, "quiet hours %q: %q is not HH:MM", s, v)
		}
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
	}
	a, err := parse(from)
	if err != nil {
		return QuietHours{}, err
	}
	b, err := parse(to)
	if err != nil {
		return QuietHours{}, err
	}
	return QuietHours{Start: a, End: b, Loc: VietnamTime}, nil
}

// Off says whether there are no quiet hours.
func (q QuietHours) Off() bool { return q.Start == q.End }

// String is "21:00-07:00" (or "off").
func (q QuietHours) String() string {
	if q.Off() {
		return "off"
	}
	hm := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return hm(q.Start) + "-" + hm(q.End)
}

// Until is the end of the quiet hours now is in (ok), or ok false when
// now is not in quiet hours.
func (q QuietHours) Until(now time.Time) (time.Time, bool) {
	if q.Off() {
		return time.Time{}, false
	}
	loc := q.Loc
	if loc == nil {
		loc = VietnamTime
	}
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	of := local.Sub(midnight)
	end := func(day time.Time) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).Add(q.End)
	}
	if q.Start < q.End { // within one day: 12:00-13:30
		if of >= q.Start && of < q.End {
			return end(midnight), true
		}
		return time.Time{}, false
	}
	switch { // across midnight: 21:00-07:00
	case of >= q.Start:
		return end(midnight.AddDate(0, 0, 1)), true
	case of < q.End:
		return end(midnight), true
	}
	return time.Time{}, false
}
