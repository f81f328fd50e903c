package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
)

// OGC API – Features, Part 1: Core (OGC 17-069r4), under /ogc: the landing page,
// the conformance declaration, the collections and their items, in GeoJSON and
// HTML, described by an OpenAPI 3.0 document. One collection, "communes": every
// commune with its zonage in force today, in CRS84. GDAL's OAPIF driver reads it
// with no adapter (the tests run it); QGIS and ArcGIS speak the same standard.
const (
	ogcCRS84            = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	ogcCollectionID     = "communes"
	ogcDefaultLimit     = 100
	ogcMaxLimit         = 10000
	mediaJSON           = "application/json"
	mediaGeoJSON        = "application/geo+json"
	mediaHTML           = "text/html"
	mediaOpenAPI        = "application/vnd.oai.openapi+json;version=3.0"
	ogcCollectionTitle  = "Communes et zonage des masseurs-kinésithérapeutes"
	ogcCollectionAbout  = "Chaque commune (arrondissement à Paris, Lyon et Marseille) avec la catégorie ARS du zonage des masseurs-kinésithérapeutes en vigueur aujourd'hui, son code officiel, l'échelle, les dates d'arrêté et d'effet quand elles sont connues, le bassin de vie ou canton-ville et la version des données. Filtres : categorie, departement, region, bbox."
	ogcLandingTitle     = "zonage — le zonage ARS des masseurs-kinésithérapeutes (OGC API – Entités)"
	ogcLandingAbout     = "Les communes et leur catégorie du zonage des masseurs-kinésithérapeutes, au standard OGC API – Features (Part 1 : Core), lisibles par QGIS, ArcGIS et GDAL."
	ogcHTMLSecurePolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

// ogcConformance are the conformance classes the API implements.
var ogcConformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
}

type ogcLink struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// ogcIndex is what the collection's answers need beyond the dataset, computed
// once per State: each outline's bounds, the collection's extent, and the
// départements and régions a filter may name.
type ogcIndex struct {
	bounds       []orb.Bound // nil when the outlines are not loaded
	extent       orb.Bound
	departements map[string]bool
	regions      map[string]bool
}

func (st *State) ogc() *ogcIndex {
	st.ogcOnce.Do(func() {
		ix := &ogcIndex{departements: map[string]bool{}, regions: map[string]bool{}}
		for _, c := range st.Resolver.Dataset.Communes {
			ix.departements[c.Departement] = true
			ix.regions[c.Region] = true
		}
		if len(st.Outlines) == len(st.Resolver.Dataset.Communes) && len(st.Outlines) > 0 {
			ix.bounds = make([]orb.Bound, len(st.Outlines))
			for i, mp := range st.Outlines {
				ix.bounds[i] = mp.Bound()
				if i == 0 {
					ix.extent = ix.bounds[i]
				} else {
					ix.extent = ix.extent.Union(ix.bounds[i])
				}
			}
		}
		st.ogcIdx = ix
	})
	return st.ogcIdx
}

// ogcRoutes registers the OGC API. It must come before the server-wide gzip
// middleware: its pages are compressed at gzip's fastest level instead, because a
// client pulling the whole collection receives 68 MB of GeoJSON, and at the
// default level compressing them costs the server more than building them (3 s
// of the 4 s it spends; the fastest level sends a fifth more bytes for a quarter
// of the work).
func (s *Server) ogcRoutes(r *gin.Engine) {
	g := r.Group("/ogc", gzip.Gzip(gzip.BestSpeed), deadline(s.cfg.RequestTimeout))
	getAndHead(g, "", s.handleOGCLanding)
	getAndHead(g, "/", s.handleOGCLanding)
	getAndHead(g, "/api", s.handleOGCAPI)
	getAndHead(g, "/conformance", s.handleOGCConformance)
	getAndHead(g, "/collections", s.handleOGCCollections)
	getAndHead(g, "/collections/:collection", s.handleOGCCollection)
	getAndHead(g, "/collections/:collection/items", s.handleOGCItems)
	getAndHead(g, "/collections/:collection/items/:feature", s.handleOGCFeature)
}

// externalBase is the scheme and host the client used, as links must be absolute
// (GDAL resolves a link starting with "/" against the landing page, not the
// host). Behind a proxy, X-Forwarded-Proto and X-Forwarded-Host say what the
// client saw.
func externalBase(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	if p := c.GetHeader("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := c.Request.Host
	if h := strings.TrimSpace(strings.Split(c.GetHeader("X-Forwarded-Host"), ",")[0]); h != "" {
		host = h
	}
	if host == "" || strings.ContainsAny(host, " /\\\"'<>?#@") {
		host = "localhost"
	}
	return scheme + "://" + host
}

// ogcFormat says whether to answer in JSON or HTML: the f parameter wins, then the
// first of the Accept header's media types the API knows; JSON by default.
func ogcFormat(c *gin.Context) (html bool, ok bool) {
	switch f := c.Query("f"); f {
	case "json", "geojson":
		return false, true
	case "html":
		return true, true
	case "":
	default:
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "f "+quote(f)+" invalide : json ou html attendu", "f", f)
		return false, false
	}
	c.Header("Vary", "Accept")
	for _, part := range strings.Split(c.GetHeader("Accept"), ",") {
		switch strings.TrimSpace(strings.SplitN(part, ";", 2)[0]) {
		case "text/html", "application/xhtml+xml":
			return true, true
		case "application/json", "application/geo+json", "application/vnd.oai.openapi+json", "*/*":
			return false, true
		}
	}
	return false, true
}

