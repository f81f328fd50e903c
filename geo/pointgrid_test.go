package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// treeOwners are the polygons containing p as the R-tree finds them, the way
// Locate found them before the point grid: the reference the grid must match.
func treeOwners(ix *Index, p orb.Point) []int32 {
	var found ownerSet
	ix.tree.Search(p, p, func(_, _ [2]float64, i int32) bool {
		if owner := ix.parts[i].owner; !found.has(owner) && ix.preparedPart(i).contains(p) {
			found.add(owner)
		}
		return true
	})
	return sortedOwners(&found)
}

func gridOwners(ix *Index, p orb.Point) []int32 {
	var found ownerSet
	ix.containing(p, &found)
	return sortedOwners(&found)
}

func sortedOwners(found *ownerSet) []int32 {
	var owners []int32
	found.each(func(o int32) { owners = append(owners, o) })
	slices.Sort(owners)
	return owners
}

// On every commune of France, the grid finds the same communes as the R-tree:
// at random points of metropolitan France and of the overseas départements,
// and at the corners and edges of every part's box, where a point is in a box
// by a hair or out of it by a hair, and where a cell's rounding would show.
func TestPointGridFindsWhatTheTreeFinds(t *testing.T) {
	d := loadFrance(t)
	ix := d.index
	if ix.points == nil {
		t.Fatal("no point grid over the communes of France")
	}
	check := func(p orb.Point, what string) {
		t.Helper()
		if got, want := gridOwners(ix, p), treeOwners(ix, p); !slices.Equal(got, want) {
			t.Fatalf("%s %v: the grid finds %v, the tree %v", what, p, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	boxes := []orb.Bound{
		metroBound,
		{Min: orb.Point{-61.9, 15.8}, Max: orb.Point{-60.8, 16.6}}, // Guadeloupe
		{Min: orb.Point{-61.3, 14.3}, Max: orb.Point{-60.8, 14.9}}, // Martinique
		{Min: orb.Point{-54.7, 2.0}, Max: orb.Point{-51.5, 5.9}},   // Guyane
		{Min: orb.Point{55.1, -21.5}, Max: orb.Point{55.9, -20.8}}, // La Réunion
		{Min: orb.Point{44.9, -13.1}, Max: orb.Point{45.4, -12.6}}, // Mayotte
	}
	for _, b := range boxes {
		for range 20000 {
			check(orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}, "random point")
		}
	}
	edges := 0
	for i := range ix.parts {
		pt := &ix.parts[i]
		xs := []float64{pt.minX, math.Nextafter(pt.minX, math.Inf(-1)), pt.maxX, math.Nextafter(pt.maxX, math.Inf(1)), (pt.minX + pt.maxX) / 2}
		ys := []float64{pt.minY, math.Nextafter(pt.minY, math.Inf(-1)), pt.maxY, math.Nextafter(pt.maxY, math.Inf(1)), (pt.minY + pt.maxY) / 2}
		for _, x := range xs {
			for _, y := range ys {
				check(orb.Point{x, y}, "box point")
				edges++
			}
		}
	}
	// A point on a cell's edge, in a degree with no box, and off the grid.
	for _, p := range []orb.Point{{2.0, 48.0}, {2 + 1.0/pointGridFine, 48 + 3.0/pointGridFine}, {-30, 40}, {179, 89}, {-179, -89}} {
		check(p, "point")
	}
	t.Logf("%d random points and %d points on boxes' edges", 20000*len(boxes), edges)
}

// Parts spread over the whole globe get no grid: the R-tree answers alone,
// with the same answers.
func TestPointGridLeftToTheTreeOverTheGlobe(t *testing.T) {
	square := func(x, y, side float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}}}}
	}
	var polys []orb.MultiPolygon
	for x := -179.0; x < 179; x += 2.5 {
		for y := -85.0; y < 85; y += 2.5 {
			polys = append(polys, square(x, y, 2))
		}
	}
	ix := NewIndex(polys)
	if ix.points != nil {
		t.Fatal("a grid over the whole globe")
	}
	if h := ix.Locate(orb.Point{-178, -84}, Options{}); h.ID != 0 || !h.Inside {
		t.Fatalf("Locate without the grid: %+v", h)
	}
	// Over a few degrees, the grid is there and agrees.
	small := NewIndex(polys[:10])
	if small.points == nil {
		t.Fatal("no grid over ten squares")
	}
	for i := range 10 {
		b := polys[i].Bound()
		p := orb.Point{b.Min[0] + 1, b.Min[1] + 1}
		if h := small.Locate(p, Options{}); h.ID != i || !h.Inside {
			t.Fatalf("square %d: %+v", i, h)
		}
	}
}
