package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"zonage/geo/mvt/mvttest"
	"zonage/zones"
)

// professionState is testState with the infirmiers' and orthophonistes' zonage
// of its communes: the orthophonistes' export gives Gamma's former communes
// different categories (ambiguous) and has no row for Delta; the sages-femmes'
// and chirurgiens-dentistes' exports were not imported.
func professionState(t testing.TB, today *string) *State {
	t.Helper()
	st := testState(today)
	row := func(code, name string, c zones.Category) zones.ProfessionEntry {
		return zones.ProfessionEntry{Code: code, Name: name, Region: "11", Category: c, OfficialCode: c.OfficialCode()}
	}
	pz, err := zones.BuildProfessionZonages(map[zones.Profession][]zones.ProfessionEntry{
		zones.Infirmier: {
			row("91001", "Alpha", zones.TresDotee), row("91002", "Beta", zones.SurDotee),
			row("92001", "Gamma", zones.Intermediaire), row("92009", "Gamma-Ancienne", zones.Intermediaire),
			row("92002", "Delta", zones.SousDotee),
		},
		zones.Orthophoniste: {
			row("91001", "Alpha", zones.SousDense), row("91002", "Beta", zones.SousDense),
			row("92001", "Gamma", zones.Intermediaire), row("92009", "Gamma-Ancienne", zones.SousDotee),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := st.Resolver.Dataset
	ds.Professions = pz
	for _, p := range []zones.Profession{zones.Infirmier, zones.Orthophoniste} {
		ds.Meta.Professions = append(ds.Meta.Professions, zones.ProfessionSource{Profession: p, Source: "cartosante-" + string(p),
			ZonageSource: "export CartoSanté (ARS/DGOS), zonage des " + p.Plural(), ZonageVintage: "export CartoSanté de septembre 2025, codes COG 2024"})
	}
	return st
}

// The ready answers of another profession are its general path's answers, byte
// for byte, headers included, on two days; they are kept apart from the
// default's.
func TestReadyAnswersOfAnotherProfession(t *testing.T) {
	day := "2025-12-31"
	st := professionState(t, &day)
	st.Resolver.Locator = outlineLocator(st.Outlines)
	ready, general := readyAndGeneral(t, st)
	points := map[string]string{"Alpha": "lat=48.805&lon=2.305", "Gamma": "lat=48.805&lon=2.325", "Delta": "lat=48.805&lon=2.335"}
	queries := []string{"&profession=infirmier", "&profession=orthophoniste", "&profession=infirmier&options=0", "&options=0&profession=orthophoniste",
		"&profession=Infirmier", "&profession=sage-femme", "&profession=plombier", "&profession=infirmier&statut=titulaire",
		"&profession=infirmier&date=2025-06-01", "&profession=masseur-kinesitherapeute", "&profession=", "&profession=infirmier&profession=infirmier"}
	for _, d := range []string{"2025-12-31", "2026-01-01"} {
		day = d
		for name, p := range points {
			for _, q := range queries {
				rec := sameAnswer(t, ready, general, "/api/v1/resolve?"+p+q)
				if name == "Alpha" && q == "&profession=infirmier" &&
					(!strings.Contains(rec.Body.String(), `"profession":"infirmier"`) || !strings.Contains(rec.Body.String(), `"category":"tres_dotee"`)) {
					t.Fatalf("Alpha for the infirmiers: %.600s", rec.Body)
				}
				if name == "Alpha" && q == "&profession=orthophoniste" && !strings.Contains(rec.Body.String(), `"category":"sous_dense"`) {
					t.Fatalf("Alpha for the orthophonistes: %.600s", rec.Body)
				}
				if etag := rec.Header().Get("ETag"); etag != "" {
					if again := sameAnswer(t, ready, general, "/api/v1/resolve?"+p+q, "If-None-Match", etag); again.Code != http.StatusNotModified {
						t.Fatalf("%s%s: revalidation answered %d", p, q, again.Code)
					}
				}
				sameAnswer(t, ready, general, "/api/v1/resolve?"+p+q, "Accept-Encoding", "gzip")
			}
		}
		for _, p := range []string{"lat=48.805&lon=2.345&profession=infirmier", "lat=48.805&lon=2.345&profession=orthophoniste&options=0",
			"lat=0&lon=0&profession=infirmier", "lat=48.805&lon=2.405&profession=orthophoniste"} {
			sameAnswer(t, ready, general, "/api/v1/resolve?"+p)
		}
		for _, p := range []zones.Profession{zones.Infirmier, zones.Orthophoniste} {
			n := 0
			if tab := st.fastSlot(p).Load(); tab != nil {
				for i := range tab.entries {
					if tab.entries[i].Load() != nil {
						n++
					}
				}
			}
			if n < len(points) {
				t.Errorf("%s: %d communes with ready answers for the %s, want at least %d", d, n, p.Plural(), len(points))
			}
			// Alpha's answer with its installation rules is its lean answer joined to
			// the rules its category shares.
			if e := st.fastSlot(p).Load().entries[0].Load(); e == nil || e.full != nil || !bytes.HasPrefix(e.options, []byte(`,"installation":{"profession":"`+string(p)+`"`)) {
				t.Errorf("%s: Alpha's ready answer for the %s is not made of its lean answer and shared rules", d, p.Plural())
			}
		}
	}
	// The default's ready answers are the default's, whatever was asked before.
	rec := sameAnswer(t, ready, general, "/api/v1/resolve?lat=48.805&lon=2.305")
	if !strings.Contains(rec.Body.String(), `"profession":"masseur-kinesitherapeute"`) || !strings.Contains(rec.Body.String(), `"category":"tres_sous_dotee"`) {
		t.Errorf("the default's answer: %.600s", rec.Body)
	}
	if got, want := lookupsCounted(t, ready), lookupsCounted(t, general); got != want || got == "" {
		t.Errorf("lookups counted differ:\nready:   %s\ngeneral: %s", got, want)
	}
}

// The commune route answers for the profession asked for.
func TestCommuneOfAnotherProfession(t *testing.T) {
	day := "2025-06-01"
	h := testServer(t, professionState(t, &day))
	cases := []struct{ path, want string }{
		{"/api/v1/communes/91001?profession=orthophoniste", `"category":"sous_dense"`},
		{"/api/v1/communes/92001?profession=orthophoniste", `"status":"ambigu"`},
		{"/api/v1/communes/92001?profession=infirmier", `"category":"intermediaire"`},
		{"/api/v1/communes/92002?profession=orthophoniste", `"status":"introuvable"`},
		{"/api/v1/resolve?citycode=91002&profession=infirmier&options=0", `"category":"sur_dotee"`},
	}
	for _, tc := range cases {
		rec := do(t, h, tc.path)
		b := string(body(t, rec))
		if rec.Code != http.StatusOK || !strings.Contains(b, tc.want) || !strings.Contains(b, `"profession":"`+strings.Split(strings.Split(tc.path, "profession=")[1], "&")[0]+`"`) {
			t.Errorf("%s: %d, want %s: %.600s", tc.path, rec.Code, tc.want, b)
		}
		if strings.Contains(b, `"options":`) || strings.Contains(b, `"catchment":`) || strings.Contains(b, `"revision":`) {
			t.Errorf("%s: a kiné's options, catchment or revision in another profession's answer: %.600s", tc.path, b)
		}
		if wantInstallation := !strings.Contains(tc.path, "options=0") && !strings.Contains(tc.want, "introuvable"); wantInstallation != strings.Contains(b, `"installation":{`) {
			t.Errorf("%s: installation rules present = %v, want %v: %.600s", tc.path, !wantInstallation, wantInstallation, b)
		}
	}
	rec := do(t, h, "/api/v1/communes/91001?profession=chirurgien-dentiste")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "professions disponibles : masseur-kinesitherapeute, infirmier, orthophoniste") {
		t.Errorf("a profession the data lacks: %d %s", rec.Code, rec.Body)
	}
}

// The map of another profession: its scale's classes with their counts, tiles
// coloured by them, and URLs that carry the profession.
func TestMapOfAnotherProfession(t *testing.T) {
	day := "2025-06-01"
	st := professionState(t, &day)
	h := testServerWith(t, st, Config{BaseMap: ParseBaseMap("aucun", "")})
	var ans struct {
		Profession  string
		Professions []professionInfo
		Tiles       map[string]string
		Classes     []struct {
			Key, Label string
			Count      int
		}
		DataVintage     string   `json:"data_vintage"`
		RevisionOverdue []string `json:"revision_overdue"`
	}
	rec := do(t, h, "/api/v1/map?profession=orthophoniste")
	if err := json.Unmarshal(body(t, rec), &ans); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
	}
	var keys []string
	counts := map[string]int{}
	for _, c := range ans.Classes {
		keys = append(keys, c.Key)
		counts[c.Key] = c.Count
	}
	if got := strings.Join(keys, ","); got != "tres_sous_dotee,sous_dense,sous_dotee,intermediaire,tres_dotee,sur_dotee,non_disponible,ambigu,sans_zonage" {
		t.Errorf("classes %s", got)
	}
	if counts["sous_dense"] != 2 || counts["ambigu"] != 1 || counts["sans_zonage"] != 1 || counts["intermediaire"] != 0 {
		t.Errorf("counts %v", counts)
	}
	if ans.Profession != "orthophoniste" || !strings.HasSuffix(ans.Tiles["communes"], "&profession=orthophoniste") ||
		strings.Contains(ans.Tiles["departements"], "profession") || ans.DataVintage != "export CartoSanté de septembre 2025, codes COG 2024" {
		t.Errorf("answer %+v", ans)
	}
	available := map[zones.Profession]bool{}
	for _, pi := range ans.Professions {
		available[pi.Slug] = pi.Available
	}
	if !available[zones.MasseurKine] || !available[zones.Infirmier] || !available[zones.Orthophoniste] || available[zones.SageFemme] || available[zones.ChirurgienDentiste] {
		t.Errorf("availability %v", available)
	}

	// The tile at the template's URL, coloured by the orthophonistes' classes;
	// the default's tile at the same place keeps the kinés'.
	x, y := tileAt(2.32, 48.805, 12)
	classesOf := func(path string) map[string]int {
		t.Helper()
		rec := do(t, h, path, "Accept-Encoding", "gzip")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		layers, _ := mvttest.Decode(t, body(t, rec))
		out := map[string]int{}
		for _, f := range layers["communes"] {
			out[f.Value]++
		}
		return out
	}
	tile := strings.NewReplacer("{z}", "12", "{x}", fmt.Sprint(x), "{y}", fmt.Sprint(y)).Replace(ans.Tiles["communes"])
	if got := classesOf(tile); got["sous_dense"] != 2 || got["ambigu"] != 1 || got["sans_zonage"] != 1 {
		t.Errorf("orthophonistes' tile: %v", got)
	}
	if got := classesOf(fmt.Sprintf("/api/v1/tiles/communes/12/%d/%d.mvt", x, y)); got["tres_sous_dotee"] != 2 || got["sous_dense"] != 0 {
		t.Errorf("kinés' tile after the orthophonistes': %v", got)
	}
	if got := classesOf(fmt.Sprintf("/api/v1/tiles/communes/12/%d/%d.mvt?profession=infirmier", x, y)); got["tres_dotee"] != 1 || got["sur_dotee"] != 1 || got["intermediaire"] != 1 || got["sous_dotee"] != 1 {
		t.Errorf("infirmiers' tile: %v", got)
	}
	// The two professions' tiles are told apart in one cache, with one budget
	// for all the professions other than the default.
	st.mapOthersMu.Lock()
	ortho, nurses := st.mapOthers[zones.Orthophoniste], st.mapOthers[zones.Infirmier]
	st.mapOthersMu.Unlock()
	if ortho == nil || nurses == nil || ortho.tiles != nurses.tiles || ortho.tiles.max != otherTileCacheBytes || len(ortho.tiles.entries) != 2 {
		t.Errorf("other professions' tile caches: %+v and %+v", ortho, nurses)
	}

	var tj struct {
		Name, Description string
		Tiles             []string
	}
	rec = do(t, h, "/api/v1/tiles/communes.json?profession=orthophoniste")
	if err := json.Unmarshal(body(t, rec), &tj); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("TileJSON: %d %v %s", rec.Code, err, rec.Body)
	}
	if len(tj.Tiles) != 1 || !strings.HasSuffix(tj.Tiles[0], "&profession=orthophoniste") || !strings.Contains(tj.Description, "orthophonistes") ||
		!strings.Contains(tj.Description, "sous_dense") || !strings.Contains(tj.Name, "orthophonistes") ||
		strings.Contains(tj.Description, "en vigueur") || !strings.Contains(tj.Description, "sans date d'arrêté") {
		t.Errorf("TileJSON %+v", tj)
	}
	// The borders' tile set is every profession's: asked for with one, it does not call itself the kinés'.
	rec = do(t, h, "/api/v1/tiles/departements.json?profession=infirmier")
	if err := json.Unmarshal(body(t, rec), &tj); err != nil || rec.Code != http.StatusOK || strings.Contains(tj.Name, "kiné") || strings.Contains(tj.Description, "kiné") {
		t.Errorf("departements TileJSON for the infirmiers: %d %+v", rec.Code, tj)
	}
}
