package tally

import (
	"strconv"
	"strings"
	"unicode"

	"electionbot/models"
)

type cand struct {
	c      *models.Candidate
	area   *models.Area
	words  []string
	joined string // words joined by spaces
}

type areaInfo struct {
	a    *models.Area
	nums map[int]bool
	kind string
}

// newAreaInfo finds an area's number(s), from its name ("Khu phố 1",
// "Thôn IV") and its code ("kp1"), and its kind ("khu pho").
func newAreaInfo(a *models.Area) areaInfo {
	info := areaInfo{a: a, nums: map[int]bool{}}
	words := strings.Fields(models.Fold(a.Name))
	if n := len(words); n > 0 {
		last := words[n-1]
		if v, err := strconv.Atoi(last); err == nil {
			info.nums[v] = true
			words = words[:n-1]
		} else if v, ok := models.RomanNumeral(last); ok && n > 1 {
			info.nums[v] = true
			words = words[:n-1]
		}
	}
	joined := strings.Join(words, " ")
	if k, ok := areaQualifiers[joined]; ok {
		info.kind = k
	} else {
		info.kind = joined
	}
	if code := strings.Fields(models.Fold(a.Code)); len(code) > 0 {
		last := code[len(code)-1]
		i := len(last)
		for i > 0 && isDigit(last[i-1]) {
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

type itemKind uint8

const (
	itArea itemKind = iota
	itMethod
	itField
	itBallot
	itName
	itUnknown
	itAmbiguous
	itHousehold // the household ballot (NĐ 59/2023 Mẫu số 04)
	itNominee   // a person not in the list, nominated at the meeting
)

type item struct {
	kind   itemKind
	raw    string
	area   *models.Area
	method string
	field  string
	n      int      // field value or votes
	ballot int      // itBallot; the ballot number given before a name (0: none)
	words  []string // itName, itNominee
	name   string   // itNominee: the name as typed
	label  bool     // an unreadable number after a known label (counts as a label)
	pos    int      // where it starts in the text
}

type parser struct {
	text     string
	areas    []*models.Area
	ainfo    []areaInfo
	cands    []cand              // of every area
	prefixes map[string][]prefix // area names, by first word (the static ones: prefixIndex)
	toks     []token
	items    []item
	pend     []token
	ballot   *token // a candidate qualifier's ballot number waiting for its votes
	ballotAt int    // where that qualifier starts
	// nominee: a marker ("ứng cử tại hội nghị", "đề cử") was just read,
	// so the name that follows is a nominee's.
	nominee bool
}

func newParser(text string, areas []*models.Area) *parser {
	ps := &parser{text: text}
	byWords := map[string][]*models.Area{}
	addName := func(a *models.Area, folded string) {
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
		ps.ainfo = append(ps.ainfo, newAreaInfo(a))
		name := models.Fold(a.Name)
		addName(a, name)
		addName(a, models.Fold(a.Code))
		// "Thôn Đông Sơn" may be typed "Đông Sơn".
		if ws := strings.Fields(name); len(ws) > 1 {
			for k := len(ws) - 1; k >= 1; k-- {
				if _, ok := areaQualifiers[strings.Join(ws[:k], " ")]; ok {
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
				f = models.Fold(c.Name)
			}
			ws := strings.Fields(f)
			ps.cands = append(ps.cands, cand{c: c, area: a, words: ws, joined: strings.Join(ws, " ")})
		}
	}
	if len(byWords) > 0 {
		ps.prefixes = make(map[string][]prefix, len(byWords))
		for k, as := range byWords {
			ws := strings.Fields(k)
			ps.prefixes[ws[0]] = append(ps.prefixes[ws[0]], prefix{words: ws, kind: prefixArea, areas: as})
		}
	}
	return ps
}

func (ps *parser) raw(start, end int) string {
	return strings.TrimSpace(ps.text[start:end])
}

func (ps *parser) unknown(start, end int) {
	if s := ps.raw(start, end); s != "" {
		ps.items = append(ps.items, item{kind: itUnknown, raw: s, pos: start})
	}
}

func (ps *parser) add(it item, start, end int) {
	it.raw, it.pos = ps.raw(start, end), start
	ps.items = append(ps.items, it)
}

// segment walks the tokens and turns phrase–number pairs into items.
