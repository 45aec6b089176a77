package handlers

import (
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// Who holds which role: /vaitro and /thuhoi.

// holdersOf lists the active grants of a scope (an area's reporters, or the
// ward's viewers or admins).
func (o *officials) holdersOf(sc scope) ([]*models.GrantHolder, error) {
	if sc.area != nil {
		return o.store.AreaGrants(o.ctx, []int64{sc.area.ID}, models.RoleReporter)
	}
	return o.store.WardGrants(o.ctx, o.el.Ward.ID, sc.role)
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
	role := o.placed(nil).scopeName(o.lang, sc.role, sc.area)
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
		hs, err := o.store.WardGrants(o.ctx, el.Ward.ID, role)
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
	o.reply(o.tr("off_revoked", map[string]any{"Who": o.holderLabel(h), "Role": o.placed(nil).scopeName(o.lang, role, area)}), nil)
	o.notice(h.Contact, func(lang string) string {
		return o.placed(nil).tr(lang, "off_revoked_notice", map[string]any{"Role": o.placed(nil).scopeName(lang, role, area)})
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
		mine = append(mine, o.placed(nil).scopeName(o.lang, models.RoleAdmin, nil))
	}
	if r.viewer {
		mine = append(mine, o.placed(nil).scopeName(o.lang, models.RoleViewer, nil))
	}
	for _, a := range r.areas {
		mine = append(mine, o.placed(nil).scopeName(o.lang, models.RoleReporter, a))
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
			hs, err := o.store.WardGrants(o.ctx, o.el.Ward.ID, role)
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
			lines = append(lines, o.tr("off_roles_line", map[string]any{"Role": o.placed(nil).scopeName(o.lang, role, nil), "Who": strings.Join(names, ", ")}))
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
