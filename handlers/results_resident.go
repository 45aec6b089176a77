package handlers

import "electionbot/models"

// A resident's "kết quả": before the results can be known, when they will
// be; after the polls close, the recognised result of their area (the
// area is asked first, then the result answered) and the public results
// page.

// resultReply answers "kết quả", "/ketqua", "ai trúng cử" for a resident.
func (r *residents) resultReply() error {
	el, err := r.needElection(actResult)
	if err != nil || el == nil {
		return err
	}
	now := r.now()
	if phase, _ := electionPhase(el, now); phase != phasePast {
		r.reply(r.tr("result_not_yet", map[string]any{
			"Date":     r.texts.date(r.lang, "date_format", el.Day()),
			"Relative": r.texts.relative(r.lang, el, now),
			"Opens":    el.Opens,
			"Closes":   el.Closes,
		}), r.menu())
		return nil
	}
	area, err := r.needArea(actResult)
	if err != nil || area == nil {
		return err
	}
	text, err := r.resultLine(el, area)
	if err != nil {
		return err
	}
	if link := r.publicResultsLink(el); link != "" {
		text += "\n" + r.tr("result_link", map[string]any{"URL": link})
	}
	r.reply(text, r.menu())
	return nil
}

// publicResultsLink is the public results page of the election in view
// (of its ward, in an election of several), "" without one.
func (r *residents) publicResultsLink(el *models.Election) string {
	if r.conv.publicURL == nil {
		return ""
	}
	code := ""
	if el.Ward != nil && el.WardID == nil {
		code = el.Ward.Code
	}
	return r.conv.publicURL(el.Code, code)
}
