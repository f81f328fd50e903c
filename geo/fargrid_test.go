package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// cellProbes are points of cell (col, row) of g: its corners, the middles of
// its sides, its centre, and points a hair inside its corners, where a wrong
// radius would first show.
func cellProbes(g *FarGrid, col, row int) []orb.Point {
	x0, y0 := g.minX+float64(col)*farCellDegrees, g.minY+float64(row)*farCellDegrees
	x1, y1 := x0+farCellDegrees, y0+farCellDegrees
	const hair = 1e-9
	out := []orb.Point{{(x0 + x1) / 2, (y0 + y1) / 2}}
	for _, x := range []float64{x0, (x0 + x1) / 2, x1 - hair} {
		for _, y := range []float64{y0, (y0 + y1) / 2, y1 - hair} {
			out = append(out, orb.Point{x, y})
		}
	}
	return append(out, orb.Point{x0 + hair, y0 + hair}, orb.Point{x1 - hair, y0 + hair}, orb.Point{x0 + hair, y1 - hair})
}

// checkFar fails when g says p is far but a polygon contains p or has its
// boundary within the grid's distance of p, by Locate and by brute force.
func checkFar(t *testing.T, g *FarGrid, polys []orb.MultiPolygon, bounds []orb.Bound, p orb.Point) bool {
	t.Helper()
	if !g.Far(p) {
		return false
	}
	if h := g.ix.Locate(p, Options{MaxDistanceMeters: g.meters}); h.ID >= 0 {
		t.Fatalf("grid says %v is beyond %g m of every polygon, Locate finds %+v", p, g.meters, h)
	}
	window := searchWindow(p, g.meters)
	for i, mp := range polys {
		if !bounds[i].Intersects(window) {
			continue
		}
		if containsOrTouches(mp, p) {
			t.Fatalf("grid says %v is far, polygon %d contains it", p, i)
		}
		if d := boundaryDistance(mp, p); d <= g.meters {
			t.Fatalf("grid says %v is far, polygon %d is %g m away", p, i, d)
		}
	}
	return true
}

// On hand-made polygons at the equator, in France's latitudes and near the
// Arctic: no point the grid says is far has a polygon within the distance or
// around it, corners and edges of cells included; the cells far from
// everything are found far, and a point deep inside a polygon larger than
// twice the distance is never far.
func TestFarGridNeverFarNearAPolygon(t *testing.T) {
	for _, lat := range []float64{-0.3, 45, 71} {
		// x is the longitude x metres east of the meridian 0 at lat.
		x := func(m float64) float64 { return m / (metersPerDegree * math.Cos(lat*math.Pi/180)) }
		polys := []orb.MultiPolygon{
			square(0, lat, 0.02),
			// 200 km wide: its middle is 100 km from its boundary.
			{{box(x(100000), lat-0.9, x(300000), lat+0.9)}},
			// A ring with a 120 km hole: the hole's middle is in no polygon and
			// 60 km from the nearest boundary.
			{{box(x(-350000), lat-0.9, x(-150000), lat+0.9), box(x(-310000), lat-0.54, x(-190000), lat+0.54)}},
			{{orb.Ring{{x(40000), lat + 0.5}, {x(42000), lat + 0.5}, {x(40000), lat + 0.53}, {x(40000), lat + 0.5}}}},
		}
		bounds := make([]orb.Bound, len(polys))
		for i, mp := range polys {
			bounds[i] = mp.Bound()
		}
		ix := NewIndex(polys)
		grid := orb.Bound{Min: orb.Point{x(-400000), lat - 2}, Max: orb.Point{x(500000), lat + 2}}
		g := NewFarGrid(ix, grid, 30000)
		rng := rand.New(rand.NewPCG(uint64(lat*10+100), 3))
		far, probed := 0, 0
		for range 3000 {
			p := orb.Point{grid.Min[0] + rng.Float64()*(grid.Max[0]-grid.Min[0]), lat - 2 + rng.Float64()*4}
			if g.cellClass(int((p[0]-g.minX)/farCellDegrees), int((p[1]-g.minY)/farCellDegrees)) == farUnknown && g.KnownFar(p) {
				t.Fatalf("%v: known far before its cell was classified", p)
			}
			if checkFar(t, g, polys, bounds, p) {
				far++
				if !g.KnownFar(p) {
					t.Fatalf("%v: far, but not known far once classified", p)
				}
			}
		}
		for row := range g.rows {
			for col := range g.cols {
				if g.cellClass(col, row) != farFar {
					continue
				}
				for _, p := range cellProbes(g, col, row) {
					probed++
					if g.Far(p) {
						checkFar(t, g, polys, bounds, p)
					}
				}
			}
		}
		if far < 1000 || probed == 0 {
			t.Errorf("lat %g: %d random points far, %d points of far cells probed: the grid finds too little", lat, far, probed)
		}
		middle := orb.Point{x(200000), lat}
		if g.Far(middle) {
			t.Errorf("lat %g: the middle of a 200 km polygon is said far", lat)
		}
		hole := orb.Point{x(-250000), lat}
		if !g.Far(hole) {
			t.Errorf("lat %g: the middle of a 120 km hole is not found far", lat)
		}
		checkFar(t, g, polys, bounds, hole)
	}
}

