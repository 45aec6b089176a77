package results

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"sync"

	"electionbot/fonts"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// Chart size: a 16:9 PNG that Telegram and Zalo show without cropping.
const (
	ChartWidth  = 800
	ChartHeight = 450
)

// faces are the chart's type sizes; a Face is not safe for concurrent use,
// so each chart makes its own.
type faces struct {
	title, text, small, big font.Face
}

func newFaces() (*faces, error) {
	// DejaVu Sans: the Go fonts have no Vietnamese letters (package fonts).
	reg, bold, err := fonts.Fonts()
	if err != nil {
		return nil, fmt.Errorf("results: chart fonts: %w", err)
	}
	var fs faces
	for _, x := range []struct {
		dst  *font.Face
		f    *opentype.Font
		size float64
	}{{&fs.title, bold, 26}, {&fs.text, reg, 20}, {&fs.small, reg, 16}, {&fs.big, bold, 44}} {
		if *x.dst, err = fonts.Face(x.f, x.size); err != nil {
			return nil, fmt.Errorf("results: chart fonts: %w", err)
		}
	}
	return &fs, nil
}

// Chart colours.
var (
	colBG       = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colText     = color.RGBA{0x1b, 0x1f, 0x24, 0xff}
	colMuted    = color.RGBA{0x59, 0x60, 0x69, 0xff}
	colGrid     = color.RGBA{0xd0, 0xd7, 0xde, 0xff}
	colTrack    = color.RGBA{0xe3, 0xe6, 0xea, 0xff}
	colAccepted = color.RGBA{0x1a, 0x7f, 0x37, 0xff}
	colRerun    = color.RGBA{0x9a, 0x67, 0x00, 0xff}
	colAwaiting = color.RGBA{0x8e, 0xb4, 0xe3, 0xff}
	colConflict = color.RGBA{0xb3, 0x17, 0x1d, 0xff}
	colOther    = color.RGBA{0x6e, 0x87, 0xa8, 0xff}
	colHeader   = color.RGBA{0xb3, 0x17, 0x1d, 0xff}
)

var (
	defaultBundleOnce sync.Once
	defaultBundle     *i18n.Bundle
	defaultBundleErr  error
)

func chartTr(b *i18n.Bundle, lang string) (*tr, error) {
	if b == nil {
		defaultBundleOnce.Do(func() {
			defaultBundle, defaultBundleErr = DefaultBundle()
			if defaultBundleErr == nil {
				defaultBundleErr = CheckBundle(defaultBundle)
			}
		})
		if defaultBundleErr != nil {
			return nil, defaultBundleErr
		}
		b = defaultBundle
	}
	return newTr(b, pickLang(lang, Languages[0])), nil
}

// newChart starts a chart in lang: its texts (chartTr) and a blank canvas.
func newChart(b *i18n.Bundle, lang string) (*tr, *canvas, error) {
	t, err := chartTr(b, lang)
	if err != nil {
		return nil, nil, err
	}
	c, err := newCanvas()
	if err != nil {
		return nil, nil, err
	}
	return t, c, nil
}

// canvas is a chart being drawn.
type canvas struct {
	img *image.RGBA
	f   *faces
}

func newCanvas() (*canvas, error) {
	f, err := newFaces()
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, ChartWidth, ChartHeight))
	draw.Draw(img, img.Bounds(), image.NewUniform(colBG), image.Point{}, draw.Src)
	c := &canvas{img: img, f: f}
	c.rect(0, 0, ChartWidth, 6, colHeader)
	return c, nil
}

func (c *canvas) rect(x0, y0, x1, y1 int, col color.Color) {
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Src)
}

// text draws s with its baseline at y, from x; it returns the end x.
func (c *canvas) text(face font.Face, x, y int, col color.Color, s string) int {
	d := &font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(norm.NFC.String(s))
	return d.Dot.X.Ceil()
}

// textRight draws s ending at x.
func (c *canvas) textRight(face font.Face, x, y int, col color.Color, s string) {
	c.text(face, x-width2(face, s), y, col, s)
}

func width2(face font.Face, s string) int {
	return font.MeasureString(face, norm.NFC.String(s)).Ceil()
}

