package tally

import (
	"sort"
	"strings"

	"electionbot/models"
)

func (ps *parser) resolve() (*Parsed, bool) {
	p := &Parsed{Set: map[string]bool{}}
	var unknown, ambiguous []item // reported in the order of the text

	// The area.
	var area *models.Area
	var areaItems []item
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
		ambiguous = append(ambiguous, item{raw: joinTexts(areaItems), pos: areaItems[0].pos})
		area = nil
	}
	scope := ps.areas
	if area != nil {
		p.AreaCode = area.Code
		scope = []*models.Area{area}
	}
	inScope := func(c cand) bool {
		for _, a := range scope {
			if c.area == a {
				return true
			}
		}
		return false
	}
	var cands []cand
	for _, c := range ps.cands {
		if inScope(c) {
			cands = append(cands, c)
		}
	}

	// Names, then (when no area is named) the area they belong to.
	var votes []item // ballot = the candidate's ballot number
	var named, nominees []item
	nameAreas := map[*models.Area]bool{}
	pairs := 0
	for _, it := range ps.items {
		switch it.kind {
		case itNominee:
			// A name after a marker may still be a listed candidate's.
			if ms, _ := nameMatch(it.words, cands); len(ms) == 1 {
				it.ballot = ms[0].c.BallotNo
				named = append(named, it)
				nameAreas[ms[0].area] = true
				pairs++
			} else {
				nominees = append(nominees, it)
			}
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
			ms, _ := nameMatch(it.words, cands)
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
			scope = []*models.Area{area}
		} else { // candidates of several areas: no name can be trusted
			ambiguous = append(ambiguous, named...)
			named = nil
		}
	}
	votes = append(votes, named...)

	// People nominated at the meeting, once each; the same name with two
	// numbers is ambiguous.
	byNominee := map[string][]item{}
	var nomineeOrder []string
	for _, it := range nominees {
		k := strings.Join(it.words, " ")
		if _, seen := byNominee[k]; !seen {
			nomineeOrder = append(nomineeOrder, k)
		}
		byNominee[k] = append(byNominee[k], it)
	}
	for _, k := range nomineeOrder {
		its := byNominee[k]
		if !sameNumbers(its) {
			ambiguous = append(ambiguous, item{raw: joinTexts(its), pos: its[0].pos})
			continue
		}
		p.Numbers.Nominees = append(p.Numbers.Nominees, models.Nominee{Name: its[0].name, Votes: its[0].n})
	}

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
	fields := map[string][]item{}
	var methods []item
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
		case itHousehold:
			p.Numbers.Kind = models.TallyKindHouseholdBallot
		}
	}

	// Fields; a field given twice with different numbers is ambiguous and
	// left unset.
	ballots := false
	for _, f := range models.TallyFields {
		its := fields[f.Key]
		if len(its) == 0 {
			continue
		}
		if !sameNumbers(its) {
			ambiguous = append(ambiguous, item{raw: joinTexts(its), pos: its[0].pos})
			continue
		}
		p.Set[f.Key] = true
		ballots = ballots || f.Ballot
		if f.Key == models.TallyFieldHouseholds {
			p.Households = its[0].n // for the caller to compare; Numbers' is the list's
		} else {
			p.Numbers.SetNumber(f.Key, its[0].n)
		}
	}

	// Votes by ballot number, likewise.
	byBallot := map[int][]item{}
	for _, v := range votes {
		byBallot[v.ballot] = append(byBallot[v.ballot], v)
	}
	for b, its := range byBallot {
		sort.Slice(its, func(i, j int) bool { return its[i].pos < its[j].pos })
		if !sameNumbers(its) {
			ambiguous = append(ambiguous, item{raw: joinTexts(its), pos: its[0].pos})
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
			ambiguous = append(ambiguous, item{raw: joinTexts(methods), pos: methods[0].pos})
		}
	}
	if p.Numbers.Method == "" && (ballots || p.Numbers.Kind == models.TallyKindHouseholdBallot) {
		p.Numbers.Method = models.MethodSecret // a household ballot is written
	}

	p.Unknown, p.Ambiguous = textsOf(unknown), textsOf(ambiguous)
	// Nominees make a tally only with KQ: "Nguyen Van Tam 1961" is a
	// resident's look-up.
	return p, (pairs+len(p.Numbers.Nominees) > 0 && ps.startsIntro()) || pairs >= 3
}

// textsOf returns the items' texts in the order of the message.
func textsOf(its []item) []string {
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

func sameNumbers(its []item) bool {
	for _, it := range its[1:] {
		if it.n != its[0].n {
			return false
		}
	}
	return true
}

func joinTexts(its []item) string {
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
func (ps *parser) startsIntro() bool {
	t := ps.toks
	if len(t) == 0 || t[0].kind != tokWord {
		return false
	}
	return t[0].w == "kq" || (t[0].w == "ket" && len(t) > 1 && t[1].kind == tokWord && t[1].w == "qua")
}
