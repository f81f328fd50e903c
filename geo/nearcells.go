package geo

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// A point 1 to 30 km from every outline (at sea near a coast, just across a
// border) is located by a nearest search whose windows grow until one holds an
// outline, measuring every part near enough on the way. The points of one
// FarGrid cell classified near share their candidates: the parts that can be
// nearest to some point of the cell. A FarGrid keeps them, found by one search
// around the cell's centre the first time a point of the cell needs them, and
// the nearest search of a point of that cell measures only them, with the same
// measure and the same tie-breaking, so it finds the same polygon at the same
// distance, bit for bit.
//
// The candidates of a cell are every part whose boundary comes, seen from the
// centre c, within ((T + e)/ρ)·1.001 + 1 metres, where e is the most a point q
// of the cell can be from c, ρ and σ the least and the most k(q)/k(c) (see
// cellRadius; ρ ≤ 1 ≤ σ), and T the least of the grid's distance and of
// σ·D + e, D being the distance from c to the nearest boundary. In q's plane the
// nearest boundary is at most σ·D + e away (triangle inequality), and a part
// whose boundary is, in c's plane, beyond (T + e)/ρ of c is beyond T of q: it
// cannot be nearest, nor within the grid's distance. A search of at most the
// grid's distance therefore finds its answer among the candidates.

// nearCellCandidates is the most candidates a cell keeps; the nearest search
// of a cell with more searches the whole index.
const nearCellCandidates = 256

// nearCellPacked packs where a cell's candidates lie in the arena: bit 63 set
// once they are known, then the offset (bits 24-62) and the count (bits 0-23).
const (
	nearKnown      = uint64(1) << 63
	nearCountBits  = 24
	nearCountLimit = 1<<nearCountBits - 1
)

// nearCells is the candidates of the cells of a FarGrid classified near.
type nearCells struct {
	// at holds, per cell, where its candidates lie in arena (see nearKnown).
	at []atomic.Uint64
	// arena is every known cell's candidates (part indices), end to end. It
	// only grows, under mu; readers load it after the cell's entry, so it
	// always holds the entries they read.
	arena atomic.Pointer[[]int32]
	mu    sync.Mutex
}

// candidates is the parts that can be nearest to a point of cell (col, row),
// found the first time; ok is false when the cell has too many to keep.
func (g *FarGrid) candidates(col, row int) (parts []int32, ok bool) {
	i := row*g.cols + col
	packed := g.near.at[i].Load()
	if packed == 0 {
		packed = g.findCandidates(col, row)
	}
	count := packed & nearCountLimit
	if count == nearCountLimit {
		return nil, false
	}
	offset := (packed &^ nearKnown) >> nearCountBits
	arena := *g.near.arena.Load()
	return arena[offset : offset+count], true
}

// findCandidates searches the candidates of cell (col, row), keeps them and
// returns their packed place.
func (g *FarGrid) findCandidates(col, row int) uint64 {
	fromY, toY := g.minY+float64(row)*farCellDegrees, g.minY+float64(row+1)*farCellDegrees
	centre := orb.Point{g.minX + (float64(col)+0.5)*farCellDegrees, (fromY + toY) / 2}
	found := []int32{}
	rho, sigma, e := cellScales(fromY, toY)
	if math.IsNaN(rho) {
		found = nil // near a pole: no bound holds, the full search answers
	} else {
		pr := newLocalProjection(centre)
		threshold := g.meters
		if d := g.ix.nearest(centre, (g.meters+e)/rho*1.001+1); d.ID >= 0 {
			threshold = min(threshold, sigma*d.DistanceM+e)
		}
		reach := (threshold+e)/rho*1.001 + 1
		reachSq := reach * reach
		dy := reach / pr.yMeters * 1.001
		dx := min(360.0, reach/pr.xMeters*1.001)
		g.ix.tree.Search([2]float64{centre[0] - dx, centre[1] - dy}, [2]float64{centre[0] + dx, centre[1] + dy},
			func(_, _ [2]float64, i int32) bool {
				pt := &g.ix.parts[i]
				if pr.boxDistanceSq(pt.minX, pt.minY, pt.maxX, pt.maxY) <= reachSq &&
					!math.IsInf(g.ix.preparedPart(i).boundaryDistanceSq(&pr, reachSq), 1) {
					found = append(found, i)
				}
				return true
			})
	}
	g.near.mu.Lock()
	defer g.near.mu.Unlock()
	i := row*g.cols + col
	if packed := g.near.at[i].Load(); packed != 0 {
		return packed // another point of the cell kept them first
	}
	var arena []int32
	if a := g.near.arena.Load(); a != nil {
		arena = *a
	}
	packed := nearKnown | nearCountLimit
	if found != nil && len(found) <= nearCellCandidates && len(arena)+len(found) < 1<<(63-nearCountBits) {
		packed = nearKnown | uint64(len(arena))<<nearCountBits | uint64(len(found))
		// append copies the arena when it grows: readers of the old one keep
		// reading what it held.
		arena = append(arena, found...)
	}
	g.near.arena.Store(&arena)
	g.near.at[i].Store(packed)
	return packed
}

// cellScales is, for a cell spanning latitudes fromY to toY, the least (rho)
// and the most (sigma) over its points q of k(q)/k(c), c its centre and k the
// metres of a degree of longitude, and the most a point of the cell is from
// the centre in its own plane (e); rho is NaN near the poles.
func cellScales(fromY, toY float64) (rho, sigma, e float64) {
	cosAt := func(lat float64) float64 { return math.Cos(lat * math.Pi / 180) }
	centre := cosAt((fromY + toY) / 2)
	nearest, farthest := math.Min(math.Abs(fromY), math.Abs(toY)), math.Max(math.Abs(fromY), math.Abs(toY))
	if fromY <= 0 && toY >= 0 {
		nearest = 0
	}
	least, most := cosAt(farthest), cosAt(nearest)
	if !(least > 0.05) || !(centre > 0) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	halfWidth := farCellDegrees / 2 * metersPerDegree * most
	halfHeight := (toY - fromY) / 2 * metersPerDegree
	// A part in a thousand for rounding, on the side that widens the candidates.
	return math.Min(1, least/centre) / 1.001, math.Max(1, most/centre) * 1.001, math.Hypot(halfWidth, halfHeight) * 1.001
}

// nearestInCell is nearest(p, maxMeters) measured among the candidates of p's
// cell; ok is false when the grid cannot tell (p off the grid or in a cell not
// classified near, maxMeters beyond the grid's distance, too many candidates).
func (g *FarGrid) nearestInCell(p orb.Point, maxMeters float64) (h Hit, ok bool) {
	if !(maxMeters <= g.meters) {
		return h, false
	}
	fx := (p[0] - g.minX) / farCellDegrees
	fy := (p[1] - g.minY) / farCellDegrees
	if !(fx >= 0 && fx < float64(g.cols) && fy >= 0 && fy < float64(g.rows)) {
		return h, false
	}
	col, row := int(fx), int(fy)
	if g.cellClass(col, row) != farNear {
		return h, false
	}
	parts, ok := g.candidates(col, row)
	if !ok {
		return h, false
	}
	search := g.ix.newNearestSearch(newLocalProjection(p), maxMeters)
	var buf [nearCellCandidates]nearCandidate
	candidates := buf[:0]
	for _, i := range parts {
		if boxSq := search.boxSq(i); boxSq <= search.bestSq {
			candidates = append(candidates, nearCandidate{boxSq, i})
		}
	}
	search.measureNearestFirst(candidates)
	return search.hit(), true
}
