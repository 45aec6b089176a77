package locales

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The words of a place (docs/design.md §2): a text about a thôn in a xã
// says "Trưởng thôn" and "UBND xã", one about a khu phố in a phường
// "Trưởng khu phố" and "UBND phường". The messages of place_words.*.yaml
// hold the words; every other message uses them through these template
// keys, which PlaceWords fills.
const (
	WordUnit        = "Unit"        // "thôn", "khu phố"; "village", "neighbourhood"
	WordUnitCap     = "UnitCap"     // "Thôn": to start a sentence
	WordUnits       = "Units"       // the plural: "villages" (Vietnamese: as Unit)
	WordUnitEx      = "UnitEx"      // how to type one: "\"thon 1\""
	WordUnitCode    = "UnitCode"    // an example code in a command: "thon1", "kp1"
	WordUnitName    = "UnitName"    // as areas are named, in both languages: "Thôn" ("Thôn 1")
	WordHead        = "Head"        // "Trưởng thôn", "Tổ trưởng tổ dân phố"; "village head"
	WordWardKind    = "WardKind"    // "xã", "phường", "thị trấn"; "commune", "ward", "town"
	WordWardKindCap = "WardKindCap" // "Xã"
	WordCommittee   = "Committee"   // "UBND xã"; "commune People's Committee"
	// Who votes (docs/design.md §3): household representatives, or all
	// voters in an all-voter meeting (models.ElectorateVoters).
	WordElectors      = "Electors"      // "cử tri đại diện hộ gia đình" / "cử tri"
	WordElectorsCap   = "ElectorsCap"   // "Cử tri đại diện hộ gia đình": to start a sentence
	WordElectorsTotal = "ElectorsTotal" // "tổng số cử tri đại diện hộ gia đình": the base of every threshold
	WordElectorUnit   = "ElectorUnit"   // after a count: "312 hộ", "1.024 cử tri"
)

// WordKeys are the template keys PlaceWords fills.
var WordKeys = []string{WordUnit, WordUnitCap, WordUnits, WordUnitEx, WordUnitCode, WordUnitName, WordHead, WordWardKind, WordWardKindCap, WordCommittee,
	WordElectors, WordElectorsCap, WordElectorsTotal, WordElectorUnit}

// Electorates (models.ElectorateHouseholds, ElectorateVoters, which this
// package cannot import): the suffixes of the electorate's words
// (locales/law.*.yaml).
const (
	ElectorateHouseholds = "households"
	ElectorateVoters     = "voters"
)

// UnitOrder is the order in which the unit kinds of a ward with several are
// named ("thôn, tổ dân phố"): models.Units, which this package cannot
// import (a test in handlers keeps them equal).
var UnitOrder = []string{"thon", "ban", "ap", "khu", "khu-pho", "to-dan-pho"}

// WardKindOrder are the ward kinds (models.WardKinds).
var WardKindOrder = []string{"xa", "phuong", "thi-tran"}

// AnyPlace is the suffix of the general words, for a place not known: the
// law's "thôn, tổ dân phố", "UBND cấp xã".
const AnyPlace = "any"

// placeWordsCache holds the words already rendered: they depend only on the
// localizers, the language, the ward kind and the units, and are asked for
// by nearly every message.
var placeWordsCache sync.Map // placeKey → map[string]any

type placeKey struct {
	l                                 *Localizers
	lang, wardKind, units, electorate string
}

// PlaceWords are the words of a place in lang for a message's template
// data (the keys of WordKeys): wardKind is the ward's kind (models.WardCommune…)
// and units the unit kinds of the areas the text is about — one for an
// area, those of a ward's areas for the ward (several are joined: "thôn,
// tổ dân phố"; "village or residential group"). An unknown wardKind or no
// known unit gives the general words. The map is shared: copy it
// (MergeWords) before adding to it.
func (l *Localizers) PlaceWords(lang, wardKind string, units []string) map[string]any {
	return l.PlaceWordsFor(lang, wardKind, units, ElectorateHouseholds)
}

