package telegram

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// The descriptions of the command menu are user-visible: they live in
// message files, in Vietnamese and English, loaded through go-i18n.
//
//go:embed locales/commands.vi.yaml locales/commands.en.yaml
var commandFiles embed.FS

// CommandFiles are the embedded message files of the command menu.
var CommandFiles = []string{"locales/commands.vi.yaml", "locales/commands.en.yaml"}

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
	{"start", "start", "cmd_start"},
	{"ngaybau", "date", "cmd_date"},
	{"diadiem", "place", "cmd_place"},
	{"tracuu", "check", "cmd_check"},
	{"ungcu", "candidates", "cmd_candidates"},
	{"quydinh", "rules", "cmd_rules"},
	{"khupho", "area", "cmd_area"},
	{"nhacnho", "remind", "cmd_remind"},
	{"ngonngu", "lang", "cmd_lang"},
	{"help", "help", "cmd_help"},
	{"huy", "cancel", "cmd_cancel"},
}

// commandBundle loads the menu's message files.
func commandBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	for _, f := range CommandFiles {
		if _, err := b.LoadMessageFileFS(commandFiles, f); err != nil {
			return nil, fmt.Errorf("telegram: %s: %w", f, err)
		}
	}
	return b, nil
}

type botCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// CommandMenus returns the setMyCommands calls: the menu for Vietnamese
// and for English clients (language_code), and the default one (clients
// in other languages) in defaultLang.
func CommandMenus(defaultLang string) ([]Call, error) {
	b, err := commandBundle()
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
