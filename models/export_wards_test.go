package models_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// exportProvince is an election of three wards in two cities, two of them
// with a "kp1".
func exportProvince() *models.ElectionFile {
	area := func(code, name string, hh int) models.FileArea {
		return models.FileArea{Code: code, Name: name, Households: hh,
			PollingPlace: models.FilePollingPlace{Name: "Nhà văn hóa " + name}, Candidates: []string{"Nguyễn Văn An", "Trần Thị Bình"}}
	}
	return &models.ElectionFile{
		Election: models.FileElection{Code: "qn-export-2022", Title: "Bầu cử Trưởng thôn, khu phố 2022",
			Date: "2022-06-05", Opens: "07:00", Closes: "11:00", Rules: models.RulesNQLT2008, Method: models.MethodSecret},
		Province: "Quảng Ninh",
		Wards: []models.FileWard{
			{Code: "ka-long", Name: "Phường Ka Long", City: "TP Móng Cái", Areas: []models.FileArea{area("kp1", "Khu phố 1", 312), area("kp2", "Khu phố 2", 287)}},
			{Code: "hai-hoa", Name: "Phường Hải Hòa", City: "TP Móng Cái", Areas: []models.FileArea{area("kp1", "Khu phố 1", 250)}},
			{Code: "tan-lap", Name: "Xã Tân Lập", City: "Huyện Đầm Hà", Areas: []models.FileArea{area("thon-1", "Thôn 1", 180)}},
		},
	}
}

func TestExportResultsByWard(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if _, err := s.LoadElection(ctx, exportProvince()); err != nil {
				t.Fatal(err)
			}
			// A ward of another election.
			other := exportProvince()
			other.Election.Code = "other-2022"
			other.Wards = other.Wards[:1]
			other.Wards[0].Code = "other-ward"
			if _, err := s.LoadElection(ctx, other); err != nil {
				t.Fatal(err)
			}
			e, err := s.ElectionByCode(ctx, "qn-export-2022")
			if err != nil {
				t.Fatal(err)
			}
			areas, err := s.Areas(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "r", DisplayName: "Tổ BC"})
			if err != nil {
				t.Fatal(err)
			}
			// Hải Hòa's kp1 reports 190 votes for candidate 1.
			for _, a := range areas {
				if a.Ward.Code == "hai-hoa" {
					if _, err := s.SubmitTally(ctx, models.TallySubmission{AreaID: a.ID, ReporterID: rep.ID,
						Numbers: models.TallyNumbers{Method: models.MethodHands, Households: 250, Attending: 230, Votes: map[int]int{1: 190, 2: 40}}}); err != nil {
						t.Fatal(err)
					}
				}
			}
			read := func(ward string) [][]string {
				t.Helper()
				var buf bytes.Buffer
				if err := s.ExportResultsOf(ctx, "qn-export-2022", ward, models.ExportCSV, &buf); err != nil {
					t.Fatal(err)
				}
				rows, err := csv.NewReader(&buf).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				return rows
			}
			col := func(rows [][]string, name string) int {
				for i, h := range rows[0] {
					if h == name {
						return i
					}
				}
				t.Fatalf("no column %s", name)
				return -1
			}
			all := read("")
			if len(all) != 5 {
				t.Fatalf("%d rows, want header + 4 areas", len(all))
			}
			// The columns of ever keep their places; the new ones come last.
			h := all[0]
			if !slices.Equal(h, models.ResultsColumns) {
				t.Errorf("header %v", h)
			}
			var got []string
			for _, r := range all[1:] {
				got = append(got, strings.Join([]string{r[col(all, "ward_code")], r[col(all, "ward")], r[col(all, "city")], r[col(all, "province")], r[col(all, "area_code")]}, "|"))
			}
			want := "ka-long|Phường Ka Long|TP Móng Cái|Quảng Ninh|kp1 ka-long|Phường Ka Long|TP Móng Cái|Quảng Ninh|kp2 " +
				"hai-hoa|Phường Hải Hòa|TP Móng Cái|Quảng Ninh|kp1 tan-lap|Xã Tân Lập|Huyện Đầm Hà|Quảng Ninh|thon-1"
			if strings.Join(got, " ") != want {
				t.Errorf("rows %v", got)
			}

			hh := read("hai-hoa")
			if len(hh) != 2 || hh[1][col(hh, "area_code")] != "kp1" || hh[1][col(hh, "ward")] != "Phường Hải Hòa" || hh[1][col(hh, "votes")] != "1:190;2:40" {
				t.Errorf("hai-hoa export %v", hh)
			}
			if kl := read("ka-long"); len(kl) != 3 || kl[1][col(kl, "state")] != models.NotReported {
				t.Errorf("ka-long export %v", kl)
			}

			var buf bytes.Buffer
			for _, ward := range []string{"no-such", "other-ward"} {
				err := s.ExportResultsOf(ctx, "qn-export-2022", ward, models.ExportCSV, &buf)
				if models.ErrorCode(err) != models.ENOTFOUND || !strings.Contains(err.Error(), `no ward "`+ward+`"`) ||
					!strings.Contains(err.Error(), "ka-long, hai-hoa, tan-lap") {
					t.Errorf("ward %s: %v", ward, err)
				}
			}
			if buf.Len() != 0 {
				t.Errorf("a failed export wrote %q", buf.String())
			}
			if err := s.ExportResultsOf(ctx, "nope", "ka-long", models.ExportCSV, &buf); models.ErrorCode(err) != models.ENOTFOUND || !strings.Contains(err.Error(), "nope") {
				t.Errorf("unknown election: %v", err)
			}
		})
	}
}
