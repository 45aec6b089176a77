package zalo

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/models"
)

// Webhook event names the channel acts on.
const (
	EventText       = "user_send_text"
	EventImage      = "user_send_image"
	EventLocation   = "user_send_location"
	EventSubmitInfo = "user_submit_info"
	EventFollow     = "follow"
	EventUnfollow   = "unfollow"
	// Receipts of the OA's messages; ZNS deliveries are received events
	// with a tracking_id (bot/zns).
	EventReceived = "user_received_message"
	EventSeen     = "user_seen_message"
)

// callbackPrefix marks the hidden query text of an inline button
// (oa.query.hide): "#cb:" + the button's data comes back as a
// user_send_text that the channel turns into Incoming.Callback.
const callbackPrefix = "#cb:"

// Event is one webhook event of the Official Account, as Zalo posts it.
// Only the fields the bot uses are decoded.
type Event struct {
	AppID       string    `json:"app_id"`
	OAID        string    `json:"oa_id"`
	UserIDByApp string    `json:"user_id_by_app"`
	Name        string    `json:"event_name"`
	Timestamp   flexValue `json:"timestamp"` // milliseconds since 1970, a string
	Sender      struct {
		ID string `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Follower struct {
		ID string `json:"id"`
	} `json:"follower"`
	Message struct {
		MsgID       string       `json:"msg_id"`
		Text        string       `json:"text"`
		Attachments []attachment `json:"attachments"`
	} `json:"message"`
	// Info is what the user agreed to share (user_submit_info, the answer
	// to a request_user_info card).
	Info struct {
		Name     string `json:"name"`
		Phone    string `json:"phone"`
		Address  string `json:"address"`
		Ward     string `json:"ward"`
		District string `json:"district"`
		City     string `json:"city"`
	} `json:"info"`
}

type attachment struct {
	Type    string `json:"type"`
	Payload struct {
		URL         string `json:"url"`
		Thumbnail   string `json:"thumbnail"`
		Coordinates struct {
			Latitude  flexValue `json:"latitude"`
			Longitude flexValue `json:"longitude"`
		} `json:"coordinates"`
	} `json:"payload"`
}

// flexValue is a JSON string or number kept as its text: Zalo sends
// timestamps, expires_in and coordinates as strings, some clients as
// numbers.
type flexValue string

func (f *flexValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexValue(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexValue(n.String())
	return nil
}

func (f flexValue) float() (float64, bool) {
	v, err := strconv.ParseFloat(string(f), 64)
	return v, err == nil
}

// ParseEvent decodes a webhook body.
func ParseEvent(body []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return Event{}, err
	}
	if ev.Name == "" {
		return Event{}, errors.New("zalo: event without event_name")
	}
	// The ids go into queries and logs before the intake cleans the
	// message (intake.Clean): bounded and without NUL from here on.
	for _, p := range []*string{&ev.AppID, &ev.OAID, &ev.Name, &ev.Sender.ID, &ev.Recipient.ID, &ev.Follower.ID, &ev.Message.MsgID} {
		*p = intake.Clean(*p, intake.MaxID)
	}
	return ev, nil
}

// Time is when the event happened (its timestamp), zero if it has none.
func (ev Event) Time() time.Time {
	ms, err := strconv.ParseInt(string(ev.Timestamp), 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// OA is the Official Account the event belongs to: its oa_id (follow,
// unfollow…), else the recipient of a user's message, else the sender of
// the OA's own; "" when the event names none.
func (ev Event) OA() string {
	switch {
	case ev.OAID != "":
		return ev.OAID
	case ev.Name == EventReceived || ev.Name == EventSeen:
		// Receipts of the OA's own messages (ZNS too): the OA sent them.
		return ev.Sender.ID
	case strings.HasPrefix(ev.Name, "user_"):
		return ev.Recipient.ID
	case strings.HasPrefix(ev.Name, "oa_"):
		return ev.Sender.ID
	}
	return ""
}

// UserID is the Zalo user the event is about: the follower of a
// follow/unfollow, otherwise the sender. Zalo user ids are per Official
// Account: the same person has another id with another OA, and nothing
// links them to their Telegram account.
func (ev Event) UserID() string {
	if ev.Follower.ID != "" {
		return ev.Follower.ID
	}
	return ev.Sender.ID
}

// Key identifies the event for "each event once": the message id of a
// message, otherwise event name, user and timestamp.
func (ev Event) Key() string {
	if ev.Message.MsgID != "" {
		return ev.Message.MsgID
	}
	return ev.Name + ":" + ev.UserID() + ":" + string(ev.Timestamp)
}

// Kinds of events, for the channel.
const (
	kindMessage  = "message"  // the handlers answer it
	kindUnfollow = "unfollow" // reminders off, unreachable
	kindIgnore   = "ignore"   // the OA's own messages, read receipts…
)

// kind tells what the channel does with an event.
func (ev Event) kind() string {
	switch {
	case ev.UserID() == "":
		return kindIgnore
	case ev.Name == EventUnfollow:
		return kindUnfollow
	case ev.Name == EventFollow, ev.Name == EventSubmitInfo:
		return kindMessage
	case strings.HasPrefix(ev.Name, "user_send_"):
		// Text, image, location, and stickers, GIFs, files, links…
		// (answered with the menu).
		return kindMessage
	}
	// oa_send_* (the OA's own messages), user_received_message,
	// user_seen_message, user_reacted_message, anonymous_*, shop events.
	return kindIgnore
}

// Incoming is what the handlers get for a message event; nil for events
// that are not for them. A follow is the /start command (the welcome);
// shared info is the user's own phone number, vouched for by Zalo.
func (ev Event) Incoming() *bot.Incoming {
	if ev.kind() != kindMessage {
		return nil
	}
	uid := ev.UserID()
	in := &bot.Incoming{Channel: models.ChannelZalo, UserID: uid, ChatID: uid}
	switch ev.Name {
	case EventFollow:
		in.Text = "/start"
		return in
	case EventSubmitInfo:
		in.Name = strings.TrimSpace(ev.Info.Name)
		if p := strings.TrimSpace(ev.Info.Phone); p != "" {
			// The phone of the user's own Zalo account: Zalo vouches it.
			in.Contact = &bot.SharedContact{Phone: p, Own: true}
		}
		return in
	}
	text := strings.TrimSpace(ev.Message.Text)
	if data, ok := strings.CutPrefix(text, callbackPrefix); ok {
		in.Callback = data
	} else {
		in.Text = text
	}
	for _, a := range ev.Message.Attachments {
		switch {
		case a.Type == "image" && ev.Name == EventImage && in.PhotoRef == "":
			in.PhotoRef = a.Payload.URL
		case a.Type == "location" && in.Location == nil:
			lat, ok1 := a.Payload.Coordinates.Latitude.float()
			lon, ok2 := a.Payload.Coordinates.Longitude.float()
			if ok1 && ok2 {
				in.Location = &bot.Location{Lat: lat, Lon: lon}
			}
		}
	}
	return in
}
