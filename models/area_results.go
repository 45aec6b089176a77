package models

import (
	"context"
	"database/sql"
)

// The standing of each area's result as the results page counts it, kept
// in area_results (migration 00011) so that the page of a province reads
// one narrow row per area instead of every tally, vote and candidate
// (issue 18). The store recomputes an area's row in the transaction that
// accepts, replaces, withdraws or recognises its tally (refreshStanding);
// triggers bump the row's version on any other write that can change it
// (a tally written directly, votes, candidates, the area, the election's
// rules), and a read recomputes the rows whose version moved
// (ElectionStandings). A row is thus never older than the tallies it
// summarises, whoever wrote them.

// Area result states: the names results.State gives them.
const (
	StandingNotReported = "not-reported"
	StandingAwaiting    = "awaiting-recognition"
	StandingProvisional = "provisional"
	StandingConflict    = "conflict"
	StandingAccepted    = "accepted"
	StandingRerun       = "rerun-needed"
)

// AreaStanding is one area's result as the page's roll-ups count it, in
// the public and the officials' view. Households are the area's as the
// page shows them (the tally's when the view shows one); the recognised
// numbers are view-independent.
type AreaStanding struct {
	AreaID int64
	Ward   *Ward // one of empty names for an area without a ward
	// States are the results.State names (Standing*).
	PublicState, AdminState           string
	PublicHouseholds, AdminHouseholds int
	// Of the recognised result (0 without one).
	RecognisedHouseholds, Attending int
	// Elected: recognised with a head elected.
	Elected bool
}

// StandingOf is the standing of an area (at, as ElectionResults gives it)
// under the election's rules: what results.Build makes of it, reduced to
// what the roll-ups add up.
func StandingOf(rules string, at *AreaTallies) AreaStanding {
	st := AreaStanding{AreaID: at.Area.ID, Ward: at.Area.Ward,
		PublicState: StandingNotReported, AdminState: StandingNotReported,
		PublicHouseholds: at.Area.Households, AdminHouseholds: at.Area.Households}
	t := at.Latest
	if at.Recognised != nil {
		t = at.Recognised // it stands until the ward withdraws it
	}
	if t == nil {
		return st
	}
	n := shownNumbers(t, at.Area)
	switch t.Status {
	case TallyRejected:
	case TallyAccepted:
		st.PublicState = StandingAccepted
		o, err := DecideOutcome(rules, n, at.Area.Candidates)
		if err == nil && o.Kind != OutcomeElected {
			st.PublicState = StandingRerun
		}
		st.Elected = err == nil && o.Kind == OutcomeElected
		st.AdminState = st.PublicState
		st.PublicHouseholds, st.AdminHouseholds = shownHouseholds(n, at.Area), shownHouseholds(n, at.Area)
		st.RecognisedHouseholds, st.Attending = n.Households, n.Attending
	case TallyProvisional, TallyConflict, TallyWithdrawn:
		st.PublicState, st.AdminState = StandingAwaiting, StandingProvisional
		if t.Status == TallyConflict {
			st.AdminState = StandingConflict
		}
		st.AdminHouseholds = shownHouseholds(n, at.Area)
	default: // a status the page does not know: no numbers
		st.PublicState, st.AdminState = StandingAwaiting, StandingAwaiting
	}
	return st
}

// shownNumbers are a tally's numbers as the page shows them: the list's
// households when the tally has none, votes of the area's candidates only.
func shownNumbers(t *Tally, a *Area) TallyNumbers {
	n := TallyNumbers{Kind: TallyKindOf(t.Kind), Method: t.Method, Households: t.Households, Attending: t.Attending,
		Issued: t.Issued, Returned: t.Returned, Valid: t.Valid, Invalid: t.Invalid, Votes: map[int]int{}}
	if n.Households <= 0 {
		n.Households = a.Households
	}
	byID := make(map[int64]int, len(a.Candidates))
	for _, c := range a.Candidates {
		byID[c.ID] = c.BallotNo
	}
	for _, v := range t.Votes {
		if no, ok := byID[v.CandidateID]; ok {
			n.Votes[no] = v.Votes
		}
	}
	return n
}

