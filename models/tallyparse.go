package models

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads the tally message of docs/design.md §5:
//
//	KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35
//	kết quả khu phố 1: tham dự 290, phát ra 290, thu vào 289, hợp lệ 285, không hợp lệ 4, Nguyễn Văn An 250, Trần Thị Bình 35
//
// Grammar: the message is a sequence of `phrase number` pairs in any order,
// a phrase being the words since the previous number. Case and diacritics
// do not matter (words are compared by Fold). Between a phrase and its
// number ':' '=' '-' and spaces may stand; ',' ';' '.' '!' '?' '|' '/' and
// new lines separate pairs. A phrase is, in order of preference:
//   - an area qualifier (kp, khu phố, tổ, tổ dân phố, thôn, bản, ấp, xóm,
//     area…) before the area's number, arabic or roman (KP1, khu pho IV);
//   - a candidate qualifier (UV, ứng viên, ứng cử viên, số, candidate…)
//     before a ballot number, followed by the votes (UV1 250, số 1: 250);
//   - a field label, long or short (tham dự/TD/attending, phát ra/PR/issued,
//     thu vào/TV/returned, hợp lệ/HL/valid, không hợp lệ/KHL/invalid, số
//     hộ/households); filler words (số, phiếu, tổng, là…) are ignored, so
//     "tổng số phiếu không hợp lệ" is KHL. Labels match whole phrases, so
//     "không hợp lệ" is never read as "hợp lệ";
//   - a candidate's name (Nguyễn Văn An 250; "ông An 250"; small typos,
//     see nameMatch);
//   - otherwise leading words that name no number are taken off and the rest
//     tried again: KQ / kết quả (intro), the method (giơ tay / show of
//     hands → hands; bỏ phiếu kín / kín / secret → secret), an area named
//     without a number ("Thôn Đông"), units (hộ, phiếu, người, votes).
//
// Numbers: digits; 1.234 and 1,234 are thousands when every group after the
// first has exactly three digits (1.234.567). A comma followed by anything
// else is a separator ("HL 285,KHL 4"; "285,4" is 285 then 4), so
// "290,290" reads as 290290: write a space or a label after a comma.
// Decimals (28.5), negative numbers and numbers over 10,000,000 are not
// read: their pair goes to Unknown. A number followed by '%' is a
// percentage the bot computes itself and is skipped. "1 234" (space as a
// thousands separator) is not supported: it reads as 1 and 234.

// Tally field keys of ParsedTally.Set.
const (
	TallyFieldHouseholds = "households"
	TallyFieldAttending  = "attending"
	TallyFieldIssued     = "issued"
	TallyFieldReturned   = "returned"
	TallyFieldValid      = "valid"
	TallyFieldInvalid    = "invalid"
)

// TallyMaxNumber is the largest number a tally message may contain.
const TallyMaxNumber = 10_000_000

// ParsedTally is what ParseTally understood of one message.
type ParsedTally struct {
	// AreaCode is the area the message names, "" if it names none (or
	// names several: see Ambiguous).
	AreaCode string
	// AreaInferred: the message names no area but its candidate names all
	// belong to this one (only when several areas were given).
	AreaInferred bool
	// Numbers: Households is left 0 (the caller fills it from the area);
	// Method is the one named, else secret when any ballot field is given,
	// else "" (the caller uses the election's method).
	Numbers TallyNumbers
	// Households is the number of households if the message states it
	// ("số hộ 312"), for the caller to compare with the area's.
	Households int
	// Set tells which fields were given: TallyField* keys, true only.
	Set map[string]bool
	// Unknown are the parts it could not read, as typed.
	Unknown []string
	// Ambiguous are parts with more than one reading, as typed: a name
	// matching several candidates, a field or candidate given twice with
	// different numbers ("TD 290 / tham dự 291"), two areas or methods. An
	// ambiguous field or vote is left unset.
	Ambiguous []string
}

// ParseTally reads one tally message. areas are the areas the sender may
// report for, with their Candidates (BallotNo, Name, NameFolded), so that
// the area can be matched by code, name or number and candidates by
// ballot number or name. isTally reports whether the message looks like a
// tally at all: it starts with KQ / kết quả and has at least one known
// label (a field, a ballot number, a candidate's name, even with an
// unreadable number: "KQ KP1 TD -5"), or it has at least three; otherwise
// the chat falls back to other intents ("ket qua kp1?", "ket qua bau cu
// nam 2022" and a voter look-up "Nguyen Van An 1961" are no tally). p is
// never nil.
func ParseTally(text string, areas []*Area) (p *ParsedTally, isTally bool) {
	ps := newTallyParser(text, areas)
	ps.segment()
	return ps.resolve()
}

// --- tokens ---

type tpKind uint8

const (
	tpWord    tpKind = iota
	tpNum            // a number within bounds
	tpBad            // a malformed, negative or too large number
	tpPercent        // a number followed by %
	tpSep            // a separator of pairs
)

