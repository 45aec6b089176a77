package models

import (
	"context"
	"fmt"
	"strings"
)

// Recognition is the ward's act (docs/design.md §3): a recognised result
// stays what residents and the public page see until the ward recognises
// another version or withdraws the recognition, with a reason.

// ReviewWithdraw is the review action of a withdrawn recognition.
const ReviewWithdraw = "withdraw"

// WithdrawRequest is the ward's withdrawal of an area's recognition.
type WithdrawRequest struct {
	AreaID int64
	Reason string // required
	By     int64  // the admin
}

// WithdrawResult is what a withdrawal did.
type WithdrawResult struct {
	// Tally is the version whose recognition was withdrawn (now withdrawn).
	Tally *Tally
	// Supporters are the reporters who stood behind it.
	Supporters []int64
	// Pending is the latest later version that is not rejected, if any:
	// the one the ward may now recognise.
	Pending *Tally
}

// WithdrawRecognition withdraws the recognition of an area's result: its
// recognised version becomes withdrawn (kept, with its votes), so the area
// has no recognised result until the ward recognises a version again.
// EINVALID without a reason; ENOTFOUND when nothing is recognised.
// Audited (tally.withdraw, with the reason).
func (s Tallies) WithdrawRecognition(ctx context.Context, req WithdrawRequest) (*WithdrawResult, error) {
	req.Reason = strings.TrimSpace(req.Reason)
	if req.Reason == "" {
		return nil, Errorf(EINVALID, "withdrawing a recognition needs a reason")
	}
	var res *WithdrawResult
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.lockArea(ctx, req.AreaID); err != nil {
			return err
		}
		h, err := tx.AreaHistory(ctx, req.AreaID)
		if err != nil {
			return err
		}
		t := h.Recognised()
		if t == nil {
			return Errorf(ENOTFOUND, "area %d has no recognised result", req.AreaID)
		}
		res = &WithdrawResult{Tally: t, Supporters: h.Supporters(t)}
		for _, v := range h.Versions {
			if v.Version > t.Version && v.Status != TallyRejected {
				res.Pending = v
			}
		}
		if err := tx.setStatus(ctx, t, TallyWithdrawn); err != nil {
			return err
		}
		rv := &TallyReview{TallyID: t.ID, Action: ReviewWithdraw, ContactID: &req.By, Reason: req.Reason, At: tx.now()}
		if err := tx.DB(ctx).Create(rv).Error; err != nil {
			return Wrap(EINTERNAL, err, "withdraw tally %d", t.ID)
		}
		detail := fmt.Sprintf("area=%d version=%d reason=%s", h.Area.ID, t.Version, req.Reason)
		if err := tx.Audit(ctx, &AuditEvent{ContactID: &req.By, Action: "tally." + ReviewWithdraw, Subject: h.Area.Code, Detail: detail, OK: true}); err != nil {
			return err
		}
		return tx.refreshStanding(ctx, req.AreaID)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
