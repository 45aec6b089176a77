package telegram

import (
	"encoding/json"
	"reflect"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot"
)

var testSelf = Self{ID: 123456, Username: "electionbot_test"}

const (
	userAn   = `{"id":111,"is_bot":false,"first_name":"An","last_name":"Nguyễn","language_code":"vi"}`
	userJohn = `{"id":222,"is_bot":false,"first_name":"John","language_code":"en-US"}`
	private  = `{"id":111,"type":"private","first_name":"An"}`
	group    = `{"id":-1001,"type":"supergroup","title":"Tổ bầu cử KP1"}`
)

func msg(chat, from, rest string) string {
	return `{"update_id":10,"message":{"message_id":5,"date":1654387200,"chat":` + chat + `,"from":` + from + rest + `}}`
}

func TestParseUpdate(t *testing.T) {
	base := bot.Incoming{Channel: "telegram", UserID: "111", ChatID: "111", Name: "An Nguyễn", Lang: "vi"}
	with := func(f func(in *bot.Incoming)) *bot.Incoming {
		in := base
		f(&in)
		return &in
	}
	tests := []struct {
		name   string
		update string
		want   *bot.Incoming
		typ    string
	}{
		{"text", msg(private, userAn, `,"text":"ngày bầu cử"`),
			with(func(in *bot.Incoming) { in.Text = "ngày bầu cử" }), TypeMessage},
		{"command with this bot's suffix", msg(private, userAn, `,"text":"/ngaybau@ElectionBot_Test","entities":[{"type":"bot_command","offset":0,"length":24}]`),
			with(func(in *bot.Incoming) { in.Text = "/ngaybau" }), TypeMessage},
		{"start payload (deep link)", msg(private, userAn, `,"text":"/start kp1","entities":[{"type":"bot_command","offset":0,"length":6}]`),
			with(func(in *bot.Incoming) { in.Text = "/start kp1" }), TypeMessage},
		{"start payload with suffix", msg(private, userAn, `,"text":"/start@electionbot_test invite-abc"`),
			with(func(in *bot.Incoming) { in.Text = "/start invite-abc" }), TypeMessage},
		{"own contact (request_contact button)", msg(private, userAn, `,"contact":{"phone_number":"84912345678","first_name":"An","user_id":111}`),
			with(func(in *bot.Incoming) { in.Contact = &bot.SharedContact{Phone: "84912345678", Own: true} }), TypeMessage},
		{"someone else's contact card", msg(private, userAn, `,"contact":{"phone_number":"+84987654321","first_name":"Bình","user_id":333}`),
			with(func(in *bot.Incoming) { in.Contact = &bot.SharedContact{Phone: "+84987654321", Own: false} }), TypeMessage},
		{"contact card without user", msg(private, userAn, `,"contact":{"phone_number":"+84987654321","first_name":"Bình"}`),
			with(func(in *bot.Incoming) { in.Contact = &bot.SharedContact{Phone: "+84987654321", Own: false} }), TypeMessage},
		{"forwarded own contact card", msg(private, userAn, `,"forward_from":`+userAn+`,"forward_date":1654380000,"contact":{"phone_number":"84912345678","first_name":"An","user_id":111}`),
			with(func(in *bot.Incoming) { in.Contact = &bot.SharedContact{Phone: "84912345678", Own: false} }), TypeMessage},
		{"photo: largest size, caption as text", msg(private, userAn, `,"caption":"KQ KP1","photo":[`+
			`{"file_id":"small","file_unique_id":"a","width":90,"height":67,"file_size":1200},`+
			`{"file_id":"large","file_unique_id":"c","width":1280,"height":960,"file_size":120000},`+
			`{"file_id":"medium","file_unique_id":"b","width":320,"height":240,"file_size":15000}]`),
			with(func(in *bot.Incoming) { in.Text, in.PhotoRef = "KQ KP1", "large" }), TypeMessage},
		{"photo sent as a file", msg(private, userAn, `,"document":{"file_id":"doc1","file_unique_id":"d","file_name":"bien-ban.jpg","mime_type":"image/jpeg"}`),
			with(func(in *bot.Incoming) { in.PhotoRef = "doc1" }), TypeMessage},
		{"location", msg(private, userAn, `,"location":{"latitude":21.5301,"longitude":107.9655}`),
			with(func(in *bot.Incoming) { in.Location = &bot.Location{Lat: 21.5301, Lon: 107.9655} }), TypeMessage},
		{"venue", msg(private, userAn, `,"venue":{"location":{"latitude":21.53,"longitude":107.96},"title":"Nhà văn hóa","address":"Ka Long"}`),
			with(func(in *bot.Incoming) {
				in.Location = &bot.Location{Lat: 21.53, Lon: 107.96, Title: "Nhà văn hóa", Address: "Ka Long"}
			}), TypeMessage},
		{"language_code en-US", msg(`{"id":222,"type":"private"}`, userJohn, `,"text":"hello"`),
			&bot.Incoming{Channel: "telegram", UserID: "222", ChatID: "222", Name: "John", Lang: "en", Text: "hello"}, TypeMessage},
		{"sticker: empty incoming", msg(private, userAn, `,"sticker":{"file_id":"s","file_unique_id":"s","width":512,"height":512}`),
			with(func(in *bot.Incoming) {}), TypeMessage},
		{"callback", `{"update_id":11,"callback_query":{"id":"cb1","from":` + userAn + `,"chat_instance":"x","data":"area:3",` +
			`"message":{"message_id":7,"date":1,"chat":` + private + `,"text":"Chọn khu phố",` +
			`"reply_markup":{"inline_keyboard":[[{"text":"Khu phố 3","callback_data":"area:3"}]]}}}}`,
			with(func(in *bot.Incoming) { in.Callback = "area:3" }), TypeCallback},
		{"group: command for this bot", msg(group, userAn, `,"text":"/ngaybau@electionbot_test"`),
			with(func(in *bot.Incoming) {
				in.ChatID, in.Group, in.Mention, in.Text = "-1001", true, true, "/ngaybau"
			}), TypeMessage},
		{"group: command without suffix", msg(group, userAn, `,"text":"/diadiem"`),
			with(func(in *bot.Incoming) {
				in.ChatID, in.Group, in.Mention, in.Text = "-1001", true, true, "/diadiem"
			}), TypeMessage},
		{"group: another bot's command", msg(group, userAn, `,"text":"/ngaybau@otherbot"`), nil, TypeMessage},
		{"group: mention", msg(group, userAn, `,"text":"@ElectionBot_test bao giờ bầu cử?","entities":[{"type":"mention","offset":0,"length":17}]`),
			with(func(in *bot.Incoming) {
				in.ChatID, in.Group, in.Mention, in.Text = "-1001", true, true, "bao giờ bầu cử?"
			}), TypeMessage},
		{"group: reply to the bot", msg(group, userAn, `,"text":"cảm ơn","reply_to_message":{"message_id":3,"date":1,"chat":`+group+`,"from":{"id":123456,"is_bot":true,"first_name":"Bot"}}`),
			with(func(in *bot.Incoming) {
				in.ChatID, in.Group, in.Mention, in.Text = "-1001", true, true, "cảm ơn"
			}), TypeMessage},
		{"group: chatter", msg(group, userAn, `,"text":"chào cả nhà"`), nil, TypeMessage},
		{"group: similar username is no mention", msg(group, userAn, `,"text":"@electionbot_test2 hi"`), nil, TypeMessage},
		{"group: callback", `{"update_id":12,"callback_query":{"id":"cb2","from":` + userAn + `,"chat_instance":"x","data":"ok",` +
			`"message":{"message_id":8,"date":1,"chat":` + group + `,"text":"?"}}}`,
			with(func(in *bot.Incoming) { in.ChatID, in.Group, in.Mention, in.Callback = "-1001", true, true, "ok" }), TypeCallback},
		{"edited message: ignored", `{"update_id":13,"edited_message":{"message_id":5,"date":1,"edit_date":2,"chat":` + private + `,"from":` + userAn + `,"text":"x"}}`,
			nil, TypeEditedMessage},
		{"channel post: ignored", `{"update_id":14,"channel_post":{"message_id":5,"date":1,"chat":{"id":-100777,"type":"channel"},"text":"x"}}`,
			nil, TypeChannelPost},
		{"message from a bot: ignored", msg(private, `{"id":999,"is_bot":true,"first_name":"B"}`, `,"text":"x"`), nil, TypeMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var u tgbotapi.Update
			if err := json.Unmarshal([]byte(tc.update), &u); err != nil {
				t.Fatalf("bad fixture: %v", err)
			}
			got := Parse(u, testSelf)
			if got.Type != tc.typ {
				t.Errorf("Type = %q, want %q", got.Type, tc.typ)
			}
			if !reflect.DeepEqual(got.In, tc.want) {
				t.Errorf("Incoming =\n  %+v\nwant\n  %+v", deref(got.In), deref(tc.want))
			}
		})
	}
}

