package results_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// TestOneCSVLayout: the results page's CSV feed in the officials' view
// and the export (electionbot export results, /xuat) have the same header
// and, for the same data, the same row in every column the feed fills;
// only the export fills the review columns. The seed has every state:
// accepted, provisional, conflict, rerun-needed, a rejected latest
// version (not-reported), and a later report pending after a
// recognised one.
func TestOneCSVLayout(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			seedKaLong(t, s)
			kp1 := pendingReport(t, s)

			_, ts := newServer(t, s, electionDay, results.Options{})
			link := results.SignAdminLink(ts.URL, demo.ElectionCode, testKey, electionDay.Add(24*time.Hour))
			status, body, _ := get(t, strings.Replace(link, demo.ElectionCode+"?", demo.ElectionCode+".csv?", 1))
			if status != 200 {
				t.Fatalf("officials' CSV feed: %d %s", status, body)
			}
			feed := readCSV(t, body)
			var buf bytes.Buffer
			if err := s.ExportResults(ctx, demo.ElectionCode, models.ExportCSV, &buf); err != nil {
				t.Fatal(err)
			}
			export := readCSV(t, buf.String())

			if !slices.Equal(feed[0], export[0]) || !slices.Equal(feed[0], models.ResultsColumns) {
				t.Fatalf("headers differ:\nfeed   %v\nexport %v", feed[0], export[0])
			}
			if len(feed) != 7 || len(export) != 7 {
				t.Fatalf("rows: feed %d, export %d; want a header and 6 areas", len(feed), len(export))
			}
			review := models.ResultsReviewColumns()
			states := map[string]string{}
			for i := 1; i < len(feed); i++ {
				for j, col := range feed[0] {
					if slices.Contains(review, col) {
						if feed[i][j] != "" {
							t.Errorf("feed %s %s = %q: the review columns are the export's", feed[i][4], col, feed[i][j])
						}
						continue
					}
					if feed[i][j] != export[i][j] {
						t.Errorf("%s %s: feed %q, export %q", feed[i][4], col, feed[i][j], export[i][j])
					}
				}
				states[feed[i][4]] = feed[i][7]
			}
			want := map[string]string{"kp1": "accepted", "kp2": "provisional", "kp3": "conflict", "kp4": "rerun-needed",
				"kp5": "not-reported", "kp6": "accepted"}
			for code, st := range want {
				if states[code] != st {
					t.Errorf("%s state %q, want %q", code, states[code], st)
				}
			}
			cell := func(rows [][]string, row int, col string) string {
				return rows[row][slices.Index(rows[0], col)]
			}
			// kp1: the recognised version 1 stays shown, version 2 awaits
			// the review; kp5: its rejected version is not shown, but the
			// export names it.
			if cell(feed, 1, "version") != "1" || cell(feed, 1, "pending_version") != kp1 || cell(export, 1, "latest_version") != kp1 ||
				cell(export, 1, "latest_status") != models.TallyProvisional || cell(export, 1, "reporter") == "" {
				t.Errorf("kp1 feed %v\nexport %v", feed[1], export[1])
			}
			if cell(feed, 5, "status") != "" || cell(feed, 5, "votes") != "" || cell(export, 5, "latest_status") != models.TallyRejected {
				t.Errorf("kp5 feed %v\nexport %v", feed[5], export[5])
			}
		})
	}
}

// pendingReport adds a different version 2 of kp1 after its recognised
// version 1 and returns its version number.
func pendingReport(t *testing.T, s *models.Store) string {
	t.Helper()
	ctx := context.Background()
	_, areas, err := s.ElectionResults(ctx, demo.ElectionCode)
	if err != nil {
		t.Fatal(err)
	}
	a := areas[0].Area
	tl := &models.Tally{AreaID: a.ID, Version: 2, ReporterID: areas[0].Latest.ReporterID, Method: models.MethodSecret,
		Households: a.Households, Attending: 291, Issued: ip(291), Returned: ip(290), Valid: ip(286), Invalid: ip(4),
		Status: models.TallyProvisional, CreatedAt: electionDay,
		Votes: []models.TallyVote{{CandidateID: a.Candidates[0].ID, Votes: 251}, {CandidateID: a.Candidates[1].ID, Votes: 35}}}
	if err := s.DB(ctx).Create(tl).Error; err != nil {
		t.Fatal(err)
	}
	return "2"
}

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, body)
	}
	return rows
}
