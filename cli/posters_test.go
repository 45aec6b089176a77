package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"image"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// A xã with two thôn and a phường with a khu phố, each ward with an area "1".
const postersElection = `election: {code: mong-cai-2022, title: "Bầu cử Trưởng thôn, khu phố nhiệm kỳ 2022–2025",
           date: 2022-06-05, opens: "07:00", closes: "11:00",
           timezone: Asia/Ho_Chi_Minh, rules: luat-10-2022, method: secret}
province: "Quảng Ninh"
wards:
  - code: hai-tien
    name: "Xã Hải Tiến"
    city: "TP Móng Cái"
    areas:
      - {code: "1", name: "Thôn 1", households: 204, polling_place: {name: "Nhà văn hóa thôn 1", address: "Thôn 1, xã Hải Tiến"}, candidates: ["Nguyễn Văn An"]}
      - {code: "2", name: "Thôn 2", households: 150, polling_place: {name: "Nhà văn hóa thôn 2"}, candidates: ["Trần Thị Bình"]}
  - code: ka-long
    name: "Phường Ka Long"
    city: "TP Móng Cái"
    areas:
      - {code: "1", name: "Khu phố 1", households: 312, polling_place: {name: "Nhà văn hóa khu phố 1"}, candidates: ["Lê Văn Cường"]}
`

// postersDB is a DATABASE_URL per dialect under test with the election
// loaded, and the store on it.
func postersDB(t *testing.T, dialect string) (string, *models.Store) {
	t.Helper()
	ctx := context.Background()
	var dbURL string
	if dialect == "postgres" {
		s := testdb.Postgres(t) // a schema of its own, dropped at the end
		var schema string
		if err := s.DB(ctx).Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(os.Getenv("TEST_DATABASE_URL"))
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dbURL = u.String()
	} else {
		dbURL = "sqlite://" + filepath.Join(t.TempDir(), "posters.db")
	}
	file := filepath.Join(t.TempDir(), "mong-cai.yaml")
	if err := os.WriteFile(file, []byte(postersElection), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runPosters(t, map[string]string{"DATABASE_URL": dbURL}, "load", file); code != 0 {
		t.Fatalf("load: exit %d: %s", code, errOut)
	}
	s, err := OpenStore(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return dbURL, s
}

func runPosters(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb, env)
	return code, out.String(), errb.String()
}

func readLinks(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"ward_code", "area_code", "telegram_url", "zalo_url"}) {
		t.Fatalf("links.csv header %v", rows)
	}
	return rows[1:]
}

// readPoster decodes a poster, checks it is an A4 page at 150 dpi and
// returns what its QR code says.
func readPoster(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if img.Bounds() != image.Rect(0, 0, 1240, 1754) {
		t.Fatalf("%s: %v, want 1240×1754", path, img.Bounds())
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("%s: QR code: %v", path, err)
	}
	return res.GetText()
}

