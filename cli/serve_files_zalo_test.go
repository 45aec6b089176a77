package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"electionbot/bot/zalo/zalotest"
	"electionbot/demo"
	"electionbot/models"
)

// On Zalo too, a ward admin's voter list sent as a file (user_send_file)
// is checked, summarised and imported once "đồng ý" is typed.
func TestServeZaloFileInChat(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		fake := zalotest.New(t)
		_, ts := startZaloServe(t, s, zaloEnv(fake), nil)
		const user = "7001"
		said := func(want string) {
			t.Helper()
			waitUntil(t, "a reply with "+want, func() bool {
				for _, c := range fake.Calls() {
					if strings.Contains(c.Text(), want) {
						return true
					}
				}
				return false
			})
		}
		postZalo(t, ts, zalotest.TextEvent(user, "z-1", "/start", time.Now()))
		said("Ka Long")
		var c models.Contact
		if err := s.DB(ctx).Where("channel = ? AND external_id = ?", models.ChannelZalo, user).Take(&c).Error; err != nil {
			t.Fatal(err)
		}
		w, err := s.WardByCode(ctx, "ka-long")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Grant(ctx, &models.RoleGrant{ContactID: &c.ID, Role: models.RoleAdmin, WardID: &w.ID}); err != nil {
			t.Fatal(err)
		}
		list := voterXLSX(t, []any{"", "kp6", "Z-1", "Đinh Văn Zalo", 1966, "Số 99", ""})
		postZalo(t, ts, zalotest.FileEvent(user, "z-2", fake.AddFile(list), "kp6.xlsx", len(list), time.Now()))
		said("kp6: 1 hộ (thay")
		household := func() int64 {
			var n int64
			s.DB(ctx).Model(&models.Voter{}).Where("household_no = ?", "Z-1").Count(&n)
			return n
		}
		if household() != 0 {
			t.Fatal("imported before the confirmation")
		}
		postZalo(t, ts, zalotest.TextEvent(user, "z-3", "đồng ý", time.Now()))
		said("Đã nhập")
		if household() != 1 {
			t.Error("not imported after the confirmation")
		}
	})
}
