// Package fonts embeds the typefaces of the pictures the program draws (the
// charts of package results, the posters of package posters): DejaVu Sans
// and DejaVu Sans Bold, subset to Latin and Vietnamese (LICENSE). The Go
// fonts (golang.org/x/image/font/gofont) have no Vietnamese letters (ư, ơ,
// ạ, ế, … are missing).
package fonts

import (
	_ "embed"
	"fmt"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
)

var (
	//go:embed DejaVuSans.ttf
	regularTTF []byte
	//go:embed DejaVuSans-Bold.ttf
	boldTTF []byte

	once          sync.Once
	regular, bold *opentype.Font
	parseErr      error
)

// Fonts are DejaVu Sans and DejaVu Sans Bold, parsed once and shared (an
// opentype.Font is safe for concurrent use; a Face made from it is not).
func Fonts() (reg, b *opentype.Font, err error) {
	once.Do(func() {
		if regular, parseErr = opentype.Parse(regularTTF); parseErr != nil {
			parseErr = fmt.Errorf("fonts: DejaVuSans.ttf: %w", parseErr)
			return
		}
		if bold, parseErr = opentype.Parse(boldTTF); parseErr != nil {
			parseErr = fmt.Errorf("fonts: DejaVuSans-Bold.ttf: %w", parseErr)
		}
	})
	return regular, bold, parseErr
}

// Face is f at size pixels (the size in points at 72 dpi), fully hinted.
// A Face is not safe for concurrent use: each drawing makes its own.
func Face(f *opentype.Font, size float64) (font.Face, error) {
	return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
}
