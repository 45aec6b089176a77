package models

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ElectionFile is an election file (docs/design.md §5): the election, and
// either its one ward and that ward's areas (`ward:` + `areas:`) or the
// wards of a city or province, each with its areas (`province:` +
// `wards:`), with their polling places and candidates. Field names in YAML
// are exactly those of the design; unknown fields are refused.
//
// ParseElectionFile fills the defaults (timezone, the electorate, the
// timeline's days by regime: election_law.go), normalises spacing in
// names, maps the Vietnamese method words to MethodSecret/MethodHands and
// computes OpensAt/ClosesAt.
type ElectionFile struct {
	Election FileElection `yaml:"election"`
	// The one-ward form.
	Ward  FileWard   `yaml:"ward,omitempty"`
	Areas []FileArea `yaml:"areas,omitempty"`
	// The form for many wards: the province's name and the wards, each
	// with its areas. Area codes are unique within a ward.
	Province string     `yaml:"province,omitempty"`
	Wards    []FileWard `yaml:"wards,omitempty"`
	// Reminders is the residents' reminder schedule (optional; nil: the
	// defaults, see DefaultReminders; an empty list: none).
	Reminders []FileReminder `yaml:"reminders,omitempty"`

	// Schedule is every reminder of the election: Reminders (or the
	// defaults) and the officials' deadlines. Computed by Check.
	Schedule []PlannedReminder `yaml:"-"`

	// OpensAt and ClosesAt are date+opens and date+closes in the election's
	// time zone, in UTC. Computed, not read from the file.
	OpensAt  time.Time `yaml:"-"`
	ClosesAt time.Time `yaml:"-"`
}

// FileElection is the election: section of an election file.
type FileElection struct {
	Code     string `yaml:"code"`
	Title    string `yaml:"title"`
	Date     string `yaml:"date"`     // YYYY-MM-DD, local
	Opens    string `yaml:"opens"`    // HH:MM, local
	Closes   string `yaml:"closes"`   // HH:MM, local
	Timezone string `yaml:"timezone"` // default Asia/Ho_Chi_Minh
	Rules    string `yaml:"rules"`    // RulesNQLT2008 | RulesLuat2022
	Method   string `yaml:"method"`   // MethodSecret | MethodHands ("bỏ phiếu kín" / "giơ tay" accepted)
	// Electorate: households (default) | voters (an all-voter meeting,
	// nqlt-09-2008 only); an area may say otherwise.
	Electorate string `yaml:"electorate,omitempty"`
	// The officials' timeline before the day, in days (0: no reminder);
	// the defaults are the regime's, each with its source (Timelines).
	ListPostedDays *int `yaml:"list_posted_days,omitempty"`
	NoticeDays     *int `yaml:"notice_days,omitempty"`
	PlanDays       *int `yaml:"plan_days,omitempty"`
	CommitteeDays  *int `yaml:"committee_days,omitempty"`
	CandidatesDays *int `yaml:"candidates_days,omitempty"`
	// Holidays are public holidays (YYYY-MM-DD) the working-day deadlines
	// skip, besides weekends.
	Holidays []string `yaml:"holidays,omitempty"`
}

// FileWard is the ward: section of a one-ward election file, or one entry
// of the wards: list (which has Areas and no Province).
type FileWard struct {
	Code     string     `yaml:"code"`
	Name     string     `yaml:"name"`
	City     string     `yaml:"city"`
	Province string     `yaml:"province,omitempty"`
	Kind     string     `yaml:"kind,omitempty"` // xa | phuong | thi-tran; default: read from the name
	Areas    []FileArea `yaml:"areas,omitempty"`
}

// FileArea is one entry of the areas: list of an election file.
type FileArea struct {
	Code       string `yaml:"code"`
	Name       string `yaml:"name"`
	Unit       string `yaml:"unit,omitempty"` // thon|ban|ap|khu|khu-pho|to-dan-pho; default: read from the name
	Households int    `yaml:"households,omitempty"`
	// Electorate: as the election's when "" (households | voters); an
	// all-voter area gives its Voters instead of its Households.
	Electorate   string           `yaml:"electorate,omitempty"`
	Voters       int              `yaml:"voters,omitempty"`
	PollingPlace FilePollingPlace `yaml:"polling_place"`
	Candidates   []string         `yaml:"candidates"` // in ballot order: ballot number = position, from 1
}

// FilePollingPlace is an area's polling_place: in an election file.
type FilePollingPlace struct {
	Name    string   `yaml:"name"`
	Address string   `yaml:"address"`
	Lat     *float64 `yaml:"lat,omitempty"`
	Lon     *float64 `yaml:"lon,omitempty"`
}

// Defaults of an election file. The timeline's defaults are the
// regime's (Timelines, with their sources); these two are those of
// nqlt-09-2008, for which no text was found (the province's guidance sets
// them: Quảng Ninh, Hướng dẫn 672/2022).
const (
	DefaultTimezone       = "Asia/Ho_Chi_Minh"
	DefaultListPostedDays = 7 // no text found: a project default
	DefaultNoticeDays     = 2 // no text found: a project default (luat-10-2022: 7, NĐ 59/2023)
	// MaxElectionFileSize bounds what LoadElectionFile reads.
	MaxElectionFileSize = 8 << 20
	maxHouseholds       = 1_000_000
)

