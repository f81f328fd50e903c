// Package outline draws the lines between groups of polygons from outlines that
// share no topology: the borders between départements from the outlines of their
// communes, or the outer boundary of a set of communes. Outlines simplified one by
// one do not share their vertices, so neighbours' edges are matched within a
// distance rather than exactly.
package outline

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// borderToleranceM is how far apart two outlines may run and still be one border.
// The commune outlines were simplified one by one at 30 m (ADMIN EXPRESS as
// published), so a border shared by two communes is drawn twice, up to about 60 m
// apart: matching edges exactly would leave most internal borders in place.
const borderToleranceM = 75

// maxPieceM is the longest edge piece judged as a whole, from its midpoint: a long
// edge shared over part of its length only is cut so that each part is judged on
// its own. Where three outlines meet on a long straight edge, a border may stop up
// to half a piece short or long; halving the pieces doubles the work.
const maxPieceM = 300

// borderEdge is one piece of an outline edge, with the outline it belongs to.
type borderEdge struct {
	a, b  orb.Point
	owner int32
}

// Borders returns the lines to draw between groups of outlines. An edge piece of
// outline i that runs, within borderToleranceM, along an outline of the same group
// is internal and left out; one that runs along outlines of other groups only is
// kept once, from the side of the lowest group; one that runs along no other
// outline (a coast, a frontier) is kept. ids are the outlines considered; group
// gives each one's group. With a single group, the result is the outer boundary of
// the union of the outlines.
//
// Groups are done one at a time, each with only the outlines of other groups that
// come near it: all of France at once would hold four million edge pieces, some
// 200 MB, for a second.
func Borders(polys []orb.MultiPolygon, ids []int, group func(i int) int) orb.MultiLineString {
	byGroup := map[int][]int{}
	var groups []int
	bounds := make(map[int]orb.Bound, len(ids))
	for _, i := range ids {
		g := group(i)
		if _, ok := byGroup[g]; !ok {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], i)
		bounds[i] = polys[i].Bound()
	}
	sort.Ints(groups)
	var out orb.MultiLineString
	for _, g := range groups {
		own := byGroup[g]
		area := bounds[own[0]]
		for _, i := range own[1:] {
			area = area.Union(bounds[i])
		}
		kx, _ := metresPerDegree(math.Max(math.Abs(area.Min[1]), math.Abs(area.Max[1])))
		area = orb.Bound{
			Min: orb.Point{area.Min[0] - borderToleranceM/kx, area.Min[1] - borderToleranceM/110540},
			Max: orb.Point{area.Max[0] + borderToleranceM/kx, area.Max[1] + borderToleranceM/110540},
		}
		var near []int
		for _, i := range ids {
			if group(i) != g && bounds[i].Intersects(area) {
				near = append(near, i)
			}
		}
		out = append(out, groupBorders(polys, own, near, group)...)
	}
	return out
}

// groupBorders judges the edges of the outlines own, all of one group, against
// themselves and the outlines near of other groups.
func groupBorders(polys []orb.MultiPolygon, own, near []int, group func(i int) int) orb.MultiLineString {
	var edges []borderEdge
	var rings [][2]int // first and end edge index of each ring of own, in ring order
	for _, i := range own {
		for _, p := range polys[i] {
			for _, r := range p {
				start := len(edges)
				for k := 0; k+1 < len(r); k++ {
					edges = appendPieces(edges, r[k], r[k+1], int32(i))
				}
				rings = append(rings, [2]int{start, len(edges)})
			}
		}
	}
	judged := len(edges)
	// The other groups' edges are only measured against: no need to cut them.
	for _, i := range near {
		for _, p := range polys[i] {
			for _, r := range p {
				for k := 0; k+1 < len(r); k++ {
					edges = append(edges, borderEdge{r[k], r[k+1], int32(i)})
				}
			}
		}
	}
	grid := newEdgeGrid(edges)
	keep := make([]bool, judged)
	for k := range keep {
		keep[k] = grid.keep(edges, k, group)
	}

	var out orb.MultiLineString
	for _, rg := range rings {
		var lines orb.MultiLineString
		var cur orb.LineString
		for k := rg[0]; k < rg[1]; k++ {
			if !keep[k] {
				if len(cur) > 1 {
					lines = append(lines, cur)
				}
				cur = nil
				continue
			}
			if len(cur) == 0 {
				cur = orb.LineString{edges[k].a}
			}
			cur = append(cur, edges[k].b)
		}
		if len(cur) > 1 {
			// A closed ring whose kept run wraps around its start is one line.
			if len(lines) > 0 && keep[rg[0]] && cur[len(cur)-1] == lines[0][0] {
				lines[0] = append(cur, lines[0][1:]...)
			} else {
				lines = append(lines, cur)
			}
		}
		out = append(out, lines...)
	}
	return out
}

