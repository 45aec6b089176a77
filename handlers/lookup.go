package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"electionbot/bot"
	"electionbot/models"
)

// ActionLookup is the audit action of an eligibility lookup. The rate limit
// counts these events in the shared database, so it holds across replicas.
const ActionLookup = "eligibility.lookup"

// LookupStore is what the eligibility lookup uses. *models.Store
// satisfies it.
type LookupStore interface {
	// FindVoters matches the exact folded full name and birth year in an
	// area.
	FindVoters(ctx context.Context, areaID int64, nameFolded string, birthYear int) ([]*models.Voter, error)
	// FindVotersByPhone matches an E.164 phone in an election (0: in any
	// election, latest first).
	FindVotersByPhone(ctx context.Context, electionID int64, phone string) ([]*models.Voter, error)
	// Area fails with models.ENOTFOUND for an unknown id.
	Area(ctx context.Context, id int64) (*models.Area, error)
	Audit(ctx context.Context, ev *models.AuditEvent) error
	// CountAudit counts a contact's events of an action since a time;
	// OldestAuditSince is the first of them (models.ENOTFOUND if none).
	CountAudit(ctx context.Context, contactID int64, action string, since time.Time) (int64, error)
	OldestAuditSince(ctx context.Context, contactID int64, action string, since time.Time) (time.Time, error)
}

var _ LookupStore = (*models.Store)(nil)

// lookup is the eligibility check: is a name (with its birth year), or the
// resident's own phone, on the voter list? Every lookup is audited and
// limited per contact (Config.LookupLimit per LookupWindow); the answer is
// masked.
type lookup struct {
	*turn
	store LookupStore
}

// intro explains the two ways to check the list and waits for a name.
func (l *lookup) intro() error {
	l.setState(convState{Await: awaitName})
	l.reply(l.tr("check_intro", nil), l.checkKeyboard())
	return nil
}

// askYear: a name without a birth year while a name is awaited.
func (l *lookup) askYear() error {
	l.reply(l.tr("check_need_year", nil), l.checkKeyboard())
	return nil
}

// askHousehold: no household number in the answer that awaits one.
func (l *lookup) askHousehold() error {
	l.removeKeyboard(l.tr("check_household_ask_number", nil))
	return nil
}

// removeKeyboard replies without a keyboard while a number is awaited: a
// channel that maps typed digits to buttons (the console) must pass "3"
// through as text.
func (l *lookup) removeKeyboard(text string) {
	l.out = append(l.out, bot.Outgoing{Text: text, RemoveKeyboard: true})
}

// nameInText takes a name and a birth year typed as free text; false when
// the text is none, or reads as a question rather than a name.
func (l *lookup) nameInText(rest string) (bool, error) {
	maxYear := l.now().In(models.VietnamTime).Year() - 17
	q, ok := parseNameYear(rest, maxYear)
	if !ok || (l.st.Await != awaitName && !l.looksLikeName(q)) {
		return false, nil
	}
	return true, l.nameLookup(q)
}

// looksLikeName guards free text with a year from being taken for a name
// when it is a question ("bau cu nam 1990 o dau").
func (l *lookup) looksLikeName(q *nameQuery) bool {
	for _, w := range strings.Fields(q.Names[0]) {
		if questionWords[w] {
			return false
		}
	}
	intent, _ := l.conv.scorer.Best(q.Names[0])
	// Social words are also common given names: Thanh, Thành, Thắng read
	// close to "thanks", Huy is "cancel" (hủy). With a birth year, a name.
	return intent == "" || nameLikeIntents[action(intent)]
}

// nameLikeIntents are the intents whose keywords are also Vietnamese given
// names; they never turn a name with a birth year into something else.
var nameLikeIntents = map[action]bool{actThanks: true, actCancel: true, actGreeting: true}

