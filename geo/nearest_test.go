package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// nearestInTreeOrder is nearest as it was before parts were measured nearest
// box first: the parts of each window in the R-tree's order. The answers must
// be the same, bit for bit.
func (ix *Index) nearestInTreeOrder(p orb.Point, maxMeters float64) Hit {
	pr := newLocalProjection(p)
	for radius := min(maxMeters, nearestFirstRadius); ; radius = min(maxMeters, radius*4) {
		dy := radius / pr.yMeters * 1.001
		dx := 360.0
		if pr.xMeters > 0 {
			dx = min(dx, radius/pr.xMeters*1.001)
		}
		best := noHit
		bestSq := radius * radius
		ix.tree.Search([2]float64{p[0] - dx, p[1] - dy}, [2]float64{p[0] + dx, p[1] + dy},
			func(_, _ [2]float64, i int32) bool {
				pt := &ix.parts[i]
				if pr.boxDistanceSq(pt.minX, pt.minY, pt.maxX, pt.maxY) > bestSq {
					return true
				}
				d := ix.preparedPart(i).boundaryDistanceSq(&pr, bestSq)
				if math.IsInf(d, 1) {
					return true
				}
				if best.ID < 0 || d < bestSq || (d == bestSq && int(pt.owner) < best.ID) {
					best.ID = int(pt.owner)
					bestSq = d
				}
				return true
			})
		if best.ID >= 0 {
			best.DistanceM = math.Sqrt(bestSq)
		}
		if best.ID >= 0 || radius >= maxMeters {
			return best
		}
	}
}

// offshorePoints are n points of metropolitan France's box in no outline and
// beyond 1000 m of every one, with an outline within 30 km (near) or not.
func offshorePoints(d *franceData, n int, wantNear bool) []orb.Point {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []orb.Point
	for len(out) < n {
		p := orb.Point{
			metroBound.Min[0] + rng.Float64()*(metroBound.Max[0]-metroBound.Min[0]),
			metroBound.Min[1] + rng.Float64()*(metroBound.Max[1]-metroBound.Min[1]),
		}
		if d.index.Locate(p, Options{MaxDistanceMeters: 1000}).ID >= 0 {
			continue
		}
		if (d.index.nearestInTreeOrder(p, 30000).ID >= 0) == wantNear {
			out = append(out, p)
		}
	}
	return out
}

// Measuring the parts of a window nearest box first finds the same polygon at
// the same distance, bit for bit, as measuring them in the R-tree's order: off
// the coasts, abroad, along borders and in the slivers between outlines.
func TestNearestSameInAnyOrder(t *testing.T) {
	d := loadFrance(t)
	rng := rand.New(rand.NewPCG(7, 11))
	points := offshorePoints(d, 3000, true)
	for range 20000 {
		points = append(points, orb.Point{
			metroBound.Min[0] + rng.Float64()*(metroBound.Max[0]-metroBound.Min[0]),
			metroBound.Min[1] + rng.Float64()*(metroBound.Max[1]-metroBound.Min[1]),
		})
	}
	// Points a few metres off outline vertices: in slivers, on both sides of borders.
	for i := 0; i < len(d.shapes); i += 7 {
		ring := d.shapes[i][0][0]
		v := ring[rng.IntN(len(ring))]
		points = append(points, orb.Point{v[0] + (rng.Float64()-0.5)*1e-3, v[1] + (rng.Float64()-0.5)*1e-3})
	}
	differ := 0
	for _, p := range points {
		for _, maxMeters := range []float64{1000, 30000} {
			got, want := d.index.nearest(p, maxMeters), d.index.nearestInTreeOrder(p, maxMeters)
			if got != want {
				differ++
				if differ < 10 {
					t.Errorf("nearest(%v, %g) = %+v, in the R-tree's order %+v", p, maxMeters, got, want)
				}
			}
		}
	}
	if differ > 0 {
		t.Fatalf("%d of %d searches differ", differ, 2*len(points))
	}
}

// BenchmarkNearest measures the 30 km search of points off the outlines: near
// ones (an outline within 30 km) and far ones, nearest box first and in the
// R-tree's order, in one run.
func BenchmarkNearest(b *testing.B) {
	d := loadFrance(b)
	for _, near := range []bool{true, false} {
		points := offshorePoints(d, 1<<12, near)
		name := "far"
		if near {
			name = "near"
		}
		for _, order := range []string{"box-first", "tree-order"} {
			b.Run(name+"/"+order, func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					p := points[i&(len(points)-1)]
					if order == "box-first" {
						d.index.nearest(p, 30000)
					} else {
						d.index.nearestInTreeOrder(p, 30000)
					}
					i++
				}
			})
		}
	}
}
