package testdb

import (
	"context"
	_ "embed"
	"testing"

	"electionbot/models"
)

// ProvinceYAML is a small province in the `wards:` form: five wards in
// three cities, two with a "kp1", Xã Tân Lập in two districts, Xã Hải Tiến
// with thôn that have coordinates. Its election code is ProvinceCode.
//
//go:embed testdata/province.yaml
var ProvinceYAML []byte

// ProvinceCode is the election code of ProvinceYAML.
const ProvinceCode = "qn-test-2025"

// LoadProvince loads ProvinceYAML into s.
func LoadProvince(t testing.TB, s *models.Store) *models.LoadReport {
	t.Helper()
	f, err := models.ParseElectionFile(ProvinceYAML)
	if err != nil {
		t.Fatalf("province file: %v", err)
	}
	rep, err := s.LoadElection(context.Background(), f)
	if err != nil {
		t.Fatalf("load province: %v", err)
	}
	return rep
}
