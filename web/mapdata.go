package web

import (
	"sort"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"zonage/geo/mvt"
	"zonage/geo/outline"
	"zonage/zones"
)

// mapClass is a colour of the map: a category, or a commune the map cannot give one.
type mapClass struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Map classes beside the categories: a commune nouvelle whose former communes had
// different categories, and a commune with no zonage in force.
const (
	classAmbiguous = "ambigu"
	classNone      = "sans_zonage"
)

// classOutsideData is a commune whose known zonage starts after the map's day:
// the zonage then in force came from an earlier arrêté the data does not hold. It
// is not « sans zonage », which would say there was none; it is a class of the
// maps of such days only.
const classOutsideData = "hors_donnees"

var outsideDataClass = mapClass{classOutsideData, "hors des données (arrêté antérieur)"}

// classIndex is the index of class key in md.classes, counted once more; the
// class of the communes outside the data is added on its first commune.
func (md *mapData) classIndex(key string) uint8 {
	for i, c := range md.classes {
		if c.Key == key {
			md.counts[i]++
			return uint8(i)
		}
	}
	extra := outsideDataClass
	if key != classOutsideData {
		// A category of the data the profession's scale does not list: shown
		// under its own name rather than as another class.
		extra = mapClass{key, zones.Category(key).Label()}
	}
	md.classes = append(md.classes, extra)
	md.counts = append(md.counts, 1)
	return uint8(len(md.classes) - 1)
}

// mapClassesFor is the classes of profession p's map: its scale, then the
// communes the map cannot give a category.
func mapClassesFor(p zones.Profession) []mapClass {
	var out []mapClass
	for _, c := range p.Scale() {
		out = append(out, mapClass{string(c), c.Label()})
	}
	return append(out, mapClass{classAmbiguous, "commune nouvelle ambiguë"}, mapClass{classNone, "sans zonage en vigueur"})
}

// territory is a part of France the page can jump to.
type territory struct {
	Code   string     `json:"code"`
	Name   string     `json:"name"`
	Bounds [4]float64 `json:"bounds"` // west, south, east, north
}

// mapData is what the map is drawn from: every commune's class, outline and
// catchment for one dataset and one day (categories change on effective dates). It
// is built once per State and day; tiles and outlines are computed on demand and kept.
type mapData struct {
	version, day string
	classes      []mapClass
	class        []uint8 // per commune of the dataset
	counts       []int   // per class
	polys        []orb.MultiPolygon
	bounds       []orb.Bound
	departement  []int // per commune, index of its département in sorted order
	catchments   map[string][]int
	territories  []territory
	tiles        *tileCache

	// dated says that the map is of another day than today's: its URLs name the day.
	dated bool

	// profession is the profession the classes are for; base, for a profession
	// other than the default, is the default's map data, whose outlines and
	// simplified geometry it shares (see mapDataFor).
	profession zones.Profession
	base       *mapData
	// otherTiles, on the default's map data, keeps the tiles of the other
	// professions' maps of the same day, within one budget for all of them;
	// made by mapDataFor, under State.mapOthersMu.
	otherTiles *tileCache

	polygonOnce   [len(geomLevels)]sync.Once
	polygonLevels [len(geomLevels)][]orb.MultiPolygon
	firstView     sync.Once // see prepareFirstView
	lineOnce      [len(geomLevels)]sync.Once
	lineLevels    [len(geomLevels)][]orb.LineString

	bordersOnce  sync.Once
	borderLines  []orb.LineString
	borderBounds []orb.Bound

	outlinesMu        sync.Mutex
	catchmentOutlines map[string]orb.MultiLineString

	// communes and parentNames name the places of the label layer.
	communes    []zones.Commune
	parentNames map[string]string
	labels      labelSet
}

// mapData returns the map data for today, building it on first use and again when
// the day changes.
func (st *State) mapData() *mapData {
	day := today(st.Resolver)
	st.mapMu.Lock()
	defer st.mapMu.Unlock()
	if st.mapCur == nil || st.mapCur.day != day {
		st.mapCur = newMapData(st, day)
	}
	return st.mapCur
}

// prepareFirstView prepares, once, what the first view of France needs: the
// simplified outlines of the two low zoom levels, the départements' borders and
// the names of zoom 6; one at a time, so that requests keep the other core. The
// map page starts it while it loads, and nothing else: a server that only
// answers the API would otherwise keep some 30 MB of tile geometry it never
// draws.
func (md *mapData) prepareFirstView() {
	md.firstView.Do(func() {
		if md.polys == nil {
			return
		}
		md.polygonLevel(1)
		md.polygonLevel(0)
		md.departementBorders()
		md.placedLabels(6)
	})
}

// today is the resolver's day, the one clock the service answers by.
func today(r *zones.Resolver) string { return r.Today().String() }

