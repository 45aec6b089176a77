package handlers

import (
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// action is what the bot does for a message; intents.yaml names map to
// actions of the same name.
type action string

const (
	actStart      action = "start"
	actHelp       action = "help"
	actMenu       action = "menu"
	actDate       action = "date"
	actResult     action = "result"
	actPlace      action = "place"
	actCheck      action = "check"
	actCandidates action = "candidates"
	actRules      action = "rules"
	actVoteRule   action = "rules_vote"
	actStandRule  action = "rules_stand"
	actWinRule    action = "rules_win"
	actMethodRule action = "rules_method"
	actFamily     action = "family"
	actReminders  action = "reminders"
	actLang       action = "lang"
	actArea       action = "area"
	actGreeting   action = "greeting"
	actThanks     action = "thanks"
	actCancel     action = "cancel"
	actPhone      action = "phone" // "/contact" without a contact
)

// buttonActions maps the main keyboard's message ids to actions; the texts
// of both languages are recognised when they come back.
var buttonActions = map[string]action{
	"btn_date":        actDate,
	"btn_place":       actPlace,
	"btn_check":       actCheck,
	"btn_candidates":  actCandidates,
	"btn_reminders":   actReminders,
	"btn_rules":       actRules,
	"btn_area":        actArea,
	"btn_lang":        actLang,
	"btn_help":        actHelp,
	"btn_menu":        actMenu,
	"btn_share_phone": actPhone,
}

// commands, Vietnamese (without diacritics, as Telegram requires) and
// English.
var commands = map[string]action{
	"start": actStart, "help": actHelp, "trogiup": actHelp, "huongdan": actHelp,
	"menu": actMenu, "danhmuc": actMenu,
	"ngaybau": actDate, "ngaybaucu": actDate, "date": actDate, "when": actDate,
	"ketqua": actResult, "result": actResult,
	"diadiem": actPlace, "place": actPlace, "where": actPlace,
	"tracuu": actCheck, "check": actCheck,
	"ungcu": actCandidates, "ungvien": actCandidates, "candidates": actCandidates,
	"quydinh": actRules, "rules": actRules,
	"khupho": actArea, "area": actArea,
	"nhacnho": actReminders, "remind": actReminders, "reminders": actReminders,
	"ngonngu": actLang, "lang": actLang, "language": actLang,
	"huy": actCancel, "cancel": actCancel,
	"contact": actPhone,
}

// dispatch routes one message. Order: shared contact (a phone designation
// first), a photo of an official's minutes, callback, command (officials'
// first), keyboard button, an official's tally or form answer, an answer
// the bot is waiting for, an area named in the text, a name + birth year,
// an intent; else the fallback.
func (t *turn) dispatch() error {
	in := t.in
	if in.Contact != nil {
		if done, err := t.claimPhone(in.Contact); done || err != nil {
			return err
		}
		return t.phoneLookup(in.Contact)
	}
	if in.PhotoRef != "" {
		if done, err := t.photo(); done || err != nil {
			return err
		}
	}
	text := strings.TrimSpace(in.Text)
	if in.Callback != "" {
		if rest, ok := strings.CutPrefix(in.Callback, "o:"); ok {
			return t.officialCallback(rest)
		}
		if rest, ok := strings.CutPrefix(in.Callback, "area:"); ok {
			return t.chooseAreaByID(rest)
		}
		if rest, ok := strings.CutPrefix(in.Callback, "act:"); ok {
			return t.run(action(rest), "")
		}
		if rest, ok := strings.CutPrefix(in.Callback, "bc:"); ok { // broadcast.go
			return t.broadcastCallback(rest)
		}
		if rest, ok := strings.CutPrefix(in.Callback, "rem:"); ok { // reminders.go
			return t.reminderCallback(rest)
		}
		text = in.Callback
	}
	if text == "" {
		t.reply(t.tr("fallback", nil), t.menu())
		return nil
	}
	if strings.HasPrefix(text, "/") {
		cmd, arg, _ := strings.Cut(text[1:], " ")
		cmd, _, _ = strings.Cut(cmd, "@") // /start@ElectionBot in groups
		if done, err := t.broadcastCommand(strings.ToLower(cmd), strings.TrimSpace(arg)); done || err != nil {
			return err // /thongbao, /stop (broadcast.go)
		}
		if done, err := t.officialCommand(strings.ToLower(cmd), strings.TrimSpace(arg)); done || err != nil {
			return err
		}
		if a, ok := commands[strings.ToLower(cmd)]; ok {
			return t.run(a, strings.TrimSpace(arg))
		}
		t.reply(t.tr("fallback", nil), t.menu())
		return nil
	}
	folded := models.Fold(text)
	if a, ok := t.h.buttons[folded]; ok {
		return t.run(a, "")
	}
	if done, err := t.broadcastAwait(text); done || err != nil {
		return err // the areas or text of /thongbao (broadcast.go)
	}
	if done, err := t.officialText(text); done || err != nil {
		return err
	}
	return t.freeText(text, folded)
}

// freeText handles typed text that is neither a command nor a button.
func (t *turn) freeText(text, folded string) error {
	// An answer the bot is waiting for.
	switch t.st.Await {
	case "household":
		if no := householdNumber(folded); no != "" {
			return t.householdAnswer(no)
		}
	case "area":
		// A bare number answers "which area?": "1", "IV".
		if n, ok := smallNumber(folded); ok {
			folded = "khu " + strconv.Itoa(n)
		} else if n, ok := models.RomanNumeral(folded); ok {
			folded = "khu " + strconv.Itoa(n)
		}
	}

	rest := folded
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	if len(areas) > 0 {
		area, ref, found := matchArea(folded, areas)
		if found && area == nil {
			shown := ref.Text
			if r := []rune(strings.TrimSpace(t.in.Text)); len(r) > 0 && len(r) <= 40 && t.st.Await != "area" {
				shown = string(r) // as the resident wrote it: "khu phố 12"
			}
			return t.areaUnknown(shown)
		}
		if area != nil {
			t.setArea(area)
			rest = ref.Rest
			if strings.TrimSpace(rest) == "" {
				return t.areaChosen(area)
			}
		}
	}

	// A name and a birth year: an eligibility lookup.
	maxYear := t.h.now().In(models.VietnamTime).Year() - 17
	if q, ok := parseNameYear(rest, maxYear); ok {
		if t.st.Await == "name" || t.looksLikeName(q) {
			return t.nameLookup(q)
		}
	}
	intent, _ := t.h.scorer.Best(rest)
	if intent != "" {
		if t.st.Await != "" && intent != string(actCancel) {
			// Moving on to another question drops what was pending.
			t.clearState()
		}
		arg := ""
		if intent == string(actLang) || intent == string(actReminders) {
			arg = rest // "tieng anh", "tat nhac nho"
		}
		return t.run(action(intent), arg)
	}
	if t.st.Await == "name" && isNameOnly(rest) {
		t.reply(t.tr("check_need_year", nil), t.checkKeyboard())
		return nil
	}
	if t.st.Await == "household" {
		t.out = append(t.out, bot.Outgoing{Text: t.tr("check_household_ask_number", nil), RemoveKeyboard: true})
		return nil
	}
	if t.c.AreaID != nil && rest != folded && t.dirty {
		// "khu 2 ..." with nothing else understood: the area is noted.
		area, err := t.myArea()
		if err != nil {
			return err
		}
		if area != nil {
			return t.areaChosen(area)
		}
	}
	t.reply(t.tr("fallback", nil), t.menu())
	return nil
}

// looksLikeName guards free text with a year from being taken for a name
// when it is a question ("bau cu nam 1990 o dau").
func (t *turn) looksLikeName(q *nameQuery) bool {
	for _, w := range strings.Fields(q.Names[0]) {
		if questionWords[w] {
			return false
		}
	}
	intent, _ := t.h.scorer.Best(q.Names[0])
	// Social words are also common given names: Thanh, Thành, Thắng read
	// close to "thanks", Huy is "cancel" (hủy). With a birth year, a name.
	return intent == "" || nameLikeIntents[action(intent)]
}

// nameLikeIntents are the intents whose keywords are also Vietnamese given
// names; they never turn a name with a birth year into something else.
var nameLikeIntents = map[action]bool{actThanks: true, actCancel: true, actGreeting: true}

// run performs an action. arg is a command's argument ("/lang en").
func (t *turn) run(a action, arg string) error {
	switch a {
	case actStart:
		t.clearState()
		return t.start(arg)
	case actHelp:
		t.reply(t.tr("help", nil), t.menu())
		extra, err := t.officialsHelp()
		if err != nil {
			return err
		}
		if extra != "" {
			t.out[len(t.out)-1].Keyboard = nil
			t.reply(extra, t.menu())
		}
	case actMenu:
		t.clearState()
		t.reply(t.tr("menu_prompt", nil), t.menu())
	case actCancel:
		hadDraft := t.st.Draft != nil
		t.clearState()
		if hadDraft {
			t.reply(t.tr("off_form_cancelled", nil), t.menu())
			return nil
		}
		t.reply(t.tr("cancelled", nil), t.menu())
	case actResult:
		if done, err := t.officialResults(arg); done || err != nil {
			return err
		}
		return t.dateReply()
	case actDate:
		return t.dateReply()
	case actPlace:
		return t.placeReply()
	case actCandidates:
		return t.candidatesReply()
	case actCheck:
		return t.checkIntro()
	case actPhone:
		t.reply(t.tr("phone_how", nil), t.checkKeyboard())
	case actRules, actVoteRule, actStandRule, actWinRule, actMethodRule:
		return t.rulesReply(a)
	case actFamily:
		t.reply(t.tr("family", nil), t.checkKeyboard())
	case actReminders:
		return t.reminders(arg) // reminders.go
	case actLang:
		t.switchLang(arg)
	case actArea:
		if arg != "" {
			return t.freeText(arg, models.Fold("khu "+arg))
		}
		return t.askArea("area_ask", "")
	case actGreeting:
		t.reply(t.tr("greeting", nil), t.menu())
	case actThanks:
		t.reply(t.tr("thanks", nil), t.menu())
	default:
		t.reply(t.tr("fallback", nil), t.menu())
	}
	return nil
}

func (t *turn) start(payload string) error {
	if models.IsInviteCode(payload) && !t.in.Group { // an official's invite: /start inv_…
		return t.redeemInvite(payload)
	}
	el, err := t.election()
	if err != nil {
		return err
	}
	if el == nil {
		t.reply(t.tr("welcome_no_election", nil), t.menu())
		return nil
	}
	t.reply(t.tr("welcome", map[string]any{"Ward": wardLine(el), "Title": el.Title}), t.menu())
	if payload != "" { // deep link: /start kp1
		areas, err := t.areaList()
		if err != nil {
			return err
		}
		if area, _, _ := matchArea(payload, areas); area != nil {
			t.setArea(area)
		}
	}
	return nil
}

// menu is the main reply keyboard in the contact's language.
func (t *turn) menu() *bot.Keyboard {
	b := func(id string) bot.Button { return bot.Button{Text: t.tr(id, nil)} }
	return &bot.Keyboard{Rows: [][]bot.Button{
		{b("btn_date"), b("btn_place")},
		{b("btn_check")},
		{b("btn_candidates"), b("btn_rules")},
		{b("btn_reminders"), b("btn_area")},
		{b("btn_lang"), b("btn_help")},
	}}
}

// checkKeyboard offers the contact button for a lookup by phone.
func (t *turn) checkKeyboard() *bot.Keyboard {
	return &bot.Keyboard{Rows: [][]bot.Button{
		{{Text: t.tr("btn_share_phone", nil), RequestContact: true}},
		{{Text: t.tr("btn_menu", nil)}},
	}}
}

// areaKeyboard lists the ward's areas, two per row.
func (t *turn) areaKeyboard(areas []*models.Area) *bot.Keyboard {
	kb := &bot.Keyboard{}
	var row []bot.Button
	for _, a := range areas {
		row = append(row, bot.Button{Text: a.Name})
		if len(row) == 2 {
			kb.Rows = append(kb.Rows, row)
			row = nil
		}
	}
	if row != nil {
		kb.Rows = append(kb.Rows, row)
	}
	kb.Rows = append(kb.Rows, []bot.Button{{Text: t.tr("btn_menu", nil)}})
	return kb
}

// askArea asks which area the resident lives in, to resume `then` after.
func (t *turn) askArea(msgID string, then action) error {
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	if len(areas) == 0 {
		t.reply(t.tr("no_election", nil), t.menu())
		return nil
	}
	st := t.st
	st.Await, st.Then = "area", then
	t.setState(st)
	t.reply(t.tr(msgID, map[string]any{"Ward": t.wardName()}), t.areaKeyboard(areas))
	return nil
}

func (t *turn) areaUnknown(text string) error {
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	st := t.st
	st.Await = "area"
	t.setState(st)
	t.reply(t.tr("area_unknown", map[string]any{
		"Ward": t.wardName(), "Text": text, "Areas": areaNames(areas),
	}), t.areaKeyboard(areas))
	return nil
}

func (t *turn) setArea(a *models.Area) {
	if t.c.AreaID == nil || *t.c.AreaID != a.ID {
		id := a.ID
		t.c.AreaID = &id
		t.dirty = true
	}
}

func (t *turn) chooseAreaByID(s string) error {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return models.Errorf(models.EINVALID, "bad area callback %q", s)
	}
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	for _, a := range areas {
		if a.ID == id {
			t.setArea(a)
			return t.areaChosen(a)
		}
	}
	return t.askArea("area_ask", t.st.Then)
}

