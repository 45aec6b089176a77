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
	// Ballot: counted on ballots, so given only in a secret-ballot tally
	// (nil in TallyNumbers for a show of hands).
	Ballot bool
}

// TallyFields are the tally's numbers in the order of the minutes: the
// households on the list, attending, then the four ballot fields.
var TallyFields = []TallyField{
	{Key: TallyFieldHouseholds, LabelVI: "số hộ", LabelEN: "households", MessageID: "tally_field_households"},
	{Key: TallyFieldAttending, Short: "TD", LabelVI: "tham dự", LabelEN: "attending", MessageID: "tally_field_attending"},
	{Key: TallyFieldIssued, Short: "PR", LabelVI: "phát ra", LabelEN: "issued", MessageID: "tally_field_issued", Ballot: true},
	{Key: TallyFieldReturned, Short: "TV", LabelVI: "thu vào", LabelEN: "returned", MessageID: "tally_field_returned", Ballot: true},
	{Key: TallyFieldValid, Short: "HL", LabelVI: "hợp lệ", LabelEN: "valid", MessageID: "tally_field_valid", Ballot: true},
	{Key: TallyFieldInvalid, Short: "KHL", LabelVI: "không hợp lệ", LabelEN: "invalid", MessageID: "tally_field_invalid", Ballot: true},
}

// TallyNumbers are the numbers of a biên bản kiểm phiếu. The ballot fields
// (Issued, Returned, Valid, Invalid) are nil for a show-of-hands tally.
type TallyNumbers struct {
	Method     string // MethodSecret or MethodHands
	Households int    // household representatives on the area's list
	Attending  int
	Issued     *int
	Returned   *int
	Valid      *int
	Invalid    *int
	Votes      map[int]int // ballot number → votes (or raised hands)
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
