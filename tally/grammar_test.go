package tally_test

import (
	"reflect"
	"testing"

	"electionbot/models"
	"electionbot/tally"
)

var exampleVotes = map[int]int{1: 250, 2: 35}

// TestParse_DESIGN5_Grammar is the grammar table: the docs/design.md examples
// verbatim and in many other forms, malformed parts, missing fields,
// unknown and ambiguous candidates, messages that are no tally.
func TestParse_DESIGN5_Grammar(t *testing.T) {
	S, H := models.MethodSecret, models.MethodHands
	full := fullFields()
	cases := []struct {
		name  string
		text  string
		areas []*models.Area // testAreas() when nil
		want  view
	}{
		// --- valid, in many forms ---
		{name: "docs/design.md §5 example 1 verbatim",
			text: "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "docs/design.md §5 example 2 verbatim",
			text: "kết quả khu phố 1: tham dự 290, phát ra 290, thu vào 289, hợp lệ 285, không hợp lệ 4, Nguyễn Văn An 250, Trần Thị Bình 35",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "shuffled order, area last",
			text: "UV2 35 KHL 4 HL 285 TD 290 UV1 250 TV 289 PR 290 KP1",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "no diacritics",
			text: "ket qua khu pho 1: tham du 290, phat ra 290, thu vao 289, hop le 285, khong hop le 4, Nguyen Van An 250, Tran Thi Binh 35",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "upper case",
			text: "KẾT QUẢ KHU PHỐ 1: THAM DỰ 290, PHÁT RA 290, THU VÀO 289, HỢP LỆ 285, KHÔNG HỢP LỆ 4, NGUYỄN VĂN AN 250, TRẦN THỊ BÌNH 35",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "lower case short labels",
			text: "kq kp1 td 290 pr 290 tv 289 hl 285 khl 4 uv1 250 uv2 35",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "colons, equals and semicolons",
			text: "KQ KP1; TD: 290; PR=290; TV = 289; HL:285; KHL : 4; UV1: 250; UV2=35",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "one pair per line",
			text: "Kết quả KP1\nTham dự: 290\nPhát ra: 290\nThu vào: 289\nHợp lệ: 285\nKhông hợp lệ: 4\nUV1: 250\nUV2: 35\n",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "labels glued to numbers",
			text: "KQ KP1 TD290 PR290 TV289 HL285 KHL4 UV1:250 UV2:35",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "KHL before HL (longest label wins)",
			text: "KQ KP1 KHL 4 HL 285 không hợp lệ 4 hợp lệ 285",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: map[string]int{"valid": 285, "invalid": 4}}},
		{name: "filler words of the minutes",
			text: "Kết quả khu phố 1: số cử tri tham dự 290, tổng số phiếu phát ra 290, số phiếu thu vào 289, số phiếu hợp lệ 285, số phiếu không hợp lệ 4",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full}},
		{name: "English labels",
			text: "KQ KP1 attending 290 issued 290 returned 289 valid 285 invalid 4 candidate 1 250 candidate 2 35",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "units after numbers",
			text: "KQ KP1 tham dự 290 hộ, phát ra 290 phiếu, thu vào 289 phiếu hợp lệ 285 phiếu không hợp lệ 4 phiếu",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full}},
		{name: "candidates by name with typos",
			text: "KQ KP1 Nguyen Van Anh 250, Tran Thi Bnh 35",
			want: view{IsTally: true, Area: "kp1", Votes: exampleVotes}},
		{name: "long name with two typos, words run together",
			text: "KQ KP1 nguyenvan an 250 tranthibinh 35",
			want: view{IsTally: true, Area: "kp1", Votes: exampleVotes}},
		{name: "candidates by given name and honorific",
			text: "KQ KP1 ông An 250, bà Bình được 35 phiếu",
			want: view{IsTally: true, Area: "kp1", Votes: exampleVotes}},
		{name: "ballot numbers spelled out",
			text: "KQ KP1 ứng viên 1: 250, ứng cử viên số 2 - 35",
			want: view{IsTally: true, Area: "kp1", Votes: exampleVotes}},
		{name: "số N before the votes",
			text: "KQ KP1 số 1 250 số 2 35 số hộ 312",
			want: view{IsTally: true, Area: "kp1", Votes: exampleVotes, Households: 312, Fields: map[string]int{"households": 312}}},
		{name: "ballot number then the name agreeing",
			text: "KQ KP1 UV1 Nguyễn Văn An 250 UV2 Trần Thị Bình 35",
			want: view{IsTally: true, Area: "kp1", Votes: exampleVotes}},
		{name: "percentages are skipped",
			text: "KQ KP1 Nguyễn Văn An 250 (80,13%), Trần Thị Bình 35 phiếu đạt 11.2%",
			want: view{IsTally: true, Area: "kp1", Votes: exampleVotes}},
		{name: "thousands with dots and commas",
			text: "KQ KP5 TD 2.100 PR 2,100 TV 2.099 HL 2.000 KHL 99 UV1 1.500 UV2 500",
			want: view{IsTally: true, Area: "kp5", Method: S,
				Fields: map[string]int{"attending": 2100, "issued": 2100, "returned": 2099, "valid": 2000, "invalid": 99},
				Votes:  map[int]int{1: 1500, 2: 500}}},
		{name: "comma without a space is a separator before a label",
			text: "KQ KP1 TD 290,PR 290,TV 289,HL 285,KHL 4,UV1 250,UV2 35",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: full, Votes: exampleVotes}},
		{name: "the largest number allowed",
			text: "KQ KP5 TD 10.000.000",
			want: view{IsTally: true, Area: "kp5", Fields: map[string]int{"attending": 10000000}}},
		{name: "area as kp 1 with spaces and leading zero",
			text: "kq kp 01 td 290 uv1 250",
			want: view{IsTally: true, Area: "kp1", Fields: map[string]int{"attending": 290}, Votes: map[int]int{1: 250}}},
		{name: "area in roman numerals",
			text: "Kết quả khu phố IV: TD 150, Vũ Thị Hoa 120, Hồ Văn Nam 25",
			want: view{IsTally: true, Area: "kp4", Fields: map[string]int{"attending": 150}, Votes: map[int]int{1: 120, 2: 25}}},
		{name: "area 4 in digits though named in roman numerals",
			text: "KQ KP4 TD 150 UV1 120",
			want: view{IsTally: true, Area: "kp4", Fields: map[string]int{"attending": 150}, Votes: map[int]int{1: 120}}},
		{name: "area by name without a number",
			text: "KQ thôn Đông Sơn: giơ tay, tham dự 70, Bùi Văn Sơn 65",
			want: view{IsTally: true, Area: "dong-son", Method: H, Fields: map[string]int{"attending": 70}, Votes: map[int]int{1: 65}}},
		{name: "area by name without its qualifier",
			text: "ket qua dong son td 70 uv1 65",
			want: view{IsTally: true, Area: "dong-son", Fields: map[string]int{"attending": 70}, Votes: map[int]int{1: 65}}},
		{name: "show of hands",
			text: "KQ KP1 giơ tay TD 200 UV1 150 UV2 40",
			want: view{IsTally: true, Area: "kp1", Method: H, Fields: map[string]int{"attending": 200}, Votes: map[int]int{1: 150, 2: 40}}},
		{name: "show of hands in English, no diacritics method",
			text: "KQ KP1 show of hands attending 200 candidate 1 150",
			want: view{IsTally: true, Area: "kp1", Method: H, Fields: map[string]int{"attending": 200}, Votes: map[int]int{1: 150}}},
		{name: "secret ballot named explicitly, no ballot fields",
			text: "KQ KP1 bo phieu kin TD 290 UV1 250",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: map[string]int{"attending": 290}, Votes: map[int]int{1: 250}}},
		{name: "no area named: candidate names infer it",
			text: "TD 290 PR 290 TV 289 HL 285 KHL 4 Nguyễn Văn An 250 Trần Thị Bình 35",
			want: view{IsTally: true, Area: "kp1", Inferred: true, Method: S, Fields: full, Votes: exampleVotes}},
		{name: "no area named, ballot numbers only",
			text: "TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35",
			want: view{IsTally: true, Method: S, Fields: full, Votes: exampleVotes}},
		{name: "only the reporter's area given: names match in it",
			text:  "TD 250 Lê Văn Cường 200 Phạm Thị Dung 40",
			areas: []*models.Area{testAreas()[1]},
			want:  view{IsTally: true, Fields: map[string]int{"attending": 250}, Votes: map[int]int{1: 200, 2: 40}}},
		{name: "no areas known at all",
			text:  "KQ TD 290 UV1 250",
			areas: []*models.Area{},
			want:  view{IsTally: true, Fields: map[string]int{"attending": 290}, Votes: map[int]int{1: 250}}},
		{name: "the same label twice with the same number",
			text: "KQ KP1 TD 290 tham dự 290",
			want: view{IsTally: true, Area: "kp1", Fields: map[string]int{"attending": 290}}},

		// --- missing fields ---
		{name: "missing fields are not set",
			text: "KQ KP1 TD 290 HL 285 UV1 250",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: map[string]int{"attending": 290, "valid": 285}, Votes: map[int]int{1: 250}}},
		{name: "a label without its number",
			text: "KQ KP1 TD, PR 290",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: map[string]int{"issued": 290}, Unknown: []string{"TD"}}},
		{name: "a ballot number without votes",
			text: "KQ KP1 UV1, UV2 35",
			want: view{IsTally: true, Area: "kp1", Votes: map[int]int{2: 35}, Unknown: []string{"UV1"}}},

		// --- malformed ---
		{name: "a decimal number",
			text: "KQ KP1 HL 28.5 KHL 4",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: map[string]int{"invalid": 4}, Unknown: []string{"HL 28.5"}}},
		{name: "a negative number",
			text: "KQ KP1 TD 290 KHL -4 UV1 -5",
			want: view{IsTally: true, Area: "kp1", Fields: map[string]int{"attending": 290}, Unknown: []string{"KHL -4", "UV1 -5"}}},
		{name: "a number too large",
			text: "KQ KP1 TD 10000001 PR 99.999.999.999",
			want: view{IsTally: true, Area: "kp1", Unknown: []string{"TD 10000001", "PR 99.999.999.999"}}},
		{name: "a comma before a number of other than 3 digits",
			text: "KQ KP1 HL 285,4",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: map[string]int{"valid": 285}, Unknown: []string{"4"}}},
		{name: "an unknown label",
			text: "KQ KP1 TD 290 XYZ 12 phiếu bầu thêm 3",
			want: view{IsTally: true, Area: "kp1", Fields: map[string]int{"attending": 290}, Unknown: []string{"XYZ 12", "phiếu bầu thêm 3"}}},
		{name: "a number without a label",
			text: "KQ KP1 TD 290 312",
			want: view{IsTally: true, Area: "kp1", Fields: map[string]int{"attending": 290}, Unknown: []string{"312"}}},
		{name: "a trailing word",
			text: "KQ KP1 TD 290 xong",
			want: view{IsTally: true, Area: "kp1", Fields: map[string]int{"attending": 290}, Unknown: []string{"xong"}}},

		// --- unknown and ambiguous candidates, duplicates ---
		{name: "unknown ballot number",
			text: "KQ KP1 UV1 250 UV3 20",
			want: view{IsTally: true, Area: "kp1", Votes: map[int]int{1: 250}, Unknown: []string{"UV3 20"}}},
		{name: "a name not in the list is a nominee (NĐ 59/2023: nominated at the meeting)",
			text: "KQ KP1 Nguyễn Văn An 250 Lê Văn Tám 20",
			want: view{IsTally: true, Area: "kp1", Votes: map[int]int{1: 250}, Nominees: []models.Nominee{{Name: "Lê Văn Tám", Votes: 20}}}},
		{name: "a candidate of another area",
			text: "KQ KP1 Nguyễn Văn An 250 Lê Văn Cường 20",
			want: view{IsTally: true, Area: "kp1", Votes: map[int]int{1: 250}, Unknown: []string{"Lê Văn Cường 20"}}},
		{name: "ambiguous name: two candidates fold alike",
			text: "KQ KP3 TD 200 Nguyen Van Hai 100 Đỗ Văn Tâm 50",
			want: view{IsTally: true, Area: "kp3", Fields: map[string]int{"attending": 200}, Votes: map[int]int{3: 50},
				Ambiguous: []string{"Nguyen Van Hai 100"}}},
		{name: "ambiguous typo: one edit from two names",
			text: "KQ KP3 TD 200 Do Van Sam 100",
			want: view{IsTally: true, Area: "kp3", Fields: map[string]int{"attending": 200}, Ambiguous: []string{"Do Van Sam 100"}}},
		{name: "ambiguous given name",
			text: "KQ KP3 TD 200 Hải 100",
			want: view{IsTally: true, Area: "kp3", Fields: map[string]int{"attending": 200}, Ambiguous: []string{"Hải 100"}}},
		{name: "a field twice with different numbers",
			text: "KQ KP1 TD 290 PR 290 tham dự 291",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: map[string]int{"issued": 290}, Ambiguous: []string{"TD 290 / tham dự 291"}}},
		{name: "a candidate by number and by name with different votes",
			text: "KQ KP1 UV1 250 Nguyễn Văn An 251 UV2 35",
			want: view{IsTally: true, Area: "kp1", Votes: map[int]int{2: 35}, Ambiguous: []string{"UV1 250 / Nguyễn Văn An 251"}}},
		{name: "a ballot number that disagrees with the name",
			text: "KQ KP1 UV2 Nguyễn Văn An 250",
			want: view{IsTally: true, Area: "kp1", Ambiguous: []string{"UV2 Nguyễn Văn An 250"}}},
		{name: "two areas",
			text: "KQ KP1 KP2 TD 290",
			want: view{IsTally: true, Fields: map[string]int{"attending": 290}, Ambiguous: []string{"KP1 / KP2"}}},
		{name: "an area that does not exist",
			text: "KQ KP9 TD 290 UV1 250",
			want: view{IsTally: true, Fields: map[string]int{"attending": 290}, Votes: map[int]int{1: 250}, Unknown: []string{"KP9"}}},
		{name: "both methods",
			text: "KQ KP1 giơ tay bỏ phiếu kín TD 290 HL 285",
			want: view{IsTally: true, Area: "kp1", Method: S, Fields: map[string]int{"attending": 290, "valid": 285},
				Ambiguous: []string{"giơ tay / bỏ phiếu kín"}}},
		{name: "no area named, names of two areas' candidates",
			text: "TD 200 HL 190 Nguyễn Văn An 100 Lê Văn Cường 90",
			want: view{IsTally: true, Method: S, Fields: map[string]int{"attending": 200, "valid": 190},
				Ambiguous: []string{"Nguyễn Văn An 100", "Lê Văn Cường 90"}}},

		// --- not a tally ---
		{name: "a resident's question", text: "ngay bau cu",
			want: view{Unknown: []string{"ngay bau cu"}}},
		{name: "an empty message", text: "",
			want: view{}},
		{name: "a voter look-up that is also a candidate's name", text: "Nguyen Van An 1961",
			want: view{Area: "kp1", Inferred: true, Votes: map[int]int{1: 1961}}},
		{name: "choosing an area", text: "khu pho 1",
			want: view{Area: "kp1"}},
		{name: "asking for the results of an area", text: "kết quả KP1?",
			want: view{Area: "kp1"}},
		{name: "asking about a past election", text: "kết quả bầu cử khu phố 1 năm 2022",
			want: view{Area: "kp1", Unknown: []string{"năm 2022"}}},
		{name: "KQ with a known label whose number is unreadable is a tally", text: "KQ KP1 TD -5",
			want: view{IsTally: true, Area: "kp1", Unknown: []string{"TD -5"}}},
		{name: "two labels only, no KQ", text: "TD 290 HL 285",
			want: view{Method: S, Fields: map[string]int{"attending": 290, "valid": 285}}},
		{name: "three known labels without KQ are a tally", text: "td 290 hl 285 khl 4",
			want: view{IsTally: true, Method: S, Fields: map[string]int{"attending": 290, "valid": 285, "invalid": 4}}},
	}
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			areas := c.areas
			if areas == nil {
				areas = testAreas()
			}
			p, isTally := tally.Parse(c.text, areas)
			if p == nil {
				t.Fatal("nil Parsed")
			}
			if p.Numbers.Households != 0 {
				t.Errorf("Numbers.Households = %d, want 0 (the caller fills it)", p.Numbers.Households)
			}
			got := viewOf(p, isTally)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", c.text, got, c.want)
			}
		})
	}
}
