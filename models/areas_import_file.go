package models

// The election file an areas table stands for, and its problems named by
// the table's lines.

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// storedAreas is what the database holds of the table's wards and the
// election's areas: the values of the columns a table leaves out.
type storedAreas struct {
	wards map[string]*Ward
	areas map[[2]string]*Area // by ward code and area code, with polling place and candidates
}

func (s Elections) storedAreas(ctx context.Context, e *Election, wardCodes []string) (*storedAreas, error) {
	st := &storedAreas{wards: map[string]*Ward{}, areas: map[[2]string]*Area{}}
	for chunk := range slices.Chunk(wardCodes, 1000) {
		var ws []*Ward
		if err := s.DB(ctx).Where("code IN ?", chunk).Find(&ws).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "wards of the areas table")
		}
		for _, w := range ws {
			st.wards[w.Code] = w
		}
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range areas {
		st.areas[[2]string{a.Ward.Code, a.Code}] = a
	}
	return st, nil
}

// electionFile is the election file of the table: the stored election's
// election: section, and the table's wards — in the one-ward form when
// the election was loaded from a one-ward file and the table has one
// ward, so that the election stays as it was.
func (p *areaParser) electionFile(e *Election, st *storedAreas) *ElectionFile {
	f := &ElectionFile{Election: storedFileElection(e)}
	wards := make([]FileWard, len(p.wards))
	for i, w := range p.wards {
		w.Areas = slices.Clone(w.Areas)
		p.fillFromStore(i, &w, st)
		for j := range w.Areas {
			// The households column counts an all-voter area's voters.
			if a := &w.Areas[j]; a.Electorate == "" && e.ElectorateOrDefault() == ElectorateVoters ||
				a.Electorate != "" && electorateIs(a.Electorate, ElectorateVoters) {
				a.Voters, a.Households = a.Households, 0
			}
		}
		wards[i] = w
	}
	if e.WardID != nil && len(wards) == 1 {
		f.Ward, f.Areas = wards[0], wards[0].Areas
		f.Ward.Areas, f.Ward.Province = nil, e.Province
		return f
	}
	f.Province, f.Wards = e.Province, wards
	return f
}

// fillFromStore gives ward i the stored values of the columns the table
// leaves out; a blank ward_kind or unit is read from the name, or else
// kept as stored.
func (p *areaParser) fillFromStore(i int, w *FileWard, st *storedAreas) {
	sw := st.wards[w.Code]
	if sw != nil {
		if !p.has(colACity) {
			w.City = sw.City
		}
		if w.Kind == "" && WardKindFromName(w.Name) == "" {
			w.Kind = sw.Kind
		}
	}
	for j := range w.Areas {
		a := &w.Areas[j]
		sa := st.areas[[2]string{w.Code, a.Code}]
		if sa == nil {
			continue
		}
		if a.Unit == "" && UnitFromName(a.Name) == "" {
			a.Unit = sa.Unit
		}
		if a.Electorate == "" {
			a.Electorate = sa.Electorate
		}
		if pp := sa.PollingPlace; pp != nil {
			if !p.has(colAAddress) {
				a.PollingPlace.Address = pp.Address
			}
			if !p.has(colALat) {
				a.PollingPlace.Lat = pp.Lat
			}
			if !p.has(colALon) {
				a.PollingPlace.Lon = pp.Lon
			}
		}
		if !p.has(colACandidates) {
			for _, c := range sa.Candidates {
				if !c.Nominated { // the meeting's, not the file's
					a.Candidates = append(a.Candidates, c.Name)
				}
			}
		}
	}
}

var (
	areaPathRE = regexp.MustCompile(`^(?:wards\[([0-9]+)\]\.)?areas\[([0-9]+)\](?:\.(.+))?$`)
	wardPathRE = regexp.MustCompile(`^(?:wards\[([0-9]+)\]|ward)(?:\.(.+))?$`)
	areaRefRE  = regexp.MustCompile(`(?:wards\[([0-9]+)\]\.)?areas\[([0-9]+)\]`)
	candRefRE  = regexp.MustCompile(`candidates\[([0-9]+)\]`)
)

