package geo

import "github.com/paulmach/orb"

// Locator is an Index answering as a point resolver wants: the position of the
// polygon containing p, or of the nearest one within maxDistanceM (-1 for none),
// whether p is inside it, and the distance in metres when it is only near. The
// domain's resolver (zones.Locator) takes one.
type Locator struct{ Index *Index }

// Locate is Index.Locate with MaxDistanceMeters maxDistanceM, its Hit spread out.
func (l Locator) Locate(p orb.Point, maxDistanceM float64) (id int, inside bool, distanceM float64) {
	h := l.Index.Locate(p, Options{MaxDistanceMeters: maxDistanceM})
	return h.ID, h.Inside, h.DistanceM
}
