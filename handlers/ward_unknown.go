package handlers

import (
	"strings"
	"unicode"

	"electionbot/models"
)

// A ward named in a question that is no ward of the deployment ("tôi ở
// phường Hải Hòa thì bầu ở đâu" to a bot of Ka Long alone, "xã Tân Phong"
// where there is none) is said so, never answered for the contact's own
// ward. Only a kind word followed by a name of two words or a number
// counts ("phường 1"): "xa nha", "phương thức bầu" are not wards.

// unknownWardRef finds "phường|xã|thị trấn <name>" in a folded text: the
// words as typed (folded) and the name alone.
func unknownWardRef(folded string) (ref, name string) {
	toks := strings.Fields(folded)
	for i := range toks {
		k := 0
		switch {
		case toks[i] == "phuong" || toks[i] == "xa":
			k = 1
		case toks[i] == "thi" && i+1 < len(toks) && toks[i+1] == "tran":
			k = 2
		default:
			continue
		}
		j := i + k
		if j < len(toks) {
			if _, ok := smallNumber(toks[j]); ok { // Phường 1
				return strings.Join(toks[i:j+1], " "), toks[j]
			}
		}
		for j < len(toks) && j-i-k < 3 && wardNameWord(toks[j]) {
			j++
		}
		if j-i-k >= 2 {
			return strings.Join(toks[i:j], " "), strings.Join(toks[i+k:j], " ")
		}
	}
	return "", ""
}

// wardUnknown answers a message naming a ward that does not exist (taken);
// false when it names none, or a known one.
func (r *residents) wardUnknown(folded string) (bool, error) {
	ref, name := unknownWardRef(folded)
	if name == "" {
		return false, nil
	}
	if w, err := r.ward(); err != nil {
		return true, err
	} else if w != nil && (models.WardFolded(w.Name) == name || bareName(w.Name, wardKindWords) == name) {
		return false, nil
	}
	ws, err := r.core.WardsNamed(r.ctx, []string{name})
	if err != nil || len(ws) > 0 {
		return err != nil, err
	}
	shown := ref
	raw, f := rawWords(r.in.Text), strings.Fields(folded)
	if len(raw) == len(f) {
		for i := range f {
			if strings.Join(f[i:min(i+len(strings.Fields(ref)), len(f))], " ") == ref {
				shown = strings.Join(raw[i:i+len(strings.Fields(ref))], " ")
				break
			}
		}
	}
	many, err := r.core.ManyWards(r.ctx)
	if err != nil {
		return true, err
	}
	if !many {
		r.reply(r.tr("ward_not_here", map[string]any{"Text": shown, "Ward": r.wardName()}), r.menu())
		return true, nil
	}
	all, err := r.wardList()
	if err != nil {
		return true, err
	}
	r.reply(r.tr("ward_unknown", map[string]any{"Text": shown}), r.wardKeyboard(all))
	return true, nil
}

// wardNameWord is a word that may be part of a ward's name ("Hải Hòa",
// "Ba Đình", "Tân Phong": digit words and words of the intents too), but
// not a filler or a question word.
func wardNameWord(w string) bool {
	if placeStopWords[w] || questionWords[w] {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}