// PlaceWordsFor is PlaceWords of a place whose electorate is electorate
// (ElectorateVoters: all voters; anything else: household representatives).
func (l *Localizers) PlaceWordsFor(lang, wardKind string, units []string, electorate string) map[string]any {
	us := orderUnits(units)
	if !slices.Contains(WardKindOrder, wardKind) {
		wardKind = AnyPlace
	}
	if electorate != ElectorateVoters {
		electorate = ElectorateHouseholds
	}
	k := placeKey{l: l, lang: lang, wardKind: wardKind, units: strings.Join(us, ","), electorate: electorate}
	if w, ok := placeWordsCache.Load(k); ok {
		return w.(map[string]any)
	}
	w := l.placeWords(lang, wardKind, us)
	w[WordElectors] = l.word(lang, "electors_"+electorate)
	w[WordElectorsCap] = l.word(lang, "electors_cap_"+electorate)
	w[WordElectorsTotal] = l.word(lang, "electors_total_"+electorate)
	w[WordElectorUnit] = l.word(lang, "elector_unit_"+electorate)
	placeWordsCache.Store(k, w)
	return w
}

// orderUnits keeps the known unit kinds once each, in UnitOrder; none
// known gives [AnyPlace].
func orderUnits(units []string) []string {
	var us []string
	for _, u := range UnitOrder {
		if slices.Contains(units, u) {
			us = append(us, u)
		}
	}
	if len(us) == 0 {
		return []string{AnyPlace}
	}
	return us
}

func (l *Localizers) word(lang, id string) string {
	s, _ := l.Localize(lang, id, nil)
	return s
}

func (l *Localizers) placeWords(lang, wardKind string, units []string) map[string]any {
	msg := func(id string) string {
		s, _ := l.Localize(lang, id, nil)
		return s
	}
	or, and := msg("words_or"), msg("words_and")
	join := func(prefix, sep string) string {
		parts := make([]string, len(units))
		for i, u := range units {
			parts[i] = msg(prefix + u)
		}
		return strings.Join(parts, sep)
	}
	// Several units start with the first one's capital: "Thôn, tổ dân phố".
	caps := []string{msg("unit_cap_" + units[0])}
	for _, u := range units[1:] {
		caps = append(caps, msg("unit_"+u))
	}
	return map[string]any{
		WordUnit:        join("unit_", or),
		WordUnitCap:     strings.Join(caps, or),
		WordUnits:       join("unit_pl_", and),
		WordUnitEx:      msg("unit_ex_" + units[0]),
		WordUnitCode:    msg("unit_code_" + units[0]),
		WordUnitName:    msg("unit_name_" + units[0]),
		WordHead:        join("unit_head_", or),
		WordWardKind:    msg("ward_kind_" + wardKind),
		WordWardKindCap: msg("ward_kind_cap_" + wardKind),
		WordCommittee:   msg("committee_" + wardKind),
	}
}

// usesWords are the ids of the messages whose text has a key of WordKeys,
// read once from the embedded files: the others are rendered without
// merging the words (most messages, the menu's buttons among them).
var usesWords = sync.OnceValue(func() map[string]bool {
	ids := map[string]bool{}
	for _, f := range Files {
		buf, err := files.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(buf, &m); err != nil {
			panic(fmt.Errorf("locales: %s: %w", f, err))
		}
		for id, v := range m {
			text := fmt.Sprint(v) // a string, or a map with "other"
			for _, k := range WordKeys {
				if strings.Contains(text, "."+k) {
					ids[id] = true
				}
			}
		}
	}
	return ids
})

// UsesWords says whether message id uses the words of a place (has one of
// WordKeys in a language).
func UsesWords(id string) bool { return usesWords()[id] }

// MergeWords is a new map of the words and data, data's values winning:
// a caller's own "Unit" is kept.
func MergeWords(words, data map[string]any) map[string]any {
	m := make(map[string]any, len(words)+len(data))
	for k, v := range words {
		m[k] = v
	}
	for k, v := range data {
		m[k] = v
	}
	return m
}
