package handlers

import (
	"strings"
	"testing"

	"electionbot/models"
)

// understood is what a message says, as freeText reads it: an intent (or
// "lookup" for a name with a birth year, "name" for one without, "year"
// for a year alone, "phone" for a typed number, "area" for an area named
// alone), the area it names ("?" one the ward has not, several joined by
// "|" when a partial name fits them), the birth year, the language.
type understood struct {
	intent, area string
	year         int
	lang         string
}

// understand reads a text with the pieces freeText uses, in its order
// (routes.go): a typed phone; a year alone while one is awaited; the
// area (areas.go, areas_named.go); a name with a birth year
// (lookup_parse.go, lookup_year.go); the intent (intents.yaml); a name
// without a year. The language is read on the side (langdetect.go).
func understand(t *testing.T, l *lookup, text, await string, areas []*models.Area) understood {
	t.Helper()
	u := understood{lang: textLanguage(text)}
	nowYear := l.nowYear()
	folded := models.Fold(text)
	switch {
	case typedPhone(text) != "":
		u.intent = "phone"
		return u
	case thanksEmoji(text):
		u.intent = string(actThanks)
		return u
	case await == awaitYear:
		if y, ok := yearOnly(folded, nowYear); ok {
			u.intent, u.year = "year", y
			return u
		}
	}
	rest := folded
	if a, ref, found := matchArea(folded, areas); found {
		switch {
		case a != nil:
			u.area, rest = a.Name, ref.Rest
		case len(ref.Choices) > 1:
			u.area = areaNames(ref.Choices)
			u.area = strings.ReplaceAll(u.area, ", ", "|")
			return u
		default:
			u.area = "?"
			return u
		}
	}
	if q, ok := parseNameYear(rest, nowYear-adultAge); ok && (await == awaitName || l.looksLikeName(q)) {
		u.intent, u.year = "lookup", q.Year
		return u
	}
	if namedLookup(rest) != "" {
		u.intent = "name"
		return u
	}
	if intent, _ := l.conv.scorer.Best(rest); intent != "" {
		u.intent = intent
		return u
	}
	if nameWithoutYear(rest, await == awaitName || await == awaitYear) != "" {
		u.intent = "name"
		return u
	}
	if u.area != "" && onlyFillers(strings.Fields(rest)) {
		u.intent = "area"
	}
	return u
}

// tableAreas are a ward of 30 numbered khu phố and four named ones.
func tableAreas() []*models.Area {
	w := &models.Ward{ID: 1, Name: "Phường Ka Long", Kind: models.WardUrban}
	var as []*models.Area
	add := func(name, code string) {
		as = append(as, &models.Area{ID: int64(len(as) + 1), WardID: 1, Ward: w, Name: name, Code: code, Unit: models.UnitKhuPho})
	}
	for i := 1; i <= 30; i++ {
		add("Khu phố "+itoa(i), "kp"+itoa(i))
	}
	add("Khu phố Đông Thịnh", "dong-thinh")
	add("Khu phố Đông Hải", "dong-hai")
	add("Khu phố Hòa Lạc", "hoa-lac")
	add("Khu phố Trần Phú", "tran-phu")
	return as
}

const (
	kpDT = "Khu phố Đông Thịnh"
	kpDH = "Khu phố Đông Hải"
	kpHL = "Khu phố Hòa Lạc"
)

func kp(n int) string { return "Khu phố " + itoa(n) }

