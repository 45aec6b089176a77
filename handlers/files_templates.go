package handlers

import "electionbot/bot"

// fileCommands send the templates to fill in (admins).
var fileCommands = map[string]bool{"maufile": true, "mau": true, "templates": true}

// templates answers /maufile: the voter list's, areas table's and
// election file's templates, as documents (Config.Templates).
func (fl *files) templates() error {
	if !fl.on() || fl.conv.templates == nil {
		return fl.suggestCommand("maufile")
	}
	_, _, ok, err := fl.fileAdmin("off_admin_only")
	if err != nil || !ok {
		return err
	}
	docs, err := fl.conv.templates()
	if err != nil {
		return err
	}
	fl.reply(fl.tr("files_templates_intro", map[string]any{"MB": bot.MaxFileSize >> 20}), nil)
	for i := range docs {
		fl.out = append(fl.out, bot.Outgoing{Document: &docs[i]})
	}
	return nil
}
