package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/models"
	"electionbot/sheets"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden from the current replies")

// golden compares got with testdata/name.golden (-update rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// voterXLSX is a voter list as Excel saves it, with the template's
// Vietnamese headers.
func voterXLSX(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	all := append([][]any{{"Mã xã", "Khu phố", "Số hộ", "Họ tên", "Năm sinh", "Địa chỉ", "Số điện thoại"}}, rows...)
	for i, r := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// answer posts an update and returns the texts sent to user because of
// it, without the officials' reminders the outbox sends meanwhile.
func (p *provinceServe) answer(user int64, update string) string {
	p.t.Helper()
	before := len(p.fake.Sent(user))
	if code := p.post(update, testSecret); code != 200 {
		p.t.Fatalf("webhook = %d for %s", code, update)
	}
	p.waitAllSent()
	var b strings.Builder
	for _, c := range p.fake.Sent(user)[before:] {
		if text := c.Get("text"); !strings.HasPrefix(text, "🗂") {
			b.WriteString(text + "\n")
		}
	}
	return b.String()
}

// sendFile sends a document from user and returns the texts sent back.
func (p *provinceServe) sendFile(user int64, name string, data []byte) string {
	p.t.Helper()
	id := p.fake.AddFile(data)
	return p.answer(user, telegramtest.DocumentUpdate(int(p.update.Add(1)), user, name, id, len(data)))
}

func (p *provinceServe) voters() int64 { return p.count("voters") }

// An admin sends a voter list in chat: checked by the CLI's import,
// summarised, imported only once confirmed; a file with bad rows is
// refused with its reasons and changes nothing; a ward's admin cannot
// send another ward's list; a resident's file is refused politely. Every
// step is audited with the file's hash.
func TestServeFilesInChat(t *testing.T) {
	eachStore(t, func(t *testing.T, s *models.Store) {
		p := startProvince(t, s, nil)
		ctx := context.Background()

		// A resident's file: a polite refusal, nothing read.
		p.say(301, "/start")
		list := voterXLSX(t,
			[]any{"ka-long", "kp1", "1", "Nguyễn Văn An", 1961, "Số 1, đường Hùng Vương", "0912345678"},
			[]any{"ka-long", "kp1", "2", "Trần Thị Bình", 1970, "Số 3, đường Hùng Vương", ""},
			[]any{"ka-long", "kp2", "1", "Lê Văn Cường", 1955, "Số 5, đường Trần Phú", ""},
		)
		wants(t, p.sendFile(301, "danh_sach.xlsx", list), "chỉ nhận tệp danh sách từ cán bộ")

		// The ward's admin: the summary, nothing imported yet.
		p.say(201, "/start")
		ad := p.contact(201)
		kaLong, err := s.WardByCode(ctx, "ka-long")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Grant(ctx, &models.RoleGrant{ContactID: &ad.ID, Role: models.RoleAdmin, WardID: &kaLong.ID}); err != nil {
			t.Fatal(err)
		}
		// Files the bot does not fetch: too large, or of another kind.
		wants(t, p.answer(201, telegramtest.DocumentUpdate(int(p.update.Add(1)), 201, "lon.xlsx", "none", 11<<20)), "lớn hơn 10 MB")
		wants(t, p.answer(201, telegramtest.DocumentUpdate(int(p.update.Add(1)), 201, "bao_cao.pdf", "none", 100)), "không phải tệp Kênh hỏi đáp đọc được")

		summary := p.sendFile(201, "danh_sach.xlsx", list)
		golden(t, "files_summary_voters", summary)
		if n := p.voters(); n != 0 {
			t.Fatalf("%d voters before the confirmation", n)
		}
		// Confirmed with the button: imported.
		wants(t, p.answer(201, callbackUpdate(int(p.update.Add(1)), 201, 1, "file:ok")), "✅ Đã nhập.", "ka-long/kp1: 2 hộ (mới)", "ka-long/kp2: 1 hộ (mới)")
		if n := p.voters(); n != 3 {
			t.Fatalf("%d voters after the confirmation, want 3", n)
		}

		// Three bad rows, saved by Excel in a Vietnamese locale (";"):
		// the three reasons, nothing changed.
		bad := "\uFEFFMã xã;Khu phố;Số hộ;Họ tên;Năm sinh;Địa chỉ\r\n" +
			"ka-long;kp1;1;Nguyễn Văn An;1961;Số 1\r\n" +
			"ka-long;kp1;2;Trần Thị Bình;19x1;Số 3\r\n" +
			"ka-long;kp9;3;Phạm Văn Dũng;1980;Số 7\r\n" +
			"ka-long;kp1;1;Hoàng Thị Em;1990;Số 9\r\n"
		golden(t, "files_problems_voters", p.sendFile(201, "danh_sach_loi.csv", []byte(bad)))
		if n := p.voters(); n != 3 {
			t.Fatalf("%d voters after a refused file, want 3", n)
		}

		// Another ward's list from the ward's admin: refused, with the reason.
		other := voterXLSX(t,
			[]any{"ka-long", "kp1", "1", "Nguyễn Văn An", 1961, "Số 1", ""},
			[]any{"hai-tien", "thon-1", "1", "Vũ Văn Giang", 1960, "Thôn 1", ""},
		)
		wants(t, p.sendFile(201, "hai_tien.xlsx", other), "không được nhập", "hai-tien", "ngoài xã, phường ông/bà quản trị")
		if n := p.voters(); n != 3 {
			t.Fatalf("%d voters after another ward's file, want 3", n)
		}

		// Confirmed by typing "đồng ý": the list replaces kp1's.
		p.sendFile(201, "kp1.xlsx", voterXLSX(t, []any{"ka-long", "kp1", "7", "Đỗ Văn Hải", 1972, "Số 11", ""}))
		wants(t, p.answer(201, textUpdate(int(p.update.Add(1)), 201, "đồng ý")), "✅ Đã nhập.", "ka-long/kp1: 1 hộ (thay 2 hộ của danh sách cũ)")
		if n := p.voters(); n != 2 {
			t.Fatalf("%d voters after kp1 was replaced, want 2", n)
		}

		// More than ten problems: ten, then how many more.
		var many strings.Builder
		many.WriteString("khu_pho,so_ho,ho_ten,nam_sinh,dia_chi,ma_xa\n")
		for i := range 12 {
			fmt.Fprintf(&many, "kp1,%d,Người Thứ %d,20%02d,Số %d,ka-long\n", 100+i, i, 10+i, i)
		}
		golden(t, "files_problems_many", p.sendFile(201, "nhieu_loi.csv", []byte(many.String())))

		// The templates, for admins only.
		wants(t, p.say(301, "/maufile"), "chỉ dành cho cán bộ")
		docs := len(p.fake.Calls("sendDocument"))
		wants(t, p.say(201, "/maufile"), "Các tệp mẫu")
		sent := p.fake.Calls("sendDocument")[docs:]
		if len(sent) != 3 || !bytes.HasPrefix(sent[0].Files["document"], []byte("PK")) {
			t.Errorf("/maufile sent %d documents, want the 3 templates (XLSX first)", len(sent))
		}

		// An areas table (tab-separated) of the whole province: the
		// province's admin may send it, the ward's may not.
		areas := "ma_xa\txa\tma_khu\tkhu\tso_ho\tnoi_bo_phieu\n" +
			"ka-long\tPhường Ka Long\tkp1\tKhu phố 1\t312\tNhà văn hóa khu phố 1\n" +
			"ka-long\tPhường Ka Long\tkp2\tKhu phố 2\t287\tNhà văn hóa khu phố 2\n" +
			"hai-tien\tXã Hải Tiến\tthon-1\tThôn 1\t204\tNhà văn hóa thôn 1\n" +
			"hai-tien\tXã Hải Tiến\tthon-2\tThôn 2\t176\tNhà văn hóa thôn 2\n" +
			"hong-hai\tPhường Hồng Hải\tkp1\tKhu phố 1\t260\tNhà văn hóa khu 1 Hồng Hải\n" +
			"tan-lap-dh\tXã Tân Lập\tthon-1\tThôn Tân Hợp\t150\tNhà văn hóa thôn Tân Hợp\n" +
			"tan-lap-hh\tXã Tân Lập\tthon-1\tThôn Đồng Tâm\t120\tNhà văn hóa thôn Đồng Tâm\n"
		wants(t, p.sendFile(201, "cac_khu.csv", []byte(areas)), "không được nhập", "ngoài xã, phường ông/bà quản trị")
		p.say(202, "/start")
		prov := p.contact(202)
		if err := s.Grant(ctx, &models.RoleGrant{ContactID: &prov.ID, Role: models.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		wants(t, p.sendFile(202, "cac_khu.csv", []byte(areas)), "bảng các khu của cuộc bầu cử qn-test-2025 — 7 thôn, tổ dân phố ở 5 xã, phường", "thay đổi so với dữ liệu hiện có")
		wants(t, p.answer(202, textUpdate(int(p.update.Add(1)), 202, "xác nhận")), "✅ Đã nhập.")
		var hh int
		if err := s.DB(ctx).Raw("SELECT areas.households FROM areas JOIN wards ON wards.id = areas.ward_id WHERE wards.code = 'hong-hai'").Scan(&hh).Error; err != nil || hh != 260 {
			t.Errorf("hong-hai/kp1 has %d households (%v), want 260", hh, err)
		}

		// An election file (the template): a new election, for the
		// province's admin only.
		ts, err := sheets.Templates()
		if err != nil {
			t.Fatal(err)
		}
		yaml := ts[2].Data
		wants(t, p.sendFile(201, "mau_cuoc_bau.yaml", yaml), "không được nhập", "xa-mau")
		wants(t, p.sendFile(202, "mau_cuoc_bau.yaml", yaml), "cuộc bầu cử xa-mau-2027 — 1 thôn, tổ dân phố", "Cuộc bầu cử mới")
		wants(t, p.answer(202, callbackUpdate(int(p.update.Add(1)), 202, 1, "file:ok")), "✅ Đã nhập.")
		if _, err := s.ElectionByCode(ctx, "xa-mau-2027"); err != nil {
			t.Errorf("the election file was not loaded: %v", err)
		}

		// The audit: each file by its SHA-256.
		var evs []models.AuditEvent
		if err := s.DB(ctx).Where("action LIKE ?", "file_%").Order("id").Find(&evs).Error; err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			if !strings.Contains(e.Detail, "sha256=") {
				t.Errorf("audit %s without the file's hash: %q", e.Action, e.Detail)
			}
			got = append(got, e.Action)
		}
		want := "file_checked file_imported file_checked file_refused file_checked file_imported file_checked file_refused file_checked file_imported file_refused file_checked file_imported"
		if strings.Join(got, " ") != want {
			t.Errorf("audit %q, want %q", strings.Join(got, " "), want)
		}
	})
}