// newMapData is the default profession's map for day: each commune's class and
// catchment, and, when the outlines are loaded, their bounds and the territories
// the page can jump to.
func newMapData(st *State, day string) *mapData {
	ds := st.Resolver.Dataset
	md := &mapData{
		version: ds.Meta.Version, day: day, profession: zones.DefaultProfession, classes: mapClassesFor(zones.DefaultProfession),
		catchments: map[string][]int{}, tiles: newTileCache(tileCacheBytes), catchmentOutlines: map[string]orb.MultiLineString{},
	}
	if len(st.Outlines) == len(ds.Communes) {
		md.polys = st.Outlines
		md.communes, md.parentNames = ds.Communes, ds.ParentNames
		md.bounds = make([]orb.Bound, len(ds.Communes))
		for i, mp := range md.polys {
			md.bounds[i] = mp.Bound()
		}
		md.territories = territoriesOf(ds.Communes, md.bounds)
	}
	md.departement = departementIndexes(ds.Communes)
	md.classify(st.Resolver, zones.Day{}, true)
	return md
}

// classify gives each commune its class on day (the zero Day: today) for the
// profession r answers for and counts the classes; with groupCatchments, it also
// lists the communes of each catchment the map outlines.
func (md *mapData) classify(r *zones.Resolver, day zones.Day, groupCatchments bool) {
	communes := r.Dataset.Communes
	md.class = make([]uint8, len(communes))
	md.counts = make([]int, len(md.classes))
	for i := range communes {
		class, catch := communeClass(r, &communes[i], day)
		md.class[i] = md.classIndex(class)
		if groupCatchments && catch != nil {
			k := catchmentKey(string(catch.Kind), catch.Code)
			md.catchments[k] = append(md.catchments[k], i)
		}
	}
}

// departementIndexes is, per commune, the index of its département in the
// départements sorted by code.
func departementIndexes(communes []zones.Commune) []int {
	depIdx := map[string]int{}
	for _, c := range communes {
		depIdx[c.Departement] = 0
	}
	deps := make([]string, 0, len(depIdx))
	for d := range depIdx {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	for i, d := range deps {
		depIdx[d] = i
	}
	out := make([]int, len(communes))
	for i := range communes {
		out[i] = depIdx[communes[i].Departement]
	}
	return out
}

// territoriesOf is metropolitan France then each DROM by code, with the bounds
// of their communes.
func territoriesOf(communes []zones.Commune, bounds []orb.Bound) []territory {
	terr := map[string]*territory{}
	var order []string
	for i := range communes {
		c := &communes[i]
		code, name := "metropole", "France métropolitaine"
		if strings.HasPrefix(c.Departement, "97") {
			code, name = c.Departement, c.Departement
			if r, ok := zones.RegionByCode(c.Region); ok {
				name = r.Name
			}
		}
		t, ok := terr[code]
		b := bounds[i]
		if !ok {
			t = &territory{Code: code, Name: name, Bounds: [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}
			terr[code] = t
			order = append(order, code)
		}
		t.Bounds = [4]float64{min(t.Bounds[0], b.Min[0]), min(t.Bounds[1], b.Min[1]), max(t.Bounds[2], b.Max[0]), max(t.Bounds[3], b.Max[1])}
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if (a == "metropole") != (b == "metropole") {
			return a == "metropole"
		}
		return a < b
	})
	var out []territory
	for _, code := range order {
		out = append(out, *terr[code])
	}
	return out
}

func catchmentKey(kind, code string) string { return kind + "/" + code }

// dateQuery is the date= parameter of the URLs of md's tiles: none for today's
// map, whose URLs are those of before.
func (md *mapData) dateQuery() string {
	if !md.dated {
		return ""
	}
	return "&date=" + md.day
}

// polygonLevel returns the outlines prepared for geomLevels[li].
func (md *mapData) polygonLevel(li int) []orb.MultiPolygon {
	if md.base != nil {
		return md.base.polygonLevel(li)
	}
	md.polygonOnce[li].Do(func() { md.polygonLevels[li] = mvt.SimplifyPolygons(md.polys, geomLevels[li]) })
	return md.polygonLevels[li]
}

// lineLevel returns the département borders prepared for geomLevels[li].
func (md *mapData) lineLevel(li int) []orb.LineString {
	md.lineOnce[li].Do(func() {
		lines, _ := md.departementBorders()
		md.lineLevels[li] = mvt.SimplifyLines(lines, geomLevels[li])
	})
	return md.lineLevels[li]
}

// departementBorders returns the lines between départements, with the coasts and
// frontiers, and their bounds.
func (md *mapData) departementBorders() ([]orb.LineString, []orb.Bound) {
	md.bordersOnce.Do(func() {
		if md.polys == nil {
			return
		}
		ids := make([]int, len(md.polys))
		for i := range ids {
			ids[i] = i
		}
		for _, l := range outline.Borders(md.polys, ids, func(i int) int { return md.departement[i] }) {
			md.borderLines = append(md.borderLines, l)
			md.borderBounds = append(md.borderBounds, l.Bound())
		}
	})
	return md.borderLines, md.borderBounds
}

// catchmentOutline returns the outer boundary of a catchment's communes.
func (md *mapData) catchmentOutline(key string) orb.MultiLineString {
	return md.outline(key, md.catchments[key])
}
