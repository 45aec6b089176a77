package tally

import (
	"strings"

	"electionbot/models"
)

// The words of the grammar, folded (models.Fold).

// fieldVariants are the labels of each field (models.TallyFields) besides
// its short and long ones: the minutes' own wordings, common
// abbreviations and misspellings.
var fieldVariants = map[string][]string{
	models.TallyFieldHouseholds: {"ho", "ho gia dinh", "household", "sh",
		"cu tri", "tong cu tri", "cu tri dai dien ho", "cu tri dai dien ho gia dinh",
		"dai dien ho", "dai dien ho gia dinh", "voters", "electorate"},
	models.TallyFieldAttending: {"attended", "attendance", "present",
		"ho tham du", "cu tri tham du", "nguoi tham du", "dai dien ho tham du",
		"cu tri dai dien ho tham du", "ho gia dinh tham du", "tham gia", "ho tham gia",
		"cu tri tham gia", "nguoi tham gia", "co mat", "so co mat"},
	// The household ballot's words (NĐ 59/2023 Mẫu số 04): the households
	// given a ballot, the ballots returned.
	models.TallyFieldIssued: {"phat", "da phat", "phat ra phieu", "ballots issued", "so ho duoc phat phieu",
		"ho duoc phat phieu", "so ho duoc phat", "ho duoc phat", "so ho nhan phieu", "ho nhan phieu",
		"households given a ballot", "households given ballots", "given"},
	models.TallyFieldReturned: {"thu ve", "thu lai", "thu", "nhan ve", "bo vao hom", "ballots returned",
		"phieu thu ve", "so phieu thu ve", "ho tra loi", "so ho tra loi"},
	models.TallyFieldInvalid: {"ko hop le", "k hop le", "kh hop le",
		"kg hop le", "khong hl", "not valid", "k hl", "ko hl"},
}

// fieldLabels maps every label of a field to its key.
var fieldLabels = func() map[string]string {
	m := map[string]string{}
	for _, f := range models.TallyFields {
		for _, l := range append([]string{f.Short, f.LabelVI, f.LabelEN}, fieldVariants[f.Key]...) {
			if l != "" {
				m[models.Fold(l)] = f.Key
			}
		}
	}
	return m
}()

// fillers are words dropped when a phrase is not a label as it is.
var fillers = map[string]bool{
	"so": true, "phieu": true, "tong": true, "la": true, "duoc": true, "co": true,
	"cua": true, "luong": true, "bang": true, "ballots": true, "ballot": true,
	"votes": true, "number": true, "of": true, "total": true, "the": true, "no": true,
}

// candQualifiers come before a ballot number.
var candQualifiers = map[string]bool{
	"uv": true, "ung vien": true, "ung cu vien": true, "ucv": true, "nguoi ung cu": true,
	"candidate": true, "cand": true, "so": true, "uv so": true, "ung vien so": true,
	"ung cu vien so": true, "ucv so": true, "nguoi ung cu so": true, "candidate no": true,
	"no": true, "stt": true, "so thu tu": true,
}

// areaQualifiers come before an area's number, with their kind.
var areaQualifiers = map[string]string{
	"kp": "khu pho", "khu pho": "khu pho", "khoi pho": "khu pho", "khu": "khu",
	"to": "to dan pho", "to dan pho": "to dan pho", "tdp": "to dan pho", "to dp": "to dan pho",
	"thon": "thon", "ban": "ban", "ap": "ap", "xom": "xom", "khom": "khom", "khoi": "khoi",
	"lang": "lang", "area": "", "zone": "", "village": "", "neighbourhood": "",
	"neighborhood": "", "quarter": "",
}

// Leading words that carry no number.
const (
	prefixIntro = iota
	prefixHands
	prefixSecret
	prefixArea
	prefixUnit
	prefixHousehold // the household ballot (NĐ 59/2023 Mẫu số 04)
	prefixNominee   // the name that follows was nominated at the meeting
)

type prefix struct {
	words []string
	kind  int
	areas []*models.Area // prefixArea
}