// TestUnderstandTable: how residents write — numbers in words up to 30,
// roman numerals, named areas with partial names and typos, two-digit and
// spelled-out birth years, English, typed phones — each read as the right
// intent, area and year. Every input quoted in issue 16 is here.
func TestUnderstandTable(t *testing.T) {
	hs := newHarness(t)
	l := &lookup{turn: &turn{conv: hs.h}}
	l.turn.lookup = l
	areas := tableAreas()
	none := ""
	cases := []struct {
		text, await string
		want        understood
	}{
		// Issue 16, as quoted.
		{"toi o khu pho hai thi bau o dau", none, understood{intent: "place", area: kp(2), lang: "vi"}},
		{"khu hai", none, understood{intent: "area", area: kp(2)}},
		{"Khu phố Ba", none, understood{intent: "area", area: kp(3)}},
		{"Khu phố Đông Thịnh", none, understood{intent: "area", area: kpDT}},
		{"khu dong thinh", none, understood{intent: "area", area: kpDT}},
		{"dong thinh", none, understood{intent: "area", area: kpDT}},
		{"Nguyen Van An, sinh nam 61", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an sn 61", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an sinh năm một chín sáu mốt", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an", none, understood{intent: "name"}},
		{"1961", awaitYear, understood{intent: "year", year: 1961}},
		{"when is the vote", none, understood{intent: "date", lang: "en"}},
		{"where do I vote", none, understood{intent: "place", lang: "en"}},
		{"am I registered", none, understood{intent: "check", lang: "en"}},
		{"0912345678", none, understood{intent: "phone"}},
		{"sdt cua toi la 0912 345 678", none, understood{intent: "phone", lang: "vi"}},
		{"tra cuu le thi hoa 1975 khu 2", none, understood{intent: "lookup", area: kp(2), year: 1975}},
		{"ket qua khu pho 2", none, understood{intent: "result", area: kp(2), lang: "vi"}},
		{"ket qua", none, understood{intent: "result", lang: "vi"}},
		{"👍", none, understood{intent: "thanks"}},
		{"🙏", none, understood{intent: "thanks"}},
		{"ok", none, understood{intent: "thanks"}},
		{"bau o dau", none, understood{intent: "place", lang: "vi"}},
		{"/kiemtra", none, understood{}},

		// Numbers in words, 1 to 30.
		{"khu mot", none, understood{intent: "area", area: kp(1)}},
		{"khu pho mot", none, understood{intent: "area", area: kp(1)}},
		{"khu phố hai", none, understood{intent: "area", area: kp(2)}},
		{"khu ba", none, understood{intent: "area", area: kp(3)}},
		{"khu pho bon", none, understood{intent: "area", area: kp(4)}},
		{"khu phố tư", none, understood{intent: "area", area: kp(4)}},
		{"khu pho nam", none, understood{intent: "area", area: kp(5)}},
		{"khu phố sáu", none, understood{intent: "area", area: kp(6)}},
		{"khu phố bảy", none, understood{intent: "area", area: kp(7)}},
		{"khu pho bay bau o dau", none, understood{intent: "place", area: kp(7), lang: "vi"}},
		{"khu phố tám", none, understood{intent: "area", area: kp(8)}},
		{"khu phố chín", none, understood{intent: "area", area: kp(9)}},
		{"khu phố mười", none, understood{intent: "area", area: kp(10)}},
		{"khu muoi mot", none, understood{intent: "area", area: kp(11)}},
		{"khu phố mười hai", none, understood{intent: "area", area: kp(12)}},
		{"khu mười ba", none, understood{intent: "area", area: kp(13)}},
		{"khu phố mười bốn", none, understood{intent: "area", area: kp(14)}},
		{"khu phố mười lăm", none, understood{intent: "area", area: kp(15)}},
		{"khu muoi lam", none, understood{intent: "area", area: kp(15)}},
		{"khu phố mười sáu", none, understood{intent: "area", area: kp(16)}},
		{"khu phố mười bảy", none, understood{intent: "area", area: kp(17)}},
		{"khu phố mười tám", none, understood{intent: "area", area: kp(18)}},
		{"khu phố mười chín", none, understood{intent: "area", area: kp(19)}},
		{"khu phố hai mươi", none, understood{intent: "area", area: kp(20)}},
		{"khu hai muoi", none, understood{intent: "area", area: kp(20)}},
		{"khu phố hai mươi mốt", none, understood{intent: "area", area: kp(21)}},
		{"khu hai mot", none, understood{intent: "area", area: kp(21)}},
		{"khu phố hai mươi hai", none, understood{intent: "area", area: kp(22)}},
		{"khu phố hai mươi ba", none, understood{intent: "area", area: kp(23)}},
		{"khu phố hai mươi tư", none, understood{intent: "area", area: kp(24)}},
		{"khu hai tu", none, understood{intent: "area", area: kp(24)}},
		{"khu phố hai mươi lăm", none, understood{intent: "area", area: kp(25)}},
		{"khu hai lam", none, understood{intent: "area", area: kp(25)}},
		{"khu hai nham", none, understood{intent: "area", area: kp(25)}},
		{"khu phố hai mươi sáu", none, understood{intent: "area", area: kp(26)}},
		{"khu phố hai mươi bảy", none, understood{intent: "area", area: kp(27)}},
		{"khu phố hai mươi tám", none, understood{intent: "area", area: kp(28)}},
		{"khu phố hai mươi chín", none, understood{intent: "area", area: kp(29)}},
		{"khu phố ba mươi", none, understood{intent: "area", area: kp(30)}},
		{"khu ba muoi bau o dau", none, understood{intent: "place", area: kp(30), lang: "vi"}},
		{"tổ dân phố mười một", none, understood{intent: "area", area: kp(11)}},
		{"khu phố ba mươi mốt", none, understood{area: "?"}},
		{"area two", none, understood{intent: "area", area: kp(2), lang: "en"}},
		{"area twenty one", none, understood{intent: "area", area: kp(21), lang: "en"}},
		{"where does area three vote", none, understood{intent: "place", area: kp(3), lang: "en"}},
		{"tôi ở khu phố mười một thì bầu ở đâu", none, understood{intent: "place", area: kp(11), lang: "vi"}},
		{"nguoi ung cu khu hai muoi", none, understood{intent: "candidates", area: kp(20)}},

		// Roman numerals and digits.
		{"khu phố IV", none, understood{intent: "area", area: kp(4)}},
		{"khu pho XII", none, understood{intent: "area", area: kp(12)}},
		{"khu pho xx", none, understood{intent: "area", area: kp(20)}},
		{"kp XXX", none, understood{intent: "area", area: kp(30)}},
		{"khu XIX bau o dau", none, understood{intent: "place", area: kp(19)}},
		{"kp 07", none, understood{intent: "area", area: kp(7)}},
		{"KP.15", none, understood{intent: "area", area: kp(15)}},
		{"khu phố số 9", none, understood{intent: "area", area: kp(9)}},
		{"kp23", none, understood{intent: "area", area: kp(23)}},
		{"tdp 3", none, understood{intent: "area", area: kp(3)}},
		{"khu 30 o dau", none, understood{intent: "place", area: kp(30), lang: "vi"}},
		{"khu phố 31", none, understood{area: "?"}},
		{"khu phố 99 bầu ở đâu", none, understood{area: "?", lang: "vi"}},

		// Named areas: folded, partial, typos, several that fit.
		{"khu pho dong thinh", none, understood{intent: "area", area: kpDT}},
		{"kp dong thinh", none, understood{intent: "area", area: kpDT}},
		{"khu phố Đông Thịnh bầu ở đâu", none, understood{intent: "place", area: kpDT, lang: "vi"}},
		{"tôi ở đông thịnh", none, understood{intent: "area", area: kpDT, lang: "vi"}},
		{"o dong thinh thi bau o dau", none, understood{intent: "place", area: kpDT, lang: "vi"}},
		{"khu pho dongthinh", none, understood{intent: "area", area: kpDT}},
		{"khu dong tinh", none, understood{intent: "area", area: kpDT}},
		{"khu dong thnh", none, understood{intent: "area", area: kpDT}},
		{"dong thin", none, understood{intent: "area", area: kpDT}},
		{"khu thinh", none, understood{intent: "area", area: kpDT}},
		{"kp thinh co ai ung cu", none, understood{intent: "candidates", area: kpDT, lang: "vi"}},
		{"khu dong", none, understood{area: kpDT + "|" + kpDH}},
		{"khu dong thi bau o dau", none, understood{area: kpDT + "|" + kpDH, lang: "vi"}},
		{"khu dong hai", none, understood{intent: "area", area: kpDH}},
		{"tdp dong hai", none, understood{intent: "area", area: kpDH}},
		{"ket qua khu dong hai", none, understood{intent: "result", area: kpDH, lang: "vi"}},
		{"khu hoa lac", none, understood{intent: "area", area: kpHL}},
		{"hoa lac", none, understood{intent: "area", area: kpHL}},
		{"Hòa Lạc", none, understood{intent: "area", area: kpHL}},
		{"khu pho hoa lac bau o dau", none, understood{intent: "place", area: kpHL, lang: "vi"}},
		{"kp hoa lac nguoi ung cu", none, understood{intent: "candidates", area: kpHL}},
		{"khu tran phu", none, understood{intent: "area", area: "Khu phố Trần Phú"}},
		{"dong-thinh", none, understood{intent: "area", area: kpDT}},
		{"khu dong xuan", none, understood{area: "?"}},
		{"toi o khu dong xuan thi bau o dau", none, understood{area: "?", lang: "vi"}},
		{"thon dong tam", none, understood{area: "?"}},
		{"khu pho binh minh", none, understood{area: "?"}},
		{"toi o khu tap the", none, understood{area: "?", lang: "vi"}},

		// Words that are not areas.
		{"khu vuc bo phieu o dau", none, understood{intent: "place", lang: "vi"}},
		{"to chuc bau cu khi nao", none, understood{intent: "date", lang: "vi"}},
		{"ban do noi bo phieu", none, understood{intent: "place", lang: "vi"}},
		{"khu pho nao", none, understood{intent: "area"}},
		{"doi khu pho", none, understood{intent: "area"}},
		{"khu pho cua toi bau o dau", none, understood{intent: "place", lang: "vi"}},
		{"khu dan cu bau o dau", none, understood{intent: "place", lang: "vi"}},
		{"nha van hoa khu pho o dau", none, understood{intent: "place", lang: "vi"}},
		{"khu 1961", none, understood{}},
		{"ban nam oi bau o dau", none, understood{intent: "place", lang: "vi"}},

		// Birth years: four digits, two, after sn / sinh năm / năm sinh, spelled.
		{"Nguyen Van An 1961", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an 61", none, understood{intent: "lookup", year: 1961}},
		{"Nguyễn Văn An sn1961", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an sn61", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an ns 61", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an nam sinh 1961", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an năm sinh 61", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an sinh nam 1961", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an sinh 61", none, understood{intent: "lookup", year: 1961}},
		{"Nguyễn Văn An sinh năm 61", none, understood{intent: "lookup", year: 1961}},
		{"tôi tên là Nguyễn Văn An, sinh năm 61", none, understood{intent: "lookup", year: 1961}},
		{"ho ten nguyen van an nam sinh 61", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an mot chin sau mot", none, understood{intent: "lookup", year: 1961}},
		{"Nguyễn Văn An năm một chín sáu mốt", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an sinh nam sau mot", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an sinh nam sau muoi mot", none, understood{intent: "lookup", year: 1961}},
		{"nguyen van an sinh nam mot nghin chin tram sau muoi mot", none, understood{intent: "lookup", year: 1961}},
		{"tran thi hoa sinh nam bay muoi", none, understood{intent: "lookup", year: 1970}},
		{"tran thi hoa sn 70", none, understood{intent: "lookup", year: 1970}},
		{"Trần Thị Hoa 1970", none, understood{intent: "lookup", year: 1970}},
		{"le van tam 1960", none, understood{intent: "lookup", year: 1960}},
		{"le van tam sinh nam 60", none, understood{intent: "lookup", year: 1960}},
		{"le van tam sinh nam sau muoi", none, understood{intent: "lookup", year: 1960}},
		{"le thi mai sinh nam nam muoi tam", none, understood{intent: "lookup", year: 1958}},
		{"le thi mai sinh năm năm tám", none, understood{intent: "lookup", year: 1958}},
		{"Nguyễn Văn Nam 1975", none, understood{intent: "lookup", year: 1975}},
		{"nguyen van nam 75", none, understood{intent: "lookup", year: 1975}},
		{"nguyen van nam sinh nam 75", none, understood{intent: "lookup", year: 1975}},
		{"pham thi lan sn 05", none, understood{intent: "lookup", year: 2005}},
		{"pham thi lan sn 04", none, understood{intent: "lookup", year: 2004}},
		{"do van hai 1949", none, understood{intent: "lookup", year: 1949}},
		{"hoang van em sinh nam 49", none, understood{intent: "lookup", year: 1949}},
		{"vu thi giang sinh năm bảy lăm", none, understood{intent: "lookup", year: 1975}},
		{"vu thi giang 1 9 7 5", none, understood{}},
		{"my name is Nguyen Van An born in 1961", none, understood{intent: "lookup", year: 1961, lang: "en"}},
		{"my name is Nguyen Van An born in 61", none, understood{intent: "lookup", year: 1961, lang: "en"}},
		{"tra cuu nguyen van an sinh nam 1961", none, understood{intent: "lookup", year: 1961}},
		{"kiem tra tran thi hoa 70 khu pho hai", none, understood{intent: "lookup", area: kp(2), year: 1970}},
		{"nguyen van an 1961 khu dong thinh", none, understood{intent: "lookup", area: kpDT, year: 1961}},
		{"bau cu nam 1990 o dau", none, understood{intent: "place", lang: "vi"}},

		// A year alone, after the bot asked for it.
		{"61", awaitYear, understood{intent: "year", year: 1961}},
		{"sinh năm 61", awaitYear, understood{intent: "year", year: 1961, lang: ""}},
		{"năm sinh 1961", awaitYear, understood{intent: "year", year: 1961}},
		{"một chín sáu mốt", awaitYear, understood{intent: "year", year: 1961}},
		{"sáu mốt", awaitYear, understood{intent: "year", year: 1961}},
		{"born in 1961", awaitYear, understood{intent: "year", year: 1961, lang: "en"}},
		{"toi sinh nam 1961 a", awaitYear, understood{intent: "year", year: 1961}},
		{"sn 75", awaitYear, understood{intent: "year", year: 1975}},
		{"04", awaitYear, understood{intent: "year", year: 2004}},
		{"10", awaitYear, understood{}},
		{"nguyen van an 1961", awaitYear, understood{intent: "lookup", year: 1961}},

		// A name without a year.
		{"Nguyễn Văn An", none, understood{intent: "name"}},
		{"tra cuu nguyen van an", none, understood{intent: "name", lang: "vi"}},
		{"tran thi hoa", none, understood{intent: "name"}},
		{"an binh", awaitName, understood{intent: "name"}},
		{"an binh", none, understood{}},

		// Typed phone numbers.
		{"+84 912 345 678", none, understood{intent: "phone"}},
		{"so dien thoai 0987.654.321", none, understood{intent: "phone"}},
		{"0912-345-678 tra cuu giup", none, understood{intent: "phone", lang: "vi"}},
		{"84912345678", none, understood{intent: "phone"}},
		{"123456", none, understood{}},

		// English.
		{"when do we vote", none, understood{intent: "date", lang: "en"}},
		{"what time does the polling station open", none, understood{intent: "date", lang: "en"}},
		{"where is my polling station", none, understood{intent: "place", lang: "en"}},
		{"where is the polling place for area 4", none, understood{intent: "place", area: kp(4), lang: "en"}},
		{"who are the candidates", none, understood{intent: "candidates", lang: "en"}},
		{"who can I vote for", none, understood{intent: "candidates", lang: "en"}},
		{"am I on the voter list", none, understood{intent: "check", lang: "en"}},
		{"can I vote", none, understood{intent: "check", lang: "en"}},
		{"who won", none, understood{intent: "result", lang: "en"}},
		{"what are the results", none, understood{intent: "result", lang: "en"}},
		{"remind me please", none, understood{intent: "reminders", lang: "en"}},
		{"thank you", none, understood{intent: "thanks", lang: "en"}},
		{"thanks a lot", none, understood{intent: "thanks", lang: "en"}},
		{"who can stand for election", none, understood{intent: "rules_stand", lang: "en"}},
		{"how many votes does a household have", none, understood{intent: "rules_vote", lang: "en"}},
		{"how do I vote", none, understood{intent: "rules_method", lang: "en"}},
		{"I live in area 5", none, understood{intent: "area", area: kp(5), lang: "en"}},
		{"help me please", none, understood{intent: "help", lang: "en"}},

		// Vietnamese, with and without diacritics, with typos.
		{"bao gio bau cu", none, understood{intent: "date", lang: "vi"}},
		{"may gio bat dau bo phieu", none, understood{intent: "date", lang: "vi"}},
		{"ngay bau cu la ngay nao vay", none, understood{intent: "date", lang: "vi"}},
		{"ngay bau cu khu pho 3", none, understood{intent: "date", area: kp(3), lang: "vi"}},
		{"bầu ở đâu vậy", none, understood{intent: "place", lang: "vi"}},
		{"dia diem bo phieu khu 4", none, understood{intent: "place", area: kp(4), lang: "vi"}},
		{"bo phieu o dau khu pho muoi", none, understood{intent: "place", area: kp(10), lang: "vi"}},
		{"nguoi ung cu khu 3 la ai", none, understood{intent: "candidates", area: kp(3), lang: "vi"}},
		{"ai trung cu khu pho 5", none, understood{intent: "result", area: kp(5), lang: "vi"}},
		{"kết quả bầu cử khu phố sáu", none, understood{intent: "result", area: kp(6), lang: "vi"}},
		{"tôi có tên trong danh sách không", none, understood{intent: "check", lang: "vi"}},
		{"ngayy bau cu", none, understood{intent: "date", lang: "vi"}},
		{"dia diemm bo phieu", none, understood{intent: "place"}},
		{"nhắc tôi trước ngày bầu", none, understood{intent: "reminders", lang: "vi"}},
		{"tat nhac nho", none, understood{intent: "reminders"}},
		{"cam on nhieu", none, understood{intent: "thanks", lang: "vi"}},
		{"oke", none, understood{intent: "thanks"}},
		{"okie", none, understood{intent: "thanks"}},
		{"xin chào", none, understood{intent: "greeting", lang: "vi"}},
		{"huong dan su dung", none, understood{intent: "help", lang: "vi"}},
		{"bau cu the nao", none, understood{intent: "rules_method", lang: "vi"}},
		{"tieng anh", none, understood{intent: "lang"}},
		{"đổi sang khu phố 2", none, understood{intent: "area", area: kp(2)}},
		{"chuyen ve khu 4", none, understood{intent: "area", area: kp(4)}},
		{"nha toi o khu pho 7", none, understood{intent: "area", area: kp(7), lang: "vi"}},
		{"con mèo màu xanh", none, understood{}},
	}
	for _, c := range cases {
		got := understand(t, l, c.text, c.await, areas)
		if got != c.want {
			t.Errorf("%q (await %q) = %+v, want %+v", c.text, c.await, got, c.want)
		}
	}
	if n := len(cases) + len(intentCases) + len(areaRecognitionCases); n < 250 {
		t.Errorf("%d phrasings in the tables, want at least 250", n)
	}
}
