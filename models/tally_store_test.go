package models_test

import (
	"context"
	"testing"
	"time"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// officialsFixture is a store with the Ka Long 2022 election (no voters),
// a clock, an admin and two reporters of kp1.
type officialsFixture struct {
	s        *models.Store
	now      *time.Time
	el       *models.Election
	areas    []*models.Area
	admin    *models.Contact
	rep1     *models.Contact
	rep2     *models.Contact
	outsider *models.Contact
}

func newOfficialsFixture(t *testing.T, s *models.Store) *officialsFixture {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2022, 6, 5, 12, 0, 0, 0, models.VietnamTime)
	f := &officialsFixture{s: s, now: &now}
	s.Now = func() time.Time { return *f.now }
	ef, err := demo.ElectionFile()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadElection(ctx, ef); err != nil {
		t.Fatal(err)
	}
	if f.el, err = s.ElectionByCode(ctx, demo.ElectionCode); err != nil {
		t.Fatal(err)
	}
	if f.areas, err = s.Areas(ctx, f.el.ID); err != nil {
		t.Fatal(err)
	}
	contact := func(id, name string) *models.Contact {
		c, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: id, DisplayName: name})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	f.admin, f.rep1, f.rep2, f.outsider = contact("1", "Cán bộ"), contact("2", "Tổ 1 A"), contact("3", "Tổ 1 B"), contact("4", "")
	if err := s.Grant(ctx, &models.RoleGrant{ContactID: &f.admin.ID, Role: models.RoleAdmin, WardID: f.el.WardID}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*models.Contact{f.rep1, f.rep2} {
		if err := s.Grant(ctx, &models.RoleGrant{ContactID: &r.ID, Role: models.RoleReporter, AreaID: &f.areas[0].ID, GrantedBy: &f.admin.ID}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func ip(n int) *int { return &n }

// kp1Numbers are the minutes of docs/design.md §5 for Khu phố 1 (312 households).
func kp1Numbers(an, binh int) models.TallyNumbers {
	return models.TallyNumbers{Method: models.MethodSecret, Households: 312, Attending: 290,
		Issued: ip(290), Returned: ip(289), Valid: ip(285), Invalid: ip(4),
		Votes: map[int]int{1: an, 2: binh}}
}

func TestSubmitTallyVersionsConfirmationsConflicts(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newOfficialsFixture(t, n.Store)
			kp1 := f.areas[0].ID
			submit := func(c *models.Contact, nums models.TallyNumbers) *models.SubmitResult {
				t.Helper()
				res, err := f.s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1, ReporterID: c.ID, Numbers: nums})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}

			r := submit(f.rep1, kp1Numbers(250, 35))
			if r.Kind != models.SubmitNew || r.Tally.Version != 1 || r.Tally.Status != models.TallyProvisional || len(r.Conflicts) != 0 {
				t.Fatalf("first = %+v", r)
			}
			if r := submit(f.rep1, kp1Numbers(250, 35)); r.Kind != models.SubmitDuplicate || r.Tally.Version != 1 {
				t.Fatalf("same reporter, same numbers = %+v", r)
			}
			r = submit(f.rep2, kp1Numbers(250, 35))
			if r.Kind != models.SubmitConfirmed || r.Tally.Version != 1 || len(r.Supporters) != 2 {
				t.Fatalf("second reporter, same numbers = %+v", r)
			}
			// Reporter 1 corrects: reporter 2 still stands behind version 1.
			r = submit(f.rep1, kp1Numbers(251, 34))
			if r.Kind != models.SubmitNew || r.Tally.Version != 2 || r.Tally.Status != models.TallyConflict ||
				len(r.Conflicts) != 1 || r.Conflicts[0].Version != 1 {
				t.Fatalf("correction against a confirmer = %+v", r)
			}
			// Reporter 2 agrees with the correction: the conflict ends.
			r = submit(f.rep2, kp1Numbers(251, 34))
			if r.Kind != models.SubmitConfirmed || !r.Resolved || r.Tally.Version != 2 || r.Tally.Status != models.TallyProvisional {
				t.Fatalf("confirmation of the conflicting version = %+v", r)
			}
			// Inconsistent minutes are refused and nothing is stored.
			bad := kp1Numbers(250, 35)
			bad.Invalid = ip(5)
			if _, err := f.s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1, ReporterID: f.rep1.ID, Numbers: bad}); models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("inconsistent = %v", err)
			}
			h, err := f.s.AreaHistory(ctx, kp1)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Versions) != 2 || h.Versions[0].Votes[0].Votes != 250 || h.Versions[1].Votes[0].Votes != 251 {
				t.Fatalf("versions = %+v", h.Versions)
			}
			if sup := h.Supporters(h.Versions[1]); len(sup) != 2 {
				t.Fatalf("supporters of v2 = %v", sup)
			}
			var n int64
			f.s.DB(ctx).Model(&models.AuditEvent{}).Where("action LIKE 'tally.%'").Count(&n)
			if n != 5 {
				t.Errorf("tally audit events = %d, want 5", n)
			}
		})
	}
}

