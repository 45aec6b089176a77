package models

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Loading the areas of a checked election file: each ward's areas upserted
// by (ward, code), with their polling places and candidates.

// areaKey names an area in an election: codes repeat across wards.
type areaKey struct {
	ward int64
	code string
}

// loadAreas makes the election's areas those of the file's wards: areas
// that left the file are deleted (refused if anything hangs on them), the
// others upserted by (ward, code) with their polling place and candidates.
// The current rows are read in three queries, so loading a province again
// costs no more than reading it.
func (s Elections) loadAreas(db *gorm.DB, e *Election, f *ElectionFile, wards []FileWard, wardIDs []int64, rep *LoadReport) error {
	var existing []*Area
	if err := db.Where("election_id = ?", e.ID).Order("id").Find(&existing).Error; err != nil {
		return Wrap(EINTERNAL, err, "areas of election %s", e.Code)
	}
	byKey := make(map[areaKey]*Area, len(existing))
	for _, a := range existing {
		byKey[areaKey{a.WardID, a.Code}] = a
	}
	inFile := make(map[areaKey]bool, f.AreaCount())
	for i, w := range wards {
		for _, fa := range w.Areas {
			inFile[areaKey{wardIDs[i], fa.Code}] = true
		}
	}
	names, err := s.areaNamer(db, f, wards, wardIDs, existing)
	if err != nil {
		return err
	}
	var conflicts []string
	var gone []*Area
	for _, a := range existing {
		if inFile[areaKey{a.WardID, a.Code}] {
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
				names.sentence(a), plural(voters, "voter", "voters"), plural(tallies, "tally", "tallies")))
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
		rep.Removed = append(rep.Removed, names.short(a))
		rep.Changes++
	}
	sort.Strings(rep.Removed)

	// The polling places and candidates of the areas that stay, at once.
	var places []*PollingPlace
	if err := db.Where("area_id IN (?)", db.Model(&Area{}).Select("id").Where("election_id = ?", e.ID)).
		Find(&places).Error; err != nil {
		return Wrap(EINTERNAL, err, "polling places of election %s", e.Code)
	}
	placeOf := make(map[int64]*PollingPlace, len(places))
	for _, pp := range places {
		placeOf[pp.AreaID] = pp
	}
	// The file's candidates: those nominated at a meeting are the
	// tallies', never the file's to rename or drop.
	var cands []*Candidate
	if err := db.Where("nominated = ? AND area_id IN (?)", false, db.Model(&Area{}).Select("id").Where("election_id = ?", e.ID)).
		Order("area_id, ballot_no").Find(&cands).Error; err != nil {
		return Wrap(EINTERNAL, err, "candidates of election %s", e.Code)
	}
	candsOf := make(map[int64][]*Candidate, len(existing))
	for _, c := range cands {
		candsOf[c.AreaID] = append(candsOf[c.AreaID], c)
	}

	// Areas of the file, in order.
	for i, w := range wards {
		aat := "areas"
		if len(f.Wards) > 0 {
			aat = fmt.Sprintf("wards[%d].areas", i)
		}
		for j := range w.Areas {
			fa := &w.Areas[j]
			at := fmt.Sprintf("%s[%d]", aat, j)
			a, ok := byKey[areaKey{wardIDs[i], fa.Code}]
			if !ok {
				a = &Area{ElectionID: e.ID, WardID: wardIDs[i], Code: fa.Code, Name: fa.Name, Unit: fa.Unit,
					Households: fa.ElectorateCount(), Electorate: fa.Electorate}
				if err := db.Create(a).Error; err != nil {
					return Wrap(EINTERNAL, err, "create area %s", fa.Code)
				}
				rep.Changes++
				rep.AreasAdded++
			} else {
				c := colChanges{}
				c.str("name", a.Name, fa.Name)
				c.str("unit", a.Unit, fa.Unit)
				c.int("households", a.Households, fa.ElectorateCount())
				c.str("electorate", ElectorateOf(a.Electorate), fa.Electorate)
				if len(c) > 0 {
					rep.AreasChanged++
				}
				if err := c.apply(db, a, time.Time{}, rep); err != nil {
					return Wrap(EINTERNAL, err, "update area %s", fa.Code)
				}
			}
			if err := s.loadPollingPlace(db, a, placeOf[a.ID], &fa.PollingPlace, rep); err != nil {
				return err
			}
			c, err := s.loadCandidates(db, at, a, candsOf[a.ID], fa.Candidates, rep)
			if err != nil {
				return err
			}
			conflicts = append(conflicts, c...)
			rep.Candidates += len(fa.Candidates)
		}
	}
	if len(conflicts) > 0 {
		return Errorf(ECONFLICT, "%s", strings.Join(conflicts, "\n"))
	}
	return nil
}

// areaNames names the areas of an election in messages: by their code
// alone while the election has one ward, by ward and code once codes
// repeat across wards ("kp1" is in every phường).
type areaNames map[int64]string // ward id → ward code; nil: one ward

