// Package geotest holds what the tests of the spatial code need and the product
// does not: a point strictly inside an outline, to probe the index and the
// snapshot with.
package geotest

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// interiorScanLines is how many horizontal lines InteriorPoint tries across
// the largest part. More lines find a deeper point at a linear cost.
const interiorScanLines = 9

// InteriorPoint returns a point strictly inside the largest part (by area)
// of mp: not on an edge and not in a hole. Among the midpoints of the
// inside intervals of a few horizontal lines, it picks the one farthest
// from the part's boundary, so that the point also stays clear of the
// slivers where neighbouring outlines overlap.
//
// Each candidate line passes between two vertex latitudes, so it never
// touches a vertex and crosses each edge at most once. For an empty or
// zero-area mp the result is a vertex of mp, or the zero point when mp has
// no vertex.
func InteriorPoint(mp orb.MultiPolygon) orb.Point {
	poly := largestPart(mp)
	if poly == nil {
		for _, p := range mp {
			for _, r := range p {
				if len(r) > 0 {
					return r[0]
				}
			}
		}
		return orb.Point{}
	}

	var ys []float64
	for _, r := range poly {
		for _, v := range r {
			ys = append(ys, v[1])
		}
	}
	slices.Sort(ys)
	ys = slices.Compact(ys)
	if len(ys) < 2 {
		return poly[0][0]
	}

	best := poly[0][0]
	bestDepthSq := -1.0
	var crossings []float64
	for line := range interiorScanLines {
		target := ys[0] + (ys[len(ys)-1]-ys[0])*(float64(line)+0.5)/interiorScanLines
		i, _ := slices.BinarySearch(ys, target)
		i = min(max(i, 1), len(ys)-1)
		y := (ys[i-1] + ys[i]) / 2
		if y <= ys[i-1] || y >= ys[i] {
			continue // adjacent floats: no line strictly between them
		}

		crossings = crossings[:0]
		forEachRingEdge(poly, func(a, b orb.Point) {
			if (a[1] > y) != (b[1] > y) {
				crossings = append(crossings, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		})
		slices.Sort(crossings)
		for k := 0; k+1 < len(crossings); k += 2 {
			x := (crossings[k] + crossings[k+1]) / 2
			if !(x > crossings[k] && x < crossings[k+1]) {
				continue
			}
			candidate := orb.Point{x, y}
			if d := polygonBoundaryDistanceSq(poly, candidate); d > bestDepthSq {
				best, bestDepthSq = candidate, d
			}
		}
	}
	return best
}

// largestPart returns the part of mp with the largest area (outer ring
// minus holes), or nil when every part has zero area.
func largestPart(mp orb.MultiPolygon) orb.Polygon {
	var best orb.Polygon
	bestArea := 0.0
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		area := math.Abs(ringArea(poly[0]))
		for _, hole := range poly[1:] {
			area -= math.Abs(ringArea(hole))
		}
		if area > bestArea {
			best, bestArea = poly, area
		}
	}
	return best
}

// ringArea is the shoelace area in square degrees, signed by orientation.
// Only used to compare parts of one multipolygon, which share a latitude.
func ringArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	sum := 0.0
	prev := r[len(r)-1]
	for _, v := range r {
		sum += (prev[0] - v[0]) * (prev[1] + v[1])
		prev = v
	}
	return sum / 2
}

// forEachRingEdge calls fn for every edge of every ring of poly, including
// the closing edge of rings whose last vertex does not repeat the first.
func forEachRingEdge(poly orb.Polygon, fn func(a, b orb.Point)) {
	for _, r := range poly {
		if len(r) < 2 {
			continue
		}
		for i := 0; i+1 < len(r); i++ {
			fn(r[i], r[i+1])
		}
		if r[0] != r[len(r)-1] {
			fn(r[len(r)-1], r[0])
		}
	}
}

// polygonBoundaryDistanceSq is the squared distance from p to the nearest edge of
// poly, in degrees of latitude, longitudes scaled by the cosine of p's latitude:
// the ranking of metres, without the unit.
func polygonBoundaryDistanceSq(poly orb.Polygon, p orb.Point) float64 {
	scale := math.Cos(p[1] * math.Pi / 180)
	at := func(q orb.Point) orb.Point { return orb.Point{q[0] * scale, q[1]} }
	best := math.Inf(1)
	forEachRingEdge(poly, func(a, b orb.Point) {
		best = min(best, planar.DistanceFromSegmentSquared(at(a), at(b), at(p)))
	})
	return best
}
