package zalo

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"electionbot/bot"
	"electionbot/locales"
)

// Request is one customer-service message, as stored in the outbox: the
// JSON body of POST {ZALO_API_ENDPOINT}/v3.0/oa/message/cs.
type Request struct {
	Recipient Recipient `json:"recipient"`
	Message   Message   `json:"message"`
}

// Recipient is the Zalo user the message goes to. MessageID, on a reply
// to the user's message, is that message's id: Zalo counts it as an
// answer to the user (free within the customer-service window) rather
// than a message the OA starts.
type Recipient struct {
	UserID    string `json:"user_id"`
	MessageID string `json:"message_id,omitempty"`
}

// replyKey is the context key of the message being answered.
type replyKey struct{}

type replyTo struct{ userID, msgID string }

// withReplyTo marks ctx as the handling of user userID's message msgID:
// the replies to that user encoded within it carry msgID.
func withReplyTo(ctx context.Context, userID, msgID string) context.Context {
	if userID == "" || msgID == "" {
		return ctx
	}
	return context.WithValue(ctx, replyKey{}, replyTo{userID, msgID})
}

// markReplies sets the answered message's id on the requests to its
// sender (ctx from withReplyTo); requests to anyone else are left alone.
func markReplies(ctx context.Context, reqs []Request) {
	rt, ok := ctx.Value(replyKey{}).(replyTo)
	if !ok {
		return
	}
	for i := range reqs {
		if reqs[i].Recipient.UserID == rt.userID {
			reqs[i].Recipient.MessageID = rt.msgID
		}
	}
}

// Message is a text, a text with buttons, or a template (an image, a
// request for the user's information).
type Message struct {
	Text       string      `json:"text,omitempty"`
	Attachment *Attachment `json:"attachment,omitempty"`
}

// Attachment is a template attachment.
type Attachment struct {
	Type    string  `json:"type"` // "template"
	Payload Payload `json:"payload"`
}

// Payload of a template: buttons under the text (no template_type),
// "media" (an image by URL) or "request_user_info" (a card the user taps
// to share their name, phone and address: a user_submit_info event).
type Payload struct {
	TemplateType string    `json:"template_type,omitempty"`
	Elements     []Element `json:"elements,omitempty"`
	Buttons      []Button  `json:"buttons,omitempty"`
}

// Element of a media or request_user_info template.
type Element struct {
	Title     string `json:"title,omitempty"`
	Subtitle  string `json:"subtitle,omitempty"`
	ImageURL  string `json:"image_url,omitempty"`
	MediaType string `json:"media_type,omitempty"`
	URL       string `json:"url,omitempty"`
}

// Button is a query button: pressing it sends Payload to the OA as the
// user's text (oa.query.show: shown in the chat; oa.query.hide: hidden).
type Button struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	Payload string `json:"payload"`
}

// Button types.
const (
	ButtonQueryShow = "oa.query.show"
	ButtonQueryHide = "oa.query.hide"
)

// Zalo's limits (OA API v3 customer-service messages). MaxButtons is the
// most buttons one message carries; a keyboard with more becomes
// numbered text options.
const (
	MaxText          = 2000 // characters of a text message
	MaxButtons       = 5
	maxButtonTitle   = 100
	maxButtonPayload = 1000
)

// keyboardOnly is the text of a message that only carries buttons.
const keyboardOnly = "👇"

// Option is one numbered choice offered as text (a keyboard over
// MaxButtons): the user's answer "2" becomes the second option's text
// (reply keyboard) or callback data (inline keyboard).
type Option struct {
	Text     string `json:"t,omitempty"`
	Callback string `json:"c,omitempty"`
}

// Encoded is what one Outgoing becomes on Zalo.
type Encoded struct {
	Requests []Request
	// Options are the numbered options offered in the text; nil when the
	// Outgoing had buttons or no keyboard.
	Options []Option
	// Keyboard is true when the Outgoing had a keyboard or removed one:
	// earlier numbered options no longer apply.
	Keyboard bool
}

