package handlers

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"electionbot/bot"
	"electionbot/models"
)

// BroadcastStore is what /thongbao uses. *models.Store satisfies it; a
// Store that does not has no /thongbao (the command answers as an unknown
// one).
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

// The conversation of /thongbao: the draft lives in the broadcasts table
// (status draft, created_by the admin); Contact.State only says what the
// bot waits for.
const (
	awaitBcAreas = "bc_areas"
	awaitBcText  = "bc_text"
)

func (t *turn) bcStore() BroadcastStore {
	bs, _ := t.h.store.(BroadcastStore)
	return bs
}

// broadcastCommand handles /thongbao (/broadcast) and /stop (/dung,
// /huydangky, /unsubscribe); false when cmd is none of them.
func (t *turn) broadcastCommand(cmd, arg string) (bool, error) {
	switch cmd {
	case "stop", "dung", "huydangky", "unsubscribe":
		return true, t.stopAll()
	case "thongbao", "broadcast", "announce":
	default:
		return false, nil
	}
	bs := t.bcStore()
	if bs == nil {
		return false, nil
	}
	el, ok, err := t.broadcastAdmin()
	if !ok || err != nil {
		return true, err
	}
	switch models.Fold(arg) {
	case "trang thai", "trangthai", "status", "ds", "danh sach", "list":
		return true, t.broadcastStatus(el)
	}
	b := &models.Broadcast{ElectionID: el.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
		CreatedBy: &t.c.ID, Source: "chat"}
	if err := bs.CreateBroadcast(t.ctx, b); err != nil {
		return true, err
	}
	all, err := bs.CountAudience(t.ctx, b)
	if err != nil {
		return true, err
	}
	reps, err := bs.CountAudience(t.ctx, &models.Broadcast{ElectionID: el.ID, Audience: models.AudienceReporters})
	if err != nil {
		return true, err
	}
	t.clearState()
	data := func(tag string) string { return fmt.Sprintf("bc:a:%d:%s", b.ID, tag) }
	t.reply(t.tr("bc_ask_audience", nil), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{
		{{Text: t.tr("bc_btn_all", map[string]any{"Count": t.count(all.Reachable)}), Data: data("all")}},
		{{Text: t.tr("bc_btn_areas", nil), Data: data("areas")}},
		{{Text: t.tr("bc_btn_reporters", map[string]any{"Count": t.count(reps.Reachable)}), Data: data("rep")}},
		{{Text: t.tr("bc_btn_cancel", nil), Data: fmt.Sprintf("bc:x:%d", b.ID)}},
	}})
	return true, nil
}

// broadcastAdmin checks the contact is a ward admin of the current
// election, in a private chat; it answers otherwise.
func (t *turn) broadcastAdmin() (*models.Election, bool, error) {
	o, err := t.roles()
	if err != nil {
		return nil, false, err
	}
	if o == nil || !o.admin || o.elected == nil {
		t.reply(t.tr("bc_admin_only", nil), t.menu())
		return nil, false, nil
	}
	if t.in.Group {
		t.reply(t.tr("off_private_only", nil), nil)
		return nil, false, nil
	}
	return o.elected, true, nil
}

