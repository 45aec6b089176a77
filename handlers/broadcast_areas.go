package handlers

import (
	"regexp"
	"strings"

	"electionbot/models"
)

// The areas of a /thongbao: asked, read from a typed list, and named.

func (bc *broadcasts) askAreas(el *models.Election, msgID string, extra map[string]any) error {
	areas, err := bc.areaList()
	if err != nil {
		return err
	}
	data := map[string]any{"Areas": areaNames(areas)}
	for k, v := range extra {
		data[k] = v
	}
	bc.setState(convState{Await: awaitBcAreas})
	bc.reply(bc.tr(msgID, data), nil)
	return nil
}

func (bc *broadcasts) audienceLabel(b *models.Broadcast) (string, error) {
	switch b.Audience {
	case models.AudienceReporters:
		return bc.tr("bc_audience_reporters", nil), nil
	case models.AudienceAreas:
		areas, err := bc.areaList()
		if err != nil {
			return "", err
		}
		want := map[int64]bool{}
		for _, id := range b.Areas() {
			want[id] = true
		}
		var names []string
		for _, a := range areas {
			if want[a.ID] {
				names = append(names, a.Name)
			}
		}
		return strings.Join(names, ", "), nil
	}
	return bc.tr("bc_audience_all", nil), nil
}

var areaListSep = regexp.MustCompile(`(?i)\s*(?:[,;/\n+&]|\s(?:và|va|and)\s)\s*`)

// parseAreas reads "1, 3, 5", "kp1 kp3", "Khu phố 2 và Khu phố 4": the
// area ids, and the pieces it did not recognise.
func (bc *broadcasts) parseAreas(text string) ([]int64, []string, error) {
	areas, err := bc.areaList()
	if err != nil {
		return nil, nil, err
	}
	byNum := func(n int) *models.Area {
		for _, a := range areas {
			if areaNumber(a) == n {
				return a
			}
		}
		return nil
	}
	one := func(piece string) *models.Area {
		if n, ok := smallNumber(piece); ok {
			return byNum(n)
		}
		if n, ok := models.RomanNumeral(piece); ok {
			return byNum(n)
		}
		if a, ref, _ := matchArea(piece, areas); a != nil && strings.TrimSpace(ref.Rest) == "" {
			return a
		}
		return nil
	}
	var ids []int64
	var unknown []string
	for _, raw := range areaListSep.Split(text, -1) {
		piece := models.Fold(raw)
		if piece == "" {
			continue
		}
		if a := one(piece); a != nil {
			ids = append(ids, a.ID)
			continue
		}
		if a, _, found := matchArea(piece, areas); found && a == nil {
			unknown = append(unknown, raw) // "khu phố 12" in a ward of 6
			continue
		}
		// "kp1 kp3", "1 3 5": word by word.
		for _, w := range strings.Fields(piece) {
			if a := one(w); a != nil {
				ids = append(ids, a.ID)
			} else {
				unknown = append(unknown, w)
			}
		}
	}
	return ids, unknown, nil
}
