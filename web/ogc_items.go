package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"zonage/geo"
	"zonage/zones"
)

// ogcItemsParams are the query parameters of /collections/communes/items.
var ogcItemsParams = []string{"limit", "offset", "bbox", "bbox-crs", "crs", "categorie", "departement", "region"}

// ogcQuery is a parsed items request.
type ogcQuery struct {
	limit, offset int
	// boxes are the bbox filter: none, one, or two when it crosses the antimeridian.
	boxes       []orb.Bound
	categories  map[zones.Category]bool
	departement string
	region      string
}

func badParam(c *gin.Context, name, raw, reason string) bool {
	writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, fmt.Sprintf("%s « %s » invalide : %s", name, truncate(raw, maxQuoted), reason), name, raw)
	return false
}

func parseOGCQuery(c *gin.Context, st *State) (ogcQuery, bool) {
	q := ogcQuery{}
	var ok bool
	if q.limit, ok = intParam(c, "limit", ogcDefaultLimit, 1, ogcMaxLimit); !ok {
		return q, false
	}
	if q.offset, ok = intParam(c, "offset", 0, 0, math.MaxInt32); !ok {
		return q, false
	}
	// Clients of Part 2 (coordinate reference systems) may name the one system
	// served; any other is refused rather than answered in the wrong one.
	for _, name := range []string{"crs", "bbox-crs"} {
		if raw, has := c.GetQuery(name); has && raw != ogcCRS84 {
			return q, badParam(c, name, raw, "seul "+ogcCRS84+" (longitude, latitude WGS84) est servi")
		}
	}
	ix := st.ogc()
	if raw, has := c.GetQuery("bbox"); has {
		boxes, reason := parseBBox(raw)
		if reason != "" {
			return q, badParam(c, "bbox", raw, reason)
		}
		if ix.bounds == nil {
			writeProblem(c, http.StatusServiceUnavailable, ProblemUnavailable, "filtre bbox indisponible : les contours des communes ne sont pas chargés")
			return q, false
		}
		q.boxes = boxes
	}
	if raw, has := c.GetQuery("categorie"); has {
		q.categories = map[zones.Category]bool{}
		for _, v := range strings.Split(raw, ",") {
			cat, err := zones.ParseCategory(strings.TrimSpace(v))
			if err != nil || cat == "" {
				var slugs []string
				for _, k := range zones.DefaultProfession.Scale() {
					slugs = append(slugs, string(k))
				}
				return q, badParam(c, "categorie", raw, "catégorie attendue parmi "+strings.Join(slugs, ", ")+" (plusieurs séparées par des virgules)")
			}
			q.categories[cat] = true
		}
	}
	if raw, has := c.GetQuery("departement"); has {
		q.departement = strings.ToUpper(strings.TrimSpace(raw))
		if !ix.departements[q.departement] {
			return q, badParam(c, "departement", raw, "code de département attendu (ex. 01, 2A, 75, 971)")
		}
	}
	if raw, has := c.GetQuery("region"); has {
		q.region = strings.TrimSpace(raw)
		if !ix.regions[q.region] {
			return q, badParam(c, "region", raw, "code INSEE de région attendu (ex. 11 pour l'Île-de-France, 84 pour Auvergne-Rhône-Alpes)")
		}
	}
	return q, true
}

// parseBBox reads "minLon,minLat,maxLon,maxLat" (or the six-number form with
// heights, which are ignored) in CRS84. A box whose west edge is east of its east
// edge crosses the antimeridian and is cut in two. The reason is empty when valid.
func parseBBox(raw string) ([]orb.Bound, string) {
	parts := strings.Split(raw, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, "quatre nombres séparés par des virgules attendus : longitude min, latitude min, longitude max, latitude max (ex. 2.25,48.81,2.42,48.91)"
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Sprintf("« %s » n'est pas un nombre", truncate(strings.TrimSpace(p), maxQuoted))
		}
		v[i] = f
	}
	if len(v) == 6 {
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	minLon, minLat, maxLon, maxLat := v[0], v[1], v[2], v[3]
	switch {
	case minLon < -180 || minLon > 180 || maxLon < -180 || maxLon > 180:
		return nil, "longitudes entre -180 et 180 attendues"
	case minLat < -90 || minLat > 90 || maxLat < -90 || maxLat > 90:
		return nil, "latitudes entre -90 et 90 attendues"
	case minLat > maxLat:
		return nil, "la latitude min dépasse la latitude max"
	}
	if minLon > maxLon {
		return []orb.Bound{
			{Min: orb.Point{minLon, minLat}, Max: orb.Point{180, maxLat}},
			{Min: orb.Point{-180, minLat}, Max: orb.Point{maxLon, maxLat}},
		}, ""
	}
	return []orb.Bound{{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}}, ""
}

