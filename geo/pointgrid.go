package geo

import (
	"math"
)

// pointGrid answers Locate's first question, which parts' boxes hold a point,
// with one read of a fine grid's cell instead of a walk down the R-tree: on
// the whole of France the walk was a quarter of an answer's time, its nodes
// scattered in memory. Each cell lists the parts whose box meets it, so the
// parts whose box holds a point of the cell are among them, and a compact copy
// of each part's box (rounded outwards to float32) filters the list without
// reading the parts themselves.
//
// Cells are 1/pointGridFine of a degree (about 3.5 by 2.4 km in metropolitan
// France). Only the whole degrees some part's box meets get cells: the grid
// spans the overseas départements as well as metropolitan France without
// cells for the ocean between. It holds no pointer, so the collector never
// reads it.
type pointGrid struct {
	minX, minY  float64 // the corner of the first whole degree
	degreeCols  int
	degreeRows  int
	degreeCells []int32  // per whole degree: the first of its cells in start, or -1 when no box meets it
	start       []uint32 // per cell, where its parts begin in parts; one more at the end
	parts       []int32
	boxes       [][4]float32 // per part: minX, minY, maxX, maxY, rounded outwards
}

// pointGridFine is how many cells a degree has on a side.
const pointGridFine = 32

// pointGridMaxDegrees bounds the whole degrees given cells (4 KiB of cell
// starts each): data spread over more of the globe is left to the R-tree.
const pointGridMaxDegrees = 4096

// newPointGrid is the grid of parts, or nil when they span too much of the
// globe for it (the R-tree then answers alone).
func newPointGrid(parts []part) *pointGrid {
	if len(parts) == 0 {
		return nil
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range parts {
		pt := &parts[i]
		minX, minY = min(minX, pt.minX), min(minY, pt.minY)
		maxX, maxY = max(maxX, pt.maxX), max(maxY, pt.maxY)
	}
	if !isFinite(minX) || !isFinite(minY) || !isFinite(maxX) || !isFinite(maxY) {
		return nil
	}
	g := &pointGrid{minX: math.Floor(minX), minY: math.Floor(minY)}
	g.degreeCols = int(math.Floor(maxX-g.minX)) + 1
	g.degreeRows = int(math.Floor(maxY-g.minY)) + 1
	if g.degreeCols*g.degreeRows > 64*pointGridMaxDegrees {
		return nil
	}
	g.degreeCells = make([]int32, g.degreeCols*g.degreeRows)
	for i := range g.degreeCells {
		g.degreeCells[i] = -1
	}
	// Which whole degrees some box meets, and the cells they get.
	degrees := 0
	for i := range parts {
		c0, r0, c1, r1 := g.cellRange(&parts[i])
		for r := r0 / pointGridFine; r <= r1/pointGridFine; r++ {
			for c := c0 / pointGridFine; c <= c1/pointGridFine; c++ {
				if d := &g.degreeCells[r*g.degreeCols+c]; *d < 0 {
					if degrees == pointGridMaxDegrees {
						return nil
					}
					*d = int32(degrees * pointGridFine * pointGridFine)
					degrees++
				}
			}
		}
	}
	// Count each cell's parts, then place them.
	counts := make([]uint32, degrees*pointGridFine*pointGridFine+1)
	total := 0
	for i := range parts {
		g.eachCell(&parts[i], func(cell int) { counts[cell+1]++; total++ })
	}
	if total > math.MaxUint32 {
		return nil
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	g.start = counts
	g.parts = make([]int32, total)
	next := make([]uint32, len(counts)-1)
	copy(next, counts)
	for i := range parts {
		g.eachCell(&parts[i], func(cell int) {
			g.parts[next[cell]] = int32(i)
			next[cell]++
		})
	}
	g.boxes = make([][4]float32, len(parts))
	for i := range parts {
		pt := &parts[i]
		g.boxes[i] = [4]float32{down32(pt.minX), down32(pt.minY), up32(pt.maxX), up32(pt.maxY)}
	}
	return g
}

// cellRange is the range of cells, in columns and rows from the grid's
// corner, that part pt's box meets. Columns and rows come from cellOf, as a
// query's do, so a point in the box is in a cell of the range: both round the
// same monotonic operations.
func (g *pointGrid) cellRange(pt *part) (c0, r0, c1, r1 int) {
	c0, r0 = g.cellOf(pt.minX, pt.minY)
	c1, r1 = g.cellOf(pt.maxX, pt.maxY)
	return c0, r0, c1, r1
}

// cellOf is the column and row of the cell of (x, y), which may be off the
// grid (negative, or beyond its last degree).
func (g *pointGrid) cellOf(x, y float64) (col, row int) {
	// Multiplying by a power of two is exact: the only rounding is the
	// subtraction's, monotonic like the comparisons of a box.
	return int(math.Floor((x - g.minX) * pointGridFine)), int(math.Floor((y - g.minY) * pointGridFine))
}

// eachCell calls fn with the index in start of every cell part pt's box meets.
func (g *pointGrid) eachCell(pt *part, fn func(cell int)) {
	c0, r0, c1, r1 := g.cellRange(pt)
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			fn(g.cellIndex(c, r))
		}
	}
}

// cellIndex is the index in start of the cell at (col, row), on the grid and
// in a degree that has cells.
func (g *pointGrid) cellIndex(col, row int) int {
	d := g.degreeCells[(row/pointGridFine)*g.degreeCols+col/pointGridFine]
	return int(d) + (row%pointGridFine)*pointGridFine + col%pointGridFine
}

// candidates are the parts whose box may hold p: every part whose box does is
// among them. Nil off the grid or in a degree no box meets.
func (g *pointGrid) candidates(p [2]float64) []int32 {
	col, row := g.cellOf(p[0], p[1])
	if col < 0 || row < 0 || col >= g.degreeCols*pointGridFine || row >= g.degreeRows*pointGridFine {
		return nil
	}
	if g.degreeCells[(row/pointGridFine)*g.degreeCols+col/pointGridFine] < 0 {
		return nil
	}
	cell := g.cellIndex(col, row)
	return g.parts[g.start[cell]:g.start[cell+1]]
}

// mayHold reports whether part i's box, rounded outwards, holds p: false
// only when the box itself does not.
func (g *pointGrid) mayHold(i int32, p [2]float64) bool {
	b := &g.boxes[i]
	x, y := float32(p[0]), float32(p[1])
	return x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]
}

// down32 and up32 are the float32 at or below, and at or above, x. Rounding
// p to float32 keeps a point inside a box rounded outwards: rounding is
// monotonic, so minX ≤ x gives float32(minX) ≤ float32(x), and down32(minX)
// is at most that.
func down32(x float64) float32 {
	f := float32(x)
	if float64(f) > x {
		f = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	return f
}

func up32(x float64) float32 {
	f := float32(x)
	if float64(f) < x {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}