type tpTok struct {
	kind       tpKind
	w          string // folded word (tpWord)
	n          int    // value (tpNum)
	start, end int    // bytes of the text
}

func tallyIsDigit(c byte) bool { return c >= '0' && c <= '9' }

func tallySeparator(r rune) bool {
	switch r {
	case ',', ';', '.', '!', '?', '|', '/', '\\', '\n', '\r', '•', '…', '，', '；', '。':
		return true
	}
	return false
}

// tallyTokens splits a message into words, numbers and separators.
func tallyTokens(text string) []tpTok {
	toks := make([]tpTok, 0, 32)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r < utf8.RuneSelf && tallyIsDigit(byte(r)):
			toks, i = tallyNumberTokens(text, i, i, toks)
		case (r == '-' || r == '−') && i+size < len(text) && tallyIsDigit(text[i+size]) && tallyNegContext(text, i):
			toks, i = tallyNumberTokens(text, i, i+size, toks)
		case unicode.IsLetter(r) || unicode.IsMark(r):
			j := i + size
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !unicode.IsLetter(r2) && !unicode.IsMark(r2) {
					break
				}
				j += s2
			}
			for _, w := range strings.Fields(Fold(text[i:j])) {
				toks = append(toks, tpTok{kind: tpWord, w: w, start: i, end: j})
			}
			i = j
		case tallySeparator(r):
			toks = append(toks, tpTok{kind: tpSep, start: i, end: i + size})
			i += size
		default: // spaces, ':', '=', '-', brackets, quotes, emoji…
			i += size
		}
	}
	return toks
}

// tallyNegContext: a minus at i starts a negative number when it follows
// the start, a space or a binder (not "kp-1" or "1-2").
func tallyNegContext(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsSpace(r) || strings.ContainsRune(":=(,;", r)
}

// tallyNumberTokens reads the number whose digits start at d (start < d
// when a minus sign precedes it) and returns the tokens and the end.
func tallyNumberTokens(text string, start, d int, toks []tpTok) ([]tpTok, int) {
	j := d
	for j < len(text) && tallyIsDigit(text[j]) {
		j++
	}
	type group struct{ s, e int }
	groups := []group{{d, j}}
	var seps []byte
	for j+1 < len(text) && (text[j] == '.' || text[j] == ',') && tallyIsDigit(text[j+1]) {
		seps = append(seps, text[j])
		k := j + 1
		for k < len(text) && tallyIsDigit(text[k]) {
			k++
		}
		groups = append(groups, group{j + 1, k})
		j = k
	}
	// A percentage: skip it whole.
	k := j
	for k < len(text) && (text[k] == ' ' || text[k] == '\t') {
		k++
	}
	if k < len(text) && text[k] == '%' {
		return append(toks, tpTok{kind: tpPercent, start: start, end: k + 1}), k + 1
	}
	if start < d { // negative
		return append(toks, tpTok{kind: tpBad, start: start, end: j}), j
	}
	value := func(s string) (int, bool) {
		s = strings.TrimLeft(s, "0")
		if len(s) > 8 {
			return 0, false
		}
		if s == "" {
			return 0, true
		}
		n, err := strconv.Atoi(s)
		return n, err == nil && n <= TallyMaxNumber
	}
	num := func(s string, a, b int) tpTok {
		if n, ok := value(s); ok {
			return tpTok{kind: tpNum, n: n, start: a, end: b}
		}
		return tpTok{kind: tpBad, start: a, end: b}
	}
	if len(seps) == 0 {
		return append(toks, num(text[d:j], d, j)), j
	}
	same, thousands := true, groups[0].e-groups[0].s <= 3
	for i, g := range groups[1:] {
		same = same && seps[i] == seps[0]
		thousands = thousands && g.e-g.s == 3
	}
	if same && thousands {
		var b strings.Builder
		for _, g := range groups {
			b.WriteString(text[g.s:g.e])
		}
		return append(toks, num(b.String(), d, j)), j
	}
	if same && seps[0] == ',' { // commas between numbers: separators
		for i, g := range groups {
			if i > 0 {
				toks = append(toks, tpTok{kind: tpSep, start: g.s - 1, end: g.s})
			}
			toks = append(toks, num(text[g.s:g.e], g.s, g.e))
		}
		return toks, j
	}
	return append(toks, tpTok{kind: tpBad, start: d, end: j}), j // 28.5, 1.234,5
}

// --- vocabulary (folded) ---

