package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"zonage/geo/mvt"
	"zonage/zones"

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

// maxZoomOf is the most detailed zoom served for a tile set.
func maxZoomOf(layer string) int {
	if layer == layerDepartements {
		return maxBordersZoom
	}
	return maxTileZoom
}

// newTileTransform maps normalised Mercator coordinates into tile k's units.
func newTileTransform(k tileKey) mvt.Transform { return mvt.NewTransform(k.z, k.x, k.y, tileExtent) }

// tileKey names a tile of a layer.
type tileKey struct {
	layer   string
	z, x, y int
	// profession tells apart the tiles of the professions other than the
	// default, which share one cache (mapData.otherTiles).
	profession zones.Profession
}

// tileBox is the tile's square in its own units, grown by the buffer.
var tileBox = orb.Bound{Min: orb.Point{-tileBuffer, -tileBuffer}, Max: orb.Point{tileExtent + tileBuffer, tileExtent + tileBuffer}}

// buildTile encodes tile k from the map data, gzipped.
func (md *mapData) buildTile(k tileKey) ([]byte, error) {
	var tile []byte
	if k.layer == layerDepartements {
		tile = md.namesLayer(k).AppendTo(md.bordersLayer(k).AppendTo(nil))
	} else {
		tile = md.communesLayer(k).AppendTo(nil)
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

// tileFrame is what drawing a layer of tile k starts from, the same for every
// layer: the prepared level its geometry comes from, its lon/lat box grown by the
// buffer, the transform into its units and the simplifier of its lines.
type tileFrame struct {
	level  int // index in geomLevels, -1 for the full geometry
	lonlat orb.Bound
	tr     mvt.Transform
	dp     *simplify.DouglasPeuckerSimplifier
}

func newTileFrame(k tileKey) tileFrame {
	return tileFrame{
		level:  levelFor(k.z),
		lonlat: mvt.TileBound(k.z, k.x, k.y, float64(tileBuffer)/tileExtent),
		tr:     newTileTransform(k),
		dp:     simplify.DouglasPeucker(tileSimplify),
	}
}

// toTile maps a line of the frame's geometry, in lon/lat when it is the full
// geometry and in normalised Mercator when it is a prepared level, into tile units.
func (f tileFrame) toTile(l orb.LineString) orb.LineString { return f.tr.ToTile(l, f.level < 0) }

// communesLayer is the communes whose outline touches tile k, tagged with their map class.
func (md *mapData) communesLayer(k tileKey) *mvt.Layer {
	f := newTileFrame(k)
	polys := md.polys
	if f.level >= 0 {
		polys = md.polygonLevel(f.level)
	}
	layer := mvt.NewLayer(layerCommunes, "k", tileExtent)
	for i, b := range md.bounds {
		if !b.Intersects(f.lonlat) {
			continue
		}
		var geom mvt.Geometry
		for _, p := range polys[i] {
			for ri, r := range p {
				ring := mvt.QuantizeRing(f.dp.Ring(clip.Ring(tileBox, orb.Ring(f.toTile(orb.LineString(r))))))
				if ri == 0 && ring == nil {
					break // the holes of a polygon outside the tile are outside too
				}
				if ring != nil {
					geom.Ring(ring, ri == 0)
				}
			}
		}
		if !geom.Empty() {
			layer.Add(mvt.Polygon, &geom, md.classes[md.class[i]].Key)
		}
	}
	return layer
}

// bordersLayer is the borders between départements, coasts and frontiers that
// cross tile k, as one feature.
func (md *mapData) bordersLayer(k tileKey) *mvt.Layer {
	f := newTileFrame(k)
	lines, bounds := md.departementBorders()
	if f.level >= 0 {
		lines = md.lineLevel(f.level)
	}
	layer := mvt.NewLayer(layerDepartements, "k", tileExtent)
	var geom mvt.Geometry
	for i, b := range bounds {
		if !b.Intersects(f.lonlat) {
			continue
		}
		for _, part := range clip.LineString(tileBox, f.toTile(lines[i])) {
			if q := mvt.QuantizeLine(f.dp.LineString(part)); q != nil {
				geom.Line(q)
			}
		}
	}
	// One feature for all the borders: they carry nothing to tell them apart.
	if !geom.Empty() {
		layer.Add(mvt.LineString, &geom, "")
	}
	return layer
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

// handleTile answers GET /api/v1/tiles/{layer}/{z}/{x}/{y}.mvt for the layers
// communes (of the profession profession= names, the default's without, on the
// day date= names, today without) and departements. Tiles are kept gzipped and sent as kept to the clients that
// accept gzip, which browsers all do.
func (s *Server) handleTile(c *gin.Context) {
	if !checkParams(c, "v", "date", professionParam) {
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
	md, ok := s.Current().layerMapData(c, layer)
	if !ok {
		return
	}
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
	k := tileKey{layer, z, x, y, md.profession}
	data, err := md.tiles.get(c.Request.Context(), k, func() ([]byte, error) { return md.buildTile(k) })
	if err != nil && c.Request.Context().Err() != nil {
		writeProblem(c, http.StatusServiceUnavailable, ProblemTimeout, "tuile pas encore prête dans le délai ; réessayez")
		return
	}
	if err != nil {
		writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; identifiant "+requestIDOf(c))
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
	writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; identifiant "+requestIDOf(c))
}
