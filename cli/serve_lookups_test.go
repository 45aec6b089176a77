package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// TestServeLookupBudget: serve wires the enumeration budget
// (LOOKUP_AREA_BUDGET), its metric electionbot_lookups_total{result}
// and the admin's alert, and its housekeeping forgets an abandoned
// lookup's name (issue 17, findings 3 and 4).
func TestServeLookupBudget(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		fake := telegramtest.New(t)
		env := webhookEnv()
		env["ADMIN_TELEGRAM_IDS"] = "900"
		env["LOOKUP_AREA_BUDGET"] = "3"
		env["LOOKUP_COOLDOWN"] = "0s"
		h := startServe(t, s, fake, env, nil)
		upd := 0
		say := func(user int64, text string) {
			t.Helper()
			upd++
			if code := h.post(textUpdate(12000+upd, user, text), testSecret); code != 200 {
				t.Fatalf("webhook: %d", code)
			}
		}
		say(900, "/start")
		for _, u := range []int64{201, 202, 203} {
			say(u, "kp1")
		}
		for _, u := range []int64{201, 202, 203} {
			say(u, "nguyen van an 1961")
			say(u, "tran thi lan 1950")
		}
		h.waitAllSent()
		refused := 0
		for _, u := range []int64{201, 202, 203} {
			for _, c := range fake.Sent(u) {
				if strings.Contains(c.Get("text"), "quá nhiều lượt tra cứu") {
					refused++
				}
			}
		}
		if refused != 3 {
			t.Errorf("%d lookups refused, want 3", refused)
		}
		alerts := 0
		for _, c := range fake.Sent(900) {
			if strings.Contains(c.Get("text"), "Cảnh báo bảo vệ dữ liệu") {
				alerts++
			}
		}
		if alerts != 1 {
			t.Errorf("the admin got %d alerts, want 1", alerts)
		}
		h.checkMetrics(`electionbot_lookups_total{result="budget_area"} 3`, `electionbot_lookups_total{result="found"} 2`,
			`electionbot_lookups_total{result="not_found"} 1`)

		// An abandoned lookup: its name is gone after the housekeeping
		// that follows LOOKUP_PENDING_TTL (5m).
		say(204, "le thi nam 1980")
		h.waitAllSent()
		if hits := testdb.FindText(t, s, []string{"le thi nam"}, "contacts"); len(hits) != 1 {
			t.Fatalf("the pending lookup: %+v", hits)
		}
		h.sv.housekeep(ctx, time.Now().Add(5*time.Minute+time.Second))
		if hits := testdb.FindText(t, s, []string{"le thi nam"}, "contacts"); len(hits) != 0 {
			t.Fatalf("the name is still in contacts: %+v", hits)
		}
	})
}
