package loadtest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"electionbot/demo"
	"electionbot/models"
)

// Province is the shape of Quảng Ninh's elections of 5 June 2022 — 1,452
// village/neighbourhood elections on one day in 177 xã, phường and thị
// trấn of 13 cities and districts — scaled to a number of households: one
// election of Areas areas in Wards wards, 2 or 3 candidates each, and a
// generated household-representative voter list. Ward names are
// fictional; a phường has khu phố (kp1, kp2, …), a thị trấn khu (khu1, …),
// a xã thôn (thon1, …) or, in the mountain districts, bản (ban1, …): area
// codes repeat across wards, as they do.
type Province struct {
	Code       string
	Areas      int
	Wards      int
	Households int
}

// QuangNinh is the 1,452 areas in 177 wards of 2022 with households
// households in all.
func QuangNinh(households int) Province {
	return Province{Code: "qn-2022", Areas: 1452, Wards: 177, Households: households}
}

// qnCity is a city (thành phố, thị xã) or district (huyện) of the
// province: its wards in 2022, how many of them are phường (the rest xã;
// a huyện's first ward is its thị trấn), where it lies, and whether its
// villages are bản.
type qnCity struct {
	name, slug string
	wards      int
	phuong     int
	town       bool // a huyện: one thị trấn
	lat, lon   float64
	ban        bool
}

var qnCities = []qnCity{
	{"TP Hạ Long", "ha-long", 33, 20, false, 20.951, 107.080, false},
	{"TP Móng Cái", "mong-cai", 17, 8, false, 21.524, 107.966, false},
	{"TP Cẩm Phả", "cam-pha", 16, 13, false, 21.012, 107.292, false},
	{"TP Uông Bí", "uong-bi", 11, 9, false, 21.036, 106.773, false},
	{"TX Đông Triều", "dong-trieu", 22, 10, false, 21.083, 106.512, false},
	{"TX Quảng Yên", "quang-yen", 19, 11, false, 20.936, 106.803, false},
	{"Huyện Vân Đồn", "van-don", 12, 0, true, 21.068, 107.420, false},
	{"Huyện Tiên Yên", "tien-yen", 11, 0, true, 21.331, 107.398, false},
	{"Huyện Đầm Hà", "dam-ha", 9, 0, true, 21.353, 107.596, false},
	{"Huyện Hải Hà", "hai-ha", 11, 0, true, 21.452, 107.754, false},
	{"Huyện Bình Liêu", "binh-lieu", 7, 0, true, 21.527, 107.397, true},
	{"Huyện Ba Chẽ", "ba-che", 6, 0, true, 21.270, 107.288, true},
	{"Huyện Cô Tô", "co-to", 3, 0, true, 20.975, 107.764, false},
}

// Syllables of the generated ward names: the Sino-Vietnamese words place
// names are made of ("Tân An", "Hồng Phong"); the pairs are fictional.
var (
	wardFirst  = []string{"Tân", "Hòa", "Đông", "Tây", "Nam", "Bắc", "Thanh", "Hồng", "Quang", "Vĩnh", "Phú", "An", "Hải", "Minh", "Đức", "Kim", "Hưng", "Bình", "Long", "Xuân", "Yên", "Trung", "Đại", "Cao", "Việt"}
	wardSecond = []string{"An", "Bình", "Hòa", "Lập", "Thịnh", "Phong", "Sơn", "Hải", "Lợi", "Tiến", "Thành", "Hưng", "Lâm", "Dương", "Hà", "Mỹ", "Đồng", "Phúc", "Lộc", "Châu", "Khê", "Vân", "Tân", "Cường", "Thủy"}
)

