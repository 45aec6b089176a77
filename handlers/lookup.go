package handlers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"electionbot/bot"
	"electionbot/models"
)

// ActionLookup is the audit action of an eligibility lookup. The rate limit
// counts these events in the shared database, so it holds across replicas.
const ActionLookup = "eligibility.lookup"

// questionWords are words of a question, never of a name.
var questionWords = map[string]bool{
	"khong": true, "ko": true, "hok": true, "nao": true, "gi": true, "sao": true,
	"bau": true, "phieu": true, "ngay": true, "duoc": true,
	"when": true, "where": true, "what": true, "who": true, "how": true,
	"is": true, "are": true, "the": true, "election": true, "vote": true,
	// not "do": folded, it is Đỗ, one of the commonest surnames.
}

// Filler words around a name: leading ("tôi tên là …", "tra cứu …") and
// before the year ("sinh năm 1961", "born in 1961").
var (
	leadFillers = [][]string{
		{"ho", "va", "ten", "la"}, {"ho", "va", "ten"}, {"ho", "ten", "la"}, {"ho", "ten"},
		{"toi", "ten", "la"}, {"ten", "toi", "la"}, {"toi", "la"}, {"ten", "la"}, {"ten"},
		{"kiem", "tra"}, {"tra", "cuu"}, {"tim"}, {"cu", "tri"},
		{"my", "name", "is"}, {"name"}, {"i", "am"}, {"im"}, {"check"},
	}
	// Ambiguous: "sinh" and "nam" are also given names ("Nguyễn Văn Nam").
	// Written with diacritics, "năm" is the word "year"; folded, both
	// readings are tried.
	yearFillers = [][]string{
		{"sinh", "nam"}, {"nam", "sinh"}, {"sinh"}, {"nam"}, {"sn"}, {"ns"},
		{"born", "in"}, {"born"}, {"year"}, {"in"},
	}
)

// parseNameYear reads "nguyen van an 1961", "Nguyễn Văn An sinh năm 1961",
// "tôi tên là Nguyễn Văn An, sinh năm 1961". It returns the folded name
// readings to try (exact matches only) and the birth year.
func parseNameYear(text string, maxYear int) (*nameQuery, bool) {
	raw := rawWords(text)
	year, yi := 0, -1
	for i, w := range raw {
		if len(w) == 4 && isDigits(w) {
			if yi >= 0 {
				return nil, false // two years: not a name lookup
			}
			y, _ := strconv.Atoi(w)
			if y < 1900 || y > maxYear {
				return nil, false
			}
			year, yi = y, i
		}
	}
	if yi < 0 {
		return nil, false
	}
	name := raw[:yi]
	if len(name) == 0 {
		name = raw[yi+1:] // "1961 nguyen van an"
	}
	folded := make([]string, len(name))
	for i, w := range name {
		folded[i] = models.Fold(w)
	}
	// Drop leading fillers.
	for _, f := range leadFillers {
		if len(folded) > len(f) && slices.Equal(folded[:len(f)], f) {
			folded, name = folded[len(f):], name[len(f):]
			break
		}
	}
	var readings [][]string
	// Fillers before the year. Written with diacritics, "năm" is surely
	// "year" and "nam" surely the given name Nam; without diacritics both
	// readings are tried. "sinh" is also a given name: both readings.
	withMarks := models.Fold(text) != strings.Join(strings.Fields(strings.Join(rawWords(text), " ")), " ")
	stripped, strippedRaw := folded, name
	sure := false
	for _, f := range yearFillers {
		n := len(f)
		if len(stripped) <= n || !slices.Equal(stripped[len(stripped)-n:], f) {
			continue
		}
		raw := strippedRaw[len(strippedRaw)-n:]
		hasNam := slices.Contains(f, "nam")
		if hasNam && withMarks && !slices.Contains(raw, "năm") {
			continue // "Nguyễn Văn Nam 1975": the name
		}
		sure = slices.Contains(raw, "năm") || !(hasNam || slices.Contains(f, "sinh"))
		stripped, strippedRaw = stripped[:len(stripped)-n], strippedRaw[:len(strippedRaw)-n]
		break
	}
	if len(stripped) != len(folded) {
		readings = append(readings, stripped)
		if !sure {
			readings = append(readings, folded)
		}
	} else {
		readings = append(readings, folded)
	}
	q := &nameQuery{Year: year}
	for _, r := range readings {
		if validName(r) {
			q.Names = append(q.Names, strings.Join(r, " "))
		}
	}
	if len(q.Names) == 0 {
		return nil, false
	}
	return q, true
}