func shownHouseholds(n TallyNumbers, a *Area) int {
	if n.Households > 0 {
		return n.Households
	}
	return a.Households
}

// standingsSQL reads an election's areas with their wards and rows of
// area_results (NULL when an area has none yet), in load order.
const standingsSQL = `
SELECT a.id, a.households, w.id, w.code, w.name, w.city, w.province, w.kind,
       r.area_id, r.version, r.built_version, r.public_state, r.admin_state,
       r.public_households, r.admin_households, r.recognised_households, r.attending, r.elected
FROM areas a
LEFT JOIN wards w ON w.id = a.ward_id
LEFT JOIN area_results r ON r.area_id = a.id
WHERE a.election_id = ? AND (? = 0 OR a.ward_id = ?)
ORDER BY a.id`

// staleStanding is an area whose row is missing or older than its data:
// version is the row's version when it was read.
type staleStanding struct {
	areaID, version int64
}

// ElectionStandings reads the standing of each area of an election (of
// one ward when wardID is not 0), in load order, from area_results: the
// election (its Ward set when its areas are of one ward) and one row per
// area, recomputing first the rows a write has made stale. An unknown
// code is an ENOTFOUND error.
func (s Tallies) ElectionStandings(ctx context.Context, code string, wardID int64) (*Election, []*AreaStanding, error) {
	e, err := s.ElectionByCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	e.OpensAt, e.ClosesAt = e.OpensAt.UTC(), e.ClosesAt.UTC()
	e.Ward, e.WardID = nil, nil
	for attempt := 0; ; attempt++ {
		out, stale, err := s.readStandings(ctx, e.ID, wardID)
		if err != nil {
			return nil, nil, err
		}
		if len(stale) == 0 || attempt == 2 {
			// After two refreshes a row still stale is being written to
			// right now: what was read stands for this read.
			wards := map[int64]*Ward{}
			for _, st := range out {
				wards[st.Ward.ID] = st.Ward
			}
			if len(wards) == 1 {
				for _, w := range wards {
					e.Ward, e.WardID = w, &w.ID
				}
			}
			return e, out, nil
		}
		if err := s.refreshStale(ctx, e, wardID, stale); err != nil {
			return nil, nil, err
		}
	}
}

func (s Tallies) readStandings(ctx context.Context, electionID, wardID int64) ([]*AreaStanding, []staleStanding, error) {
	rows, err := s.DB(ctx).Raw(standingsSQL, electionID, wardID, wardID).Rows()
	if err != nil {
		return nil, nil, Wrap(EINTERNAL, err, "standings of election %d", electionID)
	}
	defer rows.Close()
	var (
		out   []*AreaStanding
		stale []staleStanding
		wards = map[int64]*Ward{}
	)
	for rows.Next() {
		var (
			aID, aHH                         int64
			wID                              sql.NullInt64
			wCode, wName, wCity, wPrv, wKind sql.NullString
			rID, ver, built                  sql.NullInt64
			pubState, admState               sql.NullString
			pubHH, admHH, recHH, att         sql.NullInt64
			elected                          sql.NullBool
		)
		if err := rows.Scan(&aID, &aHH, &wID, &wCode, &wName, &wCity, &wPrv, &wKind,
			&rID, &ver, &built, &pubState, &admState, &pubHH, &admHH, &recHH, &att, &elected); err != nil {
			return nil, nil, Wrap(EINTERNAL, err, "standings of election %d", electionID)
		}
		if !rID.Valid {
			stale = append(stale, staleStanding{areaID: aID})
		} else if ver.Int64 != built.Int64 {
			stale = append(stale, staleStanding{areaID: aID, version: ver.Int64})
		}
		st := &AreaStanding{AreaID: aID, PublicState: pubState.String, AdminState: admState.String,
			PublicHouseholds: int(pubHH.Int64), AdminHouseholds: int(admHH.Int64),
			RecognisedHouseholds: int(recHH.Int64), Attending: int(att.Int64), Elected: elected.Bool}
		if !rID.Valid {
			st.PublicState, st.AdminState = StandingNotReported, StandingNotReported
			st.PublicHouseholds, st.AdminHouseholds = int(aHH), int(aHH)
		}
		// As ElectionResultsOf: an area without a ward has a Ward of
		// empty names.
		w := wards[wID.Int64]
		if w == nil {
			w = &Ward{ID: wID.Int64, Code: wCode.String, Name: wName.String, City: wCity.String,
				Province: wPrv.String, Kind: wKind.String}
			wards[w.ID] = w
		}
		st.Ward = w
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, Wrap(EINTERNAL, err, "standings of election %d", electionID)
	}
	return out, stale, nil
}

