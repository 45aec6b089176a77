package models

import (
	"context"
	"fmt"
	"time"
)

// Retention (Decree 13/2023/NĐ-CP, docs/privacy.md): the voter list is
// personal data collected for one purpose, the election; once its results
// are recognised the purpose is fulfilled and the list is deleted. A purge
// removes what ties people to that election — the list's names, phones,
// addresses and birth years, the conversation states of its residents,
// the details of the lookups made in it and the replies already sent to
// its residents — and keeps everything the results are made of (areas,
// candidates, tallies, reviews): the results page does not change.

// ActionPurge is the audit action of a purge (its subject is the
// election's code): an election is purged automatically at most once.
const ActionPurge = "election.purge"

// PurgeReport counts what a purge deletes (or would delete).
type PurgeReport struct {
	Election     *Election
	Voters       int64 // rows of the voter list: name, phone, address, birth year
	Phones       int64 // verified phones of contacts that were a listed voter's (officials keep theirs)
	States       int64 // conversation states of the election's residents, and pending lookups
	LookupAudits int64 // eligibility.lookup and .budget events of its areas
	Replies      int64 // finished outbox messages to its residents' chats
}

func (r *PurgeReport) String() string {
	return fmt.Sprintf("%s: %d voters (names, phones, addresses, birth years), %d contact phones, %d conversation states, %d lookup audit events, %d sent replies",
		r.Election.Code, r.Voters, r.Phones, r.States, r.LookupAudits, r.Replies)
}

// PurgeElection deletes the personal data of an election (above) in one
// transaction and audits it; with dryRun it only counts, changing
// nothing. An unknown code is ENOTFOUND. Purging again deletes what came
// since (a list imported again), nothing else.
func (s Tallies) PurgeElection(ctx context.Context, code string, dryRun bool) (*PurgeReport, error) {
	el, err := s.ElectionByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	rep := &PurgeReport{Election: el}
	errDry := fmt.Errorf("dry run")
	err = s.InTx(ctx, func(tx *Store) error {
		if err := tx.purge(ctx, el, rep); err != nil {
			return err
		}
		if dryRun {
			return errDry // counted in the transaction, then rolled back
		}
		return tx.Audit(ctx, &AuditEvent{Action: ActionPurge, Subject: el.Code, OK: true,
			Detail: fmt.Sprintf("voters=%d phones=%d states=%d lookups=%d replies=%d", rep.Voters, rep.Phones, rep.States, rep.LookupAudits, rep.Replies)})
	})
	if err != nil && err != errDry {
		return nil, err
	}
	return rep, nil
}