// Layout is the province's wards with their areas (the wards: of its
// election file), the same every time: Wards wards spread over the 13
// cities in their 2022 proportions, Areas areas spread over the wards
// unevenly (a xã has fewer, larger thôn), Households over the areas.
func (p Province) Layout() []models.FileWard {
	rng := rand.New(rand.NewPCG(2022, 0x716e)) // "qn"
	wardWeights := make([]int, len(qnCities))
	for i, c := range qnCities {
		wardWeights[i] = c.wards
	}
	perCity := spread(max(p.Wards, 1), wardWeights)
	var wards []models.FileWard
	var rural []bool
	codes := map[string]bool{}
	for ci, c := range qnCities {
		n := perCity[ci]
		phuong := (c.phuong*n + c.wards/2) / c.wards
		names := map[string]bool{}
		for k := range n {
			kind := models.WardCommune
			switch {
			case c.town && k == 0:
				kind = models.WardTown
			case k < phuong:
				kind = models.WardUrban
			}
			var proper string
			for proper == "" || names[proper] {
				proper = wardFirst[rng.IntN(len(wardFirst))] + " " + wardSecond[rng.IntN(len(wardSecond))]
				if strings.Fields(proper)[0] == strings.Fields(proper)[1] {
					proper = ""
				}
			}
			names[proper] = true
			base := strings.ReplaceAll(models.Fold(proper), " ", "-")
			code := base
			if codes[code] { // the same name in another city
				code = base + "-" + c.slug
			}
			for i := 2; codes[code]; i++ {
				code = base + "-" + c.slug + "-" + strconv.Itoa(i)
			}
			codes[code] = true
			prefix := map[string]string{models.WardCommune: "Xã ", models.WardUrban: "Phường ", models.WardTown: "Thị trấn "}[kind]
			wards = append(wards, models.FileWard{Code: code, Name: prefix + proper, City: c.name})
			rural = append(rural, kind == models.WardCommune && c.ban)
		}
	}
	// Areas per ward: 5–12, a phường more than a xã, then scaled to Areas.
	weights := make([]int, len(wards))
	for i, w := range wards {
		weights[i] = 5 + rng.IntN(6)
		if strings.HasPrefix(w.Name, "Phường") {
			weights[i] += 2
		}
	}
	perWard := spread(p.Areas, weights)
	global := 0
	for wi := range wards {
		w := &wards[wi]
		c := cityOf(w.City)
		wlat, wlon := c.lat+(rng.Float64()-0.5)*0.16, c.lon+(rng.Float64()-0.5)*0.16
		for j := range perWard[wi] {
			no := strconv.Itoa(j + 1)
			var code, name string
			switch {
			case strings.HasPrefix(w.Name, "Phường"):
				code, name = "kp"+no, "Khu phố "+no
			case strings.HasPrefix(w.Name, "Thị trấn"):
				code, name = "khu"+no, "Khu "+no
			case rural[wi]:
				code, name = "ban"+no, "Bản "+no
			default:
				code, name = "thon"+no, "Thôn "+no
			}
			lat, lon := round5(wlat+(rng.Float64()-0.5)*0.03), round5(wlon+(rng.Float64()-0.5)*0.03)
			a := models.FileArea{Code: code, Name: name, Households: p.areaHouseholds(global),
				PollingPlace: models.FilePollingPlace{Name: "Nhà văn hóa " + lowerFirst(name),
					Address: name + ", " + lowerFirst(w.Name) + ", " + w.City, Lat: &lat, Lon: &lon},
				Candidates: []string{"Nguyễn Văn An", "Trần Thị Bình"}}
			if global%3 == 2 {
				a.Candidates = append(a.Candidates, "Lê Văn Cường")
			}
			w.Areas = append(w.Areas, a)
			global++
		}
	}
	return wards
}

func cityOf(name string) qnCity {
	for _, c := range qnCities {
		if c.name == name {
			return c
		}
	}
	return qnCity{}
}

// lowerFirst lower-cases the first letter: "Khu phố 1" → "khu phố 1".
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// round5 is x to 5 decimals (a metre), as the areas table writes it, so
// the table and the election file say the same.
func round5(x float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 5, 64), 64)
	return r
}

