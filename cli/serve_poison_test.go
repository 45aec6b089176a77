package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/bot/zalo/zalotest"
	"electionbot/demo"
	"electionbot/models"
)

// TestServePoison is finding 6 of issue 17: a NUL in a display name
// ("first_name":"A\u0000B", Zalo's user_submit_info name) made
// PostgreSQL refuse the update's transaction: 500 on every delivery, and
// the provider delivered it for ever.
func TestServePoison(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{"a NUL in a Telegram name is answered", testNULTelegramName},
		{"a NUL in a Zalo shared name is answered", testNULZaloName},
		{"a panicking update is acknowledged once", testPanicPoison},
		{"an update failing with the database up is acknowledged after 5 tries", testRepeatedPoison},
	})
}

func testNULTelegramName(t *testing.T, s *models.Store) {
	if err := demo.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	fake := telegramtest.New(t)
	h := startServe(t, s, fake, webhookEnv(), nil) // the real conversation
	body := `{"update_id":7001,"message":{"message_id":1,"date":1654387200,` +
		`"chat":{"id":111,"type":"private","first_name":"A\u0000B"},` +
		`"from":{"id":111,"is_bot":false,"first_name":"A\u0000B","last_name":"\u0000\u0007C\ufffe","language_code":"vi\u0000"},"text":"/start\u0000"}}`
	if code := h.post(body, testSecret); code != http.StatusOK {
		t.Fatalf("webhook = %d, want 200", code)
	}
	fake.WaitSent(t, 111, 1)
	c := h.contact(111)
	if c.DisplayName != "AB C" || strings.ContainsRune(c.DisplayName+c.Lang, 0) {
		t.Fatalf("display name %q, lang %q: not cleaned", c.DisplayName, c.Lang)
	}
	if n := h.count("channel_updates"); n != 1 {
		t.Fatalf("%d updates recorded", n)
	}
}

func testNULZaloName(t *testing.T, s *models.Store) {
	if err := demo.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	fake := zalotest.New(t)
	_, ts := startZaloServe(t, s, zaloEnv(fake), nil)
	body := zalotest.SubmitInfoEvent("8842017", "Nguyễn\u0000 An", "0912\u0000345678", time.Now())
	if !strings.Contains(string(body), `\u0000`) {
		t.Fatalf("the event has no NUL: %s", body)
	}
	postZalo(t, ts, body) // fails the test unless 200
	fake.WaitSent(t, "8842017", 1)
	var c models.Contact
	if err := s.DB(context.Background()).Where("external_id = ?", "8842017").Take(&c).Error; err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(c.DisplayName, 0) || c.Phone == nil || *c.Phone != "+84912345678" {
		t.Fatalf("contact %q phone %v: not cleaned", c.DisplayName, c.Phone)
	}
}

// poisoned is a handler that panics on "boom" and fails on "fail".
type poisoned struct{ calls atomic.Int64 }

func (p *poisoned) Handle(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
	p.calls.Add(1)
	switch in.Text {
	case "boom":
		var m map[string]int
		m["x"]++ // a nil map: the kind of bug a fuzzer finds
	case "fail":
		return nil, errors.New("handler: cannot answer this")
	}
	return []bot.Outgoing{{ChatID: in.ChatID, Text: "ok"}}, nil
}

func testPanicPoison(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	p := &poisoned{}
	h := startServe(t, s, fake, webhookEnv(), p)
	for i := 0; i < 3; i++ {
		if code := h.post(textUpdate(7101, 111, "boom"), testSecret); code != http.StatusOK {
			t.Fatalf("delivery %d = %d, want 200", i+1, code)
		}
	}
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want once (then duplicates)", n)
	}
	// The chat goes on.
	if code := h.post(textUpdate(7102, 111, "hi"), testSecret); code != http.StatusOK {
		t.Fatal(code)
	}
	fake.WaitSent(t, 111, 1)
	h.checkMetrics(`electionbot_updates_poison_total{channel="telegram"} 1`)
}

func testRepeatedPoison(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	p := &poisoned{}
	h := startServe(t, s, fake, webhookEnv(), p)
	for i := 1; i <= intake.PoisonAttempts+2; i++ {
		want := http.StatusInternalServerError
		if i >= intake.PoisonAttempts {
			want = http.StatusOK
		}
		if code := h.post(textUpdate(7201, 111, "fail"), testSecret); code != want {
			t.Fatalf("delivery %d = %d, want %d", i, code, want)
		}
	}
	if n := p.calls.Load(); n != intake.PoisonAttempts {
		t.Fatalf("handler ran %d times, want %d", n, intake.PoisonAttempts)
	}
	h.checkMetrics(fmt.Sprintf(`electionbot_updates_failed_total{channel="telegram"} %d`, intake.PoisonAttempts-1),
		`electionbot_updates_poison_total{channel="telegram"} 1`)
}