func TestReviewTallyKeepsEveryVersion(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newOfficialsFixture(t, n.Store)
			kp1 := f.areas[0].ID
			for _, s := range []struct {
				c    *models.Contact
				nums models.TallyNumbers
			}{{f.rep1, kp1Numbers(250, 35)}, {f.rep2, kp1Numbers(200, 85)}} {
				if _, err := f.s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1, ReporterID: s.c.ID, Numbers: s.nums}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1, By: f.admin.ID}); models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("reject without reason = %v", err)
			}
			rej, err := f.s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1, Version: 2, Reason: "đếm nhầm", By: f.admin.ID})
			if err != nil || rej.Tally.Version != 2 || rej.Tally.Status != models.TallyRejected || rej.Was != models.TallyConflict {
				t.Fatalf("reject v2 = %+v, %v", rej, err)
			}
			// Accepting version 1, older than the latest, copies it into version 3.
			acc, err := f.s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1, Version: 1, Accept: true, By: f.admin.ID})
			if err != nil || acc.Tally.Version != 3 || acc.Source == nil || acc.Source.Version != 1 || acc.Tally.Status != models.TallyAccepted {
				t.Fatalf("accept v1 = %+v, %v", acc, err)
			}
			if _, err := f.s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1, Version: 3, Accept: true, By: f.admin.ID}); models.ErrorCode(err) != models.ECONFLICT {
				t.Fatalf("accept twice = %v", err)
			}
			if _, err := f.s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1, Version: 9, Accept: true, By: f.admin.ID}); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("accept v9 = %v", err)
			}
			got, err := f.s.AcceptedTally(ctx, kp1)
			if err != nil || got.Version != 3 || len(got.Votes) != 2 {
				t.Fatalf("AcceptedTally = %+v, %v", got, err)
			}
			h, err := f.s.AreaHistory(ctx, kp1)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Versions) != 3 || h.Versions[0].Status != models.TallyProvisional || h.Versions[1].Status != models.TallyRejected {
				t.Fatalf("history = %+v", h.Versions)
			}
			if rv := h.Review(h.Versions[1], models.ReviewReject); rv == nil || rv.Reason != "đếm nhầm" || rv.ContactID == nil || *rv.ContactID != f.admin.ID {
				t.Fatalf("reject review = %+v", rv)
			}
			if rv := h.Review(h.Versions[2], models.ReviewAccept); rv == nil || rv.SourceVersion == nil || *rv.SourceVersion != 1 {
				t.Fatalf("accept review = %+v", rv)
			}
			// After the acceptance, a new submission by reporter 2 differs
			// from the accepted numbers of reporter 1: a conflict.
			r, err := f.s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1, ReporterID: f.rep2.ID, Numbers: kp1Numbers(200, 85)})
			if err != nil || r.Tally.Version != 4 || r.Tally.Status != models.TallyConflict || r.Conflicts[0].Version != 3 {
				t.Fatalf("after acceptance = %+v, %v", r, err)
			}
			// A photo goes to the sender's latest tally.
			ph, err := f.s.AttachPhoto(ctx, f.rep2.ID, "photo-1")
			if err != nil || ph.Version != 4 {
				t.Fatalf("AttachPhoto = %+v, %v", ph, err)
			}
			if _, err := f.s.AttachPhoto(ctx, f.outsider.ID, "photo-2"); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("AttachPhoto of someone without a tally = %v", err)
			}
		})
	}
}