var staticPrefixes = func() []prefix {
	var ps []prefix
	add := func(kind int, phrases ...string) {
		for _, p := range phrases {
			ps = append(ps, prefix{words: strings.Fields(p), kind: kind})
		}
	}
	add(prefixIntro, "kq", "ket qua", "ket qua bau cu", "ket qua kiem phieu", "kq bau cu",
		"kq kiem phieu", "bien ban", "bien ban kiem phieu", "bao cao", "bau cu", "kiem phieu",
		"result", "results", "tally", "report", "election", "hinh thuc", "hinh thuc bau",
		"hinh thuc bau cu", "phuong thuc", "method", "cua", "tai", "o", "va", "and", "voi",
		"gom", "bau", "truong", "truong khu pho", "truong thon", "to truong")
	add(prefixHands, "gio tay", "bieu quyet gio tay", "bieu quyet", "bau gio tay",
		"show of hands", "by show of hands", "hands", "by hands", "by a show of hands")
	add(prefixSecret, "bo phieu kin", "phieu kin", "kin", "bau kin", "secret", "secret ballot",
		"by secret ballot", "bo phieu kin bau")
	add(prefixHousehold, "phieu ho", "phieu ho gia dinh", "phieu lay y kien", "phieu lay y kien ho",
		"phieu lay y kien ho gia dinh", "lay y kien ho", "lay y kien ho gia dinh", "lay y kien",
		"phat phieu lay y kien", "phat phieu lay y kien ho", "phat phieu lay y kien ho gia dinh",
		"phat phieu ho", "phat phieu den ho", "phat phieu den tung ho", "phat phieu den tung ho gia dinh",
		"household ballot", "household ballots", "ballots to every household", "ballots to households")
	add(prefixNominee, "ung cu tai hoi nghi", "ucv tai hoi nghi", "ung vien tai hoi nghi", "uchn", "de cu",
		"duoc de cu", "de cu tai hoi nghi", "tu ung cu", "nguoi tu ung cu", "nominee", "nominated",
		"nominated at the meeting", "self nominated")
	add(prefixUnit, "ho", "phieu", "nguoi", "cu tri", "votes", "vote", "ballots", "ballot",
		"households", "people", "phieu bau", "la", "duoc", "dat", "co", "so", "tong", "tong so",
		"ty le", "ti le", "chiem", "bang", "percent")
	return ps
}()

// prefixIndex is staticPrefixes by first word.
var prefixIndex = func() map[string][]prefix {
	m := map[string][]prefix{}
	for _, p := range staticPrefixes {
		m[p.words[0]] = append(m[p.words[0]], p)
	}
	return m
}()

var honorifics = map[string]bool{
	"ong": true, "ba": true, "anh": true, "chi": true, "co": true, "chu": true, "bac": true,
	"uv": true, "ung vien": true, "ung cu vien": true, "candidate": true, "mr": true,
	"mrs": true, "ms": true, "nguoi ung cu": true,
}

// surnames are Vietnamese family names, folded: a phrase of two to five
// words that starts with one and names no candidate is read as a person
// nominated at the meeting (and echoed as such for the reporter to check).
var surnames = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly
		dinh dao doan trinh truong lam luong luu mai cao ha tang to ta thai trieu vuong quach chu kieu la lac
		lai lo nong hua ong phung tong tieu tu an au bach banh cam chau chung diep dam giang han hau
		khuc kim lu mac nghiem ninh quan son thach than tiet tra ung vi van yen hang ma nghe dieu giap
		kha luc man mong phi phuong quang sam tao thieu tieu trac uong vien`) {
		m[s] = true
	}
	return m
}()

// notNameWords never stand in a person's name: a phrase with one is not
// read as a nominee.
var notNameWords = map[string]bool{
	"thon": true, "xom": true, "kp": true, "tdp": true, "td": true, "pr": true, "tv": true, "hl": true,
	"khl": true, "uv": true, "ucv": true, "phieu": true, "tham": true, "vao": true, "khong": true,
	"ket": true, "qua": true, "kq": true, "bau": true,
}

// shortLabels are the short labels of the fields (TD, PR…).
var shortLabels = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range models.TallyFields {
		if f.Short != "" {
			m[models.Fold(f.Short)] = true
		}
	}
	return m
}()

var nameTrailers = map[string]bool{
	"duoc": true, "dat": true, "co": true, "phieu": true, "votes": true, "vote": true,
	"la": true, "so phieu": true, "phieu bau": true, "bau": true,
}

func join(ts []token) string {
	if len(ts) == 1 {
		return ts[0].w
	}
	ws := make([]string, len(ts))
	for i, t := range ts {
		ws[i] = t.w
	}
	return strings.Join(ws, " ")
}

// maxPhrase is the most words a label, qualifier or name phrase
// (with fillers and honorifics) has; longer phrases are only stripped of
// prefixes, which keeps parsing linear.
const maxPhrase = 12
