package models

import (
	"context"
	"sync"
)

// The catalog is what every message reads and only `load` and `import`
// (and the meeting's nominees) change: the elections, their wards and
// areas with polling places and candidates. Each replica caches what its
// messages asked for, ward by ward, so that a message about a ward costs
// no query once the ward has been asked about, whatever the size of the
// province. A database trigger (migration 00010) sets catalog_version to a
// new token in the transaction of any change to those tables; a
// transaction reads the token once (one indexed SELECT) and the cache is
// emptied when it differs. Outside a transaction (the CLI) the store reads
// the database as before.
type catalog struct {
	mu    sync.Mutex
	token string // the version the cached rows belong to

	wards         map[int64]*Ward
	areas         map[int64]*Area       // with Ward, PollingPlace and Candidates
	wardAreas     map[[2]int64][]*Area  // (election, ward) → areas in load order
	wardElections map[int64][]*Election // ward → the elections with areas in it
	areaWards     map[int64]*Ward       // area → its ward (AreaWard)
	elections     []*Election           // every election, with Ward (CurrentElection)
	wardList      []*Ward               // Wards(); nil until read
	manyWards     *bool
}

// catalogSeen is the version one transaction read: read once, on first use.
type catalogSeen struct {
	token string
	read  bool
}

func newCatalog() *catalog { return &catalog{} }

// reset empties the cache for version token. Called with mu held.
func (c *catalog) reset(token string) {
	c.token = token
	c.wards = map[int64]*Ward{}
	c.areas = map[int64]*Area{}
	c.wardAreas = map[[2]int64][]*Area{}
	c.wardElections = map[int64][]*Election{}
	c.areaWards = map[int64]*Ward{}
	c.elections, c.wardList, c.manyWards = nil, nil, nil
}

// cached returns the catalog and the version this transaction reads it
// at, or nil outside a transaction (and when the version cannot be read:
// the store then reads the database as before).
func (s *Store) cached(ctx context.Context) (*catalog, string) {
	if s.cat == nil || s.seen == nil {
		return nil, ""
	}
	if !s.seen.read {
		var token string
		if err := s.DB(ctx).Raw(`SELECT token FROM catalog_version WHERE id = 1`).Scan(&token).Error; err != nil || token == "" {
			return nil, ""
		}
		s.seeCatalog(token)
	}
	return s.cat, s.seen.token
}

// catalogTokenColumn is the version as a column of another statement
// (EnsureContact's, which every message makes first).
const catalogTokenColumn = `(SELECT token FROM catalog_version WHERE id = 1) AS catalog_token`

// seeCatalog records the version this transaction read (its first read
// counts) and empties the cache when it holds another one.
func (s *Store) seeCatalog(token string) {
	if s.cat == nil || s.seen == nil || s.seen.read || token == "" {
		return
	}
	s.seen.token, s.seen.read = token, true
	s.cat.mu.Lock()
	if s.cat.token != token {
		s.cat.reset(token)
	}
	s.cat.mu.Unlock()
}

// get runs read under the lock when the cache holds version token.
func (c *catalog) get(token string, read func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		read()
	}
}

// fillCatalog stores what a transaction read at version token, if the
// version is still token: a transaction that changed the catalog itself
// (uncommitted, perhaps rolled back) or that read rows committed after
// its version must not fill the cache. One query, on a miss only.
func (s *Store) fillCatalog(ctx context.Context, c *catalog, token string, fill func()) {
	var now string
	if err := s.DB(ctx).Raw(`SELECT token FROM catalog_version WHERE id = 1`).Scan(&now).Error; err != nil || now != token {
		return
	}
	c.get(token, fill)
}

// The copies handed out: callers set an area's Ward or an election's, and
// must not change what other messages read.

func copyWard(w *Ward) *Ward {
	if w == nil {
		return nil
	}
	c := *w
	return &c
}

func copyElection(e *Election) *Election {
	c := *e
	c.Ward, c.Areas = copyWard(e.Ward), nil
	return &c
}

func copyArea(a *Area) *Area {
	c := *a
	c.Ward = copyWard(a.Ward)
	if a.PollingPlace != nil {
		pp := *a.PollingPlace
		c.PollingPlace = &pp
	}
	if a.Candidates != nil {
		c.Candidates = make([]*Candidate, len(a.Candidates))
		for i, cd := range a.Candidates {
			cc := *cd
			c.Candidates[i] = &cc
		}
	}
	return &c
}

func copyWards(ws []*Ward) []*Ward {
	out := make([]*Ward, len(ws))
	for i, w := range ws {
		out[i] = copyWard(w)
	}
	return out
}