// match returns the indexes of the communes the query selects, in code order.
func (q *ogcQuery) match(st *State) []int {
	ix := st.ogc()
	communes := st.Resolver.Dataset.Communes
	out := make([]int, 0, 1024)
	for i := range communes {
		c := &communes[i]
		if q.departement != "" && c.Departement != q.departement {
			continue
		}
		if q.region != "" && c.Region != q.region {
			continue
		}
		if q.boxes != nil && !q.inBoxes(st, ix, i) {
			continue
		}
		if q.categories != nil && !q.categories[st.Resolver.CommuneRecord(i).Category] {
			continue
		}
		out = append(out, i)
	}
	return out
}

func (q *ogcQuery) inBoxes(st *State, ix *ogcIndex, i int) bool {
	for _, b := range q.boxes {
		cb := ix.bounds[i]
		if !cb.Intersects(b) {
			continue
		}
		if b.Contains(cb.Min) && b.Contains(cb.Max) || geo.IntersectsBound(st.Outlines[i], b) {
			return true
		}
	}
	return false
}

// outline returns commune i's outline, or nil when outlines are not loaded.
func (st *State) outline(i int) orb.MultiPolygon {
	if len(st.Outlines) == len(st.Resolver.Dataset.Communes) {
		return st.Outlines[i]
	}
	return nil
}

// handleOGCItems answers GET /ogc/collections/communes/items: the communes the
// filters select, a page at a time, with a next link while more remain.
func (s *Server) handleOGCItems(c *gin.Context) {
	st := s.Current()
	base, html, ok := ogcCollectionStart(c, st, ogcItemsParams...)
	if !ok {
		return
	}
	q, ok := parseOGCQuery(c, st)
	if !ok {
		return
	}
	matched := q.match(st)
	from := min(q.offset, len(matched))
	page := matched[from:min(from+q.limit, len(matched))]
	params := c.Request.URL.Query()
	links := ogcItemsLinks(base, params, html, from, len(page), len(matched), q.limit)
	if html {
		recs := make([]zones.CommuneRecord, len(page))
		for k, i := range page {
			recs[k] = st.Resolver.CommuneRecord(i)
		}
		renderOGCHTML(c, "items", ogcPage{Title: "Communes", Base: base, Links: links,
			Data: ogcItemsPage{Matched: len(matched), Offset: from, Records: recs, Query: params, Categories: zones.DefaultProfession.Scale()}})
		return
	}
	writeOGCFeatures(c, st, len(matched), page, links)
}

// ogcItemsLinks are the links of a page of items: itself in each format, the
// next and previous pages of limit items when there are, and the collection.
// The page starts at from, holds pageLen of the matched items.
func ogcItemsLinks(base string, params url.Values, html bool, from, pageLen, matched, limit int) []ogcLink {
	path := "/ogc/collections/" + ogcCollectionID + "/items"
	links := selfLinks(base, path, params, html, mediaGeoJSON)
	pageLink := func(rel string, offset int) ogcLink {
		v := url.Values{}
		for k, vs := range params {
			v[k] = vs
		}
		if offset > 0 {
			v.Set("offset", strconv.Itoa(offset))
		} else {
			v.Del("offset")
		}
		typ := mediaGeoJSON
		if html {
			typ = mediaHTML
		}
		title := "page suivante"
		if rel == "prev" {
			title = "page précédente"
		}
		return ogcLink{Href: base + path + "?" + v.Encode(), Rel: rel, Type: typ, Title: title}
	}
	if from+pageLen < matched {
		links = append(links, pageLink("next", from+pageLen))
	}
	if from > 0 {
		links = append(links, pageLink("prev", max(0, from-limit)))
	}
	return append(links, ogcLink{Href: base + "/ogc/collections/" + ogcCollectionID + "?f=json", Rel: "collection", Type: mediaJSON, Title: ogcCollectionTitle})
}

