package models

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// AreaTallies is one area of an election's results: the area with its
// candidates (by ballot number, nominated ones last; no polling place),
// the latest version of its counting minutes with its votes (nil when
// nothing was reported), when that version is in conflict the version it
// conflicts with (the latest earlier version not rejected), and the
// recognised version (the highest accepted one: Latest itself, an earlier
// one while a later report awaits the ward's review, or nil), with their
// votes.
type AreaTallies struct {
	Area       *Area
	Latest     *Tally
	Previous   *Tally
	Recognised *Tally
}

// Pending is the latest version when it came after the recognised one
// (waiting for the ward's review), else nil.
func (at *AreaTallies) Pending() *Tally {
	if at.Recognised != nil && at.Latest != nil && at.Latest.ID != at.Recognised.ID && at.Latest.Status != TallyRejected {
		return at.Latest
	}
	return nil
}

// resultsSQL is the whole roll-up of one election in one statement: the
// election and its ward, then one row per (area, candidate) — one row with
// NULL candidate columns for an area without candidates, and one with NULL
// area columns for an election without areas — with the area's latest tally
// (its highest version, found through the (area_id, version) unique index),
// that candidate's votes in it and, for a conflict, the earlier version and
// its votes, and the recognised version (highest accepted) when it is not
// the latest, with its votes. The vote joins are keyed by (tally_id, candidate_id), the
// primary key of tally_votes, so rows are never multiplied. The same SQL runs
// on PostgreSQL and SQLite.
const resultsSQL = `
SELECT e.id, e.code, e.province, e.title, e.date, e.opens, e.closes, e.timezone, e.rules, e.method,
       e.opens_at, e.closes_at, e.electorate,
       w.id, w.code, w.name, w.city, w.province, w.kind,
       a.id, a.code, a.name, a.unit, a.households, a.electorate,
       c.id, c.ballot_no, c.name, c.nominated,
       t.id, t.version, t.reporter_id, t.kind, t.method, t.households, t.attending,
       t.issued, t.returned, t.valid, t.invalid, t.photo_ref, t.status, t.created_at,
       tv.votes,
       p.id, p.version, p.reporter_id, p.kind, p.method, p.households, p.attending,
       p.issued, p.returned, p.valid, p.invalid, p.photo_ref, p.status, p.created_at,
       pv.votes,
       r.id, r.version, r.reporter_id, r.kind, r.method, r.households, r.attending,
       r.issued, r.returned, r.valid, r.invalid, r.photo_ref, r.status, r.created_at,
       rv.votes
FROM elections e
LEFT JOIN areas a ON a.election_id = e.id AND (? = 0 OR a.ward_id = ?)
LEFT JOIN wards w ON w.id = a.ward_id
LEFT JOIN candidates c ON c.area_id = a.id
LEFT JOIN tallies t ON t.area_id = a.id
     AND t.version = (SELECT MAX(t2.version) FROM tallies t2 WHERE t2.area_id = a.id)
LEFT JOIN tally_votes tv ON tv.tally_id = t.id AND tv.candidate_id = c.id
LEFT JOIN tallies p ON t.status = 'conflict' AND p.area_id = a.id
     AND p.version = (SELECT MAX(t3.version) FROM tallies t3
                      WHERE t3.area_id = a.id AND t3.version < t.version AND t3.status <> 'rejected')
LEFT JOIN tally_votes pv ON pv.tally_id = p.id AND pv.candidate_id = c.id
LEFT JOIN tallies r ON t.status <> 'accepted' AND r.area_id = a.id
     AND r.version = (SELECT MAX(t4.version) FROM tallies t4 WHERE t4.area_id = a.id AND t4.status = 'accepted')
LEFT JOIN tally_votes rv ON rv.tally_id = r.id AND rv.candidate_id = c.id
WHERE e.code = ?
ORDER BY a.id, c.ballot_no`

// ElectionResults is ElectionResultsOf(ctx, code, 0): the whole election.
func (s Tallies) ElectionResults(ctx context.Context, code string) (*Election, []*AreaTallies, error) {
	return s.ElectionResultsOf(ctx, code, 0)
}

