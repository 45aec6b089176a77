package tally

import (
	"strings"

	"electionbot/models"
)

func (ps *parser) segment() {
	ps.toks = tokens(ps.text)
	for _, t := range ps.toks {
		switch t.kind {
		case tokWord:
			if v, ok := models.RomanNumeral(t.w); ok && len(ps.pend) > 0 && ps.isAreaPhrase(ps.pend) {
				ps.number(token{kind: tokNum, n: v, start: t.start, end: t.end})
				continue
			}
			ps.pend = append(ps.pend, t)
		case tokNum:
			ps.number(t)
		case tokBad: // the pair is unreadable; was its label known?
			start, label := t.start, false
			if len(ps.pend) > 0 {
				r := ps.strip(ps.pend)
				if len(r) > 0 {
					_, area := areaQualifiers[join(r)]
					label = !area && (fieldOf(r) != "" || candQualifiers[join(r)])
				}
				start = ps.pend[0].start
				ps.dropBallot()
			} else if ps.ballot != nil { // "UV1 -5"
				start, ps.ballot, label = ps.ballotAt, nil, true
			}
			ps.add(item{kind: itUnknown, label: label}, start, t.end)
			ps.pend = ps.pend[:0]
		case tokPercent:
			// Words before a percentage describe it ("đạt 80,1%"): drop
			// them unless they are something else.
			r := ps.strip(ps.pend)
			if len(r) > 0 {
				ps.unknown(r[0].start, t.end)
			}
			ps.pend = ps.pend[:0]
		case tokSep:
			ps.flush()
		}
	}
	ps.flush()
}