// validName: 2 to 7 words of letters only, as Vietnamese full names are.
func validName(words []string) bool {
	if len(words) < 2 || len(words) > 7 {
		return false
	}
	for _, w := range words {
		if len(w) > 16 {
			return false
		}
		for _, r := range w {
			if !unicode.IsLetter(r) {
				return false
			}
		}
	}
	return true
}

// isNameOnly: text that looks like a full name without a year.
func isNameOnly(folded string) bool {
	words := strings.Fields(folded)
	for _, w := range words {
		if questionWords[w] {
			return false
		}
	}
	return validName(words)
}

// rawWords splits on anything but letters and digits, lower-cased, keeping
// diacritics.
func rawWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// householdNumber reads a household number answer: "125", "số 125",
// "hộ số 12A", "household 7". Any other word means it is not one (so "khu
// 2" is an area, not household 2). Returns "" if there is none.
func householdNumber(folded string) string {
	no := ""
	for _, w := range strings.Fields(folded) {
		switch {
		case householdFillers[w]:
		case w[0] >= '0' && w[0] <= '9' && len(w) <= 10 && no == "":
			no = w
		default:
			return ""
		}
	}
	return no
}

var householdFillers = map[string]bool{
	"so": true, "ho": true, "nha": true, "la": true, "cua": true, "toi": true, "em": true, "a": true,
	"household": true, "number": true, "no": true, "is": true, "my": true, "it": true, "s": true,
}

// sameHousehold compares household numbers ignoring case and leading zeros.
func sameHousehold(a, b string) bool {
	norm := func(s string) string {
		s = strings.ReplaceAll(models.Fold(s), " ", "")
		t := strings.TrimLeft(s, "0")
		if t == "" && s != "" {
			return "0"
		}
		return t
	}
	return norm(a) != "" && norm(a) == norm(b)
}

// checkIntro explains the two ways to check the list and waits for a name.
func (t *turn) checkIntro() error {
	t.setState(convState{Await: "name"})
	t.reply(t.tr("check_intro", nil), t.checkKeyboard())
	return nil
}

// limited applies the per-contact lookup limit. When it is reached it
// replies with the time to retry (local HH:MM) and returns true.
func (t *turn) limited() (bool, error) {
	now := t.h.now()
	since := now.Add(-t.h.window)
	n, err := t.h.store.CountAudit(t.ctx, t.c.ID, ActionLookup, since)
	if err != nil {
		return false, err
	}
	if n < int64(t.h.limit) {
		return false, nil
	}
	oldest, err := t.h.store.OldestAuditSince(t.ctx, t.c.ID, ActionLookup, since)
	if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
		return false, err
	}
	if oldest.IsZero() {
		oldest = now
	}
	// The oldest lookup leaves the window at oldest+window; shown rounded
	// up to the minute, so "after HH:MM" is never too early.
	retry := oldest.Add(t.h.window)
	if r := retry.Truncate(time.Minute); !r.Equal(retry) {
		retry = r.Add(time.Minute)
	}
	loc := models.VietnamTime
	if el, _ := t.election(); el != nil {
		loc = el.Location()
	}
	t.reply(t.tr("rate_limited", map[string]any{
		"Limit":   t.h.limit,
		"Minutes": int(t.h.window / time.Minute),
		"Time":    retry.In(loc).Format("15:04"),
	}), t.menu())
	return true, nil
}