// ElectionResultsOf reads everything the results page of one election
// shows in a single query (resultsSQL): the election, and each area (in
// load order; of one ward if wardID is not 0) with its ward, its
// candidates, its latest tally and, for a conflict, the version before.
// The election's Ward is set when its areas are of one ward. An unknown
// code is an ENOTFOUND error.
func (s Tallies) ElectionResultsOf(ctx context.Context, code string, wardID int64) (*Election, []*AreaTallies, error) {
	return s.electionResults(ctx, code, resultsSQL, wardID, wardID, code)
}

// wardsResultsSQL is resultsSQL of the areas of a set of wards.
var wardsResultsSQL = strings.Replace(resultsSQL, "(? = 0 OR a.ward_id = ?)", "a.ward_id IN ?", 1)

// ElectionResultsOfWards is ElectionResultsOf the areas of the wards
// wardIDs (at least one): a city's, read without the rest of the
// province. The election's Ward is set when the areas are of one ward.
func (s Tallies) ElectionResultsOfWards(ctx context.Context, code string, wardIDs []int64) (*Election, []*AreaTallies, error) {
	if len(wardIDs) == 0 {
		wardIDs = []int64{-1} // no ward: the election alone, as for a ward it has no area in
	}
	return s.electionResults(ctx, code, wardsResultsSQL, wardIDs, code)
}

// ElectionWardsByCode lists the wards of the election with the code, in
// the order of their first area (as ElectionWards), in one statement;
// none for an unknown code.
func (s Tallies) ElectionWardsByCode(ctx context.Context, code string) ([]*Ward, error) {
	var ws []*Ward
	err := s.DB(ctx).Raw(`SELECT w.* FROM wards w JOIN (SELECT a.ward_id, MIN(a.id) AS first FROM areas a
		JOIN elections e ON e.id = a.election_id WHERE e.code = ? GROUP BY a.ward_id) f ON f.ward_id = w.id ORDER BY f.first`, code).
		Scan(&ws).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "wards of election %q", code)
	}
	return ws, nil
}

