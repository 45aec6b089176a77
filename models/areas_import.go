package models

// The areas of a whole province as a table (docs/design.md §5): `electionbot
// import areas FILE --election CODE`, one row per area. The table is read
// into the wards and areas of an election file whose election: section is
// the stored election's, then checked and loaded by the election file's own
// Check and loader — the same rules, the same all-or-nothing transaction,
// the same idempotence — with the problems named by the table's lines.

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"electionbot/locales"
)

// AreaImportOptions tune ImportAreas.
type AreaImportOptions struct {
	// ElectionCode is the election whose areas the table lists (required;
	// the election is created by loading its election file first).
	ElectionCode string
	// Progress, if non-nil, receives progress lines for tables of
	// areaProgressEvery+ rows (the CLI passes os.Stderr).
	Progress io.Writer
}

// Columns of the areas table, English and Vietnamese header names.
const (
	colACity = iota
	colAWardCode
	colAWard
	colAWardKind
	colACode
	colAName
	colAUnit
	colAHouseholds
	colAPlace
	colAAddress
	colALat
	colALon
	colACandidates
	colAElectorate
	numAreaCols
)

var areaColumns = [numAreaCols]tableColumn{
	colACity:       {"city", "thanh_pho", false},
	colAWardCode:   {"ward_code", "ma_xa", true},
	colAWard:       {"ward", "xa", true},
	colAWardKind:   {"ward_kind", "loai_xa", false},
	colACode:       {"area_code", "ma_khu", true},
	colAName:       {"area", "khu", true},
	colAUnit:       {"unit", "loai", false},
	colAHouseholds: {"households", "so_ho", true},
	colAPlace:      {"polling_place", "noi_bo_phieu", true},
	colAAddress:    {"address", "dia_chi", false},
	colALat:        {"lat", "vi_do", false},
	colALon:        {"lon", "kinh_do", false},
	colACandidates: {"candidates", "nguoi_ung_cu", false},
	// households | voters (an all-voter area, whose households column
	// then counts its voters); blank: as stored, else the election's.
	colAElectorate: {"electorate", "cu_tri", false},
}

const (
	maxAreaRows       = 100_000 // Vietnam has about 70,000 thôn and khu phố
	maxAreaErrors     = 20      // problems shown in one error
	areaProgressEvery = 1_000   // rows between progress lines
	maxAreaFileSize   = 64 << 20
)

// ImportAreasFile imports a .csv or .xlsx areas table (by its extension).
func (s Elections) ImportAreasFile(ctx context.Context, path string, opts AreaImportOptions) (*LoadReport, error) {
	fh, format, err := openTableFile(path, "an areas table")
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return s.ImportAreas(ctx, fh, format, opts)
}

// ImportAreas reads a whole areas table ("csv" or "xlsx") and makes the
// election's wards and areas those of the table, as loading an election
// file in the wards: form would (a one-ward election given a one-ward
// table stays a one-ward election). The table is the whole list: areas
// of the election it does not have are removed, or the import is refused
// when they have voters or tallies. The election itself and its reminder
// schedule are left as they are. A bad table changes nothing; its error
// names the lines: `line 7: households "abc" is not a whole number`.
func (s Elections) ImportAreas(ctx context.Context, r io.Reader, format string, opts AreaImportOptions) (*LoadReport, error) {
	if format != "csv" && format != "xlsx" {
		return nil, Errorf(EINVALID, "areas table format %q: must be csv or xlsx", format)
	}
	if opts.ElectionCode == "" {
		return nil, Errorf(EINVALID, "which election? give its code (--election CODE)")
	}
	e, err := s.ElectionByCode(ctx, opts.ElectionCode)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "election %q not found: load its election file first (electionbot load FILE.yaml)", opts.ElectionCode)
	}
	if err != nil {
		return nil, err
	}
	p := &areaParser{xlsx: format == "xlsx", progress: opts.Progress, byWard: map[string]int{}}
	r = &sizeLimit{r: r, left: maxAreaFileSize}
	if format == "csv" {
		err = readCSVTable(ctx, r, p, "area")
	} else {
		err = readXLSXTable(ctx, r, p, "area")
	}
	if err != nil {
		return nil, err
	}
	if p.nread == 0 && len(p.errs) == 0 {
		return nil, Errorf(EINVALID, "the file has a header but no area rows")
	}
	stored, err := s.storedAreas(ctx, e, p.wardCodes())
	if err != nil {
		return nil, err
	}
	f := p.electionFile(e, stored)
	for _, prob := range f.check() {
		p.checkProblem(prob)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if p.progress != nil && p.nread >= areaProgressEvery {
		fmt.Fprintf(p.progress, "import: %s areas in %s wards read; loading\n",
			locales.Number("en", p.nread), locales.Number("en", len(p.wards)))
	}
	rep, err := s.LoadElectionWith(ctx, f, LoadOptions{KeepReminders: true})
	if ErrorCode(err) == ECONFLICT {
		// A candidate with votes names its area by its path in the file.
		lines := strings.Split(ErrorMessage(err), "\n")
		for i, l := range lines {
			if line, msg, ok := p.rewrite(l); ok {
				lines[i] = fmt.Sprintf("line %d: %s", line, msg)
			}
		}
		return nil, Errorf(ECONFLICT, "%s", strings.Join(lines, "\n"))
	}
	return rep, err
}

