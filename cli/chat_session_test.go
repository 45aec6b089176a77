package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/demo"
	"electionbot/models"
)

// chatProcess is one `electionbot chat` run through Main as in a
// terminal of its own: lines written to its standard input while it runs,
// its output read as it comes.
type chatProcess struct {
	t    *testing.T
	name string
	in   *io.PipeWriter
	out  *syncBuffer
	errb *syncBuffer
	code chan int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startChat runs `electionbot args…` in the test's working directory.
func startChat(t *testing.T, name string, args ...string) *chatProcess {
	t.Helper()
	r, w := io.Pipe()
	p := &chatProcess{t: t, name: name, in: w, out: &syncBuffer{}, errb: &syncBuffer{}, code: make(chan int, 1)}
	env := map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "unused.db")}
	go func() { p.code <- Main(context.Background(), args, r, p.out, p.errb, env) }()
	t.Cleanup(func() { w.Close() })
	return p
}

// say types a line.
func (p *chatProcess) say(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		p.t.Fatalf("%s: type %q: %v\n%s", p.name, line, err, p.out.String())
	}
}

// waitFor waits until the terminal shows want (the deadline only stops
// a test that hangs).
func (p *chatProcess) waitFor(want string) {
	p.t.Helper()
	if !waitWithin(p.t, 60*time.Second, func() bool { return strings.Contains(p.out.String(), want) }) {
		p.t.Fatalf("%s never showed %q:\n%s\nstderr: %s", p.name, want, p.out.String(), p.errb.String())
	}
}

// end closes the input (Ctrl-D) and returns the exit code.
func (p *chatProcess) end() int {
	p.t.Helper()
	p.in.Close()
	select {
	case code := <-p.code:
		return code
	case <-time.After(60 * time.Second):
		p.t.Fatalf("%s did not exit:\n%s", p.name, p.out.String())
		return -1
	}
}

