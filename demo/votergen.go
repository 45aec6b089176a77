package demo

import (
	"bufio"
	"electionbot/models"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
)

// GenArea is an area of a generated voter list.
type GenArea struct {
	Ward       string // the ward's code: the list has a ward_code column when an area has one
	Code       string
	Name       string // optional: the area's name in addresses ("Thôn 1"); read from the code when ""
	Households int    // rows of the area, fixed rows included
	Street     string // optional: the street of every address; varied when ""
	Rural      bool   // addresses by xóm within the thôn or bản, not by street
}

// VoterRow is one row of a voter file.
type VoterRow struct {
	WardCode                        string // written only in a list with a ward_code column
	AreaCode, HouseholdNo, FullName string
	BirthYear                       int
	Address, Phone                  string
}

// Generated birth years: household representatives, adults at the
// reference election of 5 June 2022 (so no one after 2004).
const (
	genMinBirthYear = 1940
	genMaxBirthYear = 2004
)

// Surnames with rough shares of the population (per mille).
var genSurnames = []struct {
	name   string
	weight int
}{
	{"Nguyễn", 380}, {"Trần", 110}, {"Lê", 95}, {"Phạm", 70}, {"Hoàng", 50},
	{"Huỳnh", 40}, {"Phan", 40}, {"Vũ", 40}, {"Võ", 30}, {"Đặng", 21},
	{"Bùi", 20}, {"Đỗ", 14}, {"Hồ", 13}, {"Ngô", 13}, {"Dương", 10},
	{"Lý", 5}, {"Đinh", 8}, {"Đoàn", 6}, {"Trịnh", 5}, {"Lương", 4},
}

var genSurnameTotal = func() int {
	t := 0
	for _, s := range genSurnames {
		t += s.weight
	}
	return t
}()

