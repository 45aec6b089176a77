package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

func TestStartGreetsWithMenu(t *testing.T) {
	hs := newHarness(t)
	out := hs.send("/start")
	got := text(out)
	if !strings.HasPrefix(got, "Kính chào ông/bà!") || !strings.Contains(got, "Phường Ka Long") || !strings.Contains(got, "Bầu cử Trưởng khu phố nhiệm kỳ 2022–2025") {
		t.Fatalf("/start = %q", got)
	}
	kb := out[len(out)-1].Keyboard
	if kb == nil || kb.Inline {
		t.Fatalf("/start keyboard = %+v, want a reply keyboard", kb)
	}
	var labels []string
	for _, row := range kb.Rows {
		for _, b := range row {
			labels = append(labels, b.Text)
		}
	}
	for _, want := range []string{"Ngày giờ bầu cử", "Địa điểm bỏ phiếu", "Tra cứu danh sách cử tri", "Người ứng cử", "Nhắc lịch", "English", "Quy định"} {
		if !strings.Contains(strings.Join(labels, "|"), want) {
			t.Errorf("menu lacks %q: %v", want, labels)
		}
	}
	if out[0].ChatID != "1" {
		t.Errorf("ChatID = %q", out[0].ChatID)
	}
}

// Every button of the menus comes back as text and is understood, in both
// languages, whatever the contact's language.
func TestMenuButtonsRecognised(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp1")
	for _, lang := range []string{"vi", "en"} {
		for id, act := range buttonActions {
			label := hs.h.texts.tr(lang, id, nil)
			got, ok := hs.h.buttons[models.Fold(label)]
			if !ok || got != act {
				t.Errorf("button %s (%s) %q → %q, want %q", id, lang, label, got, act)
				continue
			}
			if text(hs.send(label)) == hs.h.texts.tr(hs.h.defLang, "fallback", nil) {
				t.Errorf("button %q answered with the fallback", label)
			}
		}
	}
}

func TestHelpListsCommands(t *testing.T) {
	hs := newHarness(t)
	got := text(hs.send("/help"))
	for _, cmd := range []string{"/ngaybau", "/diadiem", "/tracuu", "/ungcu", "/quydinh", "/khupho", "/nhacnho", "/ngonngu"} {
		if !strings.Contains(got, cmd) {
			t.Errorf("/help lacks %s", cmd)
		}
		if _, ok := commands[strings.TrimPrefix(cmd, "/")]; !ok {
			t.Errorf("/help names %s, which is not a command", cmd)
		}
	}
}

func TestGroupWithoutMentionIsSilent(t *testing.T) {
	hs := newHarness(t)
	out, err := hs.h.Handle(context.Background(), nil, bot.Incoming{Channel: "telegram", UserID: "5", ChatID: "-100", Text: "ngay bau cu", Group: true})
	if err != nil || len(out) != 0 {
		t.Fatalf("group message without mention = %v, %v; want nothing", out, err)
	}
	out = hs.do(bot.Incoming{Channel: "telegram", UserID: "5", ChatID: "-100", Text: "/ngaybau@ElectionBot", Group: true, Mention: true})
	if !strings.Contains(text(out), "05/06/2022") || out[0].ChatID != "-100" {
		t.Fatalf("group command = %+v", out)
	}
}

