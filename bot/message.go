// Package bot is the contract between the conversation and the channels:
// a channel turns its wire updates into an Incoming, hands it to a Handler
// and turns the Outgoing replies into its provider's API calls. Channels
// (bot/telegram, bot/zalo, bot/console) import this package and never the
// conversation (handlers) or each other.
//
// The steps every channel shares are in bot/intake (record an update
// once, run the Handler in its transaction, queue the encoded replies,
// route replies to contacts of other channels, the webhook's HTTP side),
// apart from this package so that the conversation, which imports the
// contract, links no HTTP. SplitText cuts long texts at a channel's limit.
package bot

import (
	"context"
	"strings"

	"electionbot/models"
)

// Handler answers one Incoming for a channel. tx is the store bound to
// the update's transaction: everything the handler writes through it
// commits (or rolls back) together with the record of the update and its
// replies. It returns the replies to send (none for a message it ignores,
// such as group chatter not addressed to the bot); an error means nothing
// is stored and the update may be delivered again.
type Handler interface {
	Handle(ctx context.Context, tx *models.Store, in Incoming) ([]Outgoing, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, tx *models.Store, in Incoming) ([]Outgoing, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, tx *models.Store, in Incoming) ([]Outgoing, error) {
	return f(ctx, tx, in)
}

// Incoming is one message or action of a user, as every channel delivers it.
type Incoming struct {
	Channel  string // models.ChannelTelegram, ChannelZalo, ChannelConsole
	UserID   string // the sender's id on the channel
	ChatID   string // where replies go; UserID in a private chat
	Name     string // the sender's display name, if the channel gives one
	Lang     string // the channel's language hint (Telegram language_code), may be ""
	Text     string // text or command ("/start kp1"), "" for other kinds
	Callback string // data of a pressed inline button, "" otherwise
	Contact  *SharedContact
	PhotoRef string // channel file reference of a photo (largest size)
	// File is a file the user sent (a Telegram document, a Zalo file)
	// other than a photo; the channel has downloaded it, within a bound,
	// before the handler runs.
	File     *File
	Location *Location
	Group    bool // sent in a group chat
	Mention  bool // the bot was mentioned or addressed by command in a group
}

// SharedContact is a phone number shared through the channel's contact
// button. Own is true only when the channel vouches that the number is the
// sender's own (Telegram: contact.user_id == from.id); a forwarded contact
// card verifies nothing.
type SharedContact struct {
	Phone string
	Own   bool
}

// File is a file a user sent. Data is its content, fetched by the
// channel (at most MaxFileSize bytes) outside the update's transaction;
// when the channel did not fetch it, Data is nil and Problem says why.
type File struct {
	Name    string // the file name as sent ("danh_sach.xlsx"), may be ""
	MIME    string
	Size    int64  // as the channel announced it, 0 if unknown
	Ref     string // the channel's reference: Telegram file_id, Zalo URL
	Data    []byte
	Problem string // FileTooLarge, FileNotFetched, FileOtherKind; "" with Data
}

// Why a File has no Data.
const (
	FileTooLarge   = "too_large"   // over MaxFileSize
	FileNotFetched = "not_fetched" // the download failed
	FileOtherKind  = "other_kind"  // not a .csv, .xlsx, .yaml (not fetched)
)

// MaxFileSize bounds the files a channel fetches: a voter list of a
// whole ward is well under it.
const MaxFileSize = 10 << 20

// Fetchable reports whether a file of this name is one the bot reads
// (a table or an election file), so that a channel fetches only those.
func Fetchable(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".csv", ".xlsx", ".yaml", ".yml", ".txt"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// Location is a point on the map, with an optional title and address.
type Location struct {
	Lat, Lon float64
	Title    string
	Address  string
}

// Button is one keyboard button. Data is what comes back as Incoming.Callback
// for inline keyboards; for reply keyboards the button's Text comes back as
// Incoming.Text. RequestContact asks the channel for the user's own phone.
type Button struct {
	Text           string
	Data           string
	RequestContact bool
	// RequestLocation asks the channel for the user's location (Telegram;
	// elsewhere the button's text is sent and the user shares by hand).
	RequestLocation bool
}

// Keyboard is a set of buttons under a message: Inline (attached to the
// message, answered by callback) or a reply keyboard replacing the user's
// keyboard.
type Keyboard struct {
	Rows   [][]Button
	Inline bool
}

// Document is a file sent to the chat (exports, charts).
type Document struct {
	Name string
	MIME string
	Data []byte
}

// Outgoing is one reply. Text is plain text: channels escape it for their
// markup. RemoveKeyboard hides a previous reply keyboard.
//
// Most replies go to the sender's chat. A message to someone else (a
// conflict between reporters told to the other reporter and the admins, a
// reminder) has that contact's ChatID and Channel: the channel adapter
// delivers it only if Channel is its own (or empty, meaning the sender's).
type Outgoing struct {
	ChatID         string
	Channel        string // models.ChannelTelegram, …; set by Handle for replies to the sender
	Text           string
	Keyboard       *Keyboard
	RemoveKeyboard bool
	Location       *Location
	Document       *Document
	// Photo is a channel file reference of a photo to send (Telegram
	// file_id), with Text as its caption: the signed counting minutes.
	Photo string
}
