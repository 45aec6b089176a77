package handlers

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"electionbot/bot"
	"electionbot/models"
)

// OfficialStore is what the officials' part of the conversation uses
// (designation, tallies, results). *models.Store satisfies it. A Store that
// does not (the residents' test fakes) simply has no officials: their
// commands answer as for anyone else.
type OfficialStore interface {
	ActiveGrants(ctx context.Context, contactID int64) ([]*models.RoleGrant, error)
	Grant(ctx context.Context, g *models.RoleGrant) error
	RevokeGrant(ctx context.Context, id int64, by *int64) (*models.RoleGrant, error)
	ClaimPhoneGrants(ctx context.Context, contactID int64, phone string) ([]*models.RoleGrant, error)
	ContactsByPhone(ctx context.Context, phone string) ([]*models.Contact, error)
	ContactsByID(ctx context.Context, ids []int64) (map[int64]*models.Contact, error)
	AreaGrants(ctx context.Context, areaIDs []int64, role string) ([]*models.GrantHolder, error)
	WardGrants(ctx context.Context, wardID int64, role string) ([]*models.GrantHolder, error)
	ElectionReporters(ctx context.Context, electionID int64) ([]*models.GrantHolder, error)
	CreateInvite(ctx context.Context, inv *models.Invite) (string, error)
	RedeemInvite(ctx context.Context, code string, contactID int64) (*models.Invite, error)
	SubmitTally(ctx context.Context, sub models.TallySubmission) (*models.SubmitResult, error)
	ReviewTally(ctx context.Context, req models.ReviewRequest) (*models.ReviewResult, error)
	AttachPhoto(ctx context.Context, contactID int64, ref string) (*models.Tally, error)
	AreaHistory(ctx context.Context, areaID int64) (*models.TallyHistory, error)
	ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error)
	ExportResults(ctx context.Context, electionCode, format string, w io.Writer) error
}

var _ OfficialStore = (*models.Store)(nil)

// WithStore returns a shallow copy of the handler bound to another store:
// a channel runs each update inside a database transaction so that its
// effects and its replies commit together. The handler keeps no state of
// its own (forms live in Contact.State), so copies are cheap and safe.
func (h *Handler) WithStore(s Store) *Handler {
	cp := *h
	cp.store = s
	return &cp
}

// officials is the contact's roles in the current election, loaded once
// per turn and only when a message needs them.
type officials struct {
	admin   bool
	viewer  bool
	areas   []*models.Area // areas the contact reports for
	grants  []*models.RoleGrant
	elected *models.Election
}

func (o *officials) any() bool { return o != nil && (o.admin || o.viewer || len(o.areas) > 0) }

func (o *officials) reporterOf(areaID int64) bool {
	if o == nil {
		return false
	}
	for _, a := range o.areas {
		if a.ID == areaID {
			return true
		}
	}
	return false
}

// off returns the officials' store, or nil when the store has none.
func (t *turn) off() OfficialStore {
	os, _ := t.h.store.(OfficialStore)
	return os
}

// roles loads the contact's roles in the current election (nil when there
// is no officials' store or no election).
func (t *turn) roles() (*officials, error) {
	if t.rolesLoaded {
		return t.offRoles, nil
	}
	t.rolesLoaded = true
	os := t.off()
	if os == nil {
		return nil, nil
	}
	el, err := t.election()
	if err != nil || el == nil {
		return nil, err
	}
	gs, err := os.ActiveGrants(t.ctx, t.c.ID)
	if err != nil {
		return nil, err
	}
	o := &officials{grants: gs, elected: el}
	if len(gs) > 0 {
		byID, err := t.areasByID()
		if err != nil {
			return nil, err
		}
		seen := map[int64]bool{}
		for _, g := range gs {
			wardOK := g.WardID == nil || *g.WardID == el.WardID
			switch g.Role {
			case models.RoleAdmin:
				o.admin = o.admin || (wardOK && g.AreaID == nil)
			case models.RoleViewer:
				o.viewer = o.viewer || (wardOK && g.AreaID == nil)
			case models.RoleReporter:
				if g.AreaID != nil && byID[*g.AreaID] != nil && !seen[*g.AreaID] {
					seen[*g.AreaID] = true
					o.areas = append(o.areas, byID[*g.AreaID])
				}
			}
		}
	}
	t.offRoles = o
	return o, nil
}

