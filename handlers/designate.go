package handlers

import (
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// Designation of officials by a ward admin: a one-time invite (deep link or
// "/start <code>"), or a phone number that becomes the role of whoever
// shares it as their own through the channel's contact button.

// scope is what a designation command names: an area (reporter) or the
// ward (viewer, admin).
type scope struct {
	role string
	area *models.Area
}

// scopeArg reads "kp1 …", "xem …", "quantri …" and returns the rest.
func (t *turn) scopeArg(arg string) (scope, string, error) {
	words := strings.Fields(arg)
	if len(words) == 0 {
		return scope{}, "", nil
	}
	if r := roleArg(words[0]); r != "" {
		return scope{role: r}, strings.Join(words[1:], " "), nil
	}
	areas, err := t.areaList()
	if err != nil {
		return scope{}, "", err
	}
	a, rest := areaArg(arg, areas)
	if a == nil {
		return scope{}, arg, nil
	}
	return scope{role: models.RoleReporter, area: a}, rest, nil
}

// scopeName is "người báo cáo của Khu phố 1", "người xem kết quả", …
func (h *Handler) scopeName(lang string, role string, area *models.Area) string {
	switch role {
	case models.RoleReporter:
		name := "?"
		if area != nil {
			name = area.Name
		}
		return h.tr(lang, "off_role_reporter", map[string]any{"Area": name})
	case models.RoleViewer:
		return h.tr(lang, "off_role_viewer", nil)
	}
	return h.tr(lang, "off_role_admin", nil)
}

func (t *turn) grantScope(g *models.RoleGrant) (string, *models.Area, error) {
	if g.AreaID == nil {
		return g.Role, nil, nil
	}
	areas, err := t.areaList()
	if err != nil {
		return "", nil, err
	}
	for _, a := range areas {
		if a.ID == *g.AreaID {
			return g.Role, a, nil
		}
	}
	return g.Role, nil, nil
}

// inviteCommand: /moi kp1 | /moi xem | /moi quantri.
func (t *turn) inviteCommand(arg string) error {
	sc, _, err := t.scopeArg(arg)
	if err != nil {
		return err
	}
	if sc.role == "" {
		t.reply(t.tr("off_invite_usage", nil), nil)
		return nil
	}
	inv := &models.Invite{Role: sc.role, CreatedBy: &t.c.ID}
	if sc.area != nil {
		inv.AreaID = &sc.area.ID
	} else {
		inv.WardID = &t.el.WardID
	}
	code, err := t.off().CreateInvite(t.ctx, inv)
	if err != nil {
		return err
	}
	how := t.tr("off_invite_console", map[string]any{"Code": code})
	if t.h.botUsername != "" && t.in.Channel == models.ChannelTelegram {
		how = "https://t.me/" + t.h.botUsername + "?start=" + code
	}
	t.reply(t.tr("off_invite_created", map[string]any{
		"Role":    t.h.scopeName(t.lang, sc.role, sc.area),
		"How":     how,
		"Expires": t.h.when(t.lang, t.el, inv.ExpiresAt),
		"Hours":   int(models.InviteTTL.Hours()),
	}), nil)
	return nil
}

// redeemInvite: "/start <code>" from the invite.
func (t *turn) redeemInvite(code string) error {
	os := t.off()
	if os == nil {
		t.reply(t.tr("off_invite_unknown", nil), t.menu())
		return nil
	}
	inv, err := os.RedeemInvite(t.ctx, code, t.c.ID)
	switch models.ErrorCode(err) {
	case "":
	case models.ENOTFOUND:
		t.reply(t.tr("off_invite_unknown", nil), t.menu())
		return nil
	case models.ECONFLICT:
		t.reply(t.tr("off_invite_used", nil), t.menu())
		return nil
	case models.EINVALID:
		t.reply(t.tr("off_invite_expired", nil), t.menu())
		return nil
	default:
		return err
	}
	t.rolesLoaded = false // the new role counts from now on
	role, area, err := t.grantScope(&models.RoleGrant{Role: inv.Role, AreaID: inv.AreaID})
	if err != nil {
		return err
	}
	t.reply(t.tr("off_granted", map[string]any{"Role": t.h.scopeName(t.lang, role, area)}), nil)
	if inv.CreatedBy != nil {
		cs, err := os.ContactsByID(t.ctx, []int64{*inv.CreatedBy})
		if err != nil {
			return err
		}
		if c := cs[*inv.CreatedBy]; c != nil {
			me := contactLabel(t.c, t.c.ID)
			t.noticeFunc(c, func(lang string) string {
				return t.h.tr(lang, "off_invite_redeemed", map[string]any{"Name": me, "Role": t.h.scopeName(lang, role, area)})
			})
		}
	}
	return t.helpAfterGrant()
}

// helpAfterGrant shows the officials' help for the contact's roles.
func (t *turn) helpAfterGrant() error {
	help, err := t.officialsHelp()
	if err != nil {
		return err
	}
	if help != "" {
		t.reply(help, t.menu())
	}
	return nil
}

// designateCommand: /chidinh kp1 0912345678 | /chidinh xem 0912345678.
func (t *turn) designateCommand(arg string) error {
	sc, rest, err := t.scopeArg(arg)
	if err != nil {
		return err
	}
	if sc.role == "" || strings.TrimSpace(rest) == "" {
		t.reply(t.tr("off_designate_usage", nil), nil)
		return nil
	}
	phone, err := models.NormalizePhone(rest)
	if err != nil {
		t.reply(t.tr("off_phone_invalid", map[string]any{"Phone": strings.TrimSpace(rest)}), nil)
		return nil
	}
	os := t.off()
	g := func() *models.RoleGrant {
		g := &models.RoleGrant{Role: sc.role, GrantedBy: &t.c.ID}
		if sc.area != nil {
			g.AreaID = &sc.area.ID
		} else {
			g.WardID = &t.el.WardID
		}
		return g
	}
	// Someone who already shared this number as their own gets the role
	// at once; otherwise the grant waits for the number's owner.
	owners, err := os.ContactsByPhone(t.ctx, phone)
	if err != nil {
		return err
	}
	if len(owners) == 0 {
		pg := g()
		pg.Phone = &phone
		if err := os.Grant(t.ctx, pg); err != nil {
			return err
		}
		t.reply(t.tr("off_designated_pending", map[string]any{"Phone": phone, "Role": t.h.scopeName(t.lang, sc.role, sc.area)}), nil)
		return nil
	}
	for _, c := range owners {
		cg := g()
		cg.ContactID = &c.ID
		if err := os.Grant(t.ctx, cg); err != nil {
			return err
		}
		t.noticeFunc(c, func(lang string) string {
			return t.h.tr(lang, "off_granted", map[string]any{"Role": t.h.scopeName(lang, sc.role, sc.area)})
		})
	}
	t.rolesLoaded = false
	t.reply(t.tr("off_designated_now", map[string]any{"Phone": phone, "Role": t.h.scopeName(t.lang, sc.role, sc.area)}), nil)
	return nil
}

// claimPhone gives the sender the grants waiting for the phone they shared
// as their own. handled is false when nothing was waiting.
func (t *turn) claimPhone(sc *bot.SharedContact) (handled bool, err error) {
	os := t.off()
	if os == nil || !sc.Own {
		return false, nil
	}
	phone, err := models.NormalizePhone(sc.Phone)
	if err != nil {
		return false, nil
	}
	gs, err := os.ClaimPhoneGrants(t.ctx, t.c.ID, phone)
	if err != nil || len(gs) == 0 {
		return false, err
	}
	if t.c.Phone == nil || *t.c.Phone != phone {
		t.c.Phone = &phone
		t.dirty = true
	}
	t.rolesLoaded = false
	var names []string
	for _, g := range gs {
		role, area, err := t.grantScope(g)
		if err != nil {
			return true, err
		}
		names = append(names, t.h.scopeName(t.lang, role, area))
	}
	t.reply(t.tr("off_granted", map[string]any{"Role": strings.Join(names, "; ")}), nil)
	return true, t.helpAfterGrant()
}

// holdersOf lists the active grants of a scope (an area's reporters, or the
// ward's viewers or admins).
func (t *turn) holdersOf(sc scope) ([]*models.GrantHolder, error) {
	if sc.area != nil {
		return t.off().AreaGrants(t.ctx, []int64{sc.area.ID}, models.RoleReporter)
	}
	return t.off().WardGrants(t.ctx, t.el.WardID, sc.role)
}

// holderLabel: the contact's name (and phone), or the phone still waiting.
func (t *turn) holderLabel(h *models.GrantHolder) string {
	if h.Contact == nil {
		phone := ""
		if h.Grant.Phone != nil {
			phone = *h.Grant.Phone
		}
		return t.tr("off_holder_pending", map[string]any{"Phone": phone})
	}
	label := contactLabel(h.Contact, h.Contact.ID)
	if h.Contact.Phone != nil && *h.Contact.Phone != label {
		label += " (" + *h.Contact.Phone + ")"
	}
	return label
}

// revokeCommand: /thuhoi kp1 [phone] | /thuhoi xem [phone].
func (t *turn) revokeCommand(arg string) error {
	sc, rest, err := t.scopeArg(arg)
	if err != nil {
		return err
	}
	if sc.role == "" {
		t.reply(t.tr("off_revoke_usage", nil), nil)
		return nil
	}
	hs, err := t.holdersOf(sc)
	if err != nil {
		return err
	}
	role := t.h.scopeName(t.lang, sc.role, sc.area)
	if strings.TrimSpace(rest) == "" {
		// Choose from the list.
		if len(hs) == 0 {
			t.reply(t.tr("off_revoke_none", map[string]any{"Role": role}), nil)
			return nil
		}
		kb := &bot.Keyboard{Inline: true}
		for _, h := range hs {
			kb.Rows = append(kb.Rows, []bot.Button{{Text: "✖ " + t.holderLabel(h), Data: "o:rv:" + itoa64(h.Grant.ID)}})
		}
		t.reply(t.tr("off_revoke_choose", map[string]any{"Role": role}), kb)
		return nil
	}
	phone, err := models.NormalizePhone(rest)
	if err != nil {
		t.reply(t.tr("off_phone_invalid", map[string]any{"Phone": strings.TrimSpace(rest)}), nil)
		return nil
	}
	n := 0
	for _, h := range hs {
		if (h.Grant.Phone != nil && *h.Grant.Phone == phone) || (h.Contact != nil && h.Contact.Phone != nil && *h.Contact.Phone == phone) {
			if err := t.revoke(h, sc.role, sc.area); err != nil {
				return err
			}
			n++
		}
	}
	if n == 0 {
		t.reply(t.tr("off_revoke_not_found", map[string]any{"Phone": phone, "Role": role}), nil)
	}
	return nil
}

// revokeByID: the ✖ button of /thuhoi's list. Only grants of this ward
// and its areas can be revoked.
func (t *turn) revokeByID(id int64) error {
	el, err := t.election()
	if err != nil || el == nil {
		return err
	}
	os := t.off()
	all, err := os.ElectionReporters(t.ctx, el.ID)
	if err != nil {
		return err
	}
	for _, role := range []string{models.RoleViewer, models.RoleAdmin} {
		hs, err := os.WardGrants(t.ctx, el.WardID, role)
		if err != nil {
			return err
		}
		all = append(all, hs...)
	}
	for _, h := range all {
		if h.Grant.ID == id {
			role, area, err := t.grantScope(h.Grant)
			if err != nil {
				return err
			}
			return t.revoke(h, role, area)
		}
	}
	t.reply(t.tr("off_revoke_gone", nil), nil)
	return nil
}

// revoke ends one grant, tells the admin and the person.
func (t *turn) revoke(h *models.GrantHolder, role string, area *models.Area) error {
	if role == models.RoleAdmin && h.Grant.ContactID != nil && *h.Grant.ContactID == t.c.ID {
		t.reply(t.tr("off_revoke_self", nil), nil)
		return nil
	}
	if _, err := t.off().RevokeGrant(t.ctx, h.Grant.ID, &t.c.ID); err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			t.reply(t.tr("off_revoke_gone", nil), nil)
			return nil
		}
		return err
	}
	t.reply(t.tr("off_revoked", map[string]any{"Who": t.holderLabel(h), "Role": t.h.scopeName(t.lang, role, area)}), nil)
	t.noticeFunc(h.Contact, func(lang string) string {
		return t.h.tr(lang, "off_revoked_notice", map[string]any{"Role": t.h.scopeName(lang, role, area)})
	})
	return nil
}

