// Package demo is the Ka Long 2022 example: the election of the heads of
// the 6 khu phố of Phường Ka Long, TP Móng Cái, Quảng Ninh on Sunday
// 5 June 2022, with fictional candidates and a generated, fictional voter
// list. `electionbot chat --demo` loads it into a fresh embedded database.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"electionbot/models"
)

//go:embed ka-long-2022.yaml
var electionYAML []byte

// ElectionCode is the demo election's code.
const ElectionCode = "ka-long-2022"

// Seed makes the generated voter list the same on every run.
const Seed = 20220605

// Election returns the demo election file (YAML, docs/design.md §5).
func Election() []byte { return bytes.Clone(electionYAML) }

// streets gives each khu phố the street of its nhà văn hóa, so generated
// addresses agree with the polling place.
var streets = map[string]string{
	"kp1": "Hùng Vương",
	"kp2": "Trần Phú",
	"kp3": "Lê Lợi",
	"kp4": "Nguyễn Du",
	"kp5": "Vân Đồn",
	"kp6": "Triều Dương",
}

// FixedVoters are the voters the demo conversations rely on (all fictional):
//   - kp1 household 1: Nguyễn Văn An, born 1961, phone 0912345678 (also a
//     candidate's name: an eligible resident found by name, year or phone);
//   - kp1 households 2 and 3: two Trần Văn Hùng born 1970 (several matches);
//   - kp2 household 1: Lê Thị Hoa, born 1975.
func FixedVoters() []VoterRow {
	return []VoterRow{
		{AreaCode: "kp1", HouseholdNo: "1", FullName: "Nguyễn Văn An", BirthYear: 1961,
			Address: "Số 5, đường Hùng Vương, Khu phố 1", Phone: "0912345678"},
		{AreaCode: "kp1", HouseholdNo: "2", FullName: "Trần Văn Hùng", BirthYear: 1970,
			Address: "Số 17, đường Hùng Vương, Khu phố 1"},
		{AreaCode: "kp1", HouseholdNo: "3", FullName: "Trần Văn Hùng", BirthYear: 1970,
			Address: "Số 88/4, đường Hùng Vương, Khu phố 1"},
		{AreaCode: "kp2", HouseholdNo: "1", FullName: "Lê Thị Hoa", BirthYear: 1975,
			Address: "Số 21, đường Trần Phú, Khu phố 2"},
	}
}

// ElectionFile parses the embedded election file.
func ElectionFile() (*models.ElectionFile, error) {
	f, err := models.ParseElectionFile(electionYAML)
	if err != nil {
		return nil, fmt.Errorf("demo election file: %w", err)
	}
	return f, nil
}

// Voters returns the demo voter list as CSV (docs/design.md §5 columns): one
// household per row, as many as each khu phố's households in the election
// file, the FixedVoters included. The same bytes every time.
func Voters() ([]byte, error) {
	f, err := ElectionFile()
	if err != nil {
		return nil, err
	}
	return voters(f)
}

func voters(f *models.ElectionFile) ([]byte, error) {
	areas := make([]GenArea, 0, len(f.Areas))
	for _, a := range f.Areas {
		areas = append(areas, GenArea{Code: a.Code, Households: a.Households, Street: streets[a.Code]})
	}
	var buf bytes.Buffer
	if err := GenerateVoters(&buf, areas, Seed, FixedVoters()...); err != nil {
		return nil, fmt.Errorf("demo voters: %w", err)
	}
	return buf.Bytes(), nil
}

// Load loads the demo election into s, then generates and imports its
// voter list. Loading again leaves the same election and replaces the
// lists with the same ones.
func Load(ctx context.Context, s *models.Store) error {
	f, err := ElectionFile()
	if err != nil {
		return err
	}
	if _, err := s.LoadElection(ctx, f); err != nil {
		return fmt.Errorf("demo election: %w", err)
	}
	csv, err := voters(f)
	if err != nil {
		return err
	}
	if _, err := s.ImportVoters(ctx, bytes.NewReader(csv), "csv", models.ImportOptions{ElectionCode: f.Election.Code}); err != nil {
		return fmt.Errorf("demo voters: %w", err)
	}
	return nil
}