// ParseElectionFile reads an election file strictly (unknown fields are
// refused) and validates all of it. A bad file gives one EINVALID *Error
// whose message has one problem per line, in file order, each as
// "field.path: reason", e.g. "areas[2].households: must be greater than 0".
func ParseElectionFile(data []byte) (*ElectionFile, error) {
	if len(data) > MaxElectionFileSize {
		return nil, Errorf(EINVALID, "the election file is larger than %d bytes", MaxElectionFileSize)
	}
	// First the node tree: syntax, one document, no aliases, and an index
	// of field paths by line for the messages of the strict decode.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errorf(EINVALID, "the election file is empty")
		}
		return nil, &Error{Code: EINVALID, Message: yamlSyntax(err), Err: err}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, &Error{Code: EINVALID, Message: yamlSyntax(err), Err: err}
		}
		return nil, Errorf(EINVALID, "line %d: only one YAML document is allowed in an election file", extra.Line)
	}
	idx := newYAMLIndex(&root)
	if a := idx.alias; a != nil {
		return nil, Errorf(EINVALID, "line %d: aliases (*%s) are not allowed in an election file: write the value out", a.Line, a.Value)
	}
	if p := idx.floatsForInts(); len(p) > 0 {
		return nil, p.err()
	}

	var f ElectionFile
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(&f); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, &Error{Code: EINVALID, Message: yamlSyntax(err), Err: err}
		}
		p := make(problems, 0, len(te.Errors))
		for _, msg := range te.Errors {
			p = append(p, idx.rewriteTypeError(msg))
		}
		return nil, p.err()
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	return &f, nil
}

func yamlSyntax(err error) string { return strings.TrimPrefix(err.Error(), "yaml: ") }

// Check normalises and validates f (ParseElectionFile and LoadElection call
// it; it is idempotent), fills the defaults and computes OpensAt/ClosesAt.
func (f *ElectionFile) Check() error { return f.check().err() }

// check is Check's list of problems, each "field.path: reason", all of
// them (import areas turns the paths into the lines of its table).
func (f *ElectionFile) check() problems {
	f.normalise()
	var p problems
	e := &f.Election

	p.slug("election.code", e.Code)
	p.required("election.title", e.Title)
	var day time.Time
	if p.required("election.date", e.Date) {
		if d, err := time.Parse("2006-01-02", e.Date); err != nil {
			p.add("election.date", "%q is not a valid date (YYYY-MM-DD)", e.Date)
		} else {
			day = d
		}
	}
	opens, opensOK := p.clock("election.opens", &e.Opens)
	closes, closesOK := p.clock("election.closes", &e.Closes)
	if opensOK && closesOK && closes <= opens {
		p.add("election.closes", "%s must be after opens (%s)", e.Closes, e.Opens)
	}
	loc, err := loadLocation(e.Timezone)
	if err != nil {
		p.add("election.timezone", "%q is not a known time zone", e.Timezone)
	}
	switch e.Rules {
	case RulesNQLT2008, RulesLuat2022:
	case "":
		p.add("election.rules", "is required (%s or %s)", RulesNQLT2008, RulesLuat2022)
	default:
		p.add("election.rules", "%q must be %s or %s", e.Rules, RulesNQLT2008, RulesLuat2022)
	}
	switch Fold(e.Method) {
	case MethodSecret, "bo phieu kin", "phieu kin":
		e.Method = MethodSecret
	case MethodHands, "gio tay":
		e.Method = MethodHands
	case "":
		p.add("election.method", "is required (%s or %s)", MethodSecret, MethodHands)
	default:
		p.add("election.method", "%q must be %s or %s", e.Method, MethodSecret, MethodHands)
	}
	f.checkLaw(&p)

	switch {
	case len(f.Wards) > 0:
		f.checkProvince(&p)
	case f.Province != "":
		p.add("wards", "a file with province: lists its wards (or use ward: and areas: for one ward)")
	default:
		f.checkWard(&p, "ward", &f.Ward, "areas", f.Areas)
		if f.Ward.Areas != nil {
			p.add("ward.areas", "areas: of a one-ward file go at the top level, beside ward:")
		}
	}
	f.checkReminders(&p)
	if len(p) > 0 {
		return p
	}
	f.OpensAt = time.Date(day.Year(), day.Month(), day.Day(), opens/60, opens%60, 0, 0, loc).UTC()
	f.ClosesAt = time.Date(day.Year(), day.Month(), day.Day(), closes/60, closes%60, 0, 0, loc).UTC()
	f.Schedule = f.planReminders(&p)
	return p
}

// normalise trims the strings, collapses the spaces inside names and fills
// the defaults.
func (f *ElectionFile) normalise() {
	e := &f.Election
	for _, s := range []*string{&e.Code, &e.Date, &e.Opens, &e.Closes, &e.Timezone, &e.Rules, &e.Method, &e.Electorate} {
		*s = strings.TrimSpace(*s)
	}
	e.Title = squeezeSpaces(e.Title)
	f.Province = squeezeSpaces(f.Province)
	if e.Timezone == "" {
		e.Timezone = DefaultTimezone
	}
	f.normaliseLaw()
	normaliseWard(&f.Ward, f.Areas)
	for i := range f.Wards {
		normaliseWard(&f.Wards[i], f.Wards[i].Areas)
	}
}

// loadLocation is time.LoadLocation, with Vietnam's zone available even
// where the system has no tzdata.
func loadLocation(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil && name == DefaultTimezone {
		return VietnamTime, nil
	}
	return loc, err
}
