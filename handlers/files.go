package handlers

// Files an admin sends in chat (issue 20): a voter list, an areas table
// or an election file, checked by the CLI's own import in a dry run
// (models.Store.ImportFile inside DryRun: nothing changes), answered with
// a summary or the problems by line, kept until the admin confirms —
// the button, or "đồng ý"/"xác nhận"/"yes" typed — then imported. Each
// step is audited with the file's SHA-256. A resident's file is refused
// politely; a ward admin's file about another ward, with the reason.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"electionbot/bot"
	"electionbot/models"
)

// FileStore is what the files feature uses. *models.Store satisfies it.
type FileStore interface {
	auditor
	// DryRun runs fn in a savepoint it always rolls back; fn's error.
	DryRun(ctx context.Context, fn func(tx *models.Store) error) error
	// ImportFile imports a checked file, all or nothing.
	ImportFile(ctx context.Context, f *models.PendingFile) (*models.FileReport, error)
	SavePendingFile(ctx context.Context, f *models.PendingFile) error
	// PendingFileOf fails with models.ENOTFOUND when no file waits.
	PendingFileOf(ctx context.Context, contactID int64) (*models.PendingFile, error)
	DropPendingFile(ctx context.Context, contactID int64) error
	ActiveGrants(ctx context.Context, contactID int64) ([]*models.RoleGrant, error)
}

var _ FileStore = (*models.Store)(nil)

const awaitFile = "file" // a checked file waits for the admin's confirmation

// Audit actions of the files feature.
const (
	auditFileChecked  = "file_checked"  // checked, waiting (ok) or refused with problems (not ok)
	auditFileRefused  = "file_refused"  // out of the admin's scope
	auditFileImported = "file_imported" // confirmed and imported
)

// files is the files feature; off without a store or without officials.
type files struct {
	*turn
	store FileStore
}

func (fl *files) on() bool { return fl.store != nil && fl.officials.on() }

// fileAdmin is the contact's admin role and the election files go to:
// ok false when the contact is no admin (already answered).
func (fl *files) fileAdmin(refusal string) (r *roleSet, el *models.Election, ok bool, err error) {
	if fl.in.Group {
		fl.reply(fl.tr("off_private_only", nil), nil)
		return nil, nil, false, nil
	}
	if err := fl.officials.officialView(); err != nil {
		return nil, nil, false, err
	}
	if el, err = fl.election(); err != nil {
		return nil, nil, false, err
	}
	if el != nil {
		if r, err = fl.officials.roles(); err != nil {
			return nil, nil, false, err
		}
	} else { // no election in view: a province's admin may still send one
		gs, err := fl.store.ActiveGrants(fl.ctx, fl.c.ID)
		if err != nil {
			return nil, nil, false, err
		}
		for _, g := range gs {
			if g.Role == models.RoleAdmin && g.WardID == nil && g.AreaID == nil {
				r = &roleSet{admin: true, allWards: true}
			}
		}
		if r != nil {
			if el, err = fl.core.CurrentElection(fl.ctx); err != nil && models.ErrorCode(err) != models.ENOTFOUND {
				return nil, nil, false, err
			}
		}
	}
	if r == nil || !r.admin {
		if r != nil && len(r.otherWards) > 0 {
			return nil, nil, false, fl.officials.refuseAdmin(r)
		}
		fl.reply(fl.tr(refusal, nil), fl.menu())
		return nil, nil, false, nil
	}
	return r, el, true, nil
}

