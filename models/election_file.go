package models

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
	"gorm.io/gorm"
)

// ElectionFile is an election file (docs/design.md §5): the election, its ward, and
// the areas with their polling places and candidates. Field names in YAML
// are exactly those of the design; unknown fields are refused.
//
// ParseElectionFile fills the defaults (timezone, list_posted_days,
// notice_days), normalises spacing in names, maps the Vietnamese method
// words to MethodSecret/MethodHands and computes OpensAt/ClosesAt.
type ElectionFile struct {
	Election FileElection `yaml:"election"`
	Ward     FileWard     `yaml:"ward"`
	Areas    []FileArea   `yaml:"areas"`
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
	// Timeline before the day (docs/design.md §3, defaults from NĐ 59/2023).
	ListPostedDays *int `yaml:"list_posted_days,omitempty"` // default 7
	NoticeDays     *int `yaml:"notice_days,omitempty"`      // default 2
}

// FileWard is the ward: section of an election file.
type FileWard struct {
	Code     string `yaml:"code"`
	Name     string `yaml:"name"`
	City     string `yaml:"city"`
	Province string `yaml:"province"`
}

// FileArea is one entry of the areas: list of an election file.
type FileArea struct {
	Code         string           `yaml:"code"`
	Name         string           `yaml:"name"`
	Households   int              `yaml:"households"`
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

// Defaults of an election file.
const (
	DefaultTimezone       = "Asia/Ho_Chi_Minh"
	DefaultListPostedDays = 7 // NĐ 59/2023: list posted ≥ 7 days before
	DefaultNoticeDays     = 2 // meeting notice ≥ 2 days before
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
func (f *ElectionFile) Check() error {
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
	if *e.ListPostedDays < 0 || *e.ListPostedDays > 365 {
		p.add("election.list_posted_days", "%d must be between 0 and 365", *e.ListPostedDays)
	}
	if *e.NoticeDays < 0 || *e.NoticeDays > 365 {
		p.add("election.notice_days", "%d must be between 0 and 365", *e.NoticeDays)
	}

	p.slug("ward.code", f.Ward.Code)
	p.required("ward.name", f.Ward.Name)

	if len(f.Areas) == 0 {
		p.add("areas", "at least one area is required")
	}
	codes := map[string]int{}
	for i := range f.Areas {
		a := &f.Areas[i]
		at := fmt.Sprintf("areas[%d]", i)
		if p.slug(at+".code", a.Code) {
			if j, dup := codes[a.Code]; dup {
				p.add(at+".code", "%q is used twice (also areas[%d])", a.Code, j)
			} else {
				codes[a.Code] = i
			}
		}
		p.required(at+".name", a.Name)
		switch {
		case a.Households <= 0:
			p.add(at+".households", "must be greater than 0")
		case a.Households > maxHouseholds:
			p.add(at+".households", "%d must be at most %d", a.Households, maxHouseholds)
		}
		pp := &a.PollingPlace
		p.required(at+".polling_place.name", pp.Name)
		switch {
		case pp.Lat != nil && pp.Lon == nil:
			p.add(at+".polling_place.lon", "is required when lat is given")
		case pp.Lat == nil && pp.Lon != nil:
			p.add(at+".polling_place.lat", "is required when lon is given")
		}
		if pp.Lat != nil && !(*pp.Lat >= -90 && *pp.Lat <= 90) {
			p.add(at+".polling_place.lat", "%v must be between -90 and 90", *pp.Lat)
		}
		if pp.Lon != nil && !(*pp.Lon >= -180 && *pp.Lon <= 180) {
			p.add(at+".polling_place.lon", "%v must be between -180 and 180", *pp.Lon)
		}
		names := map[string]int{}
		for j, name := range a.Candidates {
			cat := fmt.Sprintf("%s.candidates[%d]", at, j)
			if !p.required(cat, name) {
				continue
			}
			key := Fold(name)
			if k, dup := names[key]; dup {
				p.add(cat, "%q is listed twice (also candidates[%d])", name, k)
			} else {
				names[key] = j
			}
		}
	}
	f.checkReminders(&p)
	if err := p.err(); err != nil {
		return err
	}
	f.OpensAt = time.Date(day.Year(), day.Month(), day.Day(), opens/60, opens%60, 0, 0, loc).UTC()
	f.ClosesAt = time.Date(day.Year(), day.Month(), day.Day(), closes/60, closes%60, 0, 0, loc).UTC()
	f.Schedule = f.planReminders(&p)
	return p.err()
}

// normalise trims the strings, collapses the spaces inside names and fills
// the defaults.
func (f *ElectionFile) normalise() {
	e := &f.Election
	for _, s := range []*string{&e.Code, &e.Date, &e.Opens, &e.Closes, &e.Timezone, &e.Rules, &e.Method,
		&f.Ward.Code} {
		*s = strings.TrimSpace(*s)
	}
	for _, s := range []*string{&e.Title, &f.Ward.Name, &f.Ward.City, &f.Ward.Province} {
		*s = squeezeSpaces(*s)
	}
	if e.Timezone == "" {
		e.Timezone = DefaultTimezone
	}
	if e.ListPostedDays == nil {
		n := DefaultListPostedDays
		e.ListPostedDays = &n
	}
	if e.NoticeDays == nil {
		n := DefaultNoticeDays
		e.NoticeDays = &n
	}
	for i := range f.Areas {
		a := &f.Areas[i]
		a.Code = strings.TrimSpace(a.Code)
		a.Name = squeezeSpaces(a.Name)
		a.PollingPlace.Name = squeezeSpaces(a.PollingPlace.Name)
		a.PollingPlace.Address = squeezeSpaces(a.PollingPlace.Address)
		for j := range a.Candidates {
			a.Candidates[j] = squeezeSpaces(a.Candidates[j])
		}
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

// problems collects the validation problems of a file, in order.
type problems []string

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, path+": "+fmt.Sprintf(format, args...))
}

func (p *problems) required(path, v string) bool {
	if v == "" {
		p.add(path, "is required")
		return false
	}
	return true
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (p *problems) slug(path, v string) bool {
	switch {
	case !p.required(path, v):
		return false
	case len(v) > 64:
		p.add(path, "%q is longer than 64 characters", v)
		return false
	case !slugRE.MatchString(v):
		p.add(path, "%q must use only a-z, 0-9 and \"-\" (and start with a letter or digit)", v)
		return false
	}
	return true
}

var clockRE = regexp.MustCompile(`^([0-9]{1,2})[:hH]([0-9]{2})$`)

// clock checks an HH:MM time, rewrites it as HH:MM (7:00 → 07:00) and
// returns it in minutes after midnight.
func (p *problems) clock(path string, v *string) (int, bool) {
	if !p.required(path, *v) {
		return 0, false
	}
	m := clockRE.FindStringSubmatch(*v)
	if m == nil {
		p.add(path, "%q is not a valid time (HH:MM)", *v)
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	if h > 23 || mm > 59 {
		p.add(path, "%q is not a valid time (HH:MM)", *v)
		return 0, false
	}
	*v = fmt.Sprintf("%02d:%02d", h, mm)
	return h*60 + mm, true
}

// maxProblems bounds the lines of one error.
const maxProblems = 100

// err is nil without problems, else one EINVALID *Error with a line per
// problem (repeats dropped, at most maxProblems lines).
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(p))
	out := make([]string, 0, min(len(p), maxProblems+1))
	more := 0
	for _, line := range p {
		switch {
		case seen[line]:
		case len(out) == maxProblems:
			more++
		default:
			seen[line] = true
			out = append(out, line)
		}
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("… and %d more problems", more))
	}
	return Errorf(EINVALID, "%s", strings.Join(out, "\n"))
}

// yamlIndex knows the field path of the nodes of a YAML tree by line.
type yamlIndex struct {
	all    []yamlPos
	byLine map[int][]int // line → indexes into all
	alias  *yaml.Node    // the first alias, if any
}

type yamlPos struct {
	line   int
	key    bool   // a mapping key (else a value node)
	scalar bool   // a scalar value
	value  string // the key name or scalar value
	tag    string // short tag of a scalar value
	path   string
}

func newYAMLIndex(root *yaml.Node) *yamlIndex {
	x := &yamlIndex{byLine: map[int][]int{}}
	x.walk(root, "")
	for i, p := range x.all {
		x.byLine[p.line] = append(x.byLine[p.line], i)
	}
	return x
}

func (x *yamlIndex) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			x.walk(c, path)
		}
	case yaml.MappingNode:
		x.all = append(x.all, yamlPos{line: n.Line, path: path})
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			x.all = append(x.all, yamlPos{line: k.Line, key: true, value: k.Value, path: p})
			x.walk(v, p)
		}
	case yaml.SequenceNode:
		x.all = append(x.all, yamlPos{line: n.Line, path: path})
		for i, c := range n.Content {
			x.walk(c, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.ScalarNode:
		x.all = append(x.all, yamlPos{line: n.Line, scalar: true, value: n.Value, tag: n.ShortTag(), path: path})
	case yaml.AliasNode:
		if x.alias == nil {
			x.alias = n
		}
	}
}

