package models

// Files an admin sends in chat (issue 20): which kind of file it is, a
// dry run of its import (the very import the CLI runs, rolled back), and
// the checked file kept until the admin confirms it.

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The kinds of file an admin may send.
const (
	KindVoters   = "voters"   // a voter list (ImportVoters)
	KindAreas    = "areas"    // an areas table (ImportAreas)
	KindElection = "election" // an election file (LoadElection)
)

// PendingFileTTL is how long a checked file waits for its confirmation.
const PendingFileTTL = 24 * time.Hour

// PendingFile is a checked file waiting for the admin's confirmation.
type PendingFile struct {
	ContactID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Kind         string
	Format       string // csv, xlsx, yaml
	Name         string
	SHA256       string `gorm:"column:sha256"`
	ElectionCode string
	Data         []byte
	CreatedAt    time.Time
}

// FileKind says what a file sent in chat is, by its name and its
// content: an election file (.yaml/.yml, or YAML that starts with
// "election:"), else a table (.csv/.xlsx) whose header names a voter
// list (full_name/ho_ten and birth_year/nam_sinh) or an areas table
// (polling_place/noi_bo_phieu or ward/xa). format is csv, xlsx or yaml.
// A file of none of these kinds is EINVALID, with the reason.
func FileKind(name string, data []byte) (kind, format string, err error) {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".yaml", ".yml":
		return KindElection, "yaml", nil
	case ".csv", ".txt":
		format = "csv"
	case ".xlsx":
		format = "xlsx"
	default:
		if bytes.HasPrefix(bytes.TrimLeft(data, "\uFEFF \r\n"), []byte("election:")) {
			return KindElection, "yaml", nil
		}
		if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			format = "xlsx"
		} else {
			return "", "", Errorf(EINVALID, "%q is not a .csv, .xlsx or .yaml file", name)
		}
	}
	h := &headerOnly{}
	if format == "csv" {
		err = readCSVTable(nil, bytes.NewReader(data), h, "data")
	} else {
		err = readXLSXTable(nil, bytes.NewReader(data), h, "data")
	}
	if err != nil && !errors.Is(err, errHeaderRead) {
		return "", "", err
	}
	voters := make([]int, numVoterCols)
	areas := make([]int, numAreaCols)
	_ = mapHeader(h.fields, voterColumns[:], voters) // a repeated column is told by the import
	_ = mapHeader(h.fields, areaColumns[:], areas)
	switch {
	case voters[colName] >= 0 && voters[colBirthYear] >= 0:
		return KindVoters, format, nil
	case areas[colAPlace] >= 0 || areas[colAWard] >= 0 || areas[colACode] >= 0:
		return KindAreas, format, nil
	}
	return "", "", Errorf(EINVALID, "the header names neither a voter list (khu_pho, so_ho, ho_ten, nam_sinh, dia_chi) nor an areas table (ma_xa, xa, ma_khu, khu, so_ho, noi_bo_phieu)")
}

var errHeaderRead = errors.New("header read")

// headerOnly is a tableSink that keeps the header and stops there.
type headerOnly struct{ fields []string }

func (h *headerOnly) header(fields []string) error {
	h.fields = append([]string(nil), fields...)
	return errHeaderRead
}
func (h *headerOnly) row(int, []string)       {}
func (h *headerOnly) bad(int, string, ...any) {}
func (h *headerOnly) rowsRead() int           { return 0 }

var errDryRun = errors.New("dry run")

// DryRun runs fn in a transaction — a savepoint inside the caller's —
// and always rolls it back: what an import would do, reported by the
// import itself, with nothing changed. It returns fn's error.
func (s *Store) DryRun(ctx context.Context, fn func(tx *Store) error) error {
	var ferr error
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if ferr = fn(newStore(tx, s.dialect, s.Now)); ferr != nil {
			return ferr
		}
		return errDryRun
	})
	switch {
	case ferr != nil:
		return ferr
	case errors.Is(err, errDryRun):
		return nil
	}
	return Wrap(EINTERNAL, err, "dry run")
}

// SavePendingFile keeps f as its contact's file waiting for confirmation
// (replacing an earlier one).
func (s Contacts) SavePendingFile(ctx context.Context, f *PendingFile) error {
	f.CreatedAt = s.now()
	if _, err := s.DropExpiredFiles(ctx, f.CreatedAt); err != nil {
		return err
	}
	err := s.DB(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(f).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "keep the file of contact %d", f.ContactID)
	}
	return nil
}

