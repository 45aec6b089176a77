package results_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// TestFeedCSVNeutralisesFormulaNames is finding 5 of issue 17: a candidate
// named "+cmd|' /C calc'!A0" in the election file went raw into the
// results feed's CSV, which a spreadsheet runs as a formula.
func TestFeedCSVNeutralisesFormulaNames(t *testing.T) {
	const evil = `+cmd|' /C calc'!A0`
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			seedKaLong(t, s)
			e, err := s.ElectionByCode(ctx, demo.ElectionCode)
			if err != nil {
				t.Fatal(err)
			}
			areas, err := s.Areas(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			// kp1's winner (ballot no. 1) gets the formula for a name.
			if err := s.DB(ctx).Model(&models.Candidate{}).Where("id = ?", areas[0].Candidates[0].ID).
				Update("name", evil).Error; err != nil {
				t.Fatal(err)
			}
			_, ts := newServer(t, s, electionDay.Add(2*time.Hour), results.Options{})
			_, body, _ := get(t, ts.URL+"/results/"+demo.ElectionCode+".csv")
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, row := range rows[1:] {
				for i, cell := range row {
					if cell == "'"+evil {
						found = true
					}
					if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
						t.Errorf("%s %s = %q: a formula", row[4], rows[0][i], cell)
					}
				}
			}
			if !found {
				t.Errorf("the winner's name is not in the CSV as text:\n%s", body)
			}
		})
	}
}