// purge makes the deletions in tx, counting them in rep.
func (s *Store) purge(ctx context.Context, el *Election, rep *PurgeReport) error {
	db := s.DB(ctx)
	areas := db.Model(&Area{}).Select("id").Where("election_id = ?", el.ID)
	wards := db.Model(&Area{}).Distinct("ward_id").Where("election_id = ?", el.ID)
	// The election's residents: placed in one of its areas or wards.
	residents := func() *gormDB {
		return s.DB(ctx).Model(&Contact{}).Where("area_id IN (?) OR ward_id IN (?)", areas, wards)
	}
	active := db.Model(&RoleGrant{}).Select("contact_id").Where("contact_id IS NOT NULL AND revoked_at IS NULL")
	listed := db.Model(&Voter{}).Select("phone").Where("area_id IN (?) AND phone IS NOT NULL", areas)

	steps := []struct {
		what string
		n    *int64
		run  func() (int64, error)
	}{
		{"contact phones", &rep.Phones, func() (int64, error) {
			res := db.Model(&Contact{}).Where("phone IN (?) AND id NOT IN (?)", listed, active).
				Updates(map[string]any{"phone": nil, "updated_at": s.now()})
			return res.RowsAffected, res.Error
		}},
		{"voters", &rep.Voters, func() (int64, error) {
			res := db.Where("area_id IN (?)", areas).Delete(&Voter{})
			return res.RowsAffected, res.Error
		}},
		{"conversation states", &rep.States, func() (int64, error) {
			// And every pending lookup, placed or not: the name searched
			// may be one of this list's (it expires within minutes anyway).
			res := s.DB(ctx).Model(&Contact{}).
				Where("((area_id IN (?) OR ward_id IN (?)) AND state <> '') OR state_expires_at IS NOT NULL", areas, wards).
				Updates(map[string]any{"state": "", "state_expires_at": nil, "updated_at": s.now()})
			return res.RowsAffected, res.Error
		}},
		{"lookup audit events", &rep.LookupAudits, func() (int64, error) {
			subjects := db.Model(&Area{}).Select("'area:' || id").Where("election_id = ?", el.ID)
			res := db.Where("action LIKE 'eligibility.%' AND (subject IN (?) OR subject = ?)", subjects, fmt.Sprintf("election:%d", el.ID)).
				Delete(&AuditEvent{})
			return res.RowsAffected, res.Error
		}},
		{"sent replies", &rep.Replies, func() (int64, error) {
			chats := residents().Select("chat_id")
			res := db.Where("status IN ? AND dedupe_key IS NULL AND chat_id IN (?)",
				[]string{OutboxSent, OutboxFailed, OutboxUnreachable}, chats).Delete(&OutboxMessage{})
			return res.RowsAffected, res.Error
		}},
	}
	for _, st := range steps {
		n, err := st.run()
		if err != nil {
			return Wrap(EINTERNAL, err, "purge %s: %s", el.Code, st.what)
		}
		*st.n = n
	}
	return nil
}

// PurgeDue lists the elections an automatic purge deletes at now: those
// never purged, with a voter list, whose every area's latest tally is
// recognised (accepted) with a head elected, the last recognition at
// least after ago. An election with an area to elect again, or still
// under review, is never due: its list may still be needed.
func (s Tallies) PurgeDue(ctx context.Context, now time.Time, after time.Duration) ([]string, error) {
	var codes []string
	err := s.DB(ctx).Model(&Election{}).
		Where("EXISTS (SELECT 1 FROM voters v JOIN areas a ON a.id = v.area_id WHERE a.election_id = elections.id)").
		Where("NOT EXISTS (SELECT 1 FROM audit_events ae WHERE ae.action = ? AND ae.subject = elections.code)", ActionPurge).
		Order("id").Pluck("code", &codes).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "elections with a voter list")
	}
	var due []string
	for _, code := range codes {
		ok, err := s.recognisedBefore(ctx, code, now.Add(-after))
		if err != nil {
			return nil, err
		}
		if ok {
			due = append(due, code)
		}
	}
	return due, nil
}

// recognisedBefore: every area's latest tally accepted with a head
// elected, the last acceptance at or before the time.
func (s Tallies) recognisedBefore(ctx context.Context, code string, before time.Time) (bool, error) {
	el, ats, err := s.ElectionResults(ctx, code)
	if err != nil || len(ats) == 0 {
		return false, err
	}
	var last time.Time
	var ids []int64
	for _, at := range ats {
		t := at.Latest
		if t == nil || t.Status != TallyAccepted {
			return false, nil
		}
		out, err := DecideOutcome(el.Rules, TallyNumbersOf(t, at.Area.Candidates), at.Area.Candidates)
		if err != nil || out.Kind != OutcomeElected {
			return false, nil
		}
		if t.CreatedAt.After(last) {
			last = t.CreatedAt
		}
		ids = append(ids, t.ID)
	}
	var rv TallyReview
	err = s.DB(ctx).Where("tally_id IN ? AND action = ?", ids, ReviewAccept).Order("at DESC").Limit(1).Find(&rv).Error
	if err != nil {
		return false, Wrap(EINTERNAL, err, "recognitions of %s", code)
	}
	if rv.ID != 0 && rv.At.After(last) {
		last = rv.At
	}
	return !last.After(before), nil
}
