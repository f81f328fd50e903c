package geo

import (
	"math"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Options tunes a Locate query.
type Options struct {
	// MaxDistanceMeters is the radius of the nearest-outline fallback used
	// when no polygon contains the point. 0 disables the fallback.
	MaxDistanceMeters float64
}

// Hit is the answer of a Locate query.
type Hit struct {
	// ID is the index of the polygon in the slice given to NewIndex, or -1
	// when nothing was found.
	ID int
	// Inside is true when the point is inside polygon ID or on its boundary.
	Inside bool
	// DistanceM is, when Inside is false and ID >= 0, the distance in metres
	// from the point to the boundary of polygon ID.
	DistanceM float64
}

// noHit is the answer when no polygon qualifies.
var noHit = Hit{ID: -1}

// Index finds the polygon containing a point among a fixed set of lon/lat
// multipolygons. It is safe for concurrent use: the only state that changes
// after NewIndex is each part's lazily built search structure, which is
// built once under a lock and published atomically.
type Index struct {
	tree rtree.RTreeG[int32] // bounding box of every part -> index in parts
	// points lists the parts whose box may hold a point, for Locate; nil
	// when the parts span too much of the globe, the tree then answering.
	points *pointGrid
	parts  []part
	// ownerParts[i] is the first part of polygon i; its parts end where those
	// of polygon i+1 begin.
	ownerParts []int32
	// ringEnds holds, for the few parts with several rings, where each ring
	// ends in the part's vertices.
	ringEnds map[int32][]uint32
	// grids is every FarGrid made over the index: the nearest search of a
	// point in a cell one of them classified near measures only the cell's
	// candidates.
	grids atomic.Pointer[[]*FarGrid]
	// layouts holds the parts' search structures as they are built.
	layouts layoutArena
}

// NewIndex indexes polys; polys[i] is identified by i in every Hit. The
// vertices are read in place, not copied: polys must not be modified while
// the Index is in use.
//
// NewIndex only computes bounding boxes and fills the R-tree; the search
// structure of each part is built the first time a query needs it.
func NewIndex(polys []orb.MultiPolygon) *Index {
	ix := &Index{ownerParts: make([]int32, len(polys)+1), ringEnds: map[int32][]uint32{}}
	count := 0
	for _, mp := range polys {
		count += len(mp)
	}
	ix.parts = make([]part, count)
	used := 0
	for i, mp := range polys {
		ix.ownerParts[i] = int32(used)
		for _, poly := range mp {
			ends, ok := ix.parts[used].init(int32(i), poly)
			if !ok {
				continue
			}
			if ends != nil {
				ix.ringEnds[int32(used)] = ends
			}
			used++
		}
	}
	ix.ownerParts[len(polys)] = int32(used)
	ix.parts = ix.parts[:used]
	for i := range ix.parts {
		pt := &ix.parts[i]
		ix.tree.Insert([2]float64{pt.minX, pt.minY}, [2]float64{pt.maxX, pt.maxY}, int32(i))
	}
	ix.points = newPointGrid(ix.parts)
	return ix
}

// preparedPart returns part i with its search structure built.
func (ix *Index) preparedPart(i int32) *part {
	pt := &ix.parts[i]
	if !pt.ready.Load() {
		pt.prepare(ix.ringEnds[i], &ix.layouts)
	}
	return pt
}

// Locate returns the polygon containing p (lon, lat).
//
// When several polygons contain p, the one in which p is deepest (farthest
// from that polygon's boundary) wins, then the smallest ID. When none does
// and opt.MaxDistanceMeters > 0, the polygon whose boundary is nearest to p
// within that distance is returned with Inside false, ties going to the
// smallest ID. Otherwise the Hit has ID -1.
func (ix *Index) Locate(p orb.Point, opt Options) Hit {
	if !isFinite(p[0]) || !isFinite(p[1]) {
		return noHit
	}
	var found ownerSet
	ix.containing(p, &found)
	switch {
	case found.count == 1:
		return Hit{ID: int(found.first[0]), Inside: true}
	case found.count > 1:
		return ix.deepest(p, &found)
	case opt.MaxDistanceMeters > 0:
		if grids := ix.grids.Load(); grids != nil {
			for _, g := range *grids {
				if h, ok := g.nearestInCell(p, opt.MaxDistanceMeters); ok {
					return h
				}
			}
		}
		return ix.nearest(p, opt.MaxDistanceMeters)
	default:
		return noHit
	}
}

// containing adds to found the polygons that contain p.
func (ix *Index) containing(p orb.Point, found *ownerSet) {
	if g := ix.points; g != nil {
		for _, i := range g.candidates(p) {
			if !g.mayHold(i, p) {
				continue
			}
			if owner := ix.parts[i].owner; !found.has(owner) && ix.preparedPart(i).contains(p) {
				found.add(owner)
			}
		}
		return
	}
	ix.tree.Search(p, p, func(_, _ [2]float64, i int32) bool {
		if owner := ix.parts[i].owner; !found.has(owner) && ix.preparedPart(i).contains(p) {
			found.add(owner)
		}
		return true
	})
}

// deepest picks, among the polygons containing p, the one whose boundary
// is farthest from p, then the smallest ID.
func (ix *Index) deepest(p orb.Point, found *ownerSet) Hit {
	pr := newLocalProjection(p)
	best := noHit
	bestDepthSq := -1.0
	found.each(func(owner int32) {
		depthSq := ix.ownerBoundaryDistanceSq(owner, &pr)
		if depthSq > bestDepthSq || (depthSq == bestDepthSq && int(owner) < best.ID) {
			best = Hit{ID: int(owner), Inside: true}
			bestDepthSq = depthSq
		}
	})
	return best
}

// ownerBoundaryDistanceSq returns the squared distance in square metres from
// the projection origin to the boundary of polygon owner (all its parts).
func (ix *Index) ownerBoundaryDistanceSq(owner int32, pr *localProjection) float64 {
	best := math.Inf(1)
	for i := ix.ownerParts[owner]; i < ix.ownerParts[owner+1]; i++ {
		pt := &ix.parts[i]
		if pr.boxDistanceSq(pt.minX, pt.minY, pt.maxX, pt.maxY) > best {
			continue
		}
		best = min(best, ix.preparedPart(i).boundaryDistanceSq(pr, best))
	}
	return best
}

// addGrid makes the nearest searches of Locate ask g first.
func (ix *Index) addGrid(g *FarGrid) {
	for {
		old := ix.grids.Load()
		var grids []*FarGrid
		if old != nil {
			grids = append(grids, *old...)
		}
		grids = append(grids, g)
		if ix.grids.CompareAndSwap(old, &grids) {
			return
		}
	}
}

// nearest returns the polygon whose boundary is nearest to p within
// maxMeters, ties going to the smallest ID, searching the whole index.
func (ix *Index) nearest(p orb.Point, maxMeters float64) Hit {
	pr := newLocalProjection(p)
	// Windows of growing radius: a part found within a window's radius is nearer
	// than every part outside the window, so the search can stop there. Off a
	// dense coast a wide radius would otherwise measure hundreds of parts.
	for radius := min(maxMeters, nearestFirstRadius); ; radius = min(maxMeters, radius*4) {
		if best := ix.nearestWithin(p, &pr, radius); best.ID >= 0 || radius >= maxMeters {
			return best
		}
	}
}

// nearestFirstRadius is the first window of nearest: the coast tolerance, which
// nearly every search uses.
const nearestFirstRadius = 1000.0

// nearCandidates is how many parts of a window nearestWithin measures nearest
// box first; the parts beyond are measured in the R-tree's order.
const nearCandidates = 64

// nearCandidate is a part of a window and the squared distance to its box.
type nearCandidate struct {
	boxSq float64
	part  int32
}

// nearestWithin is the nearest part whose boundary lies within maxMeters of p.
//
// The parts of the window are measured nearest box first: a part's box is
// never farther than its boundary, so once a box is farther than the best
// boundary found, no part left can be nearer, nor tie. Off a dense coast this
// measures the few parts facing the point, where the R-tree's order would
// measure most of the window. Which parts are measured does not change the
// answer, only its cost: every part whose box is within the best distance is.
func (ix *Index) nearestWithin(p orb.Point, pr *localProjection, maxMeters float64) Hit {
	// Search window in degrees, a little wider than the radius so that the
	// box never clips a qualifying edge through rounding.
	dy := maxMeters / pr.yMeters * 1.001
	dx := 360.0
	if pr.xMeters > 0 {
		dx = min(dx, maxMeters/pr.xMeters*1.001)
	}
	search := ix.newNearestSearch(*pr, maxMeters)
	var buf [nearCandidates]nearCandidate
	candidates := buf[:0]
	ix.tree.Search([2]float64{p[0] - dx, p[1] - dy}, [2]float64{p[0] + dx, p[1] + dy},
		func(_, _ [2]float64, i int32) bool {
			boxSq := search.boxSq(i)
			switch {
			case boxSq > search.bestSq:
			case len(candidates) < cap(candidates):
				candidates = append(candidates, nearCandidate{boxSq, i})
			default:
				search.measure(i)
			}
			return true
		})
	search.measureNearestFirst(candidates)
	return search.hit()
}

// nearestSearch is the nearest part measured so far within a distance of a
// point, and what it takes to measure the next: the one search nearestWithin
// and the grid's cells (nearestInCell) run over their candidates.
//
// The projection is held by value: the search hands its index on to
// preparedPart, which keeps it, so the escape analysis sends everything the
// search points to onto the heap, and a projection held by pointer would be
// one allocation per search.
type nearestSearch struct {
	ix     *Index
	pr     localProjection
	best   Hit
	bestSq float64
}

func (ix *Index) newNearestSearch(pr localProjection, maxMeters float64) nearestSearch {
	return nearestSearch{ix: ix, pr: pr, best: noHit, bestSq: maxMeters * maxMeters}
}

// boxSq is the squared distance from the point to part i's box.
func (s *nearestSearch) boxSq(i int32) float64 {
	pt := &s.ix.parts[i]
	return s.pr.boxDistanceSq(pt.minX, pt.minY, pt.maxX, pt.maxY)
}

// measure measures part i's boundary; at the same distance, the polygon of
// lower index wins, whatever the order the parts are measured in.
func (s *nearestSearch) measure(i int32) {
	pt := &s.ix.parts[i]
	d := s.ix.preparedPart(i).boundaryDistanceSq(&s.pr, s.bestSq)
	if math.IsInf(d, 1) {
		return
	}
	if s.best.ID < 0 || d < s.bestSq || (d == s.bestSq && int(pt.owner) < s.best.ID) {
		s.best.ID = int(pt.owner)
		s.bestSq = d
	}
}

// measureNearestFirst measures candidates nearest box first, and stops at the
// first box farther than the best boundary found: no part left can be nearer,
// nor tie. Most searches measure one or two parts, so picking the nearest box
// left beats sorting. candidates is used up.
func (s *nearestSearch) measureNearestFirst(candidates []nearCandidate) {
	for len(candidates) > 0 {
		next := 0
		for j := 1; j < len(candidates); j++ {
			if candidates[j].boxSq < candidates[next].boxSq {
				next = j
			}
		}
		c := candidates[next]
		if c.boxSq > s.bestSq {
			break
		}
		s.measure(c.part)
		last := len(candidates) - 1
		candidates[next] = candidates[last]
		candidates = candidates[:last]
	}
}

// hit is the nearest part found, with its distance.
func (s *nearestSearch) hit() Hit {
	if s.best.ID >= 0 {
		s.best.DistanceM = math.Sqrt(s.bestSq)
	}
	return s.best
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// ownerSet collects the distinct polygons containing a point. Almost always
// there is one, rarely a few along simplified borders, so the first ones are
// kept inline and the set stays on the stack.
type ownerSet struct {
	count int
	first [4]int32
	more  []int32
}

func (s *ownerSet) has(owner int32) bool {
	for i := 0; i < min(s.count, len(s.first)); i++ {
		if s.first[i] == owner {
			return true
		}
	}
	for _, o := range s.more {
		if o == owner {
			return true
		}
	}
	return false
}

func (s *ownerSet) add(owner int32) {
	if s.count < len(s.first) {
		s.first[s.count] = owner
	} else {
		s.more = append(s.more, owner)
	}
	s.count++
}

func (s *ownerSet) each(fn func(owner int32)) {
	for i := 0; i < min(s.count, len(s.first)); i++ {
		fn(s.first[i])
	}
	for _, o := range s.more {
		fn(o)
	}
}

// Bound is the bounding box of polygon i, the union of its parts' boxes; ok is
// false when i has no part (an empty polygon, or i out of range).
func (ix *Index) Bound(i int) (b orb.Bound, ok bool) {
	if i < 0 || i+1 >= len(ix.ownerParts) {
		return b, false
	}
	for j := ix.ownerParts[i]; j < ix.ownerParts[i+1]; j++ {
		pt := &ix.parts[j]
		pb := orb.Bound{Min: orb.Point{pt.minX, pt.minY}, Max: orb.Point{pt.maxX, pt.maxY}}
		if !ok {
			b, ok = pb, true
			continue
		}
		b = b.Union(pb)
	}
	return b, ok
}