// The columns of the fields of an area and of a ward in the file.
var (
	areaFieldCols = map[string]int{"code": colACode, "name": colAName, "unit": colAUnit, "households": colAHouseholds,
		"voters": colAHouseholds, "electorate": colAElectorate,
		"polling_place.name": colAPlace, "polling_place.address": colAAddress, "polling_place.lat": colALat,
		"polling_place.lon": colALon, "candidates": colACandidates}
	wardFieldCols = map[string]int{"code": colAWardCode, "name": colAWard, "city": colACity, "kind": colAWardKind}
)

// rewrite turns a problem of the file, "wards[1].areas[0].households:
// must be greater than 0", into one of the table: its line and "households
// must be greater than 0". ok is false for a problem that is not about a
// ward or an area.
func (p *areaParser) rewrite(prob string) (line int, msg string, ok bool) {
	line, _, msg, ok = p.locate(prob)
	return line, msg, ok
}

// locate is rewrite with the column of the problem (-1: none).
func (p *areaParser) locate(prob string) (line, col int, msg string, ok bool) {
	path, reason, found := strings.Cut(prob, ": ")
	if !found {
		return 0, 0, "", false
	}
	col = -1
	if m := areaPathRE.FindStringSubmatch(path); m != nil {
		wi, ai := atoi(m[1]), atoi(m[2])
		if wi >= len(p.lines) || ai >= len(p.lines[wi]) {
			return 0, 0, "", false
		}
		line = p.lines[wi][ai]
		field := candRefRE.ReplaceAllString(m[3], "candidates")
		if c, known := areaFieldCols[field]; known {
			col = c
		}
	} else if m := wardPathRE.FindStringSubmatch(path); m != nil {
		wi := atoi(m[1])
		if wi >= len(p.wardLine) || m[2] == "areas" {
			return 0, 0, "", false
		}
		line = p.wardLine[wi]
		if c, known := wardFieldCols[m[2]]; known {
			col = c
		}
	} else {
		return 0, 0, "", false
	}
	reason = areaRefRE.ReplaceAllStringFunc(reason, func(ref string) string {
		m := areaRefRE.FindStringSubmatch(ref)
		wi, ai := atoi(m[1]), atoi(m[2])
		if wi < len(p.lines) && ai < len(p.lines[wi]) {
			return fmt.Sprintf("line %d", p.lines[wi][ai])
		}
		return ref
	})
	reason = candRefRE.ReplaceAllStringFunc(reason, func(ref string) string {
		return fmt.Sprintf("candidate %d", atoi(candRefRE.FindStringSubmatch(ref)[1])+1)
	})
	if col < 0 {
		return line, col, reason, true
	}
	return line, col, areaColumns[col].en + " " + reason, true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// checkProblem adds a problem of the file's Check, by the table's line;
// not when the parser already refused that cell.
func (p *areaParser) checkProblem(prob string) {
	line, col, msg, ok := p.locate(prob)
	if !ok {
		p.errs = append(p.errs, lineProblem{msg: prob})
		return
	}
	name := ""
	if col >= 0 {
		name = areaColumns[col].en
		for _, e := range p.errs {
			if e.line == line && e.col == name {
				return
			}
		}
	}
	p.errs = append(p.errs, lineProblem{line: line, col: name, msg: msg})
}

// err is the EINVALID error listing the problems by line (the file's
// own first), at most maxAreaErrors of them, or nil.
func (p *areaParser) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(p.errs, func(a, b lineProblem) int { return a.line - b.line })
	lines := make(problems, len(p.errs))
	for i, e := range p.errs {
		lines[i] = e.msg
		if e.line > 0 {
			lines[i] = fmt.Sprintf("line %d: %s", e.line, e.msg)
		}
	}
	return lines.errUpTo(maxAreaErrors)
}

// sizeLimit reads at most left bytes of r, then fails: a table is never
// silently cut short.
type sizeLimit struct {
	r    io.Reader
	left int64
}

func (l *sizeLimit) Read(b []byte) (int, error) {
	if l.left <= 0 {
		if n, _ := l.r.Read(make([]byte, 1)); n > 0 {
			return 0, Errorf(EINVALID, "the areas table is larger than %d MB", maxAreaFileSize>>20)
		}
		return 0, io.EOF
	}
	if int64(len(b)) > l.left {
		b = b[:l.left]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	return n, err
}
