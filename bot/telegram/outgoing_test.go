package telegram

import (
	"strings"
	"testing"
	"unicode/utf16"

	"electionbot/bot"
	"electionbot/locales"
)

func TestEncode(t *testing.T) {
	type want struct {
		method string
		params map[string]string // must match exactly; "" means absent
	}
	tests := []struct {
		name string
		out  bot.Outgoing
		want []want
	}{
		{"plain text is escaped for HTML",
			bot.Outgoing{Text: `Khu phố <1> & "2" — Nguyễn Văn <b>An</b>`},
			[]want{{"sendMessage", map[string]string{
				"chat_id": "111", "parse_mode": "HTML", "reply_markup": "",
				"text": `Khu phố &lt;1&gt; &amp; "2" — Nguyễn Văn &lt;b&gt;An&lt;/b&gt;`,
			}}}},
		{"Outgoing.ChatID wins",
			bot.Outgoing{ChatID: "-1001", Text: "x"},
			[]want{{"sendMessage", map[string]string{"chat_id": "-1001", "text": "x"}}}},
		{"reply keyboard with request_contact",
			bot.Outgoing{Text: "Chọn:", Keyboard: &bot.Keyboard{Rows: [][]bot.Button{
				{{Text: "📅 Ngày giờ bầu cử"}, {Text: "📍 Địa điểm"}},
				{{Text: "📱 Gửi số điện thoại", RequestContact: true}},
			}}},
			[]want{{"sendMessage", map[string]string{"text": "Chọn:",
				"reply_markup": `{"keyboard":[[{"text":"📅 Ngày giờ bầu cử"},{"text":"📍 Địa điểm"}],[{"text":"📱 Gửi số điện thoại","request_contact":true}]],"resize_keyboard":true,"one_time_keyboard":true}`,
			}}}},
		{"reply keyboard without contact stays",
			bot.Outgoing{Text: "Menu", Keyboard: &bot.Keyboard{Rows: [][]bot.Button{{{Text: "A & B"}}}}},
			[]want{{"sendMessage", map[string]string{"text": "Menu",
				"reply_markup": `{"keyboard":[[{"text":"A \u0026 B"}]],"resize_keyboard":true}`,
			}}}},
		{"inline keyboard",
			bot.Outgoing{Text: "Lưu?", Keyboard: &bot.Keyboard{Inline: true, Rows: [][]bot.Button{
				{{Text: "✅ Đồng ý", Data: "tally:ok:12"}, {Text: "❌ Hủy", Data: "tally:no:12"}},
			}}},
			[]want{{"sendMessage", map[string]string{"text": "Lưu?",
				"reply_markup": `{"inline_keyboard":[[{"text":"✅ Đồng ý","callback_data":"tally:ok:12"},{"text":"❌ Hủy","callback_data":"tally:no:12"}]]}`,
			}}}},
		{"keyboard removal",
			bot.Outgoing{Text: "Cảm ơn", RemoveKeyboard: true},
			[]want{{"sendMessage", map[string]string{"text": "Cảm ơn", "reply_markup": `{"remove_keyboard":true}`}}}},
		{"location pin",
			bot.Outgoing{Location: &bot.Location{Lat: 21.5301, Lon: 107.9655}},
			[]want{{"sendLocation", map[string]string{"chat_id": "111", "latitude": "21.5301", "longitude": "107.9655"}}}},
		{"text, then venue with the keyboard",
			bot.Outgoing{Text: "Nơi bỏ phiếu:", Location: &bot.Location{Lat: 21.53, Lon: 107.96, Title: "Nhà văn hóa khu phố 1", Address: "Ka Long, Móng Cái"},
				RemoveKeyboard: true},
			[]want{
				{"sendMessage", map[string]string{"text": "Nơi bỏ phiếu:", "reply_markup": ""}},
				{"sendVenue", map[string]string{"latitude": "21.53", "longitude": "107.96", "title": "Nhà văn hóa khu phố 1",
					"address": "Ka Long, Móng Cái", "reply_markup": `{"remove_keyboard":true}`}},
			}},
		{"keyboard alone gets a placeholder text",
			bot.Outgoing{Keyboard: &bot.Keyboard{Rows: [][]bot.Button{{{Text: "Menu"}}}}},
			[]want{{"sendMessage", map[string]string{"text": keyboardOnly}}}},
		{"document",
			bot.Outgoing{Document: &bot.Document{Name: "ket-qua.csv", MIME: "text/csv", Data: []byte("a,b\n")}},
			[]want{{"sendDocument", map[string]string{"chat_id": "111"}}}},
		{"photo with a short caption",
			bot.Outgoing{Photo: "AgAC-file", Text: "Biên bản KP1 & chữ ký"},
			[]want{{"sendPhoto", map[string]string{"photo": "AgAC-file", "caption": "Biên bản KP1 &amp; chữ ký", "parse_mode": "HTML"}}}},
		{"photo with a text too long for a caption",
			bot.Outgoing{Photo: "AgAC-file", Text: strings.Repeat("a", 1025)},
			[]want{
				{"sendPhoto", map[string]string{"photo": "AgAC-file", "caption": ""}},
				{"sendMessage", map[string]string{"text": strings.Repeat("a", 1025)}},
			}},
		{"nothing", bot.Outgoing{Text: "  \n"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls, err := Encode("111", tc.out)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if len(calls) != len(tc.want) {
				t.Fatalf("Encode = %d calls %+v, want %d", len(calls), calls, len(tc.want))
			}
			for i, w := range tc.want {
				if calls[i].Method != w.method {
					t.Errorf("call %d method = %s, want %s", i, calls[i].Method, w.method)
				}
				for k, v := range w.params {
					if got := calls[i].Params[k]; got != v {
						t.Errorf("call %d %s = %q, want %q", i, k, got, v)
					}
				}
			}
		})
	}
}

