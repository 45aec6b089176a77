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
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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
func reliabilityServe(t *testing.T, s *models.Store, level string, h telegram.Handler) *harness {
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

// oddUpdates are malformed or unusual updates, each with its own
// update_id from next, for chats and users from 700000 up (so they never
// answer the valid updates' chats).
func oddUpdates(rng *rand.Rand, n int, next func() int) [][]byte {
	long := func(unit string, chars int) string { return strings.Repeat(unit, chars) }
	texts := []string{
		long("a", 4096), long("ệ", 4096), long("🗳", 4096), long("a", 4097), "/start " + long("x", 4090),
		"👍", "🗳️🇻🇳", "👨‍👩‍👧‍👦", "👋🏽👋🏿", "ngày\u200bbầu\u200c\u200dcử\ufeff", "\u2060\u200b", "\u202eủa ủb\u202c",
		"مرحبا متى الانتخابات", "שלום", "\u200fبỏ phiếu ở đâu", "'; DROP TABLE voters; --", "1' OR '1'='1",
		"Robert'); DROP TABLE contacts;--", "%' AND 1=1 --", "$$; SELECT pg_sleep(10); $$", `\x00\n\r\t`,
		"\x00", "nguyen van an 99999", "nguyen van an -1961", "-99999999999999999999 1961", "/khupho -1",
		"/khupho 99999999999999999999", "/start kp99999999999999999999", "KQ KP1 TD -5 PR 1e9 TV 290 HL 9999999999999999999",
		"kết quả khu phố 1: tham dự 290, phát ra -290", "/lang " + long("e", 300), "/ngaybau@electionbot_test", "@electionbot_test",
		"<b>in đậm</b> <script>alert(1)</script>", "&amp; &lt; &#0;", "{{.Name}} %s %d %!", "\\u0000",
	}
	raw := func(f string, args ...any) []byte { return fmt.Appendf(nil, f, args...) }
	user := func() int64 { return 700000 + int64(rng.IntN(5000)) }
	msg := func(id int, u int64, text string) []byte {
		return []byte(textUpdate(id, u, text))
	}
	gens := []func() []byte{
		// Valid updates with odd text.
		func() []byte { id := next(); return msg(id, user(), texts[rng.IntN(len(texts))]) },
		// Unknown or ignored update types.
		func() []byte {
			return raw(`{"update_id":%d,"poll":{"id":"p","question":"?","options":[],"is_closed":false}}`, next())
		},
		func() []byte {
			return raw(`{"update_id":%d,"message_reaction":{"chat":{"id":%d,"type":"private"},"message_id":1,"date":1,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}}`, next(), user())
		},
		func() []byte {
			return raw(`{"update_id":%d,"chat_join_request":{"chat":{"id":-100,"type":"supergroup"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"date":1}}`, next(), user())
		},
		func() []byte { return raw(`{"update_id":%d}`, next()) },
		func() []byte { return raw(`{"update_id":%d,"something_new":{"a":[1,2,{"b":null}]}}`, next()) },
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"edited_message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"text":"sửa"}}`, next(), u, u)
		},
		func() []byte {
			return raw(`{"update_id":%d,"channel_post":{"message_id":1,"date":1,"chat":{"id":-1001,"type":"channel"},"text":"kênh"}}`, next())
		},
		func() []byte {
			return raw(`{"update_id":%d,"inline_query":{"id":"q","from":{"id":%d,"is_bot":false,"first_name":"A"},"query":"x","offset":""}}`, next(), user())
		},
		// Messages missing parts, or from bots, channels, groups.
		func() []byte { return raw(`{"update_id":%d,"message":{"text":"hi"}}`, next()) },
		func() []byte {
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"text":"không có from"}}`, next(), user())
		},
		func() []byte {
			return raw(`{"update_id":%d,"message":{"message_id":1,"from":{"id":%d,"is_bot":false,"first_name":"A"},"text":"không có chat"}}`, next(), user())
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":true,"first_name":"Bot"},"text":"/start"}}`, next(), u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":-5,"date":-1,"chat":{"id":-%d,"type":"group","title":"G"},"from":{"id":%d,"is_bot":false,"first_name":""},"text":"/start@electionbot_test kp1"}}`, next(), u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"text":null,"photo":[],"entities":[{"type":"bold","offset":9999,"length":-3}]}}`, next(), u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"contact":{"phone_number":"+84 9'; DROP","first_name":"X","user_id":%d}}}`, next(), u, u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"location":{"latitude":999,"longitude":-999}}}`, next(), u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"photo":[{"file_id":"","file_unique_id":"","width":-1,"height":0}],"caption":"%s"}}`, next(), u, u, long("ả", 1100))
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"callback_query":{"id":"","from":{"id":%d,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"%s"}}`, next(), u, long("z", 200))
		},
		func() []byte { return raw(`{"update_id":%d,"callback_query":{"id":"cb"}}`, next()) },
		func() []byte {
			return raw(`{"update_id":%d,"my_chat_member":{"chat":{"id":%d,"type":"private"},"from":{"id":1,"is_bot":false,"first_name":"A"},"date":1,"old_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"B"},"status":"member"},"new_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"B"},"status":"weird"}}}`, next(), user())
		},
		// Numbers out of range, wrong types: refused with 400.
		func() []byte { return raw(`{"update_id":-%d,"message":{"text":"x"}}`, next()) },
		func() []byte { next(); return raw(`{"update_id":0}`) },
		func() []byte { next(); return raw(`{"update_id":1e400}`) },
		func() []byte { next(); return raw(`{"update_id":9223372036854775808}`) },
		func() []byte {
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":99999999999999999999,"type":"private"},"from":{"id":1,"is_bot":false,"first_name":"A"},"text":"x"}}`, next())
		},
		func() []byte { return raw(`{"update_id":%d,"message":{"message_id":"one","text":5}}`, next()) },
		func() []byte { return raw(`{"update_id":"%d"}`, next()) },
		// Not JSON objects, broken JSON, invalid UTF-8 and escapes.
		func() []byte { next(); return []byte(`[]`) },
		func() []byte { next(); return []byte(`null`) },
		func() []byte { next(); return []byte(`{"update_id":`) },
		func() []byte { next(); return []byte(strings.Repeat("[", 5000)) },
		func() []byte {
			u := user()
			return append(raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"\xff\xfe"},"text":"ng\xe0y b\xc3`, next(), u, u), []byte(`\xff"}}`)...)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"text":"\ud800 \udfff \u0000 x"}}`, next(), u, u)
		},
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = gens[rng.IntN(len(gens))]()
	}
	return out
}

