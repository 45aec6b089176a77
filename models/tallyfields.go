package models

// The numbers of the counting minutes (biên bản kiểm phiếu, docs/design.md
// §2 and §5), declared once: the tally grammar (package tally) reads their
// labels, the draft asks for them by Key and names them by MessageID, the
// feeds and exports name their columns by Key. The table is here rather
// than in package tally because TallyNumbers, which holds the numbers, is
// a models type the store and the rules use, and tally imports models.

// Keys of the tally fields (TallyField.Key): the Set keys of tally.Parsed,
// the fields a draft asks for, the feeds' JSON and CSV names.
const (
	TallyFieldHouseholds = "households"
	TallyFieldAttending  = "attending"
	TallyFieldIssued     = "issued"
	TallyFieldReturned   = "returned"
	TallyFieldValid      = "valid"
	TallyFieldInvalid    = "invalid"
)

// TallyField is one number of the counting minutes.
type TallyField struct {
	Key string
	// Short is the label of the short one-message form ("TD"), "" when
	// the field has none.
	Short string
	// LabelVI and LabelEN are its long labels as officials write them
	// ("tham dự", "attending"); the grammar adds common variants.
	LabelVI, LabelEN string
	// MessageID is the locales id of its name in the bot's tables
	// (locales/tally.*.yaml).
	MessageID string
	// HouseholdMessageID names it in the minutes of a household ballot
	// (NĐ 59/2023 Mẫu số 04: "số hộ được phát phiếu"), "" when the name is
	// the same.
	HouseholdMessageID string
	// Ballot: counted on ballots, so given only in a secret-ballot tally
	// or a household ballot (nil in TallyNumbers for a show of hands).
	Ballot bool
	// Meeting: only in the minutes of a meeting (attending), not in a
	// household ballot's.
	Meeting bool
}

// Name is the field's message id in the minutes of kind (TallyKind…).
func (f TallyField) Name(kind string) string {
	if kind == TallyKindHouseholdBallot && f.HouseholdMessageID != "" {
		return f.HouseholdMessageID
	}
	return f.MessageID
}

// In reports whether the field is in the minutes of kind (TallyKind…).
func (f TallyField) In(kind string) bool {
	return !(f.Meeting && kind == TallyKindHouseholdBallot)
}

// TallyFields are the tally's numbers in the order of the minutes: the
// electorate on the list (households, or voters for an all-voter meeting),
// attending, then the four ballot fields. A household ballot has no
// attending; its issued are the households given a ballot.
var TallyFields = []TallyField{
	{Key: TallyFieldHouseholds, LabelVI: "số hộ", LabelEN: "households", MessageID: "tally_field_households"},
	{Key: TallyFieldAttending, Short: "TD", LabelVI: "tham dự", LabelEN: "attending", MessageID: "tally_field_attending", Meeting: true},
	{Key: TallyFieldIssued, Short: "PR", LabelVI: "phát ra", LabelEN: "issued", MessageID: "tally_field_issued",
		HouseholdMessageID: "law_field_issued_households", Ballot: true},
	{Key: TallyFieldReturned, Short: "TV", LabelVI: "thu vào", LabelEN: "returned", MessageID: "tally_field_returned",
		HouseholdMessageID: "law_field_returned_households", Ballot: true},
	{Key: TallyFieldValid, Short: "HL", LabelVI: "hợp lệ", LabelEN: "valid", MessageID: "tally_field_valid", Ballot: true},
	{Key: TallyFieldInvalid, Short: "KHL", LabelVI: "không hợp lệ", LabelEN: "invalid", MessageID: "tally_field_invalid", Ballot: true},
}

// TallyNumbers are the numbers of a biên bản kiểm phiếu, or of the
// ballots sent to every household (Kind TallyKindHouseholdBallot: no
// attending, Method secret). The ballot fields (Issued, Returned, Valid,
// Invalid) are nil for a show-of-hands tally.
type TallyNumbers struct {
	Kind   string // TallyKindMeeting ("" too) or TallyKindHouseholdBallot
	Method string // MethodSecret or MethodHands
	// Households is the electorate of the area: its household
	// representatives, or its voters for an all-voter meeting
	// (ElectorateVoters); every threshold is a share of it.
	Households int
	Attending  int
	Issued     *int
	Returned   *int
	Valid      *int
	Invalid    *int
	Votes      map[int]int // ballot number → votes (or raised hands)
	// Nominees are people named in the minutes who are not among the
	// area's candidates: nominated at the meeting (rules_nominees.go).
	Nominees []Nominee
}

// Number returns the number of the field key and whether it is given: a
// ballot field is not when nil; households and attending always are. An
// unknown key gives (0, false).
func (n *TallyNumbers) Number(key string) (int, bool) {
	switch key {
	case TallyFieldHouseholds:
		return n.Households, true
	case TallyFieldAttending:
		return n.Attending, true
	}
	if p := n.ballot(key); p != nil && *p != nil {
		return **p, true
	}
	return 0, false
}

// SetNumber sets the number of the field key; an unknown key is ignored.
func (n *TallyNumbers) SetNumber(key string, v int) {
	switch key {
	case TallyFieldHouseholds:
		n.Households = v
	case TallyFieldAttending:
		n.Attending = v
	default:
		if p := n.ballot(key); p != nil {
			*p = &v
		}
	}
}

// ballot returns the ballot field key of n, nil for another key.
func (n *TallyNumbers) ballot(key string) **int {
	switch key {
	case TallyFieldIssued:
		return &n.Issued
	case TallyFieldReturned:
		return &n.Returned
	case TallyFieldValid:
		return &n.Valid
	case TallyFieldInvalid:
		return &n.Invalid
	}
	return nil
}
