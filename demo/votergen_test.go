package demo

// Tests of GenerateVoters, the synthetic voter lists of the demo and the
// load command.

import (
	"bytes"
	"context"
	"electionbot/internal/testdb"
	"electionbot/models"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
)

var genTestAreas = []GenArea{{Code: "kp1", Households: 300, Street: "Hùng Vương"}, {Code: "kp2", Households: 250}, {Code: "kp3", Households: 2}}

func generate(t testing.TB, areas []GenArea, seed int64, fixed ...VoterRow) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := GenerateVoters(&buf, areas, seed, fixed...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGenerateVotersDeterministic(t *testing.T) {
	a := generate(t, genTestAreas, 42)
	b := generate(t, genTestAreas, 42)
	if !bytes.Equal(a, b) {
		t.Error("same seed, different bytes")
	}
	if c := generate(t, genTestAreas, 43); bytes.Equal(a, c) {
		t.Error("another seed, same bytes")
	}
}

func TestGenerateVotersContent(t *testing.T) {
	fixed := []VoterRow{
		{AreaCode: "kp1", HouseholdNo: "3", FullName: "Nguyễn Văn An", BirthYear: 1961, Address: "Số 12, đường Hùng Vương, Khu phố 1", Phone: "0912 345 678"},
		{AreaCode: "kp1", HouseholdNo: "A7", FullName: "Trần Thị Bình", BirthYear: 1970},
		{AreaCode: "kp3", HouseholdNo: "1", FullName: "Lê Văn Cường", BirthYear: 1955},
	}
	data := generate(t, genTestAreas, 1, fixed...)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "area_code,household_no,full_name,birth_year,address,phone" {
		t.Errorf("header %q", got)
	}
	for i, v := range fixed {
		want := []string{v.AreaCode, v.HouseholdNo, v.FullName, strconv.Itoa(v.BirthYear), v.Address, v.Phone}
		if got := recs[1+i]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("row %d = %q, want the fixed row %q", 1+i, got, want)
		}
	}
	perArea := map[string]int{}
	seen := map[string]bool{}
	phones, diacritics := 0, 0
	surnames := map[string]bool{}
	for _, r := range recs[1:] {
		perArea[r[0]]++
		key := r[0] + "/" + r[1]
		if seen[key] {
			t.Errorf("household %s twice", key)
		}
		seen[key] = true
		if y, err := strconv.Atoi(r[3]); err != nil || y < 1940 || y > 2004 {
			t.Errorf("birth year %q", r[3])
		}
		if r[5] != "" {
			phones++
			if _, err := models.NormalizePhone(r[5]); err != nil {
				t.Errorf("phone %q: %v", r[5], err)
			}
		}
		if models.Fold(r[2]) != strings.ToLower(r[2]) {
			diacritics++
		}
		surnames[strings.Fields(r[2])[0]] = true
		if r[0] == "kp1" && !strings.HasPrefix(r[1], "A") && !strings.Contains(r[4], ", đường Hùng Vương, Khu phố 1") {
			t.Errorf("kp1 address %q", r[4])
		}
	}
	for _, a := range genTestAreas {
		if perArea[a.Code] != a.Households {
			t.Errorf("%s: %d rows, want %d (fixed rows count)", a.Code, perArea[a.Code], a.Households)
		}
	}
	n := len(recs) - 1
	if share := float64(phones) / float64(n); share < 0.3 || share > 0.5 {
		t.Errorf("%.2f of rows have a phone, want about 0.4", share)
	}
	if diacritics < n*9/10 {
		t.Errorf("only %d of %d names have diacritics", diacritics, n)
	}
	for _, s := range []string{"Nguyễn", "Trần", "Lê", "Phạm"} {
		if !surnames[s] {
			t.Errorf("no %s among %d names", s, n)
		}
	}
	// The generated list imports cleanly.
	s := testdb.SQLite(t)
	ctx := context.Background()
	if err := Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	rep, err := s.ImportVoters(ctx, bytes.NewReader(data), "csv", models.ImportOptions{ElectionCode: ElectionCode})
	if err != nil {
		t.Fatalf("generated list refused: %v", err)
	}
	if rep.Rows != n {
		t.Errorf("parsed %d rows of %d", rep.Rows, n)
	}
}

func TestGenerateVotersNegativeHouseholds(t *testing.T) {
	var buf bytes.Buffer
	if err := GenerateVoters(&buf, []GenArea{{Code: "kp1", Households: -1}}, 1); models.ErrorCode(err) != models.EINVALID {
		t.Errorf("err = %v", err)
	}
}