func (t *turn) count(n int) string {
	sep := "."
	if t.lang == "en" {
		sep = ","
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	return s
}

// draft loads the admin's broadcast id and checks it is still their draft;
// nil (and an answer) when it is not.
func (t *turn) draft(id int64) (*models.Broadcast, error) {
	b, err := t.bcStore().Broadcast(t.ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		t.reply(t.tr("bc_not_draft", map[string]any{"ID": id}), t.menu())
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if b.CreatedBy == nil || *b.CreatedBy != t.c.ID || b.Status != models.BroadcastDraft {
		t.clearState()
		t.reply(t.tr("bc_not_draft", map[string]any{"ID": id}), t.menu())
		return nil, nil
	}
	return b, nil
}

// broadcastCallback answers the buttons of /thongbao: "a:<id>:all|areas|rep"
// (the audience), "go:<id>" (send), "x:<id>" (cancel).
func (t *turn) broadcastCallback(rest string) error {
	bs := t.bcStore()
	if bs == nil {
		t.reply(t.tr("fallback", nil), t.menu())
		return nil
	}
	parts := strings.Split(rest, ":")
	if len(parts) < 2 {
		return models.Errorf(models.EINVALID, "bad broadcast callback %q", rest)
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return models.Errorf(models.EINVALID, "bad broadcast callback %q", rest)
	}
	el, ok, err := t.broadcastAdmin()
	if !ok || err != nil {
		return err
	}
	b, err := t.draft(id)
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
			return t.askBroadcastAreas(el, "bc_ask_areas", nil)
		case "rep":
			b.Audience, b.AreaIDs = models.AudienceReporters, ""
		default:
			b.Audience, b.AreaIDs = models.AudienceAll, ""
		}
		if err := bs.SaveBroadcastDraft(t.ctx, b); err != nil {
			return err
		}
		return t.askBroadcastText(b)
	case "go":
		cnt, err := bs.CountAudience(t.ctx, b)
		if err != nil {
			return err
		}
		q, err := bs.QueueBroadcast(t.ctx, b.ID, &t.c.ID)
		if models.ErrorCode(err) == models.ECONFLICT || models.ErrorCode(err) == models.EFORBIDDEN {
			t.reply(t.tr("bc_not_draft", map[string]any{"ID": b.ID}), t.menu())
			return nil
		}
		if err != nil {
			return err
		}
		t.clearState()
		t.reply(t.tr("bc_queued", map[string]any{"ID": q.ID, "Count": t.count(cnt.Reachable)}), t.menu())
		return nil
	case "x":
		if err := bs.CancelBroadcast(t.ctx, b.ID); err != nil && models.ErrorCode(err) != models.ECONFLICT {
			return err
		}
		t.clearState()
		t.reply(t.tr("bc_cancelled", nil), t.menu())
		return nil
	}
	return models.Errorf(models.EINVALID, "bad broadcast callback %q", rest)
}

func (t *turn) askBroadcastAreas(el *models.Election, msgID string, extra map[string]any) error {
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	data := map[string]any{"Areas": areaNames(areas)}
	for k, v := range extra {
		data[k] = v
	}
	t.setState(convState{Await: awaitBcAreas})
	t.reply(t.tr(msgID, data), nil)
	return nil
}

func (t *turn) askBroadcastText(b *models.Broadcast) error {
	label, err := t.audienceLabel(b)
	if err != nil {
		return err
	}
	t.setState(convState{Await: awaitBcText})
	t.reply(t.tr("bc_ask_text", map[string]any{"Audience": label, "Max": t.count(models.MaxBroadcastText)}), nil)
	return nil
}

func (t *turn) audienceLabel(b *models.Broadcast) (string, error) {
	switch b.Audience {
	case models.AudienceReporters:
		return t.tr("bc_audience_reporters", nil), nil
	case models.AudienceAreas:
		areas, err := t.areaList()
		if err != nil {
			return "", err
		}
		want := map[int64]bool{}
		for _, id := range b.Areas() {
			want[id] = true
		}
		var names []string
		for _, a := range areas {
			if want[a.ID] {
				names = append(names, a.Name)
			}
		}
		return strings.Join(names, ", "), nil
	}
	return t.tr("bc_audience_all", nil), nil
}

// broadcastAwait takes the answer /thongbao waits for: the areas, then the
// text. false when it waits for neither.
func (t *turn) broadcastAwait(text string) (bool, error) {
	if t.st.Await != awaitBcAreas && t.st.Await != awaitBcText {
		return false, nil
	}
	bs := t.bcStore()
	if bs == nil {
		t.clearState()
		return false, nil
	}
	el, ok, err := t.broadcastAdmin()
	if !ok || err != nil {
		t.clearState()
		return true, err
	}
	b, err := bs.LatestDraft(t.ctx, t.c.ID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		t.clearState()
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if t.st.Await == awaitBcAreas {
		ids, unknown, err := t.parseAreas(text)
		if err != nil {
			return true, err
		}
		if len(unknown) > 0 || len(ids) == 0 {
			if len(unknown) == 0 {
				unknown = []string{strings.TrimSpace(text)}
			}
			return true, t.askBroadcastAreas(el, "bc_areas_unknown", map[string]any{"Text": strings.Join(unknown, ", ")})
		}
		b.Audience = models.AudienceAreas
		b.SetAreas(ids)
		if err := bs.SaveBroadcastDraft(t.ctx, b); err != nil {
			return true, err
		}
		return true, t.askBroadcastText(b)
	}
	body := strings.TrimSpace(text)
	if n := utf8.RuneCountInString(body); n > models.MaxBroadcastText {
		t.reply(t.tr("bc_text_too_long", map[string]any{"Count": t.count(n), "Max": t.count(models.MaxBroadcastText)}), nil)
		return true, nil
	}
	b.Body = body
	if err := bs.SaveBroadcastDraft(t.ctx, b); err != nil {
		return true, err
	}
	t.clearState()
	return true, t.broadcastPreview(b)
}

// broadcastPreview shows the message as residents will see it, the number
// of recipients and the buttons to send or cancel.
func (t *turn) broadcastPreview(b *models.Broadcast) error {
	cnt, err := t.bcStore().CountAudience(t.ctx, b)
	if err != nil {
		return err
	}
	label, err := t.audienceLabel(b)
	if err != nil {
		return err
	}
	if cnt.Reachable == 0 {
		if err := t.bcStore().CancelBroadcast(t.ctx, b.ID); err != nil {
			return err
		}
		t.reply(t.tr("bc_nobody", map[string]any{"Audience": label}), t.menu())
		return nil
	}
	msg := t.tr("bc_header", map[string]any{"Ward": t.wardName()}) + "\n\n" + b.Body
	text := t.tr("bc_preview", map[string]any{"Message": msg, "Count": t.count(cnt.Reachable), "Audience": label,
		"Unreachable": cnt.Unreachable})
	t.reply(text, &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
		{Text: t.tr("bc_btn_send", nil), Data: fmt.Sprintf("bc:go:%d", b.ID)},
		{Text: t.tr("bc_btn_cancel", nil), Data: fmt.Sprintf("bc:x:%d", b.ID)},
	}}})
	return nil
}

