package handlers

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"electionbot/bot"
	"electionbot/models"
)

// convState is the pending part of a conversation, stored as JSON in
// Contact.State so that a restart (or another replica) continues it.
type convState struct {
	// Await is what the bot asked for: one of the await* values.
	Await string `json:"await,omitempty"`
	// Then is the action to resume once the area is known.
	Then action `json:"then,omitempty"`
	// Query is a name lookup waiting for the area or the household number.
	// It is the resident's own search, kept only until it is answered.
	Query *nameQuery `json:"q,omitempty"`
	// Draft is an official's tally being written (Await "tally"): the
	// guided form's answers or a one-message tally waiting to be confirmed.
	Draft *draft `json:"d,omitempty"`
	// Choices are the wards offered when a name was ambiguous (Await
	// "ward"), so that the answer may be just the city.
	Choices []int64 `json:"w,omitempty"`
}

// What the bot waits for (convState.Await).
const (
	awaitWard      = "ward"      // which ward (xã/phường) the resident lives in
	awaitCity      = "city"      // which city, for a ward name found in several
	awaitArea      = "area"      // which area the resident lives in
	awaitName      = "name"      // a name and birth year for a lookup
	awaitHousehold = "household" // the household number that picks one of several matches
	awaitYear      = "year"      // the birth year of a name kept in Query (lookup_year.go)
	awaitTally     = "tally"     // a draft tally is pending (tally_draft.go)
	awaitBcAreas   = "bc_areas"  // the areas of a /thongbao (broadcast.go)
	awaitBcText    = "bc_text"   // the text of a /thongbao
)

// turn is the handling of one Incoming: the core every feature uses (the
// contact, the conversation state, the language, the replies, and the
// election and its areas loaded once), and the features bound to this
// update's stores. Each feature embeds the turn.
type turn struct {
	conv  *Conversation
	texts *texts
	ctx   context.Context
	core  CoreStore
	in    bot.Incoming
	c     *models.Contact
	st    convState
	lang  string
	out   []bot.Outgoing
	dirty bool // contact changed: save it

	wd          *models.Ward // the ward in view (ward())
	wardLoaded  bool
	wards       []*models.Ward // every ward (wardList(), unplaced contacts only)
	wardsLoaded bool
	el          *models.Election // its election (election())
	elLoaded    bool
	areas       []*models.Area // its areas in that election (areaList())
	// visit is another place this turn answers for, once (visit.go).
	visit visiting
	// adopted is the area just remembered from a first question that
	// named it (residents.areaInText).
	adopted *models.Area

	// The features. Always set; an optional one whose store is nil is off
	// (its on() is false) and its routes decline.
	residents  *residents
	lookup     *lookup
	reminders  *reminders
	officials  *officials
	tallies    *tallies
	results    *wardResults
	broadcasts *broadcasts
	files      *files
}

func newTurn(ctx context.Context, cv *Conversation, st Stores, in bot.Incoming, c *models.Contact) *turn {
	t := &turn{conv: cv, texts: cv.texts, ctx: ctx, core: st.Core, in: in, c: c, lang: normLang(c.Lang, cv.defLang)}
	t.residents = &residents{turn: t, store: st.Residents}
	t.lookup = &lookup{turn: t, store: st.Lookup}
	t.reminders = &reminders{turn: t, store: st.Reminders}
	t.officials = &officials{turn: t, store: st.Officials}
	t.tallies = &tallies{turn: t, store: st.Tallies}
	t.results = &wardResults{turn: t, store: st.Results}
	t.broadcasts = &broadcasts{turn: t, store: st.Broadcasts}
	t.files = &files{turn: t, store: st.Files}
	return t
}

func (t *turn) now() time.Time { return t.conv.now() }

// nowYear is the current year in Vietnam, for reading birth years.
func (t *turn) nowYear() int { return t.now().In(models.VietnamTime).Year() }

// setState replaces the conversation state and marks the contact dirty.
func (t *turn) setState(st convState) {
	t.st = st
	s := ""
	if st.Await != "" || st.Then != "" || st.Query != nil || st.Draft != nil || len(st.Choices) > 0 {
		b, _ := json.Marshal(st)
		s = string(b)
	}
	if s != t.c.State {
		t.c.State = s
		t.dirty = true
	}
}

func (t *turn) clearState() { t.setState(convState{}) }

// tr localises a message id with template data in the contact's language,
// with the words of the turn's place (texts.turnWords: the contact's area,
// else the ward in view; only what is already loaded) under the keys the
// data does not set.
func (t *turn) tr(id string, data map[string]any) string {
	return t.texts.trTurn(t.lang, id, data, t.wd, t.wardLoaded, t.areas, t.c.AreaID)
}

// reply appends a text message with an optional keyboard.
func (t *turn) reply(text string, kb *bot.Keyboard) {
	t.out = append(t.out, bot.Outgoing{Text: text, Keyboard: kb})
}

// fallback is the answer to what the bot did not understand.
func (t *turn) fallback() error {
	t.reply(t.tr("fallback", nil), t.menu())
	return nil
}

// notice is a message to another contact, in that contact's language, on
// that contact's channel; text renders it in a language.
func (t *turn) notice(c *models.Contact, text func(lang string) string) {
	if c == nil || c.ID == t.c.ID || !c.Reachable || c.ChatID == "" {
		return
	}
	lang := normLang(c.Lang, t.conv.defLang)
	t.out = append(t.out, bot.Outgoing{ChatID: c.ChatID, Channel: c.Channel, Text: text(lang)})
}

