package tally_test

import (
	"reflect"
	"strings"
	"testing"

	"electionbot/models"
	"electionbot/tally"
)

// testAreas is a ward like Ka Long's: khu phố 1 and 2 with the candidates of
// the docs/design.md example, khu phố 3 with two candidates whose names fold alike,
// khu phố IV (roman numeral in its name), a thôn named without a number and
// a big khu phố 5 (thousands of households).
func testAreas() []*models.Area {
	cand := func(no int, name string) *models.Candidate {
		return &models.Candidate{BallotNo: no, Name: name, NameFolded: models.Fold(name)}
	}
	return []*models.Area{
		{ID: 1, Code: "kp1", Name: "Khu phố 1", Households: 312,
			Candidates: []*models.Candidate{cand(1, "Nguyễn Văn An"), cand(2, "Trần Thị Bình")}},
		{ID: 2, Code: "kp2", Name: "Khu phố 2", Households: 250,
			Candidates: []*models.Candidate{cand(1, "Lê Văn Cường"), cand(2, "Phạm Thị Dung")}},
		{ID: 3, Code: "kp3", Name: "Khu phố 3", Households: 280,
			Candidates: []*models.Candidate{cand(1, "Nguyễn Văn Hải"), cand(2, "Nguyễn Văn Hài"), cand(3, "Đỗ Văn Tâm"), cand(4, "Đỗ Văn Lâm")}},
		{ID: 4, Code: "kp4", Name: "Khu phố IV", Households: 200,
			Candidates: []*models.Candidate{cand(1, "Vũ Thị Hoa"), cand(2, "Hồ Văn Nam")}},
		{ID: 5, Code: "dong-son", Name: "Thôn Đông Sơn", Households: 90,
			Candidates: []*models.Candidate{cand(1, "Bùi Văn Sơn")}},
		{ID: 6, Code: "kp5", Name: "Khu phố 5", Households: 2500,
			Candidates: []*models.Candidate{cand(1, "Ngô Quang Vinh"), cand(2, "Đặng Thu Trang")}},
	}
}

// view is a Parsed in comparable form.
type view struct {
	IsTally    bool
	Area       string
	Inferred   bool
	Method     string
	Fields     map[string]int // set fields only
	Votes      map[int]int
	Households int
	Unknown    []string
	Ambiguous  []string
	Kind       string           // the household ballot's
	Nominees   []models.Nominee // people nominated at the meeting
}

func viewOf(p *tally.Parsed, isTally bool) view {
	v := view{IsTally: isTally, Area: p.AreaCode, Inferred: p.AreaInferred, Method: p.Numbers.Method,
		Households: p.Households, Unknown: p.Unknown, Ambiguous: p.Ambiguous, Votes: p.Numbers.Votes,
		Kind: p.Numbers.Kind, Nominees: p.Numbers.Nominees}
	fields := map[string]*int{
		models.TallyFieldAttending: &p.Numbers.Attending, models.TallyFieldIssued: p.Numbers.Issued,
		models.TallyFieldReturned: p.Numbers.Returned, models.TallyFieldValid: p.Numbers.Valid,
		models.TallyFieldInvalid: p.Numbers.Invalid, models.TallyFieldHouseholds: &p.Households,
	}
	for f := range p.Set {
		if v.Fields == nil {
			v.Fields = map[string]int{}
		}
		if fields[f] != nil {
			v.Fields[f] = *fields[f]
		} else {
			v.Fields[f] = -1 // Set without a number: caught by the comparison
		}
	}
	return v
}

// fullFields is the fields of the docs/design.md §5 example.
func fullFields() map[string]int {
	return map[string]int{"attending": 290, "issued": 290, "returned": 289, "valid": 285, "invalid": 4}
}

// TestParse_DESIGN3_DESIGN5_ParsedChecksAndDecides: the docs/design.md
// example read, filled with the area's households, checked and decided.
func TestParse_DESIGN3_DESIGN5_ParsedChecksAndDecides(t *testing.T) {
	areas := testAreas()
	p, ok := tally.Parse("kết quả khu phố 1: tham dự 290, phát ra 290, thu vào 289, hợp lệ 285, không hợp lệ 4, Nguyễn Văn An 250, Trần Thị Bình 35", areas)
	if !ok || p.AreaCode != "kp1" {
		t.Fatalf("not read: %+v", p)
	}
	p.Numbers.Households = areas[0].Households
	if vs := models.CheckTally(p.Numbers, areas[0].Candidates); vs != nil {
		t.Fatalf("violations %v", vs)
	}
	o, err := models.DecideOutcome(models.RulesNQLT2008, p.Numbers, areas[0].Candidates)
	if err != nil || o.Kind != models.OutcomeElected || o.Winner.Name != "Nguyễn Văn An" {
		t.Fatalf("outcome %+v, %v", o, err)
	}
}

