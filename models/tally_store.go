package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Review actions on a tally version.
const (
	ReviewConfirm = "confirm" // another reporter of the area sent the same numbers
	ReviewAccept  = "accept"  // the ward recognised the version (công nhận)
	ReviewReject  = "reject"  // the ward rejected it, with a reason
)

// TallyReview is one review of a tally version: a second reporter's
// confirmation, or the ward's acceptance or rejection. SourceVersion is set
// when an older version was accepted by copying it into a new one.
type TallyReview struct {
	ID            int64 `gorm:"primaryKey"`
	TallyID       int64
	Action        string
	ContactID     *int64
	Reason        string
	SourceVersion *int
	At            time.Time
}

// SameNumbers reports whether a stored tally has exactly the numbers n (a
// candidate left out of either counts as 0 votes).
func SameNumbers(t *Tally, n TallyNumbers, candidates []*Candidate) bool {
	m := TallyNumbersOf(t, candidates)
	if TallyKindOf(m.Kind) != TallyKindOf(n.Kind) || m.Method != n.Method || m.Households != n.Households || m.Attending != n.Attending ||
		!sameInt(m.Issued, n.Issued) || !sameInt(m.Returned, n.Returned) ||
		!sameInt(m.Valid, n.Valid) || !sameInt(m.Invalid, n.Invalid) {
		return false
	}
	for no, v := range m.Votes {
		if n.Votes[no] != v {
			return false
		}
	}
	for no, v := range n.Votes {
		if m.Votes[no] != v {
			return false
		}
	}
	return true
}

