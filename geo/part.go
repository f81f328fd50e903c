package geo

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// cellsPerEdge sets the resolution of a part's grid: about this many cells
// per edge. A finer grid answers more points from the cell class alone and
// puts fewer edges in each row, at the cost of memory (2 bits a cell) and
// build time.
const cellsPerEdge = 4

// maxGridSide caps the number of rows and columns of very large parts.
const maxGridSide = 1024

// snapDegrees widens every rounding-sensitive comparison of the build (the
// rows an edge spans, the cells it touches), so that floating-point
// rounding can only make the structures more conservative. It is about
// 0.1 mm.
const snapDegrees = 1e-9

// Grid cell classes, 2 bits each.
const (
	cellOutside  = 0
	cellInside   = 1
	cellBoundary = 2
)

// part is one polygon (outer ring plus holes) of a multipolygon, prepared for
// fast containment and distance queries.
//
// Its bounding box is cut into a grid of rows (in latitude) and columns.
//   - Each cell is classified as entirely outside, entirely inside, or
//     touched by an edge; most points are answered from their cell alone.
//   - Each row lists the edges whose latitude range meets it, so that the
//     exact test for a point in a boundary cell (a ray cast along the
//     point's latitude) and distance queries only read a few edges.
//
// Both live in one slice, layout, so that a query touches few cache lines.
// Building it for every part of a country takes a few hundred milliseconds
// of CPU, so it is built on first use: NewIndex stays cheap and memory goes
// only to the parts that are queried. The grid geometry is fixed by NewIndex;
// layout is written once, under mu, before ready is set, and only read
// after ready is seen set.
//
// The struct is 128 bytes, so parts start at 128-byte boundaries in the
// (page-aligned) slice of parts: the fields read by every containment test
// fill the first 64-byte cache line and the layout slice opens the second,
// an aligned pair that processors fetch together.
type part struct {
	minX, minY, maxX, maxY float64
	colScale, rowScale     float64 // columns (rows) per degree; 0 when only one
	cols, rows             int32
	owner                  int32 // index of the multipolygon this part belongs to
	ready                  atomic.Bool

	// layout is [cell classes][row starts: rows+1][row edges]: cell classes
	// take 2 bits each, 16 to a word, in layout[:gridWords], and row r lists
	// the edge indices layout[start[r]:start[r+1]].
	layout    []uint32
	gridWords int32
	// verts holds every ring of the part, each closed (first vertex repeated
	// last); edge e joins verts[e] and verts[e+1]. For the usual single
	// closed ring it is the caller's ring itself.
	verts orb.Ring
	mu    sync.Mutex
}

// init gathers the rings of poly into the zero part pt and sizes its grid,
// without building it. ringEnds[r] is the end (exclusive) of ring r in
// verts; it is nil for a single ring. It reports false when poly has no
// edge at all.
func (pt *part) init(owner int32, poly orb.Polygon) (ringEnds []uint32, ok bool) {
	usable, total := 0, 0
	for _, ring := range poly {
		if len(ring) >= 2 {
			usable++
			total += len(ring) + 1
		}
	}
	if usable == 0 {
		return nil, false
	}
	pt.owner = owner
	if first := poly[0]; usable == 1 && len(first) >= 2 && first[0] == first[len(first)-1] {
		// The common case: share the caller's closed outer ring, no copy.
		pt.verts = first
	} else {
		pt.verts = make(orb.Ring, 0, total)
		ringEnds = make([]uint32, 0, usable)
		for _, ring := range poly {
			if len(ring) < 2 {
				continue
			}
			pt.verts = append(pt.verts, ring...)
			if ring[0] != ring[len(ring)-1] {
				pt.verts = append(pt.verts, ring[0])
			}
			ringEnds = append(ringEnds, uint32(len(pt.verts)))
		}
		if len(ringEnds) == 1 {
			ringEnds = nil
		}
	}
	pt.minX, pt.minY = math.Inf(1), math.Inf(1)
	pt.maxX, pt.maxY = math.Inf(-1), math.Inf(-1)
	for _, v := range pt.verts {
		pt.minX = min(pt.minX, v[0])
		pt.minY = min(pt.minY, v[1])
		pt.maxX = max(pt.maxX, v[0])
		pt.maxY = max(pt.maxY, v[1])
	}
	pt.sizeGrid(len(pt.verts) - max(1, len(ringEnds)))
	return ringEnds, true
}

