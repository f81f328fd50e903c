package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// The Locator spreads out what Locate answers, with the distance the caller gives.
func TestLocator(t *testing.T) {
	// Two squares 20 m apart along longitude, the second one the point's.
	gap := lonMeters(20)
	l := Locator{Index: NewIndex([]orb.MultiPolygon{square(2, testLat, 0.01), square(2.01+gap, testLat, 0.01)})}
	cases := []struct {
		name       string
		p          orb.Point
		maxM       float64
		wantID     int
		wantInside bool
		wantM      float64
	}{
		{"inside the second", orb.Point{2.015 + gap, testLat + 0.005}, 0, 1, true, 0},
		{"in the gap, 5 m from the first", orb.Point{2.01 + lonMeters(5), testLat + 0.005}, 100, 0, false, 5},
		{"beyond the distance", orb.Point{2.03 + gap + lonMeters(200), testLat + 0.005}, 100, -1, false, 0},
		// Longitude first: the same numbers the other way round are far away.
		{"latitude first is elsewhere", orb.Point{testLat + 0.005, 2.015 + gap}, 1000, -1, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, inside, m := l.Locate(tc.p, tc.maxM)
			if id != tc.wantID || inside != tc.wantInside || math.Abs(m-tc.wantM) > 0.5 {
				t.Errorf("Locate(%v, %g) = %d, %v, %.1f m; want %d, %v, %.1f m", tc.p, tc.maxM, id, inside, m, tc.wantID, tc.wantInside, tc.wantM)
			}
		})
	}
}