// ogcNotModified sets the ETag and caching headers of an OGC answer, which depends
// on the dataset, the day (categories change on effective dates), the host its
// links name, the format and the request; it answers 304 when the client has it.
func ogcNotModified(c *gin.Context, st *State, base string, html bool) bool {
	return notModified(c, st.meta().Version, today(st.Resolver), 5*time.Minute, base, strconv.FormatBool(html))
}

// ogcJSON writes v as JSON with the given media type.
func ogcJSON(c *gin.Context, mediaType string, v any) {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, v); err != nil {
		writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; identifiant "+requestIDOf(c))
		return
	}
	c.Data(http.StatusOK, mediaType, buf.Bytes())
}

// ogcStart does what every OGC handler does first: refuse unknown parameters,
// pick the format, and answer 304 when the client is up to date.
func ogcStart(c *gin.Context, st *State, params ...string) (base string, html bool, ok bool) {
	if !checkParams(c, append([]string{"f"}, params...)...) {
		return "", false, false
	}
	if html, ok = ogcFormat(c); !ok {
		return "", false, false
	}
	base = externalBase(c)
	if ogcNotModified(c, st, base, html) {
		return "", false, false
	}
	return base, html, true
}

// selfLinks are the self and alternate links of a resource at path (with query q,
// f excluded) whose JSON media type is jsonType.
func selfLinks(base, path string, q url.Values, html bool, jsonType string) []ogcLink {
	withF := func(f string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "f" {
				v[k] = vs
			}
		}
		v.Set("f", f)
		return base + path + "?" + v.Encode()
	}
	jsonLink := ogcLink{Href: withF("json"), Type: jsonType, Title: "ce document en JSON"}
	htmlLink := ogcLink{Href: withF("html"), Type: mediaHTML, Title: "ce document en HTML"}
	if html {
		htmlLink.Rel, jsonLink.Rel = "self", "alternate"
		return []ogcLink{htmlLink, jsonLink}
	}
	jsonLink.Rel, htmlLink.Rel = "self", "alternate"
	return []ogcLink{jsonLink, htmlLink}
}

func (s *Server) handleOGCLanding(c *gin.Context) {
	st := s.Current()
	base, html, ok := ogcStart(c, st)
	if !ok {
		return
	}
	links := append(selfLinks(base, "/ogc", nil, html, mediaJSON),
		ogcLink{Href: base + "/ogc/api", Rel: "service-desc", Type: mediaOpenAPI, Title: "la définition de l'API (OpenAPI 3.0)"},
		ogcLink{Href: base + "/ogc/conformance", Rel: "conformance", Type: mediaJSON, Title: "les classes de conformité implémentées"},
		ogcLink{Href: base + "/ogc/collections", Rel: "data", Type: mediaJSON, Title: "les collections"},
	)
	doc := gin.H{"title": ogcLandingTitle, "description": ogcLandingAbout, "links": links}
	if html {
		renderOGCHTML(c, "landing", ogcPage{Title: ogcLandingTitle, Base: base, Links: links, Data: doc})
		return
	}
	ogcJSON(c, mediaJSON, doc)
}

func (s *Server) handleOGCConformance(c *gin.Context) {
	st := s.Current()
	base, html, ok := ogcStart(c, st)
	if !ok {
		return
	}
	if html {
		renderOGCHTML(c, "conformance", ogcPage{Title: "Classes de conformité", Base: base,
			Links: selfLinks(base, "/ogc/conformance", nil, html, mediaJSON), Data: ogcConformance})
		return
	}
	ogcJSON(c, mediaJSON, gin.H{"conformsTo": ogcConformance})
}

