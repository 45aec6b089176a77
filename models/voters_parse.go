package models

import (
	"context"
	"electionbot/locales"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// voterRec is one valid row, packed: its fields live in the parser's arena.
type voterRec struct {
	chunk int32
	off   int32
	area  int32 // index in voterParser.areas
	year  int16
	lens  [5]uint16 // household_no, full_name, name_folded, address, phone
}

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
	wards    []*Ward
	multi    bool              // several wards: a row names its ward (ward_code)
	areaWard []int32           // index in wards of each area
	wardIdx  map[string]int32  // ward code, and lower-cased → index in wards
	byCode   map[areaRef]int32 // (ward, area code) → index in areas
	byLower  map[areaRef]int32 // the same, lower-cased
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

// areaRef names an area in a voter file: codes repeat across wards.
type areaRef struct {
	ward int32
	code string
}

// newVoterParser reads the voter file of an election with these wards and
// areas (each area's WardID one of the wards').
func newVoterParser(election string, year int, wards []*Ward, areas []*Area) *voterParser {
	p := &voterParser{
		election: election,
		year:     year,
		areas:    areas,
		wards:    wards,
		multi:    len(wards) > 1,
		areaWard: make([]int32, len(areas)),
		wardIdx:  make(map[string]int32, 2*len(wards)),
		byCode:   make(map[areaRef]int32, len(areas)),
		byLower:  make(map[areaRef]int32, len(areas)),
		perArea:  make([]int, len(areas)),
		seed:     maphash.MakeSeed(),
		seen:     make(map[uint64]seenHousehold),

		foldCache: make(map[string]string),
	}
	byID := make(map[int64]int32, len(wards))
	for i := len(wards) - 1; i >= 0; i-- { // the exact code wins over another's lower-cased one
		w := wards[i]
		byID[w.ID] = int32(i)
		p.wardIdx[strings.ToLower(w.Code)] = int32(i)
	}
	for i, w := range wards {
		p.wardIdx[w.Code] = int32(i)
	}
	for i, a := range areas {
		wi := byID[a.WardID]
		p.areaWard[i] = wi
		p.byCode[areaRef{wi, a.Code}] = int32(i)
		p.byLower[areaRef{wi, strings.ToLower(a.Code)}] = int32(i)
	}
	return p
}

// header maps the columns of the header row.
func (p *voterParser) header(fields []string) error {
	p.nheader = len(fields)
	if err := mapHeader(fields, voterColumns[:], p.cols[:]); err != nil {
		return err
	}
	var missing []string
	for c, vc := range voterColumns {
		if (vc.required || c == colWard && p.multi) && p.cols[c] < 0 {
			missing = append(missing, fmt.Sprintf("%s (or %s)", vc.en, vc.vi))
		}
	}
	switch {
	case len(missing) == 0:
		return nil
	case p.multi:
		return Errorf(EINVALID, "header: missing column %s; election %s has %d wards, so each row names its ward: the header must have ward_code,area_code,household_no,full_name,birth_year,address[,phone] or ma_xa,khu_pho,so_ho,ho_ten,nam_sinh,dia_chi[,so_dien_thoai]",
			strings.Join(missing, ", "), p.election, len(p.wards))
	default:
		return Errorf(EINVALID, "header: missing column %s; the header must have area_code,household_no,full_name,birth_year,address[,phone] or khu_pho,so_ho,ho_ten,nam_sinh,dia_chi[,so_dien_thoai]", strings.Join(missing, ", "))
	}
}

func (p *voterParser) rowsRead() int { return p.nread }

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
		fmt.Fprintf(p.progress, "import: %s rows read\n", locales.Number("en", p.nread))
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

	ward, ok := p.ward(line, rec)
	if !ok {
		return
	}
	code := p.field(rec, colArea)
	if code == "" {
		p.bad(line, "area_code is empty")
		return
	}
	area, ok := p.byCode[areaRef{ward, code}]
	if !ok {
		area, ok = p.byLower[areaRef{ward, strings.ToLower(code)}]
	}
	if !ok {
		if p.multi {
			p.bad(line, "area_code %q is not an area of ward %s in election %s", code, p.wards[ward].Code, p.election)
		} else {
			p.bad(line, "area_code %q is not an area of election %s", code, p.election)
		}
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
		p.bad(line, "household_no %q of %s is already on line %d", hh, p.areaName(area), prev.line)
		return
	} else {
		key := strconv.Itoa(int(area)) + "\x00" + hh
		if p.seenSlow == nil {
			p.seenSlow = make(map[string]int32)
		}
		if prevLine, dup := p.seenSlow[key]; dup {
			p.bad(line, "household_no %q of %s is already on line %d", hh, p.areaName(area), prevLine)
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

// tableColumn is a column of a table file: its English and Vietnamese
// header names (folded, "_" for spaces) and whether it must be there.
type tableColumn struct {
	en, vi   string
	required bool
}

// mapHeader finds each column's index in a header row (-1 when absent),
// whatever the case, diacritics and spacing: "Khu phố", "KHU_PHO" and
// " khu_pho " name one column. A column named twice is an error.
func mapHeader(fields []string, columns []tableColumn, cols []int) error {
	for i := range cols {
		cols[i] = -1
	}
	for i, h := range fields {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		key := strings.ReplaceAll(Fold(h), " ", "_")
		for c, col := range columns {
			if key != col.en && key != col.vi {
				continue
			}
			if cols[c] >= 0 {
				return Errorf(EINVALID, "header: column %s appears twice (columns %d and %d)", col.en, cols[c]+1, i+1)
			}
			cols[c] = i
		}
	}
	return nil
}
