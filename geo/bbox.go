package geo

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// IntersectsBound reports whether mp and the box b share at least one point,
// boundaries included — the test OGC API – Features asks of a bbox filter and
// the one GDAL applies to the features it receives. The box is closed; lon/lat
// are treated as plane coordinates, as both do.
func IntersectsBound(mp orb.MultiPolygon, b orb.Bound) bool {
	if !mp.Bound().Intersects(b) {
		return false
	}
	for _, p := range mp {
		if len(p) == 0 || !p.Bound().Intersects(b) {
			continue
		}
		// A vertex in the box, or an edge crossing it: they meet.
		for _, r := range p {
			for i := range r {
				if b.Contains(r[i]) {
					return true
				}
				if i > 0 && segmentMeetsBound(r[i-1], r[i], b) {
					return true
				}
			}
		}
		// No edge meets the box: it is inside the polygon entirely or outside it.
		if planar.PolygonContains(p, b.Min) {
			return true
		}
	}
	return false
}

// segmentMeetsBound reports whether the segment a–b meets the closed box, by
// clipping its parameter range against each slab (Liang–Barsky).
func segmentMeetsBound(a, b orb.Point, box orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	d := [2]float64{b[0] - a[0], b[1] - a[1]}
	for axis := 0; axis < 2; axis++ {
		lo, hi := box.Min[axis], box.Max[axis]
		if d[axis] == 0 {
			if a[axis] < lo || a[axis] > hi {
				return false
			}
			continue
		}
		ta, tb := (lo-a[axis])/d[axis], (hi-a[axis])/d[axis]
		if ta > tb {
			ta, tb = tb, ta
		}
		if ta > t0 {
			t0 = ta
		}
		if tb < t1 {
			t1 = tb
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}
