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
func (pr *localProjection) segmentDistanceSq(a, b orb.Point) float64 {
	ax := (a[0] - pr.origin[0]) * pr.xMeters
	ay := (a[1] - pr.origin[1]) * pr.yMeters
	dx := (b[0] - pr.origin[0]) * pr.xMeters
	dy := (b[1] - pr.origin[1]) * pr.yMeters
	dx -= ax
	dy -= ay
	t := 0.0
	if lengthSq := dx*dx + dy*dy; lengthSq > 0 {
		t = -(ax*dx + ay*dy) / lengthSq
		if t < 0 {
			t = 0
		} else if t > 1 {
			t = 1
		}
	}
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
