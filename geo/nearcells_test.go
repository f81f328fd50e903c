package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// nearestByBruteForce is nearest measured on every part of the index.
func (ix *Index) nearestByBruteForce(p orb.Point, maxMeters float64) Hit {
	pr := newLocalProjection(p)
	best := noHit
	bestSq := maxMeters * maxMeters
	for i := range ix.parts {
		d := ix.preparedPart(int32(i)).boundaryDistanceSq(&pr, bestSq)
		if math.IsInf(d, 1) {
			continue
		}
		if owner := int(ix.parts[i].owner); best.ID < 0 || d < bestSq || (d == bestSq && owner < best.ID) {
			best.ID, bestSq = owner, d
		}
	}
	if best.ID >= 0 {
		best.DistanceM = math.Sqrt(bestSq)
	}
	return best
}

// nearCellPoints are points of metropolitan France's grid whose cells are
// classified near: off the coasts and across the borders, random ones, the
// probes of near cells and the points one float step either side of their
// edges, and points a few metres off outline vertices.
func nearCellPoints(d *franceData, g *FarGrid) []orb.Point {
	rng := rand.New(rand.NewPCG(3, 17))
	points := offshorePoints(d, 3000, true)
	for range 20000 {
		points = append(points, orb.Point{
			g.minX + rng.Float64()*float64(g.cols)*farCellDegrees,
			g.minY + rng.Float64()*float64(g.rows)*farCellDegrees,
		})
	}
	for i := 0; i < len(d.shapes); i += 5 {
		ring := d.shapes[i][0][0]
		v := ring[rng.IntN(len(ring))]
		points = append(points, orb.Point{v[0] + (rng.Float64()-0.5)*2e-2, v[1] + (rng.Float64()-0.5)*2e-2})
	}
	for _, p := range points {
		g.Far(p)
	}
	for row := range g.rows {
		for col := range g.cols {
			if g.cellClass(col, row) != farNear || rng.IntN(12) != 0 {
				continue
			}
			x0, y0 := g.minX+float64(col)*farCellDegrees, g.minY+float64(row)*farCellDegrees
			x1, y1 := x0+farCellDegrees, y0+farCellDegrees
			points = append(points, cellProbes(g, col, row)...)
			for _, x := range []float64{math.Nextafter(x0, math.Inf(-1)), x0, math.Nextafter(x0, math.Inf(1)),
				math.Nextafter(x1, math.Inf(-1)), x1, math.Nextafter(x1, math.Inf(1))} {
				for _, y := range []float64{math.Nextafter(y0, math.Inf(-1)), y0, math.Nextafter(y0, math.Inf(1)),
					(y0 + y1) / 2, math.Nextafter(y1, math.Inf(-1)), y1, math.Nextafter(y1, math.Inf(1))} {
					points = append(points, orb.Point{x, y})
				}
			}
		}
	}
	return points
}

// The nearest search among a near cell's candidates finds the same polygon at
// the same distance, bit for bit, as the search of the whole index, for every
// distance up to the grid's; and the same as measuring every part, on a sample.
func TestNearestInCellMatchesFullSearch(t *testing.T) {
	d := loadFrance(t)
	ix := NewIndex(d.shapes)
	box := orb.Bound{Min: orb.Point{metroBound.Min[0] - 2, metroBound.Min[1] - 2}, Max: orb.Point{metroBound.Max[0] + 2, metroBound.Max[1] + 2}}
	g := NewFarGrid(ix, box, 30000)
	points := nearCellPoints(d, g)
	rng := rand.New(rand.NewPCG(9, 4))
	compared, differ, brute := 0, 0, 0
	for _, p := range points {
		g.Far(p)
		for _, maxMeters := range []float64{1000, 7000, 30000} {
			got, ok := g.nearestInCell(p, maxMeters)
			if !ok {
				continue
			}
			compared++
			want := ix.nearest(p, maxMeters)
			if got != want {
				differ++
				if differ < 10 {
					t.Errorf("nearestInCell(%v, %g) = %+v, the whole index's %+v", p, maxMeters, got, want)
				}
			}
			if maxMeters == 30000 && rng.IntN(40) == 0 {
				brute++
				if all := ix.nearestByBruteForce(p, maxMeters); got != all {
					t.Errorf("nearestInCell(%v, %g) = %+v, measuring every part %+v", p, maxMeters, got, all)
				}
			}
		}
	}
	if differ > 0 {
		t.Fatalf("%d of %d searches differ", differ, compared)
	}
	t.Logf("%d searches in near cells compared, %d by brute force", compared, brute)
	if compared < 30000 || brute < 200 {
		t.Fatalf("only %d searches in near cells compared, %d by brute force", compared, brute)
	}
	// Beyond the grid's distance, or off the grid, the grid does not answer.
	if _, ok := g.nearestInCell(points[0], 30001); ok {
		t.Errorf("the grid answers a search wider than its distance")
	}
	if _, ok := g.nearestInCell(orb.Point{box.Max[0] + 1, box.Max[1]}, 1000); ok {
		t.Errorf("the grid answers off its box")
	}
	// Locate through the grid answers as the whole search does.
	for _, p := range points[:2000] {
		h := ix.Locate(p, Options{MaxDistanceMeters: 30000})
		if !h.Inside && h != ix.nearest(p, 30000) {
			t.Errorf("Locate(%v) = %+v, the whole index's nearest %+v", p, h, ix.nearest(p, 30000))
		}
	}
}

// Several goroutines finding the candidates of the same cells at once read
// the same answers.
func TestNearestInCellConcurrentFirstUse(t *testing.T) {
	d := loadFrance(t)
	ix := NewIndex(d.shapes)
	g := NewFarGrid(ix, metroBound, 30000)
	points := offshorePoints(d, 400, true)
	for _, p := range points {
		g.Far(p)
	}
	// A cell with too many candidates leaves the search to the whole index
	// (ok false); every other answer is the whole search's.
	type answer struct {
		hit Hit
		ok  bool
	}
	done := make(chan []answer)
	for range 4 {
		go func() {
			var answers []answer
			for _, p := range points {
				h, ok := g.nearestInCell(p, 30000)
				answers = append(answers, answer{h, ok})
			}
			done <- answers
		}()
	}
	answered := 0
	for range 4 {
		answers := <-done
		for i, p := range points {
			if !answers[i].ok {
				continue
			}
			answered++
			if want := ix.nearest(p, 30000); answers[i].hit != want {
				t.Fatalf("nearestInCell(%v) = %+v, want %+v", p, answers[i].hit, want)
			}
		}
	}
	if answered < len(points) {
		t.Fatalf("the cells' candidates answer only %d of %d searches", answered, 4*len(points))
	}
}
