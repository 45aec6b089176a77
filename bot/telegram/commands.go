package telegram

import (
	"encoding/json"
	"fmt"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"electionbot/locales"
)

// The descriptions of the command menu are user-visible: they live in the
// message catalogs, locales/telegram.vi.yaml and locales/telegram.en.yaml.

// menuCommand is one entry of the command menu: the command in each
// language (the handlers accept both) and the message id of its
// description.
type menuCommand struct {
	VI, EN string
	Key    string
}

// menu is the residents' command menu, in the order shown. Officials'
// commands (/baocao, /thongbao…) join it as the handlers learn them.
var menu = []menuCommand{
	{"start", "start", "telegram_cmd_start"},
	{"ngaybau", "date", "telegram_cmd_date"},
	{"diadiem", "place", "telegram_cmd_place"},
	{"tracuu", "check", "telegram_cmd_check"},
	{"ungcu", "candidates", "telegram_cmd_candidates"},
	{"quydinh", "rules", "telegram_cmd_rules"},
	{"khupho", "area", "telegram_cmd_area"},
	{"nhacnho", "remind", "telegram_cmd_remind"},
	{"ngonngu", "lang", "telegram_cmd_lang"},
	{"help", "help", "telegram_cmd_help"},
	{"huy", "cancel", "telegram_cmd_cancel"},
}

type botCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// CommandMenus returns the setMyCommands calls: the menu for Vietnamese
// and for English clients (language_code), and the default one (clients
// in other languages) in defaultLang.
func CommandMenus(defaultLang string) ([]Call, error) {
	b, err := locales.NewBundle()
	if err != nil {
		return nil, err
	}
	list := func(lang string) (string, error) {
		loc := i18n.NewLocalizer(b, lang)
		var cmds []botCommand
		for _, c := range menu {
			d, err := loc.Localize(&i18n.LocalizeConfig{MessageID: c.Key})
			if err != nil {
				return "", fmt.Errorf("telegram: command menu %s (%s): %w", c.Key, lang, err)
			}
			name := c.VI
			if lang == "en" {
				name = c.EN
			}
			cmds = append(cmds, botCommand{Command: name, Description: d})
		}
		raw, err := json.Marshal(cmds)
		return string(raw), err
	}
	var calls []Call
	for _, lang := range []string{"", "vi", "en"} {
		l := lang
		if l == "" {
			l = defaultLang
			if l != "en" {
				l = "vi"
			}
		}
		cmds, err := list(l)
		if err != nil {
			return nil, err
		}
		p := map[string]string{"commands": cmds, "scope": `{"type":"default"}`}
		if lang != "" {
			p["language_code"] = lang
		}
		calls = append(calls, Call{Method: "setMyCommands", Params: p})
	}
	return calls, nil
}