// floatsForInts finds numbers with a fraction where a whole number is
// expected: yaml.v3 would silently truncate households: 9.5 to 9.
func (x *yamlIndex) floatsForInts() problems {
	var out problems
	for _, p := range x.all {
		if !p.scalar || p.tag != "!!float" {
			continue
		}
		if p.path == "election.list_posted_days" || p.path == "election.notice_days" ||
			(strings.HasPrefix(p.path, "areas[") && strings.HasSuffix(p.path, "].households")) ||
			(strings.HasPrefix(p.path, "reminders[") && strings.HasSuffix(p.path, "].day")) {
			out = append(out, fmt.Sprintf("%s: %q is not a whole number (line %d)", p.path, p.value, p.line))
		}
	}
	return out
}

var (
	unknownFieldRE = regexp.MustCompile("^line ([0-9]+): field (.+) not found in type .+$")
	cannotRE       = regexp.MustCompile("^line ([0-9]+): cannot unmarshal (!![a-z]+)(?: `(.*)`)? into (.+)$")
)

// rewriteTypeError turns a yaml.v3 type error into "path: reason (line N)".
func (x *yamlIndex) rewriteTypeError(msg string) string {
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		for _, i := range x.byLine[line] {
			if p := x.all[i]; p.key && p.value == m[2] {
				return fmt.Sprintf("%s: unknown field (line %d)", p.path, line)
			}
		}
		return fmt.Sprintf("line %d: unknown field %q", line, m[2])
	}
	m := cannotRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	tag, value, into := m[2], m[3], m[4]
	want := "a value of another type"
	switch {
	case into == "int":
		want = "a whole number"
	case into == "float64" || into == "*float64":
		want = "a number"
	case into == "string":
		want = "a text value"
	case strings.HasPrefix(into, "[]"):
		want = "a list"
	case strings.HasPrefix(into, "models."):
		want = "a mapping of fields"
	}
	scalar := tag != "!!map" && tag != "!!seq"
	for _, i := range x.byLine[line] {
		p := x.all[i]
		if p.key || p.scalar != scalar {
			continue
		}
		if scalar && value != "" && p.value != value &&
			!(strings.HasSuffix(value, "...") && strings.HasPrefix(p.value, strings.TrimSuffix(value, "..."))) {
			continue
		}
		if scalar {
			return fmt.Sprintf("%s: %q is not %s (line %d)", p.path, p.value, want, line)
		}
		return fmt.Sprintf("%s: must be %s (line %d)", p.path, want, line)
	}
	if scalar {
		return fmt.Sprintf("line %d: %q is not %s", line, value, want)
	}
	return fmt.Sprintf("line %d: must be %s", line, want)
}

