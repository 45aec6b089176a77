package telegram

import (
	"testing"

	"electionbot/bot"
)

func TestPrivateOnly(t *testing.T) {
	for _, tc := range []struct {
		in   bot.Incoming
		want bool
	}{
		{bot.Incoming{Text: "/ngaybau"}, false},
		{bot.Incoming{Text: "/diadiem kp1"}, false},
		{bot.Incoming{Text: "ở đâu bầu?"}, false},
		{bot.Incoming{Text: "/baocao"}, false}, // the handlers answer off_private_only
		{bot.Incoming{Text: "/tracuu"}, true},
		{bot.Incoming{Text: "/check"}, true},
		{bot.Incoming{Text: "/khupho"}, true},
		{bot.Incoming{Text: "/NhacNho"}, true},
		{bot.Incoming{Text: "nguyen van an 1961"}, true},
		{bot.Incoming{Text: "0912345678"}, true},
		{bot.Incoming{Text: "hộ số 12"}, true},
		{bot.Incoming{Contact: &bot.SharedContact{Phone: "0912345678", Own: true}}, true},
		{bot.Incoming{Location: &bot.Location{Lat: 21.5, Lon: 107.9}}, true},
		{bot.Incoming{PhotoRef: "file-1"}, true},
		{bot.Incoming{Callback: "area:12"}, true},
		{bot.Incoming{Callback: "rem:yes"}, true},
		{bot.Incoming{Callback: "act:date"}, false},
		{bot.Incoming{Callback: "o:accept:3"}, false},
	} {
		if got := privateOnly(&tc.in); got != tc.want {
			t.Errorf("privateOnly(%+v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
