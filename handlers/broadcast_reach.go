package handlers

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// /thongbao and the households of the voter list (issue 19): the preview
// estimates the messages and the cost per channel and refuses above the
// cost ceiling ("/thongbao tran 500000" raises it); "/thongbao khan" sends
// in the quiet hours too; "/thongbao trangthai" adds reached / not
// reached by area; "/thongbao chuaden" sends the door-to-door list as a
// CSV document. All of it only when a paid channel is configured
// (Config.Reach) and the store keeps the ledger (ReachStore).

// ReachStore is what /thongbao reads and sets of the households' reach.
// *models.Store satisfies it; a BroadcastStore without it shows the chats
// only.
type ReachStore interface {
	CountHouseholds(ctx context.Context, b *models.Broadcast) (models.HouseholdCount, error)
	BroadcastReach(ctx context.Context, id int64) (*models.BroadcastReach, error)
	SetReachCeiling(ctx context.Context, id, vnd int64) error
	SetReachUrgent(ctx context.Context, id int64, urgent bool) error
	LatestReachBroadcast(ctx context.Context, electionID int64) (*models.Broadcast, error)
	ReachByArea(ctx context.Context, id int64) ([]*models.AreaReach, error)
	UnreachedHouseholds(ctx context.Context, id int64, areaIDs []int64) ([]*models.UnreachedHousehold, error)
}

var _ ReachStore = (*models.Store)(nil)

// reachStore is the ledger, when households are reached.
func (bc *broadcasts) reachStore() (ReachStore, bool) {
	if !bc.conv.reach.Enabled() {
		return nil, false
	}
	rs, ok := bc.store.(ReachStore)
	return rs, ok
}

func (bc *broadcasts) vnd(n int64) string { return bc.count(int(n)) }

// reachCommand answers "/thongbao tran N", "/thongbao khan" and
// "/thongbao chuaden"; false for any other argument.
func (bc *broadcasts) reachCommand(el *models.Election, arg string) (bool, error) {
	rs, ok := bc.reachStore()
	if !ok {
		return false, nil
	}
	folded := models.Fold(arg)
	word, rest, _ := strings.Cut(folded, " ")
	switch word {
	case "chuaden", "unreached":
		return true, bc.unreachedDocument(rs, el)
	case "chua":
		if strings.TrimSpace(rest) == "den" {
			return true, bc.unreachedDocument(rs, el)
		}
		return false, nil
	case "tran", "ceiling", "khan", "urgent":
	default:
		return false, nil
	}
	b, err := bc.store.LatestDraft(bc.ctx, bc.c.ID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		bc.reply(bc.tr("reach_no_draft", nil), bc.menu())
		return true, nil
	}
	if err != nil {
		return true, err
	}
	if word == "khan" || word == "urgent" {
		if err := rs.SetReachUrgent(bc.ctx, b.ID, true); err != nil {
			return true, err
		}
		bc.reply(bc.tr("reach_urgent_set", map[string]any{"ID": b.ID}), nil)
	} else {
		digits := strings.Map(func(r rune) rune {
			switch {
			case r >= '0' && r <= '9':
				return r
			case r == '.' || r == ',' || r == ' ':
				return -1
			}
			return 'x'
		}, strings.TrimSuffix(strings.TrimSpace(rest), "d"))
		vnd, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || vnd <= 0 || vnd > 1e12 {
			bc.reply(bc.tr("reach_ceiling_usage", nil), bc.menu())
			return true, nil
		}
		if err := rs.SetReachCeiling(bc.ctx, b.ID, vnd); err != nil {
			return true, err
		}
		bc.reply(bc.tr("reach_ceiling_set", map[string]any{"ID": b.ID, "Ceiling": bc.vnd(vnd)}), nil)
	}
	if strings.TrimSpace(b.Body) == "" {
		return true, nil // the text is still to come: its preview shows the rest
	}
	return true, bc.preview(b)
}

// reachEstimate is a draft's expected households per channel, its cost
// ceiling (0: none) and whether it is urgent; nil when it reaches no
// household.
func (bc *broadcasts) reachEstimate(b *models.Broadcast) (*models.ReachEstimate, *models.BroadcastReach, int64, error) {
	rs, ok := bc.reachStore()
	if !ok || !models.ReachesHouseholds(b) {
		return nil, nil, 0, nil
	}
	hc, err := rs.CountHouseholds(bc.ctx, b)
	if err != nil {
		return nil, nil, 0, err
	}
	r, err := rs.BroadcastReach(bc.ctx, b.ID)
	if err != nil {
		return nil, nil, 0, err
	}
	est := bc.conv.reach.Estimate(hc)
	ceiling := r.CeilingVND
	if ceiling <= 0 {
		ceiling = bc.conv.reach.CeilingVND
	}
	return &est, r, ceiling, nil
}