// The "Done when": two terminals on one demo database, `--as 2` a
// resident and `--as 1 --admin`. The admin's announcement arrives in the
// resident's terminal (and only the resident's own replies print there);
// the resident moves the demo clock past 19:00 the evening before and
// the reminder arrives. Files go to --files, not the working directory.
func TestChatAnnouncementAndReminderReachAnotherTerminal(t *testing.T) {
	t.Chdir(t.TempDir())
	files := filepath.Join(t.TempDir(), "files")

	resident := startChat(t, "resident", "chat", "--demo", "--now", "2022-06-04 18:00", "--as", "2", "--files", files)
	resident.waitFor("🕰 Đồng hồ thử: 18:00, Thứ bảy 04/06/2022")
	resident.waitFor("📁 Biểu đồ và bảng tính được lưu ở: " + files)
	s, err := models.Open(context.Background(), "sqlite://"+demoDatabase)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	contact := func(id string) *models.Contact {
		c, err := s.EnsureContact(context.Background(), &models.Contact{Channel: models.ChannelConsole, ExternalID: id})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	resident.say("/start")
	resident.say("khu pho 1")
	resident.say("/nhacnho bat")
	waitUntil(t, "the resident in Khu phố 1 with reminders on", func() bool {
		c := contact("2")
		return c.AreaID != nil && c.Reminders
	})

	// Without --now, the admin's terminal follows the demo clock the
	// resident's set.
	admin := startChat(t, "admin", "chat", "--demo", "--keep", "--as", "1", "--admin", "--files", files)
	admin.waitFor("🕰 Đồng hồ thử: 18:0")
	admin.say("/thongbao")
	admin.say("1") // 👥 everyone
	admin.say("Tối nay 19:00 họp tổ dân phố tại nhà văn hóa.")
	admin.say("1") // ✅ send
	resident.waitFor("Tối nay 19:00 họp tổ dân phố tại nhà văn hóa.")
	admin.waitFor("✅ Thông báo #1 đã gửi xong")
	admin.say("/xuat")
	admin.waitFor("📎 ket-qua-ka-long-2022-20220604-18")

	resident.say("/gio 19:00")
	resident.waitFor("⏰ Có 1 lời nhắc đến giờ gửi.")
	resident.waitFor("🔔 Nhắc lịch: ngày mai, Chủ nhật 05/06/2022, Khu phố 1 họp bầu Trưởng khu phố từ 07:00 đến 11:00")
	// A day ahead: the morning's reminder fires at 06:30 on the way, not
	// half a day late (missed).
	resident.say("/gio +1d")
	resident.waitFor("📨 Tin nhắn đến lúc 06:30 05/06/2022:\n☀️ Hôm nay Khu phố 1 họp bầu Trưởng khu phố")
	if code := resident.end(); code != 0 {
		t.Fatalf("resident exit %d: %s", code, resident.errb.String())
	}
	if code := admin.end(); code != 0 {
		t.Fatalf("admin exit %d: %s", code, admin.errb.String())
	}

	res, adm := resident.out.String(), admin.out.String()
	// The announcement and the reminder are shown as arrived, after the
	// resident's own answers.
	for _, want := range []string{"📨 Tin nhắn đến lúc 18:0", "📢 Thông báo của Phường Ka Long:", "📨 Tin nhắn đến lúc 19:00 04/06/2022:\n🔔 Nhắc lịch"} {
		if !strings.Contains(res, want) {
			t.Errorf("the resident's terminal lacks %q:\n%s", want, res)
		}
	}
	// Each terminal shows its own contact's messages only.
	for _, other := range []string{"👀 Xem trước", "Đã bắt đầu gửi thông báo", "ket-qua-ka-long", "đã gửi xong"} {
		if strings.Contains(res, other) {
			t.Errorf("the resident's terminal shows the admin's %q:\n%s", other, res)
		}
	}
	if strings.Contains(adm, "Nhắc lịch: ngày mai") || strings.Contains(adm, "Đã bật nhắc lịch") {
		t.Errorf("the admin's terminal shows the resident's messages:\n%s", adm)
	}
	// No log line in the conversation: the log is in the files folder.
	if strings.Contains(res+adm, "level=") || resident.errb.String()+admin.errb.String() != "" {
		t.Errorf("log lines in the chat: stderr %q %q", resident.errb.String(), admin.errb.String())
	}
	if st, err := os.Stat(filepath.Join(files, chatLogFile)); err != nil || st.Size() == 0 {
		t.Errorf("no log in the files folder: %v", err)
	}
	xlsx, _ := filepath.Glob(filepath.Join(files, "*.xlsx"))
	here, _ := filepath.Glob("*.xlsx")
	if len(xlsx) != 1 || len(here) != 0 {
		t.Errorf("exports: %v in --files, %v in the working directory", xlsx, here)
	}
}

// On a real database (DATABASE_URL, no --demo) serve sends the broadcasts
// and reminders: a chat runs no worker there, fires no reminder on its
// --now clock and refuses to move it; its own replies still come through
// the outbox.
func TestChatOnARealDatabaseRunsNoWorkers(t *testing.T) {
	dir := t.TempDir()
	yamlPath := filepath.Join(dir, "election.yaml")
	if err := os.WriteFile(yamlPath, demo.Election(), 0o644); err != nil {
		t.Fatal(err)
	}
	dbURL := "sqlite://" + filepath.Join(dir, "real.db")
	t.Setenv("CLI_TEST_DATABASE_URL", dbURL)
	if code, _, errOut := runCLI(t, "", "load", yamlPath); code != 0 {
		t.Fatalf("load: %s", errOut)
	}
	code, out, errOut := runCLI(t, "khu pho 1\n/nhacnho bat\n/gio +1d\n", "chat", "--now", "2022-06-04 18:00", "--as", "2", "--files", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"🕰 Đồng hồ thử: 18:00, Thứ bảy 04/06/2022.\n", "Đã bật nhắc lịch", "🕰 Chỉ đưa đồng hồ tới trước được trong bản thử"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Gõ /gio") {
		t.Errorf("the welcome offers /gio:\n%s", out)
	}
	s, err := models.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.ElectionByCode(context.Background(), "ka-long-2022")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.ElectionReminders(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Status != models.ReminderScheduled {
			t.Errorf("reminder %s is %s after a chat", r.Key, r.Status)
		}
	}
}