// fit shortens s with "…" until it is at most w pixels wide.
func fit(face font.Face, s string, w int) string {
	s = norm.NFC.String(s)
	if width2(face, s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := strings.TrimRight(string(r), " ") + "…"
		if width2(face, t) <= w {
			return t
		}
	}
	return "…"
}

func (c *canvas) png() ([]byte, error) {
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, c.img); err != nil {
		return nil, fmt.Errorf("results: chart: %w", err)
	}
	return buf.Bytes(), nil
}

// ChartVotes draws the votes per candidate of an area as a PNG of
// ChartWidth×ChartHeight: one bar per candidate on a scale of ALL the
// area's households, with the 50% line a candidate must pass. It shows the
// numbers the AreaResult holds: give it an area of a public view (Load with
// admin false) unless the chart goes to an official. Without a tally shown
// it says there is no recognised result yet. b is the message bundle (nil:
// DefaultBundle); lang is vi or en.
func ChartVotes(a *AreaResult, b *i18n.Bundle, lang string) ([]byte, error) {
	if a == nil {
		return nil, fmt.Errorf("results: ChartVotes: no area")
	}
	t, c, err := newChart(b, lang)
	if err != nil {
		return nil, err
	}
	const left, right = 24, ChartWidth - 24
	c.text(c.f.title, left, 46, colText, fit(c.f.title, t.T("results_chart_votes_title", "Area", a.Name), right-left))
	state := (&pageData{T: t}).StateName(a.State)
	sub := state
	if a.Tally != nil {
		sub += " · " + t.T("results_turnout", "Attending", t.Int(a.Tally.Attending),
			"Households", t.Int(a.Tally.Households), "Percent", t.Pct(a.Tally.TurnoutPercent()))
	} else {
		sub += " · " + t.T("results_households", "Households", t.Int(a.Households))
	}
	c.text(c.f.text, left, 78, colMuted, fit(c.f.text, sub, right-left))

	if a.Tally == nil || len(a.Candidates) == 0 {
		msg := t.T("results_chart_votes_empty")
		c.text(c.f.text, (ChartWidth-width2(c.f.text, msg))/2, ChartHeight/2+20, colMuted, msg)
		return c.png()
	}

	// Bars: names on the left, bars on a 0…households scale.
	const nameW, top, bottom = 230, 110, ChartHeight - 56
	x0, x1 := left+nameW+12, right-150
	hh := max(a.Tally.Households, 1)
	n := len(a.Candidates)
	slot := (bottom - top) / n
	barH := min(max(slot*6/10, 8), 48)
	// The 50% line.
	half := x0 + (x1-x0)/2
	for y := top - 6; y < bottom+6; y += 8 {
		c.rect(half, y, half+2, y+4, colGrid)
	}
	c.rect(x0, top-6, x0+1, bottom+6, colGrid)
	for i, cand := range a.Candidates {
		v := 0
		if cand.Votes != nil {
			v = *cand.Votes
		}
		yMid := top + slot*i + slot/2
		label := fmt.Sprintf("%d. %s", cand.BallotNo, cand.Name)
		if cand.Nominated { // nominated at the meeting: the number is only a key
			label = "• " + cand.Name
		}
		name := fit(c.f.text, label, nameW)
		c.text(c.f.text, left, yMid+7, colText, name)
		c.rect(x0, yMid-barH/2, x1, yMid+barH/2, colTrack)
		w := (x1 - x0) * min(v, hh) / hh
		col := colOther
		if cand.Winner {
			col = colAccepted
		}
		c.rect(x0, yMid-barH/2, x0+w, yMid+barH/2, col)
		c.text(c.f.text, x1+10, yMid+7, colText, t.T("results_candidate_votes", "Votes", t.Int(v), "Percent", t.Pct(cand.Percent)))
	}
	// Axis labels.
	c.text(c.f.small, x0-4, bottom+26, colMuted, "0")
	c.textRight(c.f.small, half+14, bottom+26, colMuted, "50%")
	c.textRight(c.f.small, x1+8, bottom+26, colMuted, "100%")
	axis := t.T("results_chart_votes_axis", "Households", t.Int(a.Tally.Households))
	c.text(c.f.small, left, ChartHeight-12, colMuted, fit(c.f.small, axis, right-left))
	return c.png()
}

