package telegram

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot"
	"electionbot/models"
)

// FuzzParseUpdate: whatever JSON the webhook (or getUpdates) hands over,
// decoding it as the webhook does and Parse never panic, and what reaches
// the handlers is consistent: a Telegram Incoming with numeric user and
// chat ids, a group message only when it addresses the bot, a command
// without another bot's suffix. The reply to it encodes to Bot API calls
// that Telegram accepts (text within 4096 UTF-16 units, valid UTF-8).
func FuzzParseUpdate(f *testing.F) {
	for _, s := range []string{
		`{"update_id":1,"message":{"message_id":1,"date":1,"chat":` + private + `,"from":` + userAn + `,"text":"/start kp1"}}`,
		`{"update_id":2,"message":{"message_id":2,"date":1,"chat":` + group + `,"from":` + userJohn + `,"text":"/ngaybau@electionbot_test kp1"}}`,
		`{"update_id":3,"message":{"message_id":3,"date":1,"chat":` + group + `,"from":` + userAn + `,"text":"@ElectionBot_Test ở đâu bầu?","entities":[{"type":"mention","offset":0,"length":17}]}}`,
		`{"update_id":4,"callback_query":{"id":"q","from":` + userAn + `,"chat_instance":"c","data":"tally:ok:3","message":{"message_id":9,"date":1,"chat":` + private + `,"reply_markup":{"inline_keyboard":[[{"text":"✅","callback_data":"tally:ok:3"}]]}}}}`,
		`{"update_id":5,"my_chat_member":{"chat":` + private + `,"from":` + userAn + `,"date":1,"old_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"B"},"status":"member"},"new_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"B"},"status":"kicked"}}}`,
		`{"update_id":6,"message":{"message_id":1,"date":1,"chat":` + private + `,"from":` + userAn + `,"contact":{"phone_number":"+84912345678","first_name":"An","user_id":111}}}`,
		`{"update_id":7,"message":{"message_id":1,"date":1,"chat":` + private + `,"from":` + userAn + `,"photo":[{"file_id":"a","file_unique_id":"a","width":90,"height":90},{"file_id":"b","file_unique_id":"b","width":800,"height":600}],"caption":"KQ KP1 TD 290"}}`,
		`{"update_id":8,"message":{"message_id":1,"date":1,"chat":` + private + `,"from":` + userAn + `,"venue":{"location":{"latitude":21.5,"longitude":107.9},"title":"NVH","address":"KP1"}}}`,
		`{"update_id":9,"message":{"message_id":1,"date":1,"chat":{"id":-100,"type":"channel"},"text":"x"}}`,
		`{"update_id":10,"edited_message":{"message_id":1,"date":1,"chat":` + private + `,"from":` + userAn + `,"text":"sửa"}}`,
		`{"update_id":11,"message":{"text":"no chat, no from"}}`,
		`{"update_id":12,"callback_query":{"id":"q"}}`,
		`{"update_id":13,"message":{"message_id":1,"date":1,"chat":` + private + `,"from":` + userAn + `,"text":"ng\u200bày \u202ebầu\u0000 👨‍👩‍👧 '; DROP TABLE voters;--"}}`,
		`{"update_id":-1}`, `[]`, `null`, `{"update_id":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var u tgbotapi.Update
		if err := json.Unmarshal(data, &u); err != nil || u.UpdateID <= 0 {
			return // the webhook answers 400
		}
		up := Parse(u, testSelf)
		if up.ID != u.UpdateID || up.Type == "" {
			t.Fatalf("Parse: id %d type %q", up.ID, up.Type)
		}
		in := up.In
		if in == nil {
			return
		}
		if in.Channel != models.ChannelTelegram {
			t.Fatalf("channel %q", in.Channel)
		}
		for _, id := range []string{in.UserID, in.ChatID} {
			if _, err := strconv.ParseInt(id, 10, 64); err != nil {
				t.Fatalf("id %q is not a number", id)
			}
		}
		if in.Group && !in.Mention {
			t.Fatalf("a group message that does not address the bot reached the handlers: %+v", in)
		}
		if head, _, _ := strings.Cut(in.Text, " "); strings.HasPrefix(head, "/") && strings.Contains(head, "@") {
			t.Fatalf("command kept its @suffix: %q", in.Text)
		}
		if u.Message != nil && u.Message.From != nil && u.Message.From.IsBot {
			t.Fatalf("a bot's message reached the handlers")
		}
		// The handlers echo user text: the encoded reply must be sendable.
		calls, _ := Encode(in.ChatID, bot.Outgoing{Text: in.Text + in.Callback})
		for _, c := range calls {
			text := c.Params["text"]
			if !utf8.ValidString(text) {
				t.Fatalf("reply text is not UTF-8: %q", text)
			}
			plain := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(text)
			if n := len(utf16.Encode([]rune(plain))); c.Method == "sendMessage" && (n > 4096 || strings.TrimSpace(plain) == "") {
				t.Fatalf("sendMessage of %d UTF-16 units: %q", n, plain)
			}
		}
	})
}