// areaParser reads the rows of an areas table into wards, in the order of
// their first row, each with its areas in row order.
type areaParser struct {
	cols     [numAreaCols]int // index of each column in a row, -1 if absent
	nheader  int
	xlsx     bool
	progress io.Writer

	wards    []FileWard
	byWard   map[string]int // ward code → index in wards
	wardLine []int          // the first line of each ward
	lines    [][]int        // the line of each area, by ward
	rows     [][]areaCells  // what the row said of the optional columns, by ward
	nread    int

	errs []lineProblem
}

// areaCells is what a row said in the optional columns (absent columns
// keep the stored values).
type areaCells struct{ lat, lon bool }

// lineProblem is a problem of one line (0: of the whole file), and the
// column it is about ("" when none in particular).
type lineProblem struct {
	line int
	col  string
	msg  string
}

func (p *areaParser) rowsRead() int { return p.nread }

func (p *areaParser) has(c int) bool { return p.cols[c] >= 0 }

// header maps the columns of the header row.
func (p *areaParser) header(fields []string) error {
	p.nheader = len(fields)
	if err := mapHeader(fields, areaColumns[:], p.cols[:]); err != nil {
		return err
	}
	var missing []string
	for c, ac := range areaColumns {
		if ac.required && p.cols[c] < 0 {
			missing = append(missing, fmt.Sprintf("%s (or %s)", ac.en, ac.vi))
		}
	}
	if len(missing) > 0 {
		return Errorf(EINVALID, "header: missing column %s; the header must have city,ward_code,ward,area_code,area,households,polling_place,address,lat,lon,candidates or thanh_pho,ma_xa,xa,ma_khu,khu,so_ho,noi_bo_phieu,dia_chi,vi_do,kinh_do,nguoi_ung_cu", strings.Join(missing, ", "))
	}
	return nil
}

// bad records a problem of a line (tableSink: a CSV syntax error).
func (p *areaParser) bad(line int, format string, args ...any) {
	p.errs = append(p.errs, lineProblem{line: line, msg: fmt.Sprintf(format, args...)})
}

// badCol records a problem of one cell.
func (p *areaParser) badCol(line, c int, format string, args ...any) {
	p.errs = append(p.errs, lineProblem{line: line, col: areaColumns[c].en, msg: areaColumns[c].en + " " + fmt.Sprintf(format, args...)})
}