func TestInvitesAreSingleUseAndExpire(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newOfficialsFixture(t, n.Store)
			kp2 := f.areas[1].ID
			code, err := f.s.CreateInvite(ctx, &models.Invite{Role: models.RoleReporter, AreaID: &kp2, CreatedBy: &f.admin.ID})
			if err != nil || !models.IsInviteCode(code) {
				t.Fatalf("CreateInvite = %q, %v", code, err)
			}
			var stored models.Invite
			f.s.DB(ctx).Take(&stored)
			if stored.CodeHash == code || len(stored.CodeHash) != 64 {
				t.Fatalf("the code is stored as %q", stored.CodeHash)
			}
			if _, err := f.s.RedeemInvite(ctx, code+"x", f.outsider.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("unknown code = %v", err)
			}
			inv, err := f.s.RedeemInvite(ctx, code, f.outsider.ID)
			if err != nil || inv.AreaID == nil || *inv.AreaID != kp2 {
				t.Fatalf("redeem = %+v, %v", inv, err)
			}
			gs, err := f.s.ActiveGrants(ctx, f.outsider.ID)
			if err != nil || len(gs) != 1 || gs[0].Role != models.RoleReporter || *gs[0].AreaID != kp2 || *gs[0].GrantedBy != f.admin.ID {
				t.Fatalf("grants = %+v, %v", gs, err)
			}
			if _, err := f.s.RedeemInvite(ctx, code, f.rep1.ID); models.ErrorCode(err) != models.ECONFLICT {
				t.Fatalf("second use = %v", err)
			}
			code2, err := f.s.CreateInvite(ctx, &models.Invite{Role: models.RoleViewer, WardID: f.el.WardID, CreatedBy: &f.admin.ID})
			if err != nil {
				t.Fatal(err)
			}
			*f.now = f.now.Add(models.InviteTTL)
			if _, err := f.s.RedeemInvite(ctx, code2, f.rep1.ID); models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("expired = %v", err)
			}
			var refused int64
			f.s.DB(ctx).Model(&models.AuditEvent{}).Where("action = 'invite.redeem' AND ok = ?", false).Count(&refused)
			if refused != 3 {
				t.Errorf("refused redemptions audited = %d, want 3", refused)
			}
		})
	}
}

func TestPhoneGrantsAndRevoke(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newOfficialsFixture(t, n.Store)
			kp3 := f.areas[2].ID
			phone := "+84912345678"
			if err := f.s.Grant(ctx, &models.RoleGrant{Phone: &phone, Role: models.RoleReporter, AreaID: &kp3, GrantedBy: &f.admin.ID}); err != nil {
				t.Fatal(err)
			}
			hs, err := f.s.AreaGrants(ctx, []int64{kp3}, models.RoleReporter)
			if err != nil || len(hs) != 1 || hs[0].Contact != nil {
				t.Fatalf("pending grant = %+v, %v", hs, err)
			}
			gs, err := f.s.ClaimPhoneGrants(ctx, f.outsider.ID, phone)
			if err != nil || len(gs) != 1 {
				t.Fatalf("claim = %+v, %v", gs, err)
			}
			if gs, _ := f.s.ClaimPhoneGrants(ctx, f.rep1.ID, phone); len(gs) != 0 {
				t.Fatalf("claimed twice: %+v", gs)
			}
			rs, err := f.s.ElectionReporters(ctx, f.el.ID)
			if err != nil || len(rs) != 3 || rs[2].Contact == nil || rs[2].Contact.ID != f.outsider.ID {
				t.Fatalf("ElectionReporters = %+v, %v", rs, err)
			}
			g, err := f.s.RevokeGrant(ctx, gs[0].ID, &f.admin.ID)
			if err != nil || g.RevokedAt == nil {
				t.Fatalf("revoke = %+v, %v", g, err)
			}
			if _, err := f.s.RevokeGrant(ctx, gs[0].ID, &f.admin.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("revoke twice = %v", err)
			}
			if mine, _ := f.s.ActiveGrants(ctx, f.outsider.ID); len(mine) != 0 {
				t.Fatalf("still granted: %+v", mine)
			}
			admins, err := f.s.WardGrants(ctx, *f.el.WardID, models.RoleAdmin)
			if err != nil || len(admins) != 1 || admins[0].Contact.ID != f.admin.ID {
				t.Fatalf("WardGrants = %+v, %v", admins, err)
			}
			var n int64
			f.s.DB(ctx).Model(&models.AuditEvent{}).Where("action IN ('role.grant', 'role.claim', 'role.revoke')").Count(&n)
			if n != 6 { // admin + 2 reporters + phone grant, claim, revoke
				t.Errorf("role audit events = %d, want 6", n)
			}
		})
	}
}
