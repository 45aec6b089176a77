package cli

// Reliability tests through the real serve wiring (NewServer, the webhook,
// the outbox, the telegramtest fake): odd and malformed updates, duplicate
// deliveries, the database going away mid-run, concurrent questions, and a
// serve process killed with SIGKILL while it is sending. Short by default
// (about 40 s); -reliability.long runs the long variants — 10× the
// updates, the concurrent questions on PostgreSQL too, the kill in the
// middle of a broadcast (~3 min), on PostgreSQL when TEST_DATABASE_URL is
// set and with a Bot API slow enough that sends are in flight at the kill:
//
//	TEST_DATABASE_URL=postgres://… go test -run Reliability -reliability.long -v -timeout 20m ./cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"electionbot/bot"
	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/demo"
	"electionbot/models"
)

var reliabilityLong = flag.Bool("reliability.long", false, "run the long variants of the reliability tests")

// size is short, or long with -reliability.long.
func size(short, long int) int {
	if *reliabilityLong {
		return long
	}
	return short
}

// tryPost posts a body to the webhook with the test secret; a transport
// error (the server closed the connection: a panic) is returned, not fatal.
func (h *harness) tryPost(body []byte) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, h.http.URL+telegram.WebhookPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(telegram.SecretHeader, testSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// sentTo counts the messages delivered to each chat, in one pass.
func sentTo(fake *telegramtest.Server) map[string]int {
	n := map[string]int{}
	for _, c := range fake.Calls() {
		if c.OK && strings.HasPrefix(c.Method, "send") {
			n[c.Get("chat_id")]++
		}
	}
	return n
}

// reliabilityServe is what every reliability test runs: serve on s, in
// webhook mode on a fresh fake Bot API, sending at 1000/s, logging at
// level; h nil: the real conversation handlers. The fake is h.fake.
func reliabilityServe(t *testing.T, s *models.Store, level string, h bot.Handler) *harness {
	t.Helper()
	env := webhookEnv()
	env["BROADCAST_RATE"] = "1000"
	env["LOG_LEVEL"] = level
	return startServe(t, s, telegramtest.New(t), env, h)
}

// withDemo loads the demo election into s.
func withDemo(t *testing.T, s *models.Store) *models.Store {
	t.Helper()
	if err := demo.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReliabilityOddUpdates: 1,000 malformed or odd updates (10,000 with
// -reliability.long) interleaved with valid ones, through the webhook and
// the real conversation handlers: no request fails (no panic, no 5xx), and
// every valid update between them is answered.
func TestReliabilityOddUpdates(t *testing.T) {
	t.Parallel()
	odd := size(1000, 10000)
	eachStore(t, func(t *testing.T, s *models.Store) {
		h := reliabilityServe(t, withDemo(t, s), "warn", nil)
		id := 100
		next := func() int { id++; return id }
		rng := rand.New(rand.NewPCG(2022, 6))
		bodies := oddUpdates(rng, odd, next)
		statuses := map[int]int{}
		var valid []int64
		for i, body := range bodies {
			code, err := h.tryPost(body)
			if err != nil {
				t.Fatalf("odd update %d: %v (a panic closes the connection)\n%.300s", i, err, body)
			}
			statuses[code]++
			if code >= 500 || code == http.StatusUnauthorized {
				t.Fatalf("odd update %d: HTTP %d\n%.300s", i, code, body)
			}
			if i%5 == 4 { // a valid question after every 5 odd updates
				user := int64(10000 + len(valid))
				q := []string{"/start", "ngày bầu cử", "bo phieu o dau", "/help", "when is the election"}[len(valid)%5]
				if code, err := h.tryPost([]byte(textUpdate(next(), user, q))); err != nil || code != http.StatusOK {
					t.Fatalf("valid update after odd %d: %d %v", i, code, err)
				}
				valid = append(valid, user)
			}
		}
		t.Logf("%d odd updates: HTTP statuses %v; %d valid updates between them", len(bodies), statuses, len(valid))
		waitUntil(t, "every valid update answered", func() bool {
			n := sentTo(h.fake)
			for _, u := range valid {
				if n[strconv.FormatInt(u, 10)] == 0 {
					return false
				}
			}
			return true
		})
		if code, body := h.get("/healthz"); code != http.StatusOK {
			t.Fatalf("/healthz after the odd updates: %d %s", code, body)
		}
	})
}

// TestReliabilityDuplicateDeliveries: every update is delivered three
// times — twice at the same moment, once later — and answered once.
func TestReliabilityDuplicateDeliveries(t *testing.T) {
	t.Parallel()
	n := size(60, 600)
	eachStore(t, func(t *testing.T, s *models.Store) {
		e := &echo{}
		h := reliabilityServe(t, s, "warn", e)
		var wg sync.WaitGroup
		var failed atomic.Int64
		sem := make(chan struct{}, 8)
		for i := range n {
			body := []byte(textUpdate(20000+i, int64(20000+i), fmt.Sprintf("câu hỏi %d", i)))
			for range 2 {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer func() { <-sem; wg.Done() }()
					if code, err := h.tryPost(body); err != nil || code != http.StatusOK {
						failed.Add(1)
					}
				}()
			}
		}
		wg.Wait()
		for i := range n { // and once more, later
			if code, err := h.tryPost([]byte(textUpdate(20000+i, int64(20000+i), fmt.Sprintf("câu hỏi %d", i)))); err != nil || code != http.StatusOK {
				failed.Add(1)
			}
		}
		if f := failed.Load(); f > 0 {
			t.Fatalf("%d deliveries not answered 200", f)
		}
		waitUntil(t, "every update answered", func() bool { return len(sentTo(h.fake)) >= n })
		h.waitAllSent()
		for chat, k := range sentTo(h.fake) {
			if k != 1 {
				t.Errorf("chat %s got %d replies, want 1", chat, k)
			}
		}
		if got := len(e.calls()); got != n {
			t.Errorf("handler called %d times for %d updates", got, n)
		}
		if got := h.count("channel_updates"); got != int64(n) {
			t.Errorf("%d updates recorded, want %d", got, n)
		}
	})
}

// TestReliabilityConcurrentQuestions: residents' questions on 16 webhook
// connections at once, through the real conversation handlers: every
// update is accepted (no panic, no 5xx) and answered, on the embedded
// SQLite (one writer: handlers run one at a time) and, with
// TEST_DATABASE_URL, on PostgreSQL, where they run concurrently (this found
// models.Fold sharing one transformer across requests).
func TestReliabilityConcurrentQuestions(t *testing.T) {
	t.Parallel()
	n := size(400, 4000)
	eachStore(t, func(t *testing.T, s *models.Store) {
		h := reliabilityServe(t, withDemo(t, s), "warn", nil)
		questions := []string{"/start kp2", "ngày bầu cử", "bo phieu o dau", "ai ứng cử", "mấy giờ bầu", "/help", "when is the election"}
		users := n / 4
		perUser := make([]atomic.Int64, users)
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= n {
						return
					}
					u := i % users
					code, err := h.tryPost([]byte(textUpdate(50000+i, int64(50000+u), questions[(i/users)%len(questions)])))
					if err != nil || code != http.StatusOK {
						errs <- fmt.Errorf("update %d: HTTP %d, %v", i, code, err)
						return
					}
					perUser[u].Add(1)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if t.Failed() {
			return
		}
		waitUntil(t, "every question answered", func() bool {
			got := sentTo(h.fake)
			for u := range users {
				if int64(got[strconv.Itoa(50000+u)]) < perUser[u].Load() {
					return false
				}
			}
			return true
		})
	})
}
