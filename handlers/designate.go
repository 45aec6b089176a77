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
func (o *officials) scopeArg(arg string) (scope, string, error) {
	words := strings.Fields(arg)
	if len(words) == 0 {
		return scope{}, "", nil
	}
	if r := roleArg(words[0]); r != "" {
		return scope{role: r}, strings.Join(words[1:], " "), nil
	}
	areas, err := o.areaList()
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
func (x *texts) scopeName(lang string, role string, area *models.Area) string {
	switch role {
	case models.RoleReporter:
		name := "?"
		if area != nil {
			name = area.Name
		}
		return x.tr(lang, "off_role_reporter", map[string]any{"Area": name})
	case models.RoleViewer:
		return x.tr(lang, "off_role_viewer", nil)
	}
	return x.tr(lang, "off_role_admin", nil)
}

func (o *officials) grantScope(g *models.RoleGrant) (string, *models.Area, error) {
	if g.AreaID == nil {
		return g.Role, nil, nil
	}
	areas, err := o.areaList()
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

// invite: /moi kp1 | /moi xem | /moi quantri.
func (o *officials) invite(arg string) error {
	sc, _, err := o.scopeArg(arg)
	if err != nil {
		return err
	}
	if sc.role == "" {
		o.reply(o.tr("off_invite_usage", nil), nil)
		return nil
	}
	inv := &models.Invite{Role: sc.role, CreatedBy: &o.c.ID}
	if sc.area != nil {
		inv.AreaID = &sc.area.ID
	} else {
		inv.WardID = &o.el.WardID
	}
	code, err := o.store.CreateInvite(o.ctx, inv)
	if err != nil {
		return err
	}
	how := ""
	if o.conv.inviteLink != nil {
		how = o.conv.inviteLink(o.in.Channel, code)
	}
	if how == "" {
		how = o.tr("off_invite_console", map[string]any{"Code": code})
	}
	o.reply(o.tr("off_invite_created", map[string]any{
		"Role":    o.texts.scopeName(o.lang, sc.role, sc.area),
		"How":     how,
		"Expires": o.texts.when(o.lang, o.el, inv.ExpiresAt),
		"Hours":   int(models.InviteTTL.Hours()),
	}), nil)
	return nil
}

// redeemInvite: "/start <code>" from the invite.
func (o *officials) redeemInvite(code string) error {
	if !o.on() {
		o.reply(o.tr("off_invite_unknown", nil), o.menu())
		return nil
	}
	inv, err := o.store.RedeemInvite(o.ctx, code, o.c.ID)
	switch models.ErrorCode(err) {
	case "":
	case models.ENOTFOUND:
		o.reply(o.tr("off_invite_unknown", nil), o.menu())
		return nil
	case models.ECONFLICT:
		o.reply(o.tr("off_invite_used", nil), o.menu())
		return nil
	case models.EINVALID:
		o.reply(o.tr("off_invite_expired", nil), o.menu())
		return nil
	default:
		return err
	}
	o.rolesChanged() // the new role counts from now on
	role, area, err := o.grantScope(&models.RoleGrant{Role: inv.Role, AreaID: inv.AreaID})
	if err != nil {
		return err
	}
	o.reply(o.tr("off_granted", map[string]any{"Role": o.texts.scopeName(o.lang, role, area)}), nil)
	if inv.CreatedBy != nil {
		cs, err := o.store.ContactsByID(o.ctx, []int64{*inv.CreatedBy})
		if err != nil {
			return err
		}
		if c := cs[*inv.CreatedBy]; c != nil {
			me := contactLabel(o.c, o.c.ID)
			o.notice(c, func(lang string) string {
				return o.texts.tr(lang, "off_invite_redeemed", map[string]any{"Name": me, "Role": o.texts.scopeName(lang, role, area)})
			})
		}
	}
	return o.helpAfterGrant()
}

// helpAfterGrant shows the officials' help for the contact's roles.
func (o *officials) helpAfterGrant() error {
	help, err := o.help()
	if err != nil {
		return err
	}
	if help != "" {
		o.reply(help, o.menu())
	}
	return nil
}

// designate: /chidinh kp1 0912345678 | /chidinh xem 0912345678.
func (o *officials) designate(arg string) error {
	sc, rest, err := o.scopeArg(arg)
	if err != nil {
		return err
	}
	if sc.role == "" || strings.TrimSpace(rest) == "" {
		o.reply(o.tr("off_designate_usage", nil), nil)
		return nil
	}
	phone, err := models.NormalizePhone(rest)
	if err != nil {
		o.reply(o.tr("off_phone_invalid", map[string]any{"Phone": strings.TrimSpace(rest)}), nil)
		return nil
	}
	g := func() *models.RoleGrant {
		g := &models.RoleGrant{Role: sc.role, GrantedBy: &o.c.ID}
		if sc.area != nil {
			g.AreaID = &sc.area.ID
		} else {
			g.WardID = &o.el.WardID
		}
		return g
	}
	// Someone who already shared this number as their own gets the role
	// at once; otherwise the grant waits for the number's owner.
	owners, err := o.store.ContactsByPhone(o.ctx, phone)
	if err != nil {
		return err
	}
	if len(owners) == 0 {
		pg := g()
		pg.Phone = &phone
		if err := o.store.Grant(o.ctx, pg); err != nil {
			return err
		}
		o.reply(o.tr("off_designated_pending", map[string]any{"Phone": phone, "Role": o.texts.scopeName(o.lang, sc.role, sc.area)}), nil)
		return nil
	}
	for _, c := range owners {
		cg := g()
		cg.ContactID = &c.ID
		if err := o.store.Grant(o.ctx, cg); err != nil {
			return err
		}
		o.notice(c, func(lang string) string {
			return o.texts.tr(lang, "off_granted", map[string]any{"Role": o.texts.scopeName(lang, sc.role, sc.area)})
		})
	}
	o.rolesChanged()
	o.reply(o.tr("off_designated_now", map[string]any{"Phone": phone, "Role": o.texts.scopeName(o.lang, sc.role, sc.area)}), nil)
	return nil
}

// claimPhone gives the sender the grants waiting for the phone they shared
// as their own. handled is false when nothing was waiting.
func (o *officials) claimPhone(sc *bot.SharedContact) (handled bool, err error) {
	if !o.on() || !sc.Own {
		return false, nil
	}
	phone, err := models.NormalizePhone(sc.Phone)
	if err != nil {
		return false, nil
	}
	gs, err := o.store.ClaimPhoneGrants(o.ctx, o.c.ID, phone)
	if err != nil || len(gs) == 0 {
		return false, err
	}
	if o.c.Phone == nil || *o.c.Phone != phone {
		o.c.Phone = &phone
		o.dirty = true
	}
	o.rolesChanged()
	var names []string
	for _, g := range gs {
		role, area, err := o.grantScope(g)
		if err != nil {
			return true, err
		}
		names = append(names, o.texts.scopeName(o.lang, role, area))
	}
	o.reply(o.tr("off_granted", map[string]any{"Role": strings.Join(names, "; ")}), nil)
	return true, o.helpAfterGrant()
}

// holdersOf lists the active grants of a scope (an area's reporters, or the
// ward's viewers or admins).
func (o *officials) holdersOf(sc scope) ([]*models.GrantHolder, error) {
	if sc.area != nil {
		return o.store.AreaGrants(o.ctx, []int64{sc.area.ID}, models.RoleReporter)
	}
	return o.store.WardGrants(o.ctx, o.el.WardID, sc.role)
}

// holderLabel: the contact's name (and phone), or the phone still waiting.
func (o *officials) holderLabel(h *models.GrantHolder) string {
	if h.Contact == nil {
		phone := ""
		if h.Grant.Phone != nil {
			phone = *h.Grant.Phone
		}
		return o.tr("off_holder_pending", map[string]any{"Phone": phone})
	}
	label := contactLabel(h.Contact, h.Contact.ID)
	if h.Contact.Phone != nil && *h.Contact.Phone != label {
		label += " (" + *h.Contact.Phone + ")"
	}
	return label
}

// revokeCommand: /thuhoi kp1 [phone] | /thuhoi xem [phone].
func (o *officials) revokeCommand(arg string) error {
	sc, rest, err := o.scopeArg(arg)
	if err != nil {
		return err
	}
	if sc.role == "" {
		o.reply(o.tr("off_revoke_usage", nil), nil)
		return nil
	}
	hs, err := o.holdersOf(sc)
	if err != nil {
		return err
	}
	role := o.texts.scopeName(o.lang, sc.role, sc.area)
	if strings.TrimSpace(rest) == "" {
		// Choose from the list.
		if len(hs) == 0 {
			o.reply(o.tr("off_revoke_none", map[string]any{"Role": role}), nil)
			return nil
		}
		kb := &bot.Keyboard{Inline: true}
		for _, h := range hs {
			kb.Rows = append(kb.Rows, []bot.Button{{Text: "✖ " + o.holderLabel(h), Data: "o:rv:" + itoa64(h.Grant.ID)}})
		}
		o.reply(o.tr("off_revoke_choose", map[string]any{"Role": role}), kb)
		return nil
	}
	phone, err := models.NormalizePhone(rest)
	if err != nil {
		o.reply(o.tr("off_phone_invalid", map[string]any{"Phone": strings.TrimSpace(rest)}), nil)
		return nil
	}
	n := 0
	for _, h := range hs {
		if (h.Grant.Phone != nil && *h.Grant.Phone == phone) || (h.Contact != nil && h.Contact.Phone != nil && *h.Contact.Phone == phone) {
			if err := o.revoke(h, sc.role, sc.area); err != nil {
				return err
			}
			n++
		}
	}
	if n == 0 {
		o.reply(o.tr("off_revoke_not_found", map[string]any{"Phone": phone, "Role": role}), nil)
	}
	return nil
}

// revokeByID: the ✖ button of /thuhoi's list. Only grants of this ward
// and its areas can be revoked.
func (o *officials) revokeByID(id int64) error {
	el, err := o.election()
	if err != nil || el == nil {
		return err
	}
	all, err := o.store.ElectionReporters(o.ctx, el.ID)
	if err != nil {
		return err
	}
	for _, role := range []string{models.RoleViewer, models.RoleAdmin} {
		hs, err := o.store.WardGrants(o.ctx, el.WardID, role)
		if err != nil {
			return err
		}
		all = append(all, hs...)
	}
	for _, h := range all {
		if h.Grant.ID == id {
			role, area, err := o.grantScope(h.Grant)
			if err != nil {
				return err
			}
			return o.revoke(h, role, area)
		}
	}
	o.reply(o.tr("off_revoke_gone", nil), nil)
	return nil
}

// revoke ends one grant, tells the admin and the person.
func (o *officials) revoke(h *models.GrantHolder, role string, area *models.Area) error {
	if role == models.RoleAdmin && h.Grant.ContactID != nil && *h.Grant.ContactID == o.c.ID {
		o.reply(o.tr("off_revoke_self", nil), nil)
		return nil
	}
	if _, err := o.store.RevokeGrant(o.ctx, h.Grant.ID, &o.c.ID); err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			o.reply(o.tr("off_revoke_gone", nil), nil)
			return nil
		}
		return err
	}
	o.reply(o.tr("off_revoked", map[string]any{"Who": o.holderLabel(h), "Role": o.texts.scopeName(o.lang, role, area)}), nil)
	o.notice(h.Contact, func(lang string) string {
		return o.texts.tr(lang, "off_revoked_notice", map[string]any{"Role": o.texts.scopeName(lang, role, area)})
	})
	return nil
}

