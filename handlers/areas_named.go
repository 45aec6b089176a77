package handlers

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"electionbot/models"
)

// Areas named by their own name, the way people type it: "Khu phố Đông
// Thịnh" as "khu dong thinh", "kp dong thinh", "dong thinh", "khu thinh",
// "khu dong thin" (a typo). A partial name that fits several areas offers
// them; a name after a unit word that fits none is a place the ward does
// not have, said so rather than answered for another.

// nameWords are an area's own name without its unit word, folded: "Khu
// phố Đông Thịnh" → [dong thinh]; nil when the rest is a number ("Khu phố
// 1", "Khu phố IV": found by number).
func nameWords(a *models.Area) []string {
	toks := strings.Fields(models.Fold(a.Name))
	for _, p := range areaPrefixes {
		if len(toks) > len(p.words) && slices.Equal(toks[:len(p.words)], p.words) {
			toks = toks[len(p.words):]
			break
		}
	}
	for _, w := range toks {
		if _, ok := smallNumber(w); ok {
			return nil
		}
	}
	if len(toks) == 1 {
		if _, ok := models.RomanNumeral(toks[0]); ok {
			return nil
		}
	}
	return toks
}

// Match strengths of a name, best last.
const (
	namePartial = 1 + iota // some of its words, after a unit word
	nameTypo               // all its words, within a typo each
	nameExact              // all its words
)

// unitBefore is the length of an area prefix ending just before toks[i]
// (0 if none), and whether a name may follow it.
func unitBefore(toks []string, i int) (n int, named bool) {
	for _, p := range areaPrefixes {
		k := len(p.words)
		if i >= k && slices.Equal(toks[i-k:i], p.words) {
			return k, p.named
		}
	}
	return 0, false
}

// namedAreaRef finds areas named in toks by their own name: after a unit
// word (in full, with typos, or partly), or without one when the name is
// all the text says besides fillers ("dong thinh", "tôi ở dong thinh") or
// follows "ở"/"tại" and has two words or more. The best-matching areas
// come back as Choices (one when it is clear).
func namedAreaRef(toks []string, areas []*models.Area) (areaRef, bool) {
	var best areaRef
	bestScore, bestLen := 0, 0
	record := func(a *models.Area, from, to, score int) {
		switch {
		case score > bestScore || (score == bestScore && to-from > bestLen):
			best = areaRef{Text: strings.Join(toks[from:to], " "), Rest: cutTokens(toks, from, to), From: from, To: to,
				Choices: []*models.Area{a}}
			bestScore, bestLen = score, to-from
		case score == bestScore && to-from == bestLen && !slices.Contains(best.Choices, a):
			best.Choices = append(best.Choices, a)
		}
	}
	for _, a := range areas {
		name := nameWords(a)
		if len(name) == 0 {
			continue
		}
		for i := range toks {
			pre, named := unitBefore(toks, i)
			if score := fullName(toks, i, name); score > 0 {
				end := i + len(name)
				if score == nameExact && toks[i] == strings.Join(name, "") {
					end = i + 1 // "dongthinh"
				}
				bare := onlyFillers(toks[:i]) && end == len(toks) ||
					i > 0 && (toks[i-1] == "o" || toks[i-1] == "tai") && len(name) >= 2
				if pre > 0 || bare {
					record(a, i-pre, end, score)
					continue
				}
			}
			if pre > 0 && named {
				// Part of the name, where the typed name ends: "khu dong
				// thi bau" is Đông…, "khu dong xuan" another name.
				k := partialName(toks, i, name)
				unit := unitFamily(refUnit(strings.Join(toks[i-pre:i], " ")))
				if k > 0 && (i+k == len(toks) || !nameWord(toks[i+k])) &&
					(unit == "" || unit == unitFamily(models.UnitOf(a, a.Ward))) {
					record(a, i-pre, i+k, namePartial)
				}
			}
		}
	}
	return best, bestScore > 0
}

// fullName says how toks[i:] begins with the whole name: nameExact,
// nameTypo (each word within a typo), or 0. A name typed without its
// spaces ("dongthinh") is exact.
func fullName(toks []string, i int, name []string) int {
	if toks[i] == strings.Join(name, "") && len(name) > 1 {
		return nameExact
	}
	if i+len(name) > len(toks) {
		return 0
	}
	score := nameExact
	for j, w := range name {
		switch t := toks[i+j]; {
		case t == w:
		case closeEnough(w, t):
			score = nameTypo
		default:
			return 0
		}
	}
	return score
}