// refreshStale recomputes stale rows: from one read of the election's
// results when there are many (the backfill, a seeded election), else
// area by area. A row is written only if its version has not moved since
// it was read (the tallies were read after it), so a concurrent writer's
// newer numbers are never overwritten with older ones.
func (s Tallies) refreshStale(ctx context.Context, e *Election, wardID int64, stale []staleStanding) error {
	return s.InTx(ctx, func(tx *Store) error {
		for _, st := range stale {
			if st.version == 0 { // no row yet: one to compute
				if err := tx.DB(ctx).Exec(`INSERT INTO area_results (area_id, election_id) VALUES (?, ?) ON CONFLICT (area_id) DO NOTHING`,
					st.areaID, e.ID).Error; err != nil {
					return Wrap(EINTERNAL, err, "results row of area %d", st.areaID)
				}
			}
		}
		if len(stale) > 16 {
			_, ats, err := tx.Tallies.ElectionResultsOf(ctx, e.Code, wardID)
			if err != nil {
				return err
			}
			byID := make(map[int64]*AreaTallies, len(ats))
			for _, at := range ats {
				byID[at.Area.ID] = at
			}
			for _, st := range stale {
				if at := byID[st.areaID]; at != nil {
					if err := tx.Tallies.writeStanding(ctx, StandingOf(e.Rules, at), max(st.version, 1)); err != nil {
						return err
					}
				}
			}
			return nil
		}
		for _, st := range stale {
			if err := tx.Tallies.refreshStandingAt(ctx, st.areaID, e.Rules, max(st.version, 1)); err != nil {
				return err
			}
		}
		return nil
	})
}

// refreshStanding recomputes an area's row of area_results: the last
// write of every transaction that changes the area's tallies, so the
// results page reads it current the moment the change commits.
func (s Tallies) refreshStanding(ctx context.Context, areaID int64) error {
	var r struct {
		Version int64
		Rules   string
	}
	err := s.DB(ctx).Raw(`SELECT r.version, e.rules FROM area_results r JOIN elections e ON e.id = r.election_id WHERE r.area_id = ?`, areaID).
		Scan(&r).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "results row of area %d", areaID)
	}
	if r.Version == 0 { // no row (an area older than its trigger): the next read computes it
		return nil
	}
	return s.refreshStandingAt(ctx, areaID, r.Rules, r.Version)
}

// refreshStandingAt computes an area's standing from its tallies and
// writes it if the row is still at version.
func (s Tallies) refreshStandingAt(ctx context.Context, areaID int64, rules string, version int64) error {
	area, err := s.Area(ctx, areaID)
	if err != nil {
		return err
	}
	var ts []*Tally
	if err := s.DB(ctx).Preload("Votes").Where("area_id = ?", areaID).Order("version").Find(&ts).Error; err != nil {
		return Wrap(EINTERNAL, err, "tallies of area %d", areaID)
	}
	h := &TallyHistory{Area: area, Versions: ts}
	at := &AreaTallies{Area: area, Latest: h.Latest(), Recognised: h.Recognised()}
	return s.writeStanding(ctx, StandingOf(rules, at), version)
}

func (s Tallies) writeStanding(ctx context.Context, st AreaStanding, version int64) error {
	err := s.DB(ctx).Exec(`UPDATE area_results SET public_state = ?, admin_state = ?, public_households = ?, admin_households = ?,
	recognised_households = ?, attending = ?, elected = ?, built_version = ? WHERE area_id = ? AND version = ?`,
		st.PublicState, st.AdminState, st.PublicHouseholds, st.AdminHouseholds, st.RecognisedHouseholds, st.Attending,
		st.Elected, version, st.AreaID, version).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "results row of area %d", st.AreaID)
	}
	return nil
}
