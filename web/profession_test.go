package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The profession parameter on every route that answers for one: an unknown slug
// is a 400 naming the parameter and listing the slugs, a profession the data
// lacks a 404 of its own type, and the default profession named (in any case) or
// left empty answers exactly as no parameter does.
func TestProfessionParameter(t *testing.T) {
	day := "2025-06-01"
	st := testState(&day)
	st.Resolver.Locator = outlineLocator(st.Outlines)
	h := testServer(t, st)
	routes := []string{
		"/api/v1/resolve?lat=48.805&lon=2.305", // the ready answers' path
		"/api/v1/resolve?lat=48.805&lon=2.305&options=0",
		"/api/v1/resolve?citycode=92002",
		"/api/v1/resolve?lat=48.805&lon=2.405", // near no commune
		"/api/v1/communes/91001?geometry=0",
		"/api/v1/communes/92001?options=0",
	}
	for _, route := range routes {
		plain := do(t, h, route)
		if plain.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", route, plain.Code, plain.Body)
		}
		for _, same := range []string{"masseur-kinesitherapeute", "Masseur-Kinesitherapeute", "", "%20masseur-kinesitherapeute"} {
			rec := do(t, h, route+"&profession="+same)
			if rec.Code != http.StatusOK || !bytes.Equal(body(t, rec), body(t, plain)) {
				t.Errorf("%s&profession=%s: %d, answer differs from the default's:\n%.300s\n%.300s", route, same, rec.Code, body(t, rec), body(t, plain))
			}
		}

		rec := do(t, h, route+"&profession=plombier")
		var p Problem
		if err := json.Unmarshal(body(t, rec), &p); err != nil || rec.Code != http.StatusBadRequest ||
			rec.Header().Get("Content-Type") != "application/problem+json; charset=utf-8" {
			t.Fatalf("%s&profession=plombier: %d %v %s", route, rec.Code, err, rec.Body)
		}
		if p.Type != ProblemInvalidParameter || p.Field != "profession" || p.Value != "plombier" ||
			!strings.Contains(p.Detail, "profession « plombier » invalide") {
			t.Errorf("%s&profession=plombier: %+v", route, p)
		}
		for _, slug := range professions {
			if !strings.Contains(p.Detail, string(slug)) {
				t.Errorf("%s: the problem does not list %s: %s", route, slug, p.Detail)
			}
		}

		rec = do(t, h, route+"&profession=sage-femme")
		p = Problem{}
		if err := json.Unmarshal(body(t, rec), &p); err != nil || rec.Code != http.StatusNotFound {
			t.Fatalf("%s&profession=sage-femme: %d %v %s", route, rec.Code, err, rec.Body)
		}
		if p.Type != ProblemProfessionAbsent || p.Title != "Profession absente des données" || p.Field != "profession" || p.Value != "sage-femme" ||
			!strings.Contains(p.Detail, "ne contiennent pas le zonage des sages-femmes") ||
			!strings.Contains(p.Detail, "professions disponibles : masseur-kinesitherapeute") {
			t.Errorf("%s&profession=sage-femme: %+v", route, p)
		}

		rec = do(t, h, route+"&profession=infirmier&profession=infirmier")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"profession"`) {
			t.Errorf("%s with profession twice: %d %s", route, rec.Code, rec.Body)
		}
	}
}

// The ETag of an answer names its profession: a client holding the default's
// answer does not get a 304 for another profession's.
func TestProfessionInETag(t *testing.T) {
	day := "2025-06-01"
	st := testState(&day)
	st.Resolver.Locator = outlineLocator(st.Outlines)
	h := testServer(t, st)
	for _, route := range []string{"/api/v1/resolve?lat=48.805&lon=2.305", "/api/v1/communes/91001?options=0"} {
		etag := do(t, h, route).Header().Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", route)
		}
		if rec := do(t, h, route, "If-None-Match", etag); rec.Code != http.StatusNotModified {
			t.Fatalf("%s: revalidation answered %d", route, rec.Code)
		}
		if rec := do(t, h, route+"&profession=infirmier", "If-None-Match", etag); rec.Code == http.StatusNotModified {
			t.Errorf("%s&profession=infirmier: 304 for the default profession's ETag", route)
		}
	}
}

// The map, its tiles and their TileJSON take the profession parameter too; the
// map lists every profession with whether the data has it.
func TestMapProfessionParameter(t *testing.T) {
	day := "2025-06-01"
	h := testServerWith(t, testState(&day), Config{BaseMap: ParseBaseMap("aucun", "")})
	var ans struct {
		Profession  string
		Professions []professionInfo
		Tiles       map[string]string
	}
	rec := do(t, h, "/api/v1/map")
	if err := json.Unmarshal(body(t, rec), &ans); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
	}
	if ans.Profession != "masseur-kinesitherapeute" || len(ans.Professions) != len(professions) {
		t.Fatalf("answer: %+v", ans)
	}
	for i, pi := range ans.Professions {
		if pi.Slug != professions[i] || pi.Label != professions[i].Label() || pi.Plural != professions[i].Plural() || pi.Available != (i == 0) {
			t.Errorf("professions[%d] = %+v", i, pi)
		}
	}
	if strings.Contains(ans.Tiles["communes"], "profession") || strings.Contains(ans.Tiles["departements"], "profession") {
		t.Errorf("the default's tile URLs name a profession: %v", ans.Tiles)
	}
	if same := do(t, h, "/api/v1/map?profession=masseur-kinesitherapeute"); !bytes.Equal(body(t, same), body(t, rec)) {
		t.Errorf("profession=masseur-kinesitherapeute answers otherwise than no profession")
	}
	for _, path := range []string{"/api/v1/map", "/api/v1/tiles/communes/14/8296/5640.mvt", "/api/v1/tiles/departements/14/8296/5640.mvt",
		"/api/v1/tiles/communes.json", "/api/v1/tiles/departements.json"} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		if rec := do(t, h, path+sep+"profession=kine"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"profession"`) ||
			!strings.Contains(rec.Body.String(), "chirurgien-dentiste") {
			t.Errorf("%s?profession=kine: %d %s", path, rec.Code, rec.Body)
		}
		if rec := do(t, h, path+sep+"profession=orthophoniste"); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), ProblemProfessionAbsent) {
			t.Errorf("%s?profession=orthophoniste: %d %s", path, rec.Code, rec.Body)
		}
		if rec := do(t, h, path+sep+"profession=masseur-kinesitherapeute"); rec.Code != http.StatusOK {
			t.Errorf("%s?profession=masseur-kinesitherapeute: %d %s", path, rec.Code, rec.Body)
		}
	}
}
