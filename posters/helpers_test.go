package posters

import (
	"testing"

	"electionbot/locales"
	"electionbot/models"
)

// xa is a thôn of a xã, as the store loads it.
func xa() (*models.Election, *models.Area) {
	lat, lon := 21.51, 107.9
	w := &models.Ward{ID: 2, Code: "hai-tien", Name: "Xã Hải Tiến", City: "TP Móng Cái", Province: "Quảng Ninh", Kind: models.WardCommune}
	e := &models.Election{Code: "quang-ninh-2022", Title: "Bầu cử Trưởng thôn, khu phố nhiệm kỳ 2022–2025",
		Date: "2022-06-05", Opens: "07:00", Closes: "11:00", Province: "Quảng Ninh"}
	a := &models.Area{ID: 123, WardID: 2, Code: "thon-1", Name: "Thôn 1", Ward: w,
		PollingPlace: &models.PollingPlace{Name: "Nhà văn hóa thôn 1", Address: "Thôn 1, xã Hải Tiến, TP Móng Cái", Lat: &lat, Lon: &lon}}
	return e, a
}

func localizers(t testing.TB) *locales.Localizers {
	t.Helper()
	b, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	return locales.NewLocalizers(b, "vi")
}

// compose is the poster of area a for the bot electionbot_test.
func compose(t testing.TB, lang string, e *models.Election, a *models.Area) Poster {
	t.Helper()
	l := NewLink(a, "electionbot_test", "")
	p, err := Compose(localizers(t), lang, e, a, l, "electionbot_test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
