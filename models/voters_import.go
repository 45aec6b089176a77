package models

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/xuri/excelize/v2"
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
// "kp1: warning: the election file says 310 households". Lines are joined
// by "\n" without a trailing newline.
func (r *ImportReport) String() string {
	var b strings.Builder
	for i, a := range r.Areas {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s: %d households", a.Code, a.Households)
		if a.Replaced > 0 {
			fmt.Fprintf(&b, " (replaced %d)", a.Replaced)
		}
		if a.Expected != a.Households {
			fmt.Fprintf(&b, "\n%s: warning: the election file says %d households", a.Code, a.Expected)
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
	numVoterCols
)

var voterColumns = [numVoterCols]struct {
	en, vi   string
	required bool
}{
	colArea:      {"area_code", "khu_pho", true},
	colHousehold: {"household_no", "so_ho", true},
	colName:      {"full_name", "ho_ten", true},
	colBirthYear: {"birth_year", "nam_sinh", true},
	colAddress:   {"address", "dia_chi", true},
	colPhone:     {"phone", "so_dien_thoai", false},
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
func (s *Store) ImportVotersFile(ctx context.Context, path string, opts ImportOptions) (*ImportReport, error) {
	var format string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		format = "csv"
	case ".xlsx":
		format = "xlsx"
	default:
		return nil, Errorf(EINVALID, "%s: a voter file must be .csv or .xlsx", filepath.Base(path))
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, Wrap(ENOTFOUND, err, "voter file %s not found", path)
		}
		return nil, Wrap(EINVALID, err, "open voter file %s", path)
	}
	defer f.Close()
	return s.ImportVoters(ctx, f, format, opts)
}

// ImportVoters reads a whole voter file ("csv" or "xlsx"), validates every
// row, then in one transaction replaces the voter lists of the areas it
// lists. A bad row refuses the whole file with an EINVALID *Error whose
// message names the first bad lines: `line 17: birth_year "19x1" is not a
// year`. On PostgreSQL the rows go in with COPY.
func (s *Store) ImportVoters(ctx context.Context, r io.Reader, format string, opts ImportOptions) (*ImportReport, error) {
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
	p := newVoterParser(e.Code, electionYear(e), areas)
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
		fmt.Fprintf(p.progress, "import: %s rows read\n", thousands(p.nread))
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
			rep.Areas = append(rep.Areas, AreaImport{Code: a.Code, Households: p.perArea[i], Replaced: replaced[a.ID], Expected: a.Households})
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

// voterRec is one valid row, packed: its fields live in the parser's arena.
type voterRec struct {
	chunk int32
	off   int32
	area  int32 // index in voterParser.areas
	year  int16
	lens  [5]uint16 // household_no, full_name, name_folded, address, phone
}

// Field indices of voterRec.lens.
const (
	recHousehold = iota
	recName
	recFolded
	recAddress
	recPhone
)

type seenHousehold struct {
	row  int32 // index in rows
	line int32
}

// voterParser validates rows one at a time and keeps the valid ones in a
// compact form: one 32-byte record per row plus its text in 1 MiB chunks.
type voterParser struct {
	ctx      context.Context
	election string
	year     int // of the election
	areas    []*Area
	byCode   map[string]int32
	byLower  map[string]int32
	xlsx     bool
	progress io.Writer

	cols    [numVoterCols]int // index of each column in a record, -1 if absent
	nheader int

	arena   [][]byte
	rows    []voterRec
	perArea []int
	nread   int

	seed     maphash.Seed
	seen     map[uint64]seenHousehold
	seenSlow map[string]int32 // (area, household) → line, for hash collisions

	errs  []string
	nerrs int

	foldCache map[string]string // names repeat a lot: Fold each one once
}

const maxFoldCache = 1 << 17

// fold is Fold with a bounded cache.
func (p *voterParser) fold(name string) string {
	if f, ok := p.foldCache[name]; ok {
		return f
	}
	f := Fold(name)
	if len(p.foldCache) < maxFoldCache {
		p.foldCache[strings.Clone(name)] = f
	}
	return f
}

func newVoterParser(election string, year int, areas []*Area) *voterParser {
	p := &voterParser{
		election: election,
		year:     year,
		areas:    areas,
		byCode:   make(map[string]int32, len(areas)),
		byLower:  make(map[string]int32, len(areas)),
		perArea:  make([]int, len(areas)),
		seed:     maphash.MakeSeed(),
		seen:     make(map[uint64]seenHousehold),

		foldCache: make(map[string]string),
	}
	for i, a := range areas {
		p.byCode[a.Code] = int32(i)
		p.byLower[strings.ToLower(a.Code)] = int32(i)
	}
	return p
}

// header maps the columns of the header row.
func (p *voterParser) header(fields []string) error {
	for i := range p.cols {
		p.cols[i] = -1
	}
	p.nheader = len(fields)
	for i, h := range fields {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		// "Khu phố", "KHU_PHO", " area_code " all name the same column.
		key := strings.ReplaceAll(Fold(h), " ", "_")
		for c, vc := range voterColumns {
			if key != vc.en && key != vc.vi {
				continue
			}
			if p.cols[c] >= 0 {
				return Errorf(EINVALID, "header: column %s appears twice (columns %d and %d)", vc.en, p.cols[c]+1, i+1)
			}
			p.cols[c] = i
		}
	}
	var missing []string
	for c, vc := range voterColumns {
		if vc.required && p.cols[c] < 0 {
			missing = append(missing, fmt.Sprintf("%s (or %s)", vc.en, vc.vi))
		}
	}
	if len(missing) > 0 {
		return Errorf(EINVALID, "header: missing column %s; the header must have area_code,household_no,full_name,birth_year,address[,phone] or khu_pho,so_ho,ho_ten,nam_sinh,dia_chi[,so_dien_thoai]", strings.Join(missing, ", "))
	}
	return nil
}

// bad records the reason a line is refused.
func (p *voterParser) bad(line int, format string, args ...any) {
	p.nerrs++
	if len(p.errs) < maxImportErrors {
		p.errs = append(p.errs, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
	}
}

// err is the EINVALID error listing the bad lines, or nil.
func (p *voterParser) err() error {
	if p.nerrs == 0 {
		return nil
	}
	msg := strings.Join(p.errs, "\n")
	if more := p.nerrs - len(p.errs); more > 0 {
		msg += fmt.Sprintf("\n… and %d more bad rows (only the first %d are shown)", more, maxImportErrors)
	}
	return Errorf(EINVALID, "%s", msg)
}

// field returns column c of rec, trimmed ("" when absent).
func (p *voterParser) field(rec []string, c int) string {
	i := p.cols[c]
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// row validates one data row (line is its line or XLSX row number) and keeps it.
func (p *voterParser) row(line int, rec []string) {
	blank := true
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			blank = false
			break
		}
	}
	if blank {
		return // empty lines and ",,,,," rows are not voters
	}
	p.nread++
	if p.progress != nil && p.nread%progressEvery == 0 {
		fmt.Fprintf(p.progress, "import: %s rows read\n", thousands(p.nread))
	}
	if !p.xlsx && len(rec) != p.nheader {
		// An XLSX row simply omits its trailing empty cells.
		p.bad(line, "has %d fields, the header has %d", len(rec), p.nheader)
		return
	}
	for c := range numVoterCols {
		v := p.field(rec, c)
		if !utf8.ValidString(v) {
			p.bad(line, "%s is not valid UTF-8 text (save the file as CSV UTF-8)", voterColumns[c].en)
			return
		}
		if strings.IndexByte(v, 0) >= 0 {
			p.bad(line, "%s contains a NUL character", voterColumns[c].en)
			return
		}
	}

	code := p.field(rec, colArea)
	if code == "" {
		p.bad(line, "area_code is empty")
		return
	}
	area, ok := p.byCode[code]
	if !ok {
		area, ok = p.byLower[strings.ToLower(code)]
	}
	if !ok {
		p.bad(line, "area_code %q is not an area of election %s", code, p.election)
		return
	}

	hh := p.field(rec, colHousehold)
	switch {
	case hh == "":
		p.bad(line, "household_no is empty")
		return
	case utf8.RuneCountInString(hh) > maxHouseholdLen:
		p.bad(line, "household_no is longer than %d characters", maxHouseholdLen)
		return
	}

	name := squeezeSpaces(p.field(rec, colName))
	if name == "" {
		p.bad(line, "full_name is empty")
		return
	}
	if utf8.RuneCountInString(name) > maxNameLen {
		p.bad(line, "full_name is longer than %d characters", maxNameLen)
		return
	}
	folded := p.fold(name)
	if folded == "" {
		p.bad(line, "full_name %q has no letters", name)
		return
	}

	ys := p.field(rec, colBirthYear)
	if ys == "" {
		p.bad(line, "birth_year is empty")
		return
	}
	year, err := strconv.Atoi(ys)
	if err != nil || year < 0 || ys[0] == '+' {
		p.bad(line, "birth_year %q is not a year", ys)
		return
	}
	if year < minBirthYear {
		p.bad(line, "birth_year %q is before %d", ys, minBirthYear)
		return
	}
	if year > p.year-adultAge {
		p.bad(line, "birth_year %q makes the voter under %d in %d; household representatives are adults", ys, adultAge, p.year)
		return
	}

	addr := p.field(rec, colAddress)
	if utf8.RuneCountInString(addr) > maxAddressLen {
		p.bad(line, "address is longer than %d characters", maxAddressLen)
		return
	}

	phone := p.field(rec, colPhone)
	if phone != "" {
		if p.xlsx && excelDroppedZero(phone) {
			phone = "0" + phone
		}
		e164, err := NormalizePhone(phone)
		if err != nil {
			p.bad(line, "%s", ErrorMessage(err))
			return
		}
		phone = e164
	}

	// Duplicate household numbers within the area: a map of hashes to the
	// first row, and a map of strings for the (rare) hash collisions.
	h := maphash.String(p.seed, hh) ^ (uint64(area)+1)*0x9E3779B97F4A7C15
	if prev, hit := p.seen[h]; !hit {
		p.seen[h] = seenHousehold{row: int32(len(p.rows)), line: int32(line)}
	} else if first := &p.rows[prev.row]; first.area == area && string(p.recField(first, recHousehold)) == hh {
		p.bad(line, "household_no %q of %s is already on line %d", hh, p.areas[area].Code, prev.line)
		return
	} else {
		key := strconv.Itoa(int(area)) + "\x00" + hh
		if p.seenSlow == nil {
			p.seenSlow = make(map[string]int32)
		}
		if prevLine, dup := p.seenSlow[key]; dup {
			p.bad(line, "household_no %q of %s is already on line %d", hh, p.areas[area].Code, prevLine)
			return
		}
		p.seenSlow[key] = int32(line)
	}
	// Valid rows are kept even once the file is known to be bad, so that
	// later duplicates of them are still found.
	p.add(area, year, hh, name, folded, addr, phone)
}

// add appends a valid row to the arena.
func (p *voterParser) add(area int32, year int, fields ...string) {
	n := 0
	for _, f := range fields {
		n += len(f)
	}
	last := len(p.arena) - 1
	if last < 0 || cap(p.arena[last])-len(p.arena[last]) < n {
		size := arenaChunkSize
		if last < 0 {
			size = arenaChunkSize / 16 // small files stay small
		}
		p.arena = append(p.arena, make([]byte, 0, max(size, n)))
		last++
	}
	rec := voterRec{chunk: int32(last), off: int32(len(p.arena[last])), area: area, year: int16(year)}
	for i, f := range fields {
		rec.lens[i] = uint16(len(f))
		p.arena[last] = append(p.arena[last], f...)
	}
	p.rows = append(p.rows, rec)
	p.perArea[area]++
}

// recField returns field i of a record (a view into the arena).
func (p *voterParser) recField(r *voterRec, i int) []byte {
	off := int(r.off)
	for j := range i {
		off += int(r.lens[j])
	}
	return p.arena[r.chunk][off : off+int(r.lens[i]) : off+int(r.lens[i])]
}

// excelDroppedZero reports whether an XLSX phone is a Vietnamese mobile
// number typed into a number cell, which loses its leading 0 (912345678).
func excelDroppedZero(s string) bool {
	if len(s) != 9 || !strings.ContainsRune("35789", rune(s[0])) {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// thousands formats n as 1,000,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// parseVoterCSV reads a UTF-8 CSV voter file (BOM and CRLF tolerated) into
// p; the error lists the bad lines.
func parseVoterCSV(r io.Reader, p *voterParser) error {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, _ := br.Peek(2); len(b) == 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		return Errorf(EINVALID, "the file is UTF-16 text; save it as CSV UTF-8")
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if err == io.EOF {
		return Errorf(EINVALID, "the file is empty: it needs a header and voter rows")
	}
	if err != nil {
		return csvError(err)
	}
	if err := p.header(rec); err != nil {
		return err
	}
	for {
		rec, err = cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.bad(pe.Line, "%v", pe.Err)
				break
			}
			return Wrap(EINVALID, err, "read voter file")
		}
		line, _ := cr.FieldPos(0)
		p.row(line, rec)
		if p.nread%progressEvery == 0 && p.ctx != nil {
			if err := p.ctx.Err(); err != nil {
				return Wrap(EINTERNAL, err, "import voters")
			}
		}
	}
	return p.finish()
}

// finish is the outcome of a parse: the bad lines, or an empty file.
func (p *voterParser) finish() error {
	if err := p.err(); err != nil {
		return err
	}
	if len(p.rows) == 0 {
		return Errorf(EINVALID, "the file has a header but no voter rows")
	}
	return nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Errorf(EINVALID, "line %d: %v", pe.Line, pe.Err)
	}
	return Wrap(EINVALID, err, "read voter file")
}

// parseVoterXLSX reads the first sheet of an XLSX voter file into p; line
// numbers are the sheet's row numbers.
func parseVoterXLSX(r io.Reader, p *voterParser) error {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return Wrap(EINVALID, err, "not a readable XLSX file")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Errorf(EINVALID, "the XLSX file has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Wrap(EINVALID, err, "read sheet %q", sheets[0])
	}
	defer rows.Close()
	n, header := 0, false
	for rows.Next() {
		n++
		rec, err := rows.Columns()
		if err != nil {
			return Wrap(EINVALID, err, "read sheet %q row %d", sheets[0], n)
		}
		if !header {
			if strings.TrimSpace(strings.Join(rec, "")) == "" {
				continue
			}
			if err := p.header(rec); err != nil {
				return err
			}
			header = true
			continue
		}
		p.row(n, rec)
		if p.nread%progressEvery == 0 && p.ctx != nil {
			if err := p.ctx.Err(); err != nil {
				return Wrap(EINTERNAL, err, "import voters")
			}
		}
	}
	if err := rows.Error(); err != nil {
		return Wrap(EINVALID, err, "read sheet %q", sheets[0])
	}
	if !header {
		return Errorf(EINVALID, "the first sheet %q is empty: it needs a header and voter rows", sheets[0])
	}
	return p.finish()
}

// writeProgress reports rows written every progressEvery rows (files of
// 100,000+ rows only).
type writeProgress struct {
	w     io.Writer
	total int
	done  int
}

func (wp *writeProgress) add(n int) {
	before := wp.done
	wp.done += n
	if wp.w == nil || wp.total < progressEvery {
		return
	}
	if wp.done/progressEvery > before/progressEvery || (wp.done == wp.total && wp.total%progressEvery != 0) {
		fmt.Fprintf(wp.w, "import: %s/%s rows written\n", thousands(wp.done), thousands(wp.total))
	}
}

// voterCopySource feeds the parsed rows to pgx CopyFrom.
type voterCopySource struct {
	p    *voterParser
	i    int
	vals []any
	prog *writeProgress
}

func (c *voterCopySource) Next() bool {
	if c.i >= len(c.p.rows) {
		return false
	}
	r := &c.p.rows[c.i]
	c.i++
	c.vals[0] = c.p.areas[r.area].ID
	c.vals[1] = c.p.recField(r, recHousehold)
	c.vals[2] = c.p.recField(r, recName)
	c.vals[3] = c.p.recField(r, recFolded)
	c.vals[4] = int32(r.year)
	c.vals[5] = c.p.recField(r, recAddress)
	if r.lens[recPhone] > 0 {
		c.vals[6] = c.p.recField(r, recPhone)
	} else {
		c.vals[6] = nil
	}
	if c.i%10_000 == 0 || c.i == len(c.p.rows) {
		c.prog.add(c.i - c.prog.done)
	}
	return true
}

func (c *voterCopySource) Values() ([]any, error) { return c.vals, nil }
func (c *voterCopySource) Err() error             { return nil }

var voterCopyColumns = []string{"area_id", "household_no", "full_name", "name_folded", "birth_year", "address", "phone"}

// copyVotersPG replaces the voters of the areas ids with the parsed rows in
// one pgx transaction, with COPY; it returns the old voters' count per area.
func (s *Store) copyVotersPG(ctx context.Context, p *voterParser, ids []int64) (map[int64]int, error) {
	conn, err := s.SQL().Conn(ctx)
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "import voters: connection")
	}
	defer conn.Close()
	replaced := make(map[int64]int)
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return Errorf(EINTERNAL, "import voters: driver connection is %T, not pgx", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return Wrap(EINTERNAL, err, "import voters: begin")
		}
		defer tx.Rollback(context.Background()) // no-op after Commit

		// Lock the areas: two imports of one area run one after the other,
		// and an area deleted meanwhile is noticed.
		var locked int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM (SELECT id FROM areas WHERE id = ANY($1) ORDER BY id FOR UPDATE) a", ids).Scan(&locked); err != nil {
			return Wrap(EINTERNAL, err, "import voters: lock areas")
		}
		if locked != len(ids) {
			return Errorf(ECONFLICT, "the election's areas changed during the import; try again")
		}
		rows, err := tx.Query(ctx, "WITH d AS (DELETE FROM voters WHERE area_id = ANY($1) RETURNING area_id) SELECT area_id, count(*) FROM d GROUP BY area_id", ids)
		if err != nil {
			return Wrap(EINTERNAL, err, "import voters: delete old lists")
		}
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return Wrap(EINTERNAL, err, "import voters: delete old lists")
			}
			replaced[id] = int(n)
		}
		if err := rows.Err(); err != nil {
			return Wrap(EINTERNAL, err, "import voters: delete old lists")
		}
		src := &voterCopySource{p: p, vals: make([]any, len(voterCopyColumns)), prog: &writeProgress{w: p.progress, total: len(p.rows)}}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"voters"}, voterCopyColumns, src)
		if err != nil {
			return Wrap(EINTERNAL, err, "import voters: copy")
		}
		if int(n) != len(p.rows) {
			return Errorf(EINTERNAL, "import voters: copied %d rows of %d", n, len(p.rows))
		}
		if err := tx.Commit(ctx); err != nil {
			return Wrap(EINTERNAL, err, "import voters: commit")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return replaced, nil
}

