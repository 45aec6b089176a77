package results

import (
	"sort"

	"electionbot/models"
)

// The totals of the page: by ward, city and province (docs/design.md §5).

// rollUp totals a set of areas.
func rollUp(level, name string, areas []*AreaResult, admin bool) RollUp {
	r := RollUp{Level: level, Name: name, Areas: len(areas)}
	for _, a := range areas {
		r.Households += a.Households
		switch a.State {
		case StateAccepted:
			if a.Tally.OutcomeKind == models.OutcomeElected {
				r.Elected++
			}
		case StateRerun:
			r.Rerun++
		case StateProvisional:
			r.Provisional++
		case StateConflict:
			r.Conflict++
		}
		if a.Recognised() {
			r.Recognised++
			r.RecognisedHouseholds += a.Tally.Households
			r.Attending += a.Tally.Attending
		}
		if a.State != StateNotReported {
			r.Received++
		}
	}
	if !admin {
		r.Provisional, r.Conflict = 0, 0
	}
	return r
}

// rollUps totals the areas by ward, then city, then province, each level in
// order of first appearance.
func rollUps(areas []*AreaResult, admin bool) []RollUp {
	var out []RollUp
	for _, lv := range []struct {
		level string
		key   func(a *AreaResult) (key, name string)
	}{
		{"ward", func(a *AreaResult) (string, string) {
			return a.Province + "\x00" + a.City + "\x00" + a.WardCode, a.Ward
		}},
		{"city", func(a *AreaResult) (string, string) { return a.Province + "\x00" + a.City, a.City }},
		{"province", func(a *AreaResult) (string, string) { return a.Province, a.Province }},
	} {
		groups := map[string][]*AreaResult{}
		names := map[string]string{}
		var order []string
		for _, a := range areas {
			k, n := lv.key(a)
			if _, ok := groups[k]; !ok {
				order = append(order, k)
				names[k] = n
			}
			groups[k] = append(groups[k], a)
		}
		for _, k := range order {
			ru := rollUp(lv.level, names[k], groups[k], admin)
			a := groups[k][0]
			switch lv.level {
			case "ward":
				ru.Code, ru.City, ru.Province = a.WardCode, a.City, a.Province
			case "city":
				ru.Code, ru.Province = CitySlug(a.City), a.Province
			}
			out = append(out, ru)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return levelRank(out[i].Level) < levelRank(out[j].Level) })
	return out
}

func levelRank(l string) int {
	switch l {
	case "ward":
		return 0
	case "city":
		return 1
	}
	return 2
}
