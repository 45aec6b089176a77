package telegram

import (
	"encoding/json"
	"reflect"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot"
	"electionbot/bot/telegram/telegramtest"
)

// A document is a File to fetch; a picture sent as a file stays a photo.
func TestParseDocument(t *testing.T) {
	var u tgbotapi.Update
	if err := json.Unmarshal([]byte(telegramtest.DocumentUpdate(7, 111, "danh_sach.xlsx", "doc-1", 2048)), &u); err != nil {
		t.Fatal(err)
	}
	in := Parse(u, testSelf).In
	want := bot.File{Name: "danh_sach.xlsx", MIME: "application/octet-stream", Size: 2048, Ref: "doc-1"}
	if in == nil || in.File == nil || !reflect.DeepEqual(*in.File, want) || in.PhotoRef != "" {
		t.Fatalf("incoming %+v, want the file %+v", in, want)
	}
	pic := msg(private, userAn, `,"document":{"file_id":"p1","file_unique_id":"u","mime_type":"image/jpeg","file_name":"bien_ban.jpg"}`)
	if err := json.Unmarshal([]byte(pic), &u); err != nil {
		t.Fatal(err)
	}
	if in := Parse(u, testSelf).In; in.File != nil || in.PhotoRef != "p1" {
		t.Errorf("a picture as a file: %+v", in)
	}
}

// The file endpoint follows TELEGRAM_API_ENDPOINT's host.
func TestFileURL(t *testing.T) {
	tests := []struct{ endpoint, want string }{
		{"", "https://api.telegram.org/file/bot123:abc/documents/file_1.xlsx"},
		{"http://127.0.0.1:8081/bot%s/%s", "http://127.0.0.1:8081/file/bot123:abc/documents/file_1.xlsx"},
	}
	for _, tt := range tests {
		if got := FileURL(tt.endpoint, "123:abc", "documents/file_1.xlsx"); got != tt.want {
			t.Errorf("FileURL(%q) = %q, want %q", tt.endpoint, got, tt.want)
		}
	}
}
