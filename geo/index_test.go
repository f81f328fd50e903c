package geo

import (
	"math"
	"testing"
	"unsafe"

	"github.com/paulmach/orb"

	"zonage/geo/geotest"
)

// Hand-made shapes sit around lon 2, lat 45, where one degree of longitude
// is metersPerDegree*cos(45°) ≈ 78.6 km.
const testLat = 45.0

var metersPerLonDegree = metersPerDegree * math.Cos(testLat*math.Pi/180)

// lonMeters converts a longitude offset in metres to degrees at testLat.
func lonMeters(m float64) float64 { return m / metersPerLonDegree }

// latMeters converts a latitude offset in metres to degrees.
func latMeters(m float64) float64 { return m / metersPerDegree }

// box returns the closed counter-clockwise ring of a lon/lat rectangle.
func box(minX, minY, maxX, maxY float64) orb.Ring {
	return orb.Ring{{minX, minY}, {maxX, minY}, {maxX, maxY}, {minX, maxY}, {minX, minY}}
}

func square(minX, minY, size float64) orb.MultiPolygon {
	return orb.MultiPolygon{{box(minX, minY, minX+size, minY+size)}}
}

func TestLocate(t *testing.T) {
	unit := square(2, testLat, 0.01)
	holed := orb.MultiPolygon{{
		box(2, testLat, 2.01, testLat+0.01),
		box(2.004, testLat+0.004, 2.006, testLat+0.006),
	}}
	twoParts := orb.MultiPolygon{
		{box(2, testLat, 2.01, testLat+0.01)},
		{box(2.02, testLat, 2.03, testLat+0.01)},
	}
	// A zero-area ring: only its boundary is inside.
	flat := orb.MultiPolygon{{orb.Ring{{2, testLat}, {2.01, testLat}, {2, testLat}}}}
	// Two squares 20 m apart along longitude.
	gap := lonMeters(20)
	west := square(2, testLat, 0.01)
	east := square(2.01+gap, testLat, 0.01)

	cases := []struct {
		name   string
		polys  []orb.MultiPolygon
		point  orb.Point
		opt    Options
		want   Hit
		distTo float64 // expected DistanceM when want.ID >= 0 and !want.Inside
	}{
		{name: "square inside", polys: []orb.MultiPolygon{unit}, point: orb.Point{2.005, testLat + 0.005}, want: Hit{ID: 0, Inside: true}},
		{name: "square outside", polys: []orb.MultiPolygon{unit}, point: orb.Point{2.02, testLat + 0.005}, want: Hit{ID: -1}},
		{name: "on edge", polys: []orb.MultiPolygon{unit}, point: orb.Point{2.01, testLat + 0.005}, want: Hit{ID: 0, Inside: true}},
		{name: "on bottom edge", polys: []orb.MultiPolygon{unit}, point: orb.Point{2.005, testLat}, want: Hit{ID: 0, Inside: true}},
		{name: "on top edge", polys: []orb.MultiPolygon{unit}, point: orb.Point{2.005, testLat + 0.01}, want: Hit{ID: 0, Inside: true}},
		{name: "on vertex", polys: []orb.MultiPolygon{unit}, point: orb.Point{2, testLat}, want: Hit{ID: 0, Inside: true}},
		{name: "on opposite vertex", polys: []orb.MultiPolygon{unit}, point: orb.Point{2.01, testLat + 0.01}, want: Hit{ID: 0, Inside: true}},
		{name: "in line with edge beyond vertex", polys: []orb.MultiPolygon{unit}, point: orb.Point{2.02, testLat}, want: Hit{ID: -1}},
		{name: "hole is outside", polys: []orb.MultiPolygon{holed}, point: orb.Point{2.005, testLat + 0.005}, want: Hit{ID: -1}},
		{name: "around hole is inside", polys: []orb.MultiPolygon{holed}, point: orb.Point{2.002, testLat + 0.005}, want: Hit{ID: 0, Inside: true}},
		{name: "hole boundary is inside", polys: []orb.MultiPolygon{holed}, point: orb.Point{2.004, testLat + 0.005}, want: Hit{ID: 0, Inside: true}},
		{name: "first part", polys: []orb.MultiPolygon{twoParts}, point: orb.Point{2.005, testLat + 0.005}, want: Hit{ID: 0, Inside: true}},
		{name: "second part", polys: []orb.MultiPolygon{twoParts}, point: orb.Point{2.025, testLat + 0.005}, want: Hit{ID: 0, Inside: true}},
		{name: "between parts", polys: []orb.MultiPolygon{twoParts}, point: orb.Point{2.015, testLat + 0.005}, want: Hit{ID: -1}},
		{
			name:  "second polygon",
			polys: []orb.MultiPolygon{unit, square(3, testLat, 0.01)},
			point: orb.Point{3.005, testLat + 0.005},
			want:  Hit{ID: 1, Inside: true},
		},
		{
			// Overlap [2.006, 2.01]: the point at 2.0085 is 0.0015° from the
			// edge of square 0 and 0.0025° from the edge of square 1.
			name:  "overlap deepest wins",
			polys: []orb.MultiPolygon{square(2, testLat, 0.01), square(2.006, testLat, 0.01)},
			point: orb.Point{2.0085, testLat + 0.005},
			want:  Hit{ID: 1, Inside: true},
		},
		{
			name:  "overlap deepest wins first",
			polys: []orb.MultiPolygon{square(2, testLat, 0.01), square(2.006, testLat, 0.01)},
			point: orb.Point{2.0075, testLat + 0.005},
			want:  Hit{ID: 0, Inside: true},
		},
		{
			name:  "overlap equal depth smaller ID",
			polys: []orb.MultiPolygon{square(2.006, testLat, 0.01), square(2, testLat, 0.01)},
			point: orb.Point{2.008, testLat + 0.005},
			want:  Hit{ID: 0, Inside: true},
		},
		{
			name:  "identical outlines smaller ID",
			polys: []orb.MultiPolygon{square(3, testLat, 0.01), unit, unit},
			point: orb.Point{2.003, testLat + 0.004},
			want:  Hit{ID: 1, Inside: true},
		},
		{
			name:   "gap nearest west",
			polys:  []orb.MultiPolygon{west, east},
			point:  orb.Point{2.01 + lonMeters(5), testLat + 0.005},
			opt:    Options{MaxDistanceMeters: 1000},
			want:   Hit{ID: 0},
			distTo: 5,
		},
		{
			name:   "gap nearest east",
			polys:  []orb.MultiPolygon{west, east},
			point:  orb.Point{2.01 + lonMeters(13), testLat + 0.005},
			opt:    Options{MaxDistanceMeters: 1000},
			want:   Hit{ID: 1},
			distTo: 7,
		},
		{
			name:   "gap middle smaller ID",
			polys:  []orb.MultiPolygon{east, west},
			point:  orb.Point{2.01 + gap/2, testLat + 0.005},
			opt:    Options{MaxDistanceMeters: 1000},
			want:   Hit{ID: 0},
			distTo: 10,
		},
		{
			name:  "gap without tolerance",
			polys: []orb.MultiPolygon{west, east},
			point: orb.Point{2.01 + lonMeters(5), testLat + 0.005},
			want:  Hit{ID: -1},
		},
		{
			name:   "near corner",
			polys:  []orb.MultiPolygon{unit},
			point:  orb.Point{2.01 + lonMeters(300), testLat + 0.01 + latMeters(400)},
			opt:    Options{MaxDistanceMeters: 1000},
			want:   Hit{ID: 0},
			distTo: 500,
		},
		{
			name:   "north of square",
			polys:  []orb.MultiPolygon{unit},
			point:  orb.Point{2.005, testLat + 0.01 + latMeters(800)},
			opt:    Options{MaxDistanceMeters: 1000},
			want:   Hit{ID: 0},
			distTo: 800,
		},
		{
			name:   "in hole with tolerance",
			polys:  []orb.MultiPolygon{holed},
			point:  orb.Point{2.005, testLat + 0.005},
			opt:    Options{MaxDistanceMeters: 1000},
			want:   Hit{ID: 0},
			distTo: 0.001 * metersPerLonDegree, // to the hole's west edge
		},
		{
			name:  "beyond tolerance",
			polys: []orb.MultiPolygon{west, east},
			point: orb.Point{2.03 + lonMeters(1200), testLat + 0.005},
			opt:   Options{MaxDistanceMeters: 1000},
			want:  Hit{ID: -1},
		},
		{
			name:  "beyond tolerance diagonally",
			polys: []orb.MultiPolygon{unit},
			point: orb.Point{2.01 + lonMeters(800), testLat + 0.01 + latMeters(800)},
			opt:   Options{MaxDistanceMeters: 1000},
			want:  Hit{ID: -1},
		},
		{name: "flat ring boundary", polys: []orb.MultiPolygon{flat}, point: orb.Point{2.005, testLat}, want: Hit{ID: 0, Inside: true}},
		{name: "flat ring off", polys: []orb.MultiPolygon{flat}, point: orb.Point{2.005, testLat + 0.001}, want: Hit{ID: -1}},
		{name: "empty index", polys: nil, point: orb.Point{2, testLat}, opt: Options{MaxDistanceMeters: 1000}, want: Hit{ID: -1}},
		{name: "empty polygon", polys: []orb.MultiPolygon{{}, unit}, point: orb.Point{2.005, testLat + 0.005}, want: Hit{ID: 1, Inside: true}},
		{name: "NaN point", polys: []orb.MultiPolygon{unit}, point: orb.Point{math.NaN(), testLat}, opt: Options{MaxDistanceMeters: 1000}, want: Hit{ID: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := NewIndex(tc.polys).Locate(tc.point, tc.opt)
			if got.ID != tc.want.ID || got.Inside != tc.want.Inside {
				t.Fatalf("Locate(%v) = %+v, want ID %d Inside %v", tc.point, got, tc.want.ID, tc.want.Inside)
			}
			switch {
			case got.ID >= 0 && !got.Inside:
				if math.Abs(got.DistanceM-tc.distTo) > 1 {
					t.Errorf("DistanceM = %.3f, want %.3f ± 1", got.DistanceM, tc.distTo)
				}
			case got.DistanceM != 0:
				t.Errorf("DistanceM = %v, want 0", got.DistanceM)
			}
		})
	}
}

