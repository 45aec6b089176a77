package handlers

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"electionbot/bot"
	"electionbot/models"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current replies")

// step is one message of a scripted conversation.
type step struct {
	text    string
	contact *bot.SharedContact
	data    string            // an inline button pressed (its callback data)
	before  func(hs *harness) // e.g. move the clock
	note    string            // printed in the transcript instead of the text
}

// transcript runs a script and writes every reply: its text, keyboard
// buttons and map pin.
func transcript(t *testing.T, lang string, script []step) []byte {
	return transcriptOf(newHarness(t), lang, script)
}

// transcriptOf is transcript on a given harness.
func transcriptOf(hs *harness, lang string, script []step) []byte {
	hs.lang = lang
	var b bytes.Buffer
	for _, s := range script {
		if s.before != nil {
			s.before(hs)
		}
		in := bot.Incoming{Text: s.text, Contact: s.contact, Callback: s.data}
		switch {
		case s.note != "":
			fmt.Fprintf(&b, "> [%s]\n", s.note)
		default:
			fmt.Fprintf(&b, "> %s\n", s.text)
		}
		for _, o := range hs.do(in) {
			if o.Text != "" {
				b.WriteString(o.Text + "\n")
			}
			if o.Location != nil {
				fmt.Fprintf(&b, "(location %.4f, %.4f: %s — %s)\n", o.Location.Lat, o.Location.Lon, o.Location.Title, o.Location.Address)
			}
			if o.RemoveKeyboard {
				b.WriteString("  (keyboard removed)\n")
			}
			if o.Keyboard != nil {
				for _, row := range o.Keyboard.Rows {
					var labels []string
					for _, btn := range row {
						l := "[" + btn.Text + "]"
						if btn.RequestContact {
							l = "[" + btn.Text + " (contact)]"
						}
						labels = append(labels, l)
					}
					b.WriteString("  " + strings.Join(labels, " ") + "\n")
				}
			}
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

func afterTheDay(hs *harness) {
	hs.clk.t = at(2022, 6, 6, 10, 0)
	hs.store.tallies = []*models.Tally{{ID: 1, AreaID: 1, Version: 1, Households: 301, Method: models.MethodSecret, Attending: 290, Issued: ptr(290), Returned: ptr(289), Valid: ptr(285), Invalid: ptr(4), Status: models.TallyAccepted,
		Votes: []models.TallyVote{{CandidateID: 11, Votes: 250}, {CandidateID: 12, Votes: 35}}}}
}

func electionMorning(hs *harness) { hs.clk.t = at(2022, 6, 5, 8, 30) }

var goldenScripts = map[string][]step{
	"vi": {
		{text: "/start"},
		{text: "/help"},
		{text: "ngay bau cu"},
		{text: "Khu phố 1"},
		{text: "bỏ phiếu ở đâu"},
		{text: "👤 Người ứng cử"},
		{text: "📜 Quy định bầu cử"},
		{text: "ai được ứng cử trưởng khu phố"},
		{text: "bau cu bang gio tay hay bo phieu kin"},
		{text: "vợ tôi có được bầu không"},
		{text: "🔎 Tra cứu danh sách cử tri"},
		{text: "Nguyễn Văn An sinh năm 1961"},
		{text: "tran thi hoa 1970"},
		{text: "126"},
		{text: "le van tam 1960"},
		{contact: &bot.SharedContact{Phone: "+84 912 345 678", Own: true}, note: "chia sẻ số của mình +84 912 345 678"},
		{contact: &bot.SharedContact{Phone: "0987654321", Own: false}, note: "chuyển tiếp danh bạ người khác 0987654321"},
		{text: "khu phố 12"},
		{text: "kp2"},
		{text: "/nhacnho"},
		{data: "rem:on", note: "bấm 🔔 Bật"},
		{text: "con mèo màu xanh"},
		{text: "ngay bau cu", before: electionMorning},
		{text: "/khupho"},
		{text: "1"},
		{text: "ngay bau cu", before: afterTheDay},
		{text: "cảm ơn"},
		{text: "🌐 English"},
	},
	"en": {
		{text: "/start"},
		{text: "/help"},
		{text: "when is the election"},
		{text: "Khu phố 1"},
		{text: "where do I vote"},
		{text: "👤 Candidates"},
		{text: "📜 Election rules"},
		{text: "who can stand for head"},
		{text: "show of hands or secret ballot?"},
		{text: "can my wife vote?"},
		{text: "🔎 Check the voter list"},
		{text: "my name is Nguyen Van An born in 1961"},
		{text: "tran thi hoa 1970"},
		{text: "126"},
		{text: "le van tam 1960"},
		{contact: &bot.SharedContact{Phone: "0912345678", Own: true}, note: "shares own number 0912345678"},
		{contact: &bot.SharedContact{Phone: "0987654321", Own: false}, note: "forwards someone else's contact 0987654321"},
		{text: "area 12"},
		{text: "kp2"},
		{text: "/remind"},
		{data: "rem:on", note: "taps 🔔 On"},
		{text: "the cat is blue"},
		{text: "when is the election", before: electionMorning},
		{text: "/area"},
		{text: "1"},
		{text: "election date", before: afterTheDay},
		{text: "thanks"},
		{text: "🌐 Tiếng Việt"},
	},
}

// TestGoldenConversation holds every reply text of a scripted conversation
// in Vietnamese and in English. After an intended change of wording:
// go test ./handlers -run Golden -update, then review the diff.
func TestGoldenConversation(t *testing.T) {
	for lang, script := range goldenScripts {
		t.Run(lang, func(t *testing.T) {
			got := transcript(t, lang, script)
			checkGolden(t, filepath.Join("testdata", "conversation_"+lang+".golden"), got)
		})
	}
}

// checkGolden compares got with the golden file at path, or with -update
// rewrites it.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./handlers -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("replies differ from %s (go test ./handlers -update to accept):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line with a little context.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want: %q\n  got:  %q", i+1, w, g)
		}
	}
	return "(no line differs; lengths differ)"
}
