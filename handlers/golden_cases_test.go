package handlers

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"electionbot/models"
)

// Golden conversations of issue 16: residents as they actually write.
// After an intended change: go test ./handlers -run GoldenCases -update,
// then read the diff.

// inKP1 is a contact who chose Khu phố 1 before the script.
func inKP1(hs *harness) {
	hs.send("Khu phố 1")
}

// withNeighbour adds Lê Thị Hoa, born 1975, of Khu phố 2.
func withNeighbour(hs *harness) {
	v := &models.Voter{ID: 99, AreaID: 2, HouseholdNo: "31", FullName: "Lê Thị Hoa", NameFolded: "le thi hoa", BirthYear: 1975}
	hs.store.voters = append(hs.store.voters, v)
}

// namedAreas renames Khu phố 5 and 6 to names, as many wards call theirs.
func namedAreas(hs *harness) {
	hs.store.areas[4].Name, hs.store.areas[4].Code = "Khu phố Đông Thịnh", "dong-thinh"
	hs.store.areas[5].Name, hs.store.areas[5].Code = "Khu phố Đông Hải", "dong-hai"
}

// fakeReminders is the residents' subscription in memory, with the
// election's reminders of the evening before and the morning of the day.
type fakeReminders struct {
	subs map[int64]*models.Subscription
}

func (f *fakeReminders) Subscription(ctx context.Context, contactID int64) (*models.Subscription, error) {
	if s, ok := f.subs[contactID]; ok {
		cp := *s
		return &cp, nil
	}
	return &models.Subscription{ContactID: contactID}, nil
}

func (f *fakeReminders) SaveSubscription(ctx context.Context, sub *models.Subscription) error {
	cp := *sub
	f.subs[sub.ContactID] = &cp
	return nil
}

func (f *fakeReminders) ElectionReminders(ctx context.Context, electionID int64) ([]*models.Reminder, error) {
	r := func(key string, at time.Time) *models.Reminder {
		return &models.Reminder{ElectionID: electionID, Key: key, Audience: models.AudienceSubscribers, MessageKey: key,
			FireAt: at.UTC(), Status: models.ReminderScheduled}
	}
	return []*models.Reminder{r("list_posted", at(2022, 5, 29, 7, 0)), r("evening_before", at(2022, 6, 4, 19, 0)),
		r("morning_of", at(2022, 6, 5, 6, 30))}, nil
}

// withReminders turns the reminders' store on.
func withReminders(hs *harness) {
	fr := &fakeReminders{subs: map[int64]*models.Subscription{}}
	hs.h.stores = func(*models.Store) Stores {
		st := hs.store.stores(nil)
		st.Reminders = fr
		return st
	}
}

var goldenCases = map[string]struct {
	setup  func(hs *harness)
	lang   string
	script []step
}{
	// The wrong place: an area named with a question is answered for it,
	// once; one the ward does not have is refused with the list; only the
	// area alone (or the offer's button) changes the contact's own.
	"wrong_place": {setup: func(hs *harness) { namedAreas(hs); inKP1(hs) }, lang: "vi", script: []step{
		{text: "toi o khu pho hai thi bau o dau"},
		{data: "keep:", note: "bấm Giữ Khu phố 1"},
		{text: "bo phieu o dau"},
		{text: "Khu phố Ba bầu ở đâu"},
		{data: "place:3", note: "bấm 🏠 Đổi sang Khu phố 3"},
		{text: "khu hai"},
		{text: "khu phố mười hai thì bầu ở đâu"},
		{text: "toi o khu dong xuan thi bau o dau"},
		{text: "toi o phuong hai hoa thi bau o dau"},
		{text: "khu dong"},
		{text: "Khu phố Đông Thịnh"},
		{text: "kp dong hai co nhung ai ung cu"},
		{text: "dong thin"},
	}},
	// Someone else's lookup answers for their area and leaves the
	// contact's own; birth years as people write them.
	"neighbour_lookup": {setup: func(hs *harness) { withNeighbour(hs); inKP1(hs) }, lang: "vi", script: []step{
		{text: "tra cuu le thi hoa 1975 khu 2"},
		{text: "bau o dau"},
		{text: "Nguyen Van An, sinh nam 61"},
		{text: "nguyen van an sn 61"},
		{text: "Nguyễn Văn An sinh năm một chín sáu mốt"},
		{text: "nguyen van an"},
		{text: "1961"},
		{text: "0912345678"},
		{text: "sdt cua toi la 0912 345 678"},
	}},
	// "kết quả" before the day, then after: the area asked first, then
	// the result and the public page.
	"results": {lang: "vi", script: []step{
		{text: "ket qua"},
		{text: "ket qua", before: afterTheDay},
		{text: "Khu phố 1"},
		{text: "ket qua khu pho 2"},
		{data: "keep:", note: "bấm Giữ Khu phố 1"},
		{text: "/ketqua"},
	}},
	// Reminders: an explicit state with both buttons, never a toggle.
	"reminders": {setup: func(hs *harness) { withReminders(hs); inKP1(hs) }, lang: "vi", script: []step{
		{text: "/nhacnho"},
		{text: "🔔 Nhắc lịch bầu cử"},
		{data: "rem:on", note: "bấm 🔔 Bật"},
		{text: "/nhacnho"},
		{text: "nhắc tôi trước ngày bầu"},
		{data: "rem:tat", note: "bấm 🔕 Tắt"},
		{text: "/nhacnho"},
		{text: "/nhacnho bat"},
		{text: "tắt nhắc nhở"},
	}},
	// A Vietnamese contact who writes English is answered in English,
	// and back in Vietnamese when they write Vietnamese.
	"english": {lang: "vi", script: []step{
		{text: "when is the vote"},
		{text: "Khu phố 1"},
		{text: "where do I vote"},
		{text: "am I registered"},
		{text: "my name is Nguyen Van An born in 1961"},
		{text: "thank you"},
		{text: "bau o dau"},
		{text: "/lang en"},
		{text: "Nguyễn Văn An 1961"},
	}},
	// Not understood: the nearest command or question is offered; thanks
	// in emoji and "ok" are thanks.
	"fallback": {setup: inKP1, lang: "vi", script: []step{
		{text: "/kiemtra"},
		{data: "act:check", note: "bấm Tra cứu danh sách cử tri"},
		{text: "/huy"},
		{text: "/ngaybao"},
		{text: "/xyz"},
		{text: "👍"},
		{text: "🙏🙏"},
		{text: "ok"},
		{text: "bau cu"},
		{text: "con mèo màu xanh"},
	}},
}

func TestGoldenCases(t *testing.T) {
	for name, c := range goldenCases {
		t.Run(name, func(t *testing.T) {
			hs := newHarnessWith(t, newFakeStore())
			hs.h.publicURL = func(election, ward string) string {
				return "https://bau-cu.example.vn/results/" + election
			}
			hs.lang = c.lang
			if c.setup != nil {
				c.setup(hs)
			}
			got := transcriptOf(hs, c.lang, c.script)
			checkGolden(t, filepath.Join("testdata", "issue16_"+name+".golden"), got)
		})
	}
}