// ogcCollectionDoc describes the communes collection.
func ogcCollectionDoc(st *State, base string) gin.H {
	ix := st.ogc()
	items := base + "/ogc/collections/" + ogcCollectionID + "/items"
	doc := gin.H{
		"id": ogcCollectionID, "title": ogcCollectionTitle, "description": ogcCollectionAbout,
		"itemType": "feature", "crs": []string{ogcCRS84}, "storageCrs": ogcCRS84,
		"links": []ogcLink{
			{Href: base + "/ogc/collections/" + ogcCollectionID + "?f=json", Rel: "self", Type: mediaJSON, Title: "cette collection"},
			{Href: base + "/ogc/collections/" + ogcCollectionID + "?f=html", Rel: "alternate", Type: mediaHTML, Title: "cette collection en HTML"},
			{Href: items + "?f=json", Rel: "items", Type: mediaGeoJSON, Title: "les communes en GeoJSON"},
			{Href: items + "?f=html", Rel: "items", Type: mediaHTML, Title: "les communes en HTML"},
			{Href: base + "/api/v1/export/gpkg", Rel: "enclosure", Type: "application/geopackage+sqlite3", Title: "toutes les communes en GeoPackage"},
			{Href: base + "/api/v1/export/geojson", Rel: "enclosure", Type: mediaGeoJSON, Title: "toutes les communes en un fichier GeoJSON"},
		},
	}
	if ix.bounds != nil {
		e := ix.extent
		doc["extent"] = gin.H{"spatial": gin.H{"bbox": [][4]float64{{e.Min[0], e.Min[1], e.Max[0], e.Max[1]}}, "crs": ogcCRS84}}
	}
	return doc
}

func (s *Server) handleOGCCollections(c *gin.Context) {
	st := s.Current()
	base, html, ok := ogcStart(c, st)
	if !ok {
		return
	}
	coll := ogcCollectionDoc(st, base)
	links := selfLinks(base, "/ogc/collections", nil, html, mediaJSON)
	if html {
		renderOGCHTML(c, "collections", ogcPage{Title: "Collections", Base: base, Links: links, Data: []gin.H{coll}})
		return
	}
	ogcJSON(c, mediaJSON, gin.H{"links": links, "collections": []gin.H{coll}})
}

// ogcCollectionStart is ogcStart for a resource of the communes collection:
// another collection in the path is a 404.
func ogcCollectionStart(c *gin.Context, st *State, params ...string) (base string, html bool, ok bool) {
	if id := c.Param("collection"); id != ogcCollectionID {
		writeProblemField(c, http.StatusNotFound, ProblemNotFound, "collection "+quote(id)+" inconnue ; collection disponible : "+ogcCollectionID, "collection", id)
		return "", false, false
	}
	return ogcStart(c, st, params...)
}

func (s *Server) handleOGCCollection(c *gin.Context) {
	st := s.Current()
	base, html, ok := ogcCollectionStart(c, st)
	if !ok {
		return
	}
	coll := ogcCollectionDoc(st, base)
	if html {
		renderOGCHTML(c, "collection", ogcPage{Title: ogcCollectionTitle, Base: base, Links: coll["links"].([]ogcLink), Data: coll})
		return
	}
	ogcJSON(c, mediaJSON, coll)
}

// The OGC API's own OpenAPI document: the /ogc paths of /openapi.json, relative
// to the landing page as the standard has it (GDAL and QGIS look up
// /collections/{id}/items there to learn the filters and the largest limit), with
// the server's external address.
var (
	ogcAPIOnce sync.Once
	ogcAPIDoc  map[string]json.RawMessage
	ogcAPIErr  error
)

func ogcAPIDocument(base string) ([]byte, error) {
	ogcAPIOnce.Do(func() {
		var full map[string]json.RawMessage
		if ogcAPIErr = json.Unmarshal(openAPIDocument, &full); ogcAPIErr != nil {
			return
		}
		var paths map[string]json.RawMessage
		if ogcAPIErr = json.Unmarshal(full["paths"], &paths); ogcAPIErr != nil {
			return
		}
		own := map[string]json.RawMessage{}
		for p, v := range paths {
			if p == "/ogc" {
				own["/"] = v
			} else if strings.HasPrefix(p, "/ogc/") {
				own[strings.TrimPrefix(p, "/ogc")] = v
			}
		}
		b, err := json.Marshal(own)
		if err != nil {
			ogcAPIErr = err
			return
		}
		full["paths"] = b
		ogcAPIDoc = full
	})
	if ogcAPIErr != nil {
		return nil, ogcAPIErr
	}
	doc := make(map[string]json.RawMessage, len(ogcAPIDoc)+1)
	for k, v := range ogcAPIDoc {
		doc[k] = v
	}
	servers, err := json.Marshal([]map[string]string{{"url": base + "/ogc", "description": "ce serveur"}})
	if err != nil {
		return nil, err
	}
	doc["servers"] = servers
	var buf bytes.Buffer
	err = encodeJSON(&buf, doc)
	return buf.Bytes(), err
}

func (s *Server) handleOGCAPI(c *gin.Context) {
	st := s.Current()
	if !checkParams(c, "f") {
		return
	}
	if f := c.Query("f"); f != "" && f != "json" {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "f "+quote(f)+" invalide : json attendu (la définition de l'API n'existe qu'en JSON)", "f", f)
		return
	}
	base := externalBase(c)
	if ogcNotModified(c, st, base, false) {
		return
	}
	doc, err := ogcAPIDocument(base)
	if err != nil {
		writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; identifiant "+requestIDOf(c))
		return
	}
	c.Data(http.StatusOK, mediaOpenAPI, doc)
}

// ogcTimeStamp is the timeStamp of a feature collection.
func ogcTimeStamp() string { return time.Now().UTC().Format(time.RFC3339) }