// audit records one lookup. The searched name is never stored, not even
// hashed: Vietnamese full names and birth years are few enough that a hash
// is reversed by trying them all, so it would be the name in disguise
// (Decree 13/2023 treats it as personal data). The name's word count and
// length are kept: enough to see scripted enumeration (many lookups of
// varying names) without identifying anyone.
func (t *turn) audit(subject, detail string, matched bool) error {
	id := t.c.ID
	return t.h.store.Audit(t.ctx, &models.AuditEvent{
		At:        t.h.now().UTC(),
		ContactID: &id,
		Action:    ActionLookup,
		Subject:   subject,
		Detail:    detail,
		OK:        matched,
	})
}

func nameDetail(by string, q *nameQuery, matches int) string {
	n := q.Names[0]
	return fmt.Sprintf("by=%s words=%d len=%d matches=%d", by, len(strings.Fields(n)), len([]rune(n)), matches)
}

// findByName tries the readings of the name in order; the first with
// matches wins.
func (t *turn) findByName(areaID int64, q *nameQuery) ([]*models.Voter, error) {
	for _, n := range q.Names {
		vs, err := t.h.store.FindVoters(t.ctx, areaID, n, q.Year)
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 {
			return vs, nil
		}
	}
	return nil, nil
}

// nameLookup: exact full name + birth year in the resident's area.
func (t *turn) nameLookup(q *nameQuery) error {
	el, err := t.election()
	if err != nil {
		return err
	}
	if el == nil {
		t.reply(t.tr("no_election", nil), t.menu())
		return nil
	}
	area, err := t.myArea()
	if err != nil {
		return err
	}
	if area == nil {
		areas, err := t.areaList()
		if err != nil {
			return err
		}
		if len(areas) != 1 {
			// Kept in the state only until the area is chosen.
			t.setState(convState{Await: "area", Query: q})
			t.reply(t.tr("check_ask_area", nil), t.areaKeyboard(areas))
			return nil
		}
		area = areas[0]
		t.setArea(area)
	}
	if lim, err := t.limited(); lim || err != nil {
		return err
	}
	vs, err := t.findByName(area.ID, q)
	if err != nil {
		return err
	}
	if err := t.audit(fmt.Sprintf("area:%d", area.ID), nameDetail("name", q, len(vs)), len(vs) > 0); err != nil {
		return err
	}
	switch len(vs) {
	case 0:
		t.setState(convState{Await: "name"}) // a corrected name may follow
		t.notFound(el, area)
	case 1:
		t.clearState()
		t.found(el, area, vs[0])
	default:
		qq := *q
		qq.AreaID = area.ID
		t.setState(convState{Await: "household", Query: &qq})
		// No keyboard while a number is awaited: a channel that maps typed
		// digits to buttons (the console) must pass "3" through as text.
		t.out = append(t.out, bot.Outgoing{Text: t.tr("check_several", map[string]any{"Area": area.Name, "Count": len(vs)}), RemoveKeyboard: true})
	}
	return nil
}

// householdAnswer picks one of several namesakes by household number. It
// counts as a lookup, so household numbers cannot be guessed at length.
func (t *turn) householdAnswer(no string) error {
	q := t.st.Query
	el, err := t.election()
	if err != nil {
		return err
	}
	if q == nil || el == nil || len(q.Names) == 0 {
		t.clearState()
		t.reply(t.tr("fallback", nil), t.menu())
		return nil
	}
	area, err := t.h.store.Area(t.ctx, q.AreaID)
	if err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			t.clearState()
			return t.askArea("area_ask", "")
		}
		return err
	}
	if lim, err := t.limited(); lim || err != nil {
		return err
	}
	vs, err := t.findByName(area.ID, q)
	if err != nil {
		return err
	}
	var hit *models.Voter
	for _, v := range vs {
		if sameHousehold(v.HouseholdNo, no) {
			hit = v
		}
	}
	matched := 0
	if hit != nil {
		matched = 1
	}
	if err := t.audit(fmt.Sprintf("area:%d", area.ID), nameDetail("name+household", q, matched), hit != nil); err != nil {
		return err
	}
	if hit == nil {
		t.out = append(t.out, bot.Outgoing{Text: t.tr("check_household_wrong", nil), RemoveKeyboard: true})
		return nil
	}
	t.clearState()
	t.found(el, area, hit)
	return nil
}