// partBuilder holds the scratch buffers used to prepare a part, recycled
// from one preparation to the next.
type partBuilder struct {
	edges     []uint32  // non-degenerate edges of the part
	spans     []int32   // first and last row of each edge, interleaved
	fill      []uint32  // next free slot of each row's edge list
	classes   []uint8   // one class per grid cell, before packing
	crossings []float64 // where a row's centre line crosses the rings
}

// layoutArena hands out the layouts of an index's parts from shared blocks: a
// served index soon prepares tens of thousands of parts, and as many separate
// allocations would be as many more objects for the garbage collector to mark
// at every cycle. A layout is never freed before its index.
type layoutArena struct {
	mu   sync.Mutex
	free []uint32 // the unused end of the current block, zeroed
}

// layoutBlock is the size of a block, in words (1 MiB); a layout larger
// than an eighth of it gets an allocation of its own, so that at most that
// much of a block is left unused when the next layout does not fit.
const layoutBlock = 1 << 18

// alloc returns n zeroed words that no other layout shares.
func (a *layoutArena) alloc(n int) []uint32 {
	if n > layoutBlock/8 {
		return make([]uint32, n)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.free) < n {
		a.free = make([]uint32, layoutBlock)
	}
	out := a.free[:n:n]
	a.free = a.free[n:]
	return out
}

// builders recycles partBuilders across lazy preparations.
var builders = sync.Pool{New: func() any { return new(partBuilder) }}

// prepare builds the layout of pt, in memory from layouts, unless another
// goroutine did. ringEnds is as returned by init.
func (pt *part) prepare(ringEnds []uint32, layouts *layoutArena) {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if pt.ready.Load() {
		return
	}
	pb := builders.Get().(*partBuilder)
	pb.build(pt, ringEnds, layouts)
	builders.Put(pb)
	pt.ready.Store(true)
}

// build fills pt.layout, taken from layouts: the rows' edge lists, then the
// cell classes.
func (pb *partBuilder) build(pt *part, ringEnds []uint32, layouts *layoutArena) {
	verts := pt.verts
	pb.edges = pb.edges[:0]
	start := uint32(0)
	singleRing := [1]uint32{uint32(len(verts))}
	if ringEnds == nil {
		ringEnds = singleRing[:]
	}
	for _, end := range ringEnds {
		for e := start; e+1 < end; e++ {
			if verts[e] != verts[e+1] {
				pb.edges = append(pb.edges, e)
			}
		}
		start = end
	}
	cols, rows := int(pt.cols), int(pt.rows)

	// Row edge lists by counting sort: count the edges of each row, turn
	// counts into offsets, then place the edges.
	pb.spans = slices.Grow(pb.spans[:0], 2*len(pb.edges))[:2*len(pb.edges)]
	pb.fill = slices.Grow(pb.fill[:0], rows)[:rows]
	clear(pb.fill)
	entries := 0
	for i, e := range pb.edges {
		first := pt.rowOf(min(verts[e][1], verts[e+1][1]) - snapDegrees)
		last := pt.rowOf(max(verts[e][1], verts[e+1][1]) + snapDegrees)
		pb.spans[2*i], pb.spans[2*i+1] = int32(first), int32(last)
		for r := first; r <= last; r++ {
			pb.fill[r]++
		}
		entries += last - first + 1
	}
	headerLen := int(pt.gridWords) + rows + 1
	pt.layout = layouts.alloc(headerLen + entries)
	rowStart := pt.layout[pt.gridWords:headerLen]
	offset := uint32(headerLen)
	for r := range rows {
		rowStart[r] = offset
		offset, pb.fill[r] = offset+pb.fill[r], offset
	}
	rowStart[rows] = offset

	// Place each edge in its rows and mark the cells it touches there.
	pb.classes = slices.Grow(pb.classes[:0], cols*rows)[:cols*rows]
	clear(pb.classes)
	rowStep := (pt.maxY - pt.minY) / float64(rows)
	for i, e := range pb.edges {
		a, b := verts[e], verts[e+1]
		first, last := int(pb.spans[2*i]), int(pb.spans[2*i+1])
		lowX, highX := min(a[0], b[0]), max(a[0], b[0])
		if first == last {
			// Most edges stay within one row: their whole longitude range
			// is what they touch.
			pt.layout[pb.fill[first]] = e
			pb.fill[first]++
			pb.markBoundary(pt, first, lowX, highX)
			continue
		}
		// The edge spans rows, so it is not horizontal: clip it to each
		// row's latitudes, widened, to find the columns it touches there.
		lowY, highY := min(a[1], b[1]), max(a[1], b[1])
		slope := (b[0] - a[0]) / (b[1] - a[1])
		for r := first; r <= last; r++ {
			pt.layout[pb.fill[r]] = e
			pb.fill[r]++
			fromY := max(lowY, pt.minY+float64(r)*rowStep-snapDegrees)
			toY := min(highY, pt.minY+float64(r+1)*rowStep+snapDegrees)
			if fromY > toY {
				continue
			}
			x0 := a[0] + (fromY-a[1])*slope
			x1 := a[0] + (toY-a[1])*slope
			pb.markBoundary(pt, r, max(lowX, min(x0, x1)), min(highX, max(x0, x1)))
		}
	}

	pb.classifyCells(pt)
}