// Encoder turns Outgoing messages into customer-service requests, with
// the few texts it adds (the numbered options' hint, notes for what Zalo
// cannot show) from the message catalogs (locales/zalo.*.yaml).
type Encoder struct {
	defLang   string
	locs      *locales.Localizers
	infoImage string
}

// NewEncoder loads the catalogs. infoImage is the optional image URL of
// the request_user_info card.
func NewEncoder(defaultLang, infoImage string) (*Encoder, error) {
	b, err := locales.NewBundle()
	if err != nil {
		return nil, err
	}
	e := &Encoder{defLang: defaultLang, infoImage: infoImage}
	if e.defLang != "en" {
		e.defLang = "vi"
	}
	e.locs = locales.NewLocalizers(b, e.defLang)
	for _, l := range locales.Languages {
		for _, id := range []string{"zalo_options_hint", "zalo_document", "zalo_share_info", "zalo_photo_unavailable"} {
			if _, err := e.locs.Localize(l, id, map[string]any{}); err != nil {
				return nil, fmt.Errorf("zalo: message %s (%s): %w", id, l, err)
			}
		}
	}
	return e, nil
}

func (e *Encoder) tr(lang, id string, data map[string]any) string {
	s, _ := e.locs.Localize(lang, id, data) // id when the message is missing
	return s
}

// Encode turns one Outgoing to userID (Outgoing.ChatID wins when set)
// into requests, in lang:
//   - the text, split at MaxText at a line break or a space; a location
//     becomes its name, address and a map link (customer-service messages
//     have no location pin); a document becomes a note (the OA API takes
//     only PDF/DOC files uploaded beforehand; exports are read on the
//     results page or on Telegram);
//   - the keyboard: up to MaxButtons buttons on the last text (reply
//     keyboard: oa.query.show with the button's text; inline keyboard:
//     oa.query.hide with "#cb:" + data, which comes back as the
//     callback), otherwise numbered options appended to the text;
//   - a RequestContact button: a request_user_info card after the text;
//   - a photo (a Zalo image URL): an image message, with the text as its
//     caption when that fits.
//
// The error reports what was dropped; the requests are still usable.
func (e *Encoder) Encode(userID, lang string, o bot.Outgoing) (Encoded, error) {
	if o.ChatID != "" {
		userID = o.ChatID
	}
	var out Encoded
	var problems []string
	text := strings.TrimRight(o.Text, " \n\t")
	if l := o.Location; l != nil {
		text = joinParagraphs(text, locationText(l, text))
	}
	if d := o.Document; d != nil {
		text = joinParagraphs(text, e.tr(lang, "zalo_document", map[string]any{"Name": d.Name}))
	}
	buttons, options, contact := e.keyboard(o.Keyboard, &problems)
	out.Keyboard = o.Keyboard != nil || o.RemoveKeyboard
	if len(options) > 0 {
		out.Options = options
		var b strings.Builder
		for i, op := range options {
			fmt.Fprintf(&b, "%d. %s\n", i+1, op.Text)
		}
		b.WriteString(e.tr(lang, "zalo_options_hint", map[string]any{"N": len(options)}))
		text = joinParagraphs(text, b.String())
	}
	photo := strings.TrimSpace(o.Photo)
	if photo != "" && !isURL(photo) {
		problems = append(problems, "photo is not a Zalo image URL")
		text = joinParagraphs(text, e.tr(lang, "zalo_photo_unavailable", nil))
		photo = ""
	}
	caption := ""
	if photo != "" && len(buttons) == 0 && utf8.RuneCountInString(text) <= MaxText {
		caption, text = text, "" // the text goes with the image
	}
	chunks := bot.SplitText(text, MaxText, nil) // characters
	if len(chunks) == 0 && len(buttons) > 0 {
		chunks = []string{keyboardOnly}
	}
	for i, c := range chunks {
		m := Message{Text: c}
		if i == len(chunks)-1 && len(buttons) > 0 {
			m.Attachment = &Attachment{Type: "template", Payload: Payload{Buttons: buttons}}
		}
		out.Requests = append(out.Requests, Request{Recipient{UserID: userID}, m})
	}
	if photo != "" {
		out.Requests = append(out.Requests, Request{Recipient{UserID: userID}, Message{Text: caption, Attachment: &Attachment{
			Type:    "template",
			Payload: Payload{TemplateType: "media", Elements: []Element{{MediaType: "image", URL: photo}}},
		}}})
	}
	if contact != "" {
		out.Requests = append(out.Requests, Request{Recipient{UserID: userID}, Message{Attachment: &Attachment{
			Type: "template",
			Payload: Payload{TemplateType: "request_user_info", Elements: []Element{{
				Title:    truncate(contact, maxButtonTitle),
				Subtitle: e.tr(lang, "zalo_share_info", nil),
				ImageURL: e.infoImage,
			}}},
		}}})
	}
	var err error
	if len(problems) > 0 {
		err = fmt.Errorf("zalo: %s", strings.Join(problems, "; "))
	}
	return out, err
}

