package mvt

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// Mercator projects lon/lat to Web Mercator normalised to [0, 1] (y downwards).
// Latitudes beyond ±85.05° are clamped to the square.
func Mercator(p orb.Point) orb.Point {
	lat := math.Max(-85.05112878, math.Min(85.05112878, p[1])) * math.Pi / 180
	return orb.Point{(p[0] + 180) / 360, (1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2}
}

// TileBound is the lon/lat box of tile z/x/y grown on each side by pad, a
// fraction of the tile's width.
func TileBound(z, x, y int, pad float64) orb.Bound {
	n := float64(int(1) << z)
	lon := func(mx float64) float64 { return mx/n*360 - 180 }
	lat := func(my float64) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*my/n))) * 180 / math.Pi }
	return orb.Bound{
		Min: orb.Point{lon(float64(x) - pad), lat(float64(y) + 1 + pad)},
		Max: orb.Point{lon(float64(x) + 1 + pad), lat(float64(y) - pad)},
	}
}

// Transform maps normalised Mercator coordinates into a tile's units.
type Transform struct {
	n, x, y float64
	extent  float64
}

// NewTransform is the transform into tile z/x/y whose side is extent units.
func NewTransform(z, x, y, extent int) Transform {
	return Transform{n: float64(int(1) << z), x: float64(x), y: float64(y), extent: float64(extent)}
}

// Apply maps a normalised Mercator point into the tile's units.
func (t Transform) Apply(m orb.Point) orb.Point {
	return orb.Point{(m[0]*t.n - t.x) * t.extent, (m[1]*t.n - t.y) * t.extent}
}

// ToTile maps a line into the tile's units: a line already in normalised
// Mercator (from SimplifyPolygons or SimplifyLines), or in lon/lat when lonlat.
func (t Transform) ToTile(l orb.LineString, lonlat bool) orb.LineString {
	out := make(orb.LineString, len(l))
	for j, p := range l {
		if lonlat {
			p = Mercator(p)
		}
		out[j] = t.Apply(p)
	}
	return out
}

// mercatorDP simplifies normalised Mercator geometry to half a CSS pixel at zoom.
func mercatorDP(zoom int) *simplify.DouglasPeuckerSimplifier {
	return simplify.DouglasPeucker(0.5 / (256 * float64(int(1)<<zoom)))
}

// SimplifyPolygons projects lon/lat outlines to normalised Mercator and
// simplifies them to half a CSS pixel (of a 256-pixel tile) at zoom.
func SimplifyPolygons(polys []orb.MultiPolygon, zoom int) []orb.MultiPolygon {
	dp := mercatorDP(zoom)
	out := make([]orb.MultiPolygon, len(polys))
	for i, mp := range polys {
		m := make(orb.MultiPolygon, 0, len(mp))
		for _, p := range mp {
			q := make(orb.Polygon, 0, len(p))
			for _, r := range p {
				q = append(q, orb.Ring(shrink(dp.LineString(project(orb.LineString(r))))))
			}
			m = append(m, q)
		}
		out[i] = m
	}
	return out
}

// SimplifyLines projects lon/lat lines to normalised Mercator and simplifies
// them as SimplifyPolygons does.
func SimplifyLines(lines []orb.LineString, zoom int) []orb.LineString {
	dp := mercatorDP(zoom)
	out := make([]orb.LineString, len(lines))
	for i, l := range lines {
		out[i] = shrink(dp.LineString(project(l)))
	}
	return out
}

// shrink copies a simplified line to a slice of its own length: the simplifier
// works in place, and the full-size array behind it would stay alive with it.
func shrink(l orb.LineString) orb.LineString {
	return append(make(orb.LineString, 0, len(l)), l...)
}

func project(l orb.LineString) orb.LineString {
	m := make(orb.LineString, len(l))
	for k, p := range l {
		m[k] = Mercator(p)
	}
	return m
}