func deref(in *bot.Incoming) any {
	if in == nil {
		return nil
	}
	return *in
}

func TestParseCallbackKeepsPressedButton(t *testing.T) {
	raw := `{"update_id":11,"callback_query":{"id":"cb1","from":` + userAn + `,"chat_instance":"x","data":"yes",` +
		`"message":{"message_id":7,"date":1,"chat":` + private + `,"text":"Lưu biên bản?",` +
		`"reply_markup":{"inline_keyboard":[[{"text":"✅ Đồng ý","callback_data":"yes"},{"text":"❌ Hủy","callback_data":"no"}]]}}}}`
	var u tgbotapi.Update
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatal(err)
	}
	got := Parse(u, testSelf)
	if got.CallbackID != "cb1" || got.CallbackLabel != "✅ Đồng ý" || got.CallbackMessage == nil || got.CallbackMessage.MessageID != 7 {
		t.Fatalf("Parse(callback) = id %q label %q message %v", got.CallbackID, got.CallbackLabel, got.CallbackMessage)
	}
	call, ok := EditChoice(got.CallbackMessage, got.CallbackLabel)
	if !ok || call.Method != "editMessageText" || call.Params["message_id"] != "7" ||
		call.Params["text"] != "Lưu biên bản?\n\n✓ ✅ Đồng ý" || call.Params["reply_markup"] != "" {
		t.Fatalf("EditChoice = %+v", call)
	}
}

func TestParseMembership(t *testing.T) {
	for status, want := range map[string]string{"kicked": "kicked", "member": "member"} {
		raw := `{"update_id":20,"my_chat_member":{"chat":` + private + `,"from":` + userAn + `,"date":1,` +
			`"old_chat_member":{"user":{"id":123456,"is_bot":true,"first_name":"B"},"status":"member"},` +
			`"new_chat_member":{"user":{"id":123456,"is_bot":true,"first_name":"B"},"status":"` + status + `"}}}`
		var u tgbotapi.Update
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			t.Fatal(err)
		}
		got := Parse(u, testSelf)
		if got.Type != TypeMyChatMember || got.Member != want || got.ChatID != 111 || got.In != nil {
			t.Errorf("%s: Parse = %+v", status, got)
		}
	}
}
