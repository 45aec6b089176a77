package handlers

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"electionbot/models"
)

// OfficialStore is what the officials' roles, designation and invites use.
// *models.Store satisfies it.
type OfficialStore interface {
	ActiveGrants(ctx context.Context, contactID int64) ([]*models.RoleGrant, error)
	Grant(ctx context.Context, g *models.RoleGrant) error
	// RevokeGrant fails with models.ENOTFOUND for a grant already gone.
	RevokeGrant(ctx context.Context, id int64, by *int64) (*models.RoleGrant, error)
	// ClaimPhoneGrants gives the contact the grants waiting for phone.
	ClaimPhoneGrants(ctx context.Context, contactID int64, phone string) ([]*models.RoleGrant, error)
	ContactsByPhone(ctx context.Context, phone string) ([]*models.Contact, error)
	ContactsByID(ctx context.Context, ids []int64) (map[int64]*models.Contact, error)
	AreaGrants(ctx context.Context, areaIDs []int64, role string) ([]*models.GrantHolder, error)
	WardGrants(ctx context.Context, wardID int64, role string) ([]*models.GrantHolder, error)
	ElectionReporters(ctx context.Context, electionID int64) ([]*models.GrantHolder, error)
	// CreateInvite stores a one-time invite and returns its code.
	CreateInvite(ctx context.Context, inv *models.Invite) (string, error)
	// RedeemInvite fails with models.ENOTFOUND (unknown), ECONFLICT
	// (used) or EINVALID (expired).
	RedeemInvite(ctx context.Context, code string, contactID int64) (*models.Invite, error)
}

var _ OfficialStore = (*models.Store)(nil)

// officials are the ward's officials in the conversation: their roles in
// the current election, the officials' commands and buttons (dispatched to
// tallies and results from here), and designation (designate.go). Off
// without a store: then there are no roles, and tallies, results and
// broadcasts know no official either.
type officials struct {
	*turn
	store OfficialStore

	mine   *roleSet // the contact's roles, once loaded (roles())
	loaded bool
}

func (o *officials) on() bool { return o.store != nil }

// roleSet is the contact's roles in the current election, loaded once
// per turn and only when a message needs them.
type roleSet struct {
	admin   bool
	viewer  bool
	areas   []*models.Area // areas the contact reports for
	elected *models.Election
	// allWards: an admin or viewer of every ward (a province's or city's
	// official), not of one ward only.
	allWards bool
	// otherWards are the wards where the contact holds a role but which
	// are not the ward in view: a refusal names them.
	otherWards []int64
}

func (r *roleSet) any() bool { return r != nil && (r.admin || r.viewer || len(r.areas) > 0) }

func (r *roleSet) reporterOf(areaID int64) bool {
	if r == nil {
		return false
	}
	for _, a := range r.areas {
		if a.ID == areaID {
			return true
		}
	}
	return false
}

// roles loads the contact's roles in the current election (nil when
// officials are off or there is no election).
func (o *officials) roles() (*roleSet, error) {
	if o.loaded {
		return o.mine, nil
	}
	o.loaded = true
	if !o.on() {
		return nil, nil
	}
	el, err := o.election()
	if err != nil || el == nil {
		return nil, err
	}
	gs, err := o.store.ActiveGrants(o.ctx, o.c.ID)
	if err != nil {
		return nil, err
	}
	r := &roleSet{elected: el}
	if len(gs) > 0 {
		byID, err := o.areasByID()
		if err != nil {
			return nil, err
		}
		seen := map[int64]bool{}
		for _, g := range gs {
			wardOK := g.WardID == nil || *g.WardID == el.Ward.ID
			if g.WardID != nil && !wardOK && !slices.Contains(r.otherWards, *g.WardID) {
				r.otherWards = append(r.otherWards, *g.WardID)
			}
			switch g.Role {
			case models.RoleAdmin:
				r.admin = r.admin || (wardOK && g.AreaID == nil)
				r.allWards = r.allWards || (g.WardID == nil && g.AreaID == nil)
			case models.RoleViewer:
				r.viewer = r.viewer || (wardOK && g.AreaID == nil)
				r.allWards = r.allWards || (g.WardID == nil && g.AreaID == nil)
			case models.RoleReporter:
				if g.AreaID != nil && byID[*g.AreaID] != nil && !seen[*g.AreaID] {
					seen[*g.AreaID] = true
					r.areas = append(r.areas, byID[*g.AreaID])
				}
			}
		}
	}
	o.mine = r
	return r, nil
}

