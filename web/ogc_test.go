package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type ogcFC struct {
	Type           string
	NumberMatched  int
	NumberReturned int
	Links          []ogcLink
	Features       []struct {
		ID         string
		Geometry   map[string]any
		Properties map[string]*string
	}
}

func (fc ogcFC) ids() string {
	var ids []string
	for _, f := range fc.Features {
		ids = append(ids, f.ID)
	}
	return strings.Join(ids, ",")
}

func (fc ogcFC) link(rel string) string {
	for _, l := range fc.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func getFC(t *testing.T, h http.Handler, path string) ogcFC {
	t.Helper()
	rec := do(t, h, path)
	var fc ogcFC
	if err := json.Unmarshal(body(t, rec), &fc); rec.Code != 200 || err != nil {
		t.Fatalf("%s: %d %v\n%s", path, rec.Code, err, body(t, rec))
	}
	if ct := rec.Header().Get("Content-Type"); ct != mediaGeoJSON {
		t.Errorf("%s: Content-Type %s", path, ct)
	}
	return fc
}

func TestOGCLandingAndConformance(t *testing.T) {
	day := "2025-06-01"
	h := testServer(t, testState(&day))
	var landing struct {
		Title string
		Links []ogcLink
	}
	rec := do(t, h, "/ogc")
	if err := json.Unmarshal(body(t, rec), &landing); err != nil || rec.Code != 200 {
		t.Fatalf("%d %v", rec.Code, err)
	}
	rels := map[string]string{}
	for _, l := range landing.Links {
		rels[l.Rel] = l.Href + " " + l.Type
	}
	for rel, want := range map[string]string{
		"service-desc": "http://example.com/ogc/api " + mediaOpenAPI,
		"conformance":  "http://example.com/ogc/conformance application/json",
		"data":         "http://example.com/ogc/collections application/json",
		"self":         "http://example.com/ogc?f=json application/json",
	} {
		if rels[rel] != want {
			t.Errorf("link %s = %q, want %q", rel, rels[rel], want)
		}
	}
	behindProxy := do(t, h, "/ogc/", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "zonage.example.org")
	if !strings.Contains(string(body(t, behindProxy)), `"https://zonage.example.org/ogc/collections"`) {
		t.Errorf("links behind a proxy: %s", body(t, behindProxy))
	}
	page := do(t, h, "/ogc", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if ct := page.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(body(t, page)), "Ajouter une couche WFS / OGC API – Entités") {
		t.Errorf("HTML landing page: %s\n%s", ct, body(t, page))
	}
	if rec := do(t, h, "/ogc?f=xml"); rec.Code != 400 || !strings.Contains(string(body(t, rec)), `"field":"f"`) {
		t.Errorf("f=xml: %d %s", rec.Code, body(t, rec))
	}
	var conf struct{ ConformsTo []string }
	json.Unmarshal(body(t, do(t, h, "/ogc/conformance")), &conf)
	if strings.Join(conf.ConformsTo, " ") != strings.Join(ogcConformance, " ") || len(conf.ConformsTo) != 4 {
		t.Errorf("conformance: %v", conf.ConformsTo)
	}
	var coll struct {
		ID     string
		Crs    []string
		Extent struct{ Spatial struct{ Bbox [][]float64 } }
		Links  []ogcLink
	}
	json.Unmarshal(body(t, do(t, h, "/ogc/collections/communes")), &coll)
	if coll.ID != "communes" || coll.Crs[0] != ogcCRS84 || len(coll.Extent.Spatial.Bbox) != 1 ||
		coll.Extent.Spatial.Bbox[0][0] != 2.30 || coll.Extent.Spatial.Bbox[0][2] != 2.34 {
		t.Errorf("collection: %+v", coll)
	}
	if rec := do(t, h, "/ogc/collections/routes"); rec.Code != 404 || !strings.Contains(string(body(t, rec)), "collection « routes » inconnue") {
		t.Errorf("unknown collection: %d %s", rec.Code, body(t, rec))
	}
}

func TestOGCItems(t *testing.T) {
	day := "2025-06-01"
	st := testState(&day)
	h := testServer(t, st)
	const items = "/ogc/collections/communes/items"
	cases := []struct {
		name, query, want string
	}{
		{"everything", "", "91001,91002,92001,92002"},
		{"a box over two communes", "bbox=2.315,48.805,2.325,48.806", "91002,92001"},
		{"a line on the border of two communes", "bbox=2.32,48.805,2.32,48.806", "91002,92001"},
		{"six numbers, heights ignored", "bbox=2.315,48.805,0,2.318,48.806,100", "91002"},
		{"across the antimeridian", "bbox=170,48,2.305,49", "91001"},
		{"a box north of them all", "bbox=2.3,48.9,2.4,49", ""},
		{"one category", "categorie=tres_sous_dotee", "91001,91002"},
		{"two categories", "categorie=intermediaire,non_prioritaire", "92002"},
		{"a département", "departement=92", "92001,92002"},
		{"a region", "region=11", "91001,91002,92001,92002"},
		{"filters together", "departement=91&bbox=2.315,48.805,2.35,48.806", "91002"},
		{"the one CRS named", "bbox=2.315,48.805,2.325,48.806&bbox-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FOGC%2F1.3%2FCRS84&crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FOGC%2F1.3%2FCRS84", "91002,92001"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fc := getFC(t, h, items+"?"+tc.query)
			if fc.ids() != tc.want || fc.NumberMatched != fc.NumberReturned || fc.NumberReturned != len(fc.Features) {
				t.Errorf("%s: %s (matched %d, returned %d), want %s", tc.query, fc.ids(), fc.NumberMatched, fc.NumberReturned, tc.want)
			}
		})
	}

	t.Run("paging by next links", func(t *testing.T) {
		var got []string
		next := items + "?limit=3"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("next links never end")
			}
			u, _ := url.Parse(next)
			fc := getFC(t, h, u.RequestURI())
			if fc.NumberMatched != 4 {
				t.Errorf("numberMatched %d", fc.NumberMatched)
			}
			if pages == 1 && fc.link("prev") == "" {
				t.Error("second page without a prev link")
			}
			got = append(got, fc.ids())
			next = fc.link("next")
		}
		if strings.Join(got, "|") != "91001,91002,92001|92002" {
			t.Errorf("pages %q", got)
		}
	})

	t.Run("categories follow the day", func(t *testing.T) {
		before := do(t, h, items+"?categorie=non_prioritaire")
		day = "2026-02-01"
		defer func() { day = "2025-06-01" }()
		after := getFC(t, h, items+"?categorie=non_prioritaire")
		if after.ids() != "92002" {
			t.Errorf("after 2026-01-01: %s", after.ids())
		}
		if rec := do(t, h, items+"?categorie=non_prioritaire", "If-None-Match", before.Header().Get("ETag")); rec.Code == http.StatusNotModified {
			t.Error("the ETag of the day before still matches")
		}
	})

	t.Run("properties", func(t *testing.T) {
		rec := do(t, h, items+"/92001")
		var f struct {
			ID         string
			Geometry   struct{ Type string }
			Properties map[string]*string
			Links      []ogcLink
		}
		if err := json.Unmarshal(body(t, rec), &f); err != nil || rec.Code != 200 {
			t.Fatalf("%d %v %s", rec.Code, err, body(t, rec))
		}
		p := f.Properties
		if f.ID != "92001" || f.Geometry.Type != "MultiPolygon" || p["categorie"] != nil || *p["statut"] != "ambigu" ||
			!strings.Contains(*p["remarque"], "92009 Gamma-Ancienne : sous-dotée") || *p["departement"] != "92" || *p["version_donnees"] != "test-1" {
			t.Errorf("ambiguous commune: %s", body(t, rec))
		}
		alpha := getFC(t, h, items+"?limit=1").Features[0].Properties
		if *alpha["categorie"] != "tres_sous_dotee" || *alpha["code_officiel"] != "1_Tres_sous_dotee" || *alpha["echelle"] != "avenant7" ||
			*alpha["unite_type"] != "bassin_de_vie" || *alpha["region_nom"] != "Île-de-France" {
			t.Errorf("Alpha: %v", alpha)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct{ query, field, typ string }{
			{"bbox=1,2,3", "bbox", ProblemInvalidParameter},
			{"bbox=0,50,1,40", "bbox", ProblemInvalidParameter},
			{"bbox=0,a,1,2", "bbox", ProblemInvalidParameter},
			{"bbox=0,0,200,1", "bbox", ProblemInvalidParameter},
			{"limit=10001", "limit", ProblemInvalidParameter},
			{"limit=0", "limit", ProblemInvalidParameter},
			{"offset=-1", "offset", ProblemInvalidParameter},
			{"categorie=rouge", "categorie", ProblemInvalidParameter},
			{"departement=99", "departement", ProblemInvalidParameter},
			{"region=99", "region", ProblemInvalidParameter},
			{"bbox-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F2154", "bbox-crs", ProblemInvalidParameter},
			{"nom=Alpha", "nom", ProblemUnknownParameter},
			{"datetime=2025-01-01", "datetime", ProblemUnknownParameter},
		} {
			rec := do(t, h, items+"?"+tc.query)
			var p Problem
			json.Unmarshal(body(t, rec), &p)
			if rec.Code != 400 || p.Field != tc.field || p.Type != tc.typ || !strings.Contains(p.Detail, tc.field) {
				t.Errorf("%s: %d %+v", tc.query, rec.Code, p)
			}
		}
		for _, path := range []string{items + "/99999", items + "/9100", "/ogc/collections/routes/items", "/ogc/collections/routes/items/91001"} {
			if rec := do(t, h, path); rec.Code != 404 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: %d", path, rec.Code)
			}
		}
	})

	t.Run("HTML", func(t *testing.T) {
		rec := do(t, h, items+"?f=html&departement=91&limit=1")
		page := string(body(t, rec))
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(page, ">Alpha<") || strings.Contains(page, ">Beta<") || !strings.Contains(page, "2 communes correspondent") ||
			!strings.Contains(page, "page suivante") || rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%d %s", rec.Code, page)
		}
		feature := do(t, h, items+"/91002", "Accept", "text/html")
		if !strings.Contains(string(body(t, feature)), "<th>categorie</th><td>tres_sous_dotee</td>") {
			t.Errorf("feature page: %s", body(t, feature))
		}
	})

	t.Run("ETag", func(t *testing.T) {
		first := do(t, h, items+"?limit=2")
		again := do(t, h, items+"?limit=2", "If-None-Match", first.Header().Get("ETag"))
		html := do(t, h, items+"?limit=2", "If-None-Match", first.Header().Get("ETag"), "Accept", "text/html")
		if again.Code != http.StatusNotModified || html.Code != 200 {
			t.Errorf("revalidation %d, in HTML %d", again.Code, html.Code)
		}
	})
}

