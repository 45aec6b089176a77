package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// BroadcastStore is what /thongbao uses. *models.Store satisfies it.
type BroadcastStore interface {
	CreateBroadcast(ctx context.Context, b *models.Broadcast) error
	Broadcast(ctx context.Context, id int64) (*models.Broadcast, error)
	LatestDraft(ctx context.Context, contactID int64) (*models.Broadcast, error)
	SaveBroadcastDraft(ctx context.Context, b *models.Broadcast) error
	QueueBroadcast(ctx context.Context, id int64, by *int64) (*models.Broadcast, error)
	CancelBroadcast(ctx context.Context, id int64) error
	CountAudience(ctx context.Context, b *models.Broadcast) (models.AudienceCount, error)
	RecentBroadcasts(ctx context.Context, electionID int64, limit int) ([]*models.Broadcast, error)
	BroadcastStats(ctx context.Context, id int64) (*models.BroadcastStats, error)
}

var _ BroadcastStore = (*models.Store)(nil)

// broadcastCommands are /thongbao's words.
var broadcastCommands = map[string]bool{"thongbao": true, "broadcast": true, "announce": true}

// broadcasts is /thongbao: a ward admin's announcement to the residents
// (everyone, some areas, or the election teams), drafted in the chat and
// sent by the outbox. The draft lives in the broadcasts table (status
// draft, created_by the admin); Contact.State only says what the bot waits
// for (awaitBcAreas, awaitBcText). Off without a store.
type broadcasts struct {
	*turn
	store BroadcastStore
}

// command is /thongbao [trangthai]; false when broadcasts are off.
func (bc *broadcasts) command(arg string) (bool, error) {
	bs := bc.store
	if bs == nil {
		return false, nil
	}
	el, ok, err := bc.admin()
	if !ok || err != nil {
		return true, err
	}
	switch models.Fold(arg) {
	case "trang thai", "trangthai", "status", "ds", "danh sach", "list":
		return true, bc.status(el)
	}
	if ok, err := bc.reachCommand(el, arg); ok || err != nil { // broadcast_reach.go
		return true, err
	}
	b := &models.Broadcast{ElectionID: el.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
		CreatedBy: &bc.c.ID, Source: "chat", WardID: &el.Ward.ID}
	if ok, err := bc.wideScope(b, arg); !ok || err != nil {
		return true, err
	}
	if err := bs.CreateBroadcast(bc.ctx, b); err != nil {
		return true, err
	}
	all, err := bs.CountAudience(bc.ctx, b)
	if err != nil {
		return true, err
	}
	reps, err := bs.CountAudience(bc.ctx, &models.Broadcast{ElectionID: el.ID, Audience: models.AudienceReporters})
	if err != nil {
		return true, err
	}
	bc.clearState()
	data := func(tag string) string { return fmt.Sprintf("bc:a:%d:%s", b.ID, tag) }
	bc.reply(bc.tr("bc_ask_audience", nil), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{
		{{Text: bc.tr("bc_btn_all", map[string]any{"Count": bc.count(all.Reachable)}), Data: data("all")}},
		{{Text: bc.tr("bc_btn_areas", nil), Data: data("areas")}},
		{{Text: bc.tr("bc_btn_reporters", map[string]any{"Count": bc.count(reps.Reachable)}), Data: data("rep")}},
		{{Text: bc.tr("bc_btn_cancel", nil), Data: fmt.Sprintf("bc:x:%d", b.ID)}},
	}})
	return true, nil
}

// admin checks the contact is a ward admin of the current election, in a
// private chat; it answers otherwise.
func (bc *broadcasts) admin() (*models.Election, bool, error) {
	if err := bc.officials.officialView(); err != nil {
		return nil, false, err
	}
	o, err := bc.officials.roles()
	if err != nil {
		return nil, false, err
	}
	if o == nil || !o.admin || o.elected == nil {
		bc.reply(bc.tr("bc_admin_only", nil), bc.menu())
		return nil, false, nil
	}
	if bc.in.Group {
		bc.reply(bc.tr("off_private_only", nil), nil)
		return nil, false, nil
	}
	return o.elected, true, nil
}

func (bc *broadcasts) count(n int) string { return locales.Number(bc.lang, n) }

