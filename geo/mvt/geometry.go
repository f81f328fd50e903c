package mvt

import (
	"math"

	"github.com/paulmach/orb"
)

// Geometry types of a feature.
const (
	Point      = 1
	LineString = 2
	Polygon    = 3
)

// Geometry commands.
const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// IPoint is a point in integer tile units.
type IPoint [2]int32

// Round rounds a point in tile units to the grid.
func Round(p orb.Point) IPoint {
	return IPoint{int32(math.Round(p[0])), int32(math.Round(p[1]))}
}

// QuantizeRing rounds a ring in tile units to the grid, dropping repeated
// points and the closing one; nil when nothing with an area is left.
func QuantizeRing(r orb.Ring) []IPoint {
	q := quantize(orb.LineString(r))
	if len(q) > 1 && q[0] == q[len(q)-1] {
		q = q[:len(q)-1]
	}
	if len(q) < 3 || ringArea(q) == 0 {
		return nil
	}
	return q
}

// QuantizeLine rounds a line in tile units to the grid, dropping repeated
// points; nil when fewer than two points are left.
func QuantizeLine(l orb.LineString) []IPoint {
	q := quantize(l)
	if len(q) < 2 {
		return nil
	}
	return q
}

func quantize(l orb.LineString) []IPoint {
	out := make([]IPoint, 0, len(l))
	for _, p := range l {
		ip := Round(p)
		if len(out) > 0 && out[len(out)-1] == ip {
			continue
		}
		out = append(out, ip)
	}
	return out
}

// ringArea is twice the signed area of an open ring, positive when the ring turns
// clockwise on screen (y downwards): the winding MVT asks of exterior rings.
func ringArea(r []IPoint) int64 {
	var a int64
	for i := range r {
		j := (i + 1) % len(r)
		a += int64(r[i][0])*int64(r[j][1]) - int64(r[j][0])*int64(r[i][1])
	}
	return a
}

func command(id, count int) uint32 { return uint32(id&7) | uint32(count)<<3 }

func zigzag(v int32) uint32 { return uint32((v << 1) ^ (v >> 31)) }

// Geometry encodes the commands of one feature's geometry. The cursor carries
// over from one part to the next, so each starts relative to where the last one
// ended. The zero value is an empty geometry.
type Geometry struct {
	cmds []uint32
	cur  IPoint
}

// Empty reports whether nothing was written.
func (g *Geometry) Empty() bool { return len(g.cmds) == 0 }

// Ring encodes a ring from QuantizeRing, reversed if needed so that exterior
// rings turn clockwise and holes anticlockwise.
func (g *Geometry) Ring(r []IPoint, exterior bool) {
	if (ringArea(r) > 0) != exterior {
		rev := make([]IPoint, len(r))
		for i, p := range r {
			rev[len(r)-1-i] = p
		}
		r = rev
	}
	g.path(r)
	g.cmds = append(g.cmds, command(cmdClosePath, 1))
}

// Line encodes a line from QuantizeLine.
func (g *Geometry) Line(l []IPoint) { g.path(l) }

// Point encodes a point.
func (g *Geometry) Point(p IPoint) {
	g.cmds = append(g.cmds, command(cmdMoveTo, 1))
	g.delta(p)
}

func (g *Geometry) path(pts []IPoint) {
	g.cmds = append(g.cmds, command(cmdMoveTo, 1))
	g.delta(pts[0])
	g.cmds = append(g.cmds, command(cmdLineTo, len(pts)-1))
	for _, p := range pts[1:] {
		g.delta(p)
	}
}

func (g *Geometry) delta(p IPoint) {
	g.cmds = append(g.cmds, zigzag(p[0]-g.cur[0]), zigzag(p[1]-g.cur[1]))
	g.cur = p
}
