package results_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/results"
)

// decodePNG checks a chart is a PNG of the fixed size and returns it.
func decodePNG(t *testing.T, name string, b []byte) image.Image {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s: not a PNG", name)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got := img.Bounds().Size(); got != image.Pt(results.ChartWidth, results.ChartHeight) {
		t.Fatalf("%s: size %v, want %dx%d", name, got, results.ChartWidth, results.ChartHeight)
	}
	writeArtifact(t, name, b)
	return img
}

// has reports whether img has a pixel of colour c.
func has(img image.Image, c color.RGBA) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				return true
			}
		}
	}
	return false
}

// artifactsDir is where tests keep what a person may want to look at:
// $TEST_ARTIFACTS_DIR, else testdata/out.
func artifactsDir(t testing.TB) string {
	dir := os.Getenv("TEST_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func writeArtifact(t testing.TB, name string, b []byte) {
	if err := os.WriteFile(filepath.Join(artifactsDir(t), name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

var (
	green = color.RGBA{0x1a, 0x7f, 0x37, 0xff} // elected / recognised
	amber = color.RGBA{0x9a, 0x67, 0x00, 0xff} // re-run
)

func TestCharts(t *testing.T) {
	s := testdb.SQLite(t)
	seedKaLong(t, s)
	b := testBundle(t)
	pub, err := results.Load(context.Background(), s, demo.ElectionCode, false, electionDay)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"vi", "en"} {
		png, err := results.ChartVotes(pub.Area("kp1"), b, lang)
		if err != nil {
			t.Fatal(err)
		}
		img := decodePNG(t, "chart-votes-kp1-"+lang+".png", png)
		if !has(img, green) {
			t.Errorf("%s: kp1's winner bar is not green", lang)
		}

		// kp4: a re-run, nobody in green.
		png, err = results.ChartVotes(pub.Area("kp4"), b, lang)
		if err != nil {
			t.Fatal(err)
		}
		if img := decodePNG(t, "chart-votes-kp4-"+lang+".png", png); has(img, green) {
			t.Errorf("%s: kp4 (re-run) has a winner bar", lang)
		}

		// kp2 is provisional: the public chart says there is no result.
		png, err = results.ChartVotes(pub.Area("kp2"), b, lang)
		if err != nil {
			t.Fatal(err)
		}
		decodePNG(t, "chart-votes-kp2-public-"+lang+".png", png)

		png, err = results.ChartProgress(pub, b, lang)
		if err != nil {
			t.Fatal(err)
		}
		img = decodePNG(t, "chart-progress-"+lang+".png", png)
		if !has(img, green) || !has(img, amber) {
			t.Errorf("%s: progress chart lacks the elected or re-run segment", lang)
		}
	}

	// The officials' view of the provisional area draws its numbers.
	adm, err := results.Load(context.Background(), s, demo.ElectionCode, true, electionDay)
	if err != nil {
		t.Fatal(err)
	}
	png, err := results.ChartVotes(adm.Area("kp2"), b, "vi")
	if err != nil {
		t.Fatal(err)
	}
	public, _ := results.ChartVotes(pub.Area("kp2"), b, "vi")
	if bytes.Equal(png, public) {
		t.Error("admin and public charts of a provisional area are the same")
	}
	decodePNG(t, "chart-votes-kp2-admin-vi.png", png)
	png, err = results.ChartProgress(adm, b, "vi")
	if err != nil {
		t.Fatal(err)
	}
	decodePNG(t, "chart-progress-admin-vi.png", png)

	if _, err := results.ChartVotes(nil, b, "vi"); err == nil {
		t.Error("ChartVotes(nil) did not fail")
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}
