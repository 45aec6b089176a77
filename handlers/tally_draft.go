package handlers

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"electionbot/models"
	"electionbot/tally"
)

// TallyStore is what the tallies use: submission, the ward's review and
// the photos of the minutes. *models.Store satisfies it.
type TallyStore interface {
	SubmitTally(ctx context.Context, sub models.TallySubmission) (*models.SubmitResult, error)
	// ReviewTally fails with models.ENOTFOUND (no such version, or
	// nothing reported) or ECONFLICT (already decided).
	ReviewTally(ctx context.Context, req models.ReviewRequest) (*models.ReviewResult, error)
	// WithdrawRecognition fails with models.ENOTFOUND when nothing is
	// recognised.
	WithdrawRecognition(ctx context.Context, req models.WithdrawRequest) (*models.WithdrawResult, error)
	// AttachPhoto attaches a photo to the contact's latest tally
	// (models.ENOTFOUND when they sent none).
	AttachPhoto(ctx context.Context, contactID int64, ref string) (*models.Tally, error)
	AreaHistory(ctx context.Context, areaID int64) (*models.TallyHistory, error)
	ContactsByID(ctx context.Context, ids []int64) (map[int64]*models.Contact, error)
	// Area fails with models.ENOTFOUND for an unknown id.
	Area(ctx context.Context, id int64) (*models.Area, error)
	Audit(ctx context.Context, ev *models.AuditEvent) error
}

var _ TallyStore = (*models.Store)(nil)

// tallies are the reporters' counting minutes: a tally in one message
// (tally_message.go) or the guided form (tally_form.go), echoed and
// confirmed (tally_submit.go), and the ward's review (review.go). A tally
// being written is a draft in Contact.State, so a restart or another
// replica continues it. Off without a store or without officials (whose
// roles say who reports for which area).
type tallies struct {
	*turn
	store TallyStore
}

func (tl *tallies) on() bool { return tl.store != nil && tl.officials.on() }

// Audit actions of the officials' conversation (the store audits the
// rest: tally.submit, tally.confirm, role.grant, …).
const (
	ActionTallyRefused = "tally.refused"
	ActionRemind       = "tally.remind"
	ActionExport       = "results.export"
)

// draft is a tally being written. Ask is the field the bot asked for ("" at
// the summary): "area", "method", a field key (attending, issued, …),
// voteField(ballot no) or "nominees". Its numbers are those of
// models.TallyFields; a nil one is not given yet. They are fields of their
// own (rather than a models.TallyNumbers, whose Attending cannot be
// missing) under the JSON names drafts already stored in Contact.State
// use. Kind is the household ballot's (NĐ 59/2023 Mẫu số 04), "" for a
// meeting; Nominees the people nominated at the meeting, NomineesDone
// once the form has asked for them (a one-message tally has).
type draft struct {
	AreaID     int64       `json:"a,omitempty"`
	Kind       string      `json:"k,omitempty"`
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
	// The people nominated at the meeting, not in the list (names as typed).
	Nominees     []models.Nominee `json:"n,omitempty"`
	NomineesDone bool             `json:"nd,omitempty"`
}

// askNominees is the form's question about people nominated at the meeting.
const askNominees = "nominees"

// methodHousehold is the form's third answer to "method": ballots sent to
// every household (a draft's Kind, with the written ballot's Method).
const methodHousehold = models.TallyKindHouseholdBallot

// household reports whether the draft is of the household ballot.
func (d *draft) household() bool { return d.Kind == models.TallyKindHouseholdBallot }

// votePrefix starts the key of a candidate's votes in a draft ("#1"): no
// field key starts with it.
const votePrefix = "#"

func voteField(ballotNo int) string { return votePrefix + strconv.Itoa(ballotNo) }

// draftFields are the keys of the numbers a draft asks for, in the order
// of the minutes: models.TallyFields but the households (the area's list
// has them); handsFields those of a show of hands (no ballots).
var draftFields, handsFields, householdFields = func() (all, hands, house []string) {
	for _, f := range models.TallyFields {
		if f.Key == models.TallyFieldHouseholds {
			continue
		}
		all = append(all, f.Key)
		if !f.Ballot {
			hands = append(hands, f.Key)
		}
		if f.In(models.TallyKindHouseholdBallot) {
			house = append(house, f.Key)
		}
	}
	return all, hands, house
}()

// field is the draft's number of a field key (nil for another key).
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
// only; the household ballot: its four counts, no attending).
func (d *draft) fields() []string {
	switch {
	case d.household():
		return householdFields
	case d.Method == models.MethodHands:
		return handsFields
	}
	return draftFields
}

// number is the draft's number of a field key; false when not given.
func (d *draft) number(key string) (int, bool) {
	if key == models.TallyFieldHouseholds {
		return d.Households, true
	}
	if p := d.field(key); p != nil && *p != nil {
		return **p, true
	}
	return 0, false
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
	for _, c := range listed(a.Candidates) {
		if _, ok := d.Votes[c.BallotNo]; !ok {
			out = append(out, voteField(c.BallotNo))
		}
	}
	if !d.NomineesDone {
		out = append(out, askNominees)
	}
	return out
}

// listed are the candidates of the election file, without those nominated
// at a meeting (a draft names its own, Nominees).
func listed(cs []*models.Candidate) []*models.Candidate {
	out := make([]*models.Candidate, 0, len(cs))
	for _, c := range cs {
		if !c.Nominated {
			out = append(out, c)
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
	n := models.TallyNumbers{Kind: d.Kind, Method: d.Method, Households: d.households(a),
		Issued: d.Issued, Returned: d.Returned, Valid: d.Valid, Invalid: d.Invalid, Votes: map[int]int{},
		Nominees: d.Nominees}
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
	fmt.Fprintf(h, "%d|%s|%d", d.AreaID, d.Method, d.Households)
	if d.Kind != "" { // only then: the nonces of meetings' drafts are as before
		fmt.Fprintf(h, "|k=%s", d.Kind)
	}
	for _, f := range draftFields {
		fmt.Fprintf(h, "|%s", numberText(d.number, f))
	}
	keys := make([]int, 0, len(d.Votes))
	for k := range d.Votes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "|%d=%d", k, d.Votes[k])
	}
	for _, nm := range d.Nominees {
		fmt.Fprintf(h, "|%s=%d", nm.Name, nm.Votes)
	}
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

// numberText writes the number of a field key, "-" when not given.
func numberText(number func(key string) (int, bool), key string) string {
	if v, ok := number(key); ok {
		return strconv.Itoa(v)
	}
	return "-"
}

func methodAnswer(folded string) string {
	switch {
	case folded == "3" || strings.Contains(folded, "y kien") || strings.Contains(folded, "phieu ho") || strings.Contains(folded, "household"):
		return methodHousehold
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