var areaListSep = regexp.MustCompile(`(?i)\s*(?:[,;/\n+&]|\s(?:và|va|and)\s)\s*`)

// parseAreas reads "1, 3, 5", "kp1 kp3", "Khu phố 2 và Khu phố 4": the
// area ids, and the pieces it did not recognise.
func (t *turn) parseAreas(text string) ([]int64, []string, error) {
	areas, err := t.areaList()
	if err != nil {
		return nil, nil, err
	}
	byNum := func(n int) *models.Area {
		for _, a := range areas {
			if areaNumber(a) == n {
				return a
			}
		}
		return nil
	}
	one := func(piece string) *models.Area {
		if n, ok := smallNumber(piece); ok {
			return byNum(n)
		}
		if n, ok := models.RomanNumeral(piece); ok {
			return byNum(n)
		}
		if a, ref, _ := matchArea(piece, areas); a != nil && strings.TrimSpace(ref.Rest) == "" {
			return a
		}
		return nil
	}
	var ids []int64
	var unknown []string
	for _, raw := range areaListSep.Split(text, -1) {
		piece := models.Fold(raw)
		if piece == "" {
			continue
		}
		if a := one(piece); a != nil {
			ids = append(ids, a.ID)
			continue
		}
		if a, _, found := matchArea(piece, areas); found && a == nil {
			unknown = append(unknown, raw) // "khu phố 12" in a ward of 6
			continue
		}
		// "kp1 kp3", "1 3 5": word by word.
		for _, w := range strings.Fields(piece) {
			if a := one(w); a != nil {
				ids = append(ids, a.ID)
			} else {
				unknown = append(unknown, w)
			}
		}
	}
	return ids, unknown, nil
}

// broadcastStatus lists the election's latest broadcasts with their
// counts (/thongbao trangthai).
func (t *turn) broadcastStatus(el *models.Election) error {
	bs := t.bcStore()
	recent, err := bs.RecentBroadcasts(t.ctx, el.ID, 5)
	if err != nil {
		return err
	}
	if len(recent) == 0 {
		t.reply(t.tr("bc_status_none", nil), t.menu())
		return nil
	}
	lines := []string{t.tr("bc_status_header", nil)}
	for _, b := range recent {
		st, err := bs.BroadcastStats(t.ctx, b.ID)
		if err != nil {
			return err
		}
		when := b.CreatedAt
		if b.QueuedAt != nil {
			when = *b.QueuedAt
		}
		lines = append(lines, t.tr("bc_status_line", map[string]any{
			"ID": b.ID, "When": when.In(el.Location()).Format("02/01 15:04"), "Status": t.tr("bc_status_"+b.Status, nil),
			"Sent": t.count(st.Sent), "Total": t.count(st.Total), "Unreachable": t.count(st.Unreachable),
			"Skipped": t.count(st.Skipped), "Failed": t.count(st.Failed),
		}))
	}
	t.reply(strings.Join(lines, "\n"), t.menu())
	return nil
}