// reachPreview is the preview's households block, and whether the draft
// may be sent (its estimate within the ceiling).
func (bc *broadcasts) reachPreview(b *models.Broadcast) (string, bool, error) {
	est, r, ceiling, err := bc.reachEstimate(b)
	if est == nil || err != nil {
		return "", true, err
	}
	plan := bc.conv.reach
	lines := []string{bc.tr("reach_preview", map[string]any{
		"Households": bc.count(est.Households), "Chat": bc.count(est.Chat),
		"ZNS": bc.count(est.ZNS), "ZNSPrice": bc.count(plan.ZNSCostVND),
		"SMS": bc.count(est.SMS), "SMSPrice": bc.count(plan.SMSCostVND),
		"None": bc.count(est.None), "OptedOut": bc.count(est.OptedOut), "Cost": bc.vnd(est.CostVND),
	})}
	if ceiling > 0 {
		lines = append(lines, bc.tr("reach_preview_ceiling", map[string]any{"Ceiling": bc.vnd(ceiling)}))
	}
	if until, quiet := plan.Quiet.Until(bc.now()); quiet && !r.Urgent && est.Chat+est.ZNS+est.SMS > 0 {
		lines = append(lines, bc.tr("reach_preview_quiet", map[string]any{
			"Hours": plan.Quiet.String(), "At": until.In(models.VietnamTime).Format("15:04")}))
	}
	if ceiling > 0 && est.CostVND > ceiling {
		lines = append(lines, bc.tr("reach_over_ceiling", map[string]any{
			"Cost": bc.vnd(est.CostVND), "Ceiling": bc.vnd(ceiling), "Suggest": strconv.FormatInt(roundUp(est.CostVND), 10)}))
		return strings.Join(lines, "\n"), false, nil
	}
	return strings.Join(lines, "\n"), true, nil
}

// roundUp is a ceiling to suggest: the cost rounded up to 10,000 VND.
func roundUp(v int64) int64 { return (v + 9999) / 10000 * 10000 }

// reachRefused answers a send above the ceiling (the button of a preview
// made before the ceiling or the households changed); false when the
// draft may go.
func (bc *broadcasts) reachRefused(b *models.Broadcast) (bool, error) {
	text, ok, err := bc.reachPreview(b)
	if ok || err != nil {
		return false, err
	}
	bc.reply(text, &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
		{Text: bc.tr("bc_btn_cancel", nil), Data: fmt.Sprintf("bc:x:%d", b.ID)},
	}}})
	return true, nil
}

// reachStatus is /thongbao trangthai's households part: the latest
// broadcast that went to households, reached / not reached by area of
// the ward in view.
func (bc *broadcasts) reachStatus(el *models.Election) ([]string, error) {
	rs, ok := bc.reachStore()
	if !ok {
		return nil, nil
	}
	b, err := rs.LatestReachBroadcast(bc.ctx, el.ID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	byArea, err := rs.ReachByArea(bc.ctx, b.ID)
	if err != nil {
		return nil, err
	}
	areas, err := bc.areaList()
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, a := range areas {
		names[a.ID] = a.Name
	}
	lines := []string{"", bc.tr("reach_status_header", map[string]any{"ID": b.ID})}
	var cost int64
	shown := 0
	for _, a := range byArea {
		name, ours := names[a.AreaID]
		if !ours {
			continue // another ward's
		}
		shown++
		cost += a.CostVND
		var by []string
		for _, ch := range []string{models.ChannelTelegram, models.ChannelZalo, models.ChannelZNS, models.ChannelSMS} {
			if n := a.ByChannel[ch]; n > 0 {
				by = append(by, bc.tr("reach_channel_"+ch, nil)+" "+bc.count(n))
			}
		}
		lines = append(lines, bc.tr("reach_status_line", map[string]any{
			"Area": name, "Reached": bc.count(a.Reached), "Households": bc.count(a.Households),
			"By": strings.Join(by, ", "), "NotReached": bc.count(a.NotReached()), "Pending": bc.count(a.Pending),
		}))
	}
	if shown == 0 {
		return nil, nil
	}
	lines = append(lines, bc.tr("reach_status_footer", map[string]any{"Cost": bc.vnd(cost)}))
	return lines, nil
}

// unreachedDocument sends the door-to-door list of the ward in view for
// the latest broadcast that went to households, as a CSV document.
func (bc *broadcasts) unreachedDocument(rs ReachStore, el *models.Election) error {
	b, err := rs.LatestReachBroadcast(bc.ctx, el.ID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		bc.reply(bc.tr("reach_unreached_none", nil), bc.menu())
		return nil
	}
	if err != nil {
		return err
	}
	areas, err := bc.areaList()
	if err != nil {
		return err
	}
	ids := make([]int64, len(areas))
	byID := map[int64]*models.Area{}
	for i, a := range areas {
		ids[i] = a.ID
		if a.Ward == nil {
			a.Ward = bc.wd
		}
		byID[a.ID] = a
	}
	hs, err := rs.UnreachedHouseholds(bc.ctx, b.ID, ids)
	if err != nil {
		return err
	}
	if len(hs) == 0 {
		bc.reply(bc.tr("reach_unreached_empty", map[string]any{"ID": b.ID}), bc.menu())
		return nil
	}
	var buf bytes.Buffer
	if err := models.WriteUnreachedCSV(&buf, hs, byID); err != nil {
		return err
	}
	bc.reply(bc.tr("reach_unreached_doc", map[string]any{"ID": b.ID, "Count": bc.count(len(hs))}), nil)
	bc.out = append(bc.out, bot.Outgoing{Document: &bot.Document{
		Name: fmt.Sprintf("chua-lien-lac-%d.csv", b.ID), MIME: "text/csv", Data: buf.Bytes()}})
	return nil
}
