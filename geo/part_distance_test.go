package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// boundaryDistanceByEveryEdge is boundaryDistanceSq without skipping any
// edge: every edge of every row measured.
func (pt *part) boundaryDistanceByEveryEdge(pr *localProjection, limitSq float64) float64 {
	best := math.Inf(1)
	for r := range int(pt.rows) {
		for _, e := range pt.rowEdges(r) {
			best = min(best, pr.segmentDistanceSq(pt.verts[e], pt.verts[e+1]))
		}
	}
	if best > limitSq {
		return math.Inf(1)
	}
	return best
}

// The distance from a point to a part's boundary is the same, bit for bit,
// whatever edges the search skips: for points around and inside the parts of
// France, with limits beyond the distance, short of it, and equal to it.
func TestBoundaryDistanceSkipsNoNearerEdge(t *testing.T) {
	d := loadFrance(t)
	rng := rand.New(rand.NewPCG(5, 23))
	checked := 0
	for i := 0; i < len(d.index.parts); i += 5 {
		pt := d.index.preparedPart(int32(i))
		for range 12 {
			// Within the part's box widened by about 3 km.
			p := orb.Point{
				pt.minX - 0.04 + rng.Float64()*(pt.maxX-pt.minX+0.08),
				pt.minY - 0.03 + rng.Float64()*(pt.maxY-pt.minY+0.06),
			}
			pr := newLocalProjection(p)
			exact := pt.boundaryDistanceByEveryEdge(&pr, math.Inf(1))
			for _, limitSq := range []float64{math.Inf(1), 30000 * 30000, 1000 * 1000, exact, math.Nextafter(exact, 0), exact / 4} {
				got := pt.boundaryDistanceSq(&pr, limitSq)
				want := pt.boundaryDistanceByEveryEdge(&pr, limitSq)
				if got != want && !(math.IsInf(got, 1) && math.IsInf(want, 1)) {
					t.Fatalf("part %d, point %v, limit %g m²: %g m², every edge gives %g m²", i, p, limitSq, got, want)
				}
				checked++
			}
		}
	}
	if checked < 10000 {
		t.Fatalf("only %d distances checked", checked)
	}
}