// areaChosen confirms the area and resumes what was waiting for it.
func (t *turn) areaChosen(a *models.Area) error {
	then, q := t.st.Then, t.st.Query
	if t.st.Await == "area" || t.st.Await == "household" {
		t.clearState()
	}
	t.reply(t.tr("area_set", map[string]any{"Area": a.Name}), nil)
	if q != nil {
		return t.nameLookup(q)
	}
	if then != "" {
		return t.run(then, "")
	}
	t.out[len(t.out)-1].Keyboard = t.menu()
	return t.offerReminders(a) // reminders.go
}

// switchLang sets the language named in arg ("en", "/lang vi", "tieng
// anh", "English"), or toggles vi ↔ en when arg names none.
func (t *turn) switchLang(arg string) {
	lang := ""
	for _, w := range strings.Fields(models.Fold(arg)) {
		switch w {
		case "en", "eng", "english", "anh":
			lang = "en"
		case "vi", "vn", "viet", "vietnamese", "vietnam":
			lang = "vi"
		}
	}
	if lang == "" {
		lang = "en"
		if t.lang == "en" {
			lang = "vi"
		}
	}
	t.lang = lang
	if t.c.Lang != lang {
		t.c.Lang = lang
		t.dirty = true
	}
	t.reply(t.tr("lang_switched", nil), t.menu())
}
