package demo_test

import (
	"bytes"
	"context"
	"testing"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestElectionParses(t *testing.T) {
	f, err := models.ParseElectionFile(demo.Election())
	if err != nil {
		t.Fatal(err)
	}
	if f.Election.Code != demo.ElectionCode || f.Election.Date != "2022-06-05" || len(f.Areas) != 6 {
		t.Fatalf("demo election = %+v, %d areas", f.Election, len(f.Areas))
	}
}

func TestVotersAreDeterministic(t *testing.T) {
	a, err := demo.Voters()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Voters()
	if !bytes.Equal(a, b) {
		t.Fatal("two runs of Voters differ")
	}
}

func TestLoad(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if err := demo.Load(ctx, s); err != nil {
				t.Fatal(err)
			}
			e, err := s.ElectionByCode(ctx, demo.ElectionCode)
			if err != nil {
				t.Fatal(err)
			}
			if e.Ward == nil || e.Ward.Name != "Phường Ka Long" || e.Rules != models.RulesNQLT2008 || e.Method != models.MethodSecret {
				t.Errorf("election %+v, ward %+v", e, e.Ward)
			}
			areas, err := s.Areas(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(areas) != 6 {
				t.Fatalf("%d areas, want 6", len(areas))
			}
			households := 0
			for _, a := range areas {
				households += a.Households
				var voters int64
				if err := s.DB(ctx).Model(&models.Voter{}).Where("area_id = ?", a.ID).Count(&voters).Error; err != nil {
					t.Fatal(err)
				}
				if int(voters) != a.Households {
					t.Errorf("%s: %d voters, want one per household (%d)", a.Code, voters, a.Households)
				}
				if a.PollingPlace == nil || a.PollingPlace.Lat == nil || len(a.Candidates) < 2 {
					t.Errorf("%s: polling place %+v, %d candidates", a.Code, a.PollingPlace, len(a.Candidates))
				}
			}
			if households != 1728 {
				t.Errorf("households total %d, want 1728", households)
			}
			kp1, kp2 := areas[0], areas[1]
			for _, tc := range []struct {
				area  *models.Area
				name  string
				year  int
				found int
			}{
				{kp1, "Nguyễn Văn An", 1961, 1},
				{kp1, "Trần Văn Hùng", 1970, 2},
				{kp2, "Lê Thị Hoa", 1975, 1},
				{kp2, "Nguyễn Văn An", 1961, 0},
			} {
				vs, err := s.FindVoters(ctx, tc.area.ID, models.Fold(tc.name), tc.year)
				if err != nil {
					t.Fatal(err)
				}
				if len(vs) != tc.found {
					t.Errorf("FindVoters(%s, %s, %d) found %d, want %d", tc.area.Code, tc.name, tc.year, len(vs), tc.found)
				}
			}
			vs, _ := s.FindVoters(ctx, kp1.ID, models.Fold("Nguyễn Văn An"), 1961)
			if len(vs) == 1 && (vs[0].HouseholdNo != "1" || vs[0].Phone == nil || *vs[0].Phone != "+84912345678") {
				t.Errorf("Nguyễn Văn An = %+v (phone %v)", vs[0], vs[0].Phone)
			}

			// Loading again changes nothing visible.
			if err := demo.Load(ctx, s); err != nil {
				t.Fatalf("second Load: %v", err)
			}
			again, _ := s.Areas(ctx, e.ID)
			if len(again) != 6 || again[0].ID != kp1.ID {
				t.Errorf("second Load changed the areas")
			}
		})
	}
}
