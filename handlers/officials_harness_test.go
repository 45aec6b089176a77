package handlers

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// offHarness runs the handlers on a real store (testdb) loaded with the
// Ka Long 2022 election, for several contacts: "1" is a ward admin; the
// others are whoever the test makes them.
type offHarness struct {
	t       *testing.T
	s       *models.Store
	now     time.Time
	h       *Conversation
	el      *models.Election
	areas   []*models.Area
	lang    map[string]string // contact → language hint
	defLang string            // of the other contacts
	chann   string            // channel of the contacts (console by default)
	log     *bytes.Buffer     // transcript, when set
}

func newOffHarness(t *testing.T, s *models.Store) *offHarness {
	return newOffHarnessLang(t, s, "vi")
}

// newOffHarnessLang is newOffHarness with every contact speaking lang.
func newOffHarnessLang(t *testing.T, s *models.Store, lang string) *offHarness {
	t.Helper()
	ef, err := demo.ElectionFile()
	if err != nil {
		t.Fatal(err)
	}
	return newOffHarnessFile(t, s, lang, ef)
}

// newOffHarnessFile is a harness on another election.
func newOffHarnessFile(t *testing.T, s *models.Store, lang string, ef *models.ElectionFile) *offHarness {
	t.Helper()
	ctx := context.Background()
	o := &offHarness{t: t, s: s, now: at(2022, 6, 5, 11, 30), lang: map[string]string{}, defLang: lang, chann: models.ChannelConsole}
	s.Now = o.clock
	var err error
	if _, err := s.LoadElection(ctx, ef); err != nil {
		t.Fatal(err)
	}
	if o.el, err = s.ElectionByCode(ctx, ef.Election.Code); err != nil {
		t.Fatal(err)
	}
	if o.areas, err = s.Areas(ctx, o.el.ID); err != nil {
		t.Fatal(err)
	}
	o.h = o.newHandler()
	// Contact 1 is a ward admin, as `electionbot chat --admin` makes it.
	admin := o.contact("1")
	if err := s.Grant(ctx, &models.RoleGrant{ContactID: &admin.ID, Role: models.RoleAdmin, WardID: &o.el.Ward.ID}); err != nil {
		t.Fatal(err)
	}
	return o
}

// forStores runs f on a fresh harness on every test store (SQLite, and
// PostgreSQL when TEST_DATABASE_URL is set).
func forStores(t *testing.T, f func(t *testing.T, o *offHarness)) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) { f(t, newOffHarness(t, n.Store)) })
	}
}

func (o *offHarness) clock() time.Time { return o.now }

func (o *offHarness) newHandler() *Conversation {
	h, err := New(Config{Stores: StoresOf, Now: o.clock, InviteLink: telegramLink("KaLongBot"), Charts: results.Charts{}})
	if err != nil {
		o.t.Fatal(err)
	}
	return h
}

func (o *offHarness) contact(id string) *models.Contact {
	o.t.Helper()
	c, err := o.s.EnsureContact(context.Background(), &models.Contact{Channel: o.chann, ExternalID: id, DisplayName: names[id], Lang: o.langOf(id)})
	if err != nil {
		o.t.Fatal(err)
	}
	return c
}

func (o *offHarness) langOf(user string) string {
	if l := o.lang[user]; l != "" {
		return l
	}
	return o.defLang
}

// do sends one Incoming from a contact; it fails the test on an error or
// no reply, and writes the transcript when logging.
func (o *offHarness) do(user string, in bot.Incoming) []bot.Outgoing {
	o.t.Helper()
	in.Channel, in.UserID, in.ChatID = o.chann, user, user
	if in.Lang == "" {
		in.Lang = o.langOf(user)
	}
	if in.Name == "" {
		in.Name = names[user]
	}
	out, err := o.h.Handle(context.Background(), o.s, in)
	if err != nil {
		o.t.Fatalf("%s: Handle(%+v): %v", user, in, err)
	}
	if len(out) == 0 {
		o.t.Fatalf("%s: Handle(%+v): no reply", user, in)
	}
	if o.log != nil {
		writeTurn(o.log, user, in, out)
	}
	return out
}

// telegramLink is the production wiring's invite link: a deep link to the
// bot on Telegram, the command elsewhere.
func telegramLink(bot string) func(channel, code string) string {
	return func(channel, code string) string {
		if channel != models.ChannelTelegram {
			return ""
		}
		return "https://t.me/" + bot + "?start=" + code
	}
}

// Display names of the test contacts.
var names = map[string]string{"1": "Cán bộ Lan", "2": "Tổ BC KP1 Hùng", "3": "Tổ BC KP1 Mai", "4": "Cư dân Tâm", "5": "Sở Nội vụ Minh", "6": "Tổ BC KP3 Sơn"}

func (o *offHarness) send(user, text string) []bot.Outgoing {
	o.t.Helper()
	return o.do(user, bot.Incoming{Text: text})
}

