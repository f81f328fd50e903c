package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"zonage/zones"
)

// The map page and the batch page are static files built by `make assets` from
// static/src with the front-end libraries pinned in static/package-lock.json; the
// built files are embedded so the binary serves them with nothing beside it.
//
//go:embed static/index.html static/lot.html static/favicon.svg static/dist
var staticFiles embed.FS

// asset is one embedded file, with the hash that versions its URL.
type asset struct {
	body  []byte
	ctype string
	hash  string
}

var (
	assetsOnce sync.Once
	assets     map[string]*asset // by URL path
)

// loadAssets reads the embedded files once. Pages refer to the built files with
// their content hash in the query string, so those can be cached for good while a
// new binary's pages fetch the new files.
func loadAssets() map[string]*asset {
	assetsOnce.Do(func() {
		assets = map[string]*asset{}
		fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := staticFiles.ReadFile(p)
			sum := sha256.Sum256(b)
			ctype := mime.TypeByExtension(path.Ext(p))
			switch path.Ext(p) {
			case ".js":
				ctype = "text/javascript; charset=utf-8"
			case ".css":
				ctype = "text/css; charset=utf-8"
			case ".html":
				ctype = "text/html; charset=utf-8"
			case ".svg":
				ctype = "image/svg+xml"
			}
			assets["/"+p] = &asset{body: b, ctype: ctype, hash: hex.EncodeToString(sum[:6])}
			return nil
		})
		for _, page := range []string{"/static/index.html", "/static/lot.html"} {
			a := assets[page]
			for name, dep := range assets {
				if strings.HasPrefix(name, "/static/dist/") || name == "/static/favicon.svg" {
					a.body = bytes.ReplaceAll(a.body, []byte(`"`+name+`"`), []byte(`"`+name+"?v="+dep.hash+`"`))
				}
			}
			sum := sha256.Sum256(a.body)
			a.hash = hex.EncodeToString(sum[:6])
		}
	})
	return assets
}

// baseMap is the raster base map under the choropleth.
type baseMap struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution"`
}

// defaultBaseMap is OpenStreetMap's tile server, whose usage policy suits a page
// with modest traffic; a busy deployment names its own with ZONAGE_FOND_CARTE.
var defaultBaseMap = baseMap{
	URL:         "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
	Attribution: `© <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>`,
}

// currentBaseMap reads the base map from the environment: ZONAGE_FOND_CARTE is a
// tile URL template ({z}/{x}/{y}, {s} for subdomains a, b, c), or "aucun" for none
// (an offline deployment: the page then shows commune and département outlines on
// a plain background); ZONAGE_FOND_CARTE_ATTRIBUTION is its credit line.
func currentBaseMap() *baseMap {
	u := strings.TrimSpace(os.Getenv("ZONAGE_FOND_CARTE"))
	switch strings.ToLower(u) {
	case "":
		bm := defaultBaseMap
		return &bm
	case "aucun", "none":
		return nil
	}
	return &baseMap{URL: u, Attribution: os.Getenv("ZONAGE_FOND_CARTE_ATTRIBUTION")}
}

// contentSecurityPolicy allows the page its own scripts and the base map's images,
// and framing by its own origin only.
func contentSecurityPolicy(bm *baseMap) string {
	img := "'self' data: blob:"
	if bm != nil {
		if u, err := url.Parse(strings.ReplaceAll(bm.URL, "{s}.", "")); err == nil && u.Host != "" {
			host := u.Host
			if strings.Contains(bm.URL, "{s}.") {
				host = "*." + host
			}
			img += " " + u.Scheme + "://" + host
		}
	}
	return "default-src 'self'; img-src " + img + "; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
}

// handleMapPage answers GET / with the map; handleBatchPage GET /lot with the
// batch classification page.
func (s *Server) handleMapPage(c *gin.Context)   { s.servePage(c, "/static/index.html") }
func (s *Server) handleBatchPage(c *gin.Context) { s.servePage(c, "/static/lot.html") }

func (s *Server) servePage(c *gin.Context, name string) {
	a := loadAssets()[name]
	// Building the map data takes a second the first time; starting it with the page
	// means it is ready, or nearly, when the page asks for its first tiles.
	if st := s.Current(); name == "/static/index.html" && st != nil {
		go st.mapData()
	}
	c.Header("Content-Security-Policy", contentSecurityPolicy(currentBaseMap()))
	// Another site must not frame the pages under its own (clickjacking): the
	// directive above for current browsers, X-Frame-Options for older ones.
	c.Header("X-Frame-Options", "SAMEORIGIN")
	c.Header("Referrer-Policy", "same-origin")
	serveAsset(c, a, false)
}

