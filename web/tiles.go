package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/simplify"
)

// The vector tiles of the map: Mapbox Vector Tiles (MVT 2) with two layers,
// "communes" (polygons, tag k = the map class of the commune) and "departements"
// (the borders between départements, coasts and frontiers, as lines).
const (
	// tileExtent is the tile's coordinate range. Tiles are drawn 256 CSS pixels
	// wide, so a unit is half a CSS pixel, one device pixel on a high-density
	// screen; a finer grid makes the low zooms, which carry all of France, larger.
	tileExtent = 512
	// tileBuffer is the margin drawn around each tile so that strokes do not stop
	// short at tile edges.
	tileBuffer = 8
	// maxTileZoom is the most detailed zoom served; the page enlarges it beyond.
	// At 14 a unit is under 5 m, finer than the 30 m outlines.
	maxTileZoom = 14
	// maxBordersZoom is the most detailed zoom of the borders' tiles, which carry
	// the commune names: a line or a name enlarged from zoom 14 would be blurred,
	// and four times as thick or as tall at 16.
	maxBordersZoom = 17
	// tileSimplify is the Douglas-Peucker tolerance in tile units.
	tileSimplify = 1.0
	// tileCacheBytes bounds the gzipped tiles kept in memory per dataset.
	tileCacheBytes = 32 << 20
)

// The tile sets: the communes coloured by class, and the départements' borders.
// The borders are their own tiles so that the map can be drawn before they are
// computed (a second for all of France, once per dataset), and drawn opaque over
// the translucent colours.
const (
	layerCommunes     = "communes"
	layerDepartements = "departements"
)

// geomLevels are the zooms for which simplified geometry is prepared: a tile at
// zoom z uses the first level ≥ z and the full outlines above the last. A zoom 5
// tile holds all of France; simplifying its 2.6 million points for every tile
// would take a quarter of a second, against 15 ms from the level. The two levels
// keep 20 MB; from zoom 8 a tile holds a few thousand communes at most, and the
// full outlines cost it 10 to 20 ms once.
var geomLevels = [2]int{5, 7}

// levelFor returns the index in geomLevels of the geometry a tile at zoom z is
// drawn from, or -1 for the full geometry.
func levelFor(z int) int {
	for li, lz := range geomLevels {
		if z <= lz {
			return li
		}
	}
	return -1
}

// mercatorDP simplifies normalised Mercator geometry to half a CSS pixel at zoom.
func mercatorDP(zoom int) *simplify.DouglasPeuckerSimplifier {
	return simplify.DouglasPeucker(0.5 / (256 * float64(int(1)<<zoom)))
}

// simplifyPolygons projects outlines to normalised Mercator and simplifies them for zoom.
func simplifyPolygons(polys []orb.MultiPolygon, zoom int) []orb.MultiPolygon {
	dp := mercatorDP(zoom)
	out := make([]orb.MultiPolygon, len(polys))
	for i, mp := range polys {
		m := make(orb.MultiPolygon, 0, len(mp))
		for _, p := range mp {
			q := make(orb.Polygon, 0, len(p))
			for _, r := range p {
				q = append(q, orb.Ring(shrink(dp.LineString(project(orb.LineString(r))))))
			}
			m = append(m, q)
		}
		out[i] = m
	}
	return out
}

// simplifyLines projects lines to normalised Mercator and simplifies them for zoom.
func simplifyLines(lines []orb.LineString, zoom int) []orb.LineString {
	dp := mercatorDP(zoom)
	out := make([]orb.LineString, len(lines))
	for i, l := range lines {
		out[i] = shrink(dp.LineString(project(l)))
	}
	return out
}

// shrink copies a simplified line to a slice of its own length: the simplifier
// works in place, and the full-size array behind it would stay alive with it.
func shrink(l orb.LineString) orb.LineString {
	return append(make(orb.LineString, 0, len(l)), l...)
}

func project(l orb.LineString) orb.LineString {
	m := make(orb.LineString, len(l))
	for k, p := range l {
		m[k] = mercator(p)
	}
	return m
}

// mercator projects lon/lat to Web Mercator normalised to [0, 1] (y downwards).
func mercator(p orb.Point) orb.Point {
	lat := math.Max(-85.05112878, math.Min(85.05112878, p[1])) * math.Pi / 180
	return orb.Point{(p[0] + 180) / 360, (1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2}
}

// maxZoomOf is the most detailed zoom served for a tile set.
func maxZoomOf(layer string) int {
	if layer == layerDepartements {
		return maxBordersZoom
	}
	return maxTileZoom
}

// tileBound is the lon/lat box of tile z/x/y grown by the tile buffer.
func tileBound(z, x, y int) orb.Bound {
	n := float64(int(1) << z)
	pad := float64(tileBuffer) / tileExtent
	lon := func(mx float64) float64 { return mx/n*360 - 180 }
	lat := func(my float64) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*my/n))) * 180 / math.Pi }
	return orb.Bound{
		Min: orb.Point{lon(float64(x) - pad), lat(float64(y) + 1 + pad)},
		Max: orb.Point{lon(float64(x) + 1 + pad), lat(float64(y) - pad)},
	}
}

