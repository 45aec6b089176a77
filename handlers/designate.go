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
	// everyWard: an admin or viewer of every ward ("quantri toan tinh"),
	// which only such an official may grant.
	everyWard bool
}

// scopeArg reads "kp1 …", "xem …", "quantri …" and returns the rest.
func (o *officials) scopeArg(arg string) (scope, string, error) {
	words := strings.Fields(arg)
	if len(words) == 0 {
		return scope{}, "", nil
	}
	if r := roleArg(words[0]); r != "" {
		for n := min(3, len(words)-1); n >= 1; n-- { // "quantri toan tinh 0912…"
			if wholeElectionWords[models.Fold(strings.Join(words[1:1+n], " "))] {
				return scope{role: r, everyWard: true}, strings.Join(words[1+n:], " "), nil
			}
		}
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
	return x.scopeNameOf(lang, scope{role: role, area: area})
}

// scopeNameOf names a scope, every ward's roles included.
func (x *texts) scopeNameOf(lang string, sc scope) string {
	role, area := sc.role, sc.area
	switch {
	case sc.everyWard && role == models.RoleViewer:
		return x.tr(lang, "off_role_viewer_all", nil)
	case sc.everyWard:
		return x.tr(lang, "off_role_admin_all", nil)
	}
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
	if ok, err := o.mayGrant(sc); !ok || err != nil {
		return err
	}
	inv := &models.Invite{Role: sc.role, CreatedBy: &o.c.ID}
	switch {
	case sc.area != nil:
		inv.AreaID = &sc.area.ID
	case !sc.everyWard:
		inv.WardID = &o.el.Ward.ID
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
		"Role":    o.placed(nil).scopeNameOf(o.lang, sc),
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
	sc := scope{role: role, area: area, everyWard: inv.WardID == nil && inv.AreaID == nil}
	o.reply(o.tr("off_granted", map[string]any{"Role": o.placed(nil).scopeNameOf(o.lang, sc)}), nil)
	if inv.CreatedBy != nil {
		cs, err := o.store.ContactsByID(o.ctx, []int64{*inv.CreatedBy})
		if err != nil {
			return err
		}
		if c := cs[*inv.CreatedBy]; c != nil {
			me := contactLabel(o.c, o.c.ID)
			o.notice(c, func(lang string) string {
				return o.texts.tr(lang, "off_invite_redeemed", map[string]any{"Name": me, "Role": o.placed(nil).scopeNameOf(lang, sc)})
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
	if ok, err := o.mayGrant(sc); !ok || err != nil {
		return err
	}
	g := func() *models.RoleGrant {
		g := &models.RoleGrant{Role: sc.role, GrantedBy: &o.c.ID}
		switch {
		case sc.area != nil:
			g.AreaID = &sc.area.ID
		case !sc.everyWard:
			g.WardID = &o.el.Ward.ID
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
		o.reply(o.tr("off_designated_pending", map[string]any{"Phone": phone, "Role": o.placed(nil).scopeNameOf(o.lang, sc)}), nil)
		return nil
	}
	for _, c := range owners {
		cg := g()
		cg.ContactID = &c.ID
		if err := o.store.Grant(o.ctx, cg); err != nil {
			return err
		}
		o.notice(c, func(lang string) string {
			return o.texts.tr(lang, "off_granted", map[string]any{"Role": o.placed(nil).scopeNameOf(lang, sc)})
		})
	}
	o.rolesChanged()
	o.reply(o.tr("off_designated_now", map[string]any{"Phone": phone, "Role": o.placed(nil).scopeNameOf(o.lang, sc)}), nil)
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
		names = append(names, o.placed(nil).scopeName(o.lang, role, area))
	}
	o.reply(o.tr("off_granted", map[string]any{"Role": strings.Join(names, "; ")}), nil)
	return true, o.helpAfterGrant()
}

// mayGrant refuses (with the reason) a role of every ward to an official
// of one ward only: a ward's admin grants within their ward.
func (o *officials) mayGrant(sc scope) (bool, error) {
	if !sc.everyWard {
		return true, nil
	}
	r, err := o.roles()
	if err != nil {
		return false, err
	}
	if r == nil || !r.allWards {
		o.reply(o.tr("off_scope_forbidden", map[string]any{"Ward": o.wardName()}), nil)
		return false, nil
	}
	return true, nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
