package loadtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func send(t *testing.T, f *FakeBot, chat string) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(f.URL+"/bot1:x/sendMessage", url.Values{"chat_id": {chat}, "text": {"hi"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestFakeBotEnforcesLimits(t *testing.T) {
	f := NewFakeBot(Limits{Global: 5, GlobalBurst: 2, PerChat: 1, ChatBurst: 1})
	defer f.Close()
	// The global burst: 2 at once to different chats, the third is 429.
	for i, want := range []int{200, 200, 429} {
		if code, body := send(t, f, string(rune('a'+i))); code != want {
			t.Fatalf("send %d: %d %v, want %d", i, code, body, want)
		} else if code == 429 {
			params, _ := body["parameters"].(map[string]any)
			if params["retry_after"] != float64(1) || body["error_code"] != float64(429) {
				t.Fatalf("429 body %v", body)
			}
		}
	}
	time.Sleep(450 * time.Millisecond) // two tokens back at 5/s
	// One chat: one message a second.
	if code, _ := send(t, f, "z"); code != 200 {
		t.Fatalf("first to z: %d", code)
	}
	if code, _ := send(t, f, "z"); code != 429 {
		t.Fatalf("second to z at once: %d, want 429", code)
	}
	st := f.Stats()
	if st.Sent != 3 || st.TooMany != 2 || st.TooManyChat != 1 || st.Chats != 3 || st.Duplicates != 0 {
		t.Fatalf("stats %+v", st)
	}
	if !f.WaitSent(context.Background(), 3, time.Second) || f.WaitSent(context.Background(), 4, 10*time.Millisecond) {
		t.Fatal("WaitSent")
	}
}

func TestFakeBotAnswersTheSetup(t *testing.T) {
	f := NewFakeBot(Limits{})
	defer f.Close()
	for _, m := range []string{"getMe", "setWebhook", "setMyCommands", "deleteWebhook"} {
		resp, err := http.PostForm(f.URL+"/bot1:x/"+m, url.Values{"url": {"https://x/y"}, "secret_token": {"s"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", m, resp.StatusCode)
		}
	}
	if code, _ := send(t, f, ""); code != 400 {
		t.Fatalf("no chat: %d", code)
	}
}

func TestPercentileAndFormats(t *testing.T) {
	var l Latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(101-i)*time.Millisecond)
	}
	if l.Percentile(0.5) != 50*time.Millisecond || l.Percentile(0.99) != 99*time.Millisecond || l.Percentile(1) != 100*time.Millisecond {
		t.Fatalf("percentiles %v %v %v", l.Percentile(0.5), l.Percentile(0.99), l.Percentile(1))
	}
	if Latencies(nil).Percentile(0.5) != 0 {
		t.Fatal("empty")
	}
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%d) = %q", in, got)
		}
	}
	if got := Ms(1500 * time.Microsecond); got != "1.50 ms" {
		t.Errorf("Ms = %q", got)
	}
	if Median([]float64{3, 1, 2}) != 2 || Best([]float64{3, 1, 2}) != 3 {
		t.Error("median/best")
	}
}

func TestQuestionUpdateIsAnUpdate(t *testing.T) {
	var u struct {
		UpdateID int `json:"update_id"`
		Message  struct {
			Text string             `json:"text"`
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"message"`
	}
	if err := json.Unmarshal(QuestionUpdate(7, 0, 100, 10), &u); err != nil {
		t.Fatal(err)
	}
	if u.UpdateID != 7 || !strings.HasPrefix(u.Message.Text, "/start kp") || u.Message.Chat.ID != 100 {
		t.Fatalf("%+v", u)
	}
	if err := json.Unmarshal(QuestionUpdate(8, 25, 100, 10), &u); err != nil || u.Message.Chat.ID != 105 {
		t.Fatalf("%+v %v", u, err)
	}
}
