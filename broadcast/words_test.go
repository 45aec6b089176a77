package broadcast

import (
	"strings"
	"testing"
	"time"

	"electionbot/models"
)

// The officials' and residents' reminders of a commune speak of its thôn
// and UBND xã; those of a province's election of the areas' own ward.
func TestRemindersUseTheWordsOfTheirPlace(t *testing.T) {
	tx, err := NewTexts("vi", nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &Broadcaster{Texts: tx}
	xa := &models.Ward{ID: 2, Name: "Xã Hải Tiến", Kind: models.WardCommune}
	ka := &models.Ward{ID: 1, Name: "Phường Ka Long", Kind: models.WardUrban}
	loc := models.VietnamTime
	e := &models.Election{Title: "Bầu cử Trưởng thôn", Date: "2022-06-05", Timezone: "Asia/Ho_Chi_Minh",
		OpensAt: time.Date(2022, 6, 5, 7, 0, 0, 0, loc), ClosesAt: time.Date(2022, 6, 5, 11, 0, 0, 0, loc)}
	t1 := &models.Area{ID: 1, Name: "Thôn 1", Unit: models.UnitThon, WardID: 2, Ward: xa}
	t2 := &models.Area{ID: 2, Name: "Thôn 2", Unit: models.UnitThon, WardID: 2, Ward: xa}
	kp := &models.Area{ID: 3, Name: "Khu phố 1", Unit: models.UnitKhuPho, WardID: 1, Ward: ka}
	admin, reporter := &models.Contact{ID: 10, Lang: "vi"}, &models.Contact{ID: 11, Lang: "en"}
	rc := &renderCtx{e: e, areas: map[int64]*models.Area{1: t1, 2: t2, 3: kp},
		admins: map[int64]bool{10: true}, reporterAreas: map[int64][]int64{11: {1}},
		open: []*models.Area{t1, t2}, openSet: map[int64]bool{1: true, 2: true}}
	bc := &models.Broadcast{Kind: models.BroadcastOfficial, MessageKey: models.RemindOfficialResults}

	got, _ := b.render(rc, bc, admin)
	for _, want := range []string{"Hạn gửi kết quả bầu cử về UBND xã", "Còn 2 thôn chưa được công nhận"} {
		if !strings.Contains(got, want) {
			t.Errorf("admin: %q lacks %q", got, want)
		}
	}
	got, _ = b.render(rc, bc, reporter)
	if !strings.Contains(got, "due at the commune People's Committee") || !strings.Contains(got, "accepted by the commune yet") {
		t.Errorf("reporter: %q", got)
	}
	// The open areas of two wards: the general words of a ward's kind.
	rc.open = []*models.Area{t1, kp}
	got, _ = b.render(rc, bc, admin)
	if !strings.Contains(got, "về UBND cấp xã") || !strings.Contains(got, "Còn 2 thôn, khu phố chưa") {
		t.Errorf("two wards: %q", got)
	}
	// A resident's reminder names the area's own ward.
	d := b.residentData("vi", rc, kp)
	if d["Ward"] != "Phường Ka Long" || d["Unit"] != "khu phố" || d["Committee"] != "UBND phường" {
		t.Errorf("resident data %v", d)
	}
}