// ward is the ward in view for this turn, loaded once: the ward of the
// contact's area, else the ward the contact chose, else the only ward of
// the deployment (where there is one, nobody is asked), else the ward of
// an official's grants. nil when the contact has not been placed yet.
func (t *turn) ward() (*models.Ward, error) {
	if t.wardLoaded {
		return t.wd, nil
	}
	w, err := t.findWard()
	if err != nil {
		return nil, err
	}
	t.wd, t.wardLoaded = w, true
	return w, nil
}

func (t *turn) findWard() (*models.Ward, error) {
	if t.c.AreaID != nil {
		w, err := t.core.AreaWard(t.ctx, *t.c.AreaID)
		if err == nil {
			return w, nil
		}
		if models.ErrorCode(err) != models.ENOTFOUND {
			return nil, err
		}
	}
	if t.c.WardID != nil {
		w, err := t.core.Ward(t.ctx, *t.c.WardID)
		if err == nil {
			return w, nil
		}
		if models.ErrorCode(err) != models.ENOTFOUND {
			return nil, err
		}
	}
	ws, err := t.wardList()
	if err != nil || len(ws) == 0 {
		return nil, err
	}
	if len(ws) == 1 {
		return ws[0], nil
	}
	return t.officials.grantWard()
}

// wardList is every ward a resident may be placed in, loaded once: only
// an unplaced contact's turn needs it.
func (t *turn) wardList() ([]*models.Ward, error) {
	if t.wardsLoaded {
		return t.wards, nil
	}
	ws, err := t.core.Wards(t.ctx)
	if err != nil {
		return nil, err
	}
	t.wards, t.wardsLoaded = ws, true
	return ws, nil
}

// placeWard moves the contact to a ward (forgetting an area of another
// ward) and makes it the ward in view.
func (t *turn) placeWard(w *models.Ward) {
	if t.c.WardID == nil || *t.c.WardID != w.ID {
		id := w.ID
		t.c.WardID = &id
		t.dirty = true
	}
	if t.c.AreaID != nil { // an area of another ward is forgotten
		if aw, err := t.core.AreaWard(t.ctx, *t.c.AreaID); err != nil || aw.ID != w.ID {
			t.c.AreaID = nil
			t.dirty = true
		}
	}
	t.wd, t.wardLoaded = w, true
	t.el, t.elLoaded, t.areas = nil, false, nil
}

// election is the election of the ward in view, loaded once per turn (its
// Ward is that ward); nil if the contact is not placed or the ward has none.
func (t *turn) election() (*models.Election, error) {
	if t.elLoaded {
		return t.el, nil
	}
	w, err := t.ward()
	if err != nil {
		return nil, err
	}
	if w == nil {
		t.elLoaded = true
		return nil, nil
	}
	el, err := t.core.ElectionForWard(t.ctx, w)
	if models.ErrorCode(err) == models.ENOTFOUND {
		t.elLoaded = true
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t.el, t.elLoaded = el, true
	return el, nil
}

// needElection is the election of the ward in view. Without one it asks
// an unplaced contact for their ward (then resumes act), or says there is
// no election, and returns nil.
func (t *turn) needElection(act action) (*models.Election, error) {
	el, err := t.election()
	if err != nil || el != nil {
		return el, err
	}
	if w, err := t.ward(); err != nil || w == nil {
		ws, err := t.wardList()
		if err != nil {
			return nil, err
		}
		if len(ws) > 1 {
			return nil, t.askWard("ward_ask", act)
		}
	}
	t.reply(t.tr("no_election", nil), t.menu())
	return nil, nil
}

// areaList loads the areas of the ward in view in its election, once per
// turn: never the whole election's.
func (t *turn) areaList() ([]*models.Area, error) {
	if t.areas != nil {
		return t.areas, nil
	}
	el, err := t.election()
	if err != nil || el == nil {
		return nil, err
	}
	as, err := t.core.WardAreas(t.ctx, el.ID, el.Ward)
	if err != nil {
		return nil, err
	}
	t.areas = as
	return as, nil
}

// areasByID are the ward's areas by id (none without an election).
func (t *turn) areasByID() (map[int64]*models.Area, error) {
	areas, err := t.areaList()
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*models.Area, len(areas))
	for _, a := range areas {
		byID[a.ID] = a
	}
	return byID, nil
}

// areaNames lists areas by name: "Khu phố 1, Khu phố 2".
func areaNames(as []*models.Area) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}

// myArea is the area the turn answers for: another area asked about
// (visit.go), else the contact's chosen area if it belongs to the
// election in view; nil otherwise.
func (t *turn) myArea() (*models.Area, error) {
	if t.visit.area != nil {
		t.visit.used = true
		return t.visit.area, nil
	}
	return t.ownArea()
}

// setArea remembers the contact's area (and so its ward): it is then no
// longer a place visited.
func (t *turn) setArea(a *models.Area) {
	t.visit = visiting{}
	if t.c.AreaID == nil || *t.c.AreaID != a.ID {
		id := a.ID
		t.c.AreaID = &id
		t.dirty = true
	}
	if t.c.WardID == nil || *t.c.WardID != a.WardID {
		id := a.WardID
		t.c.WardID = &id
		t.dirty = true
	}
}

func (t *turn) wardName() string {
	if t.wd != nil {
		return t.wd.Name
	}
	return ""
}

// audit records an event of the contact's, at the injected clock.
func (t *turn) audit(store auditor, action, subject, detail string, ok bool) error {
	id := t.c.ID
	return store.Audit(t.ctx, &models.AuditEvent{At: t.now().UTC(), ContactID: &id, Action: action,
		Subject: subject, Detail: detail, OK: ok})
}

// auditor records audit events; the features that audit include it in
// their store.
type auditor interface {
	Audit(ctx context.Context, ev *models.AuditEvent) error
}
