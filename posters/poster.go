// Package posters draws the printable poster of an area for its nhà văn
// hóa — what the election is, when and where, and a QR code that opens
// the bot with the area already chosen (docs/design.md §5 "Posters") —
// and writes links.csv, the posters' links as a table. It is pure: the
// command (cli/posters.go) reads the store and writes the files.
package posters

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	qrcode "github.com/skip2/go-qrcode"
)

// The page: A4 portrait (210 × 297 mm) at 150 dpi.
const (
	DPI    = 150
	Width  = 1240
	Height = 1754
)

// Row is one line of the poster's facts: "Ngày bầu cử" — "Chủ nhật, 05/06/2022".
type Row struct{ Label, Value string }

// Poster is what one poster says, already in its language (Compose writes
// it from the store's records).
type Poster struct {
	Title    string // "BẦU CỬ TRƯỞNG THÔN"
	Election string // the election's title
	Area     string // "Thôn 1"
	Place    string // "Xã Hải Tiến, TP Móng Cái, Quảng Ninh"
	Rows     []Row  // date, hours, polling place, address
	// Link is what the QR code holds (the Telegram deep link).
	Link        string
	Instruction string // under the QR code: what scanning it gives
	Fallback    string // how to reach the bot without scanning…
	Code        string // …by typing this code ("a123")
	Footer      string // where to type it ("Telegram: @bot · Zalo: …")
}

// Layout of the page, in pixels at DPI.
const (
	margin     = 80  // the content box's distance from the edge (13.5 mm)
	frameInset = 36  // the red frame, inside any printer's unprintable edge
	frameWidth = 6   //
	qrMax      = 760 // the QR code's largest side (12.9 cm)
	qrMin      = 420 // below this, the facts above are cut to one line each
	qrModMin   = 4   // the smallest module (0.7 mm) drawn
	contentW   = Width - 2*margin
)

var (
	colBG    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colText  = color.RGBA{0x1b, 0x1f, 0x24, 0xff}
	colMuted = color.RGBA{0x59, 0x60, 0x69, 0xff}
	colRule  = color.RGBA{0xd0, 0xd7, 0xde, 0xff}
	colRed   = color.RGBA{0xb3, 0x17, 0x1d, 0xff}
	colDark  = color.RGBA{0x00, 0x00, 0x00, 0xff}
)

// Render draws p as a PNG of Width×Height pixels at DPI.
func Render(p Poster) ([]byte, error) {
	img, err := Draw(p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("posters: %w", err)
	}
	return withDPI(buf.Bytes(), DPI), nil
}

// withDPI adds a pHYs chunk to an encoded PNG (image/png writes none) so
// that a viewer prints it at dpi, that is on one A4 page, not at the
// screen's 72 or 96 dpi.
func withDPI(p []byte, dpi int) []byte {
	const ihdrEnd = 8 + 8 + 13 + 4 // signature, IHDR's length, type, data, CRC
	ppm := uint32(math.Round(float64(dpi) / 0.0254))
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, 9)
	chunk = append(chunk, "pHYs"...)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = append(chunk, 1) // unit: metre
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := make([]byte, 0, len(p)+len(chunk))
	out = append(out, p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...)
}

// Draw draws p on a new page. Texts are wrapped to the content box and cut
// with "…" past a few lines, so that nothing is drawn outside it and the
// QR code keeps at least qrMin pixels.
func Draw(p Poster) (*image.RGBA, error) {
	if p.Link == "" {
		return nil, fmt.Errorf("posters: no link for the QR code")
	}
	q, err := qrcode.New(p.Link, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("posters: QR code of %q: %w", p.Link, err)
	}
	bits := q.Bitmap() // with its quiet zone of 4 modules
	f, err := newFaces()
	if err != nil {
		return nil, err
	}
	bottom := bottomStack(f, p)
	var top stack
	var qrSide int
	for _, lines := range []int{2, 1} {
		top = topStack(f, p, lines)
		qrSide = min(Height-2*margin-top.height()-bottom.height()-2*gapQR, qrMax)
		if qrSide >= qrMin {
			break
		}
	}
	mod := qrSide / len(bits)
	if mod < qrModMin {
		return nil, fmt.Errorf("posters: no room for the QR code of %q", p.Link)
	}

	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	fill(img, img.Bounds(), colBG)
	frame(img)
	y := top.draw(img, margin)
	// The QR code in the middle of the room left between the stacks.
	side := mod * len(bits)
	room := Height - margin - bottom.height() - y
	qy := y + (room-side)/2
	qx := (Width - side) / 2
	for r, row := range bits {
		for c, dark := range row {
			if dark {
				fill(img, image.Rect(qx+c*mod, qy+r*mod, qx+(c+1)*mod, qy+(r+1)*mod), colDark)
			}
		}
	}
	bottom.draw(img, Height-margin-bottom.height())
	return img, nil
}

// gapQR is the least room between the QR code and the texts around it.
const gapQR = 16

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// frame draws the red border of the page.
func frame(img *image.RGBA) {
	o, i := frameInset, frameInset+frameWidth
	fill(img, image.Rect(o, o, Width-o, i), colRed)
	fill(img, image.Rect(o, Height-i, Width-o, Height-o), colRed)
	fill(img, image.Rect(o, o, i, Height-o), colRed)
	fill(img, image.Rect(Width-i, o, Width-o, Height-o), colRed)
}

// topStack is what stands above the QR code: the title, the election, the
// area and its ward, and the facts.
func topStack(f *faces, p Poster, lines int) stack {
	var s stack
	s.text(f.title, colRed, p.Title, lines)
	s.gap(8)
	s.text(f.election, colMuted, p.Election, lines)
	s.gap(20)
	s.rule(colRule, 2)
	s.gap(22)
	s.text(f.area, colText, p.Area, lines)
	s.text(f.place, colText, p.Place, lines)
	s.gap(24)
	s.rows(f.label, f.value, colMuted, colText, p.Rows, lines)
	return s
}

// bottomStack is what stands below it: what scanning gives, and the code
// to type instead. Its texts are the catalogs', short enough for two lines
// always; only the footer may be cut.
func bottomStack(f *faces, p Poster) stack {
	var s stack
	s.text(f.instruction, colText, p.Instruction, 2)
	s.gap(22)
	s.text(f.fallback, colMuted, p.Fallback, 2)
	s.gap(10)
	s.boxed(f.code, colText, p.Code)
	if p.Footer != "" {
		s.gap(10)
		s.text(f.footer, colMuted, p.Footer, 1)
	}
	return s
}
