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

	// What changed, by kind (Details); the removed areas are Removed.
	ElectionFields                                        []string // the election's fields that changed: "title", "date"
	WardsAdded, WardsChanged                              int
	AreasAdded, AreasChanged                              int
	PlacesAdded, PlacesChanged                            int // polling places
	CandidatesAdded, CandidatesChanged, CandidatesRemoved int
	// The reminder schedule: reminders added, moved (another time,
	// audience or text; a missed one scheduled again) and dropped.
	RemindersAdded, RemindersChanged, RemindersRemoved int
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

// Details are the report's changes by kind, one line each ("areas: 1
// added, 2 changed, 1 removed (kp3)"); none when nothing changed or the
// election was created.
func (r *LoadReport) Details() []string {
	if r.Created {
		return nil
	}
	var lines []string
	add := func(kind string, parts ...string) {
		var ps []string
		for _, p := range parts {
			if p != "" {
				ps = append(ps, p)
			}
		}
		if len(ps) > 0 {
			lines = append(lines, kind+": "+strings.Join(ps, ", "))
		}
	}
	n := func(k int, what string) string {
		if k == 0 {
			return ""
		}
		return fmt.Sprintf("%d %s", k, what)
	}
	if len(r.ElectionFields) > 0 {
		add("election", strings.Join(r.ElectionFields, ", ")+" changed")
	}
	add("wards", n(r.WardsAdded, "added"), n(r.WardsChanged, "changed"))
	removed := ""
	if len(r.Removed) > 0 {
		removed = fmt.Sprintf("%d removed (%s)", len(r.Removed), strings.Join(r.Removed, ", "))
	}
	add("areas", n(r.AreasAdded, "added"), n(r.AreasChanged, "changed"), removed)
	add("polling places", n(r.PlacesAdded, "added"), n(r.PlacesChanged, "changed"))
	add("candidates", n(r.CandidatesAdded, "added"), n(r.CandidatesChanged, "renamed"), n(r.CandidatesRemoved, "removed"))
	add("reminder schedule", n(r.RemindersAdded, "added"), n(r.RemindersChanged, "rescheduled"), n(r.RemindersRemoved, "dropped"))
	return lines
}

// Text is String and then the Details, indented: what `electionbot load`
// prints.
func (r *LoadReport) Text() string {
	s := r.String()
	for _, l := range r.Details() {
		s += "\n  " + l
	}
	return s
}

// ReadElectionFile reads and parses an election file. A file that cannot
// be read is EINVALID "cannot read election file x.yaml" wrapping the
// operating system's *fs.PathError (the CLI prints both: "…: open x.yaml:
// no such file or directory").
func ReadElectionFile(path string) (*ElectionFile, error) {
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
	return ParseElectionFile(data)
}

// LoadElectionFile reads, parses and loads an election file.
func (s Elections) LoadElectionFile(ctx context.Context, path string) (*LoadReport, error) {
	f, err := ReadElectionFile(path)
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
			PlanDays: *fe.PlanDays, CommitteeDays: *fe.CommitteeDays, CandidatesDays: *fe.CandidatesDays,
			Electorate: fe.Electorate, Holidays: strings.Join(fe.Holidays, ","),
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
		c.int("plan_days", e.PlanDays, *fe.PlanDays)
		c.int("committee_days", e.CommitteeDays, *fe.CommitteeDays)
		c.int("candidates_days", e.CandidatesDays, *fe.CandidatesDays)
		c.str("electorate", e.ElectorateOrDefault(), fe.Electorate)
		c.str("holidays", e.Holidays, strings.Join(fe.Holidays, ","))
		for col := range c {
			rep.ElectionFields = append(rep.ElectionFields, col)
		}
		sort.Strings(rep.ElectionFields)
		if err := c.apply(db, &e, now, rep); err != nil {
			return Wrap(EINTERNAL, err, "update election %s", e.Code)
		}
	}

	// Its reminders: rescheduled, never duplicated.
	if !opts.KeepReminders || rep.Created {
		if err := s.rescheduleReminders(db, e.ID, f.Schedule, rep); err != nil {
			return err
		}
	}
	return s.loadAreas(db, &e, f, wards, wardIDs, rep)
}

// rescheduleReminders is scheduleReminders, counting in rep what it
// changed (the rows before and after, by key).
func (s Elections) rescheduleReminders(db *gorm.DB, electionID int64, plan []PlannedReminder, rep *LoadReport) error {
	read := func() (map[string]Reminder, error) {
		var rs []Reminder
		if err := db.Where("election_id = ?", electionID).Find(&rs).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "reminders of election %d", electionID)
		}
		m := make(map[string]Reminder, len(rs))
		for _, r := range rs {
			m[r.Key] = r
		}
		return m, nil
	}
	before, err := read()
	if err != nil {
		return err
	}
	if err := s.scheduleReminders(db, electionID, plan); err != nil {
		return err
	}
	after, err := read()
	if err != nil {
		return err
	}
	for k, a := range after {
		b, ok := before[k]
		switch {
		case !ok:
			rep.RemindersAdded++
		case !a.FireAt.Equal(b.FireAt) || a.Audience != b.Audience || a.MessageKey != b.MessageKey || a.Status != b.Status:
			rep.RemindersChanged++
		default:
			continue
		}
		rep.Changes++
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			rep.RemindersRemoved++
			rep.Changes++
		}
	}
	return nil
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

func (c colChanges) optInt64(col string, old, new *int64) { optional(c, col, old, new) }

func (c colChanges) time(col string, old, new time.Time) {
	if !old.Equal(new) {
		c[col] = new.UTC()
	}
}

func (c colChanges) float(col string, old, new *float64) { optional(c, col, old, new) }

// optional notes a nullable column whose value changed (to NULL or not).
func optional[T comparable](c colChanges, col string, old, new *T) {
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