// keyboard turns a keyboard into buttons (at most MaxButtons) or numbered
// options, and the title of its RequestContact button if it has one.
func (e *Encoder) keyboard(kb *bot.Keyboard, problems *[]string) ([]Button, []Option, string) {
	if kb == nil {
		return nil, nil, ""
	}
	var opts []Option
	contact := ""
	for _, row := range kb.Rows {
		for _, b := range row {
			label := strings.TrimSpace(b.Text)
			switch {
			case b.RequestContact:
				if contact == "" {
					contact = label
				}
			case label == "":
			case kb.Inline:
				data := b.Data
				if data == "" {
					data = b.Text
				}
				if len(callbackPrefix)+len(data) > maxButtonPayload {
					*problems = append(*problems, fmt.Sprintf("button %q dropped: callback data over %d bytes", label, maxButtonPayload-len(callbackPrefix)))
					continue
				}
				opts = append(opts, Option{Text: label, Callback: data})
			default:
				opts = append(opts, Option{Text: label})
			}
		}
	}
	if len(opts) == 0 {
		return nil, nil, contact
	}
	if len(opts) > MaxButtons {
		return nil, opts, contact
	}
	buttons := make([]Button, 0, len(opts))
	for _, op := range opts {
		b := Button{Title: truncate(op.Text, maxButtonTitle), Type: ButtonQueryShow, Payload: truncate(op.Text, maxButtonPayload)}
		if op.Callback != "" {
			b.Type, b.Payload = ButtonQueryHide, callbackPrefix+op.Callback
		}
		buttons = append(buttons, b)
	}
	return buttons, nil, contact
}

// locationText is a place as text: its name and address (unless the
// message says them already) and a map link.
func locationText(l *bot.Location, already string) string {
	var lines []string
	if t := strings.TrimSpace(l.Title); t != "" && !strings.Contains(already, t) {
		lines = append(lines, "📍 "+t)
	}
	if a := strings.TrimSpace(l.Address); a != "" && !strings.Contains(already, a) {
		lines = append(lines, a)
	}
	lines = append(lines, MapLink(l.Lat, l.Lon))
	return strings.Join(lines, "\n")
}

// MapLink is a link that opens a point in a map application.
func MapLink(lat, lon float64) string {
	q := strconv.FormatFloat(lat, 'f', -1, 64) + "," + strconv.FormatFloat(lon, 'f', -1, 64)
	return "https://www.google.com/maps/search/?api=1&query=" + url.QueryEscape(q)
}

func joinParagraphs(a, b string) string {
	a, b = strings.TrimRight(a, " \n\t"), strings.TrimSpace(b)
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
