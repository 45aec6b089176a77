package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/demo"
	"electionbot/models"
)

// callbackUpdate is a press on an inline button of message messageID.
func callbackUpdate(id int, user int64, messageID int, data string) string {
	return fmt.Sprintf(`{"update_id":%d,"callback_query":{"id":"cb-%d","from":{"id":%d,"is_bot":false,"first_name":"A","language_code":"vi"},`+
		`"chat_instance":"ci","data":%q,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"text":"?"}}}`,
		id, id, user, data, messageID, user)
}

// inlineData finds the callback data of the inline button whose text
// contains label in the messages sent to a chat.
func inlineData(t *testing.T, fake *telegramtest.Server, chat int64, label string) string {
	t.Helper()
	for _, c := range fake.Sent(chat) {
		if c.Get("reply_markup") == "" {
			continue
		}
		var raw struct {
			InlineKeyboard [][]map[string]string `json:"inline_keyboard"`
		}
		if err := json.Unmarshal([]byte(c.Get("reply_markup")), &raw); err != nil {
			continue
		}
		for _, row := range raw.InlineKeyboard {
			for _, b := range row {
				if strings.Contains(b["text"], label) {
					return b["callback_data"]
				}
			}
		}
	}
	t.Fatalf("no button %q sent to %d", label, chat)
	return ""
}

// The whole /thongbao through serve and the fake Bot API: residents choose
// their area and accept reminders, the ward admin writes an announcement to
// two areas, confirms it, and the residents of those areas get it once; the
// admin gets the report.
func TestServeBroadcast(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		// The demo election, a month from now (serve runs on the
		// real clock: reminders are offered before the election).
		day := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
		f, err := models.ParseElectionFile(bytes.Replace(demo.Election(), []byte("date: 2022-06-05"), []byte("date: "+day), 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LoadElection(ctx, f); err != nil {
			t.Fatal(err)
		}
		fake := telegramtest.New(t)
		env := webhookEnv()
		env["ADMIN_TELEGRAM_IDS"] = "111"
		h := startServe(t, s, fake, env, nil)
		upd := 100
		post := func(body string) {
			t.Helper()
			upd++
			if code := h.post(body, testSecret); code != 200 {
				t.Fatalf("webhook: %d", code)
			}
		}
		// waitAdmin waits for a message to the admin containing text.
		waitAdmin := func(what, text string) {
			t.Helper()
			fake.WaitFor(t, what, func([]telegramtest.Call) bool {
				for _, c := range fake.Sent(111) {
					if strings.Contains(c.Get("text"), text) {
						return true
					}
				}
				return false
			})
		}
		residents := map[int64]string{201: "kp1", 202: "kp1", 203: "kp2", 204: "kp3"}
		for user, area := range residents {
			post(textUpdate(upd, user, area))
		}
		for user := range residents {
			fake.WaitSent(t, user, 2) // the area noted, the offer of reminders
		}
		post(callbackUpdate(upd, 201, 1, inlineData(t, fake, 201, "Có, nhắc tôi")))
		waitUntil(t, "201 subscribed", func() bool { return h.contact(201).Reminders })

		post(textUpdate(upd, 111, "/thongbao"))
		fake.WaitSent(t, 111, 1)
		post(callbackUpdate(upd, 111, 2, inlineData(t, fake, 111, "Một số khu phố")))
		fake.WaitSent(t, 111, 2)
		post(textUpdate(upd, 111, "1, 2"))
		fake.WaitSent(t, 111, 3)
		post(textUpdate(upd, 111, "Tối nay 19:00 họp dân tại nhà văn hóa."))
		waitAdmin("the preview", "Người nhận: 3 (Khu phố 1, Khu phố 2)")
		post(callbackUpdate(upd, 111, 4, inlineData(t, fake, 111, "Gửi")))
		waitAdmin("the report", "đã gửi xong — 3 người nhận")
		for user, area := range residents {
			n := 0
			for _, c := range fake.Sent(user) {
				if strings.Contains(c.Get("text"), "họp dân tại nhà văn hóa") {
					n++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[area != "kp3"]; n != want {
				t.Errorf("resident %d (%s) got the announcement %d times, want %d", user, area, n, want)
			}
		}
	})
}

// `electionbot broadcast` queues the announcement and, with TELEGRAM_TOKEN,
// sends it itself: progress on stderr, the report on stdout.
func TestBroadcastCommand(t *testing.T) {
	ctx := context.Background()
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "bc.db")
	s, err := OpenStore(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	e, _ := s.ElectionByCode(ctx, "ka-long-2022")
	areas, _ := s.Areas(ctx, e.ID)
	for i := 0; i < 12; i++ {
		id := strconv.Itoa(3000 + i)
		c, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: id})
		if err != nil {
			t.Fatal(err)
		}
		c.AreaID = &areas[i%3].ID
		if err := s.SaveContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	fake := telegramtest.New(t)
	fake.Block(3001)
	env := map[string]string{
		"DATABASE_URL": dbURL, "TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_ENDPOINT": fake.Endpoint(),
		"LOG_LEVEL": "warn",
	}
	runCmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		code := Main(cctx, args, strings.NewReader(""), &out, &errb, env)
		return code, out.String(), errb.String()
	}
	// Refused without --yes when nobody can confirm, and with bad flags.
	if code, _, stderr := runCmd("broadcast", "--text", "x"); code != 2 || !strings.Contains(stderr, "confirm with --yes") {
		t.Fatalf("without --yes: %d %s", code, stderr)
	}
	if code, _, stderr := runCmd("broadcast", "--text", "x", "--areas", "kp9", "--yes"); code != 2 || !strings.Contains(stderr, `"kp9" is not an area of ka-long-2022 (kp1, kp2, kp3, kp4, kp5, kp6)`) {
		t.Fatalf("bad area: %d %s", code, stderr)
	}
	if code, _, _ := runCmd("broadcast", "--yes"); code != 2 {
		t.Fatalf("no text: %d", code)
	}
	code, stdout, stderr := runCmd("broadcast", "--areas", "kp1,kp2", "--text", "Mai họp tổ dân phố lúc 19:30.", "--yes")
	if code != 0 {
		t.Fatalf("broadcast: %d\n%s\n%s", code, stdout, stderr)
	}
	for _, w := range []string{"to: Khu phố 1, Khu phố 2: 8 recipients", "📢 Thông báo của Phường Ka Long:", "broadcast #", "đã gửi 8/8"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	for _, w := range []string{"8 người nhận", "Đã gửi: 7", "Không liên lạc được (đã chặn Kênh hỏi đáp): 1"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("report lacks %q:\n%s", w, stdout)
		}
	}
	for i := 0; i < 12; i++ {
		chat := int64(3000 + i)
		want := 0
		if i%3 != 2 && chat != 3001 {
			want = 1
		}
		if got := len(fake.Sent(chat)); got != want {
			t.Errorf("chat %d got %d messages, want %d", chat, got, want)
		}
	}
}
