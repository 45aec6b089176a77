package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"electionbot/bot"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// levelsFile is an election of three wards in two cities, two of them
// with a "kp1": Phường Ka Long and Phường Hải Hòa (TP Móng Cái), Xã Tân
// Lập (Huyện Đầm Hà).
func levelsFile() *models.ElectionFile {
	area := func(code, name string, hh int, cands ...string) models.FileArea {
		return models.FileArea{Code: code, Name: name, Households: hh,
			PollingPlace: models.FilePollingPlace{Name: "Nhà văn hóa " + name}, Candidates: cands}
	}
	return &models.ElectionFile{
		Election: models.FileElection{Code: "qn-2022", Title: "Bầu cử Trưởng thôn, khu phố 2022",
			Date: "2022-06-05", Opens: "07:00", Closes: "11:00", Rules: models.RulesNQLT2008, Method: models.MethodSecret},
		Province: "Quảng Ninh",
		Wards: []models.FileWard{
			{Code: "ka-long", Name: "Phường Ka Long", City: "TP Móng Cái", Areas: []models.FileArea{
				area("kp1", "Khu phố 1", 312, "Nguyễn Văn An", "Trần Thị Bình"),
				area("kp2", "Khu phố 2", 287, "Lê Văn Cường", "Phạm Thị Dung")}},
			{Code: "hai-hoa", Name: "Phường Hải Hòa", City: "TP Móng Cái", Areas: []models.FileArea{
				area("kp1", "Khu phố 1", 250, "Hoàng Văn Em", "Vũ Thị Giang"),
				area("kp2", "Khu phố 2", 200, "Đỗ Văn Hải", "Bùi Thị Hoa")}},
			{Code: "tan-lap", Name: "Xã Tân Lập", City: "Huyện Đầm Hà", Areas: []models.FileArea{
				area("thon-1", "Thôn 1", 180, "Ngô Văn Khánh", "Đinh Thị Lan"),
				area("thon-2", "Thôn 2", 150, "Lý Văn Minh", "Mai Thị Nga")}},
		},
	}
}

// wholeReads counts the reads of a whole election's results.
type wholeReads struct {
	*models.Store
	n *int
}

func (w wholeReads) ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error) {
	*w.n++
	return w.Store.ElectionResults(ctx, code)
}

// newLevelsHarness loads levelsFile with a partly reported count (by
// ward, received/recognised/elected: Ka Long 2/1/1 with kp2 provisional,
// Hải Hòa 1/1/1, Tân Lập 2/1/0 with Thôn 1's meeting not valid and Thôn 2
// in conflict). Contact "1" is Ka Long's admin, "5" a province admin;
// whole counts the reads of the whole election.
func newLevelsHarness(t *testing.T, s *models.Store, f *models.ElectionFile) (o *offHarness, whole *int) {
	t.Helper()
	ctx := context.Background()
	o = &offHarness{t: t, s: s, now: at(2022, 6, 5, 11, 30), lang: map[string]string{}, defLang: "vi", chann: models.ChannelConsole}
	s.Now = o.clock
	if _, err := s.LoadElection(ctx, f); err != nil {
		t.Fatal(err)
	}
	var err error
	if o.el, err = s.ElectionByCode(ctx, f.Election.Code); err != nil {
		t.Fatal(err)
	}
	if o.areas, err = s.Areas(ctx, o.el.ID); err != nil {
		t.Fatal(err)
	}
	whole = new(int)
	o.h, err = New(Config{Now: o.clock, Charts: results.Charts{}, Stores: func(tx *models.Store) Stores {
		st := StoresOf(tx)
		st.Results = wholeReads{Store: tx, n: whole}
		return st
	}})
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]*models.Area{}
	for _, a := range o.areas {
		byCode[a.Ward.Code+"/"+a.Code] = a
	}
	if kl := byCode["ka-long/kp1"]; kl != nil {
		grant(t, s, o.contact("1"), models.RoleAdmin, &kl.WardID)
	}
	grant(t, s, o.contact("5"), models.RoleAdmin, nil)
	rep := o.contact("2")
	add := func(area string, version int, status string, attending int, votes ...int) {
		a := byCode[area]
		if a == nil {
			return
		}
		valid := 0
		for _, v := range votes {
			valid += v
		}
		tl := &models.Tally{AreaID: a.ID, Version: version, ReporterID: rep.ID, Method: models.MethodSecret,
			Households: a.Households, Attending: attending, Issued: ptr(attending), Returned: ptr(valid),
			Valid: ptr(valid), Invalid: ptr(0), Status: status, CreatedAt: o.now.UTC()}
		for i, v := range votes {
			tl.Votes = append(tl.Votes, models.TallyVote{CandidateID: a.Candidates[i].ID, Votes: v})
		}
		if err := s.DB(ctx).Create(tl).Error; err != nil {
			t.Fatal(err)
		}
	}
	add("ka-long/kp1", 1, models.TallyAccepted, 285, 250, 35)
	add("ka-long/kp2", 1, models.TallyProvisional, 208, 177, 31)
	add("hai-hoa/kp1", 1, models.TallyAccepted, 228, 190, 38)
	add("tan-lap/thon-1", 1, models.TallyAccepted, 80, 60, 20)
	add("tan-lap/thon-2", 1, models.TallyProvisional, 139, 93, 46)
	add("tan-lap/thon-2", 2, models.TallyConflict, 140, 97, 43)
	return o, whole
}

