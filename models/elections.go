package models

import (
	"context"
	"slices"
	"time"
)

// CurrentElection is the election residents are asking about: the next one
// that has not closed yet, or else the most recent one.
func (s Elections) CurrentElection(ctx context.Context) (*Election, error) {
	cat, token := s.cached(ctx)
	if cat == nil {
		return s.currentElectionDB(ctx)
	}
	var all []*Election
	cat.get(token, func() { all = cat.elections })
	if all == nil {
		if err := s.DB(ctx).Preload("Ward").Order("opens_at DESC, id").Find(&all).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "elections")
		}
		if all == nil {
			all = []*Election{}
		}
		s.fillCatalog(ctx, cat, token, func() { cat.elections = all })
	}
	e := currentOf(all, s.now())
	if e == nil {
		return nil, Errorf(ENOTFOUND, "no election is loaded")
	}
	return copyElection(e), nil
}

// currentOf is the current election among es (betterCurrent's rule), nil
// when there is none.
func currentOf(es []*Election, now time.Time) *Election {
	var cur *Election
	for _, e := range es {
		if cur == nil || betterCurrent(e.OpensAt, e.ClosesAt, cur.OpensAt, cur.ClosesAt, now) {
			cur = e
		}
	}
	return cur
}

func (s Elections) currentElectionDB(ctx context.Context) (*Election, error) {
	var e Election
	now := s.now()
	err := s.DB(ctx).Preload("Ward").Where("closes_at >= ?", now).Order("opens_at ASC").Take(&e).Error
	if err == nil {
		return &e, nil
	}
	err = s.DB(ctx).Preload("Ward").Order("opens_at DESC").Take(&e).Error
	if err != nil {
		return nil, notFound(err, "no election is loaded")
	}
	return &e, nil
}

// ElectionByCode finds an election by its code.
func (s Elections) ElectionByCode(ctx context.Context, code string) (*Election, error) {
	var e Election
	if err := s.DB(ctx).Preload("Ward").Where("code = ?", code).Take(&e).Error; err != nil {
		return nil, notFound(err, "election %q not found", code)
	}
	return &e, nil
}

// Areas lists an election's areas in load order, with their wards, polling
// places and candidates (by ballot number). A message never needs this
// (WardAreas is bounded by one ward); the CLI and fan-outs do.
func (s Elections) Areas(ctx context.Context, electionID int64) ([]*Area, error) {
	var areas []*Area
	err := s.DB(ctx).Preload("Ward").Preload("PollingPlace").
		Preload("Candidates", func(db *gormDB) *gormDB { return db.Order("ballot_no") }).
		Where("election_id = ?", electionID).Order("id").Find(&areas).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "areas of election %d", electionID)
	}
	return areas, nil
}

// Area finds one area with its ward, polling place and candidates.
func (s Elections) Area(ctx context.Context, id int64) (*Area, error) {
	cat, token := s.cached(ctx)
	if cat == nil {
		return s.areaDB(ctx, id)
	}
	var a *Area
	cat.get(token, func() { a = cat.areas[id] })
	if a == nil {
		var err error
		if a, err = s.areaDB(ctx, id); err != nil {
			return nil, err
		}
		s.fillCatalog(ctx, cat, token, func() { cat.areas[id] = copyArea(a) })
	}
	return copyArea(a), nil
}

func (s Elections) areaDB(ctx context.Context, id int64) (*Area, error) {
	var a Area
	err := s.DB(ctx).Preload("Ward").Preload("PollingPlace").
		Preload("Candidates", func(db *gormDB) *gormDB { return db.Order("ballot_no") }).
		Where("id = ?", id).Take(&a).Error
	if err != nil {
		return nil, notFound(err, "area %d not found", id)
	}
	return &a, nil
}

// ElectionByID finds an election with its ward.
func (s Elections) ElectionByID(ctx context.Context, id int64) (*Election, error) {
	var e Election
	if err := s.DB(ctx).Preload("Ward").Where("id = ?", id).Take(&e).Error; err != nil {
		return nil, notFound(err, "election %d not found", id)
	}
	return &e, nil
}

// WardAreas lists one ward's areas in an election, in load order, with
// their polling places and candidates; each area's Ward is w.
func (s Elections) WardAreas(ctx context.Context, electionID int64, w *Ward) ([]*Area, error) {
	cat, token := s.cached(ctx)
	if cat == nil {
		return s.wardAreasDB(ctx, electionID, w)
	}
	key := [2]int64{electionID, w.ID}
	var areas []*Area
	cat.get(token, func() { areas = cat.wardAreas[key] })
	if areas == nil {
		var err error
		if areas, err = s.wardAreasDB(ctx, electionID, w); err != nil {
			return nil, err
		}
		s.fillCatalog(ctx, cat, token, func() {
			keep := make([]*Area, len(areas))
			for i, a := range areas {
				keep[i] = copyArea(a)
				if cat.areas[a.ID] == nil {
					cat.areas[a.ID] = keep[i]
				}
			}
			cat.wardAreas[key] = keep
		})
	}
	out := make([]*Area, len(areas))
	for i, a := range areas {
		out[i] = copyArea(a)
		out[i].Ward = w
	}
	return out, nil
}

