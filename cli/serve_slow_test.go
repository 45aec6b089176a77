package cli

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/bot/zalo"
	"electionbot/bot/zalo/zalotest"
	"electionbot/models"
)

// TestServeSlowClients is finding 1 of issue 17: clients sending their
// bodies a byte at a time held connections (and file descriptors) for as
// long as they liked: /zalo/webhook read the whole body before checking
// the mac, and a 401 on /telegram/webhook waited for Go to drain the
// unread body. Now the webhooks read at most WEBHOOK_MAX_BODIES bodies at
// once, each within WEBHOOK_BODY_TIMEOUT, a refusal closes the connection
// at once, and webhooks and /healthz are served meanwhile.
func TestServeSlowClients(t *testing.T) {
	t.Parallel()
	eachStore(t, testSlowClients)
}

func testSlowClients(t *testing.T, s *models.Store) {
	const bodyTimeout = 400 * time.Millisecond
	fake := telegramtest.New(t)
	zfake := zalotest.New(t)
	env := webhookEnv()
	for k, v := range zaloEnv(zfake) {
		env[k] = v
	}
	env["WEBHOOK_MAX_BODIES"] = "4"
	env["WEBHOOK_BODY_TIMEOUT"] = bodyTimeout.String()
	h := startServe(t, s, fake, env, &echo{})
	// The real http.Server of serve (its timeouts), not httptest's.
	srv := h.sv.HTTPServer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().String()

	// 40 slow clients on each webhook: headers, then 10 bytes of a body
	// of 1000, then nothing.
	slow := func(path string, header string) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n%s\r\n{\"event_n", path, header)
		return c
	}
	var conns []net.Conn
	for i := 0; i < 40; i++ {
		conns = append(conns, slow(zalo.WebhookPath, "X-ZEvent-Signature: mac=00\r\n"))
		conns = append(conns, slow(telegram.WebhookPath, ""))
	}
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})

	// Meanwhile /healthz and a Telegram update with its secret are served.
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("/healthz with slow clients: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+telegram.WebhookPath, strings.NewReader(textUpdate(8001, 111, "hi")))
	req.Header.Set(telegram.SecretHeader, testSecret)
	if resp, err = client.Do(req); err != nil {
		t.Fatalf("Telegram update with slow clients: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Telegram update = %d, want 200", resp.StatusCode)
	}
	fake.WaitSent(t, 111, 1)

	// Every slow client is answered and its connection closed by the
	// server within the body timeout (10 s only stops a hung test).
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[string]map[int]int{}
	for i, c := range conns {
		path := telegram.WebhookPath
		if i%2 == 0 {
			path = zalo.WebhookPath
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			r := bufio.NewReader(c)
			status := 0
			if resp, err := http.ReadResponse(r, nil); err == nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				t.Errorf("%s: the server kept the connection of a slow client open: %v", path, err)
			}
			mu.Lock()
			if statuses[path] == nil {
				statuses[path] = map[int]int{}
			}
			statuses[path][status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("slow clients answered: %v", statuses)
	if n := statuses[telegram.WebhookPath][http.StatusUnauthorized]; n != 40 {
		t.Errorf("Telegram: %d of 40 slow clients without the secret got 401: %v", n, statuses[telegram.WebhookPath])
	}
	z := statuses[zalo.WebhookPath]
	if z[http.StatusRequestTimeout]+z[http.StatusServiceUnavailable] != 40 || z[http.StatusRequestTimeout] > 4 {
		t.Errorf("Zalo: slow clients got %v, want 408 for at most 4 (the slots), 503 for the others", z)
	}
	// The slots are free again: a Zalo event is taken.
	ev := zalotest.TextEvent("8842017", "m-slow", "hi", time.Now())
	if code := zalotest.Post(t, "http://"+addr+zalo.WebhookPath, ev, zalotest.SignBody(ev)); code != http.StatusOK {
		t.Fatalf("Zalo event after the slow clients: %d, want 200", code)
	}
}
