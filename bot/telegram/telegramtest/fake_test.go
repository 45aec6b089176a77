package telegramtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// fakeClock makes s's clock one that stands still but for advance.
func fakeClock(s *Server) (advance func(time.Duration)) {
	var mu sync.Mutex
	now := time.Date(2022, 6, 5, 7, 0, 0, 0, time.UTC)
	s.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	return func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
}

func post(t *testing.T, s *Server, method string, params url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URL+"/bot"+Token+"/"+method, params)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func send(t *testing.T, s *Server, chat string) (int, map[string]any) {
	t.Helper()
	return post(t, s, "sendMessage", url.Values{"chat_id": {chat}, "text": {"hi"}})
}

func TestFloodControl(t *testing.T) {
	s := New(t)
	advance := fakeClock(s)
	s.EnforceLimits(Limits{Global: 5, GlobalBurst: 2, PerChat: 1, PerChatBurst: 1})
	// The global burst: 2 at once to different chats, the third is 429.
	for i, want := range []int{200, 200, 429} {
		if code, body := send(t, s, string(rune('1'+i))); code != want {
			t.Fatalf("send %d: %d %v, want %d", i, code, body, want)
		} else if code == 429 {
			params, _ := body["parameters"].(map[string]any)
			if params["retry_after"] != float64(1) || body["error_code"] != float64(429) {
				t.Fatalf("429 body %v", body)
			}
		}
	}
	advance(450 * time.Millisecond) // two tokens back at 5/s
	// One chat: one message a second.
	if code, _ := send(t, s, "9"); code != 200 {
		t.Fatalf("first to 9: %d", code)
	}
	if code, _ := send(t, s, "9"); code != 429 {
		t.Fatalf("second to 9 at once: %d, want 429", code)
	}
	st := s.Stats()
	if st.Sent != 3 || st.TooMany != 2 || st.TooManyChat != 1 || st.Chats != 3 || st.Duplicates != 0 {
		t.Fatalf("stats %+v", st)
	}
	if passed, tooMany := s.FloodStats(); passed != 3 || tooMany != 2 {
		t.Fatalf("FloodStats = %d, %d; want 3, 2", passed, tooMany)
	}
	if err := s.WaitDelivered(context.Background(), 3); err != nil {
		t.Fatalf("WaitDelivered(3) = %v", err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.WaitDelivered(done, 4); err == nil {
		t.Fatal("WaitDelivered(4) returned nil with 3 delivered")
	}
}

// A group gets 20 messages a minute; the 429 tells when the next may go.
func TestFloodControlGroupRetryAfter(t *testing.T) {
	s := New(t)
	advance := fakeClock(s)
	s.EnforceLimits(Limits{PerChat: 1})
	for i := range 3 {
		if code, _ := send(t, s, "-100"); code != 200 {
			t.Fatalf("group message %d: %d", i+1, code)
		}
	}
	code, body := send(t, s, "-100")
	params, _ := body["parameters"].(map[string]any)
	if code != 429 || params["retry_after"] != float64(3) {
		t.Fatalf("fourth group message: %d %v, want 429 retry_after 3", code, body)
	}
	advance(3 * time.Second)
	if code, _ := send(t, s, "-100"); code != 200 {
		t.Fatalf("after retry_after: %d", code)
	}
}

// The calls serve makes at start are answered, and a message without a
// chat is refused, counted, with CountOnly keeping counters only.
func TestAnswersTheSetup(t *testing.T) {
	s := New(t)
	s.CountOnly()
	for _, m := range []string{"getMe", "setWebhook", "setMyCommands", "deleteWebhook"} {
		params := url.Values{"url": {"https://x/y"}, "secret_token": {"s"}, "commands": {"[]"}}
		if code, body := post(t, s, m, params); code != 200 {
			t.Fatalf("%s: %d %v", m, code, body)
		}
	}
	if code, _ := send(t, s, ""); code != 400 {
		t.Fatalf("no chat: %d", code)
	}
	if code, _ := send(t, s, "7"); code != 200 {
		t.Fatalf("to 7: %d", code)
	}
	if st := s.Stats(); st.BadRequests != 1 || st.Sent != 1 || len(s.Calls()) != 0 {
		t.Fatalf("stats %+v, %d calls kept; want 1 bad request, 1 sent, none kept", st, len(s.Calls()))
	}
}