var tallyFieldLabels = func() map[string]string {
	m := map[string]string{}
	add := func(field string, labels ...string) {
		for _, l := range labels {
			m[l] = field
		}
	}
	add(TallyFieldHouseholds, "ho", "so ho", "ho gia dinh", "households", "household", "sh",
		"cu tri", "tong cu tri", "cu tri dai dien ho", "cu tri dai dien ho gia dinh",
		"dai dien ho", "dai dien ho gia dinh", "voters", "electorate")
	add(TallyFieldAttending, "tham du", "td", "attending", "attended", "attendance", "present",
		"ho tham du", "cu tri tham du", "nguoi tham du", "dai dien ho tham du",
		"cu tri dai dien ho tham du", "ho gia dinh tham du", "tham gia", "ho tham gia",
		"cu tri tham gia", "nguoi tham gia", "co mat", "so co mat")
	add(TallyFieldIssued, "phat ra", "pr", "issued", "phat", "da phat", "phat ra phieu", "ballots issued")
	add(TallyFieldReturned, "thu vao", "tv", "returned", "thu ve", "thu lai", "thu", "nhan ve",
		"bo vao hom", "ballots returned")
	add(TallyFieldValid, "hop le", "hl", "valid")
	add(TallyFieldInvalid, "khong hop le", "khl", "invalid", "ko hop le", "k hop le", "kh hop le",
		"kg hop le", "khong hl", "not valid", "k hl", "ko hl")
	return m
}()

// tallyFillers are words dropped when a phrase is not a label as it is.
var tallyFillers = map[string]bool{
	"so": true, "phieu": true, "tong": true, "la": true, "duoc": true, "co": true,
	"cua": true, "luong": true, "bang": true, "ballots": true, "ballot": true,
	"votes": true, "number": true, "of": true, "total": true, "the": true, "no": true,
}

// tallyCandQualifiers come before a ballot number.
var tallyCandQualifiers = map[string]bool{
	"uv": true, "ung vien": true, "ung cu vien": true, "ucv": true, "nguoi ung cu": true,
	"candidate": true, "cand": true, "so": true, "uv so": true, "ung vien so": true,
	"ung cu vien so": true, "ucv so": true, "nguoi ung cu so": true, "candidate no": true,
	"no": true, "stt": true, "so thu tu": true,
}

// tallyAreaQualifiers come before an area's number, with their kind.
var tallyAreaQualifiers = map[string]string{
	"kp": "khu pho", "khu pho": "khu pho", "khoi pho": "khu pho", "khu": "khu",
	"to": "to dan pho", "to dan pho": "to dan pho", "tdp": "to dan pho", "to dp": "to dan pho",
	"thon": "thon", "ban": "ban", "ap": "ap", "xom": "xom", "khom": "khom", "khoi": "khoi",
	"lang": "lang", "area": "", "zone": "", "village": "", "neighbourhood": "",
	"neighborhood": "", "quarter": "",
}

// Leading words that carry no number.
const (
	tpPrefixIntro = iota
	tpPrefixHands
	tpPrefixSecret
	tpPrefixArea
	tpPrefixUnit
)

type tpPrefix struct {
	words []string
	kind  int
	areas []*Area // tpPrefixArea
}

var tallyStaticPrefixes = func() []tpPrefix {
	var ps []tpPrefix
	add := func(kind int, phrases ...string) {
		for _, p := range phrases {
			ps = append(ps, tpPrefix{words: strings.Fields(p), kind: kind})
		}
	}
	add(tpPrefixIntro, "kq", "ket qua", "ket qua bau cu", "ket qua kiem phieu", "kq bau cu",
		"kq kiem phieu", "bien ban", "bien ban kiem phieu", "bao cao", "bau cu", "kiem phieu",
		"result", "results", "tally", "report", "election", "hinh thuc", "hinh thuc bau",
		"hinh thuc bau cu", "phuong thuc", "method", "cua", "tai", "o", "va", "and", "voi",
		"gom", "bau", "truong", "truong khu pho", "truong thon", "to truong")
	add(tpPrefixHands, "gio tay", "bieu quyet gio tay", "bieu quyet", "bau gio tay",
		"show of hands", "by show of hands", "hands", "by hands", "by a show of hands")
	add(tpPrefixSecret, "bo phieu kin", "phieu kin", "kin", "bau kin", "secret", "secret ballot",
		"by secret ballot", "bo phieu kin bau")
	add(tpPrefixUnit, "ho", "phieu", "nguoi", "cu tri", "votes", "vote", "ballots", "ballot",
		"households", "people", "phieu bau", "la", "duoc", "dat", "co", "so", "tong", "tong so",
		"ty le", "ti le", "chiem", "bang", "percent")
	return ps
}()

// tallyPrefixIndex is tallyStaticPrefixes by first word.
var tallyPrefixIndex = func() map[string][]tpPrefix {
	m := map[string][]tpPrefix{}
	for _, p := range tallyStaticPrefixes {
		m[p.words[0]] = append(m[p.words[0]], p)
	}
	return m
}()

var tallyHonorifics = map[string]bool{
	"ong": true, "ba": true, "anh": true, "chi": true, "co": true, "chu": true, "bac": true,
	"uv": true, "ung vien": true, "ung cu vien": true, "candidate": true, "mr": true,
	"mrs": true, "ms": true, "nguoi ung cu": true,
}

