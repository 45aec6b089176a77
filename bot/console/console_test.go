package console

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"electionbot/bot"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// fakeHandler records what it is given and answers with a function.
type fakeHandler struct {
	got    []bot.Incoming
	answer func(in bot.Incoming) []bot.Outgoing
}

func (f *fakeHandler) Handle(_ context.Context, _ *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
	f.got = append(f.got, in)
	if f.answer == nil {
		return []bot.Outgoing{{Text: "ok"}}, nil
	}
	return f.answer(in), nil
}

var menu = &bot.Keyboard{Rows: [][]bot.Button{
	{{Text: "📅 Ngày giờ bầu cử"}, {Text: "📍 Địa điểm"}},
	{{Text: "📱 Gửi số điện thoại", RequestContact: true}},
}}

var inline = &bot.Keyboard{Inline: true, Rows: [][]bot.Button{
	{{Text: "Khu phố 1", Data: "area:1"}, {Text: "Khu phố 2", Data: "area:2"}},
}}

func TestConsoleTurnsLinesIntoIncoming(t *testing.T) {
	for _, tc := range []struct {
		name     string
		keyboard *bot.Keyboard
		lines    string
		want     bot.Incoming // the last Incoming
		wantOut  string
	}{
		{name: "text", lines: "ngay bau cu\n", want: bot.Incoming{Text: "ngay bau cu"}},
		{name: "number presses reply button", keyboard: menu, lines: "x\n2\n", want: bot.Incoming{Text: "📍 Địa điểm"}},
		{name: "number presses inline button", keyboard: inline, lines: "x\n2\n", want: bot.Incoming{Callback: "area:2"}},
		{name: "number out of range is text", keyboard: menu, lines: "x\n7\n", want: bot.Incoming{Text: "7"}},
		{name: "share-phone button then number", keyboard: menu, lines: "x\n3\n0912 345 678\n",
			want:    bot.Incoming{Contact: &bot.SharedContact{Phone: "0912 345 678", Own: true}},
			wantOut: "HINT console_share_phone"},
		{name: "/contact shares own phone", lines: "/contact +84912345678\n",
			want: bot.Incoming{Contact: &bot.SharedContact{Phone: "+84912345678", Own: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &fakeHandler{answer: func(bot.Incoming) []bot.Outgoing {
				return []bot.Outgoing{{Text: "reply", Keyboard: tc.keyboard}}
			}}
			var out bytes.Buffer
			c := &Console{In: strings.NewReader(tc.lines), Out: &out, Handler: h, UserID: "7", Echo: true,
				Text: func(lang, id string, _ map[string]any) string { return "HINT " + id }}
			if err := c.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if len(h.got) == 0 {
				t.Fatal("handler got nothing")
			}
			last := h.got[len(h.got)-1]
			if last.Channel != "console" || last.UserID != "7" || last.ChatID != "7" {
				t.Errorf("identity = %q/%q/%q", last.Channel, last.UserID, last.ChatID)
			}
			if last.Text != tc.want.Text || last.Callback != tc.want.Callback {
				t.Errorf("got text %q callback %q, want %q %q", last.Text, last.Callback, tc.want.Text, tc.want.Callback)
			}
			if (last.Contact == nil) != (tc.want.Contact == nil) || (last.Contact != nil && *last.Contact != *tc.want.Contact) {
				t.Errorf("contact = %+v, want %+v", last.Contact, tc.want.Contact)
			}
			if tc.wantOut != "" && !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output lacks %q:\n%s", tc.wantOut, out.String())
			}
		})
	}
}

func TestConsolePrintsKeyboardLocationAndEcho(t *testing.T) {
	h := &fakeHandler{answer: func(bot.Incoming) []bot.Outgoing {
		return []bot.Outgoing{
			{Text: "Nơi bỏ phiếu", Location: &bot.Location{Lat: 21.5318, Lon: 107.9677, Title: "Nhà văn hóa khu phố 2"}},
			{Text: "Menu", Keyboard: menu},
		}
	}}
	var out bytes.Buffer
	c := &Console{In: strings.NewReader("bo phieu o dau\n/quit\nnot read\n"), Out: &out, Handler: h, Echo: true}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"> bo phieu o dau", "Nơi bỏ phiếu", "📍 Nhà văn hóa khu phố 2 21.53180, 107.96770", "[1] 📅 Ngày giờ bầu cử   [2] 📍 Địa điểm", "[3] 📱 Gửi số điện thoại"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if len(h.got) != 1 {
		t.Errorf("handler called %d times, want 1 (stops at /quit)", len(h.got))
	}
}

// Without an outbox, a reply for another contact (a conflict notice, a
// grant) is not this terminal's to show: only its own contact's are.
func TestConsoleShowsOnlyItsOwnContactsReplies(t *testing.T) {
	h := &fakeHandler{answer: func(bot.Incoming) []bot.Outgoing {
		return []bot.Outgoing{
			{Channel: "console", ChatID: "1", Text: "Đã nhận biên bản", Keyboard: menu},
			{Channel: "console", ChatID: "2", Text: "Khu phố 1 có số liệu khác", Keyboard: inline},
			{Channel: "telegram", ChatID: "555", Text: "Thông báo cho quản trị"},
		}
	}}
	var out bytes.Buffer
	c := &Console{In: strings.NewReader("KQ KP1\n3\n"), Out: &out, Handler: h, UserID: "1",
		Text: func(lang, id string, _ map[string]any) string { return "[" + id + "]" }}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "Đã nhận biên bản") {
		t.Errorf("own reply missing:\n%s", got)
	}
	for _, other := range []string{"số liệu khác", "quản trị", "console:2", "telegram:555"} {
		if strings.Contains(got, other) {
			t.Errorf("another contact's message shown (%q):\n%s", other, got)
		}
	}
	// The other contact's inline keyboard is not pressable here: "3" presses
	// this contact's own third button.
	if !strings.Contains(got, "[console_share_phone]") || len(h.got) != 1 {
		t.Errorf("3 did not press this contact's share-phone button (handler calls %d):\n%s", len(h.got), got)
	}
}

// With a store, each line is answered in a transaction: a failed answer
// leaves nothing behind, as on the other channels.
func TestConsoleAnswersInATransaction(t *testing.T) {
	s := testdb.SQLite(t)
	h := bot.HandlerFunc(func(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
		if tx == nil {
			return nil, errors.New("no transaction")
		}
		if _, err := tx.EnsureContact(ctx, &models.Contact{Channel: in.Channel, ExternalID: in.UserID}); err != nil {
			return nil, err
		}
		if in.Text == "fail" {
			return nil, models.Errorf(models.EINTERNAL, "boom")
		}
		return []bot.Outgoing{{Text: "ok"}}, nil
	})
	contacts := func() int64 {
		var n int64
		s.DB(context.Background()).Model(&models.Contact{}).Count(&n)
		return n
	}
	var out bytes.Buffer
	c := &Console{In: strings.NewReader("fail\n"), Out: &out, Handler: h, Store: s}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "[internal] ") || contacts() != 0 {
		t.Fatalf("a failed answer: %d contacts, output %q", contacts(), out.String())
	}
	c = &Console{In: strings.NewReader("hi\n"), Out: &out, Handler: h, Store: s}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if contacts() != 1 {
		t.Fatalf("the answer's contact was not stored: %d contacts", contacts())
	}
}