// ChartProgress draws the reporting progress of a view as a PNG of
// ChartWidth×ChartHeight: recognised areas out of all, then one stacked bar
// per state (elected, re-run needed, received but not yet recognised — in
// the officials' view provisional and conflict apart — and not reported),
// with a legend; below it, one bar per ward when the view spans several.
func ChartProgress(r *Results, b *i18n.Bundle, lang string) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("results: ChartProgress: no results")
	}
	t, c, err := newChart(b, lang)
	if err != nil {
		return nil, err
	}
	const left, right = 24, ChartWidth - 24
	unit := r.Election.Ward
	if unit == "" {
		unit = r.Election.Title
	}
	c.text(c.f.title, left, 46, colText, fit(c.f.title, t.T("results_chart_progress_title", "Unit", unit), right-left))
	c.text(c.f.text, left, 78, colMuted, fit(c.f.text, r.Election.Title, right-left))
	p := r.Progress
	end := c.text(c.f.big, left, 150, colText, t.Int(p.Recognised)+"/"+t.Int(p.Areas))
	c.text(c.f.text, end+14, 150, colMuted, fit(c.f.text, t.T("results_chart_progress_count")+" · "+t.Pct(p.RecognisedPercent()), right-end-14))

	pd := &pageData{T: t}
	type seg struct {
		n     int
		col   color.Color
		label string
	}
	segments := func(ru RollUp) []seg {
		awaiting := ru.Received - ru.Recognised - ru.Provisional - ru.Conflict
		return []seg{
			{ru.Elected, colAccepted, pd.StateName(StateAccepted)},
			{ru.Rerun, colRerun, pd.StateName(StateRerun)},
			{ru.Provisional, colAwaiting, pd.StateName(StateProvisional)},
			{ru.Conflict, colConflict, pd.StateName(StateConflict)},
			{awaiting, colAwaiting, pd.StateName(StateAwaiting)},
			{ru.Areas - ru.Received, colTrack, pd.StateName(StateNotReported)},
		}
	}
	bar := func(ru RollUp, x0, x1, y, h int) {
		c.rect(x0, y, x1, y+h, colTrack)
		if ru.Areas == 0 {
			return
		}
		x, acc := x0, 0
		for _, s := range segments(ru) {
			if s.n <= 0 {
				continue
			}
			acc += s.n
			nx := x0 + (x1-x0)*acc/ru.Areas
			c.rect(x, y, nx, y+h, s.col)
			x = nx
		}
	}
	bar(p, left, right, 176, 44)

	// Legend: the states that occur, with their counts.
	lx, ly := left, 256
	for _, s := range segments(p) {
		if s.n <= 0 {
			continue
		}
		label := s.label + ": " + t.Int(s.n)
		w := 22 + width2(c.f.small, label) + 24
		if lx+w > right {
			lx, ly = left, ly+28
		}
		c.rect(lx, ly-14, lx+16, ly+2, s.col)
		c.text(c.f.small, lx+22, ly, colText, label)
		lx += w
	}

	// One bar per ward when there are several.
	var wards []RollUp
	for _, ru := range r.RollUps {
		if ru.Level == "ward" {
			wards = append(wards, ru)
		}
	}
	if len(wards) > 1 {
		y := ly + 24
		rows := min(len(wards), (ChartHeight-y-10)/26)
		for i := 0; i < rows; i++ {
			ru := wards[i]
			c.text(c.f.small, left, y+16, colText, fit(c.f.small, ru.Name, 180))
			c.textRight(c.f.small, right, y+16, colMuted, t.Int(ru.Recognised)+"/"+t.Int(ru.Areas))
			bar(ru, left+190, right-80, y+4, 16)
			y += 26
		}
	} else {
		c.text(c.f.small, left, ChartHeight-16, colMuted,
			fit(c.f.small, t.T("results_updated", "Time", t.Time(r.GeneratedAt, nil)), right-left))
	}
	return c.png()
}