func TestOGCAPIDocument(t *testing.T) {
	day := "2025-06-01"
	h := testServer(t, testState(&day))
	rec := do(t, h, "/ogc/api", "X-Forwarded-Proto", "https")
	if ct := rec.Header().Get("Content-Type"); ct != mediaOpenAPI {
		t.Errorf("Content-Type %s", ct)
	}
	var doc struct {
		Servers []struct{ URL string }
		Paths   map[string]struct {
			Get struct {
				Parameters []struct {
					Name, In string
					Schema   struct{ Maximum float64 }
				}
			}
		}
	}
	if err := json.Unmarshal(body(t, rec), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://example.com/ogc" {
		t.Errorf("servers %+v", doc.Servers)
	}
	for _, p := range []string{"/", "/conformance", "/collections", "/collections/communes", "/collections/communes/items/{featureId}"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("path %s missing", p)
		}
	}
	params := map[string]float64{}
	for _, p := range doc.Paths["/collections/communes/items"].Get.Parameters {
		if p.In == "query" {
			params[p.Name] = p.Schema.Maximum
		}
	}
	// GDAL sends a -where equality on these as query parameters; QGIS pages by the maximum.
	for _, name := range append([]string{"f"}, ogcItemsParams...) {
		if _, ok := params[name]; !ok {
			t.Errorf("items parameter %s undocumented", name)
		}
	}
	if params["limit"] != ogcMaxLimit {
		t.Errorf("limit maximum %v", params["limit"])
	}
	if _, ok := doc.Paths["/api/v1/resolve"]; ok {
		t.Error("the OGC document carries the rest of the API")
	}
}

