package posters

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"

	"electionbot/fonts"
)

// faces are the poster's type sizes in pixels (at 150 dpi, 28 px is
// about 13 pt). A Face is not safe for concurrent use: each poster makes
// its own.
type faces struct {
	title, election, area, place, label, value, instruction, fallback, code, footer *face
}

// face is a font at a size, with the line it takes.
type face struct {
	font.Face
	size int
}

// baseline is where the baseline is under the top of a line: DejaVu's
// Vietnamese capitals with two marks (Ẫ, Ở) reach 1.12 em above it.
func (f *face) baseline() int { return (f.size*113 + 99) / 100 }

// lineHeight leaves room for those and for the descenders (0.24 em).
func (f *face) lineHeight() int { return f.baseline() + f.size/4 }

func newFaces() (*faces, error) {
	reg, bold, err := fonts.Fonts()
	if err != nil {
		return nil, fmt.Errorf("posters: %w", err)
	}
	var fs faces
	for _, x := range []struct {
		dst  **face
		f    *opentype.Font
		size int
	}{
		{&fs.title, bold, 56}, {&fs.election, reg, 32}, {&fs.area, bold, 76}, {&fs.place, reg, 34},
		{&fs.label, bold, 28}, {&fs.value, reg, 34}, {&fs.instruction, bold, 36},
		{&fs.fallback, reg, 28}, {&fs.code, bold, 96}, {&fs.footer, reg, 26},
	} {
		ff, err := fonts.Face(x.f, float64(x.size))
		if err != nil {
			return nil, fmt.Errorf("posters: %w", err)
		}
		*x.dst = &face{Face: ff, size: x.size}
	}
	return &fs, nil
}

// stack is a column of items laid out top-down across the content box:
// measured first (height), drawn after.
type stack struct {
	items []item
}

type item struct {
	h    int
	draw func(img *image.RGBA, y int)
}

func (s *stack) height() int {
	h := 0
	for _, it := range s.items {
		h += it.h
	}
	return h
}

// draw draws the items from y down; it returns the y below them.
func (s *stack) draw(img *image.RGBA, y int) int {
	for _, it := range s.items {
		if it.draw != nil {
			it.draw(img, y)
		}
		y += it.h
	}
	return y
}

func (s *stack) gap(h int) { s.items = append(s.items, item{h: h}) }

// rule is a centred horizontal line across a third of the box.
func (s *stack) rule(c color.Color, h int) {
	s.items = append(s.items, item{h: h, draw: func(img *image.RGBA, y int) {
		fill(img, image.Rect(margin+contentW/3, y, Width-margin-contentW/3, y+h), c)
	}})
}

// text is s centred, wrapped to at most maxLines lines of the box.
func (s *stack) text(f *face, c color.Color, str string, maxLines int) {
	if strings.TrimSpace(str) == "" {
		return
	}
	lines := wrap(f, str, contentW, maxLines)
	s.items = append(s.items, item{h: len(lines) * f.lineHeight(), draw: func(img *image.RGBA, y int) {
		for i, l := range lines {
			x := margin + (contentW-width(f, l))/2
			drawString(img, f, c, x, y+i*f.lineHeight()+f.baseline(), l)
		}
	}})
}

// rows are label — value pairs in two columns, the values wrapped; the
// table is centred as a whole.
func (s *stack) rows(lf, vf *face, lc, vc color.Color, rows []Row, maxLines int) {
	if len(rows) == 0 {
		return
	}
	labelW := 0
	for _, r := range rows {
		labelW = max(labelW, width(lf, r.Label))
	}
	labelW = min(labelW, contentW*2/5)
	const pad, between = 24, 10
	valueW := contentW - labelW - pad
	labels := make([]string, len(rows))
	values := make([][]string, len(rows))
	tableW := 0
	for i, r := range rows {
		labels[i] = wrap(lf, r.Label, labelW, 1)[0]
		values[i] = wrap(vf, r.Value, valueW, maxLines)
		for _, l := range values[i] {
			tableW = max(tableW, labelW+pad+width(vf, l))
		}
	}
	labelX := margin + (contentW-tableW)/2
	valueX := labelX + labelW + pad
	for i := range rows {
		label, value := labels[i], values[i]
		h := len(value) * vf.lineHeight()
		if i < len(rows)-1 {
			h += between
		}
		s.items = append(s.items, item{h: h, draw: func(img *image.RGBA, y int) {
			// The label on the first value line's baseline.
			drawString(img, lf, lc, labelX, y+vf.baseline(), label)
			for j, l := range value {
				drawString(img, vf, vc, valueX, y+j*vf.lineHeight()+vf.baseline(), l)
			}
		}})
	}
}

// boxed is one short text centred in a frame (the code to type).
func (s *stack) boxed(f *face, c color.Color, str string) {
	if str == "" {
		return
	}
	l := wrap(f, str, contentW-60, 1)[0]
	const padX, padY, border = 36, 8, 4
	h := f.lineHeight() + 2*padY
	// Centred on the ink, not on the line: "a123" has no capitals' marks.
	b, _ := font.BoundString(f, l)
	inkTop, inkBottom := b.Min.Y.Floor(), b.Max.Y.Ceil()
	s.items = append(s.items, item{h: h, draw: func(img *image.RGBA, y int) {
		w := width(f, l) + 2*padX
		x := margin + (contentW-w)/2
		fill(img, image.Rect(x, y, x+w, y+border), c)
		fill(img, image.Rect(x, y+h-border, x+w, y+h), c)
		fill(img, image.Rect(x, y, x+border, y+h), c)
		fill(img, image.Rect(x+w-border, y, x+w, y+h), c)
		drawString(img, f, c, x+padX, y+(h-(inkBottom-inkTop))/2-inkTop, l)
	}})
}

func drawString(img *image.RGBA, f *face, c color.Color, x, baseline int, s string) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: f, Dot: fixed.P(x, baseline)}
	d.DrawString(s)
}

func width(f *face, s string) int { return font.MeasureString(f, s).Ceil() }

// wrap breaks s (NFC, so that a letter and its marks are one glyph) into
// lines at most w pixels wide, at spaces, or inside a word longer than a
// line; past maxLines the last line is cut with "…". It returns at least
// one line.
func wrap(f *face, s string, w, maxLines int) []string {
	words := strings.Fields(norm.NFC.String(s))
	var lines []string
	cur := ""
	for _, word := range words {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if width(f, next) <= w {
			cur = next
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		// A word wider than the line is broken where it must.
		for width(f, word) > w {
			r := []rune(word)
			n := len(r) - 1
			for n > 1 && width(f, string(r[:n])) > w {
				n--
			}
			lines = append(lines, string(r[:n]))
			word = string(r[n:])
		}
		cur = word
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = ellipsis(f, lines[maxLines-1], w)
	}
	return lines
}

// ellipsis ends s with "…", shortened until it fits w.
func ellipsis(f *face, s string, w int) string {
	r := []rune(strings.TrimRight(s, " "))
	for len(r) > 0 {
		t := strings.TrimRight(string(r), " ,.;:") + "…"
		if width(f, t) <= w {
			return t
		}
		r = r[:len(r)-1]
	}
	return "…"
}
