package tally_test

import (
	"testing"

	"electionbot/tally"
)

// A live attendance report is the number attending alone, with its area
// at most (issue 20); anything more is a tally or another message.
func TestParseAttendance(t *testing.T) {
	areas := testAreas()
	cases := []struct {
		text string
		ok   bool
		area string
		n    int
	}{
		{"TD 160", true, "", 160},
		{"td160", true, "", 160},
		{"tham du 160", true, "", 160},
		{"Tham dự: 160 người", true, "", 160},
		{"số tham dự 1.160", true, "", 1160},
		{"KP2 TD 160", true, "kp2", 160},
		{"TD 160 khu phố 2", true, "kp2", 160},
		{"attending 90", true, "", 90},
		{"KQ TD 160", false, "", 0},            // a tally's beginning
		{"KQ KP1 TD 290 PR 290", false, "", 0}, // a tally
		{"TD 160 PR 150", false, "", 0},        // two fields: a tally without KQ
		{"TD 160 tham du 170", false, "", 0},   // twice
		{"KP1 KP2 TD 160", false, "", 0},       // two areas
		{"TD -5", false, "", 0},                // unreadable
		{"TD 160 ghi chú", false, "", 0},       // an unknown part
		{"khu phố 2", false, "", 0},            // no number
		{"Nguyen Van An 1961", false, "", 0},   // a look-up
		{"HL 160", false, "", 0},               // another field
	}
	for _, c := range cases {
		a, ok := tally.ParseAttendance(c.text, areas)
		if ok != c.ok {
			t.Errorf("ParseAttendance(%q) ok = %v, want %v (%+v)", c.text, ok, c.ok, a)
			continue
		}
		if ok && (a.AreaCode != c.area || a.Attending != c.n) {
			t.Errorf("ParseAttendance(%q) = %+v, want area %q, %d", c.text, a, c.area, c.n)
		}
	}
}

// FuzzParseAttendance: never a panic; a report is never a tally, never
// negative or beyond MaxNumber, and names an area of the list or none.
func FuzzParseAttendance(f *testing.F) {
	for _, s := range []string{"TD 160", "tham du 160", "KP2 TD 160", "TD 160 khu phố 2", "KQ TD 160", "TD -5", "td 1.234.567", ""} {
		f.Add(s)
	}
	areas := testAreas()
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := tally.ParseAttendance(s, areas)
		if !ok {
			return
		}
		if _, isTally := tally.Parse(s, areas); isTally {
			t.Errorf("%q is both a tally and an attendance report", s)
		}
		if a.Attending < 0 || a.Attending > tally.MaxNumber {
			t.Errorf("%q: attending %d", s, a.Attending)
		}
		known := a.AreaCode == ""
		for _, ar := range areas {
			known = known || ar.Code == a.AreaCode
		}
		if !known {
			t.Errorf("%q: area %q not in the list", s, a.AreaCode)
		}
	})
}