// rolesChanged makes the next roles() read them again (a grant counts
// from now on).
func (o *officials) rolesChanged() { o.loaded = false }

// officialCommands are the officials' commands, Vietnamese (without
// diacritics) and English.
var officialCommands = map[string]string{
	"moi": "invite", "invite": "invite",
	"chidinh": "designate", "cap": "designate", "designate": "designate", "grant": "designate",
	"thuhoi": "revoke", "revoke": "revoke",
	"vaitro": "roles", "roles": "roles",
	"baocao": "report", "report": "report",
	"congnhan": "accept", "accept": "accept",
	"tuchoi": "reject", "reject": "reject",
	"huycongnhan": "withdraw", "withdraw": "withdraw",
	"anh": "photo", "photo": "photo",
	"chuabao": "missing", "missing": "missing",
	"xuat": "export", "export": "export",
	"thamdu": "attendance", "attendance": "attendance",
	"trangketqua": "resultspage", "resultspage": "resultspage",
}

// command runs an officials' command; false when its feature is off.
func (o *officials) command(name, arg string) (bool, error) {
	switch {
	case !o.on():
		return false, nil
	case name == "report" || name == "accept" || name == "reject" || name == "withdraw" || name == "photo":
		if !o.tallies.on() {
			return false, nil
		}
	case name == "missing" || name == "export" || name == "attendance" || name == "resultspage":
		if !o.results.on() {
			return false, nil
		}
	}
	if o.in.Group {
		// Invites, numbers and decisions are not for a group's eyes.
		o.reply(o.tr("off_private_only", nil), nil)
		return true, nil
	}
	if err := o.officialView(); err != nil {
		return true, err
	}
	el, err := o.needElection("")
	if err != nil || el == nil {
		return true, err
	}
	r, err := o.roles()
	if err != nil {
		return true, err
	}
	switch name {
	case "report":
		return true, o.tallies.report(r, arg)
	case "roles":
		return true, o.rolesCommand(r, arg)
	case "attendance": // attendance.go: a reporter's report, the ward's view
		if len(r.areas) > 0 && (strings.ContainsAny(arg, "0123456789") || !r.admin && !r.viewer) {
			return true, o.tallies.attendanceCommand(r, arg)
		}
		if r.admin || r.viewer {
			return true, o.results.attendanceView(r)
		}
	case "resultspage": // officials_link.go
		if r.admin || r.viewer {
			return true, o.results.officialsLink(r)
		}
	}
	if !r.admin {
		return true, o.refuseAdmin(r)
	}
	switch name {
	case "invite":
		return true, o.invite(arg)
	case "designate":
		return true, o.designate(arg)
	case "revoke":
		return true, o.revokeCommand(arg)
	case "accept":
		return true, o.tallies.review(arg, true)
	case "reject":
		return true, o.tallies.review(arg, false)
	case "withdraw":
		return true, o.tallies.withdraw(arg)
	case "photo":
		return true, o.tallies.photoCommand(arg)
	case "missing":
		return true, o.results.missing(0)
	case "export":
		return true, o.results.export(arg)
	}
	return false, nil
}

