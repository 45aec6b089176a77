package handlers

import (
	"bytes"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// export: /xuat [csv] — the results as a spreadsheet.
func (wr *wardResults) export(arg string) error {
	format, ext, mime := models.ExportXLSX, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if strings.Contains(models.Fold(arg), "csv") {
		format, ext, mime = models.ExportCSV, "csv", "text/csv"
	}
	// A ward's official exports their ward of a province's election; a
	// province's or city's, all of it.
	ward, err := wr.exportWard()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := wr.store.ExportResultsOf(wr.ctx, wr.el.Code, ward, format, &buf); err != nil {
		return err
	}
	detail, base := "format="+format, "ket-qua-"+wr.el.Code
	if ward != "" {
		detail, base = detail+" ward="+ward, base+"-"+ward
	}
	if err := wr.audit(wr.store, ActionExport, wr.el.Code, detail, true); err != nil {
		return err
	}
	name := base + "-" + wr.now().In(wr.el.Location()).Format("20060102-1504") + "." + ext
	wr.out = append(wr.out, bot.Outgoing{
		Text:     wr.tr("off_export_caption", map[string]any{"Title": wr.el.Title, "At": wr.texts.when(wr.lang, wr.el, wr.now())}),
		Document: &bot.Document{Name: name, MIME: mime, Data: buf.Bytes()},
	})
	return nil
}

// exportWard is the ward /xuat exports: the ward in view for an official
// of one ward in an election of several, "" (all of it) otherwise.
func (wr *wardResults) exportWard() (string, error) {
	o, err := wr.officials.roles()
	if err != nil || o == nil || o.allWards || wr.el.WardID != nil || wr.el.Ward == nil {
		return "", err
	}
	return wr.el.Ward.Code, nil
}