// rolesCommand: /vaitro — one's own roles; for admins the ward's officials
// (/vaitro kp1: an area's reporters).
func (o *officials) rolesCommand(r *roleSet, arg string) error {
	if !r.any() {
		o.reply(o.tr("off_roles_none", nil), o.menu())
		return nil
	}
	var mine []string
	if r.admin {
		mine = append(mine, o.texts.scopeName(o.lang, models.RoleAdmin, nil))
	}
	if r.viewer {
		mine = append(mine, o.texts.scopeName(o.lang, models.RoleViewer, nil))
	}
	for _, a := range r.areas {
		mine = append(mine, o.texts.scopeName(o.lang, models.RoleReporter, a))
	}
	lines := []string{o.tr("off_roles_mine", map[string]any{"Roles": strings.Join(mine, "; ")})}
	if !r.admin {
		o.reply(lines[0], nil)
		return nil
	}
	areas, err := o.areaList()
	if err != nil {
		return err
	}
	if a, _ := areaArg(arg, areas); a != nil {
		areas = []*models.Area{a}
	} else {
		for _, role := range []string{models.RoleAdmin, models.RoleViewer} {
			hs, err := o.store.WardGrants(o.ctx, o.el.WardID, role)
			if err != nil {
				return err
			}
			var names []string
			for _, h := range hs {
				names = append(names, o.holderLabel(h))
			}
			if len(names) == 0 {
				names = []string{"—"}
			}
			lines = append(lines, o.tr("off_roles_line", map[string]any{"Role": o.texts.scopeName(o.lang, role, nil), "Who": strings.Join(names, ", ")}))
		}
	}
	ids := make([]int64, len(areas))
	for i, a := range areas {
		ids[i] = a.ID
	}
	hs, err := o.store.AreaGrants(o.ctx, ids, models.RoleReporter)
	if err != nil {
		return err
	}
	byArea := map[int64][]string{}
	for _, h := range hs {
		byArea[*h.Grant.AreaID] = append(byArea[*h.Grant.AreaID], o.holderLabel(h))
	}
	lines = append(lines, o.tr("off_roles_reporters", nil))
	var without []string
	for _, a := range areas {
		if len(byArea[a.ID]) == 0 {
			without = append(without, a.Name)
			continue
		}
		lines = append(lines, "• "+a.Name+": "+strings.Join(byArea[a.ID], ", "))
	}
	if len(without) > 0 {
		lines = append(lines, o.tr("off_roles_without", map[string]any{"Count": len(without), "Areas": strings.Join(without, ", ")}))
	}
	o.replyPages(lines)
	return nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