func sameInt(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// TallySubmission is a reporter's counting minutes for an area. The caller
// has checked that ReporterID reports for AreaID.
type TallySubmission struct {
	AreaID     int64
	ReporterID int64
	Numbers    TallyNumbers // Households filled (the minutes' or the list's)
	PhotoRef   string
}

// SubmitKind is what a submission did.
type SubmitKind string

// Submission kinds.
const (
	SubmitNew       SubmitKind = "new"       // a new version was stored
	SubmitConfirmed SubmitKind = "confirmed" // another reporter's latest version, confirmed
	SubmitDuplicate SubmitKind = "duplicate" // the sender already stands behind these numbers
)

// SubmitResult tells what a submission did.
type SubmitResult struct {
	Kind  SubmitKind
	Tally *Tally // the new version, or the one confirmed or already sent
	// Conflicts are the versions of other reporters these numbers disagree
	// with (the new version's status is then conflict), with their votes.
	Conflicts []*Tally
	// Supporters are the reporters who sent these same numbers, the sender
	// included: two or more means "confirmed twice".
	Supporters []int64
	// Resolved: a confirmation that ended the version's conflict.
	Resolved bool
	// Recognised is the area's recognised version when these numbers
	// differ from it: the new version went to the ward's review and
	// changes nothing residents see until the ward decides.
	Recognised *Tally
	// Nominees are the candidates nominated at the meeting with votes in
	// the version (new ones were stored by this submission): for the
	// ward's review.
	Nominees []*Candidate
}

// SubmitTally stores a reporter's counting minutes as a new version of the
// area's tally; nothing is overwritten. People the minutes name who are
// not among the area's candidates (Numbers.Nominees) are stored as
// candidates nominated at the meeting. Against the other reporters of the
// area (their latest versions since the recognised one):
//   - the same numbers as the recognised version, or as the latest live
//     version of another reporter, confirm it (no new version; a conflict
//     it was in ends when nobody disagrees any more);
//   - the same numbers the sender already stands behind are a duplicate;
//   - otherwise a new version: in conflict when another reporter stands
//     behind different numbers, or when the ward has recognised other
//     numbers (then it waits for the ward's review: Recognised is set),
//     provisional otherwise.
//
// Inconsistent minutes (CheckTally) are refused with EINVALID. Audited.
func (s Tallies) SubmitTally(ctx context.Context, sub TallySubmission) (*SubmitResult, error) {
	var res *SubmitResult
	submit := func(tx *Store) error {
		if err := tx.lockArea(ctx, sub.AreaID); err != nil {
			return err
		}
		h, err := tx.AreaHistory(ctx, sub.AreaID)
		if err != nil {
			return err
		}
		if vs := CheckTally(sub.Numbers, h.Area.Candidates); len(vs) > 0 {
			ids := make([]string, len(vs))
			for i, v := range vs {
				ids[i] = v.ID
			}
			return Errorf(EINVALID, "inconsistent tally: %s", strings.Join(ids, ", "))
		}
		numbers, err := tx.storeNominees(ctx, h.Area, sub.Numbers, sub.ReporterID)
		if err != nil {
			return err
		}
		cands := h.Area.Candidates
		nominees := NomineesOf(cands, numbers)
		stances := h.stances()
		var agree []int64
		var conflicts []*Tally
		seen := map[int64]bool{}
		for _, r := range sortedKeys(stances) {
			v := stances[r]
			if r == sub.ReporterID {
				continue
			}
			if SameNumbers(v, numbers, cands) {
				agree = append(agree, r)
			} else if !seen[v.ID] {
				seen[v.ID] = true
				conflicts = append(conflicts, v)
			}
		}
		now := tx.now()
		audit := func(action string, t *Tally, ok bool, extra string) error {
			if len(nominees) > 0 {
				extra += " nominees=" + CandidateNames(nominees)
			}
			return tx.Audit(ctx, &AuditEvent{ContactID: &sub.ReporterID, Action: action, Subject: h.Area.Code,
				Detail: strings.TrimSpace(fmt.Sprintf("area=%d version=%d status=%s %s", h.Area.ID, t.Version, t.Status, extra)), OK: ok})
		}

		rec := h.Recognised()
		target := h.LatestLive()
		if rec != nil && SameNumbers(rec, numbers, cands) {
			target = rec // the recognised numbers, sent again
		}
		if l := target; l != nil && SameNumbers(l, numbers, cands) {
			sup := h.Supporters(l)
			for _, r := range sup {
				if r == sub.ReporterID {
					res = &SubmitResult{Kind: SubmitDuplicate, Tally: l, Supporters: sup, Nominees: nominees}
					return audit("tally.duplicate", l, true, "")
				}
			}
			rv := &TallyReview{TallyID: l.ID, Action: ReviewConfirm, ContactID: &sub.ReporterID, At: now}
			if err := tx.DB(ctx).Create(rv).Error; err != nil {
				return Wrap(EINTERNAL, err, "confirm tally %d", l.ID)
			}
			res = &SubmitResult{Kind: SubmitConfirmed, Tally: l, Supporters: append(sup, sub.ReporterID), Nominees: nominees}
			if l.PhotoRef == "" && sub.PhotoRef != "" {
				if err := tx.setPhoto(ctx, l, sub.PhotoRef); err != nil {
					return err
				}
			}
			// Does anyone still disagree with the confirmed version?
			for _, c := range conflicts {
				if c.ID != l.ID {
					res.Conflicts = append(res.Conflicts, c)
				}
			}
			if rec != nil && rec != l {
				res.Recognised = rec // confirms a version the ward has not recognised
			}
			if l.Status == TallyConflict && len(res.Conflicts) == 0 && res.Recognised == nil {
				if err := tx.setStatus(ctx, l, TallyProvisional); err != nil {
					return err
				}
				res.Resolved = true
			}
			return audit("tally.confirm", l, true, fmt.Sprintf("supporters=%d", len(res.Supporters)))
		}

		version := 1
		if l := h.Latest(); l != nil {
			version = l.Version + 1
		}
		status := TallyProvisional
		if rec != nil && !seen[rec.ID] {
			// The ward recognised other numbers: this report goes to its
			// review, even from the reporter of the recognised version.
			seen[rec.ID] = true
			conflicts = append(conflicts, rec)
		}
		if len(conflicts) > 0 {
			status = TallyConflict
		}
		t := newTally(h.Area, version, sub.ReporterID, numbers, sub.PhotoRef, status, now)
		if err := tx.DB(ctx).Create(t).Error; err != nil {
			return Wrap(EINTERNAL, err, "store tally of area %d", sub.AreaID)
		}
		res = &SubmitResult{Kind: SubmitNew, Tally: t, Conflicts: conflicts, Recognised: rec,
			Supporters: append([]int64{sub.ReporterID}, agree...), Nominees: nominees}
		extra := ""
		if len(conflicts) > 0 {
			var vs []string
			for _, c := range conflicts {
				vs = append(vs, fmt.Sprint(c.Version))
			}
			extra = "conflicts_with=" + strings.Join(vs, ",")
		}
		if rec != nil {
			extra += fmt.Sprintf(" after_recognised=%d", rec.Version)
		}
		return audit("tally.submit", t, true, extra)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		if err := submit(tx); err != nil {
			return err
		}
		if res.Kind == SubmitDuplicate {
			return nil // nothing changed
		}
		// The area's standing, current when the tally commits.
		return tx.refreshStanding(ctx, sub.AreaID)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// storeNominees stores the people the minutes name who are not among the
// area's candidates as candidates nominated at the meeting (appended to
// area.Candidates), and returns the numbers with their votes under their
// ballot numbers. Audited, one event per new nominee.
func (s Tallies) storeNominees(ctx context.Context, area *Area, n TallyNumbers, reporter int64) (TallyNumbers, error) {
	cands, n, _ := WithNominees(area.Candidates, n)
	for _, c := range cands {
		if c.ID != 0 {
			continue
		}
		c.AreaID = area.ID
		if err := s.DB(ctx).Create(c).Error; err != nil {
			return n, Wrap(EINTERNAL, err, "store the nominee %q of area %d", c.Name, area.ID)
		}
		if err := s.Audit(ctx, &AuditEvent{ContactID: &reporter, Action: "candidate.nominated", Subject: area.Code,
			Detail: fmt.Sprintf("area=%d ballot_no=%d name=%s", area.ID, c.BallotNo, c.Name), OK: true}); err != nil {
			return n, err
		}
	}
	area.Candidates = cands
	return n, nil
}

// newTally builds a version from numbers keyed by ballot number.
func newTally(area *Area, version int, reporter int64, n TallyNumbers, photo, status string, now time.Time) *Tally {
	t := &Tally{AreaID: area.ID, Version: version, ReporterID: reporter, Kind: TallyKindOf(n.Kind), Method: n.Method,
		Households: n.Households, Attending: n.Attending,
		Issued: n.Issued, Returned: n.Returned, Valid: n.Valid, Invalid: n.Invalid,
		PhotoRef: photo, Status: status, CreatedAt: now}
	for _, c := range area.Candidates {
		if v, ok := n.Votes[c.BallotNo]; ok {
			t.Votes = append(t.Votes, TallyVote{CandidateID: c.ID, Votes: v})
		}
	}
	return t
}

func sortedKeys(m map[int64]*Tally) []int64 {
	ks := make([]int64, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}

// lockArea serialises the writes of one area's tallies across replicas
// (PostgreSQL; SQLite has one writer anyway).
func (s Tallies) lockArea(ctx context.Context, areaID int64) error {
	if s.dialect != DialectPostgres {
		return nil
	}
	var id int64
	if err := s.DB(ctx).Raw("SELECT id FROM areas WHERE id = ? FOR UPDATE", areaID).Scan(&id).Error; err != nil {
		return Wrap(EINTERNAL, err, "lock area %d", areaID)
	}
	if id == 0 {
		return Errorf(ENOTFOUND, "area %d not found", areaID)
	}
	return nil
}

func (s Tallies) setStatus(ctx context.Context, t *Tally, status string) error {
	if err := s.DB(ctx).Model(&Tally{}).Where("id = ?", t.ID).Update("status", status).Error; err != nil {
		return Wrap(EINTERNAL, err, "tally %d status", t.ID)
	}
	t.Status = status
	return nil
}

func (s Tallies) setPhoto(ctx context.Context, t *Tally, ref string) error {
	if err := s.DB(ctx).Model(&Tally{}).Where("id = ?", t.ID).Update("photo_ref", ref).Error; err != nil {
		return Wrap(EINTERNAL, err, "tally %d photo", t.ID)
	}
	t.PhotoRef = ref
	return nil
}

// AreaHistory loads an area (with its candidates) and every version of its
// tally with votes and reviews.
func (s Tallies) AreaHistory(ctx context.Context, areaID int64) (*TallyHistory, error) {
	area, err := s.Area(ctx, areaID)
	if err != nil {
		return nil, err
	}
	h := &TallyHistory{Area: area, Reviews: map[int64][]*TallyReview{}}
	if err := s.DB(ctx).Preload("Votes").Where("area_id = ?", areaID).Order("version").Find(&h.Versions).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "tallies of area %d", areaID)
	}
	if len(h.Versions) == 0 {
		return h, nil
	}
	for _, v := range h.Versions {
		v.CreatedAt = v.CreatedAt.UTC()
	}
	var rs []*TallyReview
	err = s.DB(ctx).Joins("JOIN tallies ON tallies.id = tally_reviews.tally_id").
		Where("tallies.area_id = ?", areaID).Order("tally_reviews.id").Find(&rs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "reviews of area %d", areaID)
	}
	for _, r := range rs {
		r.At = r.At.UTC()
		h.Reviews[r.TallyID] = append(h.Reviews[r.TallyID], r)
	}
	return h, nil
}
