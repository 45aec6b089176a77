package sheets_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/xuri/excelize/v2"

	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/sheets"
)

// The templates round-trip: the election file, then the areas table,
// then the voter list, each filled with its sample row only, load and
// import as they are.
func TestTemplatesRoundTrip(t *testing.T) {
	ts, err := sheets.Templates()
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]sheets.Template{}
	for _, tp := range ts {
		kind, format, err := models.FileKind(tp.Name, tp.Data)
		if err != nil || kind != tp.Kind {
			t.Fatalf("%s is read as %q (%v), want %q", tp.Name, kind, err, tp.Kind)
		}
		if want := map[string]string{models.KindElection: "yaml"}[kind]; want != "" && format != want || want == "" && format != "xlsx" {
			t.Errorf("%s format %q", tp.Name, format)
		}
		byKind[kind] = tp
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx, s := context.Background(), n.Store
			f, err := models.ParseElectionFile(byKind[models.KindElection].Data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.LoadElection(ctx, f); err != nil {
				t.Fatalf("election template: %v", err)
			}
			rep, err := s.ImportAreas(ctx, bytes.NewReader(byKind[models.KindAreas].Data), "xlsx", models.AreaImportOptions{ElectionCode: f.Election.Code})
			if err != nil {
				t.Fatalf("areas template: %v", err)
			}
			if got, want := rep.String(), "xa-mau-2027: loaded 1 areas, 2 candidates (unchanged)"; got != want {
				t.Errorf("areas report %q, want %q: the table and the election file say the same", got, want)
			}
			vrep, err := s.ImportVoters(ctx, bytes.NewReader(byKind[models.KindVoters].Data), "xlsx", models.ImportOptions{ElectionCode: f.Election.Code})
			if err != nil {
				t.Fatalf("voters template: %v", err)
			}
			if got, want := vrep.String(), "thon-1: 1 households\nthon-1: warning: the election file says 120 households"; got != want {
				t.Errorf("voters report %q, want %q", got, want)
			}
		})
	}
}

// Each table template has Vietnamese headers, a sample row and the notes
// sheet "Hướng dẫn" with one line per column.
func TestTemplatesHeadersAndNotes(t *testing.T) {
	ts, err := sheets.Templates()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"mau_danh_sach_cu_tri.xlsx": {"Mã xã", "Khu phố", "Số hộ", "Họ tên", "Năm sinh", "Địa chỉ", "Số điện thoại"},
		"mau_danh_sach_khu.xlsx":    {"Thành phố", "Mã xã", "Xã", "Mã khu", "Khu", "Số hộ", "Nơi bỏ phiếu", "Địa chỉ", "Vĩ độ", "Kinh độ", "Người ứng cử"},
	}
	for _, tp := range ts {
		cols, ok := want[tp.Name]
		if !ok {
			continue
		}
		f, err := excelize.OpenReader(bytes.NewReader(tp.Data))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		if len(rows) != 2 || len(rows[1]) != len(cols) {
			t.Errorf("%s: %d rows %q, want the header and a full sample row", tp.Name, len(rows), rows)
		}
		for i, c := range cols {
			if rows[0][i] != c {
				t.Errorf("%s column %d %q, want %q", tp.Name, i+1, rows[0][i], c)
			}
		}
		notes, err := f.GetRows("Hướng dẫn")
		if err != nil || len(notes) != 3+len(cols) {
			t.Errorf("%s notes: %d rows (%v), want %d", tp.Name, len(notes), err, 3+len(cols))
		}
		f.Close()
	}
}
