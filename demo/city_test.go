package demo_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestCityElectionParses(t *testing.T) {
	f, err := models.ParseElectionFile(demo.CityElection())
	if err != nil {
		t.Fatal(err)
	}
	if f.Election.Code != demo.CityElectionCode || f.Election.Date != "2022-06-05" || f.Province != "Quảng Ninh" {
		t.Fatalf("city election %+v, province %q", f.Election, f.Province)
	}
	type ward struct {
		code, name, city, kind string
		areas                  []string
	}
	var got []ward
	for _, w := range f.AllWards() {
		wd := ward{w.Code, w.Name, w.City, w.Kind, nil}
		for _, a := range w.Areas {
			wd.areas = append(wd.areas, a.Code+" "+a.Unit)
			if pp := a.PollingPlace; pp.Lat == nil || *pp.Lat < 21.45 || *pp.Lat > 21.56 || *pp.Lon < 107.85 || *pp.Lon > 108.02 {
				t.Errorf("%s/%s polling place is not in TP Móng Cái: %v, %v", w.Code, a.Code, pp.Lat, pp.Lon)
			}
		}
		got = append(got, wd)
	}
	want := []ward{
		{"ka-long", "Phường Ka Long", "TP Móng Cái", models.WardUrban, []string{"kp1 khu-pho", "kp2 khu-pho", "kp3 khu-pho", "kp4 khu-pho", "kp5 khu-pho", "kp6 khu-pho"}},
		{"hai-hoa", "Phường Hải Hòa", "TP Móng Cái", models.WardUrban, []string{"kp1 khu-pho", "kp2 khu-pho", "kp3 khu-pho", "kp4 khu-pho"}},
		{"hai-tien", "Xã Hải Tiến", "TP Móng Cái", models.WardCommune, []string{"thon-1 thon", "thon-2 thon", "thon-3 thon", "thon-4 thon"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("wards\n%v\nwant\n%v", got, want)
	}
	// Ka Long is the same in both demos.
	ka, err := demo.ElectionFile()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Wards[0].Areas, ka.Areas) {
		t.Error("Phường Ka Long of the city demo differs from ka-long-2022.yaml")
	}
}

func TestCityVoters(t *testing.T) {
	a, err := demo.CityVoters()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := demo.CityVoters(); !bytes.Equal(a, b) {
		t.Fatal("two runs of CityVoters differ")
	}
	lines := strings.Split(string(a), "\n")
	if lines[0] != "ward_code,area_code,household_no,full_name,birth_year,address,phone" {
		t.Errorf("header %q", lines[0])
	}
	if !strings.Contains(string(a), "\nhai-tien,thon-2,1,") || !strings.Contains(string(a), ", xóm Đông, Thôn 2\"") {
		t.Error("no generated household of Hải Tiến's Thôn 2 with a thôn address")
	}
}

func TestLoadCity(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if err := demo.LoadCity(ctx, s); err != nil {
				t.Fatal(err)
			}
			e, err := s.ElectionByCode(ctx, demo.CityElectionCode)
			if err != nil {
				t.Fatal(err)
			}
			areas, err := s.Areas(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if e.WardID != nil || len(areas) != 14 {
				t.Fatalf("election ward %v, %d areas; want no single ward and 14 areas", e.WardID, len(areas))
			}
			byKey := map[string]*models.Area{}
			for _, a := range areas {
				byKey[a.Ward.Code+"/"+a.Code] = a
				var voters int64
				if err := s.DB(ctx).Model(&models.Voter{}).Where("area_id = ?", a.ID).Count(&voters).Error; err != nil {
					t.Fatal(err)
				}
				if int(voters) != a.Households {
					t.Errorf("%s/%s: %d voters, want %d", a.Ward.Code, a.Code, voters, a.Households)
				}
			}
			for _, tc := range []struct {
				area, name string
				year, n    int
			}{
				{"ka-long/kp1", "Nguyễn Văn An", 1961, 1},
				{"hai-hoa/kp1", "Nguyễn Văn An", 1961, 1},
				{"ka-long/kp1", "Trần Văn Hùng", 1970, 2},
				{"hai-hoa/kp1", "Trần Văn Hùng", 1970, 0},
				{"hai-tien/thon-1", "Hoàng Văn Tư", 1958, 1},
				{"hai-tien/thon-3", "Lý Thị Xuân", 1966, 1},
			} {
				vs, err := s.FindVoters(ctx, byKey[tc.area].ID, models.Fold(tc.name), tc.year)
				if err != nil || len(vs) != tc.n {
					t.Errorf("%s: %s %d found %d (%v), want %d", tc.area, tc.name, tc.year, len(vs), err, tc.n)
				}
			}
			if err := demo.LoadCity(ctx, s); err != nil {
				t.Fatalf("second LoadCity: %v", err)
			}
			if again, _ := s.Areas(ctx, e.ID); len(again) != 14 || again[0].ID != areas[0].ID {
				t.Error("second LoadCity changed the areas")
			}
		})
	}
}