// appendPieces cuts the edge a→b into pieces of at most maxPieceM.
func appendPieces(edges []borderEdge, a, b orb.Point, owner int32) []borderEdge {
	kx, ky := metresPerDegree(a[1])
	dx, dy := (b[0]-a[0])*kx, (b[1]-a[1])*ky
	if dx*dx+dy*dy <= maxPieceM*maxPieceM {
		return append(edges, borderEdge{a, b, owner})
	}
	n := int(math.Ceil(math.Hypot(dx, dy) / maxPieceM))
	prev := a
	for s := 1; s <= n; s++ {
		next := b
		if s < n {
			t := float64(s) / float64(n)
			next = orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
		}
		edges = append(edges, borderEdge{prev, next, owner})
		prev = next
	}
	return edges
}

// metresPerDegree is the local length of a degree of longitude and of latitude.
func metresPerDegree(lat float64) (kx, ky float64) {
	return math.Cos(lat*math.Pi/180) * 111320, 110540
}

// edgeGridCell is the cell size of the edge grid, in degrees: about a kilometre,
// so that most edges fall in one cell and a query looks at one to four cells.
const edgeGridCell = 0.01

// edgeGrid finds the edges near a point. A uniform grid builds several times faster
// than an R-tree for the millions of short edges of all of France, and answers as fast.
type edgeGrid map[[2]int32][]int32

func cellOf(v float64) int32 { return int32(math.Floor(v / edgeGridCell)) }

func newEdgeGrid(edges []borderEdge) edgeGrid {
	g := edgeGrid{}
	for k, e := range edges {
		x0, x1 := cellOf(math.Min(e.a[0], e.b[0])), cellOf(math.Max(e.a[0], e.b[0]))
		y0, y1 := cellOf(math.Min(e.a[1], e.b[1])), cellOf(math.Max(e.a[1], e.b[1]))
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				g[[2]int32{x, y}] = append(g[[2]int32{x, y}], int32(k))
			}
		}
	}
	return g
}

// keep judges edge k from its midpoint (see Borders).
func (g edgeGrid) keep(edges []borderEdge, k int, group func(i int) int) bool {
	e := edges[k]
	p := orb.Point{(e.a[0] + e.b[0]) / 2, (e.a[1] + e.b[1]) / 2}
	kx, ky := metresPerDegree(p[1])
	dx, dy := borderToleranceM/kx, borderToleranceM/ky
	own := group(int(e.owner))
	lower := false
	for x := cellOf(p[0] - dx); x <= cellOf(p[0]+dx); x++ {
		for y := cellOf(p[1] - dy); y <= cellOf(p[1]+dy); y++ {
			for _, id := range g[[2]int32{x, y}] {
				o := edges[id]
				if o.owner == e.owner || distanceToEdgeSquared(p, o.a, o.b, kx, ky) > borderToleranceM*borderToleranceM {
					continue
				}
				switch other := group(int(o.owner)); {
				case other == own:
					return false
				case other < own:
					lower = true
				}
			}
		}
	}
	return !lower
}

// distanceToEdgeSquared is the squared distance in metres from p to the segment a–b,
// on the local plane (kx, ky metres per degree), exact enough at a few hundred metres.
func distanceToEdgeSquared(p, a, b orb.Point, kx, ky float64) float64 {
	ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
	bx, by := (b[0]-p[0])*kx, (b[1]-p[1])*ky
	vx, vy := bx-ax, by-ay
	t := 0.0
	if l2 := vx*vx + vy*vy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*vx+ay*vy)/l2))
	}
	cx, cy := ax+t*vx, ay+t*vy
	return cx*cx + cy*cy
}
