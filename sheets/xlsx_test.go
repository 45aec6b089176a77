package sheets_test

import (
	"bytes"
	"testing"

	"electionbot/models"
	"electionbot/sheets"
)

// A table written by Write reads back through Open: header, text cells
// and numbers as the sheet shows them.
func TestWriteThenOpen(t *testing.T) {
	table := [][]string{{"area_code", "households"}, {"kp1", "312"}, {"kp2", ""}}
	var buf bytes.Buffer
	if err := sheets.Write(&buf, "results", table, func(h, v string) bool { return h == "households" && v != "" }); err != nil {
		t.Fatal(err)
	}
	rows, err := sheets.Open(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Name() != "results" {
		t.Errorf("sheet %q", rows.Name())
	}
	var got [][]string
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, cols)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"area_code", "households"}, {"kp1", "312"}, {"kp2"}}
	if len(got) != len(want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) || (len(want[i]) > 0 && got[i][0] != want[i][0]) || (len(want[i]) > 1 && got[i][1] != want[i][1]) {
			t.Errorf("row %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// Not a workbook: EINVALID, said so.
func TestOpenRefusesGarbage(t *testing.T) {
	if _, err := sheets.Open(bytes.NewReader([]byte("area_code,households\n"))); models.ErrorCode(err) != models.EINVALID {
		t.Errorf("err = %v", err)
	}
}
