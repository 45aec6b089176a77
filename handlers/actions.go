package handlers

import "electionbot/models"

// action is what the bot does for a resident's command, menu button,
// "act:" button or intent; intents.yaml names map to actions of the same
// name.
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
	actWard       action = "ward"  // choose or change one's xã/phường
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
	"btn_ward":        actWard,
	"btn_lang":        actLang,
	"btn_help":        actHelp,
	"btn_menu":        actMenu,
	"btn_share_phone": actPhone,
}

// commands are the residents' commands, Vietnamese (without diacritics, as
// Telegram requires) and English.
var commands = map[string]action{
	"start": actStart, "help": actHelp, "trogiup": actHelp, "huongdan": actHelp,
	"menu": actMenu, "danhmuc": actMenu,
	"ngaybau": actDate, "ngaybaucu": actDate, "date": actDate, "when": actDate,
	"ketqua": actResult, "result": actResult,
	"diadiem": actPlace, "place": actPlace, "where": actPlace,
	"tracuu": actCheck, "check": actCheck,
	"ungcu": actCandidates, "ungvien": actCandidates, "candidates": actCandidates,
	"quydinh": actRules, "rules": actRules,
	"khupho": actArea, "area": actArea, "thon": actArea,
	"xa": actWard, "phuong": actWard, "xaphuong": actWard, "ward": actWard, "commune": actWard,
	"nhacnho": actReminders, "remind": actReminders, "reminders": actReminders,
	"ngonngu": actLang, "lang": actLang, "language": actLang,
	"huy": actCancel, "cancel": actCancel,
	"contact": actPhone,
}

// run performs an action. arg is a command's argument ("/lang en").
func (t *turn) run(a action, arg string) error {
	r := t.residents
	switch a {
	case actStart:
		t.clearState()
		if models.IsInviteCode(arg) && !t.in.Group { // an official's invite: /start inv_…
			return t.officials.redeemInvite(arg)
		}
		return r.start(arg)
	case actHelp:
		return r.help()
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
	case actResult: // admins and viewers: the ward's results; residents: their area's
		if taken, err := t.results.summary(arg); taken || err != nil {
			return err
		}
		return r.resultReply()
	case actDate:
		return r.dateReply()
	case actPlace:
		return r.placeReply()
	case actCandidates:
		return r.candidatesReply()
	case actCheck:
		return t.lookup.intro()
	case actPhone:
		t.reply(t.tr("phone_how", nil), t.checkKeyboard())
	case actRules, actVoteRule, actStandRule, actWinRule, actMethodRule:
		return r.rulesReply(a)
	case actFamily:
		t.reply(t.tr("family", nil), t.checkKeyboard())
	case actReminders:
		return t.reminders.command(arg)
	case actLang:
		r.switchLang(arg)
	case actWard:
		if arg != "" {
			t.setState(convState{Await: awaitWard})
			return t.freeText(models.Fold(arg))
		}
		return t.askWard("ward_ask", "")
	case actArea:
		if arg != "" {
			return t.freeText(models.Fold("khu " + arg))
		}
		return t.askArea("area_ask", "")
	case actGreeting:
		t.reply(t.tr("greeting", nil), t.menu())
	case actThanks:
		t.reply(t.tr("thanks", nil), t.menu())
	default:
		return t.fallback()
	}
	return nil
}

// runIntent runs the intent recognised in free text; rest is the text
// without the area it named.
func (t *turn) runIntent(a action, rest string) error {
	if t.st.Await != "" && a != actCancel {
		// Moving on to another question drops what was pending.
		t.clearState()
	}
	arg := ""
	if a == actLang || a == actReminders {
		arg = rest // "tieng anh", "tat nhac nho"
	}
	return t.run(a, arg)
}