func TestLanguage(t *testing.T) {
	hs := newHarness(t)
	hs.lang = "en-GB" // the channel's hint: starts in English
	if got := text(hs.send("/start")); !strings.HasPrefix(got, "Welcome!") {
		t.Fatalf("en contact /start = %q", got)
	}
	if got := text(hs.send("/ngonngu")); got != "Đã chuyển sang tiếng Việt." {
		t.Fatalf("/ngonngu = %q", got)
	}
	if c := hs.store.contact("console", "1"); c.Lang != "vi" {
		t.Fatalf("stored lang = %q", c.Lang)
	}
	if got := text(hs.send("ngay bau cu")); !strings.Contains(got, "Chủ nhật") {
		t.Fatalf("after switching = %q", got)
	}
	hs.send("/lang en")
	hs.send("/lang en") // setting, not toggling
	if got := text(hs.send("when is the election")); !strings.Contains(got, "Sunday, 5 June 2022") {
		t.Fatalf("after /lang en = %q", got)
	}
	if got := text(hs.send("tieng viet")); got != "Đã chuyển sang tiếng Việt." {
		t.Fatalf("typed tieng viet = %q", got)
	}
	// The default language applies to a contact without a hint.
	st := newFakeStore()
	h, err := New(Config{Stores: st.stores, DefaultLang: "en", Now: hs.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Handle(context.Background(), nil, bot.Incoming{Channel: "console", UserID: "2", Text: "/help"})
	if err != nil || !strings.HasPrefix(text(out), "This Q&A channel can tell you") {
		t.Fatalf("DefaultLang en /help = %q, %v", text(out), err)
	}
}

// Reminders have an explicit state: the command alone shows it with Bật
// and Tắt buttons (never a toggle a second press undoes); words or the
// buttons set it.
func TestRemindersExplicitState(t *testing.T) {
	hs := newHarness(t)
	for i := 0; i < 2; i++ { // twice: still a question, still off
		out := hs.send("/nhacnho")
		if got := text(out); !strings.Contains(got, "đang tắt") {
			t.Fatalf("/nhacnho = %q", got)
		}
		kb := out[len(out)-1].Keyboard
		if kb == nil || !kb.Inline || kb.Rows[0][0].Data != "rem:on" || kb.Rows[0][1].Data != "rem:tat" {
			t.Fatalf("/nhacnho keyboard = %+v", kb)
		}
		if hs.store.contact("console", "1").Reminders {
			t.Fatal("/nhacnho alone turned reminders on")
		}
	}
	if got := text(hs.do(bot.Incoming{Callback: "rem:on"})); !strings.Contains(got, "Đã bật nhắc lịch") || !strings.Contains(got, "khu phố nào") {
		t.Fatalf("Bật = %q", got)
	}
	if !hs.store.contact("console", "1").Reminders {
		t.Fatal("reminders not stored")
	}
	if got := text(hs.send("tắt nhắc nhở")); !strings.Contains(got, "Đã tắt") {
		t.Fatalf("tat nhac nho = %q", got)
	}
	if hs.store.contact("console", "1").Reminders {
		t.Fatal("reminders still on")
	}
	// Asking for reminders twice leaves them on (the second time in
	// English, which the contact's language follows); the 🔔 button shows
	// them on.
	hs.send("nhắc tôi trước ngày bầu")
	hs.send("remind me please")
	if !hs.store.contact("console", "1").Reminders {
		t.Fatal("asking twice turned reminders off")
	}
	if got := text(hs.send("🔔 Nhắc lịch bầu cử")); !strings.Contains(got, "Election reminders are on") {
		t.Fatalf("🔔 = %q", got)
	}
	if got := text(hs.do(bot.Incoming{Callback: "rem:tat"})); !strings.Contains(got, "Reminders are off") || hs.store.contact("console", "1").Reminders {
		t.Fatalf("Tắt = %q", got)
	}
}

func TestPlaceSendsLocation(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp3")
	out := hs.send("o dau bau")
	if len(out) != 2 || out[1].Location == nil || out[1].Location.Lat == 0 || out[1].Location.Title != "Nhà văn hóa khu phố 3" {
		t.Fatalf("place = %+v", out)
	}
	if !strings.Contains(out[0].Text, "từ 07:00 đến 11:00") || !strings.Contains(out[0].Text, "30 đường Trần Phú") {
		t.Fatalf("place text = %q", out[0].Text)
	}
	hs.send("kp6") // no coordinates: no pin
	out = hs.send("o dau bau")
	if len(out) != 1 || out[0].Location != nil {
		t.Fatalf("place without coordinates = %+v", out)
	}
}

func TestRulesByRegime(t *testing.T) {
	hs := newHarness(t)
	got := text(hs.send("/quydinh"))
	for _, want := range []string{"quá 50% tổng số cử tri đại diện hộ gia đình của khu phố tham dự", "quá 50% tổng số cử tri đại diện hộ gia đình của cả khu phố",
		"chậm nhất 15 ngày sau lần bầu thứ nhất", "đủ 21 tuổi", "hộ khẩu thường trú và thường xuyên cư trú", "phẩm chất chính trị", "bỏ phiếu kín"} {
		if !strings.Contains(got, want) {
			t.Errorf("nqlt rules lack %q", want)
		}
	}
	hs.store.election.Rules = models.RulesLuat2022
	hs.store.election.Method = models.MethodHands
	got = text(hs.send("thế nào là trúng cử"))
	// NĐ 59/2023 as applied: the meeting's quorum and the household
	// ballot; the interim head until a new one is elected (no 6 months).
	if !strings.Contains(got, "hội nghị chỉ tiến hành bầu khi có quá 50% tổng số cử tri đại diện hộ gia đình") ||
		!strings.Contains(got, "phát phiếu lấy ý kiến đến từng hộ gia đình") ||
		!strings.Contains(got, "lâm thời cho đến khi bầu được Trưởng khu phố mới") || strings.Contains(got, "tháng") || strings.Contains(got, "15 ngày") {
		t.Errorf("luat-10-2022 win rule = %q", got)
	}
	if got := text(hs.send("giơ tay hay bỏ phiếu kín")); !strings.Contains(got, "dự kiến: giơ tay") || !strings.Contains(got, "Ban kiểm phiếu từ 3 đến 5 người") {
		t.Errorf("method = %q", got)
	}
	// NQLT 09/2008 Điều 8: an all-voter area says so.
	hs.store.election.Rules, hs.store.election.Electorate = models.RulesNQLT2008, models.ElectorateVoters
	for _, a := range hs.store.areas {
		a.Electorate = models.ElectorateVoters
	}
	hs.send("kp1")
	got = text(hs.send("/quydinh"))
	if !strings.Contains(got, "mọi cử tri có tên trong danh sách đều đi bầu") || !strings.Contains(got, "quá 50% tổng số cử tri của cả khu phố") ||
		strings.Contains(got, "đại diện hộ") {
		t.Errorf("all-voter rules = %q", got)
	}
}

// Never silence: whatever a user sends gets at least one reply.
func TestNeverSilent(t *testing.T) {
	hs := newHarness(t)
	for _, in := range []bot.Incoming{
		{Text: ""}, {Text: "   "}, {Text: "/unknown"}, {Text: "???"}, {PhotoRef: "abc"},
		{Location: &bot.Location{Lat: 1, Lon: 2}}, {Callback: "nonsense"}, {Callback: "area:99"}, {Text: "/contact"},
	} {
		hs.do(in) // fails on an empty reply
	}
	hs.store.election = nil
	for _, q := range []string{"/start", "ngay bau cu", "o dau bau", "nguyen van an 1961", "/ungcu", "kp1"} {
		if got := text(hs.send(q)); got == "" {
			t.Errorf("%q without an election: no text", q)
		}
	}
}

func TestInternalErrorIsReturned(t *testing.T) {
	hs := newHarness(t)
	hs.store.failAll = models.Errorf(models.EINTERNAL, "database down")
	_, err := hs.h.Handle(context.Background(), nil, bot.Incoming{Channel: "console", UserID: "1", Text: "ngay bau cu"})
	if models.ErrorCode(err) != models.EINTERNAL {
		t.Fatalf("err = %v, want internal", err)
	}
	hs.store.failAll = nil
	hs.send("ngay bau cu")
	// A store error with another code becomes a localised reply.
	hs.store.election = nil
	hs.store.failAll = nil
	if got := text(hs.send("ngay bau cu")); !strings.Contains(got, "chưa có cuộc bầu cử") {
		t.Fatalf("not-found election = %q", got)
	}
	hs.store.failAll = errors.New("driver: bad connection")
	if _, err := hs.h.Handle(context.Background(), nil, bot.Incoming{Channel: "console", UserID: "1", Text: "/start"}); err == nil {
		t.Fatal("a plain driver error was swallowed")
	}
}

// A broken state (from an older version) is dropped, not fatal.
func TestUnreadableStateDropped(t *testing.T) {
	hs := newHarness(t)
	hs.send("/start")
	hs.store.contact("console", "1").State = "{not json"
	if got := text(hs.send("ngay bau cu")); !strings.Contains(got, "05/06/2022") {
		t.Fatalf("with a broken state = %q", got)
	}
	if s := hs.store.contact("console", "1").State; s == "{not json" {
		t.Fatal("broken state kept")
	}
}

func TestCatalogsHaveSameKeys(t *testing.T) {
	vi, err := locales.Keys("vi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	en, err := locales.Keys("en.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]int{}
	for _, k := range vi {
		set[k]++
	}
	for _, k := range en {
		set[k] += 2
	}
	for k, v := range set {
		if v != 3 {
			t.Errorf("key %q only in %s", k, map[int]string{1: "vi.yaml", 2: "en.yaml"}[v])
		}
	}
	// Every key renders in both languages without template errors.
	b, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range locales.Languages {
		loc := i18n.NewLocalizer(b, lang)
		for _, k := range vi {
			if _, err := loc.Localize(&i18n.LocalizeConfig{MessageID: k, TemplateData: map[string]any{}}); err != nil {
				t.Errorf("%s %s: %v", lang, k, err)
			}
		}
	}
}

// FuzzHandle: whatever text arrives, Handle neither panics nor stays
// silent nor fails (the fake store does not fail).
func FuzzHandle(f *testing.F) {
	for _, s := range []string{"/start", "ngay bau cu", "kp1", "khu phố XII", "nguyen van an 1961", "126", "/lang en", "/start kp1", "/khupho 3", "\x00", "tran thi hoa 1970"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		st := newFakeStore()
		clk := &clock{t: at(2022, 6, 2, 9, 0)}
		h, err := New(Config{Stores: st.stores, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range []string{a, b} {
			out, err := h.Handle(context.Background(), nil, bot.Incoming{Channel: "console", UserID: "1", Text: msg})
			if err != nil || len(out) == 0 {
				t.Fatalf("Handle(%q) = %v, %v", msg, out, err)
			}
		}
	})
}

// The channel's language (Telegram's language_code) sets a new contact's
// first language; later hints do not override what the contact has.
func TestChannelLanguageSetsTheFirstOnly(t *testing.T) {
	hs := newHarness(t)
	hs.lang = "en"
	if got := text(hs.send("/start")); !strings.HasPrefix(got, "Welcome!") {
		t.Fatalf("first message with language_code en = %q", got)
	}
	hs.lang = "vi"
	if got := text(hs.send("/help")); !strings.HasPrefix(got, "This Q&A channel") {
		t.Fatalf("a later hint changed the language: %q", got)
	}
	hs.user, hs.lang = "2", "fr" // neither: the default
	if got := text(hs.send("/start")); !strings.HasPrefix(got, "Kính chào") {
		t.Fatalf("language_code fr = %q", got)
	}
}