// limited applies the per-contact lookup limit. When it is reached it
// replies with the time to retry (local HH:MM) and returns true.
func (l *lookup) limited() (bool, error) {
	now, window := l.now(), l.conv.window
	since := now.Add(-window)
	n, err := l.store.CountAudit(l.ctx, l.c.ID, ActionLookup, since)
	if err != nil {
		return false, err
	}
	if n < int64(l.conv.limit) {
		return false, nil
	}
	oldest, err := l.store.OldestAuditSince(l.ctx, l.c.ID, ActionLookup, since)
	if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
		return false, err
	}
	if oldest.IsZero() {
		oldest = now
	}
	// The oldest lookup leaves the window at oldest+window; shown rounded
	// up to the minute, so "after HH:MM" is never too early.
	retry := oldest.Add(window)
	if r := retry.Truncate(time.Minute); !r.Equal(retry) {
		retry = r.Add(time.Minute)
	}
	loc := models.VietnamTime
	if el, _ := l.election(); el != nil {
		loc = el.Location()
	}
	l.reply(l.tr("rate_limited", map[string]any{
		"Limit":   l.conv.limit,
		"Minutes": int(window / time.Minute),
		"Time":    retry.In(loc).Format("15:04"),
	}), l.menu())
	return true, nil
}

// record audits one lookup. The searched name is never stored, not even
// hashed: Vietnamese full names and birth years are few enough that a hash
// is reversed by trying them all, so it would be the name in disguise
// (Decree 13/2023 treats it as personal data). The name's word count and
// length are kept: enough to see scripted enumeration (many lookups of
// varying names) without identifying anyone.
func (l *lookup) record(subject, detail string, matched bool) error {
	l.counted(map[bool]string{true: LookupFound, false: LookupNotFound}[matched])
	return l.audit(l.store, ActionLookup, subject, detail, matched)
}

func nameDetail(by string, q *nameQuery, matches int) string {
	n := q.Names[0]
	return fmt.Sprintf("by=%s words=%d len=%d matches=%d", by, len(strings.Fields(n)), len([]rune(n)), matches)
}

