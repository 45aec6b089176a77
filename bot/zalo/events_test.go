package zalo

import (
	"reflect"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/zalo/zalotest"
	"electionbot/models"
)

var t0 = time.Date(2022, 6, 5, 1, 30, 0, 0, time.UTC) // 08:30 in Ka Long on election day

func TestEventToIncoming(t *testing.T) {
	in := func(f func(*bot.Incoming)) *bot.Incoming {
		i := &bot.Incoming{Channel: models.ChannelZalo, UserID: "u1", ChatID: "u1"}
		f(i)
		return i
	}
	tests := []struct {
		name string
		body string
		want *bot.Incoming
		key  string
	}{
		{"text", string(zalotest.TextEvent("u1", "m1", " ngày bầu cử ", t0)),
			in(func(i *bot.Incoming) { i.Text = "ngày bầu cử" }), "m1"},
		{"a file", string(zalotest.FileEvent("u1", "m9", "https://f.zalo.me/1", "ds.xlsx", 2048, t0)),
			in(func(i *bot.Incoming) { i.File = &bot.File{Name: "ds.xlsx", Size: 2048, Ref: "https://f.zalo.me/1"} }), "m9"},
		{"hidden button query is a callback", string(zalotest.TextEvent("u1", "m2", "#cb:o:tally:ok:3", t0)),
			in(func(i *bot.Incoming) { i.Callback = "o:tally:ok:3" }), "m2"},
		{"follow is the welcome", string(zalotest.FollowEvent("u1", t0)),
			in(func(i *bot.Incoming) { i.Text = "/start" }), "follow:u1:1654392600000"},
		{"image is a photo by URL, caption as text", string(zalotest.ImageEvent("u1", "m3", "https://photo-zmp3.zdn.vn/bb.jpg", "KQ KP1", t0)),
			in(func(i *bot.Incoming) { i.PhotoRef = "https://photo-zmp3.zdn.vn/bb.jpg"; i.Text = "KQ KP1" }), "m3"},
		{"location with string coordinates", string(zalotest.LocationEvent("u1", "m4", 21.5301, 107.9652, t0)),
			in(func(i *bot.Incoming) { i.Location = &bot.Location{Lat: 21.5301, Lon: 107.9652} }), "m4"},
		{"location with number coordinates",
			`{"app_id":"1","event_name":"user_send_location","timestamp":1654392600000,"sender":{"id":"u1"},"message":{"msg_id":"m5","attachments":[{"type":"location","payload":{"coordinates":{"latitude":21.5,"longitude":107.9}}}]}}`,
			in(func(i *bot.Incoming) { i.Location = &bot.Location{Lat: 21.5, Lon: 107.9} }), "m5"},
		{"shared info is the user's own phone", string(zalotest.SubmitInfoEvent("u1", "Nguyễn Văn An", "84912345678", t0)),
			in(func(i *bot.Incoming) {
				i.Name = "Nguyễn Văn An"
				i.Contact = &bot.SharedContact{Phone: "84912345678", Own: true}
			}), "user_submit_info:u1:1654392600000"},
		{"sticker gets the menu", `{"event_name":"user_send_sticker","timestamp":"1654392600000","sender":{"id":"u1"},"message":{"msg_id":"m6","attachments":[{"type":"sticker","payload":{"url":"https://zalo-api.zadn.vn/s.png"}}]}}`,
			in(func(*bot.Incoming) {}), "m6"},
		{"unfollow is not for the handlers", string(zalotest.UnfollowEvent("u1", t0)), nil, "unfollow:u1:1654392600000"},
		{"the OA's own message is ignored", `{"event_name":"oa_send_text","timestamp":"1654392600000","sender":{"id":"oa"},"recipient":{"id":"u1"},"message":{"msg_id":"m7","text":"hi"}}`, nil, "m7"},
		{"read receipt is ignored", `{"event_name":"user_seen_message","timestamp":"1654392600000","sender":{"id":"u1"},"message":{"msg_ids":["m1"]}}`, nil, "user_seen_message:u1:1654392600000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := ParseEvent([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.Incoming(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Incoming() = %+v, want %+v", got, tc.want)
			}
			if ev.Key() != tc.key {
				t.Errorf("Key() = %q, want %q", ev.Key(), tc.key)
			}
			if !ev.Time().Equal(t0) {
				t.Errorf("Time() = %v", ev.Time())
			}
		})
	}
	if _, err := ParseEvent([]byte(`{"timestamp":"1"}`)); err == nil {
		t.Error("an event without event_name parsed")
	}
}

func TestSignature(t *testing.T) {
	// sha256(app id + body + timestamp + OA secret key), computed apart.
	body := []byte(`{"event_name":"follow","timestamp":"1654392600000"}`)
	want := "mac=df272e3312dff7b7baea95ff7633abfce5ccadb5ea41d38325fcff3554afdcac"
	if got := Signature(zalotest.AppID, body, "1654392600000", zalotest.OASecretKey); got != want {
		t.Fatalf("Signature = %s, want %s", got, want)
	}
	if got := zalotest.SignBody(body); got != want {
		t.Fatalf("zalotest.SignBody = %s, want %s", got, want)
	}
}