func grant(t *testing.T, s *models.Store, c *models.Contact, role string, ward *int64) {
	t.Helper()
	if err := s.Grant(context.Background(), &models.RoleGrant{ContactID: &c.ID, Role: role, WardID: ward}); err != nil {
		t.Fatal(err)
	}
}

// The roll-up for a province's officials, one ward's results for a
// ward's: on both databases.
func TestResultsByLevelInChat(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			o, whole := newLevelsHarness(t, n.Store, levelsFile())

			// A province admin with no ward in view: the roll-up.
			out := o.send("5", "/ketqua")
			got := mine("5", out)
			expect(t, got, "📊 Bầu cử Trưởng thôn, khu phố 2022 — Quảng Ninh (cập nhật",
				"Đã nhận biên bản: 5/6 khu dân cư (83,3%); đã công nhận: 3; trúng cử: 2; bầu lại, họp lại: 1.",
				"Chờ xem xét: 1 bản tạm thời, 1 bản mâu thuẫn.",
				"🏙 TP Móng Cái: nhận 3/4, công nhận 2, trúng cử 2",
				"• Phường Ka Long (ka-long): nhận 2/2, công nhận 1, trúng cử 1",
				"• Phường Hải Hòa (hai-hoa): nhận 1/2, công nhận 1, trúng cử 1",
				"🏙 Huyện Đầm Hà: nhận 2/2, công nhận 1, trúng cử 0",
				"• Xã Tân Lập (tan-lap): nhận 2/2, công nhận 1, trúng cử 0",
				"Kết quả một xã, phường: /ketqua ka-long",
				"⚠️ Khu dân cư có báo cáo mâu thuẫn, cần xã, phường xem xét (1):\n• Thôn 2 — Xã Tân Lập: /ketqua tan-lap")
			expectNot(t, got, "Nguyễn Văn An", "Khu phố 1", "xã, phường khác", "Trang kết quả", "khu dân cư khác")
			if !hasDocument(out, "tien-do-qn-2022.png") {
				t.Errorf("no progress chart in %s", dump(out))
			}
			// From the areas' standings by ward: no area's tallies read,
			// for the text nor for the chart.
			if *whole != 0 {
				t.Errorf("a province admin's /ketqua read the whole election %d times", *whole)
			}
			// A viewer too, in English.
			o.lang["8"] = "en"
			grant(t, o.s, o.contact("8"), models.RoleViewer, nil)
			expect(t, mine("8", o.send("8", "/ketqua")), "Minutes received: 5/6 areas (83.3%); recognised: 3; elected: 2; re-run or meeting again: 1.",
				"• Xã Tân Lập (tan-lap): received 2/2, recognised 1, elected 0",
				"⚠️ Areas with conflicting reports, for their ward to review (1):\n• Thôn 2 — Xã Tân Lập: /ketqua tan-lap")

			// One ward by code or name: its areas, not another ward's kp1.
			hh := mine("5", o.send("5", "/ketqua hai-hoa"))
			expect(t, hh, "Phường Hải Hòa", "Hoàng Văn Em — 190 phiếu", "Đã nhận biên bản: 1/2")
			expectNot(t, hh, "Nguyễn Văn An", "Phường Ka Long")
			expect(t, mine("5", o.send("5", "/ketqua ka long")), "Nguyễn Văn An — 250 phiếu")

			// A ward admin: their ward, read alone.
			*whole = 0
			kl := mine("1", o.send("1", "/ketqua"))
			expect(t, kl, "Phường Ka Long", "Nguyễn Văn An — 250 phiếu", "Đã nhận biên bản: 2/2")
			expectNot(t, kl, "Hải Hòa", "Hoàng Văn Em", "Tân Lập", "🏙", "/ketqua tatca")
			expectNot(t, mine("1", o.send("1", "/ketqua tatca")), "🏙", "Hải Hòa")
			expectNot(t, mine("1", o.send("1", "/ketqua hai-hoa")), "Hoàng Văn Em")
			if *whole != 0 {
				t.Errorf("a ward admin's /ketqua read the whole election %d times", *whole)
			}

			// A province admin who chose a ward sees it, and the way to the
			// whole.
			placeIn(t, o, "5", "tan-lap")
			tl := mine("5", o.send("5", "/ketqua"))
			expect(t, tl, "Xã Tân Lập", "Tổng hợp toàn bộ cuộc bầu cử: /ketqua tatca")
			expectNot(t, tl, "Phường Ka Long")
			expect(t, mine("5", o.send("5", "/ketqua tatca")), "🏙 TP Móng Cái")

			// A resident is told no numbers.
			expectNot(t, mine("4", o.send("4", "/ketqua")), "🏙", "nhận 2/2")
		})
	}
}