var tallyNameTrailers = map[string]bool{
	"duoc": true, "dat": true, "co": true, "phieu": true, "votes": true, "vote": true,
	"la": true, "so phieu": true, "phieu bau": true, "bau": true,
}

// romanNumerals maps i…xxxix to 1…39 (area numbers written in roman
// numerals: "khu phố IV").
var romanNumerals = func() map[string]int {
	m := map[string]int{}
	units := []string{"", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"}
	tens := []string{"", "x", "xx", "xxx"}
	for t := range tens {
		for u := range units {
			if n := 10*t + u; n > 0 {
				m[tens[t]+units[u]] = n
			}
		}
	}
	return m
}()

// RomanNumeral parses a folded (lower-case) roman numeral from i to xxxix.
func RomanNumeral(s string) (int, bool) {
	n, ok := romanNumerals[s]
	return n, ok
}

func tpJoin(ts []tpTok) string {
	if len(ts) == 1 {
		return ts[0].w
	}
	ws := make([]string, len(ts))
	for i, t := range ts {
		ws[i] = t.w
	}
	return strings.Join(ws, " ")
}

// tallyMaxPhrase is the most words a label, qualifier or name phrase
// (with fillers and honorifics) has; longer phrases are only stripped of
// prefixes, which keeps parsing linear.
const tallyMaxPhrase = 12

// --- candidates and areas ---

type tpCand struct {
	c      *Candidate
	area   *Area
	words  []string
	joined string // words joined by spaces
}

type tpArea struct {
	a    *Area
	nums map[int]bool
	kind string
}

// tallyAreaInfo finds an area's number(s), from its name ("Khu phố 1",
// "Thôn IV") and its code ("kp1"), and its kind ("khu pho").
func tallyAreaInfo(a *Area) tpArea {
	info := tpArea{a: a, nums: map[int]bool{}}
	words := strings.Fields(Fold(a.Name))
	if n := len(words); n > 0 {
		last := words[n-1]
		if v, err := strconv.Atoi(last); err == nil {
			info.nums[v] = true
			words = words[:n-1]
		} else if v, ok := romanNumerals[last]; ok && n > 1 {
			info.nums[v] = true
			words = words[:n-1]
		}
	}
	joined := strings.Join(words, " ")
	if k, ok := tallyAreaQualifiers[joined]; ok {
		info.kind = k
	} else {
		info.kind = joined
	}
	if code := strings.Fields(Fold(a.Code)); len(code) > 0 {
		last := code[len(code)-1]
		i := len(last)
		for i > 0 && tallyIsDigit(last[i-1]) {
			i--
		}
		if i < len(last) {
			if v, err := strconv.Atoi(last[i:]); err == nil {
				info.nums[v] = true
			}
		}
	}
	return info
}

// --- the parser ---

type tpItemKind uint8

const (
	itArea tpItemKind = iota
	itMethod
	itField
	itBallot
	itName
	itUnknown
	itAmbiguous
)

type tpItem struct {
	kind   tpItemKind
	raw    string
	area   *Area
	method string
	field  string
	n      int      // field value or votes
	ballot int      // itBallot; the ballot number given before a name (0: none)
	words  []string // itName
	label  bool     // an unreadable number after a known label (counts as a label)
	pos    int      // where it starts in the text
}

type tallyParser struct {
	text     string
	areas    []*Area
	ainfo    []tpArea
	cands    []tpCand              // of every area
	prefixes map[string][]tpPrefix // area names, by first word (the static ones: tallyPrefixIndex)
	toks     []tpTok
	items    []tpItem
	pend     []tpTok
	ballot   *tpTok // a candidate qualifier's ballot number waiting for its votes
	ballotAt int    // where that qualifier starts
}

func newTallyParser(text string, areas []*Area) *tallyParser {
	ps := &tallyParser{text: text}
	byWords := map[string][]*Area{}
	addName := func(a *Area, folded string) {
		if folded == "" || strings.IndexFunc(folded, unicode.IsDigit) >= 0 {
			return
		}
		for _, x := range byWords[folded] {
			if x == a {
				return
			}
		}
		byWords[folded] = append(byWords[folded], a)
	}
	for _, a := range areas {
		if a == nil {
			continue
		}
		ps.areas = append(ps.areas, a)
		ps.ainfo = append(ps.ainfo, tallyAreaInfo(a))
		name := Fold(a.Name)
		addName(a, name)
		addName(a, Fold(a.Code))
		// "Thôn Đông Sơn" may be typed "Đông Sơn".
		if ws := strings.Fields(name); len(ws) > 1 {
			for k := len(ws) - 1; k >= 1; k-- {
				if _, ok := tallyAreaQualifiers[strings.Join(ws[:k], " ")]; ok {
					addName(a, strings.Join(ws[k:], " "))
					break
				}
			}
		}
		for _, c := range a.Candidates {
			if c == nil {
				continue
			}
			f := c.NameFolded
			if f == "" {
				f = Fold(c.Name)
			}
			ws := strings.Fields(f)
			ps.cands = append(ps.cands, tpCand{c: c, area: a, words: ws, joined: strings.Join(ws, " ")})
		}
	}
	if len(byWords) > 0 {
		ps.prefixes = make(map[string][]tpPrefix, len(byWords))
		for k, as := range byWords {
			ws := strings.Fields(k)
			ps.prefixes[ws[0]] = append(ps.prefixes[ws[0]], tpPrefix{words: ws, kind: tpPrefixArea, areas: as})
		}
	}
	return ps
}

func (ps *tallyParser) raw(start, end int) string {
	return strings.TrimSpace(ps.text[start:end])
}

func (ps *tallyParser) unknown(start, end int) {
	if s := ps.raw(start, end); s != "" {
		ps.items = append(ps.items, tpItem{kind: itUnknown, raw: s, pos: start})
	}
}

func (ps *tallyParser) add(it tpItem, start, end int) {
	it.raw, it.pos = ps.raw(start, end), start
	ps.items = append(ps.items, it)
}

// segment walks the tokens and turns phrase–number pairs into items.
func (ps *tallyParser) segment() {
	ps.toks = tallyTokens(ps.text)
	for _, t := range ps.toks {
		switch t.kind {
		case tpWord:
			if v, ok := romanNumerals[t.w]; ok && len(ps.pend) > 0 && ps.isAreaPhrase(ps.pend) {
				ps.number(tpTok{kind: tpNum, n: v, start: t.start, end: t.end})
				continue
			}
			ps.pend = append(ps.pend, t)
		case tpNum:
			ps.number(t)
		case tpBad: // the pair is unreadable; was its label known?
			start, label := t.start, false
			if len(ps.pend) > 0 {
				r := ps.strip(ps.pend)
				if len(r) > 0 {
					_, area := tallyAreaQualifiers[tpJoin(r)]
					label = !area && (tallyFieldOf(r) != "" || tallyCandQualifiers[tpJoin(r)])
				}
				start = ps.pend[0].start
				ps.dropBallot()
			} else if ps.ballot != nil { // "UV1 -5"
				start, ps.ballot, label = ps.ballotAt, nil, true
			}
			ps.add(tpItem{kind: itUnknown, label: label}, start, t.end)
			ps.pend = ps.pend[:0]
		case tpPercent:
			// Words before a percentage describe it ("đạt 80,1%"): drop
			// them unless they are something else.
			r := ps.strip(ps.pend)
			if len(r) > 0 {
				ps.unknown(r[0].start, t.end)
			}
			ps.pend = ps.pend[:0]
		case tpSep:
			ps.flush()
		}
	}
	ps.flush()
}

// flush ends a phrase that has no number.
func (ps *tallyParser) flush() {
	ps.dropBallot()
	from := 0
	for r := ps.pend; len(r) > 0; {
		p, n := ps.prefixAt(r)
		if n == 0 {
			ps.unknown(ps.pend[from].start, ps.pend[len(ps.pend)-1].end)
			break
		}
		if ps.prefixItem(p, r[:n]) {
			from = len(ps.pend) - len(r) + n
		}
		r = r[n:]
	}
	ps.pend = ps.pend[:0]
}

// dropBallot reports a ballot number that got no votes.
func (ps *tallyParser) dropBallot() {
	if ps.ballot != nil {
		ps.unknown(ps.ballotAt, ps.ballot.end)
		ps.ballot = nil
	}
}

// prefixAt returns the longest prefix phrase at the start of r.
// An area name wins over a static prefix of the same length.
func (ps *tallyParser) prefixAt(r []tpTok) (tpPrefix, int) {
	var best tpPrefix
	n := 0
	if len(r) == 0 {
		return best, 0
	}
	for _, list := range [2][]tpPrefix{tallyPrefixIndex[r[0].w], ps.prefixes[r[0].w]} {
		for _, p := range list {
			if len(p.words) < n || len(p.words) > len(r) {
				continue
			}
			ok := true
			for i, w := range p.words {
				if r[i].w != w {
					ok = false
					break
				}
			}
			if ok {
				best, n = p, len(p.words)
			}
		}
	}
	return best, n
}

// strip takes prefixes off r.
func (ps *tallyParser) strip(r []tpTok) []tpTok {
	for len(r) > 0 {
		_, n := ps.prefixAt(r)
		if n == 0 {
			break
		}
		r = r[n:]
	}
	return r
}

// prefixItem records what a prefix says (a method, an area) and reports
// whether it said anything.
func (ps *tallyParser) prefixItem(p tpPrefix, ts []tpTok) bool {
	start, end := ts[0].start, ts[len(ts)-1].end
	switch p.kind {
	case tpPrefixHands:
		ps.add(tpItem{kind: itMethod, method: MethodHands}, start, end)
	case tpPrefixSecret:
		ps.add(tpItem{kind: itMethod, method: MethodSecret}, start, end)
	case tpPrefixArea:
		if len(p.areas) == 1 {
			ps.add(tpItem{kind: itArea, area: p.areas[0]}, start, end)
		} else {
			ps.add(tpItem{kind: itAmbiguous}, start, end)
		}
	default:
		return false
	}
	return true
}

// isAreaPhrase: r is (after prefixes) an area qualifier.
func (ps *tallyParser) isAreaPhrase(r []tpTok) bool {
	if len(r) > tallyMaxPhrase {
		return false
	}
	r = ps.strip(r)
	if len(r) == 0 {
		return false
	}
	_, ok := tallyAreaQualifiers[tpJoin(r)]
	return ok
}

// tallyFieldOf returns the field a phrase labels, or "".
func tallyFieldOf(r []tpTok) string {
	if f, ok := tallyFieldLabels[tpJoin(r)]; ok {
		return f
	}
	ws := make([]string, 0, len(r))
	for _, t := range r {
		if !tallyFillers[t.w] {
			ws = append(ws, t.w)
		}
	}
	if len(ws) == 0 || len(ws) == len(r) {
		return ""
	}
	return tallyFieldLabels[strings.Join(ws, " ")]
}

// number handles a phrase (ps.pend) followed by the number t.
func (ps *tallyParser) number(t tpTok) {
	pend := ps.pend
	ps.pend = ps.pend[:0:0]
	defer func() { ps.pend = pend[:0] }()
	r := pend
	from := 0 // the unknown part starts after the last prefix that said something
	for {
		if len(r) == 0 {
			if ps.ballot != nil {
				ps.add(tpItem{kind: itBallot, ballot: ps.ballot.n, n: t.n}, ps.ballotAt, t.end)
				ps.ballot = nil
				return
			}
			start := t.start
			if len(pend) > 0 {
				start = pend[0].start
			}
			ps.unknown(start, t.end)
			return
		}
		// No label or name is longer than tallyMaxPhrase: a longer
		// phrase is only stripped on.
		if len(r) <= tallyMaxPhrase && ps.phrase(r, t) {
			return
		}
		p, n := ps.prefixAt(r)
		if n == 0 {
			ps.dropBallot()
			ps.unknown(pend[from].start, t.end)
			return
		}
		if ps.prefixItem(p, r[:n]) {
			from = len(pend) - len(r) + n
		}
		r = r[n:]
	}
}

// phrase handles the whole phrase r followed by the number t when it is
// an area or candidate qualifier, a field label or a candidate's name;
// false when it is none of them.
func (ps *tallyParser) phrase(r []tpTok, t tpTok) bool {
	phrase := tpJoin(r)
	if kind, ok := tallyAreaQualifiers[phrase]; ok {
		ps.dropBallot()
		ps.areaItem(kind, t.n, r[0].start, t.end)
		return true
	}
	if tallyCandQualifiers[phrase] {
		ps.dropBallot()
		tt := t
		ps.ballot, ps.ballotAt = &tt, r[0].start
		return true
	}
	if f := tallyFieldOf(r); f != "" {
		ps.dropBallot()
		ps.add(tpItem{kind: itField, field: f, n: t.n}, r[0].start, t.end)
		return true
	}
	if words := tallyNameWords(r); len(words) > 0 {
		if ms, _ := tallyNameMatch(words, ps.cands); len(ms) > 0 {
			it := tpItem{kind: itName, words: words, n: t.n}
			start := r[0].start
			if ps.ballot != nil {
				it.ballot, start = ps.ballot.n, ps.ballotAt
				ps.ballot = nil
			}
			ps.add(it, start, t.end)
			return true
		}
	}
	return false
}

// areaItem finds the area with number n (of the typed kind if several).
func (ps *tallyParser) areaItem(kind string, n int, start, end int) {
	var found []*Area
	var kinds []string
	for _, ai := range ps.ainfo {
		if ai.nums[n] {
			found = append(found, ai.a)
			kinds = append(kinds, ai.kind)
		}
	}
	if len(found) > 1 && kind != "" {
		var same []*Area
		for i, a := range found {
			if kinds[i] == kind {
				same = append(same, a)
			}
		}
		if len(same) > 0 {
			found = same
		}
	}
	switch len(found) {
	case 0:
		ps.add(tpItem{kind: itUnknown}, start, end)
	case 1:
		ps.add(tpItem{kind: itArea, area: found[0]}, start, end)
	default:
		ps.add(tpItem{kind: itAmbiguous}, start, end)
	}
}

// tallyNameWords is a phrase as a name: without a leading honorific
// ("ông", "UV") or trailing filler ("được", "phiếu").
func tallyNameWords(r []tpTok) []string {
	ws := make([]string, len(r))
	for i, t := range r {
		ws[i] = t.w
	}
	for len(ws) > 1 {
		if len(ws) > 2 && tallyHonorifics[ws[0]+" "+ws[1]] {
			ws = ws[2:]
		} else if tallyHonorifics[ws[0]] {
			ws = ws[1:]
		} else {
			break
		}
	}
	for len(ws) > 1 {
		n := len(ws)
		if n > 2 && tallyNameTrailers[ws[n-2]+" "+ws[n-1]] {
			ws = ws[:n-2]
		} else if tallyNameTrailers[ws[n-1]] {
			ws = ws[:n-1]
		} else {
			break
		}
	}
	return ws
}

// tallyNameMatch returns the candidates a typed name means, best tier
// first: 1 the exact folded name; 2 a close one (every word within one
// edit, at most two edits in all; or the whole name within one edit when
// it has 6+ letters, two when 12+); 3 the last word(s) of the name exactly
// ("An", "Văn An"). Only the best tier with any match counts; more than
// one match there is ambiguous.
func tallyNameMatch(words []string, cands []tpCand) ([]tpCand, int) {
	typed := strings.Join(words, " ")
	var tiers [4][]tpCand
	for _, c := range cands {
		name := c.joined
		switch {
		case typed == name:
			tiers[1] = append(tiers[1], c)
		case tallyNameClose(words, c.words, typed, name):
			tiers[2] = append(tiers[2], c)
		case len(words) < len(c.words) && slices.Equal(words, c.words[len(c.words)-len(words):]):
			tiers[3] = append(tiers[3], c)
		}
	}
	for t := 1; t <= 3; t++ {
		if len(tiers[t]) > 0 {
			return tiers[t], t
		}
	}
	return nil, 0
}

func tallyNameClose(words, name []string, typed, joined string) bool {
	if len(words) == len(name) {
		total := 0
		for i := range words {
			d := tallyLevenshtein(words[i], name[i], 2)
			if d > 1 {
				total = 3
				break
			}
			total += d
		}
		if total <= 2 {
			return true
		}
	}
	n := utf8.RuneCountInString(joined)
	if n < 6 {
		return false
	}
	limit := 1
	if n >= 12 {
		limit = 2
	}
	return tallyLevenshtein(typed, joined, limit) <= limit
}

// tallyLevenshtein is the edit distance of a and b in runes, or limit+1 when it
// is more than limit.
func tallyLevenshtein(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			low = min(low, cur[j])
		}
		if low > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit+1)
}

