package models_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/xuri/excelize/v2"

	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestExportResultsCSVAndXLSX(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newOfficialsFixture(t, n.Store)
			kp1, kp2 := f.areas[0], f.areas[1]
			if err := f.s.Grant(ctx, &models.RoleGrant{ContactID: &f.rep2.ID, Role: models.RoleReporter, AreaID: &kp2.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1.ID, ReporterID: f.rep1.ID, Numbers: kp1Numbers(250, 35), PhotoRef: "ph1"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1.ID, ReporterID: f.rep2.ID, Numbers: kp1Numbers(250, 35)}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1.ID, Accept: true, By: f.admin.ID}); err != nil {
				t.Fatal(err)
			}
			// Khu phố 2, show of hands, nobody over 50% of 287 households.
			hands := models.TallyNumbers{Method: models.MethodHands, Households: 287, Attending: 200, Votes: map[int]int{1: 100, 2: 60, 3: 40}}
			if _, err := f.s.SubmitTally(ctx, models.TallySubmission{AreaID: kp2.ID, ReporterID: f.rep2.ID, Numbers: hands}); err != nil {
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
			if len(rows) != 7 {
				t.Fatalf("csv has %d rows, want header + 6 areas", len(rows))
			}
			get := func(row []string, col string) string {
				for i, h := range rows[0] {
					if h == col {
						return row[i]
					}
				}
				t.Fatalf("no column %q in %v", col, rows[0])
				return ""
			}
			want := map[string]string{
				"area_code": "kp1", "area_name": "Khu phố 1", "state": "accepted", "status": "accepted", "version": "1",
				"method": "secret", "households": "312", "attending": "290", "issued": "290",
				"returned": "289", "valid": "285", "invalid": "4", "turnout_percent": "92.95",
				"candidates": "1:Nguyễn Văn An;2:Trần Thị Bình", "votes": "1:250;2:35", "winner_percent": "80.13",
				"outcome": "elected", "winner_name": "Nguyễn Văn An", "winner_ballot_no": "1",
				"winner_votes": "250", "reporter": "Tổ 1 A", "reporter_channel": "console",
				"confirmed_by": "Tổ 1 B", "reviewed_by": "Cán bộ", "reported_at": "2022-06-05T05:00:00Z",
				"reviewed_at": "2022-06-05T05:00:00Z", "photo_ref": "ph1", "latest_version": "1", "latest_status": "accepted",
			}
			for col, w := range want {
				if got := get(rows[1], col); got != w {
					t.Errorf("kp1 %s = %q, want %q", col, got, w)
				}
			}
			for col, w := range map[string]string{"state": "provisional", "status": "provisional", "method": "hands", "issued": "",
				"outcome": "rerun", "winner_name": "Phạm Văn Cường", "votes": "1:100;2:60;3:40"} {
				if got := get(rows[2], col); got != w {
					t.Errorf("kp2 %s = %q, want %q", col, got, w)
				}
			}
			for col, w := range map[string]string{"state": "not-reported", "status": "", "version": "", "outcome": "", "votes": "", "latest_version": ""} {
				if got := get(rows[3], col); got != w {
					t.Errorf("kp3 %s = %q, want %q", col, got, w)
				}
			}

			buf.Reset()
			if err := f.s.ExportResults(ctx, "ka-long-2022", "xlsx", &buf); err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			xrows, err := x.GetRows("results")
			if err != nil {
				t.Fatal(err)
			}
			if len(xrows) != 7 || xrows[0][0] != "election_code" || xrows[1][4] != "kp1" {
				t.Fatalf("xlsx rows = %v", xrows)
			}
			for i, h := range rows[0] {
				if h == "attending" {
					cell, _ := excelize.CoordinatesToCellName(i+1, 2)
					if typ, _ := x.GetCellType("results", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
						t.Errorf("attending cell type = %v, want a number", typ)
					}
					if v, _ := x.GetCellValue("results", cell); v != "290" {
						t.Errorf("attending = %q", v)
					}
				}
			}
			if err := f.s.ExportResults(ctx, "ka-long-2022", "pdf", &buf); models.ErrorCode(err) != models.EINVALID {
				t.Errorf("pdf = %v", err)
			}
			if err := f.s.ExportResults(ctx, "nope", "csv", &buf); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("unknown election = %v", err)
			}
		})
	}
}
