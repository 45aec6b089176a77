package results

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"electionbot/models"
)

// The levels of a province's results: a view covers the whole election,
// one city's wards or one ward's areas (Scope), and its roll-ups group the
// wards by city (Cities). A page of several wards shows the roll-up, not
// every area: 1,452 area blocks are no page to read on a phone, and
// rendering them was most of the page's cost.

// Scope is the part of an election a view covers; the zero Scope is all
// of it. Ward wins over City when both are set.
type Scope struct {
	Ward string // a ward's code (?ward=)
	City string // a city's slug (CitySlug) or name (?city=)
}

// IsZero reports whether the scope is the whole election.
func (s Scope) IsZero() bool { return s.Ward == "" && s.City == "" }

// Level is "ward", "city" or "" (the whole election).
func (s Scope) Level() string {
	switch {
	case s.Ward != "":
		return "ward"
	case s.City != "":
		return "city"
	}
	return ""
}

// norm is the scope as a cache key and a filter: the ward's code as
// given, else the city's slug.
func (s Scope) norm() Scope {
	if s.Ward != "" {
		return Scope{Ward: strings.TrimSpace(s.Ward)}
	}
	return Scope{City: CitySlug(s.City)}
}

func (s Scope) key() string {
	n := s.norm()
	switch {
	case n.Ward != "":
		return "w:" + n.Ward
	case n.City != "":
		return "c:" + n.City
	}
	return ""
}

func (s Scope) has(a *models.Area) bool {
	n := s.norm()
	w := a.Ward
	switch {
	case n.Ward != "":
		return w != nil && w.Code == n.Ward
	case n.City != "":
		return w != nil && CitySlug(w.City) == n.City
	}
	return true
}

// CitySlug is a city's name as ?city= carries it: lower case, without
// diacritics, words joined by "-" ("TP Móng Cái" → "tp-mong-cai"). A slug
// is its own slug, so ?city= takes the name or the slug.
func CitySlug(name string) string { return strings.ReplaceAll(models.Fold(name), " ", "-") }

// ErrNotInElection is the error of a scope naming a ward or city the
// election has no area in: the page answers 404 and says so.
var ErrNotInElection = errors.New("results: no such ward or city in the election")

// WardSource is a Source that reads one ward's areas alone, so that a
// ward's page never loads the whole province. *models.Store implements it.
type WardSource interface {
	Source
	ElectionResultsOf(ctx context.Context, code string, wardID int64) (*models.Election, []*models.AreaTallies, error)
	WardByCode(ctx context.Context, code string) (*models.Ward, error)
}

// CitySource is a WardSource that reads the areas of a set of wards
// alone, so that a city's view never loads the whole province.
// *models.Store implements it.
type CitySource interface {
	WardSource
	// ElectionWardsByCode are the wards of an election, in load order
	// (none for an unknown code).
	ElectionWardsByCode(ctx context.Context, code string) ([]*models.Ward, error)
	ElectionResultsOfWards(ctx context.Context, code string, wardIDs []int64) (*models.Election, []*models.AreaTallies, error)
}

var _ CitySource = (*models.Store)(nil)

// LoadScope is Load of a part of the election: one ward's areas (read
// alone when src is a WardSource) or one city's (read alone when src is
// a CitySource). A ward or city the election has no area in is
// ErrNotInElection; an unknown election is models.ENOTFOUND.
func LoadScope(ctx context.Context, src Source, code string, sc Scope, admin bool, now time.Time) (*Results, error) {
	sc = sc.norm()
	var (
		e     *models.Election
		areas []*models.AreaTallies
		err   error
	)
	ws, wardOK := src.(WardSource)
	cs, cityOK := src.(CitySource)
	switch {
	case wardOK && sc.Ward != "":
		w, werr := ws.WardByCode(ctx, sc.Ward)
		if models.ErrorCode(werr) == models.ENOTFOUND {
			// The election may be unknown too: that is the 404 to give.
			// No ward has id -1: the election alone is read.
			if _, _, err := ws.ElectionResultsOf(ctx, code, -1); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w: ward %q", ErrNotInElection, sc.Ward)
		}
		if werr != nil {
			return nil, werr
		}
		e, areas, err = ws.ElectionResultsOf(ctx, code, w.ID)
	case cityOK && sc.City != "":
		e, areas, err = loadCity(ctx, cs, code, sc.City)
	default:
		e, areas, err = src.ElectionResults(ctx, code)
	}
	if err != nil {
		return nil, err
	}
	if !sc.IsZero() {
		kept := areas[:0:0]
		for _, at := range areas {
			if sc.has(at.Area) {
				kept = append(kept, at)
			}
		}
		if len(kept) == 0 {
			return nil, fmt.Errorf("%w: %s %q", ErrNotInElection, sc.Level(), sc.Ward+sc.City)
		}
		areas = kept
	}
	r := Build(e, areas, admin, now)
	r.Scope = sc
	return r, nil
}

// loadCity reads the areas of the election's wards in the city (slug)
// alone, with the election as the whole election's read gives it: its
// Ward set only when the whole election is of one ward.
func loadCity(ctx context.Context, src CitySource, code, slug string) (*models.Election, []*models.AreaTallies, error) {
	all, err := src.ElectionWardsByCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	for _, w := range all {
		if CitySlug(w.City) == slug {
			ids = append(ids, w.ID)
		}
	}
	// No ward in the city: the election alone is read (ENOTFOUND when
	// unknown), and LoadScope finds no area of the city in it.
	e, areas, err := src.ElectionResultsOfWards(ctx, code, ids)
	if err == nil && len(all) > 1 {
		e.Ward, e.WardID = nil, nil
	}
	return e, areas, err
}

// placeOf is the place of a view of several wards' areas: the ward, city
// and province they all share, each "" when they differ (the province
// falls back to the election's).
func placeOf(areas []*AreaResult, province string) (wardCode, ward, city, prov string) {
	for i, a := range areas {
		if i == 0 {
			wardCode, ward, city, prov = a.WardCode, a.Ward, a.City, a.Province
			continue
		}
		if a.WardCode != wardCode || a.City != city || a.Province != prov {
			wardCode, ward = "", ""
		}
		if a.City != city || a.Province != prov {
			city = ""
		}
		if a.Province != prov {
			prov = ""
		}
	}
	if prov == "" {
		prov = province
	}
	return
}

// MultiWard reports whether the view's areas are of several wards: its
// page then shows the roll-up by city and ward instead of the areas.
func (r *Results) MultiWard() bool {
	n := 0
	for _, ru := range r.RollUps {
		if ru.Level == "ward" {
			n++
		}
	}
	return n > 1
}

// CityGroup is a city's totals and its wards' totals.
type CityGroup struct {
	RollUp
	Wards []RollUp
}

// Cities are the view's cities, in order of first appearance, each with
// its wards.
func (r *Results) Cities() []CityGroup {
	var out []CityGroup
	at := map[string]int{}
	for _, ru := range r.RollUps {
		if ru.Level == "city" {
			at[ru.Province+"\x00"+ru.Name] = len(out)
			out = append(out, CityGroup{RollUp: ru})
		}
	}
	for _, ru := range r.RollUps {
		if ru.Level != "ward" {
			continue
		}
		if i, ok := at[ru.Province+"\x00"+ru.City]; ok {
			out[i].Wards = append(out[i].Wards, ru)
		}
	}
	return out
}
