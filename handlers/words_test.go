package handlers

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"electionbot/bot"
	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/locales"
	"electionbot/models"
)

func newTestTexts(t *testing.T) *texts {
	t.Helper()
	b, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	return &texts{locs: locales.NewLocalizers(b, "vi")}
}

// The words of every unit kind and ward kind (docs/design.md §2), in both
// languages.
func TestPlaceWordsOfEveryUnitAndWardKind(t *testing.T) {
	x := newTestTexts(t)
	units := map[string]map[string][3]string{ // unit → lang → Unit, UnitCap, Head
		models.UnitThon:     {"vi": {"thôn", "Thôn", "Trưởng thôn"}, "en": {"village", "Village", "village head"}},
		models.UnitBan:      {"vi": {"bản", "Bản", "Trưởng bản"}, "en": {"village", "Village", "village head"}},
		models.UnitAp:       {"vi": {"ấp", "Ấp", "Trưởng ấp"}, "en": {"hamlet", "Hamlet", "hamlet head"}},
		models.UnitKhu:      {"vi": {"khu", "Khu", "Trưởng khu"}, "en": {"quarter", "Quarter", "quarter head"}},
		models.UnitKhuPho:   {"vi": {"khu phố", "Khu phố", "Trưởng khu phố"}, "en": {"neighbourhood", "Neighbourhood", "neighbourhood head"}},
		models.UnitToDanPho: {"vi": {"tổ dân phố", "Tổ dân phố", "Tổ trưởng tổ dân phố"}, "en": {"residential group", "Residential group", "residential group leader"}},
	}
	kinds := map[string]map[string][3]string{ // ward kind → lang → WardKind, WardKindCap, Committee
		models.WardCommune: {"vi": {"xã", "Xã", "UBND xã"}, "en": {"commune", "Commune", "commune People's Committee"}},
		models.WardUrban:   {"vi": {"phường", "Phường", "UBND phường"}, "en": {"ward", "Ward", "ward People's Committee"}},
		models.WardTown:    {"vi": {"thị trấn", "Thị trấn", "UBND thị trấn"}, "en": {"town", "Town", "town People's Committee"}},
	}
	if len(units) != len(models.Units) || len(kinds) != len(models.WardKinds) {
		t.Fatalf("the table misses a kind: %v, %v", models.Units, models.WardKinds)
	}
	for _, lang := range locales.Languages {
		for _, kind := range models.WardKinds {
			for _, unit := range models.Units {
				w := &models.Ward{Name: "W", Kind: kind}
				got := x.words(lang, w, &models.Area{Unit: unit, Ward: w})
				u, k := units[unit][lang], kinds[kind][lang]
				want := map[string]any{
					locales.WordUnit: u[0], locales.WordUnitCap: u[1], locales.WordHead: u[2],
					locales.WordWardKind: k[0], locales.WordWardKindCap: k[1], locales.WordCommittee: k[2],
				}
				for key, v := range want {
					if got[key] != v {
						t.Errorf("%s %s/%s: %s = %q, want %q", lang, kind, unit, key, got[key], v)
					}
				}
				for _, key := range locales.WordKeys {
					if s, _ := got[key].(string); s == "" || strings.Contains(s, "_") {
						t.Errorf("%s %s/%s: %s = %q", lang, kind, unit, key, s)
					}
				}
			}
		}
	}
}

func TestPlaceWordsWithoutAUnit(t *testing.T) {
	x := newTestTexts(t)
	xa := &models.Ward{Kind: models.WardCommune}
	unknown := &models.Ward{} // a ward loaded before kinds: phường
	cases := []struct {
		name             string
		w                *models.Ward
		a                *models.Area
		areas            []*models.Area
		unit, head, comm string
	}{
		{"an area without a unit in a xã is a thôn", xa, &models.Area{}, nil, "thôn", "Trưởng thôn", "UBND xã"},
		{"a ward of unknown kind is a phường of khu phố", unknown, nil, nil, "khu phố", "Trưởng khu phố", "UBND phường"},
		{"no ward: the law's general words", nil, nil, nil, "thôn, tổ dân phố", "Trưởng thôn, Tổ trưởng tổ dân phố", "UBND cấp xã"},
		{"a xã of thôn and tổ dân phố names both", xa, nil, []*models.Area{
			{Unit: models.UnitToDanPho}, {Unit: models.UnitThon}, {}}, "thôn, tổ dân phố", "Trưởng thôn, Tổ trưởng tổ dân phố", "UBND xã"},
		{"a ward's areas of one unit", xa, nil, []*models.Area{{Unit: models.UnitBan}, {Unit: models.UnitBan}}, "bản", "Trưởng bản", "UBND xã"},
	}
	for _, c := range cases {
		var got map[string]any
		if c.a != nil {
			got = x.words("vi", c.w, c.a)
		} else {
			got = x.wardWords("vi", c.w, c.areas)
		}
		if got[locales.WordUnit] != c.unit || got[locales.WordHead] != c.head || got[locales.WordCommittee] != c.comm {
			t.Errorf("%s: %q, %q, %q; want %q, %q, %q", c.name, got[locales.WordUnit], got[locales.WordHead],
				got[locales.WordCommittee], c.unit, c.head, c.comm)
		}
	}
	mixed := x.wardWords("en", xa, []*models.Area{{Unit: models.UnitToDanPho}, {Unit: models.UnitThon}})
	if mixed[locales.WordUnit] != "village or residential group" || mixed[locales.WordUnits] != "villages and residential groups" ||
		mixed[locales.WordUnitCap] != "Village or residential group" {
		t.Errorf("mixed, en: %v", mixed)
	}
	if vi := x.wardWords("vi", xa, []*models.Area{{Unit: models.UnitToDanPho}, {Unit: models.UnitThon}}); vi[locales.WordUnitCap] != "Thôn, tổ dân phố" {
		t.Errorf("mixed, vi: UnitCap = %q", vi[locales.WordUnitCap])
	}
	// A turn that has not looked its ward up keeps the words of before.
	if got := x.turnWords("vi", nil, false, nil, nil); got[locales.WordUnit] != "khu phố" || got[locales.WordCommittee] != "UBND phường" {
		t.Errorf("ward not looked up: %v", got)
	}
	// The contact's own area wins over the ward's mix.
	id := int64(2)
	as := []*models.Area{{ID: 1, Unit: models.UnitThon}, {ID: 2, Unit: models.UnitToDanPho}}
	if got := x.turnWords("vi", xa, true, as, &id); got[locales.WordHead] != "Tổ trưởng tổ dân phố" {
		t.Errorf("contact's area: %v", got)
	}
}

