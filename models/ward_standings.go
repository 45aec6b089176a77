package models

import (
	"context"
	"database/sql"
)

// WardStanding is the sum of a ward's areas' standings (AreaStanding): the
// ward's line of the results page's roll-up, added up by the database
// from area_results (one row per ward, not per area).
type WardStanding struct {
	Ward *Ward // of empty names for areas without a ward
	// FirstArea is the ward's first area in load order: the roll-up lists
	// wards (and their cities) in that order.
	FirstArea int64
	Areas     int
	// Recognised = accepted (Elected or not) + re-run; Received: any
	// tally in but a rejected one. Provisional and Conflict are the
	// officials' view's counts.
	Recognised, Elected, Rerun, Received, Provisional, Conflict int
	// Households as each view shows them; of the recognised results.
	PublicHouseholds, AdminHouseholds int
	RecognisedHouseholds, Attending   int
}

// wardStandingsSQL sums area_results by ward; stale counts the rows that
// are missing or older than their data. It groups by the areas' ward_id
// (an integer) and joins the wards' names to the sums after, rather than
// grouping by every name: faster on SQLite (indicative, a loaded
// machine: /ketqua of 1,452 areas 5–6 ms against 7–10 ms).
const wardStandingsSQL = `
SELECT w.id, w.code, w.name, w.city, w.province, w.kind, g.first, g.areas, g.stale, g.recognised, g.elected, g.rerun,
       g.received, g.provisional, g.conflict, g.public_households, g.admin_households, g.recognised_households, g.attending
FROM (SELECT a.ward_id, MIN(a.id) AS first, COUNT(*) AS areas,
       SUM(CASE WHEN r.area_id IS NULL OR r.version <> r.built_version THEN 1 ELSE 0 END) AS stale,
       SUM(CASE WHEN r.public_state IN ('accepted', 'rerun-needed') THEN 1 ELSE 0 END) AS recognised,
       SUM(CASE WHEN r.public_state = 'accepted' AND r.elected THEN 1 ELSE 0 END) AS elected,
       SUM(CASE WHEN r.public_state = 'rerun-needed' THEN 1 ELSE 0 END) AS rerun,
       SUM(CASE WHEN r.public_state <> 'not-reported' THEN 1 ELSE 0 END) AS received,
       SUM(CASE WHEN r.admin_state = 'provisional' THEN 1 ELSE 0 END) AS provisional,
       SUM(CASE WHEN r.admin_state = 'conflict' THEN 1 ELSE 0 END) AS conflict,
       SUM(COALESCE(r.public_households, a.households)) AS public_households,
       SUM(COALESCE(r.admin_households, a.households)) AS admin_households,
       SUM(COALESCE(r.recognised_households, 0)) AS recognised_households, SUM(COALESCE(r.attending, 0)) AS attending
      FROM areas a
      LEFT JOIN area_results r ON r.area_id = a.id
      WHERE a.election_id = ?
      GROUP BY a.ward_id) g
LEFT JOIN wards w ON w.id = g.ward_id
ORDER BY g.first`

// ElectionWardStandings is ElectionStandings summed by ward, in the order
// of each ward's first area: what the page of several wards rolls up. It
// reads one row per ward; stale rows are recomputed first (through
// ElectionStandings). The election's Ward is set when its areas are of
// one ward. ENOTFOUND for an unknown code.
func (s Tallies) ElectionWardStandings(ctx context.Context, code string) (*Election, []*WardStanding, error) {
	e, err := s.ElectionByCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	return s.WardStandingsOf(ctx, e)
}

