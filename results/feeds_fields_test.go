package results_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"electionbot/models"
	"electionbot/results"
)

// TestFeedsNameTheTallyFields: the feeds' tally numbers carry the keys of
// models.TallyFields, so the JSON document and the CSV name them alike.
// FeedTally lists them as struct fields to keep the JSON order public
// (docs/results.md); this test keeps them in step with the table.
func TestFeedsNameTheTallyFields(t *testing.T) {
	tags := map[string]bool{}
	ft := reflect.TypeFor[results.FeedTally]()
	for i := range ft.NumField() {
		name, _, _ := strings.Cut(ft.Field(i).Tag.Get("json"), ",")
		tags[name] = true
	}
	for _, f := range models.TallyFields {
		if !tags[f.Key] {
			t.Errorf("FeedTally has no JSON field %q", f.Key)
		}
		if f.Key != models.TallyFieldHouseholds && !slices.Contains(results.CSVHeader, f.Key) {
			t.Errorf("CSVHeader has no column %q", f.Key)
		}
	}
}
