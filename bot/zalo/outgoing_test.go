package zalo

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"electionbot/bot"
)

func TestEncodeOutgoing(t *testing.T) {
	enc, err := NewEncoder("vi", "")
	if err != nil {
		t.Fatal(err)
	}
	row := func(texts ...string) [][]bot.Button {
		var r []bot.Button
		for _, s := range texts {
			r = append(r, bot.Button{Text: s})
		}
		return [][]bot.Button{r}
	}
	menu := &bot.Keyboard{Rows: [][]bot.Button{
		{{Text: "Ngày bầu"}, {Text: "Nơi bầu"}}, {{Text: "Tra cứu"}},
		{{Text: "Ứng cử viên"}, {Text: "Quy định"}}, {{Text: "Nhắc lịch"}, {Text: "Khu phố"}},
	}}
	tests := []struct {
		name    string
		lang    string
		out     bot.Outgoing
		want    []string // request bodies
		options []Option
	}{
		{"text", "vi", bot.Outgoing{Text: "Bầu cử ngày 05/06/2022 <b>&</b>"},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"Bầu cử ngày 05/06/2022 \u003cb\u003e\u0026\u003c/b\u003e"}}`}, nil},
		{"ChatID wins", "vi", bot.Outgoing{ChatID: "u2", Text: "hi"},
			[]string{`{"recipient":{"user_id":"u2"},"message":{"text":"hi"}}`}, nil},
		{"reply keyboard: buttons that send their text", "vi", bot.Outgoing{Text: "Chọn", Keyboard: &bot.Keyboard{Rows: row("Khu phố 1", "Khu phố 2")}},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"Chọn","attachment":{"type":"template","payload":{"buttons":[` +
				`{"title":"Khu phố 1","type":"oa.query.show","payload":"Khu phố 1"},{"title":"Khu phố 2","type":"oa.query.show","payload":"Khu phố 2"}]}}}}`}, nil},
		{"inline keyboard: hidden queries carrying the callback", "vi", bot.Outgoing{Text: "Lưu?", Keyboard: &bot.Keyboard{Inline: true, Rows: [][]bot.Button{
			{{Text: "✅ Lưu", Data: "o:tally:ok:3"}, {Text: "✏️ Sửa", Data: "o:tally:edit:3"}}}}},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"Lưu?","attachment":{"type":"template","payload":{"buttons":[` +
				`{"title":"✅ Lưu","type":"oa.query.hide","payload":"#cb:o:tally:ok:3"},{"title":"✏️ Sửa","type":"oa.query.hide","payload":"#cb:o:tally:edit:3"}]}}}}`}, nil},
		{"keyboard only", "vi", bot.Outgoing{Keyboard: &bot.Keyboard{Rows: row("Menu")}},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"👇","attachment":{"type":"template","payload":{"buttons":[{"title":"Menu","type":"oa.query.show","payload":"Menu"}]}}}}`}, nil},
		{"more buttons than Zalo allows: numbered options", "vi", bot.Outgoing{Text: "Bạn muốn hỏi gì?", Keyboard: menu},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"Bạn muốn hỏi gì?\n\n1. Ngày bầu\n2. Nơi bầu\n3. Tra cứu\n4. Ứng cử viên\n5. Quy định\n6. Nhắc lịch\n7. Khu phố\nTrả lời bằng số thứ tự (1–7)."}}`},
			[]Option{{Text: "Ngày bầu"}, {Text: "Nơi bầu"}, {Text: "Tra cứu"}, {Text: "Ứng cử viên"}, {Text: "Quy định"}, {Text: "Nhắc lịch"}, {Text: "Khu phố"}}},
		{"numbered inline options keep their callbacks, in English", "en", bot.Outgoing{Text: "Area?", Keyboard: &bot.Keyboard{Inline: true, Rows: [][]bot.Button{
			{{Text: "KP1", Data: "area:1"}, {Text: "KP2", Data: "area:2"}, {Text: "KP3", Data: "area:3"}},
			{{Text: "KP4", Data: "area:4"}, {Text: "KP5", Data: "area:5"}, {Text: "KP6", Data: "area:6"}}}}},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"Area?\n\n1. KP1\n2. KP2\n3. KP3\n4. KP4\n5. KP5\n6. KP6\nReply with the number (1–6)."}}`},
			[]Option{{"KP1", "area:1"}, {"KP2", "area:2"}, {"KP3", "area:3"}, {"KP4", "area:4"}, {"KP5", "area:5"}, {"KP6", "area:6"}}},
		{"share phone: buttons, then the request_user_info card", "vi", bot.Outgoing{Text: "Tra cứu bằng số điện thoại?", Keyboard: &bot.Keyboard{Rows: [][]bot.Button{
			{{Text: "📱 Gửi số điện thoại", RequestContact: true}}, {{Text: "Menu"}}}}},
			[]string{
				`{"recipient":{"user_id":"u1"},"message":{"text":"Tra cứu bằng số điện thoại?","attachment":{"type":"template","payload":{"buttons":[{"title":"Menu","type":"oa.query.show","payload":"Menu"}]}}}}`,
				`{"recipient":{"user_id":"u1"},"message":{"attachment":{"type":"template","payload":{"template_type":"request_user_info","elements":[{"title":"📱 Gửi số điện thoại","subtitle":"Bấm để chia sẻ số điện thoại Zalo của ông/bà. Zalo xác nhận số này là của ông/bà."}]}}}}`,
			}, nil},
		{"location: text with a map link", "vi", bot.Outgoing{Text: "Nơi bỏ phiếu:", Location: &bot.Location{Lat: 21.53, Lon: 107.96, Title: "Nhà văn hóa khu phố 1", Address: "Số 5 Hùng Vương"}},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"Nơi bỏ phiếu:\n\n📍 Nhà văn hóa khu phố 1\nSố 5 Hùng Vương\nhttps://www.google.com/maps/search/?api=1\u0026query=21.53%2C107.96"}}`}, nil},
		{"location the text names already: the link only", "vi", bot.Outgoing{Text: "📍 Nhà văn hóa khu phố 1\nSố 5 Hùng Vương", Location: &bot.Location{Lat: 21.53, Lon: 107.96, Title: "Nhà văn hóa khu phố 1", Address: "Số 5 Hùng Vương"}},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"📍 Nhà văn hóa khu phố 1\nSố 5 Hùng Vương\n\nhttps://www.google.com/maps/search/?api=1\u0026query=21.53%2C107.96"}}`}, nil},
		{"document: a note", "en", bot.Outgoing{Text: "Results:", Document: &bot.Document{Name: "ka-long-2022.xlsx", Data: []byte("x")}},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"Results:\n\n📄 ka-long-2022.xlsx: this file cannot be sent on Zalo. See it on the results page or on Telegram."}}`}, nil},
		{"photo by URL with its caption", "vi", bot.Outgoing{Text: "Biên bản KP1", Photo: "https://photo.zdn.vn/bb.jpg"},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"Biên bản KP1","attachment":{"type":"template","payload":{"template_type":"media","elements":[{"media_type":"image","url":"https://photo.zdn.vn/bb.jpg"}]}}}}`}, nil},
		{"photo of another channel: a note", "vi", bot.Outgoing{Text: "Biên bản KP1", Photo: "AgACAgUAAxkBAAIB"},
			[]string{`{"recipient":{"user_id":"u1"},"message":{"text":"Biên bản KP1\n\n🖼 Ảnh này không xem được trên Zalo."}}`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := enc.Encode("u1", tc.lang, tc.out)
			var bodies []string
			for _, r := range got.Requests {
				b, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				bodies = append(bodies, string(b))
			}
			if strings.Join(bodies, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("requests\n got %s\nwant %s", strings.Join(bodies, "\n     "), strings.Join(tc.want, "\n     "))
			}
			if len(got.Options) != len(tc.options) || (len(tc.options) > 0 && !equalOptions(got.Options, tc.options)) {
				t.Errorf("options %+v, want %+v", got.Options, tc.options)
			}
		})
	}
}