// tileKey names a tile of a layer.
type tileKey struct {
	layer   string
	z, x, y int
}

// tileTransform maps normalised Mercator coordinates into the tile's units.
type tileTransform struct {
	n    float64
	x, y float64
}

func newTileTransform(k tileKey) tileTransform {
	return tileTransform{n: float64(int(1) << k.z), x: float64(k.x), y: float64(k.y)}
}

func (t tileTransform) apply(m orb.Point) orb.Point {
	return orb.Point{(m[0]*t.n - t.x) * tileExtent, (m[1]*t.n - t.y) * tileExtent}
}

// toTile maps geometry of a level (Mercator already) or full geometry (lon/lat)
// into the tile's units.
func (t tileTransform) toTile(l orb.LineString, lonlat bool) orb.LineString {
	out := make(orb.LineString, len(l))
	for j, p := range l {
		if lonlat {
			p = mercator(p)
		}
		out[j] = t.apply(p)
	}
	return out
}

// tileBox is the tile's square in its own units, grown by the buffer.
var tileBox = orb.Bound{Min: orb.Point{-tileBuffer, -tileBuffer}, Max: orb.Point{tileExtent + tileBuffer, tileExtent + tileBuffer}}

// buildTile encodes tile k from the map data, gzipped.
func (md *mapData) buildTile(k tileKey) ([]byte, error) {
	var tile []byte
	if k.layer == layerDepartements {
		tile = appendLayer(appendLayer(nil, md.bordersLayer(k)), md.namesLayer(k))
	} else {
		tile = appendLayer(nil, md.communesLayer(k))
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(tile); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (md *mapData) communesLayer(k tileKey) *mvtLayer {
	polys := md.polys
	li := levelFor(k.z)
	if li >= 0 {
		polys = md.polygonLevel(li)
	}
	lonlat := tileBound(k.z, k.x, k.y)
	tr := newTileTransform(k)
	dp := simplify.DouglasPeucker(tileSimplify)
	layer := newMVTLayer(layerCommunes)
	for i, b := range md.bounds {
		if !b.Intersects(lonlat) {
			continue
		}
		var geom geomWriter
		for _, p := range polys[i] {
			for ri, r := range p {
				ring := quantizeRing(dp.Ring(clip.Ring(tileBox, orb.Ring(tr.toTile(orb.LineString(r), li < 0)))))
				if ri == 0 && ring == nil {
					break // the holes of a polygon outside the tile are outside too
				}
				if ring != nil {
					geom.ring(ring, ri == 0)
				}
			}
		}
		if len(geom.cmds) > 0 {
			layer.add(mvtPolygon, geom.cmds, md.classes[md.class[i]].Key)
		}
	}
	return layer
}

func (md *mapData) bordersLayer(k tileKey) *mvtLayer {
	lines, bounds := md.departementBorders()
	li := levelFor(k.z)
	if li >= 0 {
		lines = md.lineLevel(li)
	}
	lonlat := tileBound(k.z, k.x, k.y)
	tr := newTileTransform(k)
	dp := simplify.DouglasPeucker(tileSimplify)
	layer := newMVTLayer(layerDepartements)
	var geom geomWriter
	for i, b := range bounds {
		if !b.Intersects(lonlat) {
			continue
		}
		for _, part := range clip.LineString(tileBox, tr.toTile(lines[i], li < 0)) {
			if q := quantizeLine(dp.LineString(part)); q != nil {
				geom.line(q)
			}
		}
	}
	// One feature for all the borders: they carry nothing to tell them apart.
	if len(geom.cmds) > 0 {
		layer.add(mvtLineString, geom.cmds, "")
	}
	return layer
}

// ipoint is a point in integer tile units.
type ipoint [2]int32

// quantizeRing rounds a ring to tile units, dropping repeated points; nil when
// nothing with an area is left.
func quantizeRing(r orb.Ring) []ipoint {
	q := quantize(orb.LineString(r))
	if len(q) > 1 && q[0] == q[len(q)-1] {
		q = q[:len(q)-1]
	}
	if len(q) < 3 || ringArea(q) == 0 {
		return nil
	}
	return q
}

func quantizeLine(l orb.LineString) []ipoint {
	q := quantize(l)
	if len(q) < 2 {
		return nil
	}
	return q
}

func quantize(l orb.LineString) []ipoint {
	out := make([]ipoint, 0, len(l))
	for _, p := range l {
		ip := ipoint{int32(math.Round(p[0])), int32(math.Round(p[1]))}
		if len(out) > 0 && out[len(out)-1] == ip {
			continue
		}
		out = append(out, ip)
	}
	return out
}

// ringArea is twice the signed area of an open ring, positive when the ring turns
// clockwise on screen (y downwards): the winding MVT asks of exterior rings.
func ringArea(r []ipoint) int64 {
	var a int64
	for i := range r {
		j := (i + 1) % len(r)
		a += int64(r[i][0])*int64(r[j][1]) - int64(r[j][0])*int64(r[i][1])
	}
	return a
}

// MVT geometry commands and types.
const (
	cmdMoveTo     = 1
	cmdLineTo     = 2
	cmdClosePath  = 7
	mvtPoint      = 1
	mvtLineString = 2
	mvtPolygon    = 3
)

func command(id, count int) uint32 { return uint32(id&7) | uint32(count)<<3 }

func zigzag(v int32) uint32 { return uint32((v << 1) ^ (v >> 31)) }

// geomWriter encodes MVT geometry commands. The cursor carries over from one ring
// or line to the next, so each starts relative to where the last one ended.
type geomWriter struct {
	cmds []uint32
	cur  ipoint
}

// ring encodes a ring, reversed if needed so that exterior rings turn clockwise and
// holes anticlockwise.
func (w *geomWriter) ring(r []ipoint, exterior bool) {
	if (ringArea(r) > 0) != exterior {
		rev := make([]ipoint, len(r))
		for i, p := range r {
			rev[len(r)-1-i] = p
		}
		r = rev
	}
	w.path(r)
	w.cmds = append(w.cmds, command(cmdClosePath, 1))
}

func (w *geomWriter) line(l []ipoint) { w.path(l) }

func (w *geomWriter) path(pts []ipoint) {
	w.cmds = append(w.cmds, command(cmdMoveTo, 1))
	w.delta(pts[0])
	w.cmds = append(w.cmds, command(cmdLineTo, len(pts)-1))
	for _, p := range pts[1:] {
		w.delta(p)
	}
}

func (w *geomWriter) delta(p ipoint) {
	w.cmds = append(w.cmds, zigzag(p[0]-w.cur[0]), zigzag(p[1]-w.cur[1]))
	w.cur = p
}

// mvtLayer collects the features of one layer; each feature has at most one tag,
// named key (k, the class, unless said otherwise), whose values are interned.
type mvtLayer struct {
	name     string
	key      string
	features [][]byte
	values   []string
	valueIdx map[string]int
}

func newMVTLayer(name string) *mvtLayer {
	return &mvtLayer{name: name, key: "k", valueIdx: map[string]int{}}
}

func (l *mvtLayer) add(typ int, geom []uint32, class string) {
	var f []byte
	if class != "" {
		vi, ok := l.valueIdx[class]
		if !ok {
			vi = len(l.values)
			l.values = append(l.values, class)
			l.valueIdx[class] = vi
		}
		f = appendPacked(f, 2, []uint32{0, uint32(vi)})
	}
	f = appendKey(f, 3, 0)
	f = appendVarint(f, uint64(typ))
	f = appendPacked(f, 4, geom)
	l.features = append(l.features, f)
}

// appendLayer writes the layer as field 3 of a Tile message; an empty layer is left out.
func appendLayer(tile []byte, l *mvtLayer) []byte {
	if len(l.features) == 0 {
		return tile
	}
	var b []byte
	b = appendKey(b, 15, 0)
	b = appendVarint(b, 2)
	b = appendBytes(b, 1, []byte(l.name))
	for _, f := range l.features {
		b = appendBytes(b, 2, f)
	}
	if len(l.values) > 0 {
		b = appendBytes(b, 3, []byte(l.key))
	}
	for _, v := range l.values {
		b = appendBytes(b, 4, appendBytes(nil, 1, []byte(v)))
	}
	b = appendKey(b, 5, 0)
	b = appendVarint(b, tileExtent)
	return appendBytes(tile, 3, b)
}

func appendKey(b []byte, field, wire int) []byte { return appendVarint(b, uint64(field<<3|wire)) }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendBytes(b []byte, field int, v []byte) []byte {
	b = appendKey(b, field, 2)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendPacked(b []byte, field int, vs []uint32) []byte {
	var p []byte
	for _, v := range vs {
		p = appendVarint(p, uint64(v))
	}
	return appendBytes(b, field, p)
}

// tileCache keeps the most recently used gzipped tiles up to a byte budget, and
// builds each missing tile once however many requests ask for it at the same time.
type tileCache struct {
	mu       sync.Mutex
	max      int
	size     int
	order    *list.List // front = most recently used; values are *tileEntry
	entries  map[tileKey]*list.Element
	building map[tileKey]*tileBuild
}

type tileEntry struct {
	key  tileKey
	data []byte
}

type tileBuild struct {
	done chan struct{}
	data []byte
	err  error
}

func newTileCache(maxBytes int) *tileCache {
	return &tileCache{max: maxBytes, order: list.New(), entries: map[tileKey]*list.Element{}, building: map[tileKey]*tileBuild{}}
}

// get returns tile k, building it with build when no one holds or builds it. A
// request waiting for another's build gives up when its own context ends; a build
// that panics fails its waiters and leaves the key free for the next request.
func (c *tileCache) get(ctx context.Context, k tileKey, build func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if e, ok := c.entries[k]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*tileEntry).data, nil
	}
	if b, ok := c.building[k]; ok {
		c.mu.Unlock()
		select {
		case <-b.done:
			return b.data, b.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	b := &tileBuild{done: make(chan struct{})}
	c.building[k] = b
	c.mu.Unlock()

	defer func() {
		if r := recover(); r != nil {
			b.data, b.err = nil, fmt.Errorf("construction de la tuile %s/%d/%d/%d : %v", k.layer, k.z, k.x, k.y, r)
			c.finish(k, b)
			panic(r)
		}
	}()
	b.data, b.err = build()
	c.finish(k, b)
	return b.data, b.err
}

// finish ends build b of tile k: the tile is kept when it was built, the waiters
// are released either way.
func (c *tileCache) finish(k tileKey, b *tileBuild) {
	c.mu.Lock()
	delete(c.building, k)
	if b.err == nil {
		c.entries[k] = c.order.PushFront(&tileEntry{k, b.data})
		c.size += len(b.data)
		for c.size > c.max && c.order.Len() > 1 {
			old := c.order.Remove(c.order.Back()).(*tileEntry)
			delete(c.entries, old.key)
			c.size -= len(old.data)
		}
	}
	c.mu.Unlock()
	close(b.done)
}

// communes and departements. Tiles are kept gzipped and sent as kept to the
// clients that accept gzip, which browsers all do.
func (s *Server) handleTile(c *gin.Context) {
	if !checkParams(c, "v") {
		return
	}
	z, errZ := strconv.Atoi(c.Param("z"))
	x, errX := strconv.Atoi(c.Param("x"))
	y, errY := strconv.Atoi(strings.TrimSuffix(c.Param("y"), ".mvt"))
	layer := c.Param("layer")
	if errZ != nil || errX != nil || errY != nil || !strings.HasSuffix(c.Param("y"), ".mvt") || (layer != layerCommunes && layer != layerDepartements) {
		writeProblem(c, http.StatusNotFound, ProblemNotFound, "tuile "+c.Request.URL.Path+" introuvable : /api/v1/tiles/communes/{z}/{x}/{y}.mvt ou /api/v1/tiles/departements/{z}/{x}/{y}.mvt attendu")
		return
	}
	if z < 0 || z > maxZoomOf(layer) || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		writeProblem(c, http.StatusNotFound, ProblemNotFound, fmt.Sprintf("tuile %d/%d/%d hors de la grille (zoom de 0 à %d, x et y de 0 à 2^zoom − 1)", z, x, y, maxZoomOf(layer)))
		return
	}
	md := s.Current().mapData()
	if md.polys == nil {
		writeProblem(c, http.StatusServiceUnavailable, ProblemUnavailable, "carte indisponible : les contours des communes ne sont pas chargés")
		return
	}
	// A URL naming its dataset and day never changes; one without may.
	maxAge := time.Hour
	if c.Query("v") == md.version+"."+md.day {
		maxAge = 365 * 24 * time.Hour
	}
	if notModified(c, md.version, md.day, maxAge) {
		return
	}
	k := tileKey{layer, z, x, y}
	data, err := md.tiles.get(c.Request.Context(), k, func() ([]byte, error) { return md.buildTile(k) })
	if err != nil && c.Request.Context().Err() != nil {
		writeProblem(c, http.StatusServiceUnavailable, ProblemTimeout, "tuile pas encore prête dans le délai ; réessayez")
		return
	}
	if err != nil {
		writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; identifiant "+c.GetString("request_id"))
		return
	}
	c.Header("Vary", "Accept-Encoding")
	const ctype = "application/vnd.mapbox-vector-tile"
	if strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		c.Header("Content-Encoding", "gzip")
		c.Data(http.StatusOK, ctype, data)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err == nil {
		var raw []byte
		raw, err = io.ReadAll(zr)
		if err == nil {
			c.Data(http.StatusOK, ctype, raw)
			return
		}
	}
	writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; identifiant "+c.GetString("request_id"))
}