// phoneLookup: the resident's own phone, shared through the contact
// button, matched after normalisation to E.164.
func (t *turn) phoneLookup(sc *bot.SharedContact) error {
	if !sc.Own {
		// A forwarded contact card proves nothing about who is asking.
		t.reply(t.tr("phone_not_own", nil), t.checkKeyboard())
		return nil
	}
	phone, err := models.NormalizePhone(sc.Phone)
	if err != nil {
		t.reply(t.tr("phone_invalid", nil), t.checkKeyboard())
		return nil
	}
	el, err := t.election()
	if err != nil {
		return err
	}
	if el == nil {
		t.reply(t.tr("no_election", nil), t.menu())
		return nil
	}
	if t.c.Phone == nil || *t.c.Phone != phone {
		t.c.Phone = &phone // verified by the channel
		t.dirty = true
	}
	if lim, err := t.limited(); lim || err != nil {
		return err
	}
	vs, err := t.h.store.FindVotersByPhone(t.ctx, el.ID, phone)
	if err != nil {
		return err
	}
	if err := t.audit(fmt.Sprintf("election:%d", el.ID), fmt.Sprintf("by=phone matches=%d", len(vs)), len(vs) > 0); err != nil {
		return err
	}
	if len(vs) == 0 {
		t.setState(convState{Await: "name"})
		t.reply(t.tr("check_not_found_phone", nil), t.checkKeyboard())
		return nil
	}
	t.clearState()
	byID, err := t.areasByID()
	if err != nil {
		return err
	}
	lines := make([]string, 0, len(vs))
	for _, v := range vs {
		a := byID[v.AreaID]
		if a == nil {
			continue
		}
		if t.c.AreaID == nil {
			t.setArea(a)
		}
		lines = append(lines, t.tr("check_found_phone_line", map[string]any{
			"Voter": models.MaskedVoter(v, t.tr("born_word", nil)), "Household": v.HouseholdNo,
			"Area": a.Name, "Place": placeName(a),
		}))
	}
	text := t.tr("check_found_phone", map[string]any{"Voters": strings.Join(lines, "\n")}) + "\n" +
		t.tr("check_found_phone_when", map[string]any{
			"Date": t.h.formatDate(t.lang, "date_format", el.Day()), "Opens": el.Opens, "Closes": el.Closes,
		})
	t.reply(text, t.menu())
	return nil
}

func placeName(a *models.Area) string {
	if a.PollingPlace != nil && a.PollingPlace.Name != "" {
		return a.PollingPlace.Name
	}
	return a.Name
}

// found answers for the one matching voter, masked.
func (t *turn) found(el *models.Election, area *models.Area, v *models.Voter) {
	t.reply(t.tr("check_found", map[string]any{
		"Voter":     models.MaskedVoter(v, t.tr("born_word", nil)),
		"Household": v.HouseholdNo,
		"Area":      area.Name,
		"Place":     placeName(area),
		"Date":      t.h.formatDate(t.lang, "date_format", el.Day()),
		"Opens":     el.Opens,
		"Closes":    el.Closes,
	}), t.menu())
}

// notFound says what to do: see the posted list, whom to ask, and until
// when corrections are taken (the day before the election).
func (t *turn) notFound(el *models.Election, area *models.Area) {
	lastDay := el.Day().AddDate(0, 0, -1)
	deadline := "check_deadline"
	if daysUntil(el, t.h.now()) < 1 {
		deadline = "check_deadline_passed"
	}
	t.reply(t.tr("check_not_found", map[string]any{
		"Area":     area.Name,
		"Place":    placeName(area),
		"Ward":     t.wardName(),
		"Deadline": t.tr(deadline, map[string]any{"Date": t.h.formatDate(t.lang, "date_short", lastDay)}),
	}), t.checkKeyboard())
}
