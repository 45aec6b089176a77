package models_test

import (
	"context"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// A file sent in chat is told by its name and header.
func TestFileKind(t *testing.T) {
	tests := []struct {
		name, data   string
		kind, format string
	}{
		{"ds.csv", "khu_pho,so_ho,ho_ten,nam_sinh,dia_chi\n", models.KindVoters, "csv"},
		{"DS.CSV", "\uFEFFKhu phố;Số hộ;Họ tên;Năm sinh;Địa chỉ\r\n", models.KindVoters, "csv"},
		{"voters.txt", "area_code\thousehold_no\tfull_name\tbirth_year\taddress\n", models.KindVoters, "csv"},
		{"khu.csv", "ma_xa,xa,ma_khu,khu,so_ho,noi_bo_phieu\n", models.KindAreas, "csv"},
		{"cuoc_bau.yaml", "election: {}\n", models.KindElection, "yaml"},
		{"cuoc_bau.YML", "# x\n", models.KindElection, "yaml"},
		{"no_extension", "election:\n  code: x\n", models.KindElection, "yaml"},
		{"bao_cao.pdf", "%PDF-1.4", "", ""},
		{"other.csv", "a,b,c\n1,2,3\n", "", ""},
	}
	for _, tt := range tests {
		kind, format, err := models.FileKind(tt.name, []byte(tt.data))
		if kind != tt.kind || format != tt.format || (tt.kind == "") != (err != nil) {
			t.Errorf("%s: %q %q %v, want %q %q", tt.name, kind, format, err, tt.kind, tt.format)
		}
		if err != nil && models.ErrorCode(err) != models.EINVALID {
			t.Errorf("%s: error code %s", tt.name, models.ErrorCode(err))
		}
	}
}

// A dry run reports what the import would do and changes nothing, inside
// a transaction too; the real import then does it.
func TestImportFileDryRun(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s, ctx := n.Store, context.Background()
			seedImportElection(t, s)
			pf := &models.PendingFile{Kind: models.KindVoters, Format: "csv", ElectionCode: importElection,
				Data: []byte("khu_pho;so_ho;ho_ten;nam_sinh;dia_chi\nkp1;1;Nguyễn Văn An;1961;Số 1\nkp2;1;Trần Thị Bình;1970;Số 2\n")}
			before := allVoters(t, s)
			var rep *models.FileReport
			err := s.InTx(ctx, func(tx *models.Store) error {
				return tx.DryRun(ctx, func(dry *models.Store) error {
					var err error
					rep, err = dry.ImportFile(ctx, pf)
					return err
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Voters.String(); got != "kp1: 1 households\nkp1: warning: the election file says 5 households\nkp2: 1 households\nkp2: warning: the election file says 3 households" {
				t.Errorf("dry run report %q", got)
			}
			if len(rep.Wards) != 1 || rep.Wards[0] != "ka-long" {
				t.Errorf("wards %q", rep.Wards)
			}
			if after := allVoters(t, s); len(after) != len(before) {
				t.Fatalf("the dry run changed the voters: %d → %d", len(before), len(after))
			}
			bad := *pf
			bad.Data = []byte("khu_pho,so_ho,ho_ten,nam_sinh,dia_chi\nkp1,1,An,19x1,Số 1\n")
			err = s.DryRun(ctx, func(dry *models.Store) error { _, err := dry.ImportFile(ctx, &bad); return err })
			if models.ErrorCode(err) != models.EINVALID {
				t.Errorf("bad file: %v", err)
			}
			if _, err := s.ImportFile(ctx, pf); err != nil {
				t.Fatal(err)
			}
			if after := allVoters(t, s); len(after) != 2 {
				t.Errorf("%d voters after the import, want 2", len(after))
			}
		})
	}
}

// A checked file waits for its confirmation, one per contact, for a day.
func TestPendingFile(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s, ctx := n.Store, context.Background()
			now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
			s.Now = func() time.Time { return now }
			c, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: "9", ChatID: "9"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.PendingFileOf(ctx, c.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("none waiting: %v", err)
			}
			for _, name := range []string{"a.csv", "b.xlsx"} {
				if err := s.SavePendingFile(ctx, &models.PendingFile{ContactID: c.ID, Kind: models.KindVoters, Format: "csv",
					Name: name, SHA256: "ab", Data: []byte("x\x00y")}); err != nil {
					t.Fatal(err)
				}
			}
			f, err := s.PendingFileOf(ctx, c.ID)
			if err != nil || f.Name != "b.xlsx" || string(f.Data) != "x\x00y" {
				t.Fatalf("waiting file %+v, %v", f, err)
			}
			now = now.Add(models.PendingFileTTL + time.Minute)
			if _, err := s.PendingFileOf(ctx, c.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("an expired file still waits: %v", err)
			}
			// Housekeeping deletes it: the voters' data is gone, not hidden.
			if n, err := s.DropExpiredFiles(ctx, now); err != nil || n != 1 {
				t.Errorf("expired files dropped: %d, %v; want 1", n, err)
			}
			var left int64
			if err := s.DB(ctx).Model(&models.PendingFile{}).Count(&left).Error; err != nil || left != 0 {
				t.Errorf("%d files left after the drop (%v)", left, err)
			}
			if err := s.DropPendingFile(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
}