// placeIn makes the ward with code the contact's ward in view.
func placeIn(t *testing.T, o *offHarness, user, code string) {
	t.Helper()
	ctx := context.Background()
	w, err := o.s.WardByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	c := o.contact(user)
	if err := o.s.DB(ctx).Model(&models.Contact{}).Where("id = ?", c.ID).Update("ward_id", w.ID).Error; err != nil {
		t.Fatal(err)
	}
}

func hasDocument(out []bot.Outgoing, name string) bool {
	for _, m := range out {
		if m.Document != nil && m.Document.Name == name {
			return true
		}
	}
	return false
}

// A province of 35 wards: 30 listed, the rest on the results page.
func TestResultsRollUpListsThirtyWards(t *testing.T) {
	f := levelsFile()
	f.Wards = nil
	for i := 1; i <= 35; i++ {
		f.Wards = append(f.Wards, models.FileWard{Code: fmt.Sprintf("w%02d", i), Name: fmt.Sprintf("Phường %d", i),
			City: fmt.Sprintf("TP %d", (i-1)/10+1), Areas: []models.FileArea{{Code: "kp1", Name: "Khu phố 1", Households: 100,
				PollingPlace: models.FilePollingPlace{Name: "Nhà văn hóa"}, Candidates: []string{"A", "B"}}}})
	}
	o, _ := newLevelsHarness(t, testdb.SQLite(t), f)
	got := mine("5", o.send("5", "/ketqua"))
	expect(t, got, "• Phường 30 (w30)", "🏙 TP 4: nhận 0/5", "…và 5 xã, phường khác — xem trên trang kết quả.", "Đã nhận biên bản: 0/35")
	expectNot(t, got, "Phường 31", "http")

	// With the page's address known, the link.
	o.h.resultsURL = func(election, ward string) string {
		return "https://kq.example.vn/results/" + election + map[bool]string{true: "", false: "?ward=" + ward}[ward == ""]
	}
	expect(t, mine("5", o.send("5", "/ketqua")), "…và 5 xã, phường khác — xem trang kết quả: https://kq.example.vn/results/qn-2022")
	expect(t, mine("5", o.send("5", "/ketqua w03")), "Trang kết quả: https://kq.example.vn/results/qn-2022?ward=w03")
}

// /xuat: a ward's admin exports their ward, a province's all of it.
func TestResultsExportByWard(t *testing.T) {
	o, _ := newLevelsHarness(t, testdb.SQLite(t), levelsFile())
	rows := func(user string) ([][]string, string) {
		t.Helper()
		out := o.send(user, "/xuat csv")
		if len(out) != 1 || out[0].Document == nil {
			t.Fatalf("/xuat = %s", dump(out))
		}
		recs, err := csv.NewReader(bytes.NewReader(out[0].Document.Data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs, out[0].Document.Name
	}
	kl, name := rows("1")
	if len(kl) != 3 || kl[1][3] != "Phường Ka Long" || kl[2][3] != "Phường Ka Long" || !strings.HasPrefix(name, "ket-qua-qn-2022-ka-long-") {
		t.Errorf("ward admin's export %s: %v", name, kl)
	}
	placeIn(t, o, "5", "hai-hoa")
	all, name := rows("5")
	if len(all) != 7 || !strings.HasPrefix(name, "ket-qua-qn-2022-2022") {
		t.Errorf("province admin's export %s: %d rows", name, len(all))
	}
	evs := o.audits(ActionExport)
	if len(evs) != 2 || evs[0].Detail != "format=csv ward=ka-long" || evs[1].Detail != "format=csv" {
		t.Errorf("audits %+v", evs)
	}
}