func (s Elections) wardAreasDB(ctx context.Context, electionID int64, w *Ward) ([]*Area, error) {
	var areas []*Area
	err := s.DB(ctx).Preload("PollingPlace").
		Preload("Candidates", func(db *gormDB) *gormDB { return db.Order("ballot_no") }).
		Where("election_id = ? AND ward_id = ?", electionID, w.ID).Order("id").Find(&areas).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "areas of ward %s in election %d", w.Code, electionID)
	}
	for _, a := range areas {
		a.Ward = w
	}
	return areas, nil
}

// ElectionForWard is the election a ward's residents are asking about:
// the next one with areas in the ward that has not closed yet, or else the
// most recent one. Its Ward is w. ENOTFOUND when the ward has none.
func (s Elections) ElectionForWard(ctx context.Context, w *Ward) (*Election, error) {
	cat, token := s.cached(ctx)
	if cat == nil {
		return s.electionForWardDB(ctx, w)
	}
	var es []*Election
	cat.get(token, func() { es = cat.wardElections[w.ID] })
	if es == nil {
		// Every election of the ward, in one query bounded by the ward;
		// the current one is chosen here (no query that misses).
		inWard := s.DB(ctx).Model(&Area{}).Select("election_id").Where("ward_id = ?", w.ID)
		if err := s.DB(ctx).Where("id IN (?)", inWard).Order("opens_at DESC, id").Find(&es).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "elections of ward %s", w.Code)
		}
		if es == nil {
			es = []*Election{}
		}
		s.fillCatalog(ctx, cat, token, func() { cat.wardElections[w.ID] = es })
	}
	e := currentOf(es, s.now())
	if e == nil {
		return nil, Errorf(ENOTFOUND, "no election in ward %s", w.Code)
	}
	c := copyElection(e)
	c.Ward = w
	return c, nil
}

func (s Elections) electionForWardDB(ctx context.Context, w *Ward) (*Election, error) {
	var e Election
	inWard := s.DB(ctx).Model(&Area{}).Select("election_id").Where("ward_id = ?", w.ID)
	err := s.DB(ctx).Where("id IN (?) AND closes_at >= ?", inWard, s.now()).Order("opens_at ASC").Take(&e).Error
	if err != nil {
		inWard = s.DB(ctx).Model(&Area{}).Select("election_id").Where("ward_id = ?", w.ID)
		err = s.DB(ctx).Where("id IN (?)", inWard).Order("opens_at DESC").Take(&e).Error
	}
	if err != nil {
		return nil, notFound(err, "no election in ward %s", w.Code)
	}
	e.Ward = w
	return &e, nil
}

// Ward finds a ward by id.
func (s Elections) Ward(ctx context.Context, id int64) (*Ward, error) {
	cat, token := s.cached(ctx)
	if cat == nil {
		return s.wardDB(ctx, id)
	}
	var w *Ward
	cat.get(token, func() { w = cat.wards[id] })
	if w == nil {
		var err error
		if w, err = s.wardDB(ctx, id); err != nil {
			return nil, err
		}
		s.fillCatalog(ctx, cat, token, func() { cat.wards[id] = copyWard(w) })
	}
	return copyWard(w), nil
}

func (s Elections) wardDB(ctx context.Context, id int64) (*Ward, error) {
	var w Ward
	if err := s.DB(ctx).Where("id = ?", id).Take(&w).Error; err != nil {
		return nil, notFound(err, "ward %d not found", id)
	}
	return &w, nil
}

// WardByCode finds a ward by its code.
func (s Elections) WardByCode(ctx context.Context, code string) (*Ward, error) {
	var w Ward
	if err := s.DB(ctx).Where("code = ?", code).Take(&w).Error; err != nil {
		return nil, notFound(err, "ward %q not found", code)
	}
	return &w, nil
}

// Wards lists the wards that have areas in some election, by city and
// name: the wards a resident may be placed in.
func (s Elections) Wards(ctx context.Context) ([]*Ward, error) {
	cat, token := s.cached(ctx)
	if cat == nil {
		return s.wardsDB(ctx)
	}
	var ws []*Ward
	cat.get(token, func() { ws = cat.wardList })
	if ws == nil {
		var err error
		if ws, err = s.wardsDB(ctx); err != nil {
			return nil, err
		}
		if ws == nil {
			ws = []*Ward{}
		}
		s.fillCatalog(ctx, cat, token, func() { cat.wardList = copyWards(ws) })
	}
	return copyWards(ws), nil
}

