package models_test

import (
	"testing"

	"electionbot/models"
)

// TestTallyFields_DESIGN5_DeclaredOnce: every field of the table reads and
// writes its own number of TallyNumbers, a ballot field is given only
// when set, and its name is in both tally catalogs.
func TestTallyFields_DESIGN5_DeclaredOnce(t *testing.T) {
	vi, _ := tallyCatalog(t, "vi")
	en, _ := tallyCatalog(t, "en")
	seen := map[string]bool{}
	for i, f := range models.TallyFields {
		if seen[f.Key] {
			t.Errorf("%s declared twice", f.Key)
		}
		seen[f.Key] = true
		var n models.TallyNumbers
		if _, given := n.Number(f.Key); given == f.Ballot {
			t.Errorf("%s: given %v on an empty tally, ballot field %v", f.Key, given, f.Ballot)
		}
		n.SetNumber(f.Key, 100+i)
		if v, given := n.Number(f.Key); v != 100+i || !given {
			t.Errorf("%s: SetNumber(%d) then Number = %d, %v", f.Key, 100+i, v, given)
		}
		for _, g := range models.TallyFields {
			if v, _ := n.Number(g.Key); g.Key != f.Key && v != 0 {
				t.Errorf("SetNumber(%s) changed %s to %d", f.Key, g.Key, v)
			}
		}
		if _, ok := vi[f.MessageID]; !ok {
			t.Errorf("%s: %s missing from tally.vi.yaml", f.Key, f.MessageID)
		}
		if _, ok := en[f.MessageID]; !ok {
			t.Errorf("%s: %s missing from tally.en.yaml", f.Key, f.MessageID)
		}
	}
	if _, given := (&models.TallyNumbers{}).Number("method"); given {
		t.Error("an unknown key is given")
	}
}
