package models_test

import (
	"context"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// TestMigrationPrivacy: migration 8 moves Telegram contacts whose chat
// was a group to their private chat (reachable again: whether it works is
// learnt at the next message), and masks the phones of the role audit
// rows written before.
func TestMigrationPrivacy(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if err := s.MigrateDownTo(ctx, 7); err != nil {
				t.Fatal(err)
			}
			db := s.DB(ctx)
			for _, q := range []string{
				`INSERT INTO contacts (channel, external_id, chat_id, reachable) VALUES ('telegram', '111', '-1001', FALSE)`,
				`INSERT INTO contacts (channel, external_id, chat_id, reachable) VALUES ('telegram', '222', '222', FALSE)`,
				`INSERT INTO contacts (channel, external_id, chat_id, reachable) VALUES ('zalo', 'z1', 'z1', TRUE)`,
				`INSERT INTO audit_events (action, subject, detail) VALUES ('role.grant', 'reporter', 'phone=+84912345678 area=3')`,
				`INSERT INTO audit_events (action, subject, detail) VALUES ('role.revoke', 'reporter', 'grant=4 phone=+6591234567')`,
				`INSERT INTO audit_events (action, subject, detail) VALUES ('role.grant', 'admin', 'contact=5 ward=1')`,
			} {
				if err := db.Exec(q).Error; err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var cs []models.Contact
			if err := db.Order("external_id").Find(&cs).Error; err != nil {
				t.Fatal(err)
			}
			want := map[string][2]any{"111": {"111", true}, "222": {"222", false}, "z1": {"z1", true}}
			for _, c := range cs {
				if w := want[c.ExternalID]; c.ChatID != w[0] || c.Reachable != w[1] {
					t.Errorf("contact %s: chat %s reachable %v, want %v", c.ExternalID, c.ChatID, c.Reachable, w)
				}
			}
			var details []string
			if err := db.Model(&models.AuditEvent{}).Order("id").Pluck("detail", &details).Error; err != nil {
				t.Fatal(err)
			}
			wantD := []string{"phone=+84******678 area=3", "grant=4 phone=+*******567", "contact=5 ward=1"}
			for i, d := range details {
				if d != wantD[i] {
					t.Errorf("audit detail %q, want %q", d, wantD[i])
				}
			}
		})
	}
}