// rolesCommand: /vaitro — one's own roles; for admins the ward's officials
// (/vaitro kp1: an area's reporters).
func (t *turn) rolesCommand(o *officials, arg string) error {
	if !o.any() {
		t.reply(t.tr("off_roles_none", nil), t.menu())
		return nil
	}
	var mine []string
	if o.admin {
		mine = append(mine, t.h.scopeName(t.lang, models.RoleAdmin, nil))
	}
	if o.viewer {
		mine = append(mine, t.h.scopeName(t.lang, models.RoleViewer, nil))
	}
	for _, a := range o.areas {
		mine = append(mine, t.h.scopeName(t.lang, models.RoleReporter, a))
	}
	lines := []string{t.tr("off_roles_mine", map[string]any{"Roles": strings.Join(mine, "; ")})}
	if !o.admin {
		t.reply(lines[0], nil)
		return nil
	}
	os := t.off()
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	if a, _ := areaArg(arg, areas); a != nil {
		areas = []*models.Area{a}
	} else {
		for _, role := range []string{models.RoleAdmin, models.RoleViewer} {
			hs, err := os.WardGrants(t.ctx, t.el.WardID, role)
			if err != nil {
				return err
			}
			var names []string
			for _, h := range hs {
				names = append(names, t.holderLabel(h))
			}
			if len(names) == 0 {
				names = []string{"—"}
			}
			lines = append(lines, t.tr("off_roles_line", map[string]any{"Role": t.h.scopeName(t.lang, role, nil), "Who": strings.Join(names, ", ")}))
		}
	}
	ids := make([]int64, len(areas))
	for i, a := range areas {
		ids[i] = a.ID
	}
	hs, err := os.AreaGrants(t.ctx, ids, models.RoleReporter)
	if err != nil {
		return err
	}
	byArea := map[int64][]string{}
	for _, h := range hs {
		byArea[*h.Grant.AreaID] = append(byArea[*h.Grant.AreaID], t.holderLabel(h))
	}
	lines = append(lines, t.tr("off_roles_reporters", nil))
	var without []string
	for _, a := range areas {
		if len(byArea[a.ID]) == 0 {
			without = append(without, a.Name)
			continue
		}
		lines = append(lines, "• "+a.Name+": "+strings.Join(byArea[a.ID], ", "))
	}
	if len(without) > 0 {
		lines = append(lines, t.tr("off_roles_without", map[string]any{"Count": len(without), "Areas": strings.Join(without, ", ")}))
	}
	for _, p := range pages(lines) {
		t.reply(p, nil)
	}
	return nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
