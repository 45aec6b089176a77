package results

import (
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"electionbot/models"
)

// Charts draws the conversation's charts (handlers.Charts) from the
// officials' view of the results: provisional numbers too. It is safe for
// concurrent use.
type Charts struct {
	Bundle *i18n.Bundle // the message bundle; nil: DefaultBundle
}

// Progress is ChartProgress of the election's officials' view.
func (c Charts) Progress(e *models.Election, ats []*models.AreaTallies, now time.Time, lang string) ([]byte, error) {
	return ChartProgress(Build(e, ats, true, now), c.Bundle, lang)
}

// Votes is ChartVotes of one area of the officials' view; ok is false
// when the area is unknown or has nothing counted yet.
func (c Charts) Votes(e *models.Election, ats []*models.AreaTallies, areaCode string, now time.Time, lang string) ([]byte, bool, error) {
	a := Build(e, ats, true, now).Area(areaCode)
	if a == nil || a.Tally == nil {
		return nil, false, nil
	}
	png, err := ChartVotes(a, c.Bundle, lang)
	return png, true, err
}

// ProgressOfWards is Progress from the areas' standings summed by ward
// (models.Store.ElectionWardStandings): the same chart for a province's
// roll-up without reading every area's tallies.
func (c Charts) ProgressOfWards(e *models.Election, ws []*models.WardStanding, now time.Time, lang string) ([]byte, error) {
	r, err := RollUpOf(e, ws, Scope{}, true, now)
	if err != nil {
		return nil, err
	}
	return ChartProgress(r, c.Bundle, lang)
}
