// Package handlers is the conversation: it answers one channel-neutral
// bot.Incoming at a time with bot.Outgoing replies, and keeps what must
// survive a restart on the Contact (docs/design.md §4).
//
// The conversation is split by feature, each a small type with the narrow
// store it needs (Stores): residents (residents.go, info.go, date.go), the
// eligibility lookup (lookup.go, lookup_parse.go), reminders
// (reminders.go), the officials' roles and designation (officials.go,
// designate.go, holders.go), tallies (tally_*.go, review.go), the ward's
// results (results*.go) and broadcasts (broadcast*.go). routes.go is the
// one routing table, actions.go the residents' actions it leads to;
// turn.go is the per-update core every feature uses.
//
// Free text is read the way residents write (issue 16): areas by number —
// in words too (numwords.go) — or by name (areas.go, areas_named.go),
// wards (place.go, wardmatch.go, ward_unknown.go), birth years
// (lookup_parse.go, lookup_year.go), typed phones (phone.go), the
// language (langdetect.go); a place other than the contact's own is
// answered for once (visit.go); what is not understood gets the nearest
// command or question (suggest.go).
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

// Stores are the stores of one update's features, each bound to the
// update's transaction. Core, Residents and Lookup are required. A nil
// optional store turns its feature off, and that feature's routes decline
// (the update is answered as for anyone else): the residents' tests run
// with none of them.
type Stores struct {
	Core      CoreStore     // the contact, the current election and its areas: every update
	Residents ResidentStore // the recognised result after the day
	Lookup    LookupStore   // eligibility lookups and their per-contact limit

	// Reminders nil: /nhacnho keeps only Contact.Reminders; no offer
	// after choosing an area, no schedule listed, /stop saves no
	// subscription.
	Reminders ReminderStore
	// Officials nil: no officials' roles, so no designation, invites,
	// tallies, results or broadcasts either (their commands answer as
	// unknown ones; "/start inv_…" says the invite is not valid).
	Officials OfficialStore
	// Tallies nil: no tallies (/baocao, a tally in one message, photos of
	// the minutes, /congnhan, /tuchoi, /anh).
	Tallies TallyStore
	// Results nil: /ketqua gives officials the residents' answer; no
	// /chuabao, /xuat.
	Results ResultStore
	// Broadcasts nil: no /thongbao.
	Broadcasts BroadcastStore
	// Files nil: files sent in chat are not read (files.go), no /maufile.
	Files FileStore
}

// StoresOf binds every feature to s (production: the update's
// transaction).
func StoresOf(s *models.Store) Stores {
	return Stores{Core: s, Residents: s, Lookup: s, Reminders: s, Officials: s, Tallies: s, Results: s, Broadcasts: s, Files: s}
}

// CoreStore is what every update uses. *models.Store satisfies it.
type CoreStore interface {
	// EnsureContact returns the stored contact of c's channel and
	// external id, creating it from c the first time.
	EnsureContact(ctx context.Context, c *models.Contact) (*models.Contact, error)
	SaveContact(ctx context.Context, c *models.Contact) error
	// Area finds an area of any ward, with its ward, polling place and
	// candidates; models.ENOTFOUND for an unknown id.
	Area(ctx context.Context, id int64) (*models.Area, error)
	// CurrentElection is the next election not closed, else the latest,
	// of any ward: the regime to explain to a contact not placed yet.
	CurrentElection(ctx context.Context) (*models.Election, error)
	// Wards are the wards a resident may be placed in (few: read only
	// for contacts not placed yet).
	Wards(ctx context.Context) ([]*models.Ward, error)
	// WardsNamed are the wards whose folded name (models.WardFolded) is
	// one of names, by index: how a message is searched for ward names.
	WardsNamed(ctx context.Context, names []string) ([]*models.Ward, error)
	// ManyWards says whether there is more than one ward.
	ManyWards(ctx context.Context) (bool, error)
	// Ward and AreaWard find a ward by id or by one of its areas' id;
	// models.ENOTFOUND when there is none.
	Ward(ctx context.Context, id int64) (*models.Ward, error)
	AreaWard(ctx context.Context, areaID int64) (*models.Ward, error)
	// ElectionForWard is the election the ward's residents ask about (its
	// Ward is w); models.ENOTFOUND when there is none.
	ElectionForWard(ctx context.Context, w *models.Ward) (*models.Election, error)
	// WardAreas are the ward's areas in an election, with polling places
	// and candidates.
	WardAreas(ctx context.Context, electionID int64, w *models.Ward) ([]*models.Area, error)
	// PlacesNear are the polling places within about radiusKm of a point,
	// nearest first, at most limit (each with its area and ward).
	PlacesNear(ctx context.Context, lat, lon, radiusKm float64, limit int) ([]models.PlaceNear, error)
}

