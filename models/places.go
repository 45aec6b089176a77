package models

import (
	"context"
	"math"
	"sort"
	"time"
)

// PlaceNear is a polling place near a point: its area (with Ward and
// PollingPlace), and how far it is.
type PlaceNear struct {
	Area       *Area
	DistanceKm float64
}

// earthRadiusKm is the mean radius used by the haversine distance.
const earthRadiusKm = 6371.0

// DistanceKm is the great-circle distance between two points (haversine).
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// maxPlacesScanned bounds the rows one PlacesNear reads.
const maxPlacesScanned = 500

// PlacesNear lists the polling places within radiusKm of a point, nearest
// first, at most limit: the places of each ward's current election (see
// ElectionForWard). The query is a box around the point, so its cost does
// not grow with the province.
func (s Elections) PlacesNear(ctx context.Context, lat, lon, radiusKm float64, limit int) ([]PlaceNear, error) {
	dLat := radiusKm / 111.0
	dLon := radiusKm / (111.0 * math.Max(0.01, math.Cos(lat*math.Pi/180)))
	type row struct {
		PollingPlace
		WardID     int64
		ElectionID int64
		OpensAt    time.Time
		ClosesAt   time.Time
	}
	var rows []row
	err := s.DB(ctx).Table("polling_places p").
		Select("p.*, a.ward_id, a.election_id, e.opens_at, e.closes_at").
		Joins("JOIN areas a ON a.id = p.area_id").Joins("JOIN elections e ON e.id = a.election_id").
		Where("p.lat BETWEEN ? AND ? AND p.lon BETWEEN ? AND ?", lat-dLat, lat+dLat, lon-dLon, lon+dLon).
		Limit(maxPlacesScanned).Scan(&rows).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "polling places near %.4f,%.4f", lat, lon)
	}
	// Each ward's current election among those seen.
	now := s.now()
	current := map[int64]row{}
	for _, r := range rows {
		c, ok := current[r.WardID]
		if !ok || betterCurrent(r.OpensAt, r.ClosesAt, c.OpensAt, c.ClosesAt, now) {
			current[r.WardID] = r
		}
	}
	var near []PlaceNear
	var areaIDs []int64
	for _, r := range rows {
		if current[r.WardID].ElectionID != r.ElectionID || r.Lat == nil || r.Lon == nil {
			continue
		}
		d := DistanceKm(lat, lon, *r.Lat, *r.Lon)
		if d > radiusKm {
			continue
		}
		pp := r.PollingPlace
		near = append(near, PlaceNear{Area: &Area{ID: r.AreaID, PollingPlace: &pp}, DistanceKm: d})
	}
	sort.SliceStable(near, func(i, j int) bool { return near[i].DistanceKm < near[j].DistanceKm })
	if len(near) > limit {
		near = near[:limit]
	}
	for _, n := range near {
		areaIDs = append(areaIDs, n.Area.ID)
	}
	if len(areaIDs) == 0 {
		return nil, nil
	}
	var areas []*Area
	if err := s.DB(ctx).Preload("Ward").Where("id IN ?", areaIDs).Find(&areas).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "areas near %.4f,%.4f", lat, lon)
	}
	byID := make(map[int64]*Area, len(areas))
	for _, a := range areas {
		byID[a.ID] = a
	}
	out := near[:0]
	for _, n := range near {
		if a := byID[n.Area.ID]; a != nil {
			a.PollingPlace = n.Area.PollingPlace
			out = append(out, PlaceNear{Area: a, DistanceKm: n.DistanceKm})
		}
	}
	return out, nil
}

// betterCurrent says whether election a is a better "current" election
// than b (ElectionForWard's rule): one not closed beats a closed one; among
// open ones the sooner, among closed ones the later.
func betterCurrent(aOpens, aCloses, bOpens, bCloses, now time.Time) bool {
	aOpen, bOpen := !aCloses.Before(now), !bCloses.Before(now)
	switch {
	case aOpen != bOpen:
		return aOpen
	case aOpen:
		return aOpens.Before(bOpens)
	default:
		return aOpens.After(bOpens)
	}
}
