package demo

// The second example: TP Móng Cái 2022, one election for three wards — a
// newcomer can try choosing a ward, and a commune's thôn beside the
// khu phố of two phường that both have a "kp1". `electionbot chat
// --demo-city` loads it into a fresh embedded database.

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"electionbot/models"
)

//go:embed mong-cai-2022.yaml
var cityYAML []byte

// CityElectionCode is the code of the TP Móng Cái demo election.
const CityElectionCode = "mong-cai-2022"

// CitySeed makes the city's generated voter list the same on every run.
const CitySeed = 20220606

// CityElection returns the city demo's election file (YAML, the wards:
// form of docs/design.md §5).
func CityElection() []byte { return bytes.Clone(cityYAML) }

// CityElectionFile parses the embedded city election file.
func CityElectionFile() (*models.ElectionFile, error) {
	f, err := models.ParseElectionFile(cityYAML)
	if err != nil {
		return nil, fmt.Errorf("demo city election file: %w", err)
	}
	return f, nil
}

// cityStreets gives each khu phố of Hải Hòa the street of its nhà văn hóa
// (Ka Long's are streets); Hải Tiến's thôn have xóm, not streets.
var cityStreets = map[string]map[string]string{
	"ka-long": streets,
	"hai-hoa": {"kp1": "Hòa Bình", "kp2": "Trần Khánh Dư", "kp3": "Đại Lộ Hòa Bình", "kp4": "Hữu Nghị"},
}

// CityFixedVoters are the voters the city demo relies on (all fictional):
// Ka Long's FixedVoters in their ward, and
//   - hai-hoa kp1 household 1: Nguyễn Văn An, born 1961 (the same name and
//     year as Ka Long's kp1 household 1: a "kp1" in each ward);
//   - hai-tien thon-1 household 1: Hoàng Văn Tư, born 1958, phone
//     0987654321 (also a candidate's name);
//   - hai-tien thon-3 household 1: Lý Thị Xuân, born 1966.
func CityFixedVoters() []VoterRow {
	var out []VoterRow
	for _, v := range FixedVoters() {
		v.WardCode = "ka-long"
		out = append(out, v)
	}
	return append(out,
		VoterRow{WardCode: "hai-hoa", AreaCode: "kp1", HouseholdNo: "1", FullName: "Nguyễn Văn An", BirthYear: 1961,
			Address: "Số 14, đường Hòa Bình, Khu phố 1"},
		VoterRow{WardCode: "hai-tien", AreaCode: "thon-1", HouseholdNo: "1", FullName: "Hoàng Văn Tư", BirthYear: 1958,
			Address: "Số nhà 3, xóm Đông, Thôn 1", Phone: "0987654321"},
		VoterRow{WardCode: "hai-tien", AreaCode: "thon-3", HouseholdNo: "1", FullName: "Lý Thị Xuân", BirthYear: 1966,
			Address: "Số nhà 18, xóm Bến, Thôn 3"},
	)
}

// CityVoters returns the city demo's voter list as CSV with a ward_code
// column: one household per row, as many as each area's households in the
// election file, CityFixedVoters included. The same bytes every time.
func CityVoters() ([]byte, error) {
	f, err := CityElectionFile()
	if err != nil {
		return nil, err
	}
	return cityVoters(f)
}

func cityVoters(f *models.ElectionFile) ([]byte, error) {
	var areas []GenArea
	for _, w := range f.AllWards() {
		for _, a := range w.Areas {
			areas = append(areas, GenArea{Ward: w.Code, Code: a.Code, Name: a.Name, Households: a.Households,
				Street: cityStreets[w.Code][a.Code], Rural: w.Kind == models.WardCommune})
		}
	}
	var buf bytes.Buffer
	if err := GenerateVoters(&buf, areas, CitySeed, CityFixedVoters()...); err != nil {
		return nil, fmt.Errorf("demo city voters: %w", err)
	}
	return buf.Bytes(), nil
}

// LoadCity loads the city demo election into s, then generates and
// imports its voter list. Loading again leaves the same election and
// replaces the lists with the same ones.
func LoadCity(ctx context.Context, s *models.Store) error {
	f, err := CityElectionFile()
	if err != nil {
		return err
	}
	if _, err := s.LoadElection(ctx, f); err != nil {
		return fmt.Errorf("demo city election: %w", err)
	}
	csv, err := cityVoters(f)
	if err != nil {
		return err
	}
	if _, err := s.ImportVoters(ctx, bytes.NewReader(csv), "csv", models.ImportOptions{ElectionCode: f.Election.Code}); err != nil {
		return fmt.Errorf("demo city voters: %w", err)
	}
	return nil
}
