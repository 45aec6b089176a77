package handlers

import (
	"strings"
	"unicode"

	"electionbot/models"
)

// People nominated at the meeting (NĐ 59/2023, docs/design.md §3): the
// guided form asks for them after the listed candidates; a one-message
// tally names them like anyone (tally.Parse). They are echoed as such,
// stored as candidates "ứng cử tại hội nghị" and the ward is told.

// nomineesAnswer takes the form's answer about people nominated at the
// meeting: "không" (nobody), or each one's name and votes, one a line or
// separated by ";" ("Lê Văn Tám 40").
func (tl *tallies) nomineesAnswer(d *draft, text string) error {
	switch models.Fold(strings.Trim(strings.TrimSpace(text), ".!")) {
	case "khong", "khong co", "k", "ko", "no", "none", "nobody", "0":
		d.Nominees, d.NomineesDone = nil, true
		return tl.formNext(d)
	}
	ns, ok := parseNominees(text)
	if !ok {
		tl.reply(tl.tr("law_form_nominees_bad", nil), nil)
		area, err := tl.draftArea(d)
		if err != nil || area == nil {
			return tl.formNext(d)
		}
		return tl.askField(d, area)
	}
	d.Nominees, d.NomineesDone = ns, true
	return tl.formNext(d)
}

// parseNominees reads "Lê Văn Tám 40; Hoàng Minh: 5 phiếu": each part a
// name (letters) then a count (parseCount). false when a part is not.
func parseNominees(text string) ([]models.Nominee, bool) {
	parts := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' })
	if len(parts) == 1 && strings.Count(text, ",") > 0 && !strings.ContainsAny(text, ".") {
		// "A 40, B 5": commas separate people when no number has a
		// thousands separator.
		parts = strings.Split(text, ",")
	}
	var out []models.Nominee
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		i := strings.IndexFunc(p, unicode.IsDigit)
		if i <= 0 {
			return nil, false
		}
		name := strings.Join(strings.Fields(strings.TrimRight(p[:i], " :=-–")), " ")
		n, ok := parseCount(p[i:])
		if !ok || name == "" || !strings.ContainsFunc(name, unicode.IsLetter) {
			return nil, false
		}
		out = append(out, models.Nominee{Name: name, Votes: n})
	}
	return out, len(out) > 0
}