// callback handles the data of an officials' inline button ("o:…"); false
// when its feature is off.
func (o *officials) callback(data string) (bool, error) {
	kind, arg, _ := strings.Cut(data, ":")
	draft := kind == "ok" || kind == "ed" || kind == "no" || kind == "fa" || kind == "fm" || kind == "fe" || kind == "fn"
	results := kind == "kq" || kind == "cb" || kind == "nh"
	if !o.on() || (draft && !o.tallies.on()) || (results && !o.results.on()) {
		return false, nil
	}
	if o.in.Group {
		o.reply(o.tr("off_private_only", nil), nil)
		return true, nil
	}
	if err := o.officialView(); err != nil {
		return true, err
	}
	if draft {
		return true, o.tallies.draftCallback(kind, arg)
	}
	if kind == "at" { // live attendance (attendance.go)
		if !o.tallies.on() {
			return false, nil
		}
		return true, o.tallies.attendanceButton(arg)
	}
	r, err := o.roles()
	if err != nil {
		return true, err
	}
	if r == nil {
		o.reply(o.tr("no_election", nil), o.menu())
		return true, nil
	}
	n, _ := strconv.Atoi(arg)
	switch kind {
	case "kq":
		if !r.admin && !r.viewer {
			break
		}
		return true, o.results.summaryPage(n)
	case "cb":
		if !r.admin {
			break
		}
		return true, o.results.missing(n)
	case "nh":
		if !r.admin {
			break
		}
		return true, o.results.remindReporters()
	case "rv":
		if !r.admin {
			break
		}
		id, _ := strconv.ParseInt(arg, 10, 64)
		return true, o.revokeByID(id)
	default:
		return true, o.fallback()
	}
	return true, o.refuseAdmin(r)
}

// help is the part of /help for the contact's roles ("" for residents).
func (o *officials) help() (string, error) {
	if !o.on() {
		return "", nil
	}
	r, err := o.roles()
	if err != nil || !r.any() {
		return "", err
	}
	var parts []string
	if len(r.areas) > 0 {
		parts = append(parts, o.tr("off_help_reporter", map[string]any{"Areas": areaNames(r.areas), "Example": exampleTally(r.areas[0])}))
	}
	if len(r.areas) > 0 {
		parts = append(parts, o.tr("att_help_reporter", map[string]any{"Code": r.areas[0].Code})) // attendance.go
	}
	if r.admin {
		parts = append(parts, o.tr("off_help_admin", nil)+"\n"+o.tr("att_help_admin", nil))
	} else if r.viewer {
		parts = append(parts, o.tr("off_help_viewer", nil)+"\n"+o.tr("att_help_viewer", nil))
	}
	return strings.Join(parts, "\n\n"), nil
}

// admins are the contacts who are admins of the election's ward.
func (o *officials) admins() ([]*models.Contact, error) {
	el, err := o.election()
	if err != nil || el == nil {
		return nil, err
	}
	hs, err := o.store.WardGrants(o.ctx, el.Ward.ID, models.RoleAdmin)
	if err != nil {
		return nil, err
	}
	var out []*models.Contact
	seen := map[int64]bool{}
	for _, h := range hs {
		if h.Contact != nil && !seen[h.Contact.ID] {
			seen[h.Contact.ID] = true
			out = append(out, h.Contact)
		}
	}
	return out, nil
}

// contactLabel names a contact for officials.
func contactLabel(c *models.Contact, id int64) string {
	if c == nil {
		return "#" + strconv.FormatInt(id, 10)
	}
	return models.ContactLabel(c)
}

// areaArg splits a command argument into the area it starts with and the
// rest: "kp1 2", "khu phố 1 v2 lý do", "Khu phố 1". The longest leading
// words naming an area win.
func areaArg(arg string, areas []*models.Area) (*models.Area, string) {
	words := strings.Fields(arg)
	for n := min(len(words), 5); n >= 1; n-- {
		a, ref, _ := matchArea(strings.Join(words[:n], " "), areas)
		if a != nil && strings.TrimSpace(ref.Rest) == "" {
			return a, strings.Join(words[n:], " ")
		}
	}
	return nil, arg
}

// roleArg reads a role word for the ward: "xem"/"viewer", "quantri"/"admin".
func roleArg(word string) string {
	switch models.Fold(word) {
	case "xem", "nguoi xem", "viewer", "view":
		return models.RoleViewer
	case "quantri", "quan tri", "admin", "canbo", "can bo":
		return models.RoleAdmin
	}
	return ""
}
