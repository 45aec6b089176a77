package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"electionbot/bot/outbox"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// TestReachUncertainAndReceipts: a ZNS message given up as uncertain (its
// sender died mid-call; Zalo has no idempotency key) is recorded so in
// the ledger, does not move the household to SMS (that could be a second
// message) and puts it on the door-to-door list with reason uncertain;
// its delivery receipt then marks it delivered (reached), and a receipt
// of a message already sent marks it delivered too.
func TestReachUncertainAndReceipts(t *testing.T) {
	for _, db := range testdb.Stores(t) {
		t.Run(db.Name, func(t *testing.T) {
			ctx := context.Background()
			env := newReachEnv(t, db.Store, households{zalo: 3, noPhone: 1}, daytime)
			env.build(plan())
			env.start()
			bc := env.announce("Họp tổ dân phố lúc 19:00")
			env.waitDone(bc.ID)
			s := env.s
			row := func(voter int64, channel string) *models.ReachAttempt {
				t.Helper()
				as, err := s.ReachAttempts(ctx, bc.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range as {
					if a.VoterID == voter && a.Channel == channel {
						return a
					}
				}
				return nil
			}
			unreached := func() map[int64]string {
				t.Helper()
				un, err := s.UnreachedHouseholds(ctx, bc.ID, nil)
				if err != nil {
					t.Fatal(err)
				}
				out := map[int64]string{}
				for _, u := range un {
					out[u.Voter.ID] = u.Reason
				}
				return out
			}

			// Household 0's ZNS message as the outbox's sweep leaves it after
			// a crash mid-call: given up as uncertain, its ledger row queued.
			v0 := env.voter[0]
			a := row(v0, models.ChannelZNS)
			if a == nil || a.OutboxID == nil || a.Outcome != models.ReachSent {
				t.Fatalf("household 0's ZNS row: %+v", a)
			}
			reason := models.OutboxUncertain + ": the call was made and its result not recorded"
			if err := s.DB(ctx).Model(&models.ReachAttempt{}).Where("id = ?", a.ID).
				Updates(map[string]any{"outcome": models.ReachQueued, "done_at": nil}).Error; err != nil {
				t.Fatal(err)
			}
			if err := s.OutboxGiveUp(ctx, *a.OutboxID, models.OutboxFailed, reason); err != nil {
				t.Fatal(err)
			}
			m := status(t, s, *a.OutboxID)
			se := &outbox.SendError{Kind: outbox.Uncertain, Code: models.OutboxUncertain, Err: errors.New(reason)}
			if err := env.bc.OnGiveUp(ctx, m, models.OutboxFailed, se); err != nil {
				t.Fatal(err)
			}
			if a := row(v0, models.ChannelZNS); a.Outcome != models.ReachUncertain {
				t.Fatalf("ledger: ZNS outcome %s, want uncertain", a.Outcome)
			}
			if a := row(v0, models.ChannelSMS); a != nil {
				t.Fatalf("the uncertain household was moved on to SMS: %+v", a)
			}
			if n := len(env.sms.Sent(phone84(0))); n != 0 {
				t.Fatalf("%d SMS to the uncertain household", n)
			}
			noPhone := env.voter[3]
			if got := unreached(); len(got) != 2 || got[v0] != models.ReachUncertain || got[noPhone] != models.ReachNoChannel {
				t.Fatalf("door-to-door list %v, want household 0 uncertain and 3 no_channel", got)
			}

			// The receipts: household 0's (uncertain) and household 1's
			// (sent), then one of a message that is not a household's.
			for _, i := range []int{0, 1} {
				a := row(env.voter[i], models.ChannelZNS)
				m := status(t, s, *a.OutboxID)
				if found, err := s.ZNSDelivered(ctx, *m.DedupeKey, daytime); err != nil || !found {
					t.Fatalf("receipt of household %d: %v %v", i, found, err)
				}
				if a := row(env.voter[i], models.ChannelZNS); a.Outcome != models.ReachSent || a.Reason != models.ReachDeliveredReason {
					t.Errorf("household %d after its receipt: %s %q, want sent delivered", i, a.Outcome, a.Reason)
				}
				if m := status(t, s, m.ID); m.Status != models.OutboxSent {
					t.Errorf("household %d's message after its receipt: %s", i, m.Status)
				}
			}
			if found, err := s.ZNSDelivered(ctx, "hh:999:1:zns", daytime); err != nil || found {
				t.Errorf("receipt of an unknown message: %v %v", found, err)
			}
			if got := unreached(); len(got) != 1 || got[noPhone] != models.ReachNoChannel {
				t.Fatalf("door-to-door list after the receipt %v, want household 3 only", got)
			}
		})
	}
}

// status reads an outbox message.
func status(t *testing.T, s *models.Store, id int64) *models.OutboxMessage {
	t.Helper()
	ms, err := s.OutboxMessages(context.Background(), []int64{id})
	if err != nil || len(ms) != 1 {
		t.Fatalf("outbox message %d: %v", id, err)
	}
	return ms[0]
}
