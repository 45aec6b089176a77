package handlers

import (
	"strings"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// The texts of the law as applied (docs/design.md §3), each case named
// after its source, and the household ballot and nominees through the
// chat on a real store.

// TestOutcomeText_ND59_2023_NQLT09_2008_ByOutcome: what the officials and
// the residents read of each outcome, in both languages, with the words
// of the place and of its electorate.
func TestOutcomeText_ND59_2023_NQLT09_2008_ByOutcome(t *testing.T) {
	x := newTestTexts(t)
	xa := &models.Ward{Name: "Xã Hải Tiến", Kind: models.WardCommune}
	cands := []*models.Candidate{{ID: 1, BallotNo: 1, Name: "Nguyễn Văn An"}, {ID: 2, BallotNo: 2, Name: "Trần Thị Bình"}}
	ip := func(n int) *int { return &n }
	secret := func(households, attending int, votes map[int]int) models.TallyNumbers {
		return models.TallyNumbers{Method: models.MethodSecret, Households: households, Attending: attending,
			Issued: ip(attending), Returned: ip(attending), Valid: ip(attending), Invalid: ip(0), Votes: votes}
	}
	cases := []struct {
		name       string
		rules      string
		electorate string
		n          models.TallyNumbers
		want       map[string][]string // lang → substrings
		not        []string
	}{
		{name: "ND59_2023 interim head until a new one is elected (no month cap)", rules: models.RulesLuat2022,
			n: secret(300, 200, map[int]int{1: 140, 2: 60}),
			want: map[string][]string{
				"vi": {"không người ứng cử nào được quá 50% tổng số cử tri đại diện hộ gia đình (300 hộ)",
					"người được nhiều phiếu nhất là Nguyễn Văn An với 140 phiếu", "UBND xã quyết định tổ chức bầu lại",
					"có thể cử Trưởng thôn lâm thời cho đến khi bầu được Trưởng thôn mới"},
				"en": {"may appoint an interim village head until a new village head is elected"}},
			not: []string{"tháng", "months", "cao nhất", "highest"}},
		{name: "ND59_2023 meeting without more than half of the households: ballots to every household", rules: models.RulesLuat2022,
			n: secret(300, 150, map[int]int{1: 150}),
			want: map[string][]string{
				"vi": {"số tham dự 150/300 hộ (50,0%) không quá 50% tổng số hộ gia đình", "UBND xã phát phiếu lấy ý kiến đến từng hộ gia đình", "Mẫu số 04"},
				"en": {"the meeting does not vote; the commune People's Committee sends ballots to every household"}},
			not: []string{"trúng cử", "elected with"}},
		{name: "ND59_2023 Mau04 household ballot elects over half of all households", rules: models.RulesLuat2022,
			n: models.TallyNumbers{Kind: models.TallyKindHouseholdBallot, Method: models.MethodSecret, Households: 300,
				Issued: ip(300), Returned: ip(280), Valid: ip(276), Invalid: ip(4), Votes: map[int]int{2: 151, 1: 125}},
			want: map[string][]string{
				"vi": {"Trần Thị Bình (số 2) trúng cử với 151 phiếu, bằng 50,3% tổng số cử tri đại diện hộ gia đình (300 hộ), qua phiếu lấy ý kiến hộ gia đình"},
				"en": {"by ballots sent to every household"}}},
		{name: "ND59_2023 a candidate nominated at the meeting elected", rules: models.RulesLuat2022,
			n: func() models.TallyNumbers {
				n := secret(300, 250, map[int]int{1: 40, 2: 30})
				n.Nominees = []models.Nominee{{Name: "Lê Văn Tám", Votes: 170}}
				return n
			}(),
			want: map[string][]string{
				"vi": {"Lê Văn Tám (ứng cử tại hội nghị) trúng cử với 170 phiếu"},
				"en": {"Lê Văn Tám (nominated at the meeting) is elected with 170 votes"}}},
		{name: "NQLT09_2008 Dieu8 all-voter meeting: shares of all voters", rules: models.RulesNQLT2008, electorate: models.ElectorateVoters,
			n: secret(1024, 700, map[int]int{1: 500, 2: 190}),
			want: map[string][]string{
				"vi": {"không người ứng cử nào được quá 50% tổng số cử tri (1.024 cử tri)", "chậm nhất 15 ngày sau lần bầu thứ nhất"},
				"en": {"more than 50% of all the voters (1,024 voters)"}},
			not: []string{"đại diện hộ", "household"}},
		{name: "NQLT09_2008 Dieu8 show of hands counts hands, not ballots", rules: models.RulesNQLT2008,
			n: models.TallyNumbers{Method: models.MethodHands, Households: 300, Attending: 200, Votes: map[int]int{1: 151, 2: 49}},
			want: map[string][]string{
				"vi": {"Nguyễn Văn An (số 1) trúng cử với 151 biểu quyết tán thành, bằng 50,3%"},
				"en": {"is elected with 151 hands raised"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := &models.Area{Name: "Thôn 1", Unit: models.UnitThon, Ward: xa, Electorate: c.electorate, Candidates: cands}
			o, err := models.DecideOutcome(c.rules, c.n, cands)
			if err != nil {
				t.Fatal(err)
			}
			for lang, wants := range c.want {
				got := x.at(xa, a).outcomeText(lang, o, c.n)
				for _, w := range wants {
					if !strings.Contains(got, w) {
						t.Errorf("%s: %q lacks %q", lang, got, w)
					}
				}
				for _, n := range c.not {
					if strings.Contains(got, n) {
						t.Errorf("%s: %q has %q", lang, got, n)
					}
				}
			}
		})
	}
	// The residents' words of what follows (result_next_*).
	for lang, want := range map[string]string{"vi": "có thể cử Trưởng thôn lâm thời cho đến khi bầu được Trưởng thôn mới",
		"en": "may appoint an interim village head until a new village head is elected"} {
		a := &models.Area{Unit: models.UnitThon, Ward: xa}
		if got := x.at(xa, a).tr(lang, "result_next_luat", nil); !strings.Contains(got, want) || strings.Contains(got, "6") {
			t.Errorf("%s result_next_luat = %q", lang, got)
		}
	}
}

// TestHouseholdBallot_ND59_2023_Mau04_MessageAndForm: under luat-10-2022
// the household ballot is reported in one message (PHIEU HO) or by the
// guided form (its third method), echoed in its own words and stored as
// its own kind; a nominee named in the form is echoed, stored and the
// ward told. Under nqlt-09-2008 the route is refused with the reason.
func TestHouseholdBallot_ND59_2023_Mau04_MessageAndForm(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			o := newOffHarnessFile(t, n.Store, "vi", communeFile(t))
			o.reporter("2", "thon1")
			out := o.send("2", "KQ THON1 PHIEU HO PR 312 TV 300 HL 296 KHL 4 UV1 200 UV2 96")
			expect(t, mine("2", out), "Hình thức: Phát phiếu lấy ý kiến hộ gia đình", "Số hộ được phát phiếu: 312",
				"Số phiếu thu về: 300", "Số phiếu đồng ý của từng người ứng cử (tỷ lệ trên tổng số hộ gia đình)",
				"trúng cử với 200 phiếu, bằng 64,1% tổng số cử tri đại diện hộ gia đình (312 hộ), qua phiếu lấy ý kiến hộ gia đình")
			expectNot(t, mine("2", out), "Tham dự")
			o.press("2", out, "✅")
			h := o.history("thon1")
			if len(h.Versions) != 1 || h.Versions[0].Kind != models.TallyKindHouseholdBallot || h.Versions[0].Attending != 0 || *h.Versions[0].Issued != 312 {
				t.Fatalf("stored %+v", h.Versions)
			}
			// More households given a ballot than the area has.
			expect(t, mine("2", o.send("2", "KQ THON1 lay y kien ho PR 400 TV 300 HL 296 KHL 4 UV1 200 UV2 0")),
				"số hộ được phát phiếu 400 > tổng số hộ 312")

			// The guided form: the third method, its own questions, a nominee.
			o.reporter("3", "thon2")
			out = o.send("3", "/baocao")
			out = o.press("3", out, "Phát phiếu lấy ý kiến hộ gia đình")
			expect(t, mine("3", out), "số hộ gia đình được phát phiếu lấy ý kiến (trên tổng số 287 hộ)?")
			expect(t, mine("3", o.send("3", "287")), "số phiếu lấy ý kiến thu về?")
			expect(t, mine("3", o.send("3", "270")), "số phiếu hợp lệ?")
			o.send("3", "266")
			expect(t, mine("3", o.send("3", "4")), "số phiếu đồng ý bầu 1. Phạm Văn Cường?")
			o.send("3", "60")
			o.send("3", "40")
			expect(t, mine("3", o.send("3", "20")), "có ai ứng cử ngoài danh sách")
			expect(t, mine("3", o.send("3", "ông Tám")), "Chưa đọc được")
			out = o.send("3", "Lê Văn Tám: 146 phiếu")
			expect(t, mine("3", out), "• Lê Văn Tám (ứng cử tại hội nghị): 146 (50,9%)", "Người ứng cử tại hội nghị (được đề cử hoặc tự ứng cử",
				"Lê Văn Tám (ứng cử tại hội nghị) trúng cử với 146 phiếu, bằng 50,9%")
			out = o.press("3", out, "✅")
			expect(t, others("3", out)["1"], "Thôn 2: bản 1 do Tổ BC KP1 Mai gửi có người ứng cử tại hội nghị, không có trong danh sách: Lê Văn Tám")
			expect(t, mine("1", o.send("1", "/ketqua")), "Thôn 2: có người ứng cử tại hội nghị (Lê Văn Tám)")
			h = o.history("thon2")
			if len(h.Versions) != 1 || h.Versions[0].Kind != models.TallyKindHouseholdBallot || len(h.Area.Candidates) != 4 || !h.Area.Candidates[3].Nominated {
				t.Fatalf("stored %+v, candidates %+v", h.Versions, h.Area.Candidates)
			}
			out = o.send("1", "/congnhan thon2")
			expect(t, mine("1", out), "Lê Văn Tám (ứng cử tại hội nghị) trúng cử", "Có người ứng cử tại hội nghị: Lê Văn Tám")
		})
	}
	// Under NQLT 09/2008 there is no household ballot.
	o := newOffHarness(t, testdb.SQLite(t))
	o.reporter("2", "kp1")
	out := o.send("2", "KQ KP1 PHIEU HO PR 312 TV 300 HL 296 KHL 4 UV1 200 UV2 96")
	expect(t, mine("2", out), "không có hình thức phát phiếu lấy ý kiến hộ gia đình")
	out = o.send("2", "/baocao")
	for _, m := range out {
		if m.Keyboard != nil && strings.Contains(dump(out), "o:fm:household-ballot") {
			t.Fatalf("the household ballot offered under nqlt-09-2008: %s", dump(out))
		}
	}
}