// markBoundary marks the cells of row r between longitudes fromX and toX,
// widened, as touched by an edge.
func (pb *partBuilder) markBoundary(pt *part, r int, fromX, toX float64) {
	row := pb.classes[r*int(pt.cols) : (r+1)*int(pt.cols)]
	for c := pt.colOf(fromX - snapDegrees); c <= pt.colOf(toX+snapDegrees); c++ {
		row[c] = cellBoundary
	}
}

// classifyCells classifies each cell not touched by an edge by the even-odd
// rule at its centre, which holds for the whole cell since no edge enters
// it, and packs all classes into the grid words.
func (pb *partBuilder) classifyCells(pt *part) {
	cols, rows := int(pt.cols), int(pt.rows)
	colStep := (pt.maxX - pt.minX) / float64(cols)
	rowStep := (pt.maxY - pt.minY) / float64(rows)
	verts := pt.verts
	grid := pt.layout[:pt.gridWords]
	for r := range rows {
		y := pt.minY + (float64(r)+0.5)*rowStep
		pb.crossings = pb.crossings[:0]
		for _, e := range pt.rowEdges(r) {
			a, b := verts[e], verts[e+1]
			if (a[1] > y) != (b[1] > y) {
				pb.crossings = append(pb.crossings, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
		slices.Sort(pb.crossings)
		// Walking west to east, "inside" flips at each crossing; a cell is
		// inside when an odd number of crossings lie east of its centre.
		east := len(pb.crossings)
		next := 0
		x := pt.minX + 0.5*colStep
		for c, class := range pb.classes[r*cols : (r+1)*cols] {
			for next < len(pb.crossings) && pb.crossings[next] <= x {
				next++
				east--
			}
			if class != cellBoundary && east%2 == 1 {
				class = cellInside
			}
			if class != cellOutside {
				i := r*cols + c
				grid[i/16] |= uint32(class) << (2 * (i % 16))
			}
			x += colStep
		}
	}
}

// sizeGrid picks about cellsPerEdge cells per edge, shaped so that cells
// are roughly square on the ground.
func (pt *part) sizeGrid(edges int) {
	width := (pt.maxX - pt.minX) * math.Cos((pt.minY+pt.maxY)/2*math.Pi/180)
	height := pt.maxY - pt.minY
	cols, rows := 1, 1
	if width > 0 && height > 0 {
		target := float64(max(1, edges*cellsPerEdge))
		cols = int(math.Round(math.Sqrt(target * width / height)))
		rows = int(math.Round(math.Sqrt(target * height / width)))
	}
	pt.cols = int32(min(max(cols, 1), maxGridSide))
	pt.rows = int32(min(max(rows, 1), maxGridSide))
	pt.colScale, pt.rowScale = 0, 0
	if pt.cols > 1 {
		pt.colScale = float64(pt.cols) / (pt.maxX - pt.minX)
	}
	if pt.rows > 1 {
		pt.rowScale = float64(pt.rows) / (pt.maxY - pt.minY)
	}
	pt.gridWords = int32((int(pt.cols)*int(pt.rows) + 15) / 16)
}

// rowEdges returns the edges listed in row r.
func (pt *part) rowEdges(r int) []uint32 {
	starts := pt.layout[int(pt.gridWords)+r:]
	return pt.layout[starts[0]:starts[1]]
}

// rowOf and colOf map a latitude (longitude) to its grid row (column),
// clamped to the grid. They are monotonic, which is what guarantees that a
// point's row lists every edge through the point's latitude, and that its
// cell is marked when an edge goes through the point.
func (pt *part) rowOf(y float64) int { return slot(y-pt.minY, pt.rowScale, pt.rows) }
func (pt *part) colOf(x float64) int { return slot(x-pt.minX, pt.colScale, pt.cols) }

func slot(offset, scale float64, count int32) int {
	f := offset * scale
	if !(f > 0) {
		return 0
	}
	if f >= float64(count-1) {
		return int(count - 1)
	}
	return int(f)
}

// contains reports whether p is inside the part or on its boundary (outer
// ring or hole).
func (pt *part) contains(p orb.Point) bool {
	if p[0] < pt.minX || p[0] > pt.maxX || p[1] < pt.minY || p[1] > pt.maxY {
		return false
	}
	r := pt.rowOf(p[1])
	cell := r*int(pt.cols) + pt.colOf(p[0])
	switch (pt.layout[cell/16] >> (2 * (cell % 16))) & 3 {
	case cellInside:
		return true
	case cellOutside:
		return false
	}
	return pt.containsExact(p, r)
}

// containsExact counts the crossings of a horizontal ray going east from p
// with the edges of p's row r.
func (pt *part) containsExact(p orb.Point, r int) bool {
	verts := pt.verts
	px, py := p[0], p[1]
	inside := false
	for _, e := range pt.rowEdges(r) {
		a, c := verts[e], verts[e+1]
		cAbove := c[1] > py
		if (a[1] > py) == cAbove {
			// The edge does not straddle the ray; it can still touch p at
			// a vertex or run horizontally through it.
			if (a[1] == py || c[1] == py) && onSegment(a, c, p) {
				return true
			}
			continue
		}
		if a[0] < px && c[0] < px {
			continue // straddles, but entirely west of p
		}
		cross := (c[0]-a[0])*(py-a[1]) - (px-a[0])*(c[1]-a[1])
		if cross == 0 {
			return true // on the edge
		}
		// Upward edge (c above): it is east of p when p is on its left.
		if (cross > 0) == cAbove {
			inside = !inside
		}
	}
	return inside
}

// onSegment reports whether p lies on the segment ab.
func onSegment(a, b, p orb.Point) bool {
	if (b[0]-a[0])*(p[1]-a[1])-(p[0]-a[0])*(b[1]-a[1]) != 0 {
		return false
	}
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

// gapToZero is the distance from 0 to the interval between u and v; 0 when
// it holds 0.
func gapToZero(u, v float64) float64 {
	switch {
	case u > 0 && v > 0:
		return min(u, v)
	case u < 0 && v < 0:
		return -max(u, v)
	}
	return 0
}

// boundaryDistanceSq returns the squared distance in square metres from the
// projection origin to the nearest edge of the part, or +Inf when no edge is
// within sqrt(limitSq). Rows are visited outwards from the origin's
// latitude and the walk stops once a row is farther away than the nearest
// edge found so far.
func (pt *part) boundaryDistanceSq(pr *localProjection, limitSq float64) float64 {
	best := math.Inf(1)
	bound := limitSq
	verts := pt.verts
	ox, oy, xm, ym := pr.origin[0], pr.origin[1], pr.xMeters, pr.yMeters
	scan := func(r int) {
		for _, e := range pt.rowEdges(r) {
			// An edge is no nearer than its box: one whose box is beyond
			// the bound, its ends placed as segmentDistanceSq places them,
			// is skipped without measuring it. The margin covers the
			// rounding of the point segmentDistanceSq measures to, between
			// the ends.
			a, b := verts[e], verts[e+1]
			gx := gapToZero((a[0]-ox)*xm, (b[0]-ox)*xm)
			gy := gapToZero((a[1]-oy)*ym, (b[1]-oy)*ym)
			if gx*gx+gy*gy > bound*(1+1e-9) {
				continue
			}
			if d := pr.segmentDistanceSq(a, b); d < best {
				best = d
				bound = min(bound, d)
			}
		}
	}
	py := pr.origin[1]
	rowStep := (pt.maxY - pt.minY) / float64(pt.rows)
	start := pt.rowOf(py)
	scan(start)
	for r := start + 1; r < int(pt.rows); r++ {
		// Edges listed in row r reach at least the row's southern limit
		// (less the snap margin).
		gap := (pt.minY + float64(r)*rowStep - 2*snapDegrees - py) * pr.yMeters
		if gap > 0 && gap*gap > bound {
			break
		}
		scan(r)
	}
	for r := start - 1; r >= 0; r-- {
		gap := (py - (pt.minY + float64(r+1)*rowStep) - 2*snapDegrees) * pr.yMeters
		if gap > 0 && gap*gap > bound {
			break
		}
		scan(r)
	}
	if best > limitSq {
		return math.Inf(1)
	}
	return best
}