// draft loads the admin's broadcast id and checks it is still their draft;
// nil (and an answer) when it is not.
func (bc *broadcasts) draft(id int64) (*models.Broadcast, error) {
	b, err := bc.store.Broadcast(bc.ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		bc.reply(bc.tr("bc_not_draft", map[string]any{"ID": id}), bc.menu())
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if b.CreatedBy == nil || *b.CreatedBy != bc.c.ID || b.Status != models.BroadcastDraft {
		bc.clearState()
		bc.reply(bc.tr("bc_not_draft", map[string]any{"ID": id}), bc.menu())
		return nil, nil
	}
	return b, nil
}

// callback answers the buttons of /thongbao: "a:<id>:all|areas|rep" (the
// audience), "go:<id>" (send), "x:<id>" (cancel); false when broadcasts
// are off.
func (bc *broadcasts) callback(rest string) (bool, error) {
	if bc.store == nil {
		return false, nil
	}
	return true, bc.button(rest)
}

func (bc *broadcasts) button(rest string) error {
	bs := bc.store
	parts := strings.Split(rest, ":")
	if len(parts) < 2 {
		return models.Errorf(models.EINVALID, "bad broadcast callback %q", rest)
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return models.Errorf(models.EINVALID, "bad broadcast callback %q", rest)
	}
	el, ok, err := bc.admin()
	if !ok || err != nil {
		return err
	}
	b, err := bc.draft(id)
	if b == nil || err != nil {
		return err
	}
	switch parts[0] {
	case "a":
		if len(parts) != 3 {
			return models.Errorf(models.EINVALID, "bad broadcast callback %q", rest)
		}
		switch parts[2] {
		case "areas":
			return bc.askAreas(el, "bc_ask_areas", nil)
		case "rep":
			b.Audience, b.AreaIDs = models.AudienceReporters, ""
		default:
			b.Audience, b.AreaIDs = models.AudienceAll, ""
		}
		if err := bs.SaveBroadcastDraft(bc.ctx, b); err != nil {
			return err
		}
		return bc.askText(b)
	case "go":
		if refused, err := bc.reachRefused(b); refused || err != nil {
			return err
		}
		cnt, err := bs.CountAudience(bc.ctx, b)
		if err != nil {
			return err
		}
		if est, _, _, err := bc.reachEstimate(b); err != nil {
			return err
		} else if est != nil {
			cnt.Reachable += est.ZNS + est.SMS
		}
		q, err := bs.QueueBroadcast(bc.ctx, b.ID, &bc.c.ID)
		if models.ErrorCode(err) == models.ECONFLICT || models.ErrorCode(err) == models.EFORBIDDEN {
			bc.reply(bc.tr("bc_not_draft", map[string]any{"ID": b.ID}), bc.menu())
			return nil
		}
		if err != nil {
			return err
		}
		bc.clearState()
		bc.reply(bc.tr("bc_queued", map[string]any{"ID": q.ID, "Count": bc.count(cnt.Reachable)}), bc.menu())
		return nil
	case "x":
		if err := bs.CancelBroadcast(bc.ctx, b.ID); err != nil && models.ErrorCode(err) != models.ECONFLICT {
			return err
		}
		bc.clearState()
		bc.reply(bc.tr("bc_cancelled", nil), bc.menu())
		return nil
	}
	return models.Errorf(models.EINVALID, "bad broadcast callback %q", rest)
}

func (bc *broadcasts) askText(b *models.Broadcast) error {
	label, err := bc.audienceLabel(b)
	if err != nil {
		return err
	}
	bc.setState(convState{Await: awaitBcText})
	bc.reply(bc.tr("bc_ask_text", map[string]any{"Audience": label, "Max": bc.count(models.MaxBroadcastText)}), nil)
	return nil
}

// await takes the answer /thongbao waits for: the areas, then the text.
// false when it waits for neither (or broadcasts are off).
func (bc *broadcasts) await(text string) (bool, error) {
	if bc.st.Await != awaitBcAreas && bc.st.Await != awaitBcText {
		return false, nil
	}
	bs := bc.store
	if bs == nil {
		bc.clearState()
		return false, nil
	}
	el, ok, err := bc.admin()
	if !ok || err != nil {
		bc.clearState()
		return true, err
	}
	b, err := bs.LatestDraft(bc.ctx, bc.c.ID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		bc.clearState()
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if bc.st.Await == awaitBcAreas {
		ids, unknown, err := bc.parseAreas(text)
		if err != nil {
			return true, err
		}
		if len(unknown) > 0 || len(ids) == 0 {
			if len(unknown) == 0 {
				unknown = []string{strings.TrimSpace(text)}
			}
			return true, bc.askAreas(el, "bc_areas_unknown", map[string]any{"Text": strings.Join(unknown, ", ")})
		}
		b.Audience = models.AudienceAreas
		b.SetAreas(ids)
		if err := bs.SaveBroadcastDraft(bc.ctx, b); err != nil {
			return true, err
		}
		return true, bc.askText(b)
	}
	body := strings.TrimSpace(text)
	if n := utf8.RuneCountInString(body); n > models.MaxBroadcastText {
		bc.reply(bc.tr("bc_text_too_long", map[string]any{"Count": bc.count(n), "Max": bc.count(models.MaxBroadcastText)}), nil)
		return true, nil
	}
	b.Body = body
	if err := bs.SaveBroadcastDraft(bc.ctx, b); err != nil {
		return true, err
	}
	bc.clearState()
	return true, bc.preview(b)
}

// preview shows the message as residents will see it, the number
// of recipients and the buttons to send or cancel.
func (bc *broadcasts) preview(b *models.Broadcast) error {
	cnt, err := bc.store.CountAudience(bc.ctx, b)
	if err != nil {
		return err
	}
	label, err := bc.audienceLabel(b)
	if err != nil {
		return err
	}
	extra, allowed, err := bc.reachPreview(b) // the households (broadcast_reach.go)
	if err != nil {
		return err
	}
	est, _, _, err := bc.reachEstimate(b)
	if err != nil {
		return err
	}
	if cnt.Reachable == 0 && (est == nil || est.ZNS+est.SMS == 0) {
		if err := bc.store.CancelBroadcast(bc.ctx, b.ID); err != nil {
			return err
		}
		bc.reply(bc.tr("bc_nobody", map[string]any{"Audience": label}), bc.menu())
		return nil
	}
	msg := bc.tr("bc_header", map[string]any{"Ward": bc.senderName(b)}) + "\n\n" + b.Body
	text := bc.tr("bc_preview", map[string]any{"Message": msg, "Count": bc.count(cnt.Reachable), "Audience": label,
		"Unreachable": cnt.Unreachable}) + "\n" + bc.tr("bc_scope", map[string]any{"Scope": bc.scopeName(b)})
	if extra != "" {
		text += "\n\n" + extra
	}
	buttons := []bot.Button{{Text: bc.tr("bc_btn_cancel", nil), Data: fmt.Sprintf("bc:x:%d", b.ID)}}
	if allowed {
		buttons = append([]bot.Button{{Text: bc.tr("bc_btn_send", nil), Data: fmt.Sprintf("bc:go:%d", b.ID)}}, buttons...)
	}
	bc.reply(text, &bot.Keyboard{Inline: true, Rows: [][]bot.Button{buttons}})
	return nil
}

// status lists the election's latest broadcasts with their
// counts (/thongbao trangthai).
func (bc *broadcasts) status(el *models.Election) error {
	bs := bc.store
	recent, err := bs.RecentBroadcasts(bc.ctx, el.ID, 5)
	if err != nil {
		return err
	}
	if len(recent) == 0 {
		bc.reply(bc.tr("bc_status_none", nil), bc.menu())
		return nil
	}
	lines := []string{bc.tr("bc_status_header", nil)}
	for _, b := range recent {
		st, err := bs.BroadcastStats(bc.ctx, b.ID)
		if err != nil {
			return err
		}
		when := b.CreatedAt
		if b.QueuedAt != nil {
			when = *b.QueuedAt
		}
		lines = append(lines, bc.tr("bc_status_line", map[string]any{
			"ID": b.ID, "When": when.In(el.Location()).Format("02/01 15:04"), "Status": bc.tr("bc_status_"+b.Status, nil),
			"Sent": bc.count(st.Sent), "Total": bc.count(st.Total), "Unreachable": bc.count(st.Unreachable),
			"Skipped": bc.count(st.Skipped), "Failed": bc.count(st.Failed),
		}))
	}
	more, err := bc.reachStatus(el) // broadcast_reach.go
	if err != nil {
		return err
	}
	lines = append(lines, more...)
	bc.reply(strings.Join(lines, "\n"), bc.menu())
	return nil
}
