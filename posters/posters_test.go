package posters

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"

	"electionbot/locales"
	"electionbot/models"
)

// decodeQR reads the QR code of a whole poster, as a phone would.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	return res.GetText()
}

func TestRenderA4At150dpiWithQRCodeOfTheLink(t *testing.T) {
	e, a := xa()
	p := compose(t, "vi", e, a)
	if p.Link != "https://t.me/electionbot_test?start=a123" {
		t.Fatalf("link %q", p.Link)
	}
	b, err := Render(p)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// A4 (210 × 297 mm) at 150 dpi.
	if got := img.Bounds(); got != image.Rect(0, 0, 1240, 1754) {
		t.Fatalf("size %v, want 1240×1754", got)
	}
	if got := decodeQR(t, img); got != p.Link {
		t.Fatalf("QR code reads %q, want %q", got, p.Link)
	}
	// The pHYs chunk says 150 dpi (5906 pixels a metre), so it prints on one page.
	i := bytes.Index(b, []byte("pHYs"))
	if i < 0 {
		t.Fatal("no pHYs chunk")
	}
	x, y, unit := binary.BigEndian.Uint32(b[i+4:]), binary.BigEndian.Uint32(b[i+8:]), b[i+12]
	if x != 5906 || y != 5906 || unit != 1 {
		t.Fatalf("pHYs %d×%d unit %d, want 5906×5906 per metre", x, y, unit)
	}
}

// However long the texts, nothing is drawn between the frame and the
// content box or outside the frame, and the QR code still reads.
func TestLongTextsStayOnThePage(t *testing.T) {
	e, a := xa()
	long := strings.Repeat("Nhà văn hóa liên thôn Đông Hải và Tây Hải cũ ", 12)
	e.Title = long
	a.Name = "Thôn " + strings.Repeat("Đồng", 80) // one word wider than the page
	a.Ward.Name = long
	a.PollingPlace = &models.PollingPlace{Name: long, Address: long}
	p := compose(t, "vi", e, a)
	p.Footer = long
	img, err := Draw(p)
	if err != nil {
		t.Fatal(err)
	}
	outer := image.Rect(frameInset, frameInset, Width-frameInset, Height-frameInset)
	inner := outer.Inset(frameWidth)
	content := image.Rect(margin, margin, Width-margin, Height-margin)
	for y := 0; y < Height; y++ {
		for x := 0; x < Width; x++ {
			pt := image.Pt(x, y)
			if pt.In(content) || (pt.In(outer) && !pt.In(inner)) {
				continue
			}
			if c := img.RGBAAt(x, y); c != colBG {
				t.Fatalf("pixel (%d,%d) is %v outside the content box", x, y, c)
			}
		}
	}
	if got := decodeQR(t, img); got != p.Link {
		t.Fatalf("QR code reads %q", got)
	}
}

func TestComposeSpeaksOfTheAreasOwnUnit(t *testing.T) {
	commune := &models.Ward{Code: "hai-tien", Name: "Xã Hải Tiến", City: "TP Móng Cái", Kind: models.WardCommune}
	urban := &models.Ward{Code: "ka-long", Name: "Phường Ka Long", City: "TP Móng Cái", Kind: models.WardUrban}
	for _, c := range []struct {
		unit string
		ward *models.Ward
		want string
	}{
		{"", commune, "BẦU CỬ TRƯỞNG THÔN"},
		{"", urban, "BẦU CỬ TRƯỞNG KHU PHỐ"},
		{models.UnitThon, urban, "BẦU CỬ TRƯỞNG THÔN"},
		{models.UnitBan, commune, "BẦU CỬ TRƯỞNG BẢN"},
		{models.UnitAp, commune, "BẦU CỬ TRƯỞNG ẤP"},
		{models.UnitKhu, urban, "BẦU CỬ TRƯỞNG KHU"},
		{models.UnitKhuPho, commune, "BẦU CỬ TRƯỞNG KHU PHỐ"},
		{models.UnitToDanPho, urban, "BẦU CỬ TỔ TRƯỞNG TỔ DÂN PHỐ"},
	} {
		e, a := xa()
		a.Unit, a.Ward = c.unit, c.ward
		if got := compose(t, "vi", e, a).Title; got != c.want {
			t.Errorf("unit %q in %s: title %q, want %q", c.unit, c.ward.Name, got, c.want)
		}
	}
}

