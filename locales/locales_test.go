package locales

import (
	"slices"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

func TestSameKeysInEveryLanguage(t *testing.T) {
	pairs := 0
	for _, viFile := range Files {
		if !strings.HasSuffix(viFile, "vi.yaml") {
			continue
		}
		enFile := strings.TrimSuffix(viFile, "vi.yaml") + "en.yaml"
		pairs++
		vi, err := Keys(viFile)
		if err != nil {
			t.Fatal(err)
		}
		en, err := Keys(enFile)
		if err != nil {
			t.Fatalf("%s has no English twin: %v", viFile, err)
		}
		slices.Sort(vi)
		slices.Sort(en)
		for _, k := range vi {
			if _, ok := slices.BinarySearch(en, k); !ok {
				t.Errorf("%q is in %s but not %s", k, viFile, enFile)
			}
		}
		for _, k := range en {
			if _, ok := slices.BinarySearch(vi, k); !ok {
				t.Errorf("%q is in %s but not %s", k, enFile, viFile)
			}
		}
	}
	if pairs == 0 || len(Files) != 2*pairs {
		t.Fatalf("files %v: want vi/en pairs", Files)
	}
}

func TestNoKeyDefinedTwice(t *testing.T) {
	seen := map[string]string{}
	for _, f := range Files {
		if !strings.HasSuffix(f, "vi.yaml") {
			continue
		}
		keys, err := Keys(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if other, ok := seen[k]; ok {
				t.Errorf("%q is in both %s and %s", k, other, f)
			}
			seen[k] = f
		}
	}
}

func TestBundleDefaultsToVietnamese(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	// An unsupported language falls back to Vietnamese.
	got, err := i18n.NewLocalizer(b, "fr").Localize(&i18n.LocalizeConfig{MessageID: "rel_tomorrow"})
	if err != nil || got != "ngày mai" {
		t.Fatalf("fr → %q, %v; want the Vietnamese text", got, err)
	}
	got, err = i18n.NewLocalizer(b, "en-US").Localize(&i18n.LocalizeConfig{MessageID: "rel_tomorrow"})
	if err != nil || got != "tomorrow" {
		t.Fatalf("en-US → %q, %v", got, err)
	}
}

func TestUsesWords(t *testing.T) {
	for id, want := range map[string]bool{"area_ask": true, "off_state_provisional": true, "rem_official_results_due_admin": true,
		"btn_date": false, "unit_thon": false, "welcome": false} {
		if got := UsesWords(id); got != want {
			t.Errorf("UsesWords(%q) = %v", id, got)
		}
	}
}

func TestPlaceWordsJoinSeveralUnits(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	l := NewLocalizers(b, "vi")
	w := l.PlaceWords("vi", "thi-tran", []string{"to-dan-pho", "nonsense", "thon", "thon"})
	if w[WordUnit] != "thôn, tổ dân phố" || w[WordUnitCap] != "Thôn, tổ dân phố" || w[WordCommittee] != "UBND thị trấn" {
		t.Errorf("%v", w)
	}
	if w := l.PlaceWords("en", "nonsense", nil); w[WordUnit] != "village or residential group" || w[WordCommittee] != "commune-level People's Committee" {
		t.Errorf("general words: %v", w)
	}
}
