package handlers

import (
	"time"

	"electionbot/locales"
)

// ActionOfficialsLink audits the issue of an officials' results link.
const ActionOfficialsLink = "results.link"

// officialsLink answers /trangketqua (admins, viewers): a signed link to
// the officials' view of the results page of their scope — their ward's,
// or the whole election's for a province's or city's official — valid
// for a bounded time (Config.OfficialsPageLink; 12 hours by default,
// never more than 7 days). Without the server's public address or key it
// says which setting is missing.
func (wr *wardResults) officialsLink(r *roleSet) error {
	el := wr.el
	ward, scope := "", wr.wardName()
	switch {
	case r.allWards:
		ward, scope = "", el.Title
	case el.WardID == nil && el.Ward != nil:
		ward = el.Ward.Code // a ward's part of a province's election
	}
	link, until, missing := "", el.OpensAt, "PUBLIC_BASE_URL"
	if f := wr.conv.officialsPage; f != nil {
		link, until, missing = f(el.Code, ward)
	}
	if link == "" {
		id := "link_no_base"
		if missing == "RESULTS_LINK_KEY" {
			id = "link_no_key"
		}
		wr.reply(wr.tr(id, map[string]any{"Var": missing}), wr.menu())
		return nil
	}
	if err := wr.audit(wr.store, ActionOfficialsLink, el.Code, "ward="+ward+" until="+until.UTC().Format("2006-01-02T15:04:05Z"), true); err != nil {
		return err
	}
	hours := int(until.Sub(wr.now()).Round(time.Hour).Hours())
	wr.reply(wr.tr("link_issued", map[string]any{"Scope": scope, "URL": link, "Until": wr.texts.when(wr.lang, el, until),
		"Hours": locales.Number(wr.lang, hours)}), wr.menu())
	return nil
}