// spread divides total into len(weights) parts in proportion to weights
// (largest remainders), each at least 1 while total allows.
func spread(total int, weights []int) []int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	out := make([]int, len(weights))
	type rem struct{ i, r int }
	rems := make([]rem, len(weights))
	given := 0
	for i, w := range weights {
		out[i] = total * w / sum
		rems[i] = rem{i, total * w % sum}
		given += out[i]
	}
	// Largest remainders first; ties by position, so the result is stable.
	for given < total {
		best := -1
		for k, r := range rems {
			if r.r >= 0 && (best < 0 || r.r > rems[best].r) {
				best = k
			}
		}
		out[rems[best].i]++
		rems[best].r = -1
		given++
	}
	for i := range out { // no empty ward: take from the largest
		for out[i] == 0 && total >= len(out) {
			j := 0
			for k := range out {
				if out[k] > out[j] {
					j = k
				}
			}
			out[j]--
			out[i]++
		}
	}
	return out
}

// areaHouseholds is the households of area i (0-based): the total spread
// evenly, the first areas one more.
func (p Province) areaHouseholds(i int) int {
	n := p.Households / p.Areas
	if i < p.Households%p.Areas {
		n++
	}
	return n
}

// ElectionFile is the election in the wards: form: date, hours and rules
// of 2022.
func (p Province) ElectionFile() *models.ElectionFile {
	f := p.SeedElectionFile()
	f.Wards = p.Layout()
	return f
}

// SeedElectionFile is the election with its first ward's first area only:
// what a province loads before `import areas` of its whole table.
func (p Province) SeedElectionFile() *models.ElectionFile {
	w := p.Layout()[0]
	w.Areas = w.Areas[:1]
	return &models.ElectionFile{
		Election: models.FileElection{Code: p.Code, Title: "Bầu cử Trưởng thôn, Trưởng khu phố nhiệm kỳ 2022–2025",
			Date: "2022-06-05", Opens: "07:00", Closes: "11:00", Timezone: "Asia/Ho_Chi_Minh",
			Rules: models.RulesNQLT2008, Method: models.MethodSecret},
		Province: "Quảng Ninh",
		Wards:    []models.FileWard{w},
	}
}

// AreasCSV writes the areas table of the province (`electionbot import
// areas`, docs/design.md §5): one row per area, the English header.
func (p Province) AreasCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"city", "ward_code", "ward", "area_code", "area", "households", "polling_place",
		"address", "lat", "lon", "candidates"}); err != nil {
		return err
	}
	coord := func(x *float64) string { return strconv.FormatFloat(*x, 'f', 5, 64) }
	for _, wd := range p.Layout() {
		for _, a := range wd.Areas {
			pp := a.PollingPlace
			if err := cw.Write([]string{wd.City, wd.Code, wd.Name, a.Code, a.Name, strconv.Itoa(a.Households), pp.Name,
				pp.Address, coord(pp.Lat), coord(pp.Lon), strings.Join(a.Candidates, ";")}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// VoterCSV generates the voter list (demo.GenerateVoters, seed 2022), with
// its ward_code column.
func (p Province) VoterCSV() ([]byte, error) {
	var gen []demo.GenArea
	for _, w := range p.Layout() {
		commune := strings.HasPrefix(w.Name, "Xã")
		for _, a := range w.Areas {
			gen = append(gen, demo.GenArea{Ward: w.Code, Code: a.Code, Name: a.Name, Households: a.Households, Rural: commune})
		}
	}
	var buf bytes.Buffer
	buf.Grow(p.Households * 100)
	if err := demo.GenerateVoters(&buf, gen, 2022); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Load loads the election into s.
func (p Province) Load(ctx context.Context, s *models.Store) error {
	_, err := s.LoadElection(ctx, p.ElectionFile())
	return err
}

// String describes the province: "qn-2022: 1,452 areas in 177 wards".
func (p Province) String() string {
	return fmt.Sprintf("%s: %s areas in %s wards", p.Code, Thousands(int64(p.Areas)), Thousands(int64(p.Wards)))
}
