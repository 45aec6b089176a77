package models

// Tests of the voter CSV parser (internal: they need no database).

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"testing"
	"unicode/utf8"
)

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
	seed, err := os.ReadFile("testdata/fuzz_voters_seed.csv") // demo.GenerateVoters, 8 rows, seed 1
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("\uFEFFkhu_pho,so_ho,ho_ten,nam_sinh,dia_chi,so_dien_thoai\r\nkp1,1,Nguyễn Văn An,1961,\"Số 1,\r\nKP1\",+84 912 345 678\r\n"))
	f.Add([]byte("area_code,household_no,full_name,birth_year,address\nkp1,1,A,19x1,\nkp1,1,B,1950,\nkp1,1,C,1950,\n"))
	f.Add([]byte("Full_Name,Area_Code,Household_No,Birth_Year,Address,Phone\n\"Lê \"\"Tư\"\"\",KP2,07,1950,,0912345678\n"))
	f.Add([]byte("area_code,household_no,full_name,birth_year,address,phone\nkp1,1,Ng\xf4,1950,,\nkp9,1,X,1950,,\n"))
	f.Add([]byte("\xff\xfe"))
	wards := []*Ward{{ID: 7, Code: "ka-long"}}
	areas := []*Area{{ID: 1, WardID: 7, Code: "kp1"}, {ID: 2, WardID: 7, Code: "kp2"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := newVoterParser("ka-long-2022", 2022, wards, areas)
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