// resolve turns the items into the ParsedTally: the area, then names within
// its candidates, duplicates, the method.
func (ps *tallyParser) resolve() (*ParsedTally, bool) {
	p := &ParsedTally{Set: map[string]bool{}}
	var unknown, ambiguous []tpItem // reported in the order of the text

	// The area.
	var area *Area
	var areaItems []tpItem
	areaAmbiguous := false
	for _, it := range ps.items {
		if it.kind == itArea {
			areaItems = append(areaItems, it)
			if area == nil {
				area = it.area
			} else if area != it.area {
				areaAmbiguous = true
			}
		}
	}
	if areaAmbiguous {
		ambiguous = append(ambiguous, tpItem{raw: tallyJoinRaws(areaItems), pos: areaItems[0].pos})
		area = nil
	}
	scope := ps.areas
	if area != nil {
		p.AreaCode = area.Code
		scope = []*Area{area}
	}
	inScope := func(c tpCand) bool {
		for _, a := range scope {
			if c.area == a {
				return true
			}
		}
		return false
	}
	var cands []tpCand
	for _, c := range ps.cands {
		if inScope(c) {
			cands = append(cands, c)
		}
	}

	// Names, then (when no area is named) the area they belong to.
	var votes []tpItem // ballot = the candidate's ballot number
	var named []tpItem
	nameAreas := map[*Area]bool{}
	pairs := 0
	for _, it := range ps.items {
		switch it.kind {
		case itUnknown:
			unknown = append(unknown, it)
			if it.label {
				pairs++
			}
		case itAmbiguous:
			ambiguous = append(ambiguous, it)
		case itField, itBallot:
			pairs++
		case itName:
			ms, _ := tallyNameMatch(it.words, cands)
			if len(ms) > 0 {
				pairs++
			}
			switch {
			case len(ms) == 0:
				unknown = append(unknown, it)
			case len(ms) > 1:
				ambiguous = append(ambiguous, it)
			case it.ballot != 0 && it.ballot != ms[0].c.BallotNo: // "UV2 Nguyễn Văn An" (An is 1)
				ambiguous = append(ambiguous, it)
			default:
				it.ballot = ms[0].c.BallotNo
				named = append(named, it)
				nameAreas[ms[0].area] = true
			}
		}
	}
	if area == nil && !areaAmbiguous && len(scope) > 1 && len(nameAreas) > 0 {
		if len(nameAreas) == 1 {
			for a := range nameAreas {
				area = a
			}
			p.AreaCode, p.AreaInferred = area.Code, true
			scope = []*Area{area}
		} else { // candidates of several areas: no name can be trusted
			ambiguous = append(ambiguous, named...)
			named = nil
		}
	}
	votes = append(votes, named...)

	// Ballot numbers must be those of a candidate in scope (any ballot
	// number when the scope has no candidates loaded).
	known := map[int]bool{}
	for _, c := range ps.cands {
		for _, a := range scope {
			if c.area == a {
				known[c.c.BallotNo] = true
			}
		}
	}
	fields := map[string][]tpItem{}
	var methods []tpItem
	for _, it := range ps.items {
		switch it.kind {
		case itBallot:
			if len(known) > 0 && !known[it.ballot] {
				unknown = append(unknown, it)
				continue
			}
			votes = append(votes, it)
		case itField:
			fields[it.field] = append(fields[it.field], it)
		case itMethod:
			methods = append(methods, it)
		}
	}

	// Fields; a field given twice with different numbers is ambiguous and
	// left unset.
	for _, f := range []string{TallyFieldHouseholds, TallyFieldAttending, TallyFieldIssued,
		TallyFieldReturned, TallyFieldValid, TallyFieldInvalid} {
		its := fields[f]
		if len(its) == 0 {
			continue
		}
		if !tallySameNumbers(its) {
			ambiguous = append(ambiguous, tpItem{raw: tallyJoinRaws(its), pos: its[0].pos})
			continue
		}
		n := its[0].n
		p.Set[f] = true
		switch f {
		case TallyFieldHouseholds:
			p.Households = n
		case TallyFieldAttending:
			p.Numbers.Attending = n
		case TallyFieldIssued:
			p.Numbers.Issued = tallyIntPtr(n)
		case TallyFieldReturned:
			p.Numbers.Returned = tallyIntPtr(n)
		case TallyFieldValid:
			p.Numbers.Valid = tallyIntPtr(n)
		case TallyFieldInvalid:
			p.Numbers.Invalid = tallyIntPtr(n)
		}
	}

	// Votes by ballot number, likewise.
	byBallot := map[int][]tpItem{}
	for _, v := range votes {
		byBallot[v.ballot] = append(byBallot[v.ballot], v)
	}
	for b, its := range byBallot {
		sort.Slice(its, func(i, j int) bool { return its[i].pos < its[j].pos })
		if !tallySameNumbers(its) {
			ambiguous = append(ambiguous, tpItem{raw: tallyJoinRaws(its), pos: its[0].pos})
			continue
		}
		if p.Numbers.Votes == nil {
			p.Numbers.Votes = map[int]int{}
		}
		p.Numbers.Votes[b] = its[0].n
	}

	// The method.
	if len(methods) > 0 {
		same := true
		for _, m := range methods[1:] {
			same = same && m.method == methods[0].method
		}
		if same {
			p.Numbers.Method = methods[0].method
		} else {
			ambiguous = append(ambiguous, tpItem{raw: tallyJoinRaws(methods), pos: methods[0].pos})
		}
	}
	if p.Numbers.Method == "" && (p.Numbers.Issued != nil || p.Numbers.Returned != nil ||
		p.Numbers.Valid != nil || p.Numbers.Invalid != nil) {
		p.Numbers.Method = MethodSecret
	}

	p.Unknown, p.Ambiguous = tallyRaws(unknown), tallyRaws(ambiguous)
	return p, (pairs > 0 && ps.startsIntro()) || pairs >= 3
}

// tallyRaws returns the items' texts in the order of the message.
func tallyRaws(its []tpItem) []string {
	if len(its) == 0 {
		return nil
	}
	sort.SliceStable(its, func(i, j int) bool { return its[i].pos < its[j].pos })
	out := make([]string, len(its))
	for i, it := range its {
		out[i] = it.raw
	}
	return out
}

func tallyIntPtr(n int) *int { return &n }

func tallySameNumbers(its []tpItem) bool {
	for _, it := range its[1:] {
		if it.n != its[0].n {
			return false
		}
	}
	return true
}

func tallyJoinRaws(its []tpItem) string {
	raws := make([]string, 0, len(its))
	seen := map[string]bool{}
	for _, it := range its {
		if !seen[it.raw] {
			seen[it.raw] = true
			raws = append(raws, it.raw)
		}
	}
	return strings.Join(raws, " / ")
}

// startsIntro: the message begins with KQ or kết quả.
func (ps *tallyParser) startsIntro() bool {
	t := ps.toks
	if len(t) == 0 || t[0].kind != tpWord {
		return false
	}
	return t[0].w == "kq" || (t[0].w == "ket" && len(t) > 1 && t[1].kind == tpWord && t[1].w == "qua")
}