var _ CoreStore = (*models.Store)(nil)

// Charts draws the PNGs /ketqua sends to admins and viewers, from the
// officials' view of the results (provisional numbers too). It must be
// safe for concurrent use; results.Charts implements it.
type Charts interface {
	// Progress is the ward's reporting progress.
	Progress(e *models.Election, ats []*models.AreaTallies, now time.Time, lang string) ([]byte, error)
	// Votes is one area's votes per candidate; ok is false when the area
	// has nothing counted yet (no bars to draw).
	Votes(e *models.Election, ats []*models.AreaTallies, areaCode string, now time.Time, lang string) (png []byte, ok bool, err error)
}

// Config configures a Conversation.
type Config struct {
	// Stores binds the features' stores to the tx of one update (Handle's
	// argument; tests return fakes and may pass a nil tx). Required.
	Stores       func(tx *models.Store) Stores
	Now          func() time.Time // injected clock; time.Now if nil
	DefaultLang  string           // "vi" or "en"; "vi" if empty
	LookupLimit  int              // eligibility lookups per contact per window (default 10)
	LookupWindow time.Duration    // default 10 minutes
	// InviteLink is the link that opens the bot on channel with
	// "/start <code>" (Telegram: a t.me deep link). Without one (nil, or
	// "") the invite is shown as the command "/start <code>".
	InviteLink func(channel, code string) string
	// Charts draws /ketqua's charts; nil sends none.
	Charts Charts
	// Budget: the defences against enumeration across accounts beyond
	// the per-contact limit, and how long a searched name waits
	// (lookup_budget.go). The zero value: no budgets, no cool-down, a
	// searched name kept 5 minutes.
	Budget LookupBudget
	// OnLookup counts each lookup and refusal by result (Lookup* values;
	// serve: electionbot_lookups_total); nil counts nothing.
	OnLookup func(result string)
	// ResultsLink is the officials' link to an election's results page
	// (of one ward when ward is a ward's code), "" when the page has no
	// public address; nil: /ketqua gives no link.
	ResultsLink func(election, ward string) string
	// PublicResultsLink is the public results page of an election (of
	// one ward when ward is a ward's code), "" when it has none: the link
	// a resident's "kết quả" ends with. nil: no link.
	PublicResultsLink func(election, ward string) string
	// Templates are the files /maufile sends (the voter list's, areas
	// table's and election file's templates: package sheets); nil: none.
	Templates func() ([]bot.Document, error)
	// Reach is how /thongbao reaches the voter list's households beyond
	// the chats (broadcast_reach.go): the preview's estimate per channel,
	// the cost ceiling, the quiet hours. The zero value: chats only.
	Reach models.ReachPlan
	// OfficialsPageLink issues /trangketqua's signed link to the officials'
	// view of an election (of one ward when ward is a ward's code) and
	// its expiry; when no link can be made, missing names the setting
	// that lacks ("PUBLIC_BASE_URL", "RESULTS_LINK_KEY"). nil: as if
	// PUBLIC_BASE_URL were unset.
	OfficialsPageLink func(election, ward string) (link string, until time.Time, missing string)
}

