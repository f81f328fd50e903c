package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestIntersectsBound(t *testing.T) {
	// An L: the unit square's left column and bottom row of a 2×2 block, so the
	// top-right quarter is outside the polygon but inside its bounding box.
	ell := orb.MultiPolygon{{{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}}}
	holed := orb.MultiPolygon{{
		{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
		{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}},
	}}
	box := func(x0, y0, x1, y1 float64) orb.Bound {
		return orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
	}
	cases := []struct {
		name string
		mp   orb.MultiPolygon
		b    orb.Bound
		want bool
	}{
		{"box in the notch of the L", ell, box(1.2, 1.2, 1.8, 1.8), false},
		{"box inside the L, no vertex or edge in it", ell, box(0.2, 0.2, 0.4, 0.4), true},
		{"box around a vertex", ell, box(0.9, 0.9, 1.1, 1.1), true},
		{"box crossed by an edge, no vertex in it", ell, box(1.5, -0.5, 1.6, 0.5), true},
		{"box touching an edge from outside", ell, box(2, 0.2, 3, 0.4), true},
		{"box touching a corner only", ell, box(2, 1, 3, 3), true},
		{"box far away", ell, box(5, 5, 6, 6), false},
		{"degenerate box on the boundary", ell, box(1, 1.5, 1, 1.5), true},
		{"box inside a hole", holed, box(4.5, 4.5, 5.5, 5.5), false},
		{"box across a hole's edge", holed, box(5.5, 5.5, 6.5, 6.5), true},
		{"box containing the whole polygon", ell, box(-1, -1, 3, 3), true},
		{"empty multipolygon", orb.MultiPolygon{}, box(-1, -1, 3, 3), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := IntersectsBound(tc.mp, tc.b); got != tc.want {
				t.Errorf("IntersectsBound = %v, want %v", got, tc.want)
			}
		})
	}
}
