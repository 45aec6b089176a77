package models

import (
	"fmt"
	"strings"
)

// This file checks the wards and areas of an election file, in either form
// (docs/design.md §5), and gives both forms one shape: AllWards.

// AllWards is the file's wards with their areas, whatever its form: the
// one ward of a `ward:` file (with the top-level areas), or the `wards:`
// list (each with the file's province). Call it after Check.
func (f *ElectionFile) AllWards() []FileWard {
	if len(f.Wards) == 0 {
		w := f.Ward
		w.Areas = f.Areas
		return []FileWard{w}
	}
	out := make([]FileWard, len(f.Wards))
	for i, w := range f.Wards {
		w.Province = f.Province
		out[i] = w
	}
	return out
}

// AreaCount is the number of areas in all the file's wards.
func (f *ElectionFile) AreaCount() int {
	n := len(f.Areas)
	for _, w := range f.Wards {
		n += len(w.Areas)
	}
	return n
}

// checkProvince checks the `wards:` form: ward codes unique in the file,
// each ward checked as a one-ward file would be.
func (f *ElectionFile) checkProvince(p *problems) {
	if w := f.Ward; w.Code != "" || w.Name != "" || w.City != "" || w.Province != "" || w.Kind != "" || w.Areas != nil {
		p.add("ward", "a file has either ward: (one ward) or wards: (several), not both")
	}
	if len(f.Areas) > 0 {
		p.add("areas", "with wards:, each ward lists its own areas")
	}
	codes := map[string]int{}
	for i := range f.Wards {
		w := &f.Wards[i]
		at := fmt.Sprintf("wards[%d]", i)
		if w.Code != "" {
			if j, dup := codes[w.Code]; dup {
				p.add(at+".code", "%q is used twice (also wards[%d])", w.Code, j)
			} else {
				codes[w.Code] = i
			}
		}
		if w.Province != "" {
			p.add(at+".province", "the province is named once, at the top of the file")
		}
		f.checkWard(p, at, w, at+".areas", w.Areas)
	}
}

// checkWard checks a ward (at path wat) and its areas (at path aat).
func (f *ElectionFile) checkWard(p *problems, wat string, w *FileWard, aat string, areas []FileArea) {
	p.slug(wat+".code", w.Code)
	p.required(wat+".name", w.Name)
	p.kind(wat+".kind", &w.Kind, w.Name, ParseWardKind, WardKindFromName, WardKinds)
	if len(areas) == 0 {
		p.add(aat, "at least one area is required")
	}
	codes := map[string]int{}
	for i := range areas {
		a := &areas[i]
		at := fmt.Sprintf("%s[%d]", aat, i)
		if p.slug(at+".code", a.Code) {
			if j, dup := codes[a.Code]; dup {
				p.add(at+".code", "%q is used twice (also %s[%d])", a.Code, aat, j)
			} else {
				codes[a.Code] = i
			}
		}
		p.required(at+".name", a.Name)
		p.kind(at+".unit", &a.Unit, a.Name, ParseUnit, UnitFromName, Units)
		f.checkAreaElectorate(p, at, a)
		checkFileArea(p, at, a)
	}
}

// kind normalises a kind field (a ward's kind, an area's unit): parsed
// when the file gives it, else read from the name.
func (p *problems) kind(path string, v *string, name string, parse func(string) (string, bool), fromName func(string) string, all []string) {
	if *v == "" {
		*v = fromName(name)
		return
	}
	if k, ok := parse(*v); ok {
		*v = k
		return
	}
	p.add(path, "%q must be one of %s", *v, strings.Join(all, ", "))
}

// checkFileArea checks an area's polling place and candidates (its
// electorate: checkAreaElectorate).
func checkFileArea(p *problems, at string, a *FileArea) {
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
	if len(a.Candidates) > MaxFileCandidates { // the nominees' numbers start above (rules_nominees.go)
		p.add(at+".candidates", "%d candidates; at most %d", len(a.Candidates), MaxFileCandidates)
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

// normaliseWard trims a ward's strings and its areas'.
func normaliseWard(w *FileWard, areas []FileArea) {
	w.Code = strings.TrimSpace(w.Code)
	w.Kind = strings.TrimSpace(w.Kind)
	for _, s := range []*string{&w.Name, &w.City, &w.Province} {
		*s = squeezeSpaces(*s)
	}
	for i := range areas {
		a := &areas[i]
		a.Code = strings.TrimSpace(a.Code)
		a.Unit = strings.TrimSpace(a.Unit)
		a.Name = squeezeSpaces(a.Name)
		a.PollingPlace.Name = squeezeSpaces(a.PollingPlace.Name)
		a.PollingPlace.Address = squeezeSpaces(a.PollingPlace.Address)
		for j := range a.Candidates {
			a.Candidates[j] = squeezeSpaces(a.Candidates[j])
		}
	}
}
