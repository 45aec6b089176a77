package fonts

import (
	"testing"

	"golang.org/x/image/font/sfnt"
)

// Every Vietnamese letter, both cases, is in both fonts (the subset of
// LICENSE): a missing one would be drawn as a box.
func TestVietnameseLettersAreInBothFonts(t *testing.T) {
	reg, bold, err := Fonts()
	if err != nil {
		t.Fatal(err)
	}
	letters := []rune("ĂÂĐÊÔƠƯăâđêôơưÀÁÃÈÉÌÍÒÓÕÙÚÝàáãèéìíòóõùúýĨĩŨũ–…·%/:")
	for r := rune(0x1EA0); r <= 0x1EF9; r++ { // Ạ … ỹ
		letters = append(letters, r)
	}
	var buf sfnt.Buffer
	for name, f := range map[string]interface {
		GlyphIndex(*sfnt.Buffer, rune) (sfnt.GlyphIndex, error)
	}{"regular": reg, "bold": bold} {
		for _, r := range letters {
			if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
				t.Errorf("%s: no glyph for %q (%U)", name, r, r)
			}
		}
	}
}