// findByName tries the readings of the name in order; the first with
// matches wins.
func (l *lookup) findByName(areaID int64, q *nameQuery) ([]*models.Voter, error) {
	for _, n := range q.Names {
		vs, err := l.store.FindVoters(l.ctx, areaID, n, q.Year)
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
func (l *lookup) nameLookup(q *nameQuery) error {
	el, err := l.needElection(actCheck)
	if err != nil || el == nil {
		return err
	}
	area, err := l.myArea()
	if err != nil {
		return err
	}
	if area == nil {
		areas, err := l.areaList()
		if err != nil {
			return err
		}
		if len(areas) != 1 {
			// Kept in the state only until the area is chosen.
			l.setState(convState{Await: awaitArea, Query: q})
			l.reply(l.tr("check_ask_area", nil), l.areaKeyboard(areas))
			return nil
		}
		area = areas[0]
		l.setArea(area)
	}
	vs, lim, err := l.search(area, q)
	if lim || err != nil {
		return err
	}
	if err := l.record(fmt.Sprintf("area:%d", area.ID), nameDetail("name", q, len(vs)), len(vs) > 0); err != nil {
		return err
	}
	switch len(vs) {
	case 0:
		l.setState(convState{Await: awaitName}) // a corrected name may follow
		l.notFound(el, area)
	case 1:
		l.clearState()
		l.found(el, area, vs[0])
	default:
		qq := *q
		qq.AreaID = area.ID
		l.setState(convState{Await: awaitHousehold, Query: &qq})
		l.removeKeyboard(l.tr("check_several", map[string]any{"Area": area.Name, "Count": len(vs)}))
	}
	return nil
}

// search looks a name up in an area, within the limit (limited: refused,
// and answered).
func (l *lookup) search(area *models.Area, q *nameQuery) (vs []*models.Voter, limited bool, err error) {
	if limited, err = l.admitName(area); limited || err != nil { // lookup_budget.go
		return nil, limited, err
	}
	vs, err = l.findByName(area.ID, q)
	return vs, false, err
}

// householdAnswer picks one of several namesakes by household number. It
// counts as a lookup, so household numbers cannot be guessed at length.
func (l *lookup) householdAnswer(no string) error {
	q := l.st.Query
	el, err := l.election()
	if err != nil {
		return err
	}
	if q == nil || el == nil || len(q.Names) == 0 {
		l.clearState()
		return l.fallback()
	}
	area, err := l.store.Area(l.ctx, q.AreaID)
	if err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			l.clearState()
			return l.askArea("area_ask", "")
		}
		return err
	}
	vs, lim, err := l.search(area, q)
	if lim || err != nil {
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
	if err := l.record(fmt.Sprintf("area:%d", area.ID), nameDetail("name+household", q, matched), hit != nil); err != nil {
		return err
	}
	if hit == nil {
		l.removeKeyboard(l.tr("check_household_wrong", nil))
		return nil
	}
	l.clearState()
	l.found(el, area, hit)
	return nil
}

// byPhone: the resident's own phone, shared through the contact button,
// matched after normalisation to E.164.
func (l *lookup) byPhone(sc *bot.SharedContact) error {
	if !sc.Own {
		// A forwarded contact card proves nothing about who is asking.
		l.reply(l.tr("phone_not_own", nil), l.checkKeyboard())
		return nil
	}
	phone, err := models.NormalizePhone(sc.Phone)
	if err != nil {
		l.reply(l.tr("phone_invalid", nil), l.checkKeyboard())
		return nil
	}
	if w, err := l.ward(); err != nil {
		return err
	} else if w == nil { // not placed: the phone on a voter list places the resident
		if err := l.placeByPhone(phone); err != nil {
			return err
		}
	}
	el, err := l.needElection(actCheck)
	if err != nil || el == nil {
		return err
	}
	if l.c.Phone == nil || *l.c.Phone != phone {
		l.c.Phone = &phone // verified by the channel
		l.dirty = true
	}
	if lim, err := l.admitPhone(); lim || err != nil { // lookup_budget.go
		return err
	}
	vs, err := l.store.FindVotersByPhone(l.ctx, el.ID, phone)
	if err != nil {
		return err
	}
	if err := l.record(fmt.Sprintf("election:%d", el.ID), fmt.Sprintf("by=phone matches=%d", len(vs)), len(vs) > 0); err != nil {
		return err
	}
	if len(vs) == 0 {
		l.setState(convState{Await: awaitName})
		l.reply(l.tr("check_not_found_phone", nil), l.checkKeyboard())
		return nil
	}
	l.clearState()
	byID, err := l.areasByID()
	if err != nil {
		return err
	}
	lines := make([]string, 0, len(vs))
	for _, v := range vs {
		a := byID[v.AreaID]
		if a == nil {
			continue
		}
		if l.c.AreaID == nil {
			l.setArea(a)
		}
		lines = append(lines, l.tr("check_found_phone_line", map[string]any{
			"Voter": models.MaskedVoter(v, l.tr("born_word", nil)), "Household": v.HouseholdNo,
			"Area": a.Name, "Place": placeName(a),
		}))
	}
	text := l.tr("check_found_phone", map[string]any{"Voters": strings.Join(lines, "\n")}) + "\n" +
		l.tr("check_found_phone_when", map[string]any{
			"Date": l.texts.date(l.lang, "date_format", el.Day()), "Opens": el.Opens, "Closes": el.Closes,
		})
	l.reply(text, l.menu())
	return nil
}

// placeByPhone places a contact in the ward of the first household on
// any current voter list with that phone (nothing when none has it).
func (l *lookup) placeByPhone(phone string) error {
	vs, err := l.store.FindVotersByPhone(l.ctx, 0, phone)
	if err != nil || len(vs) == 0 {
		return err
	}
	w, err := l.core.AreaWard(l.ctx, vs[0].AreaID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	l.placeWard(w)
	return nil
}

func placeName(a *models.Area) string {
	if a.PollingPlace != nil && a.PollingPlace.Name != "" {
		return a.PollingPlace.Name
	}
	return a.Name
}

// found answers for the one matching voter, masked.
func (l *lookup) found(el *models.Election, area *models.Area, v *models.Voter) {
	l.reply(l.tr("check_found", map[string]any{
		"Voter":     models.MaskedVoter(v, l.tr("born_word", nil)),
		"Household": v.HouseholdNo,
		"Area":      area.Name,
		"Place":     placeName(area),
		"Date":      l.texts.date(l.lang, "date_format", el.Day()),
		"Opens":     el.Opens,
		"Closes":    el.Closes,
	}), l.menu())
}

// notFound says what to do: see the posted list, whom to ask, and that a
// correction is to be asked for early (no legal deadline was found to
// state one: docs/design.md §3).
func (l *lookup) notFound(el *models.Election, area *models.Area) {
	lastDay := el.Day().AddDate(0, 0, -1)
	deadline := "check_deadline"
	if daysUntil(el, l.now()) < 1 {
		deadline = "check_deadline_passed"
	}
	l.reply(l.tr("check_not_found", map[string]any{
		"Area":     area.Name,
		"Place":    placeName(area),
		"Ward":     l.wardName(),
		"Deadline": l.tr(deadline, map[string]any{"Date": l.texts.date(l.lang, "date_short", lastDay)}),
	}), l.checkKeyboard())
}
