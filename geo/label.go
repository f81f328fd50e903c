package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// LabelPoint is where the name of a polygon goes: the centroid of its largest
// part when it lies inside it, as it does for all but some 200 communes; else the
// middle of the widest stretch inside the part on the centroid's parallel.
func LabelPoint(mp orb.MultiPolygon) orb.Point {
	var largest orb.Polygon
	var area float64
	for _, p := range mp {
		if a := math.Abs(planar.Area(p)); largest == nil || a > area {
			largest, area = p, a
		}
	}
	if largest == nil || len(largest[0]) == 0 {
		return orb.Point{}
	}
	c, _ := planar.CentroidArea(largest)
	if area == 0 || planar.PolygonContains(largest, c) {
		return c
	}
	// Where the parallel crosses the rings, sorted: inside between the 1st and
	// 2nd crossing, the 3rd and 4th… A vertex exactly on the parallel is counted
	// once, as the half-open test below takes each edge's lower end only.
	var xs []float64
	for _, r := range largest {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if (a[1] <= c[1]) != (b[1] <= c[1]) {
				xs = append(xs, a[0]+(c[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	best, width := largest[0][0], -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			best, width = orb.Point{(xs[i] + xs[i+1]) / 2, c[1]}, w
		}
	}
	return best
}