// Officials' commands, Vietnamese (without diacritics) and English.
var officialCommands = map[string]string{
	"moi": "invite", "invite": "invite",
	"chidinh": "designate", "cap": "designate", "designate": "designate", "grant": "designate",
	"thuhoi": "revoke", "revoke": "revoke",
	"vaitro": "roles", "roles": "roles",
	"baocao": "report", "report": "report",
	"congnhan": "accept", "accept": "accept",
	"tuchoi": "reject", "reject": "reject",
	"anh": "photo", "photo": "photo",
	"chuabao": "missing", "missing": "missing",
	"xuat": "export", "export": "export",
}

// officialCommand runs an officials' command; handled is false when the
// command is not one (or the store has no officials).
func (t *turn) officialCommand(cmd, arg string) (handled bool, err error) {
	name, ok := officialCommands[cmd]
	if !ok || t.off() == nil {
		return false, nil
	}
	if t.in.Group {
		// Invites, numbers and decisions are not for a group's eyes.
		t.reply(t.tr("off_private_only", nil), nil)
		return true, nil
	}
	el, err := t.election()
	if err != nil {
		return true, err
	}
	if el == nil {
		t.reply(t.tr("no_election", nil), t.menu())
		return true, nil
	}
	o, err := t.roles()
	if err != nil {
		return true, err
	}
	switch name {
	case "report":
		return true, t.reportCommand(o, arg)
	case "roles":
		return true, t.rolesCommand(o, arg)
	}
	if !o.admin {
		t.reply(t.tr("off_admin_only", nil), t.menu())
		return true, nil
	}
	switch name {
	case "invite":
		return true, t.inviteCommand(arg)
	case "designate":
		return true, t.designateCommand(arg)
	case "revoke":
		return true, t.revokeCommand(arg)
	case "accept":
		return true, t.reviewCommand(arg, true)
	case "reject":
		return true, t.reviewCommand(arg, false)
	case "photo":
		return true, t.photoCommand(arg)
	case "missing":
		return true, t.missingCommand(0)
	case "export":
		return true, t.exportCommand(arg)
	}
	return false, nil
}

// officialCallback handles the data of an officials' inline button ("o:…").
func (t *turn) officialCallback(data string) error {
	if t.off() == nil {
		t.reply(t.tr("fallback", nil), t.menu())
		return nil
	}
	if t.in.Group {
		t.reply(t.tr("off_private_only", nil), nil)
		return nil
	}
	kind, arg, _ := strings.Cut(data, ":")
	switch kind {
	case "ok", "ed", "no", "fa", "fm", "fe":
		return t.draftCallback(kind, arg)
	}
	o, err := t.roles()
	if err != nil {
		return err
	}
	if o == nil {
		t.reply(t.tr("no_election", nil), t.menu())
		return nil
	}
	n, _ := strconv.Atoi(arg)
	switch kind {
	case "kq":
		if !o.admin && !o.viewer {
			break
		}
		return t.resultsSummary(n)
	case "cb":
		if !o.admin {
			break
		}
		return t.missingCommand(n)
	case "nh":
		if !o.admin {
			break
		}
		return t.remindReporters()
	case "rv":
		if !o.admin {
			break
		}
		id, _ := strconv.ParseInt(arg, 10, 64)
		return t.revokeByID(id)
	default:
		t.reply(t.tr("fallback", nil), t.menu())
		return nil
	}
	t.reply(t.tr("off_admin_only", nil), t.menu())
	return nil
}

// officialsHelp is the part of /help for the contact's roles ("" for
// residents).
func (t *turn) officialsHelp() (string, error) {
	if t.off() == nil {
		return "", nil
	}
	o, err := t.roles()
	if err != nil || !o.any() {
		return "", err
	}
	var parts []string
	if len(o.areas) > 0 {
		parts = append(parts, t.tr("off_help_reporter", map[string]any{"Areas": areaNames(o.areas), "Example": t.exampleTally(o.areas[0])}))
	}
	if o.admin {
		parts = append(parts, t.tr("off_help_admin", nil))
	} else if o.viewer {
		parts = append(parts, t.tr("off_help_viewer", nil))
	}
	return strings.Join(parts, "\n\n"), nil
}