func TestEncodeDropsOversizedCallbackData(t *testing.T) {
	calls, err := Encode("1", bot.Outgoing{Text: "x", Keyboard: &bot.Keyboard{Inline: true, Rows: [][]bot.Button{
		{{Text: "ok", Data: "a"}, {Text: "too long", Data: strings.Repeat("x", 65)}},
	}}})
	if err == nil {
		t.Fatal("Encode: no error for 65-byte callback data")
	}
	if got := calls[0].Params["reply_markup"]; got != `{"inline_keyboard":[[{"text":"ok","callback_data":"a"}]]}` {
		t.Fatalf("reply_markup = %s", got)
	}
}

func TestEncodeSplitsLongText(t *testing.T) {
	line := strings.Repeat("Nguyễn Văn An <1961> & ", 10) + "\n" // escaping makes it longer on the wire
	text := strings.Repeat(line, 60) + "🗳" + strings.Repeat("x", 5000)
	calls, err := Encode("1", bot.Outgoing{Text: text, RemoveKeyboard: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 3 {
		t.Fatalf("Encode = %d calls, want the text split", len(calls))
	}
	var joined strings.Builder
	for i, c := range calls {
		plain := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(c.Params["text"])
		if n := len(utf16.Encode([]rune(plain))); n > maxText {
			t.Errorf("piece %d is %d characters", i, n)
		}
		if (c.Params["reply_markup"] != "") != (i == len(calls)-1) {
			t.Errorf("piece %d reply_markup = %q: the keyboard belongs on the last piece only", i, c.Params["reply_markup"])
		}
		joined.WriteString(plain)
	}
	norm := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if norm(joined.String()) != norm(text) {
		t.Fatal("the pieces do not add up to the text")
	}
}

func TestCommandMenus(t *testing.T) {
	calls, err := CommandMenus("vi")
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]string{}
	for _, c := range calls {
		if c.Method != "setMyCommands" {
			t.Fatalf("method %s", c.Method)
		}
		langs[c.Params["language_code"]] = c.Params["commands"]
	}
	for lang, want := range map[string][]string{
		"":   {`"command":"ngaybau","description":"Ngày giờ bầu cử"`, `"command":"tracuu"`},
		"vi": {`"command":"ngaybau","description":"Ngày giờ bầu cử"`, `"command":"nhacnho"`, `"command":"ngonngu"`},
		"en": {`"command":"date","description":"Election date and time"`, `"command":"remind"`, `"command":"lang"`},
	} {
		for _, w := range want {
			if !strings.Contains(langs[lang], w) {
				t.Errorf("menu %q = %s, lacks %s", lang, langs[lang], w)
			}
		}
	}
}

func TestCommandMenuDescriptionsInBothLanguages(t *testing.T) {
	// Every description exists in vi and en (CommandMenus fails on a
	// missing one instead of falling back to Vietnamese).
	for _, lang := range []string{"vi", "en"} {
		if _, err := CommandMenus(lang); err != nil {
			t.Fatal(err)
		}
	}
	vi, err := locales.Keys("telegram.vi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(vi) != len(menu) {
		t.Fatalf("telegram.vi.yaml has %d keys, the menu %d commands", len(vi), len(menu))
	}
}