// TestLocateLargePart checks containment on a part large enough for a fine
// grid against a plain ray cast over every edge: on vertices, on a lattice
// of points, and on the grid's own row and column limits, where rounding
// could misplace a point.
func TestLocateLargePart(t *testing.T) {
	// A star-like ring with 400 vertices and a hole.
	var outer, hole orb.Ring
	const n = 400
	for i := range n {
		a := 2 * math.Pi * float64(i) / n
		r := 0.05 + 0.02*math.Sin(7*a)
		outer = append(outer, orb.Point{2 + r*math.Cos(a), testLat + r*math.Sin(a)})
	}
	outer = append(outer, outer[0])
	for i := range 40 {
		a := -2 * math.Pi * float64(i) / 40
		hole = append(hole, orb.Point{2 + 0.01*math.Cos(a), testLat + 0.01*math.Sin(a)})
	}
	poly := orb.Polygon{outer, hole} // hole left open on purpose
	ix := NewIndex([]orb.MultiPolygon{{poly}})
	if rows := ix.parts[0].rows; rows < 20 {
		t.Fatalf("part has %d grid rows, want many", rows)
	}

	probe := func(t *testing.T, p orb.Point, want bool) {
		t.Helper()
		if got := ix.Locate(p, Options{}); got.Inside != want || (want && got.ID != 0) {
			t.Errorf("Locate(%v) = %+v, want inside %v", p, got, want)
		}
	}
	t.Run("vertices", func(t *testing.T) {
		for _, v := range outer {
			probe(t, v, true)
		}
		for _, v := range hole {
			probe(t, v, true)
		}
	})
	t.Run("edge midpoints", func(t *testing.T) {
		// Midpoints of axis-aligned or diagonal edges are exactly on the
		// edge only in exact arithmetic; check the ones that are.
		for i := 0; i+1 < len(outer); i++ {
			m := orb.Point{(outer[i][0] + outer[i+1][0]) / 2, (outer[i][1] + outer[i+1][1]) / 2}
			if onSegment(outer[i], outer[i+1], m) {
				probe(t, m, true)
			}
		}
	})
	want := func(p orb.Point) bool {
		onBoundary := onRing(outer, p) || onRing(hole, p)
		return onBoundary || (ringContainsStrictly(outer, p) && !ringContainsStrictly(hole, p))
	}
	pt := &ix.parts[0]
	t.Run("lattice", func(t *testing.T) {
		for i := 0; i <= 200; i++ {
			for j := 0; j <= 200; j++ {
				p := orb.Point{
					pt.minX - 0.001 + (pt.maxX-pt.minX+0.002)*float64(i)/200,
					pt.minY - 0.001 + (pt.maxY-pt.minY+0.002)*float64(j)/200,
				}
				probe(t, p, want(p))
			}
		}
	})
	t.Run("cell limits", func(t *testing.T) {
		for r := int32(0); r <= pt.rows; r++ {
			for c := int32(0); c <= pt.cols; c++ {
				p := orb.Point{
					pt.minX + float64(c)*(pt.maxX-pt.minX)/float64(pt.cols),
					pt.minY + float64(r)*(pt.maxY-pt.minY)/float64(pt.rows),
				}
				probe(t, p, want(p))
			}
		}
	})
}

