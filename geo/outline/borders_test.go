package outline

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// square is a closed ring around (lon, lat), d degrees wide.
func square(lon, lat, d float64) orb.Ring {
	return orb.Ring{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}
}

func TestBorders(t *testing.T) {
	cases := []struct {
		name  string
		polys []orb.MultiPolygon
		group []int
		// want is the length of the lines, in units of the squares' side.
		want float64
	}{
		{"one group: the outline of the union", []orb.MultiPolygon{{{square(0, 45, 0.01)}}, {{square(0.01, 45, 0.01)}}}, []int{0, 0}, 6},
		{"two groups: the border between them once", []orb.MultiPolygon{{{square(0, 45, 0.01)}}, {{square(0.01, 45, 0.01)}}}, []int{0, 1}, 7},
		// Outlines simplified one by one: the shared border drawn 30 m apart is
		// still one border.
		{"borders 30 m apart", []orb.MultiPolygon{{{square(0, 45, 0.01)}}, {{{{0.0104, 45}, {0.02, 45}, {0.02, 45.01}, {0.0104, 45.01}, {0.0104, 45}}}}}, []int{0, 0}, 6},
		{"a 2×2 block in two columns", []orb.MultiPolygon{
			{{square(0, 45, 0.01)}}, {{square(0, 45.01, 0.01)}}, {{square(0.01, 45, 0.01)}}, {{square(0.01, 45.01, 0.01)}}}, []int{0, 0, 1, 1}, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ids := make([]int, len(tc.polys))
			for i := range ids {
				ids[i] = i
			}
			lines := Borders(tc.polys, ids, func(i int) int { return tc.group[i] })
			var length float64
			for _, l := range lines {
				for i := 1; i < len(l); i++ {
					length += math.Hypot(l[i][0]-l[i-1][0], l[i][1]-l[i-1][1])
				}
			}
			if got := length / 0.01; math.Abs(got-tc.want) > 0.15 {
				t.Errorf("border length %.2f sides, want %.0f: %v", got, tc.want, lines)
			}
		})
	}
}
