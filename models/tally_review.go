package models

// The ward's review of reported tallies: accept, reject, recognise, and
// the photo of the signed minutes.

import (
	"context"
	"fmt"
	"strings"
)

// ReviewRequest is the ward's decision on a version of an area's tally.
type ReviewRequest struct {
	AreaID  int64
	Version int // 0: the latest version that is not rejected
	Accept  bool
	Reason  string // why it is rejected (required to reject)
	By      int64  // the admin
}

// ReviewResult is what a review did.
type ReviewResult struct {
	// Tally is the version now accepted or rejected. Accepting a version
	// that is not the latest copies it into a new version (the results
	// always show an area's latest version): Source is then the version
	// copied.
	Tally  *Tally
	Source *Tally
	// Was is the status the reviewed version had.
	Was string
	// Supporters are the reporters who stood behind the reviewed version.
	Supporters []int64
	// Superseded is the version recognised before, when another one was
	// recognised now (its status is superseded).
	Superseded *Tally
}

// ReviewTally accepts (recognises) or rejects a version of an area's
// tally, keeping every version. Recognising a version supersedes the one
// recognised before; a recognised version is neither recognised again nor
// rejected (WithdrawRecognition undoes a recognition). ENOTFOUND: no such
// version (or nothing to review); ECONFLICT: already accepted (or
// rejected); EINVALID: a rejection without a reason. Audited.
func (s Tallies) ReviewTally(ctx context.Context, req ReviewRequest) (*ReviewResult, error) {
	req.Reason = strings.TrimSpace(req.Reason)
	if !req.Accept && req.Reason == "" {
		return nil, Errorf(EINVALID, "a rejection needs a reason")
	}
	var res *ReviewResult
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.lockArea(ctx, req.AreaID); err != nil {
			return err
		}
		h, err := tx.AreaHistory(ctx, req.AreaID)
		if err != nil {
			return err
		}
		var t *Tally
		if req.Version == 0 {
			t = h.LatestLive()
		} else {
			t = h.Version(req.Version)
		}
		if t == nil {
			return Errorf(ENOTFOUND, "area %d has no version %d to review", req.AreaID, req.Version)
		}
		prev := h.Recognised() // before this review changes statuses
		if t.Status == TallyAccepted {
			// Recognised already; only WithdrawRecognition undoes it.
			return Errorf(ECONFLICT, "version %d of area %d is already %s", t.Version, req.AreaID, TallyAccepted)
		}
		now := tx.now()
		res = &ReviewResult{Tally: t, Was: t.Status, Supporters: h.Supporters(t)}
		action, status := ReviewReject, TallyRejected
		if req.Accept {
			action, status = ReviewAccept, TallyAccepted
		}
		rv := &TallyReview{Action: action, ContactID: &req.By, Reason: req.Reason, At: now}
		if req.Accept && t != h.Latest() {
			// The results show an area's latest version: an older one is
			// accepted as a new version with the same numbers.
			cp := newTally(h.Area, h.Latest().Version+1, t.ReporterID, TallyNumbersOf(t, h.Area.Candidates), t.PhotoRef, TallyAccepted, now)
			if err := tx.DB(ctx).Create(cp).Error; err != nil {
				return Wrap(EINTERNAL, err, "accept version %d of area %d", t.Version, req.AreaID)
			}
			v := t.Version
			rv.SourceVersion = &v
			res.Source, res.Tally = t, cp
		} else if t.Status != status {
			if err := tx.setStatus(ctx, t, status); err != nil {
				return err
			}
		} else {
			return Errorf(ECONFLICT, "version %d of area %d is already %s", t.Version, req.AreaID, status)
		}
		// One recognised version: the one recognised before is superseded.
		if req.Accept && prev != nil && prev.ID != res.Tally.ID {
			if err := tx.setStatus(ctx, prev, TallySuperseded); err != nil {
				return err
			}
			res.Superseded = prev
		}
		rv.TallyID = res.Tally.ID
		if err := tx.DB(ctx).Create(rv).Error; err != nil {
			return Wrap(EINTERNAL, err, "review of tally %d", res.Tally.ID)
		}
		detail := fmt.Sprintf("area=%d version=%d was=%s", h.Area.ID, res.Tally.Version, res.Was)
		if res.Source != nil {
			detail += fmt.Sprintf(" copy_of=%d", res.Source.Version)
		}
		if res.Superseded != nil {
			detail += fmt.Sprintf(" supersedes=%d", res.Superseded.Version)
		}
		if req.Reason != "" {
			detail += " reason=" + req.Reason
		}
		if err := tx.Audit(ctx, &AuditEvent{ContactID: &req.By, Action: "tally." + action, Subject: h.Area.Code, Detail: detail, OK: true}); err != nil {
			return err
		}
		return tx.refreshStanding(ctx, req.AreaID)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// AttachPhoto attaches a photo of the signed minutes (a channel file
// reference) to the latest tally the contact sent or, failing that,
// confirmed without a photo of its own. ENOTFOUND when there is none.
// Audited, with the reference it replaces.
func (s Tallies) AttachPhoto(ctx context.Context, contactID int64, ref string) (*Tally, error) {
	var out *Tally
	err := s.InTx(ctx, func(tx *Store) error {
		var t Tally
		err := tx.DB(ctx).Where("reporter_id = ?", contactID).Order("id DESC").Take(&t).Error
		if err != nil {
			err = tx.DB(ctx).Where("photo_ref = '' AND id IN (?)",
				tx.DB(ctx).Model(&TallyReview{}).Select("tally_id").Where("action = ? AND contact_id = ?", ReviewConfirm, contactID)).
				Order("id DESC").Take(&t).Error
		}
		if err != nil {
			return notFound(err, "contact %d has sent no tally", contactID)
		}
		old := t.PhotoRef
		if err := tx.setPhoto(ctx, &t, ref); err != nil {
			return err
		}
		detail := fmt.Sprintf("area=%d version=%d", t.AreaID, t.Version)
		if old != "" {
			detail += " replaced=" + old
		}
		out = &t
		return tx.Audit(ctx, &AuditEvent{ContactID: &contactID, Action: "tally.photo", Subject: fmt.Sprint(t.AreaID), Detail: detail, OK: true})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ElectionReviews loads the reviews of every tally of an election, by
// tally id (for the export).
func (s Tallies) ElectionReviews(ctx context.Context, electionID int64) (map[int64][]*TallyReview, error) {
	var rs []*TallyReview
	err := s.DB(ctx).Joins("JOIN tallies ON tallies.id = tally_reviews.tally_id").
		Joins("JOIN areas ON areas.id = tallies.area_id").
		Where("areas.election_id = ?", electionID).Order("tally_reviews.id").Find(&rs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "reviews of election %d", electionID)
	}
	out := map[int64][]*TallyReview{}
	for _, r := range rs {
		r.At = r.At.UTC()
		out[r.TallyID] = append(out[r.TallyID], r)
	}
	return out, nil
}