// electionResults runs query (resultsSQL filtered) and gathers its rows.
func (s Tallies) electionResults(ctx context.Context, code, query string, args ...any) (*Election, []*AreaTallies, error) {
	rows, err := s.DB(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, nil, Wrap(EINTERNAL, err, "results of election %q", code)
	}
	defer rows.Close()

	var (
		e     *Election
		out   []*AreaTallies
		cur   *AreaTallies
		wards = map[int64]*Ward{}
	)
	for rows.Next() {
		var (
			el             Election
			aID, aHH       sql.NullInt64
			aCode, aName   sql.NullString
			aUnit          sql.NullString
			wID            sql.NullInt64
			wKind          sql.NullString
			cID, cNo       sql.NullInt64
			cName          sql.NullString
			cNominated     sql.NullBool
			aElectorate    sql.NullString
			t, p, r        tallyCols
			tVotes, pVotes sql.NullInt64
			rVotes         sql.NullInt64
			wCode, wName   sql.NullString
			wCity, wPrv    sql.NullString
		)
		err := rows.Scan(&el.ID, &el.Code, &el.Province, &el.Title, &el.Date, &el.Opens, &el.Closes,
			&el.Timezone, &el.Rules, &el.Method, &el.OpensAt, &el.ClosesAt, &el.Electorate,
			&wID, &wCode, &wName, &wCity, &wPrv, &wKind,
			&aID, &aCode, &aName, &aUnit, &aHH, &aElectorate,
			&cID, &cNo, &cName, &cNominated,
			&t.id, &t.version, &t.reporter, &t.kind, &t.method, &t.households, &t.attending,
			&t.issued, &t.returned, &t.valid, &t.invalid, &t.photo, &t.status, &t.created,
			&tVotes,
			&p.id, &p.version, &p.reporter, &p.kind, &p.method, &p.households, &p.attending,
			&p.issued, &p.returned, &p.valid, &p.invalid, &p.photo, &p.status, &p.created,
			&pVotes,
			&r.id, &r.version, &r.reporter, &r.kind, &r.method, &r.households, &r.attending,
			&r.issued, &r.returned, &r.valid, &r.invalid, &r.photo, &r.status, &r.created,
			&rVotes)
		if err != nil {
			return nil, nil, Wrap(EINTERNAL, err, "results of election %q", code)
		}
		if e == nil {
			el.OpensAt, el.ClosesAt = el.OpensAt.UTC(), el.ClosesAt.UTC()
			e = &el
		}
		if !aID.Valid {
			continue // an election without areas
		}
		if cur == nil || cur.Area.ID != aID.Int64 {
			w := wards[wID.Int64]
			if w == nil {
				w = &Ward{ID: wID.Int64, Code: wCode.String, Name: wName.String, City: wCity.String,
					Province: wPrv.String, Kind: wKind.String}
				wards[w.ID] = w
			}
			cur = &AreaTallies{Area: &Area{ID: aID.Int64, ElectionID: el.ID, WardID: w.ID, Code: aCode.String,
				Name: aName.String, Unit: aUnit.String, Households: int(aHH.Int64), Electorate: aElectorate.String, Ward: w}}
			cur.Latest = t.tally(aID.Int64)
			cur.Previous = p.tally(aID.Int64)
			cur.Recognised = r.tally(aID.Int64)
			if cur.Latest != nil && cur.Latest.Status == TallyAccepted {
				cur.Recognised = cur.Latest
			}
			out = append(out, cur)
		}
		if !cID.Valid {
			continue
		}
		cand := &Candidate{ID: cID.Int64, AreaID: aID.Int64, BallotNo: int(cNo.Int64), Name: cName.String, Nominated: cNominated.Bool}
		cur.Area.Candidates = append(cur.Area.Candidates, cand)
		for _, tv := range []struct {
			t *Tally
			v sql.NullInt64
		}{{cur.Latest, tVotes}, {cur.Previous, pVotes}, {cur.Recognised, rVotes}} {
			if tv.t != nil && tv.v.Valid { // a recognised Latest has rv NULL: no double votes
				tv.t.Votes = append(tv.t.Votes, TallyVote{TallyID: tv.t.ID, CandidateID: cand.ID, Votes: int(tv.v.Int64)})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, Wrap(EINTERNAL, err, "results of election %q", code)
	}
	if e == nil {
		return nil, nil, Errorf(ENOTFOUND, "election %q not found", code)
	}
	e.Areas = make([]*Area, len(out))
	for i, at := range out {
		e.Areas[i] = at.Area
	}
	if len(wards) == 1 {
		for _, w := range wards {
			e.Ward = w
			e.WardID = &w.ID
		}
	}
	return e, out, nil
}

// tallyCols are the nullable columns of a LEFT JOINed tally.
type tallyCols struct {
	id, version, reporter, households, attending sql.NullInt64
	issued, returned, valid, invalid             sql.NullInt64
	kind, method, photo, status                  sql.NullString
	created                                      sql.NullTime
}

func (c *tallyCols) tally(areaID int64) *Tally {
	if !c.id.Valid {
		return nil
	}
	ptr := func(n sql.NullInt64) *int {
		if !n.Valid {
			return nil
		}
		v := int(n.Int64)
		return &v
	}
	created := time.Time{}
	if c.created.Valid {
		created = c.created.Time.UTC()
	}
	return &Tally{
		ID: c.id.Int64, AreaID: areaID, Version: int(c.version.Int64), ReporterID: c.reporter.Int64,
		Kind: c.kind.String, Method: c.method.String, Households: int(c.households.Int64), Attending: int(c.attending.Int64),
		Issued: ptr(c.issued), Returned: ptr(c.returned), Valid: ptr(c.valid), Invalid: ptr(c.invalid),
		PhotoRef: c.photo.String, Status: c.status.String, CreatedAt: created,
		Votes: []TallyVote{},
	}
}
