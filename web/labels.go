package web

import (
	"math"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
	"zonage/geo"
	"zonage/geo/mvt"

	"github.com/paulmach/orb"
)

// The commune names of the map, drawn from the server's own data so that the map
// reads without anyone else's tiles: a layer "noms" of points, tag n = the name,
// in the tiles of the départements' borders, which are drawn over the colours.
// Which names show at a zoom is decided once for all of France, largest
// population first, leaving out a name whose box would overlap one already
// placed; a tile then carries every placed name whose box touches it, so that a
// name across two tiles is drawn by both, in the same place.
const (
	layerNames = "noms"
	// labelCharPx and labelHeightPx size a name's box as the page draws it (600
	// weight, 12 px): a little wide, so that neighbours keep a gap.
	labelCharPx   = 7.2
	labelHeightPx = 16
	labelPadPx    = 6
)

// labelMinPopulation is the smallest population named at a zoom: below zoom 12 a
// name in an empty spot would otherwise fill the map with hamlets.
func labelMinPopulation(z int) int {
	switch {
	case z <= 5:
		return 150000
	case z == 6:
		return 60000
	case z == 7:
		return 25000
	case z == 8:
		return 10000
	case z == 9:
		return 4000
	case z == 10:
		return 1500
	case z == 11:
		return 500
	}
	return 0
}

// label is a name to place: its point in normalised Mercator and the zooms it is for.
type label struct {
	name       string
	at         orb.Point
	population int
	minZ, maxZ int
}

// placedLabel is a name placed at a zoom, with its box in world pixels.
type placedLabel struct {
	*label
	box orb.Bound
}

type labelSet struct {
	once  sync.Once
	all   []label
	zooms [maxBordersZoom + 1]struct {
		once   sync.Once
		placed []placedLabel
	}
}

// candidates lists the names: each commune at its interior point, and Paris, Lyon
// and Marseille by their own name up to zoom 11, their arrondissements from 12
// (« Paris 6e »).
func (md *mapData) labelCandidates() []label {
	md.labels.once.Do(func() {
		type city struct {
			sum        orb.Point
			weight     float64
			population int
			name       string
		}
		cities := map[string]*city{}
		for i := range md.communes {
			c := &md.communes[i]
			if len(md.polys[i]) == 0 {
				continue
			}
			p := mvt.Mercator(geo.LabelPoint(md.polys[i]))
			l := label{name: c.Name, at: p, population: c.Population, minZ: 0, maxZ: maxBordersZoom}
			if c.Parent != "" {
				l.minZ = 12
				parent := md.parentNames[c.Parent]
				l.name = strings.TrimSuffix(c.Name, " Arrondissement")
				ct := cities[c.Parent]
				if ct == nil {
					ct = &city{name: parent}
					cities[c.Parent] = ct
				}
				w := float64(c.Population) + 1
				ct.sum = orb.Point{ct.sum[0] + p[0]*w, ct.sum[1] + p[1]*w}
				ct.weight += w
				ct.population += c.Population
			}
			md.labels.all = append(md.labels.all, l)
		}
		codes := make([]string, 0, len(cities))
		for code := range cities {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			ct := cities[code]
			if ct.name == "" {
				continue
			}
			md.labels.all = append(md.labels.all, label{name: ct.name, at: orb.Point{ct.sum[0] / ct.weight, ct.sum[1] / ct.weight},
				population: ct.population, minZ: 0, maxZ: 11})
		}
		// Largest first; ties by name, so that the placement never depends on map order.
		sort.SliceStable(md.labels.all, func(i, j int) bool {
			a, b := md.labels.all[i], md.labels.all[j]
			if a.population != b.population {
				return a.population > b.population
			}
			return a.name < b.name
		})
	})
	return md.labels.all
}

// placedLabels returns the names placed at zoom z, with their boxes in world
// pixels (256 per tile).
func (md *mapData) placedLabels(z int) []placedLabel {
	zl := &md.labels.zooms[z]
	zl.once.Do(func() {
		all := md.labelCandidates()
		world := 256 * float64(int(1)<<z)
		const cell = 128.0
		grid := map[[2]int32][]int{}
		least := labelMinPopulation(z)
		for i := range all {
			l := &all[i]
			if z < l.minZ || z > l.maxZ || l.population < least {
				continue
			}
			x, y := l.at[0]*world, l.at[1]*world
			w := float64(utf8.RuneCountInString(l.name))*labelCharPx + labelPadPx
			box := orb.Bound{Min: orb.Point{x - w/2, y - labelHeightPx/2}, Max: orb.Point{x + w/2, y + labelHeightPx/2}}
			x0, y0 := int32(math.Floor(box.Min[0]/cell)), int32(math.Floor(box.Min[1]/cell))
			x1, y1 := int32(math.Floor(box.Max[0]/cell)), int32(math.Floor(box.Max[1]/cell))
			free := true
			for gx := x0; gx <= x1 && free; gx++ {
				for gy := y0; gy <= y1 && free; gy++ {
					for _, k := range grid[[2]int32{gx, gy}] {
						if zl.placed[k].box.Intersects(box) {
							free = false
							break
						}
					}
				}
			}
			if !free {
				continue
			}
			for gx := x0; gx <= x1; gx++ {
				for gy := y0; gy <= y1; gy++ {
					grid[[2]int32{gx, gy}] = append(grid[[2]int32{gx, gy}], len(zl.placed))
				}
			}
			zl.placed = append(zl.placed, placedLabel{label: l, box: box})
		}
	})
	return zl.placed
}

// namesLayer is the layer of the names whose box touches tile k.
func (md *mapData) namesLayer(k tileKey) *mvt.Layer {
	layer := mvt.NewLayer(layerNames, "n", tileExtent)
	if k.z > maxBordersZoom || md.communes == nil {
		return layer
	}
	tile := orb.Bound{Min: orb.Point{float64(k.x) * 256, float64(k.y) * 256}, Max: orb.Point{float64(k.x+1) * 256, float64(k.y+1) * 256}}
	tr := newTileTransform(k)
	for _, p := range md.placedLabels(k.z) {
		if !p.box.Intersects(tile) {
			continue
		}
		var geom mvt.Geometry
		geom.Point(mvt.Round(tr.Apply(p.at)))
		layer.Add(mvt.Point, &geom, p.name)
	}
	return layer
}
