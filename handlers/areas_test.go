package handlers

import (
	"strings"
	"testing"
)

// areaRecognitionCases are area references and the area they name
// (TestAreaRecognition).
var areaRecognitionCases = []struct {
	text string
	want int64 // area id; 0 = named but absent; -1 = no area named
	rest string
}{
	{"khu 1", 1, ""},
	{"kp1", 1, ""},
	{"KP1", 1, ""},
	{"KP 1", 1, ""},
	{"kp01", 1, ""},
	{"khu phố I", 1, ""},
	{"khu pho 1", 1, ""},
	{"Khu phố 1", 1, ""},
	{"khu phố số 3", 3, ""},
	{"khu phố IV", 4, ""},
	{"khu pho vi", 6, ""},
	{"tổ dân phố 2", 2, ""},
	{"tdp5", 5, ""},
	{"area 2", 2, ""},
	{"tôi ở khu phố 2", 2, "toi o"},
	{"ngay bau cu khu 3", 3, "ngay bau cu"},
	{"khu phố 12", 0, ""},
	{"khu XX", 0, ""},
	{"kp 7", 0, ""},
	{"khu 1961", -1, ""},           // a birth year is not an area
	{"toi o khu pho", -1, ""},      // no number
	{"nguyen van an 1961", -1, ""}, // a name
	{"xin chào", -1, ""},
}

func TestAreaRecognition(t *testing.T) {
	areas := newFakeStore().areas // Khu phố 1 … Khu phố 6
	cases := areaRecognitionCases
	for _, c := range cases {
		a, ref, found := matchArea(c.text, areas)
		switch {
		case c.want == -1:
			if found {
				t.Errorf("matchArea(%q) found %+v, want no area named", c.text, ref)
			}
		case c.want == 0:
			if !found || a != nil {
				t.Errorf("matchArea(%q) = %v, %v; want named but absent", c.text, a, found)
			}
		default:
			if a == nil || a.ID != c.want {
				t.Errorf("matchArea(%q) = %v, want area %d", c.text, a, c.want)
			} else if strings.TrimSpace(ref.Rest) != c.rest {
				t.Errorf("matchArea(%q) rest = %q, want %q", c.text, ref.Rest, c.rest)
			}
		}
	}
}

// An absent area is asked again with the ward's areas as buttons; the
// answer (a bare number) is then accepted and remembered.
func TestAreaAbsentAsksAgain(t *testing.T) {
	hs := newHarness(t)
	out := hs.send("khu phố 12")
	if got := text(out); !strings.Contains(got, `"khu phố 12"`) || !strings.Contains(got, "Khu phố 6") {
		t.Fatalf("reply to an absent area = %q", got)
	}
	if kb := out[len(out)-1].Keyboard; kb == nil || kb.Rows[0][0].Text != "Khu phố 1" {
		t.Fatalf("no area keyboard: %+v", out[len(out)-1].Keyboard)
	}
	if c := hs.store.contact("console", "1"); c.AreaID != nil {
		t.Fatalf("area set to %d for an absent area", *c.AreaID)
	}
	hs.send("3")
	if c := hs.store.contact("console", "1"); c.AreaID == nil || *c.AreaID != 3 {
		t.Fatalf("area after answering 3 = %v, want 3", c.AreaID)
	}
	// Changeable any time.
	hs.send("/khupho")
	hs.send("Khu phố 5")
	if c := hs.store.contact("console", "1"); *c.AreaID != 5 {
		t.Fatalf("area after choosing Khu phố 5 = %d", *c.AreaID)
	}
	hs.send("kp2")
	if c := hs.store.contact("console", "1"); *c.AreaID != 2 {
		t.Fatalf("area after typing kp2 = %d", *c.AreaID)
	}
}

// Asked once, when needed: the place question asks for the area, the
// choice answers the pending question, and the next one does not ask.
func TestAreaAskedOnceThenRemembered(t *testing.T) {
	hs := newHarness(t)
	hs.replyHas("bo phieu o dau", "khu phố nào")      // the area question
	hs.replyHas("Khu phố 4", "Nhà văn hóa khu phố 4") // the pending place answer
	got := text(hs.send("người ứng cử"))
	if strings.Contains(got, "khu phố nào") || !strings.Contains(got, "1. Bùi Văn Khánh") {
		t.Fatalf("candidates after choosing the area = %q", got)
	}
}