// DropExpiredFiles deletes the files that waited longer than
// PendingFileTTL at now: files never confirmed hold voters' data (serve's
// housekeeping calls it every minute).
func (s Contacts) DropExpiredFiles(ctx context.Context, now time.Time) (int64, error) {
	res := s.DB(ctx).Where("created_at <= ?", now.Add(-PendingFileTTL)).Delete(&PendingFile{})
	if res.Error != nil {
		return 0, Wrap(EINTERNAL, res.Error, "drop expired files")
	}
	return res.RowsAffected, nil
}

// PendingFileOf is the contact's file waiting for confirmation, ENOTFOUND
// when there is none (or it waited longer than PendingFileTTL).
func (s Contacts) PendingFileOf(ctx context.Context, contactID int64) (*PendingFile, error) {
	var f PendingFile
	err := s.DB(ctx).Where("contact_id = ? AND created_at > ?", contactID, s.now().Add(-PendingFileTTL)).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, Errorf(ENOTFOUND, "no file waits for confirmation")
	}
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "the file of contact %d", contactID)
	}
	return &f, nil
}

// DropPendingFile forgets the contact's waiting file (none: no error).
func (s Contacts) DropPendingFile(ctx context.Context, contactID int64) error {
	if err := s.DB(ctx).Where("contact_id = ?", contactID).Delete(&PendingFile{}).Error; err != nil {
		return Wrap(EINTERNAL, err, "drop the file of contact %d", contactID)
	}
	return nil
}

// FileReport is what importing a file did (or, in a dry run, would do).
type FileReport struct {
	Election string        // the election's code
	Voters   *ImportReport // a voter list's areas
	Load     *LoadReport   // an areas table's or election file's load
	Wards    []string      // the codes of the wards the file is about
	OneWard  bool          // an election file in the one-ward form (ward:)
	Prior    *Election     // an election file's election as it was stored, nil when new
}

// ImportFile imports a file of kind ("voters", "areas": into the
// election electionCode; "election": its own) with the CLI's own
// import — ImportVoters, ImportAreas, LoadElection — all or nothing.
// Wrapped in DryRun it reports without changing anything. Its errors are
// the imports' own (EINVALID naming the lines, ECONFLICT, ENOTFOUND).
func (s *Store) ImportFile(ctx context.Context, f *PendingFile) (*FileReport, error) {
	rep := &FileReport{Election: f.ElectionCode}
	switch f.Kind {
	case KindVoters:
		v, err := s.ImportVoters(ctx, bytes.NewReader(f.Data), f.Format, ImportOptions{ElectionCode: f.ElectionCode})
		if err != nil {
			return nil, err
		}
		rep.Voters = v
		for _, a := range v.Areas {
			if a.Ward != "" && !slices.Contains(rep.Wards, a.Ward) {
				rep.Wards = append(rep.Wards, a.Ward)
			}
		}
		if len(rep.Wards) == 0 {
			if rep.Wards, err = s.electionWardCodes(ctx, f.ElectionCode); err != nil {
				return nil, err
			}
		}
	case KindAreas:
		l, err := s.ImportAreas(ctx, bytes.NewReader(f.Data), f.Format, AreaImportOptions{ElectionCode: f.ElectionCode})
		if err != nil {
			return nil, err
		}
		rep.Load = l
		if rep.Wards, err = s.electionWardCodes(ctx, f.ElectionCode); err != nil {
			return nil, err
		}
	case KindElection:
		ef, err := ParseElectionFile(f.Data)
		if err != nil {
			return nil, err
		}
		if err := ef.Check(); err != nil {
			return nil, err
		}
		rep.Election = ef.Election.Code
		prior, err := s.ElectionByCode(ctx, ef.Election.Code)
		switch {
		case err == nil:
			rep.Prior = prior
		case ErrorCode(err) != ENOTFOUND:
			return nil, err
		}
		if len(ef.Wards) == 0 {
			rep.OneWard, rep.Wards = true, []string{ef.Ward.Code}
		}
		for _, w := range ef.Wards {
			rep.Wards = append(rep.Wards, w.Code)
		}
		if rep.Load, err = s.LoadElection(ctx, ef); err != nil {
			return nil, err
		}
	default:
		return nil, Errorf(EINVALID, "file kind %q", f.Kind)
	}
	return rep, nil
}

// electionWardCodes are the codes of the wards of the election code.
func (s *Store) electionWardCodes(ctx context.Context, code string) ([]string, error) {
	e, err := s.ElectionByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	ws, err := s.ElectionWards(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, len(ws))
	for _, w := range ws {
		codes = append(codes, w.Code)
	}
	return codes, nil
}
