package models

import (
	"strconv"
	"strings"
)

// Unit kinds of an area (docs/design.md §2): the kind decides the words the
// bot uses — Trưởng thôn, Trưởng bản, Trưởng ấp, Trưởng khu, Trưởng khu phố,
// Tổ trưởng tổ dân phố.
const (
	UnitThon     = "thon"       // thôn (xóm in some provinces)
	UnitBan      = "ban"        // bản (mountain villages)
	UnitAp       = "ap"         // ấp (the south)
	UnitKhu      = "khu"        // khu
	UnitKhuPho   = "khu-pho"    // khu phố
	UnitToDanPho = "to-dan-pho" // tổ dân phố
)

// Units lists the unit kinds in the order of the design.
var Units = []string{UnitThon, UnitBan, UnitAp, UnitKhu, UnitKhuPho, UnitToDanPho}

// Ward kinds: whose People's Committee organises the election and
// recognises its results (UBND xã / phường / thị trấn).
const (
	WardCommune = "xa"       // xã
	WardUrban   = "phuong"   // phường
	WardTown    = "thi-tran" // thị trấn
)

// WardKinds lists the ward kinds.
var WardKinds = []string{WardCommune, WardUrban, WardTown}

// unitPrefixes read a unit kind from an area's name, longest first so that
// "Khu phố 1" is a khu phố and not a khu.
var unitPrefixes = []struct{ prefix, unit string }{
	{"to dan pho", UnitToDanPho},
	{"tdp", UnitToDanPho},
	{"khu pho", UnitKhuPho},
	{"kp", UnitKhuPho},
	{"thon", UnitThon},
	{"xom", UnitThon},
	{"ban", UnitBan},
	{"ap", UnitAp},
	{"khu", UnitKhu},
	{"to", UnitToDanPho},
}

// UnitFromName reads the unit kind from an area's name ("Thôn 1",
// "Tổ dân phố 3", "Khu phố Đông Thịnh"); "" when the name does not show it.
func UnitFromName(name string) string {
	return kindFromName(Fold(name), unitPrefixes)
}

var wardPrefixes = []struct{ prefix, unit string }{
	{"thi tran", WardTown},
	{"tt", WardTown},
	{"phuong", WardUrban},
	{"xa", WardCommune},
}

// WardKindFromName reads a ward's kind from its name ("Xã Hải Tiến",
// "Phường Ka Long", "Thị trấn Cái Rồng"); "" when the name does not show it.
func WardKindFromName(name string) string {
	return kindFromName(Fold(name), wardPrefixes)
}

func kindFromName(folded string, prefixes []struct{ prefix, unit string }) string {
	for _, p := range prefixes {
		if folded == p.prefix || strings.HasPrefix(folded, p.prefix+" ") {
			return p.unit
		}
	}
	return ""
}

// ParseUnit accepts a unit kind as written in a file: the code ("khu-pho")
// or the words with or without diacritics ("khu phố", "Tổ dân phố").
func ParseUnit(s string) (string, bool) {
	f := Fold(s)
	for _, u := range Units {
		if f == strings.ReplaceAll(u, "-", " ") {
			return u, true
		}
	}
	return "", false
}

// ParseWardKind accepts a ward kind as written in a file ("xa", "phường",
// "thi-tran").
func ParseWardKind(s string) (string, bool) {
	f := Fold(s)
	for _, k := range WardKinds {
		if f == strings.ReplaceAll(k, "-", " ") {
			return k, true
		}
	}
	return "", false
}

// UnitOf is the area's unit kind: its own, else the usual one of its ward's
// kind (a xã has thôn; a phường or thị trấn, khu phố — the words the bot used
// before units were known).
func UnitOf(a *Area, w *Ward) string {
	if a != nil && a.Unit != "" {
		return a.Unit
	}
	if w != nil && w.Kind == WardCommune {
		return UnitThon
	}
	return UnitKhuPho
}

// KindOf is the ward's kind, phường when unknown.
func KindOf(w *Ward) string {
	if w != nil && w.Kind != "" {
		return w.Kind
	}
	return WardUrban
}

// AreaPayload is the deep-link payload that opens the bot with an area
// chosen (a poster's QR code: https://t.me/<bot>?start=<payload>): "a"
// and the area's id, which Telegram allows (A–Z, a–z, 0–9, _ and -, at
// most 64) and a resident can also type ("a123").
func AreaPayload(a *Area) string { return "a" + strconv.FormatInt(a.ID, 10) }

// ParseAreaPayload reads an AreaPayload back (case-insensitive, spaces
// around ignored); ok is false for anything else.
func ParseAreaPayload(s string) (id int64, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	rest, found := strings.CutPrefix(s, "a")
	if !found || rest == "" || len(rest) > 18 || rest[0] == '0' {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// wardKindWords are the words that may precede a ward's own name.
var wardKindWords = []string{"thi tran", "phuong", "xa", "tt", "p"}

// WardFolded is a ward's name as people type it: folded, without its kind
// word — "Phường Ka Long" → "ka long", "Thị trấn Cái Rồng" → "cai rong".
// Stored as wards.folded, the key of the lookup of ward names in messages.
func WardFolded(name string) string {
	f := Fold(name)
	for _, k := range wardKindWords {
		if rest, ok := strings.CutPrefix(f, k+" "); ok && rest != "" {
			return rest
		}
	}
	return f
}