// received answers a file sent in chat.
func (fl *files) received(f *bot.File) error {
	if !fl.on() {
		fl.reply(fl.tr("files_not_admin", nil), fl.menu())
		return nil
	}
	r, el, ok, err := fl.fileAdmin("files_not_admin")
	if err != nil || !ok {
		return err
	}
	switch f.Problem {
	case bot.FileTooLarge:
		fl.reply(fl.tr("files_too_large", map[string]any{"MB": bot.MaxFileSize >> 20}), nil)
		return nil
	case bot.FileOtherKind:
		fl.reply(fl.tr("files_other_kind", map[string]any{"Name": f.Name}), nil)
		return nil
	}
	if f.Data == nil {
		fl.reply(fl.tr("files_not_fetched", map[string]any{"Name": f.Name}), nil)
		return nil
	}
	sum := sha256.Sum256(f.Data)
	pf := &models.PendingFile{ContactID: fl.c.ID, Name: f.Name, SHA256: hex.EncodeToString(sum[:]), Data: f.Data}
	kind, format, err := models.FileKind(f.Name, f.Data)
	if err != nil {
		return fl.problems(pf, err)
	}
	pf.Kind, pf.Format = kind, format
	if kind != models.KindElection {
		if el == nil {
			fl.reply(fl.tr("no_election", nil), fl.menu())
			return nil
		}
		pf.ElectionCode = el.Code
	}
	var rep *models.FileReport
	err = fl.store.DryRun(fl.ctx, func(tx *models.Store) error {
		var err error
		rep, err = tx.ImportFile(fl.ctx, pf)
		return err
	})
	if err != nil {
		if models.ErrorCode(err) == models.EINTERNAL {
			return err
		}
		return fl.problems(pf, err)
	}
	if refused, err := fl.outOfScope(r, el, pf, rep); refused || err != nil {
		return err
	}
	if rep.Load != nil && !rep.Load.Created && rep.Load.Changes == 0 {
		fl.reply(fl.summary(pf, rep)+"\n\n"+fl.tr("files_unchanged", nil), nil)
		return fl.audit(fl.store, auditFileChecked, pf.Kind+":"+rep.Election, fileDetail(pf, "unchanged"), true)
	}
	if err := fl.store.SavePendingFile(fl.ctx, pf); err != nil {
		return err
	}
	fl.setState(convState{Await: awaitFile})
	fl.reply(fl.summary(pf, rep)+"\n\n"+fl.tr("files_confirm_ask", nil), fl.confirmKeyboard())
	return fl.audit(fl.store, auditFileChecked, pf.Kind+":"+rep.Election, fileDetail(pf, "waiting"), true)
}

func (fl *files) confirmKeyboard() *bot.Keyboard {
	return &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
		{Text: fl.tr("files_btn_import", nil), Data: "file:ok"},
		{Text: fl.tr("files_btn_cancel", nil), Data: "file:no"},
	}}}
}

// fileDetail is an audit detail: the file's hash, name, size and outcome.
func fileDetail(pf *models.PendingFile, outcome string) string {
	return fmt.Sprintf("sha256=%s name=%q bytes=%d %s", pf.SHA256, pf.Name, len(pf.Data), outcome)
}

// problems refuses a file: its problems by line, in the admin's language.
func (fl *files) problems(pf *models.PendingFile, err error) error {
	fl.reply(fl.problemsText(pf, models.ErrorMessage(err)), nil)
	return fl.audit(fl.store, auditFileChecked, pf.Kind+":"+pf.ElectionCode, fileDetail(pf, "refused"), false)
}

// outOfScope refuses (true) a file about wards the admin does not
// administer. A province's or city's admin (every ward) sends any file.
// A ward's admin sends the voter list of their ward; an areas table only
// for an election of their ward alone (the table replaces every area of
// the election); an election file in the one-ward form for their ward,
// and not over an election of several wards.
func (fl *files) outOfScope(r *roleSet, el *models.Election, pf *models.PendingFile, rep *models.FileReport) (bool, error) {
	if r.allWards {
		return false, nil
	}
	mine := ""
	if el != nil && el.Ward != nil {
		mine = el.Ward.Code
	}
	reason := ""
	var others []string
	for _, w := range rep.Wards {
		if w != mine && !slices.Contains(others, w) {
			others = append(others, w)
		}
	}
	switch {
	case len(others) > 0:
		reason = fl.tr("files_scope_other_wards", map[string]any{"Others": joinCodes(others)})
	case pf.Kind == models.KindAreas && (el == nil || el.WardID == nil):
		reason = fl.tr("files_scope_areas", nil)
	case pf.Kind == models.KindElection && (!rep.OneWard || rep.Prior != nil && rep.Prior.WardID == nil):
		reason = fl.tr("files_scope_election", nil)
	default:
		return false, nil
	}
	fl.reply(fl.tr("files_scope_refused", map[string]any{"Name": pf.Name, "Reason": reason}), nil)
	return true, fl.audit(fl.store, auditFileRefused, pf.Kind+":"+rep.Election, fileDetail(pf, "out of scope"), false)
}