func TestTileJSON(t *testing.T) {
	day := "2025-06-01"
	h := testServer(t, testState(&day))
	rec := do(t, h, "/api/v1/tiles/communes.json")
	var tj struct {
		TileJSON     string `json:"tilejson"`
		Tiles        []string
		MaxZoom      int
		Bounds       []float64
		VectorLayers []struct {
			ID     string
			Fields map[string]string
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal(body(t, rec), &tj); err != nil || rec.Code != 200 {
		t.Fatalf("%d %v %s", rec.Code, err, body(t, rec))
	}
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != "http://example.com/api/v1/tiles/communes/{z}/{x}/{y}.mvt?v=test-1.2025-06-01" ||
		tj.MaxZoom != maxTileZoom || len(tj.VectorLayers) != 1 || tj.VectorLayers[0].ID != "communes" || tj.VectorLayers[0].Fields["k"] == "" ||
		tj.Bounds[0] != 2.30 || tj.Bounds[2] != 2.34 {
		t.Errorf("%+v", tj)
	}
	// The URL it gives answers with a tile.
	u, _ := url.Parse(strings.NewReplacer("{z}", "14", "{x}", "8296", "{y}", "5639").Replace(tj.Tiles[0]))
	if tile := do(t, h, u.RequestURI()); tile.Code != 200 {
		t.Errorf("tile %s: %d", u, tile.Code)
	}
	// The borders' tile set also carries the commune names.
	rec = do(t, h, "/api/v1/tiles/departements.json")
	tj.VectorLayers = nil
	if err := json.Unmarshal(body(t, rec), &tj); err != nil || len(tj.VectorLayers) != 2 || tj.VectorLayers[1].ID != layerNames || tj.VectorLayers[1].Fields["n"] != "String" {
		t.Errorf("departements TileJSON layers %+v (%v)", tj.VectorLayers, err)
	}
	for _, path := range []string{"/api/v1/tiles/routes.json", "/api/v1/tiles/communes", "/api/v1/tiles/departements.xml"} {
		if rec := do(t, h, path); rec.Code != 404 {
			t.Errorf("%s: %d", path, rec.Code)
		}
	}
}
