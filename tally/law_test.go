package tally_test

import (
	"reflect"
	"testing"

	"electionbot/models"
	"electionbot/tally"
)

// TestParse_ND59_2023_HouseholdBallotAndNominees: the one-message grammar
// of the household ballot (NĐ 59/2023 Mẫu số 04: a keyword such as PHIEU HO
// or "lấy ý kiến hộ", its counts in its own words) and of people nominated
// at the meeting (NĐ 59/2023: a full name not in the list, or any name
// after "ứng cử tại hội nghị", "đề cử", "tự ứng cử").
func TestParse_ND59_2023_HouseholdBallotAndNominees(t *testing.T) {
	S, HB := models.MethodSecret, models.TallyKindHouseholdBallot
	ballots := map[string]int{"issued": 300, "returned": 290, "valid": 285, "invalid": 5}
	cases := []struct {
		name, text string
		want       view
	}{
		{name: "PHIEU HO with the short labels",
			text: "KQ KP1 PHIEU HO PR 300 TV 290 HL 285 KHL 5 UV1 200 UV2 85",
			want: view{IsTally: true, Area: "kp1", Method: S, Kind: HB, Fields: ballots, Votes: map[int]int{1: 200, 2: 85}}},
		{name: "the form's own words, with diacritics",
			text: "Kết quả phát phiếu lấy ý kiến hộ gia đình khu phố 1: số hộ được phát phiếu 300, phiếu thu về 290, hợp lệ 285, không hợp lệ 5, Nguyễn Văn An 200, Trần Thị Bình 85",
			want: view{IsTally: true, Area: "kp1", Method: S, Kind: HB, Fields: ballots, Votes: map[int]int{1: 200, 2: 85}}},
		{name: "lay y kien ho, no diacritics, area last",
			text: "kq lay y kien ho ho duoc phat phieu 300 thu ve 290 hl 285 khl 5 uv1 200 kp1",
			want: view{IsTally: true, Area: "kp1", Method: S, Kind: HB, Fields: ballots, Votes: map[int]int{1: 200}}},
		{name: "the keyword alone gives the written ballot",
			text: "KQ KP1 phieu lay y kien UV1 200",
			want: view{IsTally: true, Area: "kp1", Method: S, Kind: HB, Votes: map[int]int{1: 200}}},
		{name: "a full name not in the list",
			text: "KQ KP1 TD 290 UV1 60 UV2 35 Lê Văn Tám 190",
			want: view{IsTally: true, Area: "kp1", Fields: map[string]int{"attending": 290}, Votes: map[int]int{1: 60, 2: 35},
				Nominees: []models.Nominee{{Name: "Lê Văn Tám", Votes: 190}}}},
		{name: "a given name that is also a label word (Thu)",
			text: "KQ KP1 Trần Thị Thu 40 bà Bình 35",
			want: view{IsTally: true, Area: "kp1", Votes: map[int]int{2: 35}, Nominees: []models.Nominee{{Name: "Trần Thị Thu", Votes: 40}}}},
		{name: "after a marker, any name, honorific dropped",
			text: "KQ KP1 ứng cử tại hội nghị: ông Tư 40; tự ứng cử Hà 3",
			want: view{IsTally: true, Area: "kp1", Nominees: []models.Nominee{{Name: "Tư", Votes: 40}, {Name: "Hà", Votes: 3}}}},
		{name: "a marker before a listed candidate counts for the candidate",
			text: "KQ KP1 đề cử Nguyễn Văn An 250",
			want: view{IsTally: true, Area: "kp1", Votes: map[int]int{1: 250}}},
		{name: "the same nominee twice agreeing, then disagreeing",
			text: "KQ KP1 Lê Văn Tám 20, le van tam 20, Hoàng Minh 5, hoang minh 6",
			want: view{IsTally: true, Area: "kp1", Nominees: []models.Nominee{{Name: "Lê Văn Tám", Votes: 20}},
				Ambiguous: []string{"Hoàng Minh 5 / hoang minh 6"}}},
		{name: "a name without KQ is a resident's look-up, not a tally",
			text: "Lê Văn Tám 1961",
			want: view{Nominees: []models.Nominee{{Name: "Lê Văn Tám", Votes: 1961}}}},
		{name: "a phrase that is not a name stays unknown",
			text: "KQ KP1 TD 290 tong so phieu bau them 3, xyz abc 4",
			want: view{IsTally: true, Area: "kp1", Fields: map[string]int{"attending": 290}, Unknown: []string{"tong so phieu bau them 3", "xyz abc 4"}}},
		{name: "an area's name that starts like a surname is the area",
			text: "KQ Đông Sơn TD 70 UV1 65",
			want: view{IsTally: true, Area: "dong-son", Fields: map[string]int{"attending": 70}, Votes: map[int]int{1: 65}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, isTally := tally.Parse(c.text, testAreas())
			if got := viewOf(p, isTally); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", c.text, got, c.want)
			}
		})
	}
}
