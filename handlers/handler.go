package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// Store is the subset of *models.Store the residents' conversation uses.
// Tests give a fake; *models.Store satisfies it.
type Store interface {
	CurrentElection(ctx context.Context) (*models.Election, error)
	Areas(ctx context.Context, electionID int64) ([]*models.Area, error)
	Area(ctx context.Context, id int64) (*models.Area, error)
	EnsureContact(ctx context.Context, c *models.Contact) (*models.Contact, error)
	SaveContact(ctx context.Context, c *models.Contact) error
	Audit(ctx context.Context, ev *models.AuditEvent) error
	CountAudit(ctx context.Context, contactID int64, action string, since time.Time) (int64, error)
	OldestAuditSince(ctx context.Context, contactID int64, action string, since time.Time) (time.Time, error)
	FindVoters(ctx context.Context, areaID int64, nameFolded string, birthYear int) ([]*models.Voter, error)
	FindVotersByPhone(ctx context.Context, electionID int64, phone string) ([]*models.Voter, error)
	AcceptedTally(ctx context.Context, areaID int64) (*models.Tally, error)
}

var _ Store = (*models.Store)(nil)

// Config configures a Handler.
type Config struct {
	Store        Store
	Now          func() time.Time // injected clock; time.Now if nil
	DefaultLang  string           // "vi" or "en"; "vi" if empty
	LookupLimit  int              // eligibility lookups per contact per window (default 10)
	LookupWindow time.Duration    // default 10 minutes
	// BotUsername is the Telegram bot's username (without @), for invite
	// deep links https://t.me/<bot>?start=<code>; without it the invite is
	// shown as the command "/start <code>".
	BotUsername string
}

// Handler is the residents' conversation: it answers one Incoming at a time
// and keeps everything that must survive a restart on the Contact.
type Handler struct {
	store   Store
	now     func() time.Time
	defLang string
	limit   int
	window  time.Duration

	botUsername string

	bundle  *i18n.Bundle
	locs    *locales.Localizers
	scorer  *Scorer
	buttons map[string]action // folded button text (both languages) → action
}

// New builds a Handler; it fails only if the embedded catalogs or intents
// are broken.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("handlers: Config.Store is nil")
	}
	h := &Handler{
		store:   cfg.Store,
		now:     cfg.Now,
		defLang: normLang(cfg.DefaultLang, "vi"),
		limit:   cfg.LookupLimit,
		window:  cfg.LookupWindow,

		botUsername: strings.TrimPrefix(strings.TrimSpace(cfg.BotUsername), "@"),
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.limit <= 0 {
		h.limit = 10
	}
	if h.window <= 0 {
		h.window = 10 * time.Minute
	}
	b, err := locales.NewBundle()
	if err != nil {
		return nil, err
	}
	h.bundle = b
	h.locs = locales.NewLocalizers(b, h.defLang)
	if h.scorer, err = DefaultScorer(); err != nil {
		return nil, err
	}
	h.buttons = map[string]action{}
	for _, l := range locales.Languages {
		for id, a := range buttonActions {
			txt, err := h.locs.Localizer(l).Localize(&i18n.LocalizeConfig{MessageID: id})
			if err != nil {
				return nil, fmt.Errorf("handlers: button %s (%s): %w", id, l, err)
			}
			h.buttons[models.Fold(txt)] = a
		}
	}
	return h, nil
}

// normLang maps a channel language hint ("en-US", "vi") to a supported
// language, or def.
func normLang(s, def string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(s, "en"):
		return "en"
	case strings.HasPrefix(s, "vi"):
		return "vi"
	}
	return def
}

// convState is the pending part of a conversation, stored as JSON in
// Contact.State so that a restart (or another replica) continues it.
type convState struct {
	// Await is what the bot asked for: "area", "name" (a name and birth
	// year for a lookup) or "household" (the household number that picks
	// one of several matches).
	Await string `json:"await,omitempty"`
	// Then is the action to resume once the area is known.
	Then action `json:"then,omitempty"`
	// Query is a name lookup waiting for the area or the household number.
	// It is the resident's own search, kept only until it is answered.
	Query *nameQuery `json:"q,omitempty"`
	// Draft is an official's tally being written (Await "tally"): the
	// guided form's answers or a one-message tally waiting to be confirmed.
	Draft *draft `json:"d,omitempty"`
}

type nameQuery struct {
	Names  []string `json:"n"` // folded candidates for the full name, best first
	Year   int      `json:"y"`
	AreaID int64    `json:"a,omitempty"`
}