// field returns column c of rec, trimmed ("" when absent).
func (p *areaParser) field(rec []string, c int) string {
	i := p.cols[c]
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// row reads one data row (line is its CSV line or XLSX row number).
func (p *areaParser) row(line int, rec []string) {
	if strings.TrimSpace(strings.Join(rec, "")) == "" {
		return // empty lines and ",,,,," rows
	}
	p.nread++
	if p.nread > maxAreaRows {
		if p.nread == maxAreaRows+1 {
			p.bad(line, "the table has more than %s rows", locales.Number("en", maxAreaRows))
		}
		return
	}
	if p.progress != nil && p.nread%areaProgressEvery == 0 {
		fmt.Fprintf(p.progress, "import: %s rows read\n", locales.Number("en", p.nread))
	}
	if !p.xlsx && len(rec) != p.nheader {
		p.bad(line, "has %d fields, the header has %d", len(rec), p.nheader)
		return
	}
	for c := range numAreaCols {
		if v := p.field(rec, c); !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
			p.badCol(line, c, "is not valid UTF-8 text (save the file as CSV UTF-8)")
			return
		}
	}
	wi, ok := p.ward(line, rec)
	if !ok {
		return
	}
	a := FileArea{
		Code: p.field(rec, colACode), Name: p.field(rec, colAName), Unit: p.field(rec, colAUnit),
		Electorate:   p.field(rec, colAElectorate),
		PollingPlace: FilePollingPlace{Name: p.field(rec, colAPlace), Address: p.field(rec, colAAddress)},
	}
	if hh := p.field(rec, colAHouseholds); hh == "" {
		p.badCol(line, colAHouseholds, "is empty")
	} else if n, ok := wholeNumber(hh); !ok {
		p.badCol(line, colAHouseholds, "%q is not a whole number", hh)
	} else {
		a.Households = n
	}
	a.PollingPlace.Lat = p.coordinate(line, rec, colALat)
	a.PollingPlace.Lon = p.coordinate(line, rec, colALon)
	for _, name := range strings.FieldsFunc(p.field(rec, colACandidates), func(r rune) bool { return r == ';' || r == '\n' }) {
		if name = strings.TrimSpace(name); name != "" {
			a.Candidates = append(a.Candidates, name)
		}
	}
	p.wards[wi].Areas = append(p.wards[wi].Areas, a)
	p.lines[wi] = append(p.lines[wi], line)
	p.rows[wi] = append(p.rows[wi], areaCells{lat: p.field(rec, colALat) != "", lon: p.field(rec, colALon) != ""})
}

// ward finds or adds the row's ward. A ward's name, city and kind are
// given on its first row; later rows may leave them blank, or repeat them.
func (p *areaParser) ward(line int, rec []string) (int, bool) {
	code := p.field(rec, colAWardCode)
	if code == "" {
		p.badCol(line, colAWardCode, "is empty")
		return 0, false
	}
	w := FileWard{Code: code, Name: squeezeSpaces(p.field(rec, colAWard)), City: squeezeSpaces(p.field(rec, colACity)),
		Kind: p.field(rec, colAWardKind)}
	wi, seen := p.byWard[code]
	if !seen {
		wi = len(p.wards)
		p.byWard[code] = wi
		p.wards = append(p.wards, w)
		p.wardLine = append(p.wardLine, line)
		p.lines = append(p.lines, nil)
		p.rows = append(p.rows, nil)
		return wi, true
	}
	first := &p.wards[wi]
	ok := true
	for _, c := range []struct {
		col       int
		got, want *string
		what      string
	}{{colAWard, &w.Name, &first.Name, "name"}, {colACity, &w.City, &first.City, "city"}, {colAWardKind, &w.Kind, &first.Kind, "kind"}} {
		switch {
		case *c.got == "" || *c.got == *c.want:
		case *c.want == "":
			*c.want = *c.got // the first row left it blank
		default:
			p.badCol(line, c.col, "%q differs from line %d (%q) for ward_code %s: a ward has one %s",
				*c.got, p.wardLine[wi], *c.want, code, c.what)
			ok = false
		}
	}
	return wi, ok
}

// coordinate reads a lat or lon cell: "" is none; a decimal comma (as
// Vietnamese spreadsheets write it) is a point.
func (p *areaParser) coordinate(line int, rec []string, c int) *float64 {
	v := p.field(rec, c)
	if v == "" {
		return nil
	}
	s := v
	if !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		p.badCol(line, c, "%q is not a number", v)
		return nil
	}
	return &f
}

var groupedRE = regexp.MustCompile(`^[0-9]{1,3}([.,][0-9]{3})+$`)

// wholeNumber reads a count: digits, or digits grouped by thousands
// ("1.234" as Vietnamese write it, "1,234"); a minus sign is read, for
// Check to refuse the number rather than its spelling.
func wholeNumber(s string) (int, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if groupedRE.MatchString(s) {
		s = strings.NewReplacer(".", "", ",", "").Replace(s)
	}
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, _ := strconv.Atoi(s)
	if neg {
		n = -n
	}
	return n, true
}

func (p *areaParser) wardCodes() []string {
	out := make([]string, len(p.wards))
	for i, w := range p.wards {
		out[i] = w.Code
	}
	return out
}