// locales orders and checks the kinds without importing models.
func TestLocalesKnowTheModelsKinds(t *testing.T) {
	if !slices.Equal(locales.UnitOrder, models.Units) || !slices.Equal(locales.WardKindOrder, models.WardKinds) {
		t.Fatalf("locales %v %v, models %v %v", locales.UnitOrder, locales.WardKindOrder, models.Units, models.WardKinds)
	}
}

// A caller's own value of a word is kept; the data of one message does not
// leak into the shared words.
func TestCallerWordsWin(t *testing.T) {
	x := newTestTexts(t)
	w := x.wardWords("vi", &models.Ward{Kind: models.WardCommune}, nil)
	if got := x.trWords("vi", "off_roles_reporters", map[string]any{"Unit": "tổ"}, w); got != "📝 Người báo cáo theo tổ:" {
		t.Errorf("got %q", got)
	}
	if got := x.trWords("vi", "off_roles_reporters", nil, w); got != "📝 Người báo cáo theo thôn:" {
		t.Errorf("got %q", got)
	}
}

// The menu button said "Chọn khu phố" before; a keyboard still showing it
// on a phone keeps working.
func TestOldAreaButtonStillAsks(t *testing.T) {
	hs := newHarness(t)
	hs.replyHas("🏘 Chọn khu phố", "Ông/bà ở khu phố nào của Phường Ka Long?")
	hs.replyHas("🏘 Chọn thôn, khu phố", "Ông/bà ở khu phố nào của Phường Ka Long?")
}

func undecidedInThon1(hs *harness) {
	hs.clk.t = at(2022, 6, 6, 10, 0)
	hs.store.tallies = []*models.Tally{{ID: 1, AreaID: 1, Version: 1, Households: 301, Method: models.MethodSecret, Attending: 290,
		Issued: ptr(290), Returned: ptr(289), Valid: ptr(285), Invalid: ptr(4), Status: models.TallyAccepted,
		Votes: []models.TallyVote{{CandidateID: 11, Votes: 145}, {CandidateID: 12, Votes: 140}}}}
}

// A commune's conversation: the welcome names the xã, the prompts ask for
// the thôn, the candidates stand for Trưởng thôn, the rules and the result
// name UBND xã.
var communeScripts = map[string][]step{
	"vi": {
		{text: "/start"},
		{text: "ngay bau cu"},
		{text: "thôn 9"},
		{text: "thon 1"},
		{text: "👤 Người ứng cử"},
		{text: "📜 Quy định bầu cử"},
		{text: "Lê Văn Tám 1960"},
		{text: "/khupho"},
		{text: "6"},
		{text: "bỏ phiếu ở đâu"},
		{text: "thon 1"},
		{text: "ngay bau cu", before: undecidedInThon1},
		{text: "thôn 2"},
		{text: "ngay bau cu"},
	},
	"en": {
		{text: "/start"},
		{text: "when is the election"},
		{text: "area 9"},
		{text: "thon 1"},
		{text: "👤 Candidates"},
		{text: "📜 Election rules"},
		{text: "Le Van Tam 1960"},
		{text: "/area"},
		{text: "6"},
		{text: "where do I vote"},
		{text: "thon 1"},
		{text: "election date", before: undecidedInThon1},
		{text: "thon 2"},
		{text: "election date"},
	},
}