var (
	genMaleMiddle   = []string{"Văn", "Văn", "Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Công", "Xuân", "Đình", "Ngọc", "Trọng", "Mạnh"}
	genFemaleMiddle = []string{"Thị", "Thị", "Thị", "Thị", "Ngọc", "Thanh", "Minh", "Thu", "Kim", "Thùy", "Hồng", "Phương", "Bích"}
	genMaleGiven    = []string{"An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh", "Khoa", "Long", "Lâm", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Định", "Đông", "Hưng", "Lộc"}
	genFemaleGiven  = []string{"An", "Anh", "Bích", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hồng", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến", "Xuân", "Diệp", "Lụa"}
	genHamlets      = []string{"Đông", "Tây", "Nam", "Bắc", "Trên", "Dưới", "Giữa", "Chùa", "Đình", "Bến", "Đồng", "Trại"} // xóm of a thôn
	genStreets      = []string{"Hùng Vương", "Trần Phú", "Lê Lợi", "Nguyễn Du", "Quang Trung", "Hòa Bình", "Tuệ Tĩnh", "Vân Đồn", "Triều Dương", "Đại Lộ Hòa Bình", "Hữu Nghị", "Lý Tự Trọng", "Chu Văn An", "Lê Thánh Tông", "Bà Triệu", "Trần Hưng Đạo"}
	// Mobile prefixes of Viettel, Vinaphone, Mobifone, Vietnamobile, Gmobile.
	genMobilePrefixes = []string{"86", "96", "97", "98", "32", "33", "34", "35", "36", "37", "38", "39",
		"88", "91", "94", "81", "82", "83", "84", "85", "89", "90", "93", "70", "76", "77", "78", "79", "92", "56", "58", "99", "59"}
)

// GenerateVoters writes a deterministic fictional voter list as CSV with the
// English header: the fixed rows first, as given, then generated households
// for each area, numbered 1, 2, … skipping the numbers of that area's fixed
// rows, until the area has Households rows (fixed rows count towards it).
// Names are realistic Vietnamese names with diacritics, birth years
// 1940–2004 (adults on the reference election day of 2022), addresses like
// "Số 12, đường Hùng Vương, Khu phố 1", and about 40% of rows have a mobile
// number spelt in the ways people write them ("0912 345 678", "+84 912…").
// The same arguments give the same bytes. When an area has a Ward, the
// list starts with a ward_code column (docs/design.md §5: an election with
// several wards), and households are numbered per ward and area.
func GenerateVoters(w io.Writer, areas []GenArea, seed int64, fixed ...VoterRow) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	wards := false
	for _, a := range areas {
		wards = wards || a.Ward != ""
	}
	header := []string{"area_code", "household_no", "full_name", "birth_year", "address", "phone"}
	if wards {
		header = append([]string{"ward_code"}, header...)
	}
	rec := make([]string, len(header))
	write := func(v VoterRow) error {
		r := rec
		if wards {
			rec[0], r = v.WardCode, rec[1:]
		}
		r[0], r[1], r[2], r[3], r[4], r[5] = v.AreaCode, v.HouseholdNo, v.FullName, strconv.Itoa(v.BirthYear), v.Address, v.Phone
		return cw.Write(rec)
	}
	if err := cw.Write(header); err != nil {
		return models.Wrap(models.EINTERNAL, err, "write voters")
	}
	used := make(map[[2]string]map[string]bool) // (ward, area) → household numbers
	for _, v := range fixed {
		if err := write(v); err != nil {
			return models.Wrap(models.EINTERNAL, err, "write voters")
		}
		key := [2]string{v.WardCode, v.AreaCode}
		if used[key] == nil {
			used[key] = make(map[string]bool)
		}
		used[key][v.HouseholdNo] = true
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x766f74657273)) // "voters"
	var b strings.Builder
	for _, a := range areas {
		if a.Households < 0 {
			return models.Errorf(models.EINVALID, "area %s: households must not be negative", a.Code)
		}
		place := a.Name
		if place == "" {
			place = genPlaceName(a.Code)
		}
		taken := used[[2]string{a.Ward, a.Code}]
		n := a.Households - len(taken)
		for no := 1; n > 0; no++ {
			hh := strconv.Itoa(no)
			if taken[hh] {
				continue
			}
			n--
			v := VoterRow{WardCode: a.Ward, AreaCode: a.Code, HouseholdNo: hh}
			v.FullName = genName(rng, &b)
			v.BirthYear = genBirthYear(rng)
			if a.Rural {
				v.Address = "Số nhà " + strconv.Itoa(1+rng.IntN(120)) + ", xóm " + genHamlets[rng.IntN(len(genHamlets))] + ", " + place
			} else {
				street := a.Street
				if street == "" {
					street = genStreets[rng.IntN(len(genStreets))]
				}
				house := strconv.Itoa(1 + rng.IntN(250))
				if rng.IntN(5) == 0 {
					house += "/" + strconv.Itoa(1+rng.IntN(30)) // a house in a lane (ngõ)
				}
				v.Address = "Số " + house + ", đường " + street + ", " + place
			}
			if rng.IntN(100) < 40 {
				v.Phone = genPhone(rng)
			}
			if err := write(v); err != nil {
				return models.Wrap(models.EINTERNAL, err, "write voters")
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return models.Wrap(models.EINTERNAL, err, "write voters")
	}
	if err := bw.Flush(); err != nil {
		return models.Wrap(models.EINTERNAL, err, "write voters")
	}
	return nil
}

// genPlaceName turns an area code into the last part of an address:
// "kp1" → "Khu phố 1", "thon3" → "Thôn 3", "to12" → "Tổ 12".
func genPlaceName(code string) string {
	i := strings.IndexAny(code, "0123456789")
	if i < 0 {
		return code
	}
	prefix, num := strings.ToLower(code[:i]), strings.TrimLeft(code[i:], "0")
	if num == "" {
		num = "0"
	}
	switch prefix {
	case "kp", "khupho", "khu-pho", "khu_pho":
		return "Khu phố " + num
	case "thon", "t":
		return "Thôn " + num
	case "to", "tdp":
		return "Tổ dân phố " + num
	case "ban":
		return "Bản " + num
	}
	return "Khu phố " + code
}

func genName(rng *rand.Rand, b *strings.Builder) string {
	b.Reset()
	x := rng.IntN(genSurnameTotal)
	for _, s := range genSurnames {
		if x < s.weight {
			b.WriteString(s.name)
			break
		}
		x -= s.weight
	}
	// Household representatives are more often men on the lists.
	middle, given := genMaleMiddle, genMaleGiven
	if rng.IntN(100) < 40 {
		middle, given = genFemaleMiddle, genFemaleGiven
	}
	b.WriteByte(' ')
	b.WriteString(middle[rng.IntN(len(middle))])
	if rng.IntN(6) == 0 { // some names have two middle names: Nguyễn Thị Thu Hà
		b.WriteByte(' ')
		b.WriteString(middle[rng.IntN(len(middle))])
	}
	b.WriteByte(' ')
	b.WriteString(given[rng.IntN(len(given))])
	return b.String()
}

// genBirthYear leans towards the middle-aged, as household heads do.
func genBirthYear(rng *rand.Rand) int {
	span := genMaxBirthYear - genMinBirthYear + 1
	y := genMinBirthYear + (rng.IntN(span)+rng.IntN(span))/2
	return y
}

// genPhone is a Vietnamese mobile number in one of the spellings people use.
func genPhone(rng *rand.Rand) string {
	pre := genMobilePrefixes[rng.IntN(len(genMobilePrefixes))]
	rest := fmt.Sprintf("%07d", rng.IntN(10_000_000))
	nine := pre + rest // 9 digits after the 0 / +84
	switch rng.IntN(6) {
	case 0:
		return "0" + nine
	case 1:
		return "0" + nine[:3] + " " + nine[3:6] + " " + nine[6:]
	case 2:
		return "+84 " + nine[:3] + " " + nine[3:6] + " " + nine[6:]
	case 3:
		return "+84" + nine
	case 4:
		return "0" + nine[:3] + "." + nine[3:6] + "." + nine[6:]
	default:
		return "84" + nine
	}
}
