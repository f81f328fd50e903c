package geo

import (
	"math"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// FarGrid tells, for the points of a box, that no polygon of an Index contains
// them nor has its boundary within a distance of them: that Locate with that
// distance, or any shorter one, would find nothing. The box is cut into cells
// of farCellDegrees; a cell is classified the first time a point falls in it,
// by one search around its centre wide enough to settle every point of the
// cell, and its class (2 bits) is kept. So a point far out at sea or abroad
// costs a memory read once its cell is known, where Locate would search a
// window of the whole distance; a cell that comes near a polygon answers
// "cannot tell", and the caller locates the point as before.
//
// Classes are conservative: a cell is far only when the triangle inequality
// and the projection's change over the cell leave no point of it within the
// distance (see cellRadius). A FarGrid is safe for concurrent use and holds no
// pointer but its index's.
type FarGrid struct {
	ix         *Index
	meters     float64
	minX, minY float64
	cols, rows int
	// radius[r] is the search radius around the centre of a cell of row r that
	// settles the whole cell; +Inf where none does (near the poles).
	radius []float64
	// cells holds 2 bits a cell (cellUnknown, cellFar, cellNear), 16 to a word,
	// row by row.
	cells []atomic.Uint32
}

// farCellDegrees is the side of a FarGrid cell, in degrees of latitude and of
// longitude: about 5.6 km by 3.9 km in metropolitan France. A smaller cell
// settles points closer to the distance (the search radius is the distance
// plus half the cell's diagonal) but has more cells to classify.
const farCellDegrees = 0.05

// Classes of a FarGrid cell.
const (
	farUnknown = 0
	farFar     = 1
	farNear    = 2
)

// NewFarGrid is a grid over box telling which of its points are farther than
// meters from every polygon of ix. Nothing is searched until points are asked for.
func NewFarGrid(ix *Index, box orb.Bound, meters float64) *FarGrid {
	g := &FarGrid{ix: ix, meters: meters, minX: box.Min[0], minY: box.Min[1]}
	if !(box.Max[0] > box.Min[0]) || !(box.Max[1] > box.Min[1]) || !(meters >= 0) {
		return g
	}
	g.cols = int(math.Ceil((box.Max[0] - box.Min[0]) / farCellDegrees))
	g.rows = int(math.Ceil((box.Max[1] - box.Min[1]) / farCellDegrees))
	g.radius = make([]float64, g.rows)
	for r := range g.rows {
		g.radius[r] = cellRadius(g.minY+float64(r)*farCellDegrees, g.minY+float64(r+1)*farCellDegrees, meters)
	}
	g.cells = make([]atomic.Uint32, (g.cols*g.rows+15)/16)
	return g
}

// Meters is the distance the grid tells points are beyond.
func (g *FarGrid) Meters() float64 { return g.meters }

// Far reports that no polygon contains p nor has its boundary within the
// grid's distance of p, as Locate measures it; false when p is off the grid or
// its cell comes near a polygon. The first point of a cell classifies the cell.
func (g *FarGrid) Far(p orb.Point) bool {
	return g.far(p, true)
}

// KnownFar is Far for a point whose cell is already classified, false for
// another: it never searches, and a caller that has not yet located the point
// asks it first.
func (g *FarGrid) KnownFar(p orb.Point) bool {
	return g.far(p, false)
}

func (g *FarGrid) far(p orb.Point, classify bool) bool {
	fx := (p[0] - g.minX) / farCellDegrees
	fy := (p[1] - g.minY) / farCellDegrees
	if !(fx >= 0 && fx < float64(g.cols) && fy >= 0 && fy < float64(g.rows)) {
		return false // off the grid, or not a number
	}
	col, row := int(fx), int(fy)
	switch g.cellClass(col, row) {
	case farFar:
		return true
	case farNear:
		return false
	}
	if !classify {
		return false
	}
	class := uint32(farNear)
	centre := orb.Point{g.minX + (float64(col)+0.5)*farCellDegrees, g.minY + (float64(row)+0.5)*farCellDegrees}
	if r := g.radius[row]; !math.IsInf(r, 1) && !g.ix.anyWithin(centre, r) {
		class = farFar
	}
	// Two points of a cell may classify it at once: they find the same class.
	i := row*g.cols + col
	g.cells[i/16].Or(class << (uint(i%16) * 2))
	return class == farFar
}

// CellBound is the cell p falls in, whose points Far answers alike; ok is
// false off the grid.
func (g *FarGrid) CellBound(p orb.Point) (b orb.Bound, ok bool) {
	fx := (p[0] - g.minX) / farCellDegrees
	fy := (p[1] - g.minY) / farCellDegrees
	if !(fx >= 0 && fx < float64(g.cols) && fy >= 0 && fy < float64(g.rows)) {
		return b, false
	}
	x, y := g.minX+float64(int(fx))*farCellDegrees, g.minY+float64(int(fy))*farCellDegrees
	return orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + farCellDegrees, y + farCellDegrees}}, true
}

