package models

// Loading a checked election file into the database: upserts by code,
// and a report of what changed.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// LoadReport says what LoadElection did.
type LoadReport struct {
	Election   string   // election code
	Created    bool     // the election was new
	Wards      int      // wards in the file
	Areas      int      // areas in the file
	Candidates int      // candidates in the file
	Removed    []string // areas deleted because they left the file: "kp3", or "hai-hoa/kp3" with several wards
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
	areas := fmt.Sprintf("%d areas", r.Areas)
	if r.Wards > 1 {
		areas += fmt.Sprintf(" in %d wards", r.Wards)
	}
	s := fmt.Sprintf("%s: loaded %s, %d candidates (%s)", r.Election, areas, r.Candidates, state)
	if len(r.Removed) > 0 {
		s += "; removed areas " + strings.Join(r.Removed, ", ")
	}
	return s
}

// LoadElectionFile reads, parses and loads an election file.
func (s Elections) LoadElectionFile(ctx context.Context, path string) (*LoadReport, error) {
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
// upserting by codes: the wards by their codes, the election by election.code,
// areas by (ward, code), the polling place by area, candidates by
// ballot number. Rows that already match are not written, so loading the
// same file twice leaves the same state (same IDs, same timestamps).
// Areas no longer in the file are deleted, unless they have voters or
// tallies: then the load is refused (ECONFLICT) and nothing changes. So is
// dropping a candidate who has votes in a tally.
func (s Elections) LoadElection(ctx context.Context, f *ElectionFile) (*LoadReport, error) {
	return s.LoadElectionWith(ctx, f, LoadOptions{})
}

// LoadOptions tune LoadElectionWith.
type LoadOptions struct {
	// KeepReminders leaves the election's reminder schedule as it is
	// instead of making it f.Schedule: import areas builds a file from the
	// stored election, which does not hold the reminders: list of the
	// election file it was loaded from.
	KeepReminders bool
}

// LoadElectionWith is LoadElection with options.
func (s Elections) LoadElectionWith(ctx context.Context, f *ElectionFile, opts LoadOptions) (*LoadReport, error) {
	if f == nil {
		return nil, Errorf(EINVALID, "no election file")
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	var rep *LoadReport
	err := s.InTx(ctx, func(tx *Store) error {
		rep = &LoadReport{Election: f.Election.Code, Areas: f.AreaCount(), Wards: len(f.AllWards())}
		return tx.loadElection(ctx, f, opts, rep)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (s Elections) loadElection(ctx context.Context, f *ElectionFile, opts LoadOptions, rep *LoadReport) error {
	db := s.DB(ctx)
	now := s.now()
	wards := f.AllWards()

	// Wards, by code.
	wardIDs := make([]int64, len(wards))
	for i := range wards {
		id, err := s.loadWard(db, &wards[i], now, rep)
		if err != nil {
			return err
		}
		wardIDs[i] = id
	}
	var oneWard *int64
	province := f.Province
	if len(f.Wards) == 0 {
		oneWard = &wardIDs[0]
		province = f.Ward.Province
	}

	// Election.
	fe := &f.Election
	var e Election
	err := db.Where("code = ?", fe.Code).Take(&e).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		e = Election{Code: fe.Code, WardID: oneWard, Province: province, Title: fe.Title, Date: fe.Date,
			Opens: fe.Opens, Closes: fe.Closes, Timezone: fe.Timezone, Rules: fe.Rules, Method: fe.Method,
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
		c.optInt64("ward_id", e.WardID, oneWard)
		c.str("province", e.Province, province)
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
	if !opts.KeepReminders || rep.Created {
		if err := s.scheduleReminders(db, e.ID, f.Schedule); err != nil {
			return err
		}
	}
	return s.loadAreas(db, &e, f, wards, wardIDs, rep)
}

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
	var cands []*Candidate
	if err := db.Where("area_id IN (?)", db.Model(&Area{}).Select("id").Where("election_id = ?", e.ID)).
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
					Households: fa.Households}
				if err := db.Create(a).Error; err != nil {
					return Wrap(EINTERNAL, err, "create area %s", fa.Code)
				}
				rep.Changes++
			} else {
				c := colChanges{}
				c.str("name", a.Name, fa.Name)
				c.str("unit", a.Unit, fa.Unit)
				c.int("households", a.Households, fa.Households)
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
	case err != nil:
		return 0, Wrap(EINTERNAL, err, "find ward %s", fw.Code)
	default:
		c := colChanges{}
		c.str("name", w.Name, fw.Name)
		c.str("city", w.City, fw.City)
		c.str("province", w.Province, fw.Province)
		c.str("kind", w.Kind, fw.Kind)
		c.str("folded", w.Folded, WardFolded(fw.Name))
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
	} else {
		pp := *cur
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
				"%s.candidates: ballot number %d (%s) has votes in a tally: loading would delete them; keep the candidate in the file",
				at, c.BallotNo, c.Name))
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

func (c colChanges) optInt64(col string, old, new *int64) {
	switch {
	case old == nil && new == nil:
	case old != nil && new != nil && *old == *new:
	case new == nil:
		c[col] = nil
	default:
		c[col] = *new
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
