package handlers

import (
	"strings"
	"testing"
	"time"

	"electionbot/models"
)

func TestFormatDate(t *testing.T) {
	hs := newHarness(t)
	day := time.Date(2022, 6, 5, 0, 0, 0, 0, models.VietnamTime)
	if got := hs.h.texts.date("vi", "date_format", day); got != "Chủ nhật, 05/06/2022" {
		t.Errorf("vi = %q", got)
	}
	if got := hs.h.texts.date("en", "date_format", day); got != "Sunday, 5 June 2022" {
		t.Errorf("en = %q", got)
	}
	if got := hs.h.texts.date("vi", "date_format", day.AddDate(0, 0, 1)); got != "Thứ hai, 06/06/2022" {
		t.Errorf("vi monday = %q", got)
	}
}

// Relative words come from the injected clock, in Asia/Ho_Chi_Minh: at
// 23:30 UTC on 4 June it is already 5 June in Vietnam.
func TestRelativeDays(t *testing.T) {
	cases := []struct {
		name   string
		now    time.Time
		vi, en string
	}{
		{"three days before", at(2022, 6, 2, 9, 0), "còn 3 ngày nữa", "in 3 days"},
		{"tomorrow", at(2022, 6, 4, 20, 0), "ngày mai", "tomorrow"},
		{"today before opening", at(2022, 6, 5, 6, 0), "hôm nay", "today"},
		{"today UTC still the 4th", time.Date(2022, 6, 4, 23, 30, 0, 0, time.UTC), "hôm nay", "today"},
		{"today during voting", at(2022, 6, 5, 8, 0), "hôm nay — đang diễn ra", "today — voting is open now"},
		{"today after closing", at(2022, 6, 5, 12, 0), "đã diễn ra", "already held"},
		{"after the day", at(2022, 6, 9, 9, 0), "đã diễn ra", "already held"},
	}
	el := newFakeStore().election
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs := newHarness(t)
			if got := hs.h.texts.relative("vi", el, c.now); got != c.vi {
				t.Errorf("vi = %q, want %q", got, c.vi)
			}
			if got := hs.h.texts.relative("en", el, c.now); got != c.en {
				t.Errorf("en = %q, want %q", got, c.en)
			}
			hs.clk.t = c.now
			if got := text(hs.send("ngay bau cu")); !strings.Contains(got, "Chủ nhật, 05/06/2022 ("+c.vi+")") {
				t.Errorf("date reply = %q", got)
			}
		})
	}
}

func TestDateReplyNamesPlaceOfArea(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp2")
	got := text(hs.send("ngày bầu cử"))
	for _, want := range []string{"Bầu cử Trưởng khu phố nhiệm kỳ 2022–2025", "Chủ nhật, 05/06/2022", "Từ 07:00 đến 11:00", "Khu phố 2: Nhà văn hóa khu phố 2"} {
		if !strings.Contains(got, want) {
			t.Errorf("date reply lacks %q:\n%s", want, got)
		}
	}
}

// After the day: the latest accepted tally of the area, with the winner's
// share of ALL households; a provisional or older version is not shown.
func TestResultAfterTheDay(t *testing.T) {
	hs := newHarness(t)
	hs.clk.t = at(2022, 6, 6, 9, 0)
	hs.send("kp1")
	if got := text(hs.send("ngay bau cu")); !strings.Contains(got, "chưa được UBND phường công nhận") {
		t.Fatalf("without a tally = %q", got)
	}
	hs.store.tallies = []*models.Tally{
		{ID: 1, AreaID: 1, Version: 1, Households: 301, Method: models.MethodSecret, Attending: 290, Issued: ptr(290), Returned: ptr(289), Valid: ptr(285), Invalid: ptr(4), Status: models.TallyAccepted, Votes: []models.TallyVote{{CandidateID: 11, Votes: 100}, {CandidateID: 12, Votes: 160}}},
		{ID: 2, AreaID: 1, Version: 2, Households: 301, Method: models.MethodSecret, Attending: 290, Issued: ptr(290), Returned: ptr(289), Valid: ptr(285), Invalid: ptr(4), Status: models.TallyAccepted, Votes: []models.TallyVote{{CandidateID: 11, Votes: 250}, {CandidateID: 12, Votes: 35}}},
		{ID: 3, AreaID: 1, Version: 3, Households: 301, Method: models.MethodSecret, Attending: 290, Issued: ptr(290), Returned: ptr(289), Valid: ptr(285), Invalid: ptr(4), Status: models.TallyProvisional, Votes: []models.TallyVote{{CandidateID: 12, Votes: 290}}},
	}
	got := text(hs.send("ngay bau cu"))
	if !strings.Contains(got, "UBND phường đã công nhận kết quả bầu Trưởng khu phố Khu phố 1: Nguyễn Văn An (số 1 trên phiếu) trúng cử với 250 phiếu, bằng 83,1% tổng số cử tri đại diện hộ gia đình (301 hộ)") {
		t.Fatalf("result = %q", got)
	}
	hs.send("/lang en")
	if got := text(hs.send("who won")); !strings.Contains(got, "Nguyễn Văn An (no. 1 on the ballot) is elected neighbourhood head with 250 votes, 83.1% of all the household representatives") {
		t.Fatalf("en result = %q", got)
	}
	// Nobody above 50% of all households: a re-run on a day the ward sets,
	// at the latest 15 days after the first (NQLT 09/2008 Điều 8).
	hs.store.tallies = []*models.Tally{{ID: 4, AreaID: 1, Version: 1, Households: 301, Method: models.MethodSecret, Attending: 290, Issued: ptr(290), Returned: ptr(289), Valid: ptr(285), Invalid: ptr(4), Status: models.TallyAccepted,
		Votes: []models.TallyVote{{CandidateID: 11, Votes: 150}, {CandidateID: 12, Votes: 130}}}}
	if got := text(hs.send("result")); !strings.Contains(got, "no candidate received more than 50%") || !strings.Contains(got, "at the latest 15 days after the first") ||
		!strings.Contains(got, "Nguyễn Văn An received the most, 150 votes") {
		t.Fatalf("no winner = %q", got)
	}
}

// NQLT 09/2008 Điều 8: with no more than half of the households attending,
// the meeting is not valid, whatever the votes.
func TestResultAfterTheDay_NQLT09_2008_MeetingInvalid(t *testing.T) {
	hs := newHarness(t)
	hs.clk.t = at(2022, 6, 6, 9, 0)
	hs.send("/lang en")
	hs.send("khu 1")
	hs.store.tallies = []*models.Tally{{ID: 5, AreaID: 1, Version: 1, Households: 301, Method: models.MethodSecret,
		Attending: 150, Issued: ptr(150), Returned: ptr(150), Valid: ptr(150), Invalid: ptr(0), Status: models.TallyAccepted,
		Votes: []models.TallyVote{{CandidateID: 11, Votes: 150}}}}
	got := text(hs.send("result"))
	if !strings.Contains(got, "only 150 of 301 households") || !strings.Contains(got, "must be held again") || strings.Contains(got, "is elected") {
		t.Fatalf("meeting without quorum = %q", got)
	}
}