// cellClass is the class of cell (col, row), farUnknown until classified.
func (g *FarGrid) cellClass(col, row int) uint32 {
	i := row*g.cols + col
	return (g.cells[i/16].Load() >> (uint(i%16) * 2)) & 3
}

// cellRadius is how far around the centre of a cell spanning latitudes fromY to
// toY (and farCellDegrees of longitude) no polygon may come for every point of
// the cell to be farther than meters from every polygon.
//
// Locate measures from a point q in the plane tangent at q, where a degree of
// longitude is k(q) = metersPerDegree·cos(lat q) metres; the search around the
// centre c measures in the plane tangent at c. For a boundary point x, in q's
// plane |x−q| ≥ |x−c| − |q−c| (triangle inequality), and |x−c| measured with
// k(q) is at least min(1, k(q)/k(c)) times |x−c| measured with k(c). So with ρ
// the least of min(1, k(q)/k(c)) over the cell and e the most |q−c| can be,
// every boundary point beyond (meters + e)/ρ of c in c's plane is beyond meters
// of every q in q's plane. A point inside a polygon that does not contain c
// sees the polygon's boundary cross the segment from c, within e of c. The
// radius is widened by a part in a thousand and a metre for rounding.
func cellRadius(fromY, toY, meters float64) float64 {
	cosAt := func(lat float64) float64 { return math.Cos(lat * math.Pi / 180) }
	centre := cosAt((fromY + toY) / 2)
	// cos is largest at the latitude nearest the equator, least at the one farthest.
	nearest, farthest := math.Min(math.Abs(fromY), math.Abs(toY)), math.Max(math.Abs(fromY), math.Abs(toY))
	if fromY <= 0 && toY >= 0 {
		nearest = 0
	}
	least := cosAt(farthest)
	if !(least > 0.05) || !(centre > 0) {
		return math.Inf(1) // within a few degrees of a pole: never far
	}
	rho := math.Min(1, least/centre)
	halfWidth := farCellDegrees / 2 * metersPerDegree * cosAt(nearest)
	halfHeight := (toY - fromY) / 2 * metersPerDegree
	e := math.Hypot(halfWidth, halfHeight)
	return (meters+e)/rho*1.001 + 1
}

// anyWithin reports whether a polygon contains p or has its boundary within
// meters of p, measured as Locate measures.
func (ix *Index) anyWithin(p orb.Point, meters float64) bool {
	if ix.Locate(p, Options{}).ID >= 0 {
		return true
	}
	pr := newLocalProjection(p)
	dy := meters / pr.yMeters * 1.001
	dx := 360.0
	if pr.xMeters > 0 {
		dx = min(dx, meters/pr.xMeters*1.001)
	}
	limitSq := meters * meters
	found := false
	ix.tree.Search([2]float64{p[0] - dx, p[1] - dy}, [2]float64{p[0] + dx, p[1] + dy},
		func(_, _ [2]float64, i int32) bool {
			pt := &ix.parts[i]
			if pr.boxDistanceSq(pt.minX, pt.minY, pt.maxX, pt.maxY) > limitSq {
				return true
			}
			found = !math.IsInf(ix.preparedPart(i).boundaryDistanceSq(&pr, limitSq), 1)
			return !found
		})
	return found
}
