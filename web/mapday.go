package web

import (
	"bytes"

	"github.com/paulmach/orb"

	"zonage/zones"
)

// mapDaysKept is how many maps of days other than today are kept: a reader
// going back and forth between a few dates gets them at once, and someone asking
// for every day of a year does not hold a map for each.
const mapDaysKept = 4

// dayTileCacheBytes bounds the tiles kept for a map of another day than today,
// when its colours are not today's (whose tiles it shares otherwise).
const dayTileCacheBytes = tileCacheBytes / 8

// mapDataOn returns the map data of profession p on day (the zero Day: today), r
// being the resolver that answers for p. Today's is mapDataFor's; another day's
// is built on first use from today's outlines and simplified geometry, with the
// classes in force that day, and kept among the last mapDaysKept days asked for.
func (st *State) mapDataOn(p zones.Profession, r *zones.Resolver, day zones.Day) *mapData {
	current := st.mapDataFor(p, r)
	if day.IsZero() || day.String() == current.day {
		return current
	}
	base := st.mapData()
	st.mapDaysMu.Lock()
	defer st.mapDaysMu.Unlock()
	kept := st.mapDays[:0]
	var found *mapData
	for _, md := range st.mapDays {
		if md.sharedFrom() != base {
			continue // of a previous day or dataset
		}
		if md.profession == p && md.day == day.String() {
			found = md
			continue
		}
		kept = append(kept, md)
	}
	if found == nil {
		found = current.onDay(r, day)
	}
	st.mapDays = append([]*mapData{found}, kept...)
	if len(st.mapDays) > mapDaysKept {
		st.mapDays = st.mapDays[:mapDaysKept]
	}
	return found
}

// sharedFrom is the map data whose outlines and geometry md uses: its base, or itself.
func (md *mapData) sharedFrom() *mapData {
	if md.base != nil {
		return md.base
	}
	return md
}

// onDay is cur's map (today's, of cur.profession) on another day: the classes
// and catchments r gives that day. When every commune has today's class, the
// tiles are today's and are shared.
func (cur *mapData) onDay(r *zones.Resolver, day zones.Day) *mapData {
	md := &mapData{
		version: cur.version, day: day.String(), dated: true, profession: cur.profession, base: cur.sharedFrom(),
		classes: append([]mapClass(nil), mapClassesFor(cur.profession)...), polys: cur.polys, bounds: cur.bounds,
		departement: cur.departement, territories: cur.territories,
		catchments: map[string][]int{}, catchmentOutlines: map[string]orb.MultiLineString{},
	}
	md.classify(r, day, true)
	if bytes.Equal(md.class, cur.class) && sameClasses(md.classes, cur.classes) {
		md.tiles = cur.tiles
	} else {
		md.tiles = newTileCache(dayTileCacheBytes)
	}
	return md
}

func sameClasses(a, b []mapClass) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