// handleStatic answers GET /static/*path with the embedded built files.
func (s *Server) handleStatic(c *gin.Context) {
	a, ok := loadAssets()["/static"+c.Param("path")]
	if !ok || strings.HasSuffix(c.Param("path"), ".html") {
		writeProblem(c, http.StatusNotFound, ProblemNotFound, "fichier statique "+c.Param("path")+" introuvable")
		return
	}
	serveAsset(c, a, c.Query("v") == a.hash)
}

func serveAsset(c *gin.Context, a *asset, immutable bool) {
	cacheControl := "no-cache"
	if immutable {
		cacheControl = "public, max-age=31536000, immutable"
	}
	// An embedded file changes only with the binary: its content hash is its ETag.
	if answerNotModified(c, `"`+a.hash+`"`, cacheControl) {
		return
	}
	c.Data(http.StatusOK, a.ctype, a.body)
}

// mapClass is a colour of the map: a category, or a commune the map cannot give one.
type mapClass struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Map classes beside the categories: a commune nouvelle whose former communes had
// different categories, and a commune with no zonage in force.
const (
	classAmbiguous = "ambigu"
	classNone      = "sans_zonage"
)

// mapClassesFor is the classes of profession p's map: its scale, then the
// communes the map cannot give a category.
func mapClassesFor(p zones.Profession) []mapClass {
	var out []mapClass
	for _, c := range p.Scale() {
		out = append(out, mapClass{string(c), c.Label()})
	}
	return append(out, mapClass{classAmbiguous, "commune nouvelle ambiguë"}, mapClass{classNone, "sans zonage en vigueur"})
}

// territory is a part of France the page can jump to.
type territory struct {
	Code   string     `json:"code"`
	Name   string     `json:"name"`
	Bounds [4]float64 `json:"bounds"` // west, south, east, north
}

// mapData is what the map is drawn from: every commune's class, outline and
// catchment for one dataset and one day (categories change on effective dates). It
// is built once per State and day; tiles and outlines are computed on demand and kept.
type mapData struct {
	version, day string
	classes      []mapClass
	class        []uint8 // per commune of the dataset
	counts       []int   // per class
	polys        []orb.MultiPolygon
	bounds       []orb.Bound
	departement  []int // per commune, index of its département in sorted order
	catchments   map[string][]int
	territories  []territory
	tiles        *tileCache

	// profession is the profession the classes are for; base, for a profession
	// other than the default, is the default's map data, whose outlines and
	// simplified geometry it shares (see mapDataFor).
	profession zones.Profession
	base       *mapData

	polygonOnce   [len(geomLevels)]sync.Once
	polygonLevels [len(geomLevels)][]orb.MultiPolygon
	lineOnce      [len(geomLevels)]sync.Once
	lineLevels    [len(geomLevels)][]orb.LineString

	bordersOnce  sync.Once
	borderLines  []orb.LineString
	borderBounds []orb.Bound

	outlinesMu        sync.Mutex
	catchmentOutlines map[string]orb.MultiLineString

	// communes and parentNames name the places of the label layer.
	communes    []zones.Commune
	parentNames map[string]string
	labels      labelSet
}

// mapData returns the map data for today, building it on first use and again when
// the day changes.
func (st *State) mapData() *mapData {
	day := today(st.Resolver)
	st.mapMu.Lock()
	defer st.mapMu.Unlock()
	if st.mapCur == nil || st.mapCur.day != day {
		md := newMapData(st, day)
		st.mapCur = md
		if md.polys != nil {
			// Prepare what the first view of France needs while the page loads; one
			// at a time, so that requests keep the other core.
			go func() {
				md.polygonLevel(1)
				md.polygonLevel(0)
				md.departementBorders()
				md.placedLabels(6)
			}()
		}
	}
	return st.mapCur
}

// today is the resolver's day, the one clock the service answers by.
func today(r *zones.Resolver) string { return r.Today().String() }