func TestComposeSaysWhenWhereAndWhatToType(t *testing.T) {
	e, a := xa()
	a.Ward.Province = ""
	p := compose(t, "vi", e, a)
	want := Poster{
		Title:    "BẦU CỬ TRƯỞNG THÔN",
		Election: "Bầu cử Trưởng thôn, khu phố nhiệm kỳ 2022–2025",
		Area:     "Thôn 1",
		Place:    "Xã Hải Tiến, TP Móng Cái, Quảng Ninh", // the province of the election
		Rows: []Row{
			{"Ngày bầu cử", "Chủ nhật, 05/06/2022"},
			{"Thời gian", "Từ 07:00 đến 11:00"},
			{"Nơi bỏ phiếu", "Nhà văn hóa thôn 1"},
			{"Địa chỉ", "Thôn 1, xã Hải Tiến, TP Móng Cái"},
		},
		Link:        "https://t.me/electionbot_test?start=a123",
		Instruction: "Quét mã để hỏi ngày, giờ, nơi bỏ phiếu và tra cứu danh sách cử tri",
		Fallback:    "Không quét được mã? Ông/bà nhắn mã dưới đây cho tài khoản bầu cử trên Zalo hoặc Telegram:",
		Code:        "a123",
		Footer:      "Telegram: @electionbot_test",
	}
	if !equalPoster(p, want) {
		t.Fatalf("got  %+v\nwant %+v", p, want)
	}

	// English; no polling place yet; a Zalo OA.
	a.PollingPlace = nil
	l := NewLink(a, "electionbot_test", "4321")
	p, err := Compose(localizers(t), "en", e, a, l, "electionbot_test")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "ELECTION OF THE VILLAGE HEAD (THÔN)" || p.Rows[0].Value != "Sunday, 05/06/2022" ||
		len(p.Rows) != 3 || p.Rows[2].Value != "To be announced by the election team" ||
		p.Footer != "Telegram: @electionbot_test   ·   Zalo: zalo.me/4321" {
		t.Fatalf("en: %+v", p)
	}
}

func equalPoster(a, b Poster) bool {
	return slices.Equal(a.Rows, b.Rows) && a.Title == b.Title && a.Election == b.Election &&
		a.Area == b.Area && a.Place == b.Place && a.Link == b.Link && a.Instruction == b.Instruction &&
		a.Fallback == b.Fallback && a.Code == b.Code && a.Footer == b.Footer
}

func TestWrapKeepsLinesInsideAndCutsWithEllipsis(t *testing.T) {
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	const w = 400
	s := "Nhà văn hóa thôn Đông Hải, xã Hải Tiến, thành phố Móng Cái, tỉnh Quảng Ninh"
	all := wrap(f.value, s, w, 10)
	if len(all) < 3 || strings.Join(all, " ") != s {
		t.Fatalf("wrap lost words: %q", all)
	}
	for _, l := range all {
		if width(f.value, l) > w {
			t.Errorf("line %q is %d px, wider than %d", l, width(f.value, l), w)
		}
	}
	two := wrap(f.value, s, w, 2)
	if len(two) != 2 || two[0] != all[0] || !strings.HasSuffix(two[1], "…") || width(f.value, two[1]) > w {
		t.Fatalf("cut to 2 lines: %q", two)
	}
	long := wrap(f.value, strings.Repeat("Đ", 200), w, 3)
	if len(long) != 3 || width(f.value, long[0]) > w {
		t.Fatalf("a long word: %q", long)
	}
	if got := wrap(f.value, "", w, 2); len(got) != 1 || got[0] != "" {
		t.Fatalf("empty: %q", got)
	}
}

func TestMessageIDsAreTheCatalogKeys(t *testing.T) {
	for _, file := range []string{"posters.vi.yaml", "posters.en.yaml"} {
		keys, err := locales.Keys(file)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		ids := slices.Sorted(slices.Values(MessageIDs))
		if !slices.Equal(keys, ids) {
			t.Errorf("%s keys %v\nMessageIDs %v", file, keys, ids)
		}
	}
	for _, u := range models.Units {
		if _, ok := headIDs[u]; !ok {
			t.Errorf("unit %q has no office on the poster", u)
		}
	}
}

// Every letter the catalogs put on a poster is in the embedded fonts (a
// missing one would print as a box).
func TestCatalogLettersAreInTheFonts(t *testing.T) {
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	loc := localizers(t)
	data := map[string]any{"Head": "x", "Weekday": "x", "Date": "x", "Opens": "x", "Closes": "x", "Bot": "x", "URL": "x"}
	for _, lang := range locales.Languages {
		for _, id := range MessageIDs {
			s, err := loc.Localize(lang, id, data)
			if err != nil {
				t.Fatal(err)
			}
			for _, face := range []*face{f.title, f.value} {
				for _, r := range strings.ToUpper(s) + s {
					if _, ok := face.GlyphAdvance(r); !ok {
						t.Errorf("%s %s: no glyph for %q", lang, id, r)
					}
				}
			}
		}
	}
}

func TestLinksCSV(t *testing.T) {
	_, a := xa()
	l := NewLink(a, "quangninh_baucu_bot", "")
	var buf bytes.Buffer
	if err := WriteLinks(&buf, []Link{l, NewLink(&models.Area{ID: 7, Code: "kp1", Ward: &models.Ward{Code: "ka-long"}}, "quangninh_baucu_bot", "1234567")}); err != nil {
		t.Fatal(err)
	}
	want := "ward_code,area_code,telegram_url,zalo_url\n" +
		"hai-tien,thon-1,https://t.me/quangninh_baucu_bot?start=a123,\n" +
		"ka-long,kp1,https://t.me/quangninh_baucu_bot?start=a7,https://zalo.me/1234567\n"
	if buf.String() != want {
		t.Fatalf("links.csv\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestBotUsername(t *testing.T) {
	for in, want := range map[string]string{"@QuangNinh_BauCu_bot": "QuangNinh_BauCu_bot", " electionbot ": "electionbot"} {
		if got, err := BotUsername(in); err != nil || got != want {
			t.Errorf("BotUsername(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "@", "abc", "bot/evil?x=1", "bầu_cử_bot", strings.Repeat("a", 33)} {
		if got, err := BotUsername(bad); err == nil {
			t.Errorf("BotUsername(%q) = %q, want an error", bad, got)
		}
	}
}