func TestPostersOnePagePerAreaAndLinks(t *testing.T) {
	for _, dialect := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			dbURL, s := postersDB(t, dialect)
			ctx := context.Background()
			env := map[string]string{"DATABASE_URL": dbURL, "TELEGRAM_BOT_USERNAME": "@mongcai_baucu_bot", "ZALO_OA_ID": "1234567890"}

			dir := filepath.Join(t.TempDir(), "posters")
			code, out, errOut := runPosters(t, env, "posters", "--election", "mong-cai-2022", "--out", dir)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, "3 posters of mong-cai-2022 (2 wards)") {
				t.Errorf("summary %q", out)
			}
			rows := readLinks(t, filepath.Join(dir, "links.csv"))
			var got []string
			for _, r := range rows {
				got = append(got, r[0]+"/"+r[1])
				// The link opens the bot with this very area chosen.
				id, ok := models.ParseAreaPayload(strings.TrimPrefix(r[2], "https://t.me/mongcai_baucu_bot?start="))
				if !ok {
					t.Fatalf("telegram_url %q", r[2])
				}
				a, err := s.Area(ctx, id)
				if err != nil || a.Ward.Code != r[0] || a.Code != r[1] {
					t.Errorf("%s leads to area %+v (%v), want %s/%s", r[2], a, err, r[0], r[1])
				}
				if r[3] != "https://zalo.me/1234567890" {
					t.Errorf("zalo_url %q", r[3])
				}
				if qr := readPoster(t, filepath.Join(dir, r[0], r[1]+".png")); qr != r[2] {
					t.Errorf("%s/%s.png: QR code %q, want %q", r[0], r[1], qr, r[2])
				}
			}
			if want := []string{"hai-tien/1", "hai-tien/2", "ka-long/1"}; !slices.Equal(got, want) {
				t.Fatalf("links.csv areas %v, want %v", got, want)
			}
			pngs, _ := filepath.Glob(filepath.Join(dir, "*", "*.png"))
			if len(pngs) != 3 {
				t.Fatalf("posters %v, want 3", pngs)
			}

			// One ward; no Zalo OA: zalo_url is empty.
			delete(env, "ZALO_OA_ID")
			one := filepath.Join(t.TempDir(), "ka-long")
			if code, _, errOut := runPosters(t, env, "posters", "--election", "mong-cai-2022", "--out", one, "--ward", "ka-long"); code != 0 {
				t.Fatalf("--ward: exit %d: %s", code, errOut)
			}
			rows = readLinks(t, filepath.Join(one, "links.csv"))
			if len(rows) != 1 || rows[0][0] != "ka-long" || rows[0][1] != "1" || rows[0][3] != "" {
				t.Fatalf("--ward ka-long: links %v", rows)
			}
			if pngs, _ := filepath.Glob(filepath.Join(one, "*", "*.png")); len(pngs) != 1 {
				t.Fatalf("--ward ka-long: posters %v", pngs)
			}

			// An unknown ward or election: an error, and nothing written.
			for _, args := range [][]string{
				{"--election", "mong-cai-2022", "--ward", "hai-hoa"},
				{"--election", "mong-cai-2021"},
			} {
				none := filepath.Join(t.TempDir(), "none")
				code, _, errOut := runPosters(t, env, append([]string{"posters", "--out", none}, args...)...)
				if code != 1 || !strings.Contains(errOut, "not found") {
					t.Errorf("%v: exit %d, stderr %q; want 1 and not found", args, code, errOut)
				}
				if _, err := os.Stat(none); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%v: %s was created", args, none)
				}
			}
		})
	}
}

// Without TELEGRAM_BOT_USERNAME the username comes from getMe.
func TestPostersAskTelegramForTheBotUsername(t *testing.T) {
	dbURL, _ := postersDB(t, "sqlite")
	fake := telegramtest.New(t)
	env := map[string]string{"DATABASE_URL": dbURL, "TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_ENDPOINT": fake.Endpoint()}
	dir := t.TempDir()
	if code, _, errOut := runPosters(t, env, "posters", "--election", "mong-cai-2022", "--out", dir, "--ward", "hai-tien", "--lang", "en"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := readLinks(t, filepath.Join(dir, "links.csv"))
	if len(rows) != 2 || !strings.HasPrefix(rows[0][2], "https://t.me/"+telegramtest.Bot.Username+"?start=a") {
		t.Fatalf("links %v", rows)
	}
}

// Help, bad usage and a missing username are answered before the
// database is opened (this one cannot be reached).
func TestPostersUsageNeedsNoDatabase(t *testing.T) {
	unreachable := "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1"
	env := map[string]string{"DATABASE_URL": unreachable, "TELEGRAM_BOT_USERNAME": "mongcai_baucu_bot"}
	code, out, errOut := runPosters(t, env, "posters", "--help")
	if code != 0 || !strings.Contains(out, "usage: electionbot posters --election CODE --out DIR") ||
		!strings.Contains(out, "ZALO_OA_ID") || !strings.Contains(out, "-ward") || errOut != "" {
		t.Fatalf("--help: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"posters"}, env, "usage: electionbot posters"},
		{[]string{"posters", "--election", "x"}, env, "usage: electionbot posters"},
		{[]string{"posters", "--election", "x", "--out", "d", "--lang", "fr"}, env, `--lang "fr"`},
		{[]string{"posters", "--election", "x", "--out", "d", "--colour"}, env, "flag provided but not defined"},
		{[]string{"posters", "--election", "x", "--out", "d"}, map[string]string{"DATABASE_URL": unreachable}, "set TELEGRAM_BOT_USERNAME"},
		{[]string{"posters", "--election", "x", "--out", "d"}, map[string]string{"DATABASE_URL": unreachable, "TELEGRAM_BOT_USERNAME": "bad name"}, "TELEGRAM_BOT_USERNAME"},
		{[]string{"posters", "--election", "x", "--out", "d"}, map[string]string{"DATABASE_URL": unreachable, "TELEGRAM_BOT_USERNAME": "mongcai_baucu_bot", "ZALO_OA_ID": "https://zalo.me/1"}, "ZALO_OA_ID"},
	} {
		code, _, errOut := runPosters(t, c.env, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}