// LoadReport says what LoadElection did.
type LoadReport struct {
	Election   string   // election code
	Created    bool     // the election was new
	Areas      int      // areas in the file
	Candidates int      // candidates in the file
	Removed    []string // codes of areas deleted because they left the file
	Changes    int      // rows inserted, updated or deleted (0: the database already matched the file)
}

// String is the summary the CLI prints:
// "ka-long-2022: loaded 6 areas, 15 candidates (updated)".
func (r *LoadReport) String() string {
	state := "updated"
	switch {
	case r.Created:
		state = "created"
	case r.Changes == 0:
		state = "unchanged"
	}
	s := fmt.Sprintf("%s: loaded %d areas, %d candidates (%s)", r.Election, r.Areas, r.Candidates, state)
	if len(r.Removed) > 0 {
		s += "; removed areas " + strings.Join(r.Removed, ", ")
	}
	return s
}

// LoadElectionFile reads, parses and loads an election file.
func (s *Store) LoadElectionFile(ctx context.Context, path string) (*LoadReport, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, Wrap(EINVALID, err, "cannot read election file %s", path)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxElectionFileSize+1))
	if err != nil {
		return nil, Wrap(EINVALID, err, "cannot read election file %s", path)
	}
	if len(data) > MaxElectionFileSize {
		return nil, Errorf(EINVALID, "election file %s is larger than %d bytes", path, MaxElectionFileSize)
	}
	f, err := ParseElectionFile(data)
	if err != nil {
		return nil, err
	}
	return s.LoadElection(ctx, f)
}