func joinCodes(cs []string) string {
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}

// callback answers the buttons "file:ok" and "file:no".
func (fl *files) callback(rest string) error {
	if !fl.on() {
		return fl.fallback()
	}
	if rest == "ok" {
		return fl.confirm()
	}
	return fl.cancel()
}

// typed reads a typed answer while a file waits: "đồng ý", "xác nhận",
// "yes" import it; "hủy", "không", "no" drop it; anything else is read
// as usual (false) and the file keeps waiting.
func (fl *files) typed(folded string) (bool, error) {
	if !fl.on() {
		return false, nil
	}
	switch folded {
	case "dong y", "xac nhan", "yes", "ok", "dong y nhap", "co", "confirm", "import":
		return true, fl.confirm()
	case "huy", "khong", "no", "cancel", "thoi":
		return true, fl.cancel()
	}
	return false, nil
}

// confirm imports the waiting file, if the contact is still its admin.
func (fl *files) confirm() error {
	pf, err := fl.store.PendingFileOf(fl.ctx, fl.c.ID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		fl.clearFileState()
		fl.reply(fl.tr("files_none_waiting", nil), fl.menu())
		return nil
	}
	if err != nil {
		return err
	}
	r, el, ok, err := fl.fileAdmin("off_admin_only")
	if err != nil || !ok {
		return err
	}
	if pf.Kind != models.KindElection && (el == nil || el.Code != pf.ElectionCode) {
		// The election in view changed meanwhile: check the file again.
		return fl.problems(pf, models.Errorf(models.ECONFLICT, "the election in view is no longer %s: send the file again", pf.ElectionCode))
	}
	var rep *models.FileReport
	err = fl.store.DryRun(fl.ctx, func(tx *models.Store) error {
		var err error
		rep, err = tx.ImportFile(fl.ctx, pf)
		return err
	})
	if err == nil {
		var refused bool
		if refused, err = fl.outOfScope(r, el, pf, rep); refused || err != nil {
			fl.clearFileState()
			_ = fl.store.DropPendingFile(fl.ctx, fl.c.ID)
			return err
		}
		rep, err = fl.store.ImportFile(fl.ctx, pf) // for real, in the update's transaction
	}
	fl.clearFileState()
	if derr := fl.store.DropPendingFile(fl.ctx, fl.c.ID); derr != nil {
		return derr
	}
	if err != nil {
		if models.ErrorCode(err) == models.EINTERNAL {
			return err
		}
		return fl.problems(pf, err) // the data changed since the check
	}
	fl.reply(fl.tr("files_imported", map[string]any{"Summary": fl.summary(pf, rep)}), fl.menu())
	return fl.audit(fl.store, auditFileImported, pf.Kind+":"+rep.Election, fileDetail(pf, "imported"), true)
}

// cancel drops the waiting file.
func (fl *files) cancel() error {
	fl.clearFileState()
	if err := fl.store.DropPendingFile(fl.ctx, fl.c.ID); err != nil {
		return err
	}
	fl.reply(fl.tr("files_cancelled", nil), fl.menu())
	return nil
}

func (fl *files) clearFileState() {
	if fl.st.Await == awaitFile {
		fl.clearState()
	}
}