// Off the grid, and for coordinates that are not numbers, nothing is far.
func TestFarGridOffTheGrid(t *testing.T) {
	ix := NewIndex([]orb.MultiPolygon{square(2, testLat, 0.01)})
	g := NewFarGrid(ix, orb.Bound{Min: orb.Point{0, 44}, Max: orb.Point{4, 46}}, 30000)
	for _, p := range []orb.Point{{-1, 45}, {5, 45}, {2, 43}, {2, 47}, {math.NaN(), 45}, {2, math.Inf(1)}} {
		if g.Far(p) {
			t.Errorf("%v: far, off the grid", p)
		}
	}
	if !g.Far(orb.Point{0.2, 44.2}) || g.Far(orb.Point{2.005, testLat + 0.005}) {
		t.Error("on the grid, a point 150 km away is not far, or a point inside is")
	}
	empty := NewFarGrid(ix, orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{1, 1}}, 30000)
	if empty.Far(orb.Point{1, 1}) {
		t.Error("an empty grid says a point is far")
	}
}

// On the real outlines, over metropolitan France's box widened by two
// degrees: a sample of points and the probes of every far cell found, checked
// by brute force against every outline; and most points that are far by
// brute force are found far.
func TestFarGridMatchesBruteForce(t *testing.T) {
	d := loadFrance(t)
	bounds := make([]orb.Bound, len(d.shapes))
	for i, s := range d.shapes {
		bounds[i] = s.Bound()
	}
	box := orb.Bound{Min: orb.Point{metroBound.Min[0] - 2, metroBound.Min[1] - 2}, Max: orb.Point{metroBound.Max[0] + 2, metroBound.Max[1] + 2}}
	g := NewFarGrid(d.index, box, 30000)
	rng := rand.New(rand.NewPCG(5, 8))
	far, farByLocate := 0, 0
	for range 6000 {
		p := orb.Point{box.Min[0] + rng.Float64()*(box.Max[0]-box.Min[0]), box.Min[1] + rng.Float64()*(box.Max[1]-box.Min[1])}
		if checkFar(t, g, d.shapes, bounds, p) {
			far++
		}
		if d.index.Locate(p, Options{MaxDistanceMeters: 30000}).ID < 0 {
			farByLocate++
		}
	}
	if far < farByLocate*9/10 {
		t.Errorf("the grid finds %d of the %d points beyond 30 km far", far, farByLocate)
	}
	// The probes of far cells next to cells that are not: the far cells nearest
	// the outlines, every cell classified first.
	for row := range g.rows {
		for col := range g.cols {
			g.Far(orb.Point{g.minX + (float64(col)+0.5)*farCellDegrees, g.minY + (float64(row)+0.5)*farCellDegrees})
		}
	}
	probed := 0
	for row := 1; row < g.rows-1; row++ {
		for col := 1; col < g.cols-1; col++ {
			if g.cellClass(col, row) != farFar {
				continue
			}
			edge := false
			for _, n := range [][2]int{{col - 1, row}, {col + 1, row}, {col, row - 1}, {col, row + 1}} {
				if c := g.cellClass(n[0], n[1]); c == farNear {
					edge = true
				}
			}
			if !edge || rng.IntN(4) != 0 {
				continue
			}
			for _, p := range cellProbes(g, col, row) {
				checkFar(t, g, d.shapes, bounds, p)
				probed++
			}
		}
	}
	if probed < 100 {
		t.Errorf("only %d probes of far cells along the near ones", probed)
	}
}

// An index's bound of a polygon spans all its parts; an empty polygon and an
// index out of range have none.
func TestIndexBound(t *testing.T) {
	twoParts := orb.MultiPolygon{{box(2, 45, 2.01, 45.01)}, {box(2.02, 44.9, 2.03, 45)}}
	ix := NewIndex([]orb.MultiPolygon{twoParts, {}, square(3, 46, 0.5)})
	if b, ok := ix.Bound(0); !ok || b != (orb.Bound{Min: orb.Point{2, 44.9}, Max: orb.Point{2.03, 45.01}}) {
		t.Errorf("Bound(0) = %v, %v", b, ok)
	}
	if b, ok := ix.Bound(2); !ok || b != (orb.Bound{Min: orb.Point{3, 46}, Max: orb.Point{3.5, 46.5}}) {
		t.Errorf("Bound(2) = %v, %v", b, ok)
	}
	for _, i := range []int{1, -1, 3} {
		if _, ok := ix.Bound(i); ok {
			t.Errorf("Bound(%d) found", i)
		}
	}
}