func newMapData(st *State, day string) *mapData {
	ds := st.Resolver.Dataset
	md := &mapData{
		version: ds.Meta.Version, day: day, profession: zones.DefaultProfession, classes: mapClassesFor(zones.DefaultProfession),
		class: make([]uint8, len(ds.Communes)), catchments: map[string][]int{},
		tiles: newTileCache(tileCacheBytes), catchmentOutlines: map[string]orb.MultiLineString{},
	}
	md.counts = make([]int, len(md.classes))
	classIdx := map[string]uint8{}
	for i, c := range md.classes {
		classIdx[c.Key] = uint8(i)
	}
	if len(st.Outlines) == len(ds.Communes) {
		md.polys = st.Outlines
		md.communes, md.parentNames = ds.Communes, ds.ParentNames
		md.bounds = make([]orb.Bound, len(ds.Communes))
		for i, mp := range md.polys {
			md.bounds[i] = mp.Bound()
		}
	}
	depIdx := map[string]int{}
	for _, c := range ds.Communes {
		depIdx[c.Departement] = 0
	}
	deps := make([]string, 0, len(depIdx))
	for d := range depIdx {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	for i, d := range deps {
		depIdx[d] = i
	}
	md.departement = make([]int, len(ds.Communes))
	terr := map[string]*territory{}
	var terrOrder []string
	for i := range ds.Communes {
		c := &ds.Communes[i]
		md.departement[i] = depIdx[c.Departement]
		class, catch := communeClass(st.Resolver, c)
		md.class[i] = classIdx[class]
		md.counts[md.class[i]]++
		if catch != nil {
			k := catchmentKey(string(catch.Kind), catch.Code)
			md.catchments[k] = append(md.catchments[k], i)
		}
		if md.bounds == nil {
			continue
		}
		code, name := "metropole", "France métropolitaine"
		if strings.HasPrefix(c.Departement, "97") {
			code, name = c.Departement, c.Departement
			if r, ok := zones.RegionByCode(c.Region); ok {
				name = r.Name
			}
		}
		t, ok := terr[code]
		b := md.bounds[i]
		if !ok {
			t = &territory{Code: code, Name: name, Bounds: [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}
			terr[code] = t
			terrOrder = append(terrOrder, code)
		}
		t.Bounds = [4]float64{min(t.Bounds[0], b.Min[0]), min(t.Bounds[1], b.Min[1]), max(t.Bounds[2], b.Max[0]), max(t.Bounds[3], b.Max[1])}
	}
	sort.Slice(terrOrder, func(i, j int) bool {
		// Metropolitan France first, then the DROM by code.
		a, b := terrOrder[i], terrOrder[j]
		if (a == "metropole") != (b == "metropole") {
			return a == "metropole"
		}
		return a < b
	})
	for _, code := range terrOrder {
		md.territories = append(md.territories, *terr[code])
	}
	return md
}

func catchmentKey(kind, code string) string { return kind + "/" + code }

// polygonLevel returns the outlines prepared for geomLevels[li].
func (md *mapData) polygonLevel(li int) []orb.MultiPolygon {
	if md.base != nil {
		return md.base.polygonLevel(li)
	}
	md.polygonOnce[li].Do(func() { md.polygonLevels[li] = simplifyPolygons(md.polys, geomLevels[li]) })
	return md.polygonLevels[li]
}

// lineLevel returns the département borders prepared for geomLevels[li].
func (md *mapData) lineLevel(li int) []orb.LineString {
	md.lineOnce[li].Do(func() {
		lines, _ := md.departementBorders()
		md.lineLevels[li] = simplifyLines(lines, geomLevels[li])
	})
	return md.lineLevels[li]
}

// departementBorders returns the lines between départements, with the coasts and
// frontiers, and their bounds.
func (md *mapData) departementBorders() ([]orb.LineString, []orb.Bound) {
	md.bordersOnce.Do(func() {
		if md.polys == nil {
			return
		}
		ids := make([]int, len(md.polys))
		for i := range ids {
			ids[i] = i
		}
		for _, l := range borders(md.polys, ids, func(i int) int { return md.departement[i] }) {
			md.borderLines = append(md.borderLines, l)
			md.borderBounds = append(md.borderBounds, l.Bound())
		}
	})
	return md.borderLines, md.borderBounds
}

// catchmentOutline returns the outer boundary of a catchment's communes.
func (md *mapData) catchmentOutline(key string) orb.MultiLineString {
	return md.outline(key, md.catchments[key])
}

type mapClassCount struct {
	mapClass
	Count int `json:"count"`
}

// handleMap answers GET /api/v1/map: what the page needs to draw the map of a
// profession (profession=, the default's without) — the tile URLs, the classes
// of its scale with their counts for the legend, the territories, the base map,
// and which professions the data has.
func (s *Server) handleMap(c *gin.Context) {
	if !checkParams(c, professionParam) {
		return
	}
	st := s.Current()
	p, r, ok := professionFromParams(c, st)
	if !ok {
		return
	}
	md := st.mapDataFor(p, r)
	if notModified(c, md.version, md.day, 5*time.Minute) {
		return
	}
	classes := make([]mapClassCount, len(md.classes))
	for i, cl := range md.classes {
		classes[i] = mapClassCount{cl, md.counts[i]}
	}
	var tiles gin.H
	if md.polys != nil {
		v := url.QueryEscape(md.version + "." + md.day)
		tiles = gin.H{layerCommunes: "/api/v1/tiles/communes/{z}/{x}/{y}.mvt?v=" + v + professionQuery(p),
			layerDepartements: "/api/v1/tiles/departements/{z}/{x}/{y}.mvt?v=" + v}
	}
	// The revision the law expects is the kinés' arrêtés'; another profession's
	// export dates none.
	overdue, warning, vintage := []string(nil), "", st.meta().ZonageVintage
	if p == zones.DefaultProfession {
		day, _ := zones.ParseDay(md.day)
		overdue, warning = zones.RevisionSummary(st.Resolver.RegionRevisions(day))
	} else {
		vintage = professionVintage(r)
	}
	c.JSON(http.StatusOK, gin.H{
		"profession": p, "professions": st.professionList(),
		"dataset_version": md.version, "date": md.day, "tiles": tiles, "min_zoom": 0, "max_zoom": maxTileZoom,
		"max_zoom_layers": gin.H{layerCommunes: maxTileZoom, layerDepartements: maxBordersZoom},
		"extent":          tileExtent, "classes": classes, "territories": md.territories, "base_map": currentBaseMap(),
		// What the legend says of the data's age: its vintage, and the regions whose
		// two-year revision is due on the map's day.
		"data_vintage": vintage, "revision_overdue": nonNil(overdue), "revision_warning": warning,
	})
}

// handleTile answers GET /api/v1/tiles/{layer}/{z}/{x}/{y}.mvt for the layers
// communes (of the profession profession= names, the default's without) and
// departements. Tiles are kept gzipped and sent as kept to the
// clients that accept gzip, which browsers all do.
func (s *Server) handleTile(c *gin.Context) {
	if !checkParams(c, "v", professionParam) {
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
	st := s.Current()
	p, r, ok := professionFromParams(c, st)
	if !ok {
		return
	}
	if layer == layerDepartements {
		// The same borders and names for every profession.
		p = zones.DefaultProfession
	}
	md := st.mapDataFor(p, r)
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

type catchmentMember struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Label    string `json:"label"`
}

// handleCatchment answers GET /api/v1/catchments/{kind}/{code}: the communes of a
// bassin de vie or canton-ville — the unit an ARS decides a category for — with
// their classes and the catchment's outline.
func (s *Server) handleCatchment(c *gin.Context) {
	if !checkParams(c) {
		return
	}
	kind := zones.CatchmentKind(c.Param("kind"))
	if kind != zones.BassinDeVie && kind != zones.CantonVille {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "type d'unité « "+string(kind)+" » invalide : bassin_de_vie ou canton_ville attendu", "kind", string(kind))
		return
	}
	st := s.Current()
	md := st.mapData()
	key := catchmentKey(string(kind), c.Param("code"))
	members := md.catchments[key]
	if len(members) == 0 {
		writeProblemField(c, http.StatusNotFound, ProblemNotFound, "aucune commune dans le "+kind.Label()+" "+c.Param("code"), "code", c.Param("code"))
		return
	}
	if notModified(c, md.version, md.day, time.Hour) {
		return
	}
	ds := st.Resolver.Dataset
	var name string
	var derived bool
	out := make([]catchmentMember, 0, len(members))
	classes := map[string]bool{}
	for _, i := range members {
		cm := &ds.Communes[i]
		cl := md.classes[md.class[i]]
		out = append(out, catchmentMember{Code: cm.Code, Name: cm.Name, Category: cl.Key, Label: cl.Label})
		classes[cl.Key] = true
		if cm.Catchment != nil && cm.Catchment.Kind == kind && cm.Catchment.Code == c.Param("code") {
			name, derived = cm.Catchment.Name, cm.Catchment.Derived
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	// coherent: the unit's communes share one class on the map's day; when they do not,
	// the unit is not classed as a whole.
	ans := gin.H{"kind": kind, "kind_label": kind.Label(), "code": c.Param("code"), "name": name, "derived": derived,
		"coherent": len(classes) == 1, "communes": out, "dataset_version": md.version}
	if md.polys != nil {
		var b orb.Bound
		for n, i := range members {
			if n == 0 {
				b = md.bounds[i]
			} else {
				b = b.Union(md.bounds[i])
			}
		}
		ans["bounds"] = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
		ans["outline"] = geojson.NewGeometry(md.catchmentOutline(key))
	}
	c.JSON(http.StatusOK, ans)
}

// handleSources answers GET /api/v1/sources?keys=A1,S-egora: the bibliography
// entries that answers cite by key.
func (s *Server) handleSources(c *gin.Context) {
	if !checkParams(c, "keys") {
		return
	}
	keys := strings.Split(c.Query("keys"), ",")
	if c.Query("keys") == "" || len(keys) > 200 {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "keys : de 1 à 200 clés séparées par des virgules attendues (ex. A1,S-egora)", "keys", c.Query("keys"))
		return
	}
	if notModifiedToday(c, s.Current(), time.Hour) {
		return
	}
	out := []zones.Source{}
	seen := map[string]bool{}
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if src, ok := zones.SourceByKey(k); ok && !seen[k] {
			seen[k] = true
			src.Key = k
			out = append(out, src)
		}
	}
	c.JSON(http.StatusOK, gin.H{"sources": out})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
