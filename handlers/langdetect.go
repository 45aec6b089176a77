package handlers

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"electionbot/models"
)

// The contact's language follows what they write: a message clearly in
// English ("when is the vote", "am I registered") is answered in English
// and the contact stays in English; a message clearly in Vietnamese from
// an English contact ("bau o dau") switches back. Each switch is said,
// with the command that undoes it. Names, area names and numbers say
// nothing about the language: "Nguyễn Văn An 1961" or "Khu phố 1" from an
// English contact stays in English.

// followLanguage switches the turn's and the contact's language to the
// one a typed text is clearly written in, and says so.
func (t *turn) followLanguage(text string) {
	lang := textLanguage(text)
	if lang == "" || lang == t.lang {
		return
	}
	t.lang = lang
	if t.c.Lang != lang {
		t.c.Lang = lang
		t.dirty = true
	}
	t.reply(t.tr("lang_followed", nil), nil)
}

// vnSyllable matches a folded Vietnamese syllable: an initial consonant,
// one to three vowels, a final consonant. English words mostly are not
// ("when", "vote", "is", "registered"); "the", "can", "my" are.
var vnSyllable = regexp.MustCompile(`^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|c|m|n|p|t)?$`)

// englishWords are common English words that could be Vietnamese
// syllables too, counted as English next to an unmistakable one.
var englishWords = map[string]bool{
	"i": true, "am": true, "my": true, "me": true, "do": true, "can": true, "to": true, "on": true,
	"in": true, "the": true, "at": true, "it": true, "no": true, "go": true, "be": true, "he": true,
	"up": true, "an": true, "a": true, "so": true, "hi": true, "you": true, "we": true,
}

// notEnglish are words of Vietnamese chats that are not Vietnamese
// syllables either: "ok", "sdt", "zalo", the units' abbreviations.
var notEnglish = map[string]bool{
	"ok": true, "oke": true, "okie": true, "okay": true, "sdt": true, "dt": true, "zalo": true, "kp": true,
	"tdp": true, "alo": true, "sms": true, "vs": true, "ubnd": true, "hdnd": true, "tp": true, "tx": true,
	// chat shorthand: được, gì, không, bạn, như thế nào, cũng, rồi, mình…
	"dc": true, "dk": true, "j": true, "k": true, "bn": true, "ntn": true, "cx": true, "r": true, "ak": true,
	"mk": true, "mn": true, "hk": true, "ib": true, "ad": true,
}

// vietnameseWords are words of Vietnamese questions that are not names
// (not "Văn", "Thị", "An", "Nam"), nor area words ("khu", "phố").
var vietnameseWords = map[string]bool{
	"toi": true, "cua": true, "khong": true, "ko": true, "dau": true, "nao": true, "duoc": true,
	"bau": true, "phieu": true, "cu": true, "xin": true, "chao": true, "cam": true, "vang": true,
	"nhe": true, "oi": true, "roi": true, "chua": true, "ngay": true, "gio": true, "hoi": true,
	"muon": true, "biet": true, "o": true, "la": true, "co": true, "gi": true, "bao": true, "khi": true,
	"nha": true, "sao": true, "vay": true, "nhu": true, "voi": true, "cho": true, "di": true, "tra": true,
	"cuu": true, "danh": true, "sach": true, "tri": true, "ung": true, "vien": true, "ket": true,
	"qua": true, "dia": true, "diem": true, "nhac": true, "lich": true, "huong": true, "dan": true,
	"giup": true, "ai": true, "bo": true, "thoi": true, "gian": true, "nhieu": true, "quy": true,
	"dinh": true, "tieng": true, "viet": true, "minh": true, "em": true, "ong": true, "ba": true,
}

// textLanguage is "en" for a text clearly in English, "vi" for one
// clearly in Vietnamese, "" when it does not say (a name, an area, one
// word, digits).
func textLanguage(text string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(norm.NFC.String(text)), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}) {
		words = append(words, strings.ReplaceAll(w, "'", ""))
	}
	if len(words) < 2 {
		return ""
	}
	marked := false // Vietnamese letters: ă â đ ê ô ơ ư or a tone mark
	en, foreign, vi := 0, 0, 0
	for _, w := range words {
		f := models.Fold(w)
		if f != w {
			marked = true
		}
		switch {
		case vietnameseWords[f]:
			vi++
		case notEnglish[f]:
		case !vnSyllable.MatchString(f):
			foreign++
			en++
		case englishWords[f]:
			en++
		}
	}
	switch {
	case vi >= 2 && 5*vi >= 2*len(words) && foreign == 0:
		return "vi"
	case !marked && vi == 0 && foreign >= 1 && 5*en >= 3*len(words):
		return "en"
	}
	return ""
}