// partialName is how many words at toks[i:] are consecutive words of the
// name (each exact or within a typo), fewer than all; 0 if none. One
// short or common word is not enough ("khu pho cua toi" is not Khu phố
// Cửa Ông).
func partialName(toks []string, i int, name []string) int {
	for k := len(name) - 1; k >= 1; k-- {
		if i+k > len(toks) {
			continue
		}
		seg := toks[i : i+k]
		if k == 1 && (len(seg[0]) < 3 || notAName(seg[0])) {
			continue
		}
		for s := 0; s+k <= len(name); s++ {
			ok := true
			for j, t := range seg {
				if w := name[s+j]; t != w && !closeEnough(w, t) {
					ok = false
					break
				}
			}
			if ok {
				return k
			}
		}
	}
	return 0
}

// unknownNamedRef finds a unit word followed by words that could be an
// area's name ("khu dong thinh" in a ward that has no such area): up to
// three words of letters that are neither question words nor numbers.
func unknownNamedRef(toks []string) (areaRef, bool) {
	for i := range toks {
		for _, p := range areaPrefixes {
			end := i + len(p.words)
			if end > len(toks) || !slices.Equal(toks[i:end], p.words) {
				continue
			}
			if !p.named {
				break
			}
			j := end
			for j < len(toks) && j-end < 3 && (nameLike(toks[j]) || j > end && nameWord(toks[j])) {
				j++
			}
			if j > end {
				return areaRef{Text: strings.Join(toks[i:j], " "), Rest: cutTokens(toks, i, j), From: i, To: j}, true
			}
			break
		}
	}
	return areaRef{}, false
}

// nameLike is a word that may begin a place's name: not a number (those
// are read as numbers first).
func nameLike(w string) bool {
	if _, ok := vnDigits[w]; ok {
		return false
	}
	if _, ok := models.RomanNumeral(w); ok {
		return false
	}
	return nameWord(w)
}

// nameWord is a word that may be part of a place's name ("Đồng Tâm",
// "Tân Hai"): letters, and not a question word.
func nameWord(w string) bool {
	if len(w) < 2 || notAName(w) {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// notAName: the words of questions and of the intents (intents.yaml), and
// the fillers around a place, are never read as a place's name.
func notAName(w string) bool { return placeStopWords[w] || questionVocabulary()[w] }

var placeStopWords = map[string]bool{
	"nao": true, "gi": true, "cua": true, "toi": true, "minh": true, "em": true, "anh": true, "chi": true,
	"bac": true, "chu": true, "co": true, "ong": true, "o": true, "dau": true, "thi": true, "la": true,
	"khong": true, "ko": true, "k": true, "nay": true, "do": true, "kia": true, "vuc": true, "dan": true,
	"chuc": true, "nha": true, "truong": true, "khac": true, "ben": true, "canh": true, "moi": true,
	"cu": true, "cho": true, "voi": true, "va": true, "hay": true, "hoac": true, "da": true, "chua": true,
	"roi": true, "can": true, "muon": true, "hoi": true, "xin": true, "a": true, "ah": true, "nhe": true,
	"nhi": true, "vay": true, "the": true, "sao": true, "ve": true, "den": true, "di": true, "trong": true,
	"ngoai": true, "cac": true, "nhung": true, "so": true, "phuong": true, "xa": true, "tran": true,
	"tp": true, "quan": true, "huyen": true, "xom": true, "thon": true, "khu": true, "pho": true,
	"tai": true, "thuoc": true, "nua": true, "oi": true, "ui": true, "ha": true, "day": true,
	"nhu": true, "luc": true, "con": true, "duoc": true, "biet": true,
}

// questionVocabulary is every word of the intents' keywords.
var questionVocabulary = sync.OnceValue(func() map[string]bool {
	s, err := DefaultScorer()
	out := map[string]bool{}
	if err != nil {
		return out
	}
	for _, d := range s.intents {
		for _, p := range d.phrases {
			for _, w := range p.words {
				out[w] = true
			}
		}
	}
	return out
})

// onlyFillers says whether words are only the fillers around a place:
// "tôi ở", "nhà tôi ở", "I live in", "đổi sang".
func onlyFillers(words []string) bool {
	for _, w := range words {
		if !placeFillers[w] && !moveWords[w] {
			return false
		}
	}
	return true
}

// moveWords say that the resident is choosing a place: "đổi sang khu 2",
// "chuyển về thôn 3", "chọn khu phố 4", "khu 2 nhé".
var moveWords = map[string]bool{
	"doi": true, "sang": true, "chuyen": true, "ve": true, "chon": true, "nhe": true, "a": true,
	"da": true, "vang": true, "nha": true, "nay": true, "moved": true, "to": true, "now": true,
	"im": true, "am": true, "from": true, "change": true, "choose": true, "ok": true, "oke": true,
}
