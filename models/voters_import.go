package models

import (
	"context"
	"electionbot/locales"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ImportOptions tune ImportVoters.
type ImportOptions struct {
	// ElectionCode is the election whose areas the file lists; "" means the
	// store's CurrentElection().
	ElectionCode string
	// Progress, if non-nil, receives progress lines for files of 100,000+
	// rows (the CLI passes os.Stderr).
	Progress io.Writer
}

// AreaImport is what an import did to one area's voter list.
type AreaImport struct {
	Ward       string // the ward's code when the election has several wards, else ""
	Code       string
	Households int // voters (households) imported for the area
	Replaced   int // voters of the previous list, now deleted
	Expected   int // households of the area in the election file
}

// ImportReport is the outcome of one voter file.
type ImportReport struct {
	Election string
	Rows     int
	Areas    []AreaImport // the areas in the file, in the election's order
}

// String is one line per area, "kp1: 312 households (replaced 305)", and a
// warning line after an area whose count differs from the election file:
// "kp1: warning: the election file says 310 households". With several
// wards an area is "hai-hoa/kp1". Lines are joined by "\n" without a
// trailing newline.
func (r *ImportReport) String() string {
	var b strings.Builder
	for i, a := range r.Areas {
		if i > 0 {
			b.WriteByte('\n')
		}
		name := a.Code
		if a.Ward != "" {
			name = a.Ward + "/" + a.Code
		}
		fmt.Fprintf(&b, "%s: %d households", name, a.Households)
		if a.Replaced > 0 {
			fmt.Fprintf(&b, " (replaced %d)", a.Replaced)
		}
		if a.Expected != a.Households {
			fmt.Fprintf(&b, "\n%s: warning: the election file says %d households", name, a.Expected)
		}
	}
	return b.String()
}

// Voter file columns (docs/design.md §5), English and Vietnamese header names.
const (
	colArea = iota
	colHousehold
	colName
	colBirthYear
	colAddress
	colPhone
	colWard
	numVoterCols
)

var voterColumns = [numVoterCols]tableColumn{
	colArea:      {"area_code", "khu_pho", true},
	colHousehold: {"household_no", "so_ho", true},
	colName:      {"full_name", "ho_ten", true},
	colBirthYear: {"birth_year", "nam_sinh", true},
	colAddress:   {"address", "dia_chi", true},
	colPhone:     {"phone", "so_dien_thoai", false},
	colWard:      {"ward_code", "ma_xa", false}, // required when the election has several wards
}

// Limits of one row, in characters.
const (
	maxHouseholdLen = 64
	maxNameLen      = 200
	maxAddressLen   = 1000
	minBirthYear    = 1900
	adultAge        = 18 // household representatives are adults

	maxImportErrors  = 10      // bad rows reported in one error
	progressEvery    = 100_000 // rows between progress lines
	insertBatchRows  = 500     // rows per multi-row INSERT (7 parameters each)
	arenaChunkSize   = 1 << 20
	areaIDsPerClause = 500
)

// ImportVotersFile imports a .csv or .xlsx voter file (by its extension).
func (s Registry) ImportVotersFile(ctx context.Context, path string, opts ImportOptions) (*ImportReport, error) {
	f, format, err := openTableFile(path, "a voter file")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return s.ImportVoters(ctx, f, format, opts)
}

// openTableFile opens a .csv or .xlsx table (what it is: "a voter file")
// and names its format by the extension.
func openTableFile(path, what string) (*os.File, string, error) {
	var format string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		format = "csv"
	case ".xlsx":
		format = "xlsx"
	default:
		return nil, "", Errorf(EINVALID, "%s: %s must be .csv or .xlsx", filepath.Base(path), what)
	}
	f, err := os.Open(path)
	if err != nil {
		name := strings.TrimPrefix(strings.TrimPrefix(what, "an "), "a ")
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", Wrap(ENOTFOUND, err, "%s %s not found", name, path)
		}
		return nil, "", Wrap(EINVALID, err, "open %s %s", name, path)
	}
	return f, format, nil
}

// ImportVoters reads a whole voter file ("csv" or "xlsx"), validates every
// row, then in one transaction replaces the voter lists of the areas it
// lists. A bad row refuses the whole file with an EINVALID *Error whose
// message names the first bad lines: `line 17: birth_year "19x1" is not a
// year`. On PostgreSQL the rows go in with COPY.
func (s Registry) ImportVoters(ctx context.Context, r io.Reader, format string, opts ImportOptions) (*ImportReport, error) {
	if format != "csv" && format != "xlsx" {
		return nil, Errorf(EINVALID, "voter file format %q: must be csv or xlsx", format)
	}
	var (
		e   *Election
		err error
	)
	if opts.ElectionCode == "" {
		e, err = s.CurrentElection(ctx)
	} else {
		e, err = s.ElectionByCode(ctx, opts.ElectionCode)
	}
	if err != nil {
		return nil, err
	}
	var areas []*Area
	if err := s.DB(ctx).Where("election_id = ?", e.ID).Order("id").Find(&areas).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "areas of election %s", e.Code)
	}
	if len(areas) == 0 {
		return nil, Errorf(EINVALID, "election %s has no areas to import voters into", e.Code)
	}
	wards, err := s.ElectionWards(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	p := newVoterParser(e.Code, electionYear(e), wards, areas)
	p.ctx = ctx
	p.progress = opts.Progress
	p.xlsx = format == "xlsx"
	if format == "csv" {
		err = parseVoterCSV(r, p)
	} else {
		err = parseVoterXLSX(r, p)
	}
	if err != nil {
		return nil, err
	}
	if p.progress != nil && p.nread >= progressEvery && p.nread%progressEvery != 0 {
		fmt.Fprintf(p.progress, "import: %s rows read\n", locales.Number("en", p.nread))
	}

	// The areas in the file, in the election's order.
	var ids []int64
	for i, a := range areas {
		if p.perArea[i] > 0 {
			ids = append(ids, a.ID)
		}
	}
	var replaced map[int64]int
	if s.dialect == DialectPostgres && !s.inTx() {
		replaced, err = s.copyVotersPG(ctx, p, ids)
	} else {
		replaced, err = s.insertVotersBatched(ctx, p, ids)
	}
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Election: e.Code, Rows: len(p.rows)}
	for i, a := range areas {
		if p.perArea[i] > 0 {
			ai := AreaImport{Code: a.Code, Households: p.perArea[i], Replaced: replaced[a.ID], Expected: a.Households}
			if p.multi {
				ai.Ward = p.wards[p.areaWard[i]].Code
			}
			rep.Areas = append(rep.Areas, ai)
		}
	}
	return rep, nil
}

// electionYear is the year of the election day.
func electionYear(e *Election) int {
	if len(e.Date) >= 4 {
		if y, err := strconv.Atoi(e.Date[:4]); err == nil {
			return y
		}
	}
	return e.Day().Year()
}

// Field indices of voterRec.lens.
const (
	recHousehold = iota
	recName
	recFolded
	recAddress
	recPhone
)
