package models_test

import (
	"context"
	"strings"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+84912345678":  "+84******678",
		"+842033123456": "+84*******456",
		"+6591234567":   "+*******567",
		"+12":           "+**",
	} {
		if got := models.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAuditMasksDesignatedPhones is finding 9 of issue 17: the phone an
// admin designated an official by was written in clear into the
// role.grant, role.claim and role.revoke audit rows.
func TestAuditMasksDesignatedPhones(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newOfficialsFixture(t, n.Store)
			kp3 := f.areas[2].ID
			phone := "+84912345678"
			if err := f.s.Grant(ctx, &models.RoleGrant{Phone: &phone, Role: models.RoleReporter, AreaID: &kp3, GrantedBy: &f.admin.ID}); err != nil {
				t.Fatal(err)
			}
			gs, err := f.s.ClaimPhoneGrants(ctx, f.outsider.ID, phone)
			if err != nil || len(gs) != 1 {
				t.Fatalf("claim = %+v, %v", gs, err)
			}
			if _, err := f.s.RevokeGrant(ctx, gs[0].ID, &f.admin.ID); err != nil {
				t.Fatal(err)
			}
			var evs []models.AuditEvent
			if err := f.s.DB(ctx).Where("action LIKE 'role.%'").Order("id").Find(&evs).Error; err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, ev := range evs {
				for _, digits := range []string{"912345678", "0912345678", "912 345 678"} {
					if strings.Contains(ev.Detail+ev.Subject, digits) {
						t.Errorf("%s audit row keeps the phone: %q", ev.Action, ev.Detail)
					}
				}
				if strings.Contains(ev.Detail, "phone=+84******678") {
					seen[ev.Action] = true
				}
			}
			for _, a := range []string{"role.grant", "role.claim", "role.revoke"} {
				if !seen[a] {
					t.Errorf("no %s row with the masked phone in %+v", a, evs)
				}
			}
		})
	}
}