// WardStandingsOf is ElectionWardStandings of an election already read
// (one statement fewer); el is not changed, the election returned is a
// copy.
func (s Tallies) WardStandingsOf(ctx context.Context, el *Election) (*Election, []*WardStanding, error) {
	cp := *el
	e := &cp
	e.OpensAt, e.ClosesAt = e.OpensAt.UTC(), e.ClosesAt.UTC()
	e.Ward, e.WardID = nil, nil
	out, stale, err := s.readWardStandings(ctx, e.ID)
	if err != nil {
		return nil, nil, err
	}
	if stale > 0 {
		// A write that did not go through the store (or the backfill):
		// the per-area read recomputes the stale rows, then sum again.
		if _, _, err := s.ElectionStandings(ctx, e.Code, 0); err != nil {
			return nil, nil, err
		}
		if out, _, err = s.readWardStandings(ctx, e.ID); err != nil {
			return nil, nil, err
		}
	}
	if len(out) == 1 {
		e.Ward, e.WardID = out[0].Ward, &out[0].Ward.ID
	}
	return e, out, nil
}

func (s Tallies) readWardStandings(ctx context.Context, electionID int64) ([]*WardStanding, int, error) {
	rows, err := s.DB(ctx).Raw(wardStandingsSQL, electionID).Rows()
	if err != nil {
		return nil, 0, Wrap(EINTERNAL, err, "standings by ward of election %d", electionID)
	}
	defer rows.Close()
	var (
		out   []*WardStanding
		stale int
	)
	for rows.Next() {
		var (
			wID                              sql.NullInt64
			wCode, wName, wCity, wPrv, wKind sql.NullString
			st                               WardStanding
			n                                int
		)
		if err := rows.Scan(&wID, &wCode, &wName, &wCity, &wPrv, &wKind, &st.FirstArea, &st.Areas, &n,
			&st.Recognised, &st.Elected, &st.Rerun, &st.Received, &st.Provisional, &st.Conflict,
			&st.PublicHouseholds, &st.AdminHouseholds, &st.RecognisedHouseholds, &st.Attending); err != nil {
			return nil, 0, Wrap(EINTERNAL, err, "standings by ward of election %d", electionID)
		}
		st.Ward = &Ward{ID: wID.Int64, Code: wCode.String, Name: wName.String, City: wCity.String,
			Province: wPrv.String, Kind: wKind.String}
		stale += n
		out = append(out, &st)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, Wrap(EINTERNAL, err, "standings by ward of election %d", electionID)
	}
	return out, stale, nil
}

// ConflictAreas are the first limit areas of an election (in load order,
// each with its Ward) whose latest report disagrees with an earlier one
// (AdminState StandingConflict), from area_results: what a province's
// roll-up in chat names for the officials to look at. Read it after
// ElectionWardStandings, which brings stale rows up to date.
func (s Tallies) ConflictAreas(ctx context.Context, electionID int64, limit int) ([]*Area, error) {
	rows, err := s.DB(ctx).Raw(`SELECT a.id, a.code, a.name, a.households, w.id, w.code, w.name, w.city, w.province, w.kind
FROM area_results r
JOIN areas a ON a.id = r.area_id
LEFT JOIN wards w ON w.id = a.ward_id
WHERE r.election_id = ? AND r.admin_state = ?
ORDER BY a.id
LIMIT ?`, electionID, StandingConflict, limit).Rows()
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "areas in conflict of election %d", electionID)
	}
	defer rows.Close()
	var out []*Area
	for rows.Next() {
		var (
			a                                Area
			wID                              sql.NullInt64
			wCode, wName, wCity, wPrv, wKind sql.NullString
		)
		if err := rows.Scan(&a.ID, &a.Code, &a.Name, &a.Households, &wID, &wCode, &wName, &wCity, &wPrv, &wKind); err != nil {
			return nil, Wrap(EINTERNAL, err, "areas in conflict of election %d", electionID)
		}
		a.ElectionID, a.WardID = electionID, wID.Int64
		a.Ward = &Ward{ID: wID.Int64, Code: wCode.String, Name: wName.String, City: wCity.String,
			Province: wPrv.String, Kind: wKind.String}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, Wrap(EINTERNAL, err, "areas in conflict of election %d", electionID)
	}
	return out, nil
}
