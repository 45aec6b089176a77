package models

// Tests of GenerateVoters and, since they share the parser, the fuzz target
// of the voter CSV parser (internal: it needs no database).

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
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
			if _, err := NormalizePhone(r[5]); err != nil {
				t.Errorf("phone %q: %v", r[5], err)
			}
		}
		if Fold(r[2]) != strings.ToLower(r[2]) {
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
	p := newVoterParser("ka-long-2022", 2022, []*Area{{ID: 1, Code: "kp1"}, {ID: 2, Code: "kp2"}, {ID: 3, Code: "kp3"}})
	if err := parseVoterCSV(bytes.NewReader(data), p); err != nil {
		t.Fatalf("generated list refused: %v", err)
	}
	if len(p.rows) != n {
		t.Errorf("parsed %d rows of %d", len(p.rows), n)
	}
}

func TestGenerateVotersNegativeHouseholds(t *testing.T) {
	var buf bytes.Buffer
	if err := GenerateVoters(&buf, []GenArea{{Code: "kp1", Households: -1}}, 1); ErrorCode(err) != EINVALID {
		t.Errorf("err = %v", err)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1000000: "1,000,000", 12345678: "12,345,678"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSqueezeSpaces(t *testing.T) {
	for in, want := range map[string]string{"": "", "An": "An", "Nguyễn Văn An": "Nguyễn Văn An", "  Nguyễn  Văn\tAn ": "Nguyễn Văn An", "Lê\u00a0Lan": "Lê Lan", "Lê\u3000Lan": "Lê Lan"} {
		if got := squeezeSpaces(in); got != want {
			t.Errorf("squeezeSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseVoterCSV: the voter CSV parser never panics; it refuses a file
// with an EINVALID error, or every row it keeps is valid.
func FuzzParseVoterCSV(f *testing.F) {
	f.Add(generate(f, []GenArea{{Code: "kp1", Households: 5}, {Code: "kp2", Households: 3}}, 1))
	f.Add([]byte("\uFEFFkhu_pho,so_ho,ho_ten,nam_sinh,dia_chi,so_dien_thoai\r\nkp1,1,Nguyễn Văn An,1961,\"Số 1,\r\nKP1\",+84 912 345 678\r\n"))
	f.Add([]byte("area_code,household_no,full_name,birth_year,address\nkp1,1,A,19x1,\nkp1,1,B,1950,\nkp1,1,C,1950,\n"))
	f.Add([]byte("Full_Name,Area_Code,Household_No,Birth_Year,Address,Phone\n\"Lê \"\"Tư\"\"\",KP2,07,1950,,0912345678\n"))
	f.Add([]byte("area_code,household_no,full_name,birth_year,address,phone\nkp1,1,Ng\xf4,1950,,\nkp9,1,X,1950,,\n"))
	f.Add([]byte("\xff\xfe"))
	areas := []*Area{{ID: 1, Code: "kp1"}, {ID: 2, Code: "kp2"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := newVoterParser("ka-long-2022", 2022, areas)
		err := parseVoterCSV(bytes.NewReader(data), p)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || e.Message == "" {
				t.Fatalf("error %#v is not an EINVALID *Error", err)
			}
			return
		}
		if len(p.rows) == 0 {
			t.Fatal("no error and no rows")
		}
		seen := map[string]bool{}
		for i := range p.rows {
			r := &p.rows[i]
			hh := string(p.recField(r, recHousehold))
			name := string(p.recField(r, recName))
			folded := string(p.recField(r, recFolded))
			phone := string(p.recField(r, recPhone))
			switch {
			case hh == "" || name == "" || folded == "":
				t.Fatalf("row %d: empty field: %q %q %q", i, hh, name, folded)
			case folded != Fold(name) || name != squeezeSpaces(name):
				t.Fatalf("row %d: name %q folded %q", i, name, folded)
			case r.year < minBirthYear || int(r.year) > 2022-adultAge:
				t.Fatalf("row %d: year %d", i, r.year)
			case phone != "" && phone[0] != '+':
				t.Fatalf("row %d: phone %q", i, phone)
			case !utf8.ValidString(name + hh + phone + string(p.recField(r, recAddress))):
				t.Fatalf("row %d: not UTF-8", i)
			}
			key := strconv.Itoa(int(r.area)) + "/" + hh
			if seen[key] {
				t.Fatalf("row %d: household %q twice", i, key)
			}
			seen[key] = true
		}
	})
}