// press presses the inline button whose label contains label, in the last
// reply to user that has one.
func (o *offHarness) press(user string, out []bot.Outgoing, label string) []bot.Outgoing {
	o.t.Helper()
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].Keyboard == nil || (out[i].ChatID != "" && out[i].ChatID != user) {
			continue
		}
		for _, row := range out[i].Keyboard.Rows {
			for _, b := range row {
				if strings.Contains(b.Text, label) && b.Data != "" {
					return o.do(user, bot.Incoming{Callback: b.Data})
				}
			}
		}
	}
	o.t.Fatalf("no button %q in %s", label, dump(out))
	return nil
}

// mine is the text of the replies to user; others the texts sent to other
// chats, by chat.
func mine(user string, out []bot.Outgoing) string {
	var parts []string
	for _, m := range out {
		if (m.ChatID == "" || m.ChatID == user) && m.Text != "" {
			parts = append(parts, m.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func others(user string, out []bot.Outgoing) map[string]string {
	got := map[string]string{}
	for _, m := range out {
		if m.ChatID != "" && m.ChatID != user {
			got[m.ChatID] += m.Text
		}
	}
	return got
}

func dump(out []bot.Outgoing) string {
	var b bytes.Buffer
	writeTurn(&b, "?", bot.Incoming{Text: "…"}, out)
	return b.String()
}

func expect(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("reply lacks %q:\n%s", w, got)
		}
	}
}

func expectNot(t *testing.T, got string, nots ...string) {
	t.Helper()
	for _, w := range nots {
		if strings.Contains(got, w) {
			t.Errorf("reply has %q:\n%s", w, got)
		}
	}
}

var inviteCode = regexp.MustCompile(`inv_[a-z0-9]+`)

// invite has the admin create an invite and returns its code.
func (o *offHarness) invite(what string) string {
	o.t.Helper()
	code := inviteCode.FindString(mine("1", o.send("1", "/moi "+what)))
	if code == "" {
		o.t.Fatalf("no invite code for %q", what)
	}
	return code
}

// reporter makes user a reporter of an area through an invite.
func (o *offHarness) reporter(user, area string) {
	o.t.Helper()
	expect(o.t, mine(user, o.send(user, "/start "+o.invite(area))), "đã được chỉ định")
}

// submit sends a one-message tally and confirms it.
func (o *offHarness) submit(user, text string) []bot.Outgoing {
	o.t.Helper()
	return o.press(user, o.send(user, text), "✅")
}

// history of an area by code.
func (o *offHarness) history(code string) *models.TallyHistory {
	o.t.Helper()
	for _, a := range o.areas {
		if a.Code == code {
			h, err := o.s.AreaHistory(context.Background(), a.ID)
			if err != nil {
				o.t.Fatal(err)
			}
			return h
		}
	}
	o.t.Fatalf("no area %s", code)
	return nil
}

func (o *offHarness) audits(action string) []models.AuditEvent {
	var evs []models.AuditEvent
	if err := o.s.DB(context.Background()).Where("action = ?", action).Order("id").Find(&evs).Error; err != nil {
		o.t.Fatal(err)
	}
	return evs
}

// writeTurn writes one message and its replies: texts, buttons (with their
// callback data), documents, photos and messages to other chats.
func writeTurn(b *bytes.Buffer, user string, in bot.Incoming, out []bot.Outgoing) {
	switch {
	case in.Callback != "":
		fmt.Fprintf(b, "> [%s] (button %s)\n", user, in.Callback)
	case in.Contact != nil:
		fmt.Fprintf(b, "> [%s] (shares contact %s, own=%v)\n", user, in.Contact.Phone, in.Contact.Own)
	case in.PhotoRef != "":
		fmt.Fprintf(b, "> [%s] %s\n", user, strings.TrimSpace("(photo "+in.PhotoRef+") "+in.Text))
	default:
		fmt.Fprintf(b, "> [%s] %s\n", user, inviteCode.ReplaceAllString(in.Text, "inv_CODE"))
	}
	for _, m := range out {
		if m.ChatID != "" && m.ChatID != user {
			fmt.Fprintf(b, "  → to %s (%s):\n", m.ChatID, m.Channel)
		}
		if m.Text != "" {
			b.WriteString(inviteCode.ReplaceAllString(m.Text, "inv_CODE") + "\n")
		}
		if m.Photo != "" {
			fmt.Fprintf(b, "(photo %s)\n", m.Photo)
		}
		if m.Document != nil {
			fmt.Fprintf(b, "(document %s, %s)\n", m.Document.Name, m.Document.MIME)
		}
		if m.Keyboard != nil && m.Keyboard.Inline {
			for _, row := range m.Keyboard.Rows {
				var labels []string
				for _, btn := range row {
					labels = append(labels, "["+btn.Text+" → "+btn.Data+"]")
				}
				b.WriteString("  " + strings.Join(labels, " ") + "\n")
			}
		} else if m.Keyboard != nil {
			b.WriteString("  (menu)\n")
		}
	}
	b.WriteString("\n")
}