// flush ends a phrase that has no number.
func (ps *parser) flush() {
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
func (ps *parser) dropBallot() {
	if ps.ballot != nil {
		ps.unknown(ps.ballotAt, ps.ballot.end)
		ps.ballot = nil
	}
}

// prefixAt returns the longest prefix phrase at the start of r.
// An area name wins over a static prefix of the same length.
func (ps *parser) prefixAt(r []token) (prefix, int) {
	var best prefix
	n := 0
	if len(r) == 0 {
		return best, 0
	}
	for _, list := range [2][]prefix{prefixIndex[r[0].w], ps.prefixes[r[0].w]} {
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
func (ps *parser) strip(r []token) []token {
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
func (ps *parser) prefixItem(p prefix, ts []token) bool {
	start, end := ts[0].start, ts[len(ts)-1].end
	switch p.kind {
	case prefixHands:
		ps.add(item{kind: itMethod, method: models.MethodHands}, start, end)
	case prefixSecret:
		ps.add(item{kind: itMethod, method: models.MethodSecret}, start, end)
	case prefixArea:
		if len(p.areas) == 1 {
			ps.add(item{kind: itArea, area: p.areas[0]}, start, end)
		} else {
			ps.add(item{kind: itAmbiguous}, start, end)
		}
	case prefixHousehold:
		ps.add(item{kind: itHousehold}, start, end)
	case prefixNominee:
		ps.nominee = true // says nothing alone: the name that follows does
		return false
	default:
		return false
	}
	return true
}

// isAreaPhrase: r is (after prefixes) an area qualifier.
func (ps *parser) isAreaPhrase(r []token) bool {
	if len(r) > maxPhrase {
		return false
	}
	r = ps.strip(r)
	if len(r) == 0 {
		return false
	}
	_, ok := areaQualifiers[join(r)]
	return ok
}

// fieldOf returns the field a phrase labels, or "".
func fieldOf(r []token) string {
	if f, ok := fieldLabels[join(r)]; ok {
		return f
	}
	ws := make([]string, 0, len(r))
	for _, t := range r {
		if !fillers[t.w] {
			ws = append(ws, t.w)
		}
	}
	if len(ws) == 0 || len(ws) == len(r) {
		return ""
	}
	return fieldLabels[strings.Join(ws, " ")]
}

// number handles a phrase (ps.pend) followed by the number t.
func (ps *parser) number(t token) {
	pend := ps.pend
	ps.pend = ps.pend[:0:0]
	defer func() { ps.pend, ps.nominee = pend[:0], false }()
	r := pend
	from := 0 // the unknown part starts after the last prefix that said something
	for {
		if len(r) == 0 {
			if ps.ballot != nil {
				ps.add(item{kind: itBallot, ballot: ps.ballot.n, n: t.n}, ps.ballotAt, t.end)
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
		// No label or name is longer than maxPhrase: a longer
		// phrase is only stripped on.
		if len(r) <= maxPhrase && ps.phrase(r, t) {
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
func (ps *parser) phrase(r []token, t token) bool {
	phrase := join(r)
	if kind, ok := areaQualifiers[phrase]; ok {
		ps.dropBallot()
		ps.areaItem(kind, t.n, r[0].start, t.end)
		return true
	}
	if candQualifiers[phrase] {
		ps.dropBallot()
		tt := t
		ps.ballot, ps.ballotAt = &tt, r[0].start
		return true
	}
	if f := fieldOf(r); f != "" {
		ps.dropBallot()
		ps.add(item{kind: itField, field: f, n: t.n}, r[0].start, t.end)
		return true
	}
	if words := nameWords(r); len(words) > 0 {
		if ms, _ := nameMatch(words, ps.cands); len(ms) > 0 {
			it := item{kind: itName, words: words, n: t.n}
			start := r[0].start
			if ps.ballot != nil {
				it.ballot, start = ps.ballot.n, ps.ballotAt
				ps.ballot = nil
			}
			ps.add(it, start, t.end)
			return true
		}
		if ps.nominee || ps.looksLikeName(r, words) {
			ps.dropBallot()
			lo, hi := nameSpan(r)
			name := strings.Join(strings.Fields(ps.text[r[lo].start:r[hi-1].end]), " ")
			ps.add(item{kind: itNominee, words: words, name: name, n: t.n}, r[0].start, t.end)
			return true
		}
	}
	return false
}

// looksLikeName: r, a phrase before a number that names no candidate, is
// read as a person nominated at the meeting when it is a Vietnamese full
// name — two to five words, the first a family name, none of the
// grammar's own (thôn, TD, phiếu…) — and ends in no field label, and
// starts with no area's name or phrase of the grammar.
func (ps *parser) looksLikeName(r []token, words []string) bool {
	if len(words) < 2 || len(words) > 5 || !surnames[words[0]] {
		return false
	}
	for _, w := range words {
		if notNameWords[w] {
			return false
		}
	}
	for k := 1; k < len(r); k++ {
		suffix := r[k:]
		if f := fieldOf(suffix); f != "" && (len(suffix) > 1 || shortLabels[suffix[0].w]) {
			return false
		}
	}
	// An area's name, or words of the grammar ("tự ứng cử", "trưởng khu
	// phố") that happen to start with a family name.
	if p, n := ps.prefixAt(r); n > 1 || n > 0 && p.kind != prefixUnit && p.kind != prefixIntro {
		return false
	}
	return true
}

// areaItem finds the area with number n (of the typed kind if several).
func (ps *parser) areaItem(kind string, n int, start, end int) {
	var found []*models.Area
	var kinds []string
	for _, ai := range ps.ainfo {
		if ai.nums[n] {
			found = append(found, ai.a)
			kinds = append(kinds, ai.kind)
		}
	}
	if len(found) > 1 && kind != "" {
		var same []*models.Area
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
		ps.add(item{kind: itUnknown}, start, end)
	case 1:
		ps.add(item{kind: itArea, area: found[0]}, start, end)
	default:
		ps.add(item{kind: itAmbiguous}, start, end)
	}
}

// nameWords is a phrase as a name: without a leading honorific
// ("ông", "UV") or trailing filler ("được", "phiếu"); nameSpan is where
// those words are in r.