// TestReliabilityOddUpdates: 1,000 malformed or odd updates (10,000 with
// -reliability.long) interleaved with valid ones, through the webhook and
// the real conversation handlers: no request fails (no panic, no 5xx), and
// every valid update between them is answered.
func TestReliabilityOddUpdates(t *testing.T) {
	t.Parallel()
	odd := size(1000, 10000)
	for _, dialect := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			h := reliabilityServe(t, withDemo(t, freshStore(t, dialect)), "warn", nil)
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
}

// TestReliabilityDuplicateDeliveries: every update is delivered three
// times — twice at the same moment, once later — and answered once.
func TestReliabilityDuplicateDeliveries(t *testing.T) {
	t.Parallel()
	n := size(60, 600)
	for _, dialect := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := &echo{}
			h := reliabilityServe(t, freshStore(t, dialect), "warn", e)
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
	for _, dialect := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			h := reliabilityServe(t, withDemo(t, freshStore(t, dialect)), "warn", nil)
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
}

// outage makes the database unavailable to the server and back.
type outage struct {
	name       string
	store      *models.Store
	stop, back func(t *testing.T)
}

// sqliteOutage makes the embedded database refuse every write (PRAGMA
// query_only on its one connection): the webhook's transaction fails as
// it would with the database gone.
func sqliteOutage(t *testing.T) outage {
	s := freshStore(t, "sqlite")
	set := func(v int) func(t *testing.T) {
		return func(t *testing.T) {
			if err := s.DB(context.Background()).Exec(fmt.Sprintf("PRAGMA query_only = %d", v)).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	return outage{name: "sqlite", store: s, stop: set(1), back: set(0)}
}

// postgresOutage gives the test a database of its own on the server of
// TEST_DATABASE_URL, and stops it the way a crash or a restart does: new
// connections are refused (ALLOW_CONNECTIONS false, which holds for
// superusers too) and every open one is terminated. The shared server
// itself is never stopped.
func postgresOutage(t *testing.T) (outage, bool) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return outage{}, false
	}
	ctx := context.Background()
	admin, err := models.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("reliability_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if err := admin.DB(ctx).Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.DB(context.Background()).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
	u, _ := url.Parse(base)
	u.Path = "/" + name
	s, err := OpenStore(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	exec := func(sql string) {
		if err := admin.DB(ctx).Exec(sql).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return outage{name: "postgres", store: s,
		stop: func(t *testing.T) {
			exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false")
			exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "' AND pid <> pg_backend_pid()")
		},
		back: func(t *testing.T) { exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true") },
	}, true
}

// TestReliabilityDatabaseOutage: updates keep coming while the database
// goes away for a while: the webhook answers 500 (Telegram delivers again),
// and once the database is back every update is processed and answered
// exactly once.
//
// The database goes away once every reply so far is sent, the connections
// held between two updates. A message being sent at that moment would be
// claimed, sent, and its sent mark lost: sent again once its claim expires
// (SendTimeout, 30 s) — the one duplicate the outbox allows, as at a crash
// (TestReliabilityKillMidDelivery). Which messages that hit depended on the
// machine's pace, and the duplicates showed when a loaded machine made the
// test outlive the claim. With nothing unsent, no message is in flight, and
// none is queued while the database is away (every update is refused).
func TestReliabilityDatabaseOutage(t *testing.T) {
	t.Parallel()
	outages := []func(t *testing.T) (outage, bool){
		func(t *testing.T) (outage, bool) { return sqliteOutage(t), true },
		postgresOutage,
	}
	n := size(200, 2000)
	const conns, refusals = 4, 3
	for i, mk := range outages {
		t.Run([]string{"sqlite", "postgres"}[i], func(t *testing.T) {
			t.Parallel()
			o, ok := mk(t)
			if !ok {
				t.Skip("TEST_DATABASE_URL is not set")
			}
			h := reliabilityServe(t, o.store, "error", &echo{})

			var ok200, got500, waiting atomic.Int64
			var next atomic.Int64
			var between sync.RWMutex    // read-held while an update is delivered
			back := make(chan struct{}) // closed when the database is back
			// deliver delivers update i until it is answered 200, as
			// Telegram does: while the database is away, refusals times
			// in a row, then once it is back.
			deliver := func(i int) bool {
				body := []byte(textUpdate(30000+i, int64(30000+i), "hỏi "+strconv.Itoa(i)))
				refused, afterBack := 0, 0
				for {
					code, err := h.tryPost(body)
					if err == nil && code == http.StatusOK {
						ok200.Add(1)
						return true
					}
					if code != http.StatusInternalServerError {
						t.Errorf("update %d: HTTP %d, %v (want 200 or 500)", i, code, err)
						return false
					}
					got500.Add(1)
					select {
					case <-back:
						if afterBack++; afterBack > 600 {
							t.Errorf("update %d: still failing after %d deliveries since the database is back", i, afterBack)
							return false
						}
					default:
						if refused++; refused == refusals {
							waiting.Add(1)
							<-back
						}
					}
				}
			}
			var wg sync.WaitGroup
			for range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer waiting.Add(1) // out of updates: not delivering either
					for {
						i := int(next.Add(1) - 1)
						if i >= n {
							return
						}
						between.RLock()
						ok := deliver(i)
						between.RUnlock()
						if !ok {
							return
						}
					}
				}()
			}
			waitUntil(t, "a third of the updates in", func() bool { return ok200.Load() >= int64(n/3) })
			between.Lock()
			h.waitAllSent()
			o.stop(t)
			between.Unlock()
			waitUntil(t, "500s while the database is away", func() bool { return got500.Load() >= 5 })
			waitUntil(t, "every connection refused while the database is away", func() bool { return waiting.Load() >= conns })
			if code, _ := h.get("/healthz"); code != http.StatusServiceUnavailable && o.name == "postgres" {
				t.Errorf("/healthz while the database is away: %d, want 503", code)
			}
			o.back(t)
			close(back)
			wg.Wait()
			if t.Failed() {
				return
			}
			t.Logf("%d updates accepted; %d answers 500 while the database was away", ok200.Load(), got500.Load())
			waitUntil(t, "every update answered", func() bool { return len(sentTo(h.fake)) >= n })
			h.waitAllSent()
			for chat, k := range sentTo(h.fake) {
				if k != 1 {
					t.Errorf("chat %s got %d replies, want 1", chat, k)
				}
			}
		})
	}
}

// buildElectionbot builds the binary once per test run.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func buildElectionbot(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "electionbot-reliability-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "electionbot")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, "electionbot").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// slowProxy forwards to the fake Bot API, holding each sendMessage for
// delay before forwarding it: sends are in flight when the process dies.
func slowProxy(t *testing.T, fake *telegramtest.Server, delay time.Duration) string {
	target, _ := url.Parse(fake.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/sendMessage") {
			time.Sleep(delay)
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/bot%s/%s"
}

type serveProcess struct {
	cmd  *exec.Cmd
	url  string
	log  *bytes.Buffer
	done chan error
}

// startServeProcess runs `bin serve` and waits until it answers /healthz
// and has set its webhook at the fake.
func startServeProcess(t *testing.T, bin string, fake *telegramtest.Server, env map[string]string) *serveProcess {
	t.Helper()
	hooks := len(fake.Calls("setWebhook"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LISTEN_ADDR=" + addr, "LOG_LEVEL=info"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &serveProcess{cmd: cmd, url: "http://" + addr, log: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("serve log:\n%s", p.log.String())
		}
	})
	waitUntil(t, "serve answering /healthz", func() bool {
		resp, err := http.Get(p.url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK && len(fake.Calls("setWebhook")) > hooks
	})
	return p
}

// TestReliabilityKillMidDelivery: a serve process is killed with SIGKILL
// in the middle of sending, then started again on the same database: every
// message arrives, and only those in flight at the kill (claimed: status
// sending) may arrive twice. "replies": a burst of replies queued in the
// outbox by the webhook (~25 s: a claim of the dead process expires after
// the outbox's SendTimeout, River's leadership after its TTL);
// "broadcast" (with -reliability.long): an announcement to every resident,
// queued as `electionbot broadcast` does and sent by the broadcast engine.
// A broadcast_send job running at the kill stays "running" in River (its
// rescuer waits an hour), so its rows wait for the outbox's sweep: about
// 2½ minutes — too long for every `go test` until that is shortened.
func TestReliabilityKillMidDelivery(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	modes := []string{"replies"}
	if *reliabilityLong {
		modes = append(modes, "broadcast")
	}
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			testKillMidDelivery(t, mode)
		})
	}
}

