package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// earthRadiusMeters is the mean Earth radius (IUGG), the usual choice for
// spherical approximations of WGS84 distances.
const earthRadiusMeters = 6371008.8

// metersPerDegree is the length of one degree of a great circle.
const metersPerDegree = earthRadiusMeters * math.Pi / 180

// localProjection maps lon/lat to metres on a plane tangent at origin
// (equirectangular, longitude scaled by cos(latitude of origin)). Distances
// measured from origin are accurate to well under a metre within a few
// kilometres, which is all this package ever measures.
type localProjection struct {
	origin  orb.Point
	xMeters float64 // metres per degree of longitude at origin
	yMeters float64 // metres per degree of latitude
}

func newLocalProjection(origin orb.Point) localProjection {
	return localProjection{
		origin:  origin,
		xMeters: metersPerDegree * math.Cos(origin[1]*math.Pi/180),
		yMeters: metersPerDegree,
	}
}

// segmentDistanceSq returns the squared distance in square metres from the
// projection origin to the segment ab.
//
// Neighbouring outlines often share vertices and edges (in either
// direction), and a tie between them must be an exact tie. So the result
// does not depend on the order of a and b, and when the nearest point is an
// endpoint its distance is computed from that endpoint alone.
func (pr *localProjection) segmentDistanceSq(a, b orb.Point) float64 {
	if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
		a, b = b, a
	}
	ax := (a[0] - pr.origin[0]) * pr.xMeters
	ay := (a[1] - pr.origin[1]) * pr.yMeters
	bx := (b[0] - pr.origin[0]) * pr.xMeters
	by := (b[1] - pr.origin[1]) * pr.yMeters
	dx, dy := bx-ax, by-ay
	// t is the position along ab of the origin's projection, times |ab|².
	t := -(ax*dx + ay*dy)
	lengthSq := dx*dx + dy*dy
	switch {
	case t <= 0:
		return ax*ax + ay*ay
	case t >= lengthSq:
		return bx*bx + by*by
	}
	t /= lengthSq
	x := ax + t*dx
	y := ay + t*dy
	return x*x + y*y
}

// boxDistanceSq returns the squared distance in square metres from the
// projection origin to the lon/lat box; 0 when the origin is inside it.
func (pr *localProjection) boxDistanceSq(minX, minY, maxX, maxY float64) float64 {
	dx := 0.0
	if pr.origin[0] < minX {
		dx = (minX - pr.origin[0]) * pr.xMeters
	} else if pr.origin[0] > maxX {
		dx = (pr.origin[0] - maxX) * pr.xMeters
	}
	dy := 0.0
	if pr.origin[1] < minY {
		dy = (minY - pr.origin[1]) * pr.yMeters
	} else if pr.origin[1] > maxY {
		dy = (pr.origin[1] - maxY) * pr.yMeters
	}
	return dx*dx + dy*dy
}
