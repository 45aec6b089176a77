package results_test

import (
	"context"
	"testing"
	"time"

	"electionbot/models"
)

// provinceCode is the election of the levels' tests: three wards in two
// cities, two of them with a "kp1" and a "kp2".
const provinceCode = "qn-levels-2022"

// Distinctive numbers of the province's tallies: the provisional and
// conflicting ones must never show publicly, at any level.
const (
	klKp2ProvisionalAttending = 211
	klKp2ProvisionalVotes1    = 177
	tlThon2ConflictVotes1     = 97
	tlThon2FirstVotes1        = 93
	hhKp1Votes1               = 190 // Hải Hòa's kp1, accepted
	klKp1Votes1               = 250 // Ka Long's kp1, accepted
)

// provinceFile is the election: TP Móng Cái with Phường Ka Long (kp1 312,
// kp2 287 households) and Phường Hải Hòa (kp1 250, kp2 200); Huyện Đầm Hà
// with Xã Tân Lập (Thôn 1 180, Thôn 2 150).
func provinceFile() *models.ElectionFile {
	area := func(code, name string, hh int, cands ...string) models.FileArea {
		return models.FileArea{Code: code, Name: name, Households: hh,
			PollingPlace: models.FilePollingPlace{Name: "Nhà văn hóa " + name}, Candidates: cands}
	}
	return &models.ElectionFile{
		Election: models.FileElection{Code: provinceCode, Title: "Bầu cử Trưởng thôn, khu phố 2022",
			Date: "2022-06-05", Opens: "07:00", Closes: "11:00", Timezone: "Asia/Ho_Chi_Minh",
			Rules: models.RulesNQLT2008, Method: models.MethodSecret},
		Province: "Quảng Ninh",
		Wards: []models.FileWard{
			{Code: "ka-long", Name: "Phường Ka Long", City: "TP Móng Cái", Areas: []models.FileArea{
				area("kp1", "Khu phố 1", 312, "Nguyễn Văn An", "Trần Thị Bình"),
				area("kp2", "Khu phố 2", 287, "Lê Văn Cường", "Phạm Thị Dung"),
			}},
			{Code: "hai-hoa", Name: "Phường Hải Hòa", City: "TP Móng Cái", Areas: []models.FileArea{
				area("kp1", "Khu phố 1", 250, "Hoàng Văn Em", "Vũ Thị Giang"),
				area("kp2", "Khu phố 2", 200, "Đỗ Văn Hải", "Bùi Thị Hoa"),
			}},
			{Code: "tan-lap", Name: "Xã Tân Lập", City: "Huyện Đầm Hà", Areas: []models.FileArea{
				area("thon-1", "Thôn 1", 180, "Ngô Văn Khánh", "Đinh Thị Lan"),
				area("thon-2", "Thôn 2", 150, "Lý Văn Minh", "Mai Thị Nga"),
			}},
		},
	}
}

// seedProvince loads provinceFile and a partly reported count:
//   - Ka Long kp1 accepted: Nguyễn Văn An elected, 250 of 312;
//   - Ka Long kp2 provisional (not public);
//   - Hải Hòa kp1 accepted: Hoàng Văn Em elected, 190 of 250;
//   - Hải Hòa kp2 not reported;
//   - Tân Lập Thôn 1 accepted, 80 of 180 attending: meeting not valid;
//   - Tân Lập Thôn 2 provisional v1, then a conflicting v2 (not public).
//
// By ward (received/recognised/elected/re-run): Ka Long 2/1/1/0, Hải Hòa
// 1/1/1/0, Tân Lập 2/1/0/1; TP Móng Cái 3/2/2/0, Huyện Đầm Hà 2/1/0/1;
// province 5/3/2/1 of 6 areas, 1,379 households.
func seedProvince(t testing.TB, s *models.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.LoadElection(ctx, provinceFile()); err != nil {
		t.Fatal(err)
	}
	e, err := s.ElectionByCode(ctx, provinceCode)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]*models.Area{}
	for _, a := range areas {
		byCode[a.Ward.Code+"/"+a.Code] = a
	}
	rep, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "province-reporter", Lang: "vi"})
	if err != nil {
		t.Fatal(err)
	}
	at := electionDay.Add(-30 * time.Minute)
	add := func(area string, version int, status string, attending, invalid int, votes ...int) {
		t.Helper()
		a := byCode[area]
		if a == nil {
			t.Fatalf("no area %s", area)
		}
		valid := 0
		for _, v := range votes {
			valid += v
		}
		tl := &models.Tally{AreaID: a.ID, Version: version, ReporterID: rep.ID, Method: models.MethodSecret,
			Households: a.Households, Attending: attending, Issued: ip(attending), Returned: ip(valid + invalid),
			Valid: ip(valid), Invalid: ip(invalid), Status: status, CreatedAt: at,
			PhotoRef: "PHOTO-" + area}
		for i, v := range votes {
			tl.Votes = append(tl.Votes, models.TallyVote{CandidateID: a.Candidates[i].ID, Votes: v})
		}
		if err := s.DB(ctx).Create(tl).Error; err != nil {
			t.Fatalf("tally %s v%d: %v", area, version, err)
		}
		at = at.Add(time.Minute)
	}
	add("ka-long/kp1", 1, models.TallyAccepted, 290, 4, klKp1Votes1, 35)
	add("ka-long/kp2", 1, models.TallyProvisional, klKp2ProvisionalAttending, 3, klKp2ProvisionalVotes1, 31)
	add("hai-hoa/kp1", 1, models.TallyAccepted, 230, 2, hhKp1Votes1, 38)
	add("tan-lap/thon-1", 1, models.TallyAccepted, 80, 0, 60, 20)
	add("tan-lap/thon-2", 1, models.TallyProvisional, 140, 1, tlThon2FirstVotes1, 46)
	add("tan-lap/thon-2", 2, models.TallyConflict, 141, 1, tlThon2ConflictVotes1, 43)
}

// countingSource counts the reads of a WardSource.
type countingSource struct {
	*models.Store
	whole, ward int
}

func (c *countingSource) ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error) {
	c.whole++
	return c.Store.ElectionResults(ctx, code)
}

func (c *countingSource) ElectionResultsOf(ctx context.Context, code string, wardID int64) (*models.Election, []*models.AreaTallies, error) {
	if wardID == 0 {
		c.whole++
	} else {
		c.ward++
	}
	return c.Store.ElectionResultsOf(ctx, code, wardID)
}