func testKillMidDelivery(t *testing.T, mode string) {
	n, delay, dialect := 90, time.Duration(0), "sqlite"
	if *reliabilityLong {
		n, delay = 600, 150*time.Millisecond
		if os.Getenv("TEST_DATABASE_URL") != "" {
			dialect = "postgres"
		}
	}
	bin := buildElectionbot(t)
	ctx := context.Background()
	var dbURL string
	var s *models.Store
	if dialect == "postgres" {
		o, _ := postgresOutage(t)
		s = o.store
		dbURL = postgresURLOf(t, s)
	} else {
		dbURL = "sqlite://" + filepath.Join(t.TempDir(), "kill.db")
		var err error
		if s, err = OpenStore(ctx, dbURL); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
	}
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	fake := telegramtest.New(t)
	endpoint := fake.Endpoint()
	if delay > 0 {
		endpoint = slowProxy(t, fake, delay)
	}
	env := map[string]string{
		"DATABASE_URL":            dbURL,
		"TELEGRAM_TOKEN":          telegramtest.Token,
		"TELEGRAM_API_ENDPOINT":   endpoint,
		"TELEGRAM_WEBHOOK_URL":    "https://bot.example.org/telegram/webhook",
		"TELEGRAM_WEBHOOK_SECRET": testSecret,
		"BROADCAST_RATE":          "20",
	}
	users := make([]int64, n)
	for i := range users {
		users[i] = int64(40000 + i)
	}
	var bc *models.Broadcast
	if mode == "broadcast" {
		e, err := s.CurrentElection(ctx)
		if err != nil {
			t.Fatal(err)
		}
		areas, err := s.Areas(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var cs []*models.Contact
		for i, u := range users {
			id := strconv.FormatInt(u, 10)
			cs = append(cs, &models.Contact{Channel: models.ChannelTelegram, ExternalID: id, ChatID: id, Lang: "vi",
				AreaID: &areas[i%len(areas)].ID, Reachable: true})
		}
		if err := s.DB(ctx).CreateInBatches(cs, 200).Error; err != nil {
			t.Fatal(err)
		}
		admin, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "admin", Lang: "vi"})
		if err != nil {
			t.Fatal(err)
		}
		bc = &models.Broadcast{ElectionID: e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
			Body: "Nhắc lịch: Chủ nhật 05/06/2022 bầu Trưởng khu phố, 07:00–11:00.", Status: models.BroadcastQueued,
			Source: "cli", CreatedBy: &admin.ID}
		if err := s.CreateBroadcast(ctx, bc); err != nil {
			t.Fatal(err)
		}
	}
	p := startServeProcess(t, bin, fake, env)
	if mode == "replies" {
		for _, u := range users {
			req, _ := http.NewRequest(http.MethodPost, p.url+telegram.WebhookPath, strings.NewReader(textUpdate(int(u), u, "/start")))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(telegram.SecretHeader, testSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("webhook: %d", resp.StatusCode)
			}
		}
	}
	// Kill it a third of the way through the sending.
	waitUntil(t, "a third of the messages sent", func() bool { return len(sentTo(fake)) >= n/3 })
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.done <- errors.New("killed") // for the cleanup
	var inFlight, pending int64
	s.DB(ctx).Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxSending).Count(&inFlight)
	s.DB(ctx).Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxPending).Count(&pending)
	var jobs []struct {
		Kind, State string
		N           int
	}
	s.DB(ctx).Raw("SELECT kind, state, count(*) AS n FROM river_job GROUP BY kind, state ORDER BY kind, state").Scan(&jobs)
	before := len(sentTo(fake))
	t.Logf("killed with %d of %d delivered; outbox: %d in flight (claimed), %d pending; River jobs %+v", before, n, inFlight, pending, jobs)
	if before >= n {
		t.Fatal("everything was sent before the kill: the test did not test anything")
	}

	restarted := time.Now()
	startServeProcess(t, bin, fake, env)
	// A claim of the killed process expires after the outbox's SendTimeout (30 s).
	missing := 0
	ok := waitWithin(t, 300*time.Second, func() bool {
		got := sentTo(fake)
		missing = 0
		for _, u := range users {
			if got[strconv.FormatInt(u, 10)] == 0 {
				missing++
			}
		}
		return missing == 0
	})
	if !ok {
		t.Fatalf("%d of %d residents never got the message after the restart", missing, n)
	}
	all := time.Since(restarted)
	// Late duplicates: a message still claimed or queued may go again.
	waitUntil(t, "every message sent", func() bool { return unsent(t, s) == 0 })
	dups := 0
	for _, k := range sentTo(fake) {
		dups += k - 1
	}
	if int64(dups) > inFlight {
		t.Fatalf("%d messages arrived twice, more than the %d in flight at the kill", dups, inFlight)
	}
	if bc != nil {
		waitUntil(t, "the broadcast done", func() bool {
			cur, err := s.Broadcast(ctx, bc.ID)
			return err == nil && cur.Status == models.BroadcastDone
		})
	}
	t.Logf("%s after the restart: all %d delivered, %d twice (bound: %d in flight)",
		all.Round(100*time.Millisecond), n, dups, inFlight)
}

// postgresURLOf is the URL of the database a store is connected to.
func postgresURLOf(t *testing.T, s *models.Store) string {
	var name string
	if err := s.DB(context.Background()).Raw("SELECT current_database()").Scan(&name).Error; err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	u.Path = "/" + name
	return u.String()
}