// LoadElection writes an election file to the database in one transaction,
// upserting by codes: the ward by ward.code, the election by election.code,
// areas by (election, code), the polling place by area, candidates by
// ballot number. Rows that already match are not written, so loading the
// same file twice leaves the same state (same IDs, same timestamps).
// Areas no longer in the file are deleted, unless they have voters or
// tallies: then the load is refused (ECONFLICT) and nothing changes. So is
// dropping a candidate who has votes in a tally.
func (s *Store) LoadElection(ctx context.Context, f *ElectionFile) (*LoadReport, error) {
	if f == nil {
		return nil, Errorf(EINVALID, "no election file")
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	var rep *LoadReport
	err := s.InTx(ctx, func(tx *Store) error {
		rep = &LoadReport{Election: f.Election.Code, Areas: len(f.Areas)}
		return tx.loadElection(ctx, f, rep)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (s *Store) loadElection(ctx context.Context, f *ElectionFile, rep *LoadReport) error {
	db := s.DB(ctx)
	now := s.now()

	// Ward.
	var w Ward
	err := db.Where("code = ?", f.Ward.Code).Take(&w).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		w = Ward{Code: f.Ward.Code, Name: f.Ward.Name, City: f.Ward.City, Province: f.Ward.Province,
			CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&w).Error; err != nil {
			return Wrap(EINTERNAL, err, "create ward %s", w.Code)
		}
		rep.Changes++
	case err != nil:
		return Wrap(EINTERNAL, err, "find ward %s", f.Ward.Code)
	default:
		c := colChanges{}
		c.str("name", w.Name, f.Ward.Name)
		c.str("city", w.City, f.Ward.City)
		c.str("province", w.Province, f.Ward.Province)
		if err := c.apply(db, &w, now, rep); err != nil {
			return Wrap(EINTERNAL, err, "update ward %s", w.Code)
		}
	}

	// Election.
	fe := &f.Election
	var e Election
	err = db.Where("code = ?", fe.Code).Take(&e).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		e = Election{Code: fe.Code, WardID: w.ID, Title: fe.Title, Date: fe.Date, Opens: fe.Opens,
			Closes: fe.Closes, Timezone: fe.Timezone, Rules: fe.Rules, Method: fe.Method,
			OpensAt: f.OpensAt, ClosesAt: f.ClosesAt,
			ListPostedDays: *fe.ListPostedDays, NoticeDays: *fe.NoticeDays,
			CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&e).Error; err != nil {
			return Wrap(EINTERNAL, err, "create election %s", e.Code)
		}
		rep.Created = true
		rep.Changes++
	case err != nil:
		return Wrap(EINTERNAL, err, "find election %s", fe.Code)
	default:
		c := colChanges{}
		c.int64("ward_id", e.WardID, w.ID)
		c.str("title", e.Title, fe.Title)
		c.str("date", e.Date, fe.Date)
		c.str("opens", e.Opens, fe.Opens)
		c.str("closes", e.Closes, fe.Closes)
		c.str("timezone", e.Timezone, fe.Timezone)
		c.str("rules", e.Rules, fe.Rules)
		c.str("method", e.Method, fe.Method)
		c.time("opens_at", e.OpensAt, f.OpensAt)
		c.time("closes_at", e.ClosesAt, f.ClosesAt)
		c.int("list_posted_days", e.ListPostedDays, *fe.ListPostedDays)
		c.int("notice_days", e.NoticeDays, *fe.NoticeDays)
		if err := c.apply(db, &e, now, rep); err != nil {
			return Wrap(EINTERNAL, err, "update election %s", e.Code)
		}
	}

	// Its reminders: rescheduled, never duplicated.
	if err := s.scheduleReminders(db, e.ID, f.Schedule); err != nil {
		return err
	}

	// Areas that left the file: deleted if nothing hangs on them.
	var existing []*Area
	if err := db.Where("election_id = ?", e.ID).Order("id").Find(&existing).Error; err != nil {
		return Wrap(EINTERNAL, err, "areas of election %s", e.Code)
	}
	byCode := make(map[string]*Area, len(existing))
	for _, a := range existing {
		byCode[a.Code] = a
	}
	inFile := make(map[string]bool, len(f.Areas))
	for _, fa := range f.Areas {
		inFile[fa.Code] = true
	}
	var conflicts []string
	var gone []*Area
	for _, a := range existing {
		if inFile[a.Code] {
			continue
		}
		var voters, tallies int64
		if err := db.Model(&Voter{}).Where("area_id = ?", a.ID).Count(&voters).Error; err != nil {
			return Wrap(EINTERNAL, err, "count voters of area %s", a.Code)
		}
		if err := db.Model(&Tally{}).Where("area_id = ?", a.ID).Count(&tallies).Error; err != nil {
			return Wrap(EINTERNAL, err, "count tallies of area %s", a.Code)
		}
		if voters > 0 || tallies > 0 {
			conflicts = append(conflicts, fmt.Sprintf(
				"area %s is not in the file but has %s and %s: loading would delete them; keep it in the file",
				a.Code, plural(voters, "voter", "voters"), plural(tallies, "tally", "tallies")))
			continue
		}
		gone = append(gone, a)
	}
	if len(conflicts) > 0 {
		return Errorf(ECONFLICT, "%s", strings.Join(conflicts, "\n"))
	}
	for _, a := range gone {
		if err := db.Where("area_id = ?", a.ID).Delete(&Candidate{}).Error; err != nil {
			return Wrap(EINTERNAL, err, "delete candidates of area %s", a.Code)
		}
		if err := db.Where("area_id = ?", a.ID).Delete(&PollingPlace{}).Error; err != nil {
			return Wrap(EINTERNAL, err, "delete polling place of area %s", a.Code)
		}
		if err := db.Delete(&Area{}, a.ID).Error; err != nil {
			return Wrap(EINTERNAL, err, "delete area %s", a.Code)
		}
		rep.Removed = append(rep.Removed, a.Code)
		rep.Changes++
	}
	sort.Strings(rep.Removed)

	// Areas of the file, in order.
	for i := range f.Areas {
		fa := &f.Areas[i]
		a, ok := byCode[fa.Code]
		if !ok {
			a = &Area{ElectionID: e.ID, Code: fa.Code, Name: fa.Name, Households: fa.Households}
			if err := db.Create(a).Error; err != nil {
				return Wrap(EINTERNAL, err, "create area %s", fa.Code)
			}
			rep.Changes++
		} else {
			c := colChanges{}
			c.str("name", a.Name, fa.Name)
			c.int("households", a.Households, fa.Households)
			if err := c.apply(db, a, time.Time{}, rep); err != nil {
				return Wrap(EINTERNAL, err, "update area %s", fa.Code)
			}
		}
		if err := s.loadPollingPlace(db, a, &fa.PollingPlace, rep); err != nil {
			return err
		}
		c, err := s.loadCandidates(db, i, a, fa.Candidates, rep)
		if err != nil {
			return err
		}
		conflicts = append(conflicts, c...)
		rep.Candidates += len(fa.Candidates)
	}
	if len(conflicts) > 0 {
		return Errorf(ECONFLICT, "%s", strings.Join(conflicts, "\n"))
	}
	return nil
}

func (s *Store) loadPollingPlace(db *gorm.DB, a *Area, fp *FilePollingPlace, rep *LoadReport) error {
	var pp PollingPlace
	err := db.Where("area_id = ?", a.ID).Take(&pp).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		pp = PollingPlace{AreaID: a.ID, Name: fp.Name, Address: fp.Address, Lat: fp.Lat, Lon: fp.Lon}
		if err := db.Create(&pp).Error; err != nil {
			return Wrap(EINTERNAL, err, "create polling place of area %s", a.Code)
		}
		rep.Changes++
	case err != nil:
		return Wrap(EINTERNAL, err, "find polling place of area %s", a.Code)
	default:
		c := colChanges{}
		c.str("name", pp.Name, fp.Name)
		c.str("address", pp.Address, fp.Address)
		c.float("lat", pp.Lat, fp.Lat)
		c.float("lon", pp.Lon, fp.Lon)
		if err := c.apply(db, &pp, time.Time{}, rep); err != nil {
			return Wrap(EINTERNAL, err, "update polling place of area %s", a.Code)
		}
	}
	return nil
}

// loadCandidates makes an area's candidates those of names, by ballot
// number. It returns conflicts (a dropped candidate who has votes).
func (s *Store) loadCandidates(db *gorm.DB, i int, a *Area, names []string, rep *LoadReport) ([]string, error) {
	var cur []*Candidate
	if err := db.Where("area_id = ?", a.ID).Order("ballot_no").Find(&cur).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "candidates of area %s", a.Code)
	}
	byNo := make(map[int]*Candidate, len(cur))
	for _, c := range cur {
		byNo[c.BallotNo] = c
	}
	for j, name := range names {
		no := j + 1
		c, ok := byNo[no]
		if !ok {
			c = &Candidate{AreaID: a.ID, BallotNo: no, Name: name, NameFolded: Fold(name)}
			if err := db.Create(c).Error; err != nil {
				return nil, Wrap(EINTERNAL, err, "create candidate %d of area %s", no, a.Code)
			}
			rep.Changes++
			continue
		}
		ch := colChanges{}
		ch.str("name", c.Name, name)
		ch.str("name_folded", c.NameFolded, Fold(name))
		if err := ch.apply(db, c, time.Time{}, rep); err != nil {
			return nil, Wrap(EINTERNAL, err, "update candidate %d of area %s", no, a.Code)
		}
	}
	var conflicts []string
	for _, c := range cur {
		if c.BallotNo <= len(names) {
			continue
		}
		var votes int64
		if err := db.Model(&TallyVote{}).Where("candidate_id = ?", c.ID).Count(&votes).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "votes of candidate %d of area %s", c.BallotNo, a.Code)
		}
		if votes > 0 {
			conflicts = append(conflicts, fmt.Sprintf(
				"areas[%d].candidates: ballot number %d (%s) has votes in a tally: loading would delete them; keep the candidate in the file",
				i, c.BallotNo, c.Name))
			continue
		}
		if err := db.Delete(&Candidate{}, c.ID).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "delete candidate %d of area %s", c.BallotNo, a.Code)
		}
		rep.Changes++
	}
	return conflicts, nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// colChanges collects the columns of a row whose value differs from the
// file's, so that an unchanged row is not written at all.
type colChanges map[string]any

func (c colChanges) str(col, old, new string) {
	if old != new {
		c[col] = new
	}
}

func (c colChanges) int(col string, old, new int) {
	if old != new {
		c[col] = new
	}
}

func (c colChanges) int64(col string, old, new int64) {
	if old != new {
		c[col] = new
	}
}

func (c colChanges) time(col string, old, new time.Time) {
	if !old.Equal(new) {
		c[col] = new.UTC()
	}
}

func (c colChanges) float(col string, old, new *float64) {
	switch {
	case old == nil && new == nil:
	case old != nil && new != nil && *old == *new:
	case new == nil:
		c[col] = nil
	default:
		c[col] = *new
	}
}

// apply updates the changed columns of model (which has its ID set), with
// updated_at = now unless now is zero (tables without updated_at).
func (c colChanges) apply(db *gorm.DB, model any, now time.Time, rep *LoadReport) error {
	if len(c) == 0 {
		return nil
	}
	if !now.IsZero() {
		c["updated_at"] = now
	}
	rep.Changes++
	return db.Model(model).Updates(map[string]any(c)).Error
}