// exampleTally is the one-message form for an area, with made-up numbers.
func (t *turn) exampleTally(a *models.Area) string {
	var b strings.Builder
	b.WriteString("KQ " + strings.ToUpper(a.Code) + " TD 290 PR 290 TV 289 HL 285 KHL 4")
	votes := []int{250, 35, 0}
	for i, c := range a.Candidates {
		v := 0
		if i < len(votes) {
			v = votes[i]
		}
		b.WriteString(" UV" + strconv.Itoa(c.BallotNo) + " " + strconv.Itoa(v))
	}
	return b.String()
}

// --- helpers shared by the officials' files ---

// notice is a message to another contact, in that contact's language, on
// that contact's channel.
func (t *turn) notice(c *models.Contact, id string, data map[string]any) {
	if c == nil || c.ID == t.c.ID || !c.Reachable || c.ChatID == "" {
		return
	}
	lang := normLang(c.Lang, t.h.defLang)
	t.out = append(t.out, bot.Outgoing{ChatID: c.ChatID, Channel: c.Channel, Text: t.h.tr(lang, id, data)})
}

// noticeFunc is like notice with data that depends on the recipient's
// language.
func (t *turn) noticeFunc(c *models.Contact, text func(lang string) string) {
	if c == nil || c.ID == t.c.ID || !c.Reachable || c.ChatID == "" {
		return
	}
	lang := normLang(c.Lang, t.h.defLang)
	t.out = append(t.out, bot.Outgoing{ChatID: c.ChatID, Channel: c.Channel, Text: text(lang)})
}

// admins are the contacts who are admins of the election's ward.
func (t *turn) admins() ([]*models.Contact, error) {
	el, err := t.election()
	if err != nil || el == nil {
		return nil, err
	}
	hs, err := t.off().WardGrants(t.ctx, el.WardID, models.RoleAdmin)
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

// when formats an instant in the election's time zone.
func (h *Handler) when(lang string, el *models.Election, at time.Time) string {
	loc := models.VietnamTime
	if el != nil {
		loc = el.Location()
	}
	return at.In(loc).Format(h.tr(lang, "off_time_layout", nil))
}

// num formats a count with the language's thousands separator (vi
// "1.452", en "1,452").
func (h *Handler) num(lang string, n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if lang == "vi" {
		sep = "."
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// pct formats n / of × 100 with one decimal and the language's decimal mark.
func (h *Handler) pct(lang string, n, of int) string {
	if of <= 0 {
		return "0"
	}
	s := strconv.FormatFloat(float64(n)*100/float64(of), 'f', 1, 64)
	if lang == "vi" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// contactLabel names a contact for officials.
func contactLabel(c *models.Contact, id int64) string {
	if c == nil {
		return "#" + strconv.FormatInt(id, 10)
	}
	return models.ContactLabel(c)
}

// maxMessage is the longest text put in one message: Telegram allows 4096
// characters; some room is kept for the channel's markup.
const maxMessage = 3500

// pages splits lines into texts of at most maxMessage characters (runes),
// never inside a line.
func pages(lines []string) []string {
	var out []string
	var b strings.Builder
	n := 0
	for _, l := range lines {
		ln := len([]rune(l)) + 1
		if n > 0 && n+ln > maxMessage {
			out = append(out, strings.TrimRight(b.String(), "\n"))
			b.Reset()
			n = 0
		}
		b.WriteString(l)
		b.WriteByte('\n')
		n += ln
	}
	if n > 0 {
		out = append(out, strings.TrimRight(b.String(), "\n"))
	}
	return out
}

// pageKeyboard is the ◀ n/N ▶ row of a paginated text (nil for one page).
func (t *turn) pageKeyboard(prefix string, page, total int) *bot.Keyboard {
	if total <= 1 {
		return nil
	}
	var row []bot.Button
	if page > 1 {
		row = append(row, bot.Button{Text: t.tr("off_btn_prev", map[string]any{"Page": page - 1}), Data: prefix + strconv.Itoa(page-1)})
	}
	if page < total {
		row = append(row, bot.Button{Text: t.tr("off_btn_next", map[string]any{"Page": page + 1, "Total": total}), Data: prefix + strconv.Itoa(page+1)})
	}
	return &bot.Keyboard{Inline: true, Rows: [][]bot.Button{row}}
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