func equalOptions(a, b []Option) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func TestEncodeLongTextSplits(t *testing.T) {
	enc, err := NewEncoder("vi", "")
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("Nguyễn Văn An ", 10) + "\n" // 141 characters
	text := strings.Repeat(line, 30)                    // 4230
	got, _ := enc.Encode("u1", "vi", bot.Outgoing{Text: text, Keyboard: &bot.Keyboard{Rows: [][]bot.Button{{{Text: "Menu"}}}}})
	if len(got.Requests) != 3 {
		t.Fatalf("%d requests, want 3", len(got.Requests))
	}
	var joined []string
	for i, r := range got.Requests {
		n := utf8.RuneCountInString(r.Message.Text)
		if n > MaxText {
			t.Errorf("request %d has %d characters", i, n)
		}
		if (r.Message.Attachment != nil) != (i == 2) {
			t.Errorf("request %d: buttons %v, want them on the last one only", i, r.Message.Attachment != nil)
		}
		joined = append(joined, r.Message.Text)
	}
	if strings.Join(strings.Fields(strings.Join(joined, " ")), " ") != strings.Join(strings.Fields(text), " ") {
		t.Error("the pieces do not give the text back")
	}
}

func TestMergeTexts(t *testing.T) {
	kb := &bot.Keyboard{Rows: [][]bot.Button{{{Text: "Menu"}}}}
	outs := []bot.Outgoing{
		{ChatID: "u1", Text: "a"}, {ChatID: "u1", Text: "b", Keyboard: kb}, // merged
		{ChatID: "u1", Text: "c"}, {ChatID: "u2", Text: "d"}, // other chat: not merged
		{ChatID: "u2", Text: "e", Keyboard: kb}, {ChatID: "u2", Text: "f"}, // after a keyboard: not merged
	}
	got := mergeTexts(outs)
	var texts []string
	for _, o := range got {
		texts = append(texts, o.ChatID+":"+o.Text)
	}
	if want := "u1:a\n\nb|u1:c|u2:d\n\ne|u2:f"; strings.Join(texts, "|") != want {
		t.Errorf("merged %q, want %q", strings.Join(texts, "|"), want)
	}
}