func (s Elections) wardsDB(ctx context.Context) ([]*Ward, error) {
	var ws []*Ward
	err := s.DB(ctx).Where("EXISTS (SELECT 1 FROM areas WHERE areas.ward_id = wards.id)").
		Order("city, name, id").Find(&ws).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "wards")
	}
	return ws, nil
}

// ElectionWards lists an election's wards, in the order of their first
// area (the file's order).
func (s Elections) ElectionWards(ctx context.Context, electionID int64) ([]*Ward, error) {
	var ws []*Ward
	err := s.DB(ctx).Raw(`SELECT w.* FROM wards w JOIN (SELECT ward_id, MIN(id) AS first FROM areas
		WHERE election_id = ? GROUP BY ward_id) a ON a.ward_id = w.id ORDER BY a.first`, electionID).Scan(&ws).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "wards of election %d", electionID)
	}
	return ws, nil
}

// AreaWard is the ward of an area.
func (s Elections) AreaWard(ctx context.Context, areaID int64) (*Ward, error) {
	cat, token := s.cached(ctx)
	if cat == nil {
		return s.areaWardDB(ctx, areaID)
	}
	var w *Ward
	cat.get(token, func() {
		if a := cat.areas[areaID]; a != nil {
			w = a.Ward
		} else {
			w = cat.areaWards[areaID]
		}
	})
	if w == nil {
		var err error
		if w, err = s.areaWardDB(ctx, areaID); err != nil {
			return nil, err
		}
		s.fillCatalog(ctx, cat, token, func() { cat.areaWards[areaID] = copyWard(w) })
	}
	return copyWard(w), nil
}

func (s Elections) areaWardDB(ctx context.Context, areaID int64) (*Ward, error) {
	var w Ward
	err := s.DB(ctx).Where("id = (?)", s.DB(ctx).Model(&Area{}).Select("ward_id").Where("id = ?", areaID)).Take(&w).Error
	if err != nil {
		return nil, notFound(err, "area %d not found", areaID)
	}
	return &w, nil
}

// WardsNamed lists the wards (with areas in some election) whose folded
// name (WardFolded) is one of names: the lookup of the ward names a
// message may contain, by index, whatever the number of wards.
func (s Elections) WardsNamed(ctx context.Context, names []string) ([]*Ward, error) {
	if len(names) == 0 {
		return nil, nil
	}
	if cat, token := s.cached(ctx); cat != nil {
		// The wards (a province's few hundred) are cached once per
		// version: no query per message.
		var ws []*Ward
		found := false
		match := func(all []*Ward) {
			for _, w := range all {
				if slices.Contains(names, w.Folded) {
					ws = append(ws, copyWard(w)) // only the wards named are copied
				}
			}
		}
		cat.get(token, func() {
			if cat.wardList != nil {
				match(cat.wardList)
				found = true
			}
		})
		if found {
			return ws, nil
		}
		all, err := s.Wards(ctx)
		if err != nil {
			return nil, err
		}
		match(all)
		return ws, nil
	}
	var ws []*Ward
	// EXISTS, not IN (all areas' wards): an index seek per ward named.
	err := s.DB(ctx).Where("folded IN ? AND EXISTS (SELECT 1 FROM areas WHERE areas.ward_id = wards.id)", names).
		Order("city, name, id").Find(&ws).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "wards named")
	}
	return ws, nil
}

// ManyWards says whether residents have more than one ward to be placed
// in (a province's deployment) — without listing them.
func (s Elections) ManyWards(ctx context.Context) (bool, error) {
	cat, token := s.cached(ctx)
	if cat == nil {
		return s.manyWardsDB(ctx)
	}
	var many *bool
	cat.get(token, func() { many = cat.manyWards })
	if many != nil {
		return *many, nil
	}
	m, err := s.manyWardsDB(ctx)
	if err != nil {
		return false, err
	}
	s.fillCatalog(ctx, cat, token, func() { cat.manyWards = &m })
	return m, nil
}

func (s Elections) manyWardsDB(ctx context.Context) (bool, error) {
	var n int64
	err := s.DB(ctx).Raw(`SELECT COUNT(*) FROM (SELECT DISTINCT ward_id FROM areas LIMIT 2) w`).Scan(&n).Error
	if err != nil {
		return false, Wrap(EINTERNAL, err, "count wards")
	}
	return n > 1, nil
}
