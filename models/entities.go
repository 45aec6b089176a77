package models

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Rules regimes (docs/design.md §3).
const (
	RulesNQLT2008 = "nqlt-09-2008" // NQLT 09/2008/NQLT-CP-UBTWMTTQVN Điều 8; TT 04/2012/TT-BNV
	RulesLuat2022 = "luat-10-2022" // Luật 10/2022/QH15; NĐ 59/2023
)

// Voting methods.
const (
	MethodSecret = "secret" // bỏ phiếu kín
	MethodHands  = "hands"  // giơ tay
)

// Roles that can be granted to a contact.
const (
	RoleAdmin    = "admin"    // cán bộ UBND phường
	RoleReporter = "reporter" // thành viên Tổ bầu cử of one area
	RoleViewer   = "viewer"   // city/province viewer
)

// Channels.
const (
	ChannelTelegram = "telegram"
	ChannelZalo     = "zalo"
	ChannelConsole  = "console"
)

// Ward is a xã/phường/thị trấn, with the names of its city and province.
// Kind is WardCommune, WardUrban or WardTown (read from the name where the
// file does not say; "" when neither does).
type Ward struct {
	ID        int64 `gorm:"primaryKey"`
	Code      string
	Name      string
	City      string
	Province  string
	Kind      string
	Folded    string // WardFolded(Name)
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Election is one day's election of the heads of areas for a term: one
// ward's, or a city's or province's for all its wards (docs/design.md §5).
// Date/Opens/Closes are the local values of the election file; OpensAt and
// ClosesAt are the same instants in UTC.
//
// WardID is the one ward of an election loaded from a one-ward file (nil
// for the `wards:` form). Ward is the ward in view: the loaders that answer
// for one ward (ElectionForWard) set it to that ward; ElectionByCode and
// the like set it only for a one-ward election.
type Election struct {
	ID       int64 `gorm:"primaryKey"`
	Code     string
	WardID   *int64
	Province string
	Title    string
	Date     string // YYYY-MM-DD, local
	Opens    string // HH:MM, local
	Closes   string // HH:MM, local
	Timezone string
	Rules    string
	Method   string
	OpensAt  time.Time
	ClosesAt time.Time
	// The officials' timeline before the day, in days (0: no reminder):
	// defaults by regime and their sources in models.Timelines.
	ListPostedDays int // the voter list posted ≥ N days before
	NoticeDays     int // the meeting notice ≥ N days before
	PlanDays       int // the commune's plan ≥ N days before
	CommitteeDays  int // the Tổ bầu cử set up ≥ N days before
	CandidatesDays int // the candidates' list sent to the commune ≥ N days before
	// Electorate is the default of its areas (ElectorateHouseholds or
	// ElectorateVoters; "" is households).
	Electorate string `gorm:"default:households"`
	// Holidays are the public holidays the working-day deadlines skip
	// (YYYY-MM-DD, comma-separated; HolidaySet).
	Holidays  string
	CreatedAt time.Time
	UpdatedAt time.Time

	Ward  *Ward   `gorm:"foreignKey:WardID"`
	Areas []*Area `gorm:"foreignKey:ElectionID"`
}

// Location returns the election's time zone (Asia/Ho_Chi_Minh by default).
func (e *Election) Location() *time.Location {
	if e.Timezone == "" {
		return VietnamTime
	}
	if loc, ok := locations.Load(e.Timezone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(e.Timezone)
	if err != nil {
		loc = VietnamTime
	}
	locations.Store(e.Timezone, loc)
	return loc
}

// locations are the time zones loaded: time.LoadLocation reads the zone
// file each time, and every reply about a date asks.
var locations sync.Map // name → *time.Location

// Day returns the election date at local midnight.
func (e *Election) Day() time.Time {
	d, err := time.ParseInLocation("2006-01-02", e.Date, e.Location())
	if err != nil {
		return e.OpensAt.In(e.Location())
	}
	return d
}

// Area is a thôn / bản / ấp / khu / khu phố / tổ dân phố: the voting unit,
// in one ward of an election. Households is the size of its electorate:
// the household representatives on the list or, when Electorate is
// ElectorateVoters (an all-voter meeting, NQLT 09/2008 Điều 8), its voters.
// Unit is its kind (UnitThon…), from the file or read from the name; ""
// when neither says.
type Area struct {
	ID         int64 `gorm:"primaryKey"`
	ElectionID int64
	WardID     int64
	Code       string
	Name       string
	Unit       string
	Households int
	Electorate string `gorm:"default:households"` // ElectorateHouseholds ("" too) or ElectorateVoters

	Ward         *Ward         `gorm:"foreignKey:WardID"`
	PollingPlace *PollingPlace `gorm:"foreignKey:AreaID"`
	Candidates   []*Candidate  `gorm:"foreignKey:AreaID"`
}

// PollingPlace is where an area votes, usually its nhà văn hóa.
type PollingPlace struct {
	ID      int64 `gorm:"primaryKey"`
	AreaID  int64
	Name    string
	Address string
	Lat     *float64
	Lon     *float64
}

// Candidate is a người ứng cử in one area, with their number on the ballot.
// Nominated: named at the meeting, not in the election file (ứng cử tại
// hội nghị, rules_nominees.go); BallotNo is then above NomineeBallotBase.
type Candidate struct {
	ID         int64 `gorm:"primaryKey"`
	AreaID     int64
	BallotNo   int
	Name       string
	NameFolded string
	Nominated  bool
}

// Voter is the representative of one household on an area's voter list.
type Voter struct {
	ID          int64 `gorm:"primaryKey"`
	AreaID      int64
	HouseholdNo string
	FullName    string
	NameFolded  string
	BirthYear   int
	Address     string
	Phone       *string // E.164, optional
}

// Contact is someone who writes to the bot on one channel.
type Contact struct {
	ID          int64 `gorm:"primaryKey"`
	Channel     string
	ExternalID  string // user id on the channel
	ChatID      string // where messages go: the private chat (on Telegram and Zalo, ExternalID)
	DisplayName string
	Lang        string
	WardID      *int64 // the ward chosen before an area (or an official's ward in view)
	AreaID      *int64
	Reminders   bool
	Reachable   bool
	Phone       *string // verified through the channel's contact sharing
	State       string  // JSON conversation state (forms in progress)
	// StateExpiresAt: a State holding what a resident searched (a name
	// waiting for the area) is forgotten at this time (ExpireStates).
	StateExpiresAt *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// RoleGrant gives a contact (or, until they verify it, a phone number) a role,
// for a ward (admin, viewer) or one area (reporter).
type RoleGrant struct {
	ID        int64 `gorm:"primaryKey"`
	ContactID *int64
	Phone     *string
	Role      string
	WardID    *int64
	AreaID    *int64
	GrantedBy *int64
	CreatedAt time.Time
	RevokedAt *time.Time
	RevokedBy *int64
}

// Tally statuses. An area's recognised result is its highest accepted
// version: it stays so until the ward withdraws it (withdrawn) or
// recognises another version (the earlier one is then superseded).
const (
	TallyProvisional = "provisional"
	TallyAccepted    = "accepted"
	TallyRejected    = "rejected"
	TallyConflict    = "conflict"   // reporters disagree, or a different report after recognition
	TallyWithdrawn   = "withdrawn"  // the ward withdrew its recognition, with a reason
	TallySuperseded  = "superseded" // was recognised; the ward recognised a later version
)

// Tally is one version of an area's counting minutes (biên bản kiểm phiếu),
// or of the ballots sent to every household (Kind). Ballot fields are nil
// for a show-of-hands tally.
type Tally struct {
	ID         int64 `gorm:"primaryKey"`
	AreaID     int64
	Version    int
	ReporterID int64
	Kind       string `gorm:"default:meeting"` // TallyKindMeeting ("" too) or TallyKindHouseholdBallot
	Method     string
	Households int
	Attending  int
	Issued     *int
	Returned   *int
	Valid      *int
	Invalid    *int
	PhotoRef   string
	Status     string
	CreatedAt  time.Time

	Votes []TallyVote `gorm:"foreignKey:TallyID"`
}

// TallyVote is the votes one candidate received in a tally.
type TallyVote struct {
	TallyID     int64 `gorm:"primaryKey"`
	CandidateID int64 `gorm:"primaryKey"`
	Votes       int
}

// AuditEvent records who did what, for lookups, grants and tallies.
type AuditEvent struct {
	ID        int64 `gorm:"primaryKey"`
	At        time.Time
	ContactID *int64
	Action    string
	Subject   string
	Detail    string
	OK        bool `gorm:"column:ok"`
}

// VietnamTime is Asia/Ho_Chi_Minh; a fixed UTC+7 zone if tzdata is missing
// (Vietnam has no daylight saving time).
var VietnamTime = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}()

// MaskName hides most of a full name while leaving enough for its owner to
// recognise it: "Nguyễn Văn An" → "Ng*** V** An". The given name (last word)
// stays; other words keep their first letter(s) only.
func MaskName(full string) string {
	words := strings.Fields(full)
	out := make([]rune, 0, len(full))
	for i, w := range words {
		if i > 0 {
			out = append(out, ' ')
		}
		r := []rune(w)
		if i == len(words)-1 {
			out = append(out, r...)
			continue
		}
		keep := 1
		if len(r) > 4 {
			keep = 2
		}
		out = append(out, r[:keep]...)
		for j := keep; j < len(r) && j < keep+3; j++ {
			out = append(out, '*')
		}
		if len(r) == keep {
			out = append(out, '*')
		}
	}
	return string(out)
}

// MaskedVoter is how a voter is shown in chat: "Ng*** V** An, sinh 1961".
func MaskedVoter(v *Voter, bornWord string) string {
	return fmt.Sprintf("%s, %s %d", MaskName(v.FullName), bornWord, v.BirthYear)
}