// checkInvariants are the properties every parse keeps.
func checkInvariants(t *testing.T, text string, areas []*models.Area, p *tally.Parsed, isTally bool) {
	t.Helper()
	if p == nil {
		t.Fatal("nil Parsed")
	}
	n := p.Numbers
	inRange := func(what string, v int) {
		if v < 0 || v > tally.MaxNumber {
			t.Errorf("%s = %d out of range", what, v)
		}
	}
	ptr := map[string]*int{models.TallyFieldIssued: n.Issued, models.TallyFieldReturned: n.Returned,
		models.TallyFieldValid: n.Valid, models.TallyFieldInvalid: n.Invalid}
	for f, v := range ptr {
		if p.Set[f] != (v != nil) {
			t.Errorf("Set[%s] = %v but the field is %v", f, p.Set[f], v)
		}
		if v != nil {
			inRange(f, *v)
		}
	}
	if !p.Set[models.TallyFieldAttending] && n.Attending != 0 {
		t.Errorf("attending %d but not Set", n.Attending)
	}
	if !p.Set[models.TallyFieldHouseholds] && p.Households != 0 {
		t.Errorf("households %d but not Set", p.Households)
	}
	inRange("attending", n.Attending)
	inRange("households", p.Households)
	for f, v := range p.Set {
		if !v {
			t.Errorf("Set[%s] is false: only true entries belong in Set", f)
		}
		switch f {
		case models.TallyFieldHouseholds, models.TallyFieldAttending, models.TallyFieldIssued,
			models.TallyFieldReturned, models.TallyFieldValid, models.TallyFieldInvalid:
		default:
			t.Errorf("unknown Set key %q", f)
		}
	}
	if n.Households != 0 {
		t.Errorf("Numbers.Households = %d", n.Households)
	}
	for no, v := range n.Votes {
		inRange("votes", v)
		inRange("ballot number", no)
	}
	switch n.Method {
	case "", models.MethodHands:
	case models.MethodSecret:
	default:
		t.Errorf("method %q", n.Method)
	}
	if n.Method == "" && (n.Issued != nil || n.Returned != nil || n.Valid != nil || n.Invalid != nil) {
		t.Error("ballot fields given but no method")
	}
	if p.AreaCode != "" {
		found := false
		for _, a := range areas {
			found = found || a.Code == p.AreaCode
		}
		if !found {
			t.Errorf("area %q not among the areas", p.AreaCode)
		}
	} else if p.AreaInferred {
		t.Error("AreaInferred without an area")
	}
	for _, u := range p.Unknown {
		if u == "" || !strings.Contains(text, u) {
			t.Errorf("Unknown %q is not part of the message", u)
		}
	}
	for _, a := range p.Ambiguous {
		for _, part := range strings.Split(a, " / ") {
			if part == "" || !strings.Contains(text, part) {
				t.Errorf("Ambiguous %q is not part of the message", a)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35",
		"kết quả khu phố 1: tham dự 290, phát ra 290, thu vào 289, hợp lệ 285, không hợp lệ 4, Nguyễn Văn An 250, Trần Thị Bình 35",
		"KQ KP5 TD 2.100 PR 2,100 TV 2.099 HL 2.000 KHL 99 UV1 1.500 UV2 500",
		"Kết quả khu phố IV: giơ tay TD 150, Vũ Thị Hoa 120 (80%), Hồ Văn Nam 25",
		"KQ thôn Đông Sơn UV1 -5 HL 28.5 TD 10000001 1,2,3,,4.5.6 −7 kp-1 ---1",
		"KQ KP3 Nguyen Van Hai 100 Do Van Sam 3 UV1 Nguyễn Văn An 2 uv uv 1 2 3",
		"ngay bau cu", "kp iv xi", "Nguyen Van An 1961", "",
	} {
		f.Add(s)
	}
	areas := testAreas()
	f.Fuzz(func(t *testing.T, s string) {
		p, isTally := tally.Parse(s, areas)
		checkInvariants(t, s, areas, p, isTally)
		// Deterministic.
		q, isTally2 := tally.Parse(s, areas)
		if isTally != isTally2 || !reflect.DeepEqual(p, q) {
			t.Errorf("two parses of %q differ", s)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	areas := testAreas()
	for _, c := range []struct{ name, text string }{
		{"short", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35"},
		{"long", "kết quả khu phố 1: tham dự 290, phát ra 290, thu vào 289, hợp lệ 285, không hợp lệ 4, Nguyễn Văn An 250, Trần Thị Bình 35"},
		{"not-a-tally", "cho tôi hỏi ngày bầu cử khu phố 1 là ngày nào"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tally.Parse(c.text, areas)
			}
		})
	}
}