// turn is the handling of one Incoming.
type turn struct {
	h     *Handler
	ctx   context.Context
	in    bot.Incoming
	c     *models.Contact
	st    convState
	lang  string
	out   []bot.Outgoing
	dirty bool // contact changed: save it

	el       *models.Election
	elLoaded bool
	areas    []*models.Area

	offRoles    *officials // the contact's roles, once loaded (roles())
	rolesLoaded bool
}

// Handle answers one Incoming. It never returns zero Outgoing for a message
// from a user. Errors are mapped to localised replies by code; only an
// internal failure (which the channel may retry) returns a non-nil error.
func (h *Handler) Handle(ctx context.Context, in bot.Incoming) ([]bot.Outgoing, error) {
	if in.Group && !in.Mention {
		return nil, nil
	}
	c, err := h.store.EnsureContact(ctx, &models.Contact{
		Channel:     in.Channel,
		ExternalID:  in.UserID,
		ChatID:      in.ChatID,
		DisplayName: in.Name,
		Lang:        normLang(in.Lang, h.defLang),
	})
	if err != nil {
		return nil, err
	}
	t := &turn{h: h, ctx: ctx, in: in, c: c, lang: normLang(c.Lang, h.defLang)}
	if c.State != "" {
		if err := json.Unmarshal([]byte(c.State), &t.st); err != nil {
			slog.Warn("handlers: dropping unreadable contact state", "contact", c.ID, "err", err)
			t.setState(convState{})
		}
	}
	if err := t.dispatch(); err != nil {
		switch models.ErrorCode(err) {
		case models.EINTERNAL:
			return nil, err
		case models.ENOTFOUND:
			slog.Info("handlers: not found", "contact", c.ID, "err", err)
			t.out = nil
			t.reply(t.tr("no_election", nil), t.menu())
		default:
			slog.Info("handlers: refused", "contact", c.ID, "err", err)
			t.out = nil
			t.reply(t.tr("error_generic", nil), t.menu())
		}
	}
	if t.dirty {
		if err := h.store.SaveContact(ctx, t.c); err != nil {
			return nil, err
		}
	}
	if len(t.out) == 0 {
		t.reply(t.tr("fallback", nil), t.menu())
	}
	chat := in.ChatID
	if chat == "" {
		chat = c.ChatID
	}
	for i := range t.out {
		if t.out[i].ChatID == "" {
			t.out[i].ChatID = chat
			t.out[i].Channel = in.Channel
		}
	}
	// The sender's replies first, then the messages to other contacts.
	sort.SliceStable(t.out, func(i, j int) bool {
		return t.out[i].ChatID == chat && t.out[j].ChatID != chat
	})
	return t.out, nil
}

// setState replaces the conversation state and marks the contact dirty.
func (t *turn) setState(st convState) {
	t.st = st
	s := ""
	if st.Await != "" || st.Then != "" || st.Query != nil || st.Draft != nil {
		b, _ := json.Marshal(st)
		s = string(b)
	}
	if s != t.c.State {
		t.c.State = s
		t.dirty = true
	}
}

func (t *turn) clearState() { t.setState(convState{}) }

// tr localises a message id with template data.
func (t *turn) tr(id string, data map[string]any) string {
	return t.h.tr(t.lang, id, data)
}

func (h *Handler) tr(lang, id string, data map[string]any) string {
	s, err := h.locs.Localize(lang, id, data)
	if err != nil {
		slog.Error("handlers: missing message", "id", id, "lang", lang, "err", err)
	}
	return s
}

// reply appends a text message with an optional keyboard.
func (t *turn) reply(text string, kb *bot.Keyboard) {
	t.out = append(t.out, bot.Outgoing{Text: text, Keyboard: kb})
}

// election loads the current election once per turn; nil if none.
func (t *turn) election() (*models.Election, error) {
	if t.elLoaded {
		return t.el, nil
	}
	el, err := t.h.store.CurrentElection(t.ctx)
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

// areaList loads the election's areas once per turn.
func (t *turn) areaList() ([]*models.Area, error) {
	if t.areas != nil {
		return t.areas, nil
	}
	el, err := t.election()
	if err != nil || el == nil {
		return nil, err
	}
	as, err := t.h.store.Areas(t.ctx, el.ID)
	if err != nil {
		return nil, err
	}
	t.areas = as
	return as, nil
}

// areasByID are the current election's areas by id (none without an
// election).
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

// myArea is the contact's chosen area, if it belongs to the current
// election; nil otherwise.
func (t *turn) myArea() (*models.Area, error) {
	if t.c.AreaID == nil {
		return nil, nil
	}
	as, err := t.areaList()
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == *t.c.AreaID {
			return a, nil
		}
	}
	return nil, nil
}

func (t *turn) wardName() string {
	if t.el != nil && t.el.Ward != nil {
		return t.el.Ward.Name
	}
	return ""
}