// insertVotersBatched replaces the voters of the areas ids with the parsed
// rows in one GORM transaction, with multi-row INSERTs (SQLite, or a store
// already in a transaction).
func (s *Store) insertVotersBatched(ctx context.Context, p *voterParser, ids []int64) (map[int64]int, error) {
	replaced := make(map[int64]int)
	err := s.InTx(ctx, func(tx *Store) error {
		db := tx.DB(ctx)
		for start := 0; start < len(ids); start += areaIDsPerClause {
			chunk := ids[start:min(start+areaIDsPerClause, len(ids))]
			if tx.dialect == DialectPostgres {
				// Serialise imports of the same area (SQLite has one writer anyway).
				if err := db.Exec("SELECT id FROM areas WHERE id IN ? ORDER BY id FOR UPDATE", chunk).Error; err != nil {
					return Wrap(EINTERNAL, err, "import voters: lock areas")
				}
			}
			rows, err := db.Raw("SELECT area_id, COUNT(*) FROM voters WHERE area_id IN ? GROUP BY area_id", chunk).Rows()
			if err != nil {
				return Wrap(EINTERNAL, err, "import voters: count old lists")
			}
			for rows.Next() {
				var id, n int64
				if err := rows.Scan(&id, &n); err != nil {
					rows.Close()
					return Wrap(EINTERNAL, err, "import voters: count old lists")
				}
				replaced[id] = int(n)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return Wrap(EINTERNAL, err, "import voters: count old lists")
			}
			if err := db.Exec("DELETE FROM voters WHERE area_id IN ?", chunk).Error; err != nil {
				return Wrap(EINTERNAL, err, "import voters: delete old lists")
			}
		}

		pool := db.Statement.ConnPool
		prog := &writeProgress{w: p.progress, total: len(p.rows)}
		full, err := pool.PrepareContext(ctx, insertVotersSQL(tx.dialect, insertBatchRows))
		if err != nil {
			return Wrap(EINTERNAL, err, "import voters: prepare insert")
		}
		defer full.Close()
		args := make([]any, 0, insertBatchRows*len(voterCopyColumns))
		for start := 0; start < len(p.rows); start += insertBatchRows {
			batch := p.rows[start:min(start+insertBatchRows, len(p.rows))]
			args = args[:0]
			for i := range batch {
				r := &batch[i]
				var phone any
				if r.lens[recPhone] > 0 {
					phone = string(p.recField(r, recPhone))
				}
				// Strings, not []byte: SQLite would store []byte as BLOBs.
				args = append(args, p.areas[r.area].ID, string(p.recField(r, recHousehold)), string(p.recField(r, recName)),
					string(p.recField(r, recFolded)), int(r.year), string(p.recField(r, recAddress)), phone)
			}
			if len(batch) == insertBatchRows {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = pool.ExecContext(ctx, insertVotersSQL(tx.dialect, len(batch)), args...)
			}
			if err != nil {
				return Wrap(EINTERNAL, err, "import voters: insert")
			}
			prog.add(len(batch))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return replaced, nil
}

// insertVotersSQL is a multi-row INSERT of n voters.
func insertVotersSQL(dialect string, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO voters (")
	b.WriteString(strings.Join(voterCopyColumns, ", "))
	b.WriteString(") VALUES ")
	ncol := len(voterCopyColumns)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range ncol {
			if j > 0 {
				b.WriteByte(',')
			}
			if dialect == DialectPostgres {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(i*ncol + j + 1))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
