package geo

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The name of a polygon shaped like a C goes inside it, not at its centroid in
// the hollow; a square's is at its centre.
func TestLabelPoint(t *testing.T) {
	c := orb.MultiPolygon{{orb.Ring{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 2}, {3, 2}, {3, 3}, {0, 3}, {0, 0}}}}
	p := LabelPoint(c)
	if !planar.MultiPolygonContains(c, p) {
		t.Errorf("label point %v outside the commune", p)
	}
	sq := orb.MultiPolygon{{box(2, 48, 3, 49)}}
	if p := LabelPoint(sq); p != (orb.Point{2.5, 48.5}) {
		t.Errorf("label point of a square %v, want its centre", p)
	}
}
