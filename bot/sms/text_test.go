package sms_test

import (
	"strconv"
	"strings"
	"testing"

	"electionbot/bot/sms"
)

func TestGSMLength(t *testing.T) {
	for _, c := range []struct {
		in  string
		n   int
		all bool
	}{
		{"Hop bau", 7, true},
		{"a{b}", 6, true}, // braces are in the extension table: 2 septets each
		{"€5", 3, true},
		{"Họp", 3, false},
		{"😀", 1, false},
	} {
		if n, all := sms.GSMLength(c.in); n != c.n || all != c.all {
			t.Errorf("GSMLength(%q) = %d, %v; want %d, %v", c.in, n, all, c.n, c.all)
		}
	}
}

func TestToGSM(t *testing.T) {
	for in, want := range map[string]string{
		"Kính mời ông/bà đến Nhà văn hóa – khu phố 1": "Kinh moi ong/ba den Nha van hoa - khu pho 1",
		"“Bầu cử” lúc 07:00…":                         `"Bau cu" luc 07:00...`,
		"Đường Đỗ Đức Dục ✅":                          "Duong Do Duc Duc ?",
		"Tab\there\r\nnew line":                       "Tab here\nnew line",
	} {
		got := sms.ToGSM(in)
		if got != want {
			t.Errorf("ToGSM(%q) = %q, want %q", in, got, want)
		}
		if _, all := sms.GSMLength(got); !all {
			t.Errorf("ToGSM(%q) = %q is not all GSM-7", in, got)
		}
	}
}

// TestParts: a text that fits is one SMS without diacritics; a longer
// one is cut at spaces into numbered parts, each within the limit.
func TestParts(t *testing.T) {
	short := "Họp bầu Trưởng khu phố 1: 07:00 ngày 05/06/2022 tại Nhà văn hóa khu phố 1."
	if got := sms.Parts(short, 160); len(got) != 1 || got[0] != "Hop bau Truong khu pho 1: 07:00 ngay 05/06/2022 tai Nha van hoa khu pho 1." {
		t.Fatalf("Parts(short) = %q", got)
	}
	long := strings.Repeat("Kính mời ông/bà đi bầu Trưởng khu phố. ", 12) // ~470 characters
	for _, limit := range []int{160, 70, 30} {
		parts := sms.Parts(long, limit)
		if len(parts) < 2 {
			t.Fatalf("limit %d: %d parts", limit, len(parts))
		}
		var joined []string
		for i, p := range parts {
			n, all := sms.GSMLength(p)
			if n > limit || !all {
				t.Errorf("limit %d: part %d is %d septets (GSM-7 %v): %q", limit, i+1, n, all, p)
			}
			suffix := " (" + strconv.Itoa(i+1) + "/" + strconv.Itoa(len(parts)) + ")"
			if !strings.HasSuffix(p, suffix) {
				t.Errorf("limit %d: part %q lacks %q", limit, p, suffix)
			}
			joined = append(joined, strings.TrimSuffix(p, suffix))
		}
		if got, want := strings.Join(joined, " "), strings.TrimSpace(sms.ToGSM(long)); got != want {
			t.Errorf("limit %d: parts joined lose words:\n%s\nwant\n%s", limit, got, want)
		}
	}
	// Braces count twice: 81 of them (162 septets) do not fit in one SMS of 160.
	if got := sms.Parts(strings.Repeat("{", 81), 160); len(got) != 2 {
		t.Errorf("81 braces: %d parts, want 2", len(got))
	}
	if got := sms.Parts("  \n ", 160); got != nil {
		t.Errorf("blank text: %q", got)
	}
}