// ringContainsStrictly is a plain even-odd ray cast over every edge.
func ringContainsStrictly(r orb.Ring, p orb.Point) bool {
	inside := false
	for i := range r {
		a, b := r[i], r[(i+1)%len(r)]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < a[0]+(p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
			inside = !inside
		}
	}
	return inside && !onRing(r, p)
}

func onRing(r orb.Ring, p orb.Point) bool {
	for i := range r {
		if onSegment(r[i], r[(i+1)%len(r)], p) {
			return true
		}
	}
	return false
}

func TestInteriorPoint(t *testing.T) {
	star := orb.Ring{}
	for i := range 10 {
		a := 2 * math.Pi * float64(i) / 10
		r := 0.01
		if i%2 == 1 {
			r = 0.004
		}
		star = append(star, orb.Point{2 + r*math.Cos(a), testLat + r*math.Sin(a)})
	}
	star = append(star, star[0])
	uShape := orb.Ring{{2, testLat}, {2.03, testLat}, {2.03, testLat + 0.03}, {2.02, testLat + 0.03},
		{2.02, testLat + 0.01}, {2.01, testLat + 0.01}, {2.01, testLat + 0.03}, {2, testLat + 0.03}, {2, testLat}}

	cases := []struct {
		name  string
		shape orb.MultiPolygon
		part  int // index of the part the point must be in
	}{
		{name: "square", shape: square(2, testLat, 0.01)},
		{name: "square with hole at centre", shape: orb.MultiPolygon{{
			box(2, testLat, 2.01, testLat+0.01),
			box(2.003, testLat+0.003, 2.007, testLat+0.007),
		}}},
		{name: "star", shape: orb.MultiPolygon{{star}}},
		{name: "u shape", shape: orb.MultiPolygon{{uShape}}},
		{name: "largest part last", shape: orb.MultiPolygon{{box(3, testLat, 3.001, testLat+0.001)}, {box(2, testLat, 2.01, testLat+0.01)}}, part: 1},
		{name: "open ring", shape: orb.MultiPolygon{{orb.Ring{{2, testLat}, {2.01, testLat}, {2.01, testLat + 0.01}, {2, testLat + 0.01}}}}},
		{name: "clockwise ring", shape: orb.MultiPolygon{{orb.Ring{{2, testLat}, {2, testLat + 0.01}, {2.01, testLat + 0.01}, {2.01, testLat}, {2, testLat}}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := geotest.InteriorPoint(tc.shape)
			poly := tc.shape[tc.part]
			if onRing(poly[0], p) {
				t.Fatalf("InteriorPoint = %v is on the outer ring", p)
			}
			if !ringContainsStrictly(poly[0], p) {
				t.Fatalf("InteriorPoint = %v is not inside the largest part", p)
			}
			for _, h := range poly[1:] {
				if onRing(h, p) || ringContainsStrictly(h, p) {
					t.Fatalf("InteriorPoint = %v is in or on a hole", p)
				}
			}
			if got := NewIndex([]orb.MultiPolygon{tc.shape}).Locate(p, Options{}); got != (Hit{ID: 0, Inside: true}) {
				t.Fatalf("Locate(InteriorPoint) = %+v", got)
			}
		})
	}

	t.Run("degenerate", func(t *testing.T) {
		if got := geotest.InteriorPoint(nil); got != (orb.Point{}) {
			t.Errorf("geotest.InteriorPoint(nil) = %v, want zero point", got)
		}
		flat := orb.MultiPolygon{{orb.Ring{{2, testLat}, {2.01, testLat}, {2, testLat}}}}
		if got := geotest.InteriorPoint(flat); got != (orb.Point{2, testLat}) {
			t.Errorf("geotest.InteriorPoint(flat) = %v, want its first vertex", got)
		}
	})
}

// TestLocateConcurrent runs queries from many goroutines; with -race it
// checks that Locate only reads the Index.
func TestLocateConcurrent(t *testing.T) {
	polys := []orb.MultiPolygon{square(2, testLat, 0.01), square(2.006, testLat, 0.01), square(2.03, testLat, 0.01)}
	ix := NewIndex(polys)
	points := []struct {
		p    orb.Point
		want int
	}{
		{orb.Point{2.001, testLat + 0.005}, 0},
		{orb.Point{2.0085, testLat + 0.005}, 1},
		{orb.Point{2.035, testLat + 0.005}, 2},
		{orb.Point{2.025, testLat + 0.005}, 2},
	}
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				q := points[(g+i)%len(points)]
				if got := ix.Locate(q.p, Options{MaxDistanceMeters: 1000}); got.ID != q.want {
					t.Errorf("Locate(%v) = %+v, want ID %d", q.p, got, q.want)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

// TestPartSize guards the cache-line layout described on part.
func TestPartSize(t *testing.T) {
	if size := unsafe.Sizeof(part{}); size != 128 {
		t.Errorf("part is %d bytes, want 128", size)
	}
	if offset := unsafe.Offsetof(part{}.layout); offset != 64 {
		t.Errorf("part.layout is at offset %d, want 64", offset)
	}
}