// Conversation is the bot's side of every chat. It keeps no state between
// updates (a form in progress lives in Contact.State), so one value serves
// all channels and replicas concurrently. It implements bot.Handler.
type Conversation struct {
	stores     func(tx *models.Store) Stores
	now        func() time.Time
	defLang    string
	limit      int
	window     time.Duration
	inviteLink func(channel, code string) string
	charts     Charts
	resultsURL func(election, ward string) string
	publicURL  func(election, ward string) string
	budget     LookupBudget
	onLookup   func(result string)
	templates  func() ([]bot.Document, error)
	reach      models.ReachPlan

	// officialsPage is Config.OfficialsPageLink (officials_link.go).
	officialsPage func(election, ward string) (string, time.Time, string)

	texts   *texts
	scorer  *Scorer
	buttons map[string]action // folded button text (both languages) → action
}

var _ bot.Handler = (*Conversation)(nil)

// New builds a Conversation; it fails when Stores is missing or the
// embedded catalogs or intents are broken.
func New(cfg Config) (*Conversation, error) {
	if cfg.Stores == nil {
		return nil, errors.New("handlers: Config.Stores is nil")
	}
	c := &Conversation{
		stores:     cfg.Stores,
		now:        cfg.Now,
		defLang:    normLang(cfg.DefaultLang, "vi"),
		limit:      cfg.LookupLimit,
		window:     cfg.LookupWindow,
		inviteLink: cfg.InviteLink,
		charts:     cfg.Charts,
		resultsURL: cfg.ResultsLink,
		publicURL:  cfg.PublicResultsLink,
		budget:     cfg.Budget,
		onLookup:   cfg.OnLookup,
		templates:  cfg.Templates,
		reach:      cfg.Reach,
	}
	c.officialsPage = cfg.OfficialsPageLink
	c.budget.defaults()
	if c.now == nil {
		c.now = time.Now
	}
	if c.limit <= 0 {
		c.limit = 10
	}
	if c.window <= 0 {
		c.window = 10 * time.Minute
	}
	b, err := locales.NewBundle()
	if err != nil {
		return nil, err
	}
	c.texts = &texts{locs: locales.NewLocalizers(b, c.defLang)}
	if c.scorer, err = DefaultScorer(); err != nil {
		return nil, err
	}
	c.buttons = map[string]action{}
	for _, l := range locales.Languages {
		for id, a := range buttonActions {
			txt, err := c.texts.locs.Localizer(l).Localize(&i18n.LocalizeConfig{MessageID: id})
			if err != nil {
				return nil, fmt.Errorf("handlers: button %s (%s): %w", id, l, err)
			}
			c.buttons[models.Fold(txt)] = a
		}
	}
	return c, nil
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

// Handle answers one Incoming with the stores bound to tx. It never
// returns zero Outgoing for a message from a user. Errors are mapped to
// localised replies by code; only an internal failure (which the channel
// may retry) returns a non-nil error.
func (cv *Conversation) Handle(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
	if in.Group && !in.Mention {
		return nil, nil
	}
	st := cv.stores(tx)
	if st.Core == nil || st.Residents == nil || st.Lookup == nil {
		return nil, models.Errorf(models.EINTERNAL, "handlers: Stores lacks Core, Residents or Lookup")
	}
	c, err := st.Core.EnsureContact(ctx, &models.Contact{
		Channel:     in.Channel,
		ExternalID:  in.UserID,
		ChatID:      in.ChatID,
		DisplayName: in.Name,
		Lang:        normLang(in.Lang, cv.defLang),
	})
	if err != nil {
		return nil, err
	}
	t := newTurn(ctx, cv, st, in, c)
	if c.State != "" {
		if err := json.Unmarshal([]byte(c.State), &t.st); err != nil {
			slog.Warn("handlers: dropping unreadable contact state", "contact", c.ID, "err", err)
			t.setState(convState{})
		}
	}
	before := c.State
	t.expireState() // a searched name is kept minutes, not more (lookup_budget.go)
	err = t.dispatch()
	if err == nil {
		err = t.offerMove() // a place answered for once: keep or change one's own
	}
	if err != nil {
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
	t.stampState(before)
	if t.dirty {
		if err := st.Core.SaveContact(ctx, t.c); err != nil {
			return nil, err
		}
	}
	if len(t.out) == 0 {
		t.fallback()
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