// areaNamer is the areaNames of a load: with the ward when the file has
// wards: or the election has areas in other wards than the file's.
func (s Elections) areaNamer(db *gorm.DB, f *ElectionFile, wards []FileWard, wardIDs []int64, existing []*Area) (areaNames, error) {
	codes := make(areaNames, len(wards))
	for i, w := range wards {
		codes[wardIDs[i]] = w.Code
	}
	var others []int64
	for _, a := range existing {
		if _, ok := codes[a.WardID]; !ok {
			others = append(others, a.WardID)
			codes[a.WardID] = ""
		}
	}
	if len(f.Wards) == 0 && len(others) == 0 {
		return nil, nil
	}
	if len(others) > 0 {
		var ws []*Ward
		if err := db.Where("id IN ?", others).Find(&ws).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "wards of the election's areas")
		}
		for _, w := range ws {
			codes[w.ID] = w.Code
		}
	}
	return codes, nil
}

// sentence is "kp1", or "kp1 of ward hai-hoa".
func (n areaNames) sentence(a *Area) string {
	if n == nil {
		return a.Code
	}
	return a.Code + " of ward " + n[a.WardID]
}

// short is "kp1", or "hai-hoa/kp1".
func (n areaNames) short(a *Area) string {
	if n == nil {
		return a.Code
	}
	return n[a.WardID] + "/" + a.Code
}

// loadWard upserts a ward of the file by its code and returns its id.
func (s Elections) loadWard(db *gorm.DB, fw *FileWard, now time.Time, rep *LoadReport) (int64, error) {
	var w Ward
	err := db.Where("code = ?", fw.Code).Take(&w).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		w = Ward{Code: fw.Code, Name: fw.Name, City: fw.City, Province: fw.Province, Kind: fw.Kind,
			Folded: WardFolded(fw.Name), CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&w).Error; err != nil {
			return 0, Wrap(EINTERNAL, err, "create ward %s", w.Code)
		}
		rep.Changes++
		rep.WardsAdded++
	case err != nil:
		return 0, Wrap(EINTERNAL, err, "find ward %s", fw.Code)
	default:
		c := colChanges{}
		c.str("name", w.Name, fw.Name)
		c.str("city", w.City, fw.City)
		c.str("province", w.Province, fw.Province)
		c.str("kind", w.Kind, fw.Kind)
		c.str("folded", w.Folded, WardFolded(fw.Name))
		if len(c) > 0 {
			rep.WardsChanged++
		}
		if err := c.apply(db, &w, now, rep); err != nil {
			return 0, Wrap(EINTERNAL, err, "update ward %s", w.Code)
		}
	}
	return w.ID, nil
}

// loadPollingPlace makes an area's polling place (cur, nil if none yet)
// that of the file.
func (s Elections) loadPollingPlace(db *gorm.DB, a *Area, cur *PollingPlace, fp *FilePollingPlace, rep *LoadReport) error {
	if cur == nil {
		pp := PollingPlace{AreaID: a.ID, Name: fp.Name, Address: fp.Address, Lat: fp.Lat, Lon: fp.Lon}
		if err := db.Create(&pp).Error; err != nil {
			return Wrap(EINTERNAL, err, "create polling place of area %s", a.Code)
		}
		rep.Changes++
		rep.PlacesAdded++
	} else {
		pp := *cur
		c := colChanges{}
		c.str("name", pp.Name, fp.Name)
		c.str("address", pp.Address, fp.Address)
		c.float("lat", pp.Lat, fp.Lat)
		c.float("lon", pp.Lon, fp.Lon)
		if len(c) > 0 {
			rep.PlacesChanged++
		}
		if err := c.apply(db, &pp, time.Time{}, rep); err != nil {
			return Wrap(EINTERNAL, err, "update polling place of area %s", a.Code)
		}
	}
	return nil
}

// loadCandidates makes an area's candidates (cur, by ballot number) those
// of names. It returns conflicts (a dropped candidate who has votes), named
// by the area's path in the file (at).
func (s Elections) loadCandidates(db *gorm.DB, at string, a *Area, cur []*Candidate, names []string, rep *LoadReport) ([]string, error) {
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
			rep.CandidatesAdded++
			continue
		}
		ch := colChanges{}
		ch.str("name", c.Name, name)
		ch.str("name_folded", c.NameFolded, Fold(name))
		if len(ch) > 0 {
			rep.CandidatesChanged++
		}
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
				"%s.candidates: ballot number %d (%s) has votes in a tally: loading would delete them; keep the candidate in the file",
				at, c.BallotNo, c.Name))
			continue
		}
		if err := db.Delete(&Candidate{}, c.ID).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "delete candidate %d of area %s", c.BallotNo, a.Code)
		}
		rep.Changes++
		rep.CandidatesRemoved++
	}
	return conflicts, nil
}
