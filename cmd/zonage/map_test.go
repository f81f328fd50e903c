package main

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestServeMap checks the map's endpoints on the real snapshot, and their answers
// against the OpenAPI document.
func TestServeMap(t *testing.T) {
	t.Setenv("ZONAGE_FOND_CARTE", "aucun")
	base, _ := startServer(t, testSnapshot)

	resp, body := get(t, base, "/api/v1/map")
	var m struct {
		Tiles   map[string]string
		Classes []struct {
			Key   string
			Count int
		}
		Territories []struct{ Code string }
		BaseMap     *struct{} `json:"base_map"`
		DataVintage string    `json:"data_vintage"`
		Overdue     []string  `json:"revision_overdue"`
		Warning     string    `json:"revision_warning"`
	}
	if err := json.Unmarshal(body, &m); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v %s", resp.StatusCode, err, body)
	}
	_, dsBody := get(t, base, "/api/v1/dataset")
	var ds struct {
		Coverage struct {
			Communes    int
			PerCategory map[string]int `json:"per_category"`
		}
		Regions []struct {
			Region   struct{ Code string }
			Revision struct {
				Expected string
				Overdue  bool
			}
		}
	}
	json.Unmarshal(dsBody, &ds)
	// The legend tells the data's vintage and, Occitanie's arrêté of 29/10/2024 being
	// past its two-year revision, says so; the dataset lists it per region.
	if !strings.Contains(m.DataVintage, "CartoSanté") || !strings.Contains(m.Warning, "Occitanie") || !slices.Contains(m.Overdue, "Occitanie") {
		t.Errorf("legend data: vintage %q, overdue %v, warning %q", m.DataVintage, m.Overdue, m.Warning)
	}
	occitanie := false
	for _, r := range ds.Regions {
		occitanie = occitanie || r.Region.Code == "76" && r.Revision.Expected == "2026-10-29" && r.Revision.Overdue
	}
	if len(ds.Regions) != 18 || !occitanie {
		t.Errorf("dataset regions: %+v", ds.Regions)
	}
	total := 0
	counts := map[string]int{}
	for _, c := range m.Classes {
		total += c.Count
		counts[c.Key] = c.Count
	}
	// Every outline is on the map once; the legend's figures are the import's.
	if total != ds.Coverage.Communes || counts["non_prioritaire"] != ds.Coverage.PerCategory["non_prioritaire"] || counts["ambigu"] != 7 {
		t.Errorf("classes %v for %d communes (import: %v)", counts, ds.Coverage.Communes, ds.Coverage.PerCategory)
	}
	if len(m.Territories) != 6 || m.Territories[0].Code != "metropole" || m.BaseMap != nil {
		t.Errorf("territories %v, base map %v", m.Territories, m.BaseMap)
	}

	// A tile over Paris, as browsers ask for it.
	url := base + strings.NewReplacer("{z}", "12", "{x}", "2074", "{y}", "1409").Replace(m.Tiles["communes"])
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	tr, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(tr.Body)
	if err != nil {
		t.Fatalf("tile not gzipped: %v %v", err, tr.Header)
	}
	raw, _ := io.ReadAll(zr)
	tr.Body.Close()
	if tr.StatusCode != 200 || len(raw) < 1000 || !strings.Contains(string(raw), "non_prioritaire") || !strings.Contains(tr.Header.Get("Cache-Control"), "max-age=31536000") {
		t.Errorf("tile: %d, %d bytes, %v", tr.StatusCode, len(raw), tr.Header)
	}

	// Paris is zoned by arrondissement: Paris 6e belongs to no grouped unit.
	_, cb := get(t, base, "/api/v1/communes/75106")
	var commune struct {
		Zonage struct{ Catchment *struct{ Kind, Code string } }
	}
	json.Unmarshal(cb, &commune)
	if commune.Zonage.Catchment != nil {
		t.Errorf("Paris 6e grouped in %+v", commune.Zonage.Catchment)
	}
	// The bassin de vie of Bourg-en-Bresse: its communes, of several categories, so
	// not classed whole, with their outline.
	resp, body = get(t, base, "/api/v1/catchments/bassin_de_vie/01053")
	var u struct {
		Coherent *bool
		Communes []struct{ Code, Category string }
		Outline  struct {
			Type        string
			Coordinates [][][2]float64
		}
	}
	if err := json.Unmarshal(body, &u); err != nil || resp.StatusCode != 200 {
		t.Fatalf("catchment bassin_de_vie/01053: %d %v %s", resp.StatusCode, err, body)
	}
	classes := map[string]bool{}
	for _, mb := range u.Communes {
		classes[mb.Category] = true
	}
	if len(u.Communes) != 18 || len(classes) != 3 || u.Coherent == nil || *u.Coherent || u.Outline.Type != "MultiLineString" || len(u.Outline.Coordinates) == 0 {
		t.Errorf("catchment: %d communes of %d classes, coherent %v, outline %s with %d lines", len(u.Communes), len(classes), u.Coherent, u.Outline.Type, len(u.Outline.Coordinates))
	}
	if resp, _ := get(t, base, "/api/v1/catchments/bassin_de_vie/00000"); resp.StatusCode != 404 {
		t.Errorf("unknown catchment: %d", resp.StatusCode)
	}

	if resp, body := get(t, base, "/api/v1/sources?keys=R-IDF,A1"); resp.StatusCode != 200 || strings.Count(string(body), `"key"`) != 2 {
		t.Errorf("sources: %d %s", resp.StatusCode, body)
	}
	for _, page := range []string{"/", "/lot"} {
		r, err := http.Get(base + page)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: %d %v", page, r.StatusCode, r.Header)
		}
	}
}