// writeOGCFeatures streams the GeoJSON FeatureCollection of the communes of page
// (indexes in the dataset), out of matched, a few hundred kilobytes at a time.
func writeOGCFeatures(c *gin.Context, st *State, matched int, page []int, links []ogcLink) {
	c.Header("Content-Type", mediaGeoJSON)
	c.Status(http.StatusOK)
	b := make([]byte, 0, 64<<10)
	b = append(b, `{"type":"FeatureCollection","numberMatched":`...)
	b = strconv.AppendInt(b, int64(matched), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(len(page)), 10)
	b = append(b, `,"timeStamp":`...)
	b = geo.AppendJSONString(b, ogcTimeStamp())
	b = append(b, `,"links":`...)
	b = appendLinks(b, links)
	b = append(b, `,"features":[`...)
	for k, i := range page {
		if k > 0 {
			b = append(b, ',')
		}
		rec := st.Resolver.CommuneRecord(i)
		b = geo.AppendFeature(b, rec.Code, zones.RecordColumns, rec.Values(), st.outline(i))
		if len(b) > 256<<10 {
			if _, err := c.Writer.Write(b); err != nil {
				return // the client went away
			}
			b = b[:0]
		}
	}
	b = append(b, "]}\n"...)
	c.Writer.Write(b)
}

func appendLinks(b []byte, links []ogcLink) []byte {
	b = append(b, '[')
	for i, l := range links {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"href":`...)
		b = geo.AppendJSONString(b, l.Href)
		b = append(b, `,"rel":`...)
		b = geo.AppendJSONString(b, l.Rel)
		b = append(b, `,"type":`...)
		b = geo.AppendJSONString(b, l.Type)
		b = append(b, `,"title":`...)
		b = geo.AppendJSONString(b, l.Title)
		b = append(b, '}')
	}
	return append(b, ']')
}

// handleOGCFeature answers GET /ogc/collections/communes/items/{code}.
func (s *Server) handleOGCFeature(c *gin.Context) {
	st := s.Current()
	base, html, ok := ogcCollectionStart(c, st)
	if !ok {
		return
	}
	code := c.Param("feature")
	communes := st.Resolver.Dataset.Communes
	i := sort.Search(len(communes), func(i int) bool { return communes[i].Code >= code })
	if i == len(communes) || communes[i].Code != code {
		detail := "aucune commune de code « " + truncate(code, maxQuoted) + " » dans la collection"
		if res, err := st.Resolver.ResolveCode(code); err == nil && res.Commune != nil && res.Commune.Code != code {
			detail += " ; elle est rattachée à " + res.Commune.Name + " (" + res.Commune.Code + ")"
		}
		writeProblemField(c, http.StatusNotFound, ProblemNotFound, detail, "featureId", code)
		return
	}
	rec := st.Resolver.CommuneRecord(i)
	path := "/ogc/collections/" + ogcCollectionID + "/items/" + url.PathEscape(code)
	links := append(selfLinks(base, path, nil, html, mediaGeoJSON),
		ogcLink{Href: base + "/ogc/collections/" + ogcCollectionID + "?f=json", Rel: "collection", Type: mediaJSON, Title: ogcCollectionTitle},
		ogcLink{Href: base + "/?commune=" + url.QueryEscape(code), Rel: "related", Type: mediaHTML, Title: "la commune sur la carte"})
	if html {
		renderOGCHTML(c, "feature", ogcPage{Title: rec.Name + " (" + rec.Code + ")", Base: base, Links: links, Data: ogcFeaturePage{Record: rec}})
		return
	}
	b := geo.AppendFeature(nil, rec.Code, zones.RecordColumns, rec.Values(), st.outline(i))
	b = append(b[:len(b)-1], `,"links":`...)
	b = appendLinks(b, links)
	b = append(b, "}\n"...)
	c.Data(http.StatusOK, mediaGeoJSON, b)
}
