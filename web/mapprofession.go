package web

import (
	"github.com/gin-gonic/gin"

	"zonage/zones"
)

// communeClass is the map class of commune c on day (the zero Day: today) for
// the profession r answers for, with the catchment the map groups it in (the one
// its zonage names, else its own).
func communeClass(r *zones.Resolver, c *zones.Commune, day zones.Day) (string, *zones.Catchment) {
	res, err := r.ResolveCodeOn(c.Code, day)
	class, catch := classNone, c.Catchment
	switch {
	case err != nil:
	case res.OutsideData:
		class = classOutsideData
	case res.Status == zones.StatusOK && res.Zonage != nil:
		class = string(res.Zonage.Category)
		if res.Zonage.Catchment != nil {
			catch = res.Zonage.Catchment
		}
	case res.Status == zones.StatusAmbiguous:
		class = classAmbiguous
	}
	return class, catch
}

// otherTileCacheBytes bounds the tiles kept for each profession other than the
// default: few ask for their maps, whose tiles must not take the memory of the
// default map's.
const otherTileCacheBytes = tileCacheBytes / 4

// mapDataFor returns the map data of profession p for today, r being the
// resolver that answers for p. The default profession's is the map's own
// (mapData); another's is built from it on first use, and again when the day
// changes: its own classes, counts and communes' tiles over the same outlines and
// simplified geometry. The départements' tiles are the same for every profession
// and come from the default's.
func (st *State) mapDataFor(p zones.Profession, r *zones.Resolver) *mapData {
	base := st.mapData()
	if p == zones.DefaultProfession {
		return base
	}
	st.mapOthersMu.Lock()
	defer st.mapOthersMu.Unlock()
	if md := st.mapOthers[p]; md != nil && md.base == base {
		return md
	}
	md := base.forProfession(p, r)
	if st.mapOthers == nil {
		st.mapOthers = map[zones.Profession]*mapData{}
	}
	st.mapOthers[p] = md
	return md
}

// forProfession is base's map for profession p: the classes of p's scale, each
// commune's from r.
func (base *mapData) forProfession(p zones.Profession, r *zones.Resolver) *mapData {
	md := &mapData{
		version: base.version, day: base.day, profession: p, base: base, classes: mapClassesFor(p),
		polys: base.polys, bounds: base.bounds,
		departement: base.departement, territories: base.territories, tiles: newTileCache(otherTileCacheBytes),
	}
	md.classify(r, zones.Day{}, false)
	return md
}

// professionVintage is the vintage of the zonage r answers from.
func professionVintage(r *zones.Resolver) string {
	if ps, ok := r.Dataset.ProfessionSource(r.Profession()); ok {
		return ps.ZonageVintage
	}
	return r.Dataset.Meta.ZonageVintage
}

// layerMapData reads profession= and date= for a tile set and returns the map data its
// tiles are drawn from: the profession's for the communes, the default's for the
// départements, whose borders and names are every profession's. ok is false
// when a problem was written.
func (st *State) layerMapData(c *gin.Context, layer string) (*mapData, bool) {
	day, ok := dayParam(c, c.Query("date"))
	if !ok {
		return nil, false
	}
	p, r, ok := professionFromParams(c, st)
	if !ok {
		return nil, false
	}
	if layer == layerDepartements {
		// Borders and names are the same on every day.
		return st.mapData(), true
	}
	return st.mapDataOn(p, r, day), true
}
