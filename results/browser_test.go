package results_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/results"
)

var docsScreenshot = flag.Bool("docs-screenshot", false, "also write the browser test's screenshot to docs/results-screenshot.png")

// chromium finds a headless-capable Chromium: $CHROMIUM, then the usual
// names. Without one the browser test skips, unless CI is set: then it
// fails (.ci/run installs Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	cands := []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found and CI is set: install it (apt-get install -y chromium)")
	}
	t.Skip("chromium not found (apt-get install -y chromium); set CI=1 to make this a failure")
	return ""
}

// runChromium runs headless Chromium with args and returns its stdout.
func runChromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--lang=vi-VN",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
	}
	return string(out)
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// textOf is the text inside the element with the id in a DOM dump.
func textOf(t *testing.T, dom, id string) string {
	t.Helper()
	i := strings.Index(dom, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no #%s in the DOM", id)
	}
	start := strings.Index(dom[i:], ">")
	rest := dom[i+start+1:]
	end := strings.Index(rest, "</section>")
	if e := strings.Index(rest, "</p>"); e >= 0 && (end < 0 || e < end) {
		end = e
	}
	return strings.Join(strings.Fields(tagRE.ReplaceAllString(rest[:end], " ")), " ")
}

func TestBrowserRendersResultsPage(t *testing.T) {
	bin := chromium(t)
	s := testdb.SQLite(t)
	seedKaLong(t, s)
	_, ts := newServer(t, s, electionDay, results.Options{})
	url := ts.URL + "/results/" + demo.ElectionCode

	dom := runChromium(t, bin, "--dump-dom", url)
	if got := textOf(t, dom, "progress-text"); got != "Đã công nhận 3/6 khu dân cư (50%)" {
		t.Errorf("progress = %q", got)
	}
	for _, want := range []string{`data-recognised="3"`, `data-total="6"`, `aria-valuenow="3"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM lacks %s", want)
		}
	}
	kp1 := areaBlock(t, dom, "kp1")
	if !strings.Contains(kp1, "Trúng cử: Nguyễn Văn An") {
		t.Errorf("kp1 winner not rendered:\n%s", kp1)
	}
	if kp6 := areaBlock(t, dom, "kp6"); !strings.Contains(kp6, "Lý Văn Quang") {
		t.Errorf("kp6 winner not rendered:\n%s", kp6)
	}
	if kp2 := areaBlock(t, dom, "kp2"); strings.Contains(kp2, "199") || !strings.Contains(kp2, "Chưa được công nhận") {
		t.Errorf("kp2 (provisional) in the browser:\n%s", kp2)
	}

	// English.
	dom = runChromium(t, bin, "--dump-dom", url+"?lang=en")
	if got := textOf(t, dom, "progress-text"); got != "3/6 areas recognised (50%)" {
		t.Errorf("en progress = %q", got)
	}

	// A phone-sized screenshot, kept as an artefact.
	shot := filepath.Join(artifactsDir(t), "results-page.png")
	os.Remove(shot)
	runChromium(t, bin, "--screenshot="+shot, "--window-size=412,915", url)
	img := readPNG(t, shot)
	if sz := img.Bounds().Size(); sz.X != 412 || sz.Y != 915 {
		t.Errorf("screenshot %v, want 412x915", sz)
	}
	t.Logf("screenshot: %s", shot)
	// The whole page, and the officials' view, for a person to look at.
	runChromium(t, bin, "--screenshot="+filepath.Join(artifactsDir(t), "results-page-full.png"), "--window-size=412,2600", url)
	admin := results.SignAdminLink(ts.URL, demo.ElectionCode, testKey, electionDay.Add(time.Hour))
	runChromium(t, bin, "--screenshot="+filepath.Join(artifactsDir(t), "results-page-admin.png"), "--window-size=412,2600", admin)
	if *docsScreenshot {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(filepath.Join("..", "docs", "results-screenshot.png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