// The button texts are fixed for every place (conv.buttons reads them
// back); the replies themselves must not speak of a phường.
var (
	notInCommune = map[string]*regexp.Regexp{
		"vi": regexp.MustCompile(`(?i)khu phố|phường|<no value>`),
		"en": regexp.MustCompile(`(?i)\bwards?\b|neighbourhood|khu phố|<no value>`),
	}
	inCommune = map[string][]string{
		"vi": {"Xã Hải Tiến", "thôn nào của Xã Hải Tiến", "Xã có các thôn: Thôn 1", "Người ứng cử Trưởng thôn — Thôn 1",
			"nhà văn hóa thôn", "UBND xã quyết định", "cử Trưởng thôn lâm thời", "hỏi Trưởng thôn hoặc Tổ bầu cử của thôn",
			"xin báo Trưởng thôn, Tổ bầu cử thôn", "chưa được UBND xã công nhận", `ví dụ: "thon 1"`},
		"en": {"Xã Hải Tiến", "the commune People's Committee", "interim village head", "ask your village head",
			"contact your village head", `e.g. "area 1", "thon 2"`},
	}
)

func TestCommuneSpeaksOfThonAndXa(t *testing.T) {
	for lang, script := range communeScripts {
		t.Run(lang, func(t *testing.T) {
			hs := newHarnessWith(t, newFakeCommuneStore())
			hs.lang = lang
			var all strings.Builder
			for _, s := range script {
				if s.before != nil {
					s.before(hs)
				}
				got := text(hs.do(bot.Incoming{Text: s.text}))
				if m := notInCommune[lang].FindString(got); m != "" {
					t.Errorf("%q: the reply says %q:\n%s", s.text, m, got)
				}
				all.WriteString(got + "\n")
			}
			for _, want := range inCommune[lang] {
				if !strings.Contains(all.String(), want) {
					t.Errorf("the conversation never says %q", want)
				}
			}
		})
	}
}

// TestGoldenCommune holds the commune's conversation (texts and buttons)
// in both languages: go test ./handlers -run Golden -update, then review.
func TestGoldenCommune(t *testing.T) {
	for lang, script := range communeScripts {
		t.Run(lang, func(t *testing.T) {
			got := transcriptOf(newHarnessWith(t, newFakeCommuneStore()), lang, script)
			checkGolden(t, filepath.Join("testdata", "conversation_xa_"+lang+".golden"), got)
		})
	}
}

// communeFile is the Ka Long demo as a commune: Xã Hải Tiến with six
// thôn, under the Law of 2022.
func communeFile(t *testing.T) *models.ElectionFile {
	t.Helper()
	ef, err := demo.ElectionFile()
	if err != nil {
		t.Fatal(err)
	}
	ef.Election.Code = "hai-tien-2022"
	ef.Election.Title = "Bầu cử Trưởng thôn nhiệm kỳ 2022–2025"
	ef.Election.Rules = models.RulesLuat2022
	ef.Ward = models.FileWard{Code: "hai-tien", Name: "Xã Hải Tiến", City: "TP Móng Cái", Province: "Quảng Ninh"}
	for i := range ef.Areas {
		a := &ef.Areas[i]
		n := strconv.Itoa(i + 1)
		a.Code, a.Name, a.Unit = "thon"+n, "Thôn "+n, ""
		a.PollingPlace.Name, a.PollingPlace.Address = "Nhà văn hóa thôn "+n, "Thôn "+n+", Xã Hải Tiến"
	}
	return ef
}

// The officials of a commune: the whole election day of the officials'
// golden script (invites, tallies, a conflict, recognition, results,
// reminders, the export) speaks of thôn and UBND xã, in both languages.
func TestCommuneOfficialsSpeakOfThonAndXa(t *testing.T) {
	want := map[string][]string{
		"vi": {"Lệnh của cán bộ xã", "/ketqua thon1 — chi tiết một thôn", "UBND xã đã công nhận", "chờ UBND xã công nhận",
			"thôn chưa gửi biên bản", "Mỗi dòng một thôn", "UBND xã đã thu hồi quyền", "cán bộ xã sẽ xem xét"},
		"en": {"Commune officials' commands", "/ketqua thon1", "The commune has recognised", "awaiting the commune's recognition",
			"The commune has revoked", "the commune will review it"},
	}
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			o := newOffHarnessFile(t, testdb.SQLite(t), lang, communeFile(t))
			if o.el.Ward.Kind != models.WardCommune || o.areas[0].Unit != models.UnitThon {
				t.Fatalf("ward kind %q, unit %q: want read from the names", o.el.Ward.Kind, o.areas[0].Unit)
			}
			o.log = &bytes.Buffer{}
			officialsScript(o, lang)
			var replies strings.Builder
			for _, turn := range strings.Split("\n"+o.log.String(), "\n> ") {
				_, rest, _ := strings.Cut(turn, "\n") // the officials' own messages say "khu phố 1"
				replies.WriteString(rest + "\n")
			}
			if m := notInCommune[lang].FindAllString(replies.String(), -1); len(m) > 0 {
				t.Errorf("the replies say %q:\n%s", m, replies.String())
			}
			for _, w := range want[lang] {
				if !strings.Contains(replies.String(), w) {
					t.Errorf("the replies never say %q", w)
				}
			}
		})
	}
}
