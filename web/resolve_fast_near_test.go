package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"zonage/geo/geotest"
	"zonage/zones"
)

// exactDistances answers as outlineLocator does, but for the points of at (by
// longitude, at latitude exactDistanceLat), which are in no outline and at
// exactly their distance from their commune: the distances whose writing is
// on an edge (a half that fmt rounds to even and math.Round away from zero, a
// hair either side of the tolerance and of seaRadiusM) can be asked for.
type exactDistances struct {
	outlineLocator
	at map[float64]exactPlace
}

// exactPlace is a commune and the distance to it.
type exactPlace struct {
	id        int
	distanceM float64
}

const exactDistanceLat = 1.0

func (l exactDistances) Locate(p orb.Point, maxDistanceM float64) (int, bool, float64) {
	if at, ok := l.at[p[0]]; ok && p[1] == exactDistanceLat {
		if at.distanceM <= maxDistanceM {
			return at.id, false, at.distanceM
		}
		return -1, false, maxDistanceM
	}
	return l.outlineLocator.Locate(p, maxDistanceM)
}

// edgeDistances are distances whose writing in an answer is on an edge.
func edgeDistances() []float64 {
	up, down := math.Inf(1), math.Inf(-1)
	return []float64{0, 1e-7, 0.3, 0.49999999999999994, 0.5, 0.5000000000000001, 1.5, 2.5, 3.5, 12.5, 123.456789012345,
		999.4999999999999, 999.5, 999.5000000000001, 999.999999, math.Nextafter(1000, down), 1000, math.Nextafter(1000, up),
		1000 * (1 + 1e-9), 1000 * (1 - 1e-9), 1000 * (1 + 2e-9), 1000 * (1 - 2e-9), 1000.0000001, 1000.4999999999999, 1000.5,
		1049.95, 1050, 1999.9999, 9999.95, 10000, 12345.678901234567, 29999.5, 29999.95, math.Nextafter(30000, down), 30000,
		math.Nextafter(30000, up), 30000.5, 45000}
}

// exactPoints are the paths of points at each edge distance from each of
// communes, in a shuffled order, and the locator that places them.
func exactPoints(st *State, communes ...int) (paths []string, loc exactDistances) {
	loc = exactDistances{outlineLocator: outlineLocator(st.Outlines), at: map[float64]exactPlace{}}
	for _, id := range communes {
		for i, d := range edgeDistances() {
			lon := -1 - float64(i)/1000 - float64(id)/7
			loc.at[lon] = exactPlace{id, d}
			paths = append(paths, "/api/v1/resolve?lat="+coordinate(exactDistanceLat)+"&lon="+coordinate(lon))
		}
	}
	rand.New(rand.NewSource(11)).Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
	return paths, loc
}

// On the hand-built communes: points attached to a commune or near one at
// distances on every edge of their writing, for a commune with one category,
// one that changes at midnight and an ambiguous commune nouvelle, mixed, with
// and without options, on two days, with revalidations, for several
// tolerances (one beyond seaRadiusM); and names the encoder escapes, which
// the general path answers.
func TestAttachedAndNearAnswersOnEdgeDistances(t *testing.T) {
	type variant struct {
		name       string
		toleranceM float64
	}
	variants := []variant{{"", 1000}, {"", 0}, {"", 2.5}, {"", 45000}}
	for _, name := range []string{`Delta & "Fils" <Père>`, "Delta & Fils", "Delta <", "Delta >", `Delta "Sud"`, "Delta\u2028Sud",
		"Delta\u2029Sud", "Delta\xffSud", "Delta\\Sud", "Delta\tSud", "Delta\x7fSud"} {
		variants = append(variants, variant{name, 1000})
	}
	for _, v := range variants {
		t.Run(fmt.Sprintf("%q/%v", v.name, v.toleranceM), func(t *testing.T) {
			day := "2025-12-31"
			st := testState(&day)
			st.Resolver.ToleranceM = v.toleranceM
			if v.name != "" {
				st.Resolver.Dataset.Communes[3].Name = v.name
			}
			ready, general := readyAndGeneral(t, st)
			paths, loc := exactPoints(st, 3, 2, 0)
			st.Resolver.Locator = loc
			for _, d := range []string{"2025-12-31", "2026-01-01"} {
				day = d
				// Twice: the second time, every point after the day's answers are made.
				for _, path := range append(paths, paths...) {
					for _, q := range []string{"", "&options=0", "&options=1", "&options=false", "&statut=liberal"} {
						rec := sameAnswer(t, ready, general, path+q)
						if etag := rec.Header().Get("ETag"); etag != "" && q == "" {
							if again := sameAnswer(t, ready, general, path+q, "If-None-Match", etag); again.Code != 304 {
								t.Fatalf("%s: revalidation answered %d", path, again.Code)
							}
						}
					}
					sameAnswer(t, ready, general, path, "Accept-Encoding", "gzip")
				}
			}
			if got, want := lookupsCounted(t, ready), lookupsCounted(t, general); got != want || got == "" {
				t.Errorf("lookups counted differ:\nready:   %s\ngeneral: %s", got, want)
			}
			if v.name == "" && v.toleranceM == 1000 {
				// The points attached to the commune with one category, and the
				// near ones: the ready bytes, without allocating.
				if tab := st.fast.Load(); tab == nil || tab.near.Load() == nil {
					t.Fatal("no template of the points near a commune")
				}
				paths, _ := exactPoints(st, 3)
				var asked []string
				for _, p := range paths {
					lon, _ := strconv.ParseFloat(p[strings.LastIndex(p, "=")+1:], 64)
					if d := loc.at[lon].distanceM; d > 0 && d <= seaRadiusM {
						asked = append(asked, p)
					}
				}
				answeredWithoutAllocating(t, st, asked, "", "&options=0")
			}
		})
	}
}

// answeredWithoutAllocating fails when a server on st, its journal at the
// level bench/run.sh gives it (warn), allocates to answer one of paths
// followed by one of queries, once every answer has been asked for once (the
// ready answers of the day made).
func answeredWithoutAllocating(t *testing.T, st *State, paths []string, queries ...string) {
	t.Helper()
	if raceDetector {
		return
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := New(context.Background(), Config{Logger: logger}, func(context.Context) (*State, error) { return st, nil })
	if err != nil {
		t.Fatal(err)
	}
	s.noBackgroundFill = true
	h := s.Handler()
	w := &discardWriter{header: http.Header{}}
	for _, p := range paths {
		for _, q := range queries {
			req := httptest.NewRequest(http.MethodGet, p+q, nil)
			h.ServeHTTP(w, req)
			// Header values are carved out of blocks shared by hundreds of
			// answers: one block now and then is less than one allocation per
			// answer over the runs.
			if allocs := testing.AllocsPerRun(50, func() { clear(w.header); h.ServeHTTP(w, req) }); allocs != 0 {
				t.Errorf("%s%s: %v allocations per answer", p, q, allocs)
			}
		}
	}
}

// encoding/json writes a string as it is exactly when jsonVerbatim says so:
// every byte alone, every rune of the first planes and around the ones it
// escapes, truncated and invalid sequences.
func TestJSONVerbatim(t *testing.T) {
	check := func(s string) {
		t.Helper()
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if want := string(b) == `"`+s+`"`; jsonVerbatim([]byte(s)) != want {
			t.Fatalf("%q: jsonVerbatim %v, encoding/json writes %s", s, !want, b)
		}
	}
	for b := 0; b < 256; b++ {
		check(string([]byte{byte(b)}))
		check("a" + string([]byte{byte(b)}) + "z")
	}
	for r := rune(0); r < 0x30000; r++ {
		check(string(r))
	}
	for _, r := range []rune{0x10FFFF, 0xFFFD, 0xD7FF, 0xE000, '\u2028', '\u2029'} {
		check("à" + string(r) + "é")
	}
	for _, s := range []string{"\xe2\x80", "\xe2\x80\xa8", "\xe2\x80\xa9x", "\xf0\x9f\x98", "\xed\xa0\x80", "\xc0\xaf", "é\xffé", ""} {
		check(s)
	}
	rng := rand.New(rand.NewSource(5))
	for range 20000 {
		b := make([]byte, rng.Intn(8))
		for i := range b {
			b[i] = byte(rng.Intn(256))
		}
		check(string(b))
	}
}

// appendJSONFloat writes a float64 as encoding/json does.
func TestAppendJSONFloat(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 2.5, 1000, 14419, 29999.95, 1e-6, math.Nextafter(1e-6, 0), 1e-7, 1.5e-9,
		1e20, 1e21, math.Nextafter(1e21, 0), 123456789012345678, 1e300, 5e-324, -1e-7, -1e21, 0.1, 1.0 / 3}
	rng := rand.New(rand.NewSource(7))
	for range 20000 {
		values = append(values, math.Round(rng.Float64()*31000), rng.Float64()*31000, math.Float64frombits(rng.Uint64()))
	}
	for _, f := range values {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONFloat([]byte("x"), f); string(got) != "x"+string(want) {
			t.Fatalf("%v: %s, encoding/json writes %s", f, got[1:], want)
		}
	}
}

// A ready answer not cut as readyCuts says, or whose match is not a point
// inside the commune, is not made an attached point's: the general path answers.
func TestAppendAttachedRefusesOtherCuts(t *testing.T) {
	message := []byte(`,"message":"Alpha (91001) : très sous-dotée"`)
	for _, pieces := range [][][]byte{
		{[]byte(`{"status":"ok"`), []byte(`,"match":{"method":"code","precision":"commune"}`), message},
		{[]byte(`{"status":"ok","match":{"method":"interieur","precision":"coordonnees"}`)},
		{[]byte(`{"status":"ok"`), message},
	} {
		if b, ok := appendAttached(nil, pieces, 12); ok {
			t.Errorf("%q: made %s", pieces, b)
		}
	}
	b, ok := appendAttached(nil, [][]byte{[]byte(`{"status":"ok"` + matchInside), message, []byte(`,"provenance":{}`)}, 2.5)
	want := `{"status":"ok","match":{"method":"proximite","precision":"coordonnees","distance_m":3},"message":"point hors des contours simplifiés, rattaché à la commune la plus proche (à 2 m) ; Alpha (91001) : très sous-dotée","provenance":{}`
	if !ok || string(b) != want {
		t.Errorf("made %s (%v), want %s", b, ok, want)
	}
}

// The near answer's own fields are cut out of the encoder's answer, and put
// back give it byte for byte; an answer without them is not cut.
func TestCutNearAnswer(t *testing.T) {
	c := &zones.Commune{Code: "06004", Name: "Antibes"}
	p := nearPoint{commune: c, distanceM: 14419.4, toleranceM: 1000}
	whole := `{"status":"introuvable","match":{"method":"hors_france","precision":"coordonnees","distance_m":14419},` +
		`"message":"hors de France (à l'étranger ou en mer) : aucune commune à moins de 1000 m ; la plus proche est Antibes (06004), à 14,4 km",` +
		`"provenance":{"dataset_version":"v1"},"nearest":{"code":"06004","name":"Antibes","distance_m":14419,"at_sea":false}}`
	parts, err := cutNearAnswer([]byte(whole), p)
	if err != nil {
		t.Fatal(err)
	}
	if string(parts.head) != `{"status":"introuvable","match":{"method":"hors_france","precision":"coordonnees"` ||
		string(parts.mid) != `,"provenance":{"dataset_version":"v1"}` {
		t.Errorf("cut into %q and %q", parts.head, parts.mid)
	}
	q := nearPoint{commune: &zones.Commune{Code: "2A004", Name: "Ajaccio"}, distanceM: 999.5, atSea: true, toleranceM: 1000}
	got, ok := appendNearAnswer(nil, parts, q)
	want := `{"status":"introuvable","match":{"method":"hors_france","precision":"coordonnees","distance_m":1000},` +
		`"message":"en mer : aucune commune à moins de 1000 m ; la plus proche est Ajaccio (2A004), à 1000 m",` +
		`"provenance":{"dataset_version":"v1"},"nearest":{"code":"2A004","name":"Ajaccio","distance_m":1000,"at_sea":true}}`
	if !ok || string(got) != want {
		t.Errorf("made\n%s\nwant\n%s", got, want)
	}
	for _, other := range []string{
		strings.Replace(whole, `"at_sea":false`, `"at_sea":true`, 1),
		strings.Replace(whole, `14,4 km`, `14,5 km`, 1),
		strings.Replace(whole, `"distance_m":14419}`, `"distance_m":14420}`, 1),
		whole + " ",
	} {
		if _, err := cutNearAnswer([]byte(other), p); err == nil {
			t.Errorf("cut %s", other)
		}
	}
	if _, ok := appendNearAnswer(nil, parts, nearPoint{commune: &zones.Commune{Code: "06004", Name: "A<B"}, distanceM: 2000, toleranceM: 1000}); ok {
		t.Error("a name the encoder escapes was written as it is")
	}
}

// The fields a ready answer's match is cut at are the encoder's.
func TestMatchFields(t *testing.T) {
	if matchInside != `,"match":{"method":"interieur","precision":"coordonnees"}` ||
		matchNearestOpen != `,"match":{"method":"proximite","precision":"coordonnees"` || distanceField != `,"distance_m":` {
		t.Errorf("match fields %q %q %q", matchInside, matchNearestOpen, distanceField)
	}
}

// seaAroundIslandsAndGuyane are boxes (west, south, east, north) around the
// islands of the overseas départements, where a point in no commune is at
// sea, and around Guyane, which borders other countries by land.
var seaAroundIslandsAndGuyane = map[string][4]float64{
	"Guadeloupe": {-62.2, 15.6, -60.6, 16.8},
	"Martinique": {-61.5, 14.1, -60.5, 15.1},
	"La Réunion": {54.9, -21.7, 56.1, -20.6},
	"Mayotte":    {44.7, -13.3, 45.6, -12.3},
	"Guyane":     {-54.9, 1.8, -51.0, 6.2},
}

// placeKind is how the fast path sees a point: inside a commune, attached to
// one, abroad within the tolerance of one, near one or far from every
// commune, and whether the grid tells it far.
func placeKind(st *State, p orb.Point) string {
	r := st.Resolver
	id, inside, _ := r.Locator.Locate(p, r.ToleranceM)
	switch {
	case inside:
		return "inside"
	case id >= 0:
		if r.Countries != nil {
			if _, abroad := r.Countries.Country(p); abroad {
				return "abroad"
			}
		}
		return "attached"
	}
	if id, _, _ := r.Locator.Locate(p, seaRadiusM); id >= 0 {
		return "near"
	}
	if st.farFromEveryCommune(zones.Point(p), r.ToleranceM, true) {
		return "far"
	}
	return "far, cell near"
}

// crossing is, between a of kind ka and b of another kind, two points of the
// segment a float step apart, of kinds ka and not; found by bisection.
func crossing(st *State, a, b orb.Point, ka string) (orb.Point, orb.Point) {
	for range 200 {
		m := orb.Point{a[0] + (b[0]-a[0])/2, a[1] + (b[1]-a[1])/2}
		if m == a || m == b {
			break
		}
		if placeKind(st, m) == ka {
			a = m
		} else {
			b = m
		}
	}
	return a, b
}

// roundingEdge is a point of the segment from a to b, both attached to or near
// the same commune, whose distance to it is a hair from half a metre past a
// whole one, between theirs; ok is false when the distances give none.
func roundingEdge(st *State, a, b orb.Point, maxM float64) (p orb.Point, ok bool) {
	r := st.Resolver
	dist := func(p orb.Point) (int, float64) {
		id, _, d := r.Locator.Locate(p, maxM)
		return id, d
	}
	ida, da := dist(a)
	idb, db := dist(b)
	if ida < 0 || ida != idb || math.Floor(da+0.5) == math.Floor(db+0.5) {
		return p, false
	}
	target := math.Floor(math.Min(da, db)+0.5) + 0.5
	for range 200 {
		m := orb.Point{a[0] + (b[0]-a[0])/2, a[1] + (b[1]-a[1])/2}
		if m == a || m == b {
			break
		}
		idm, dm := dist(m)
		if idm != ida {
			return p, false
		}
		if (dm < target) == (da < target) {
			a, da = m, dm
		} else {
			b = m
		}
	}
	return a, true
}

// coastAndBorderPoints are points outside every outline near the coasts and
// borders of metropolitan France, around the islands and Guyane: perBox near
// points and up to perBox/3 attached points in each box, the float steps
// either side of the coast tolerance, of seaRadiusM and of outlines, and
// points a hair from a rounding of their distance.
func coastAndBorderPoints(t *testing.T, st *State, perBox int) (points []orb.Point, kinds map[string]int) {
	t.Helper()
	r := st.Resolver
	boxes := map[string][4]float64{}
	for name, b := range seaAndAbroad {
		boxes[name] = b
	}
	for name, b := range seaAroundIslandsAndGuyane {
		boxes[name] = b
	}
	names := make([]string, 0, len(boxes))
	for name := range boxes {
		names = append(names, name)
	}
	sort.Strings(names)
	rng := rand.New(rand.NewSource(17))
	var near, attached, abroad, far []orb.Point
	for _, name := range names {
		b := boxes[name]
		nearHere, attachedHere, abroadHere := 0, 0, 0
		for tries := 0; (nearHere < perBox || attachedHere < perBox/3) && tries < 400*perBox; tries++ {
			p := orb.Point{b[0] + rng.Float64()*(b[2]-b[0]), b[1] + rng.Float64()*(b[3]-b[1])}
			switch placeKind(st, p) {
			case "near":
				if nearHere < perBox {
					near, nearHere = append(near, p), nearHere+1
				}
			case "attached":
				if attachedHere < perBox/3 {
					attached, attachedHere = append(attached, p), attachedHere+1
				}
			case "abroad":
				if abroadHere < perBox/3 {
					abroad, abroadHere = append(abroad, p), abroadHere+1
				}
			case "far", "far, cell near":
				if len(far) < 4*perBox {
					far = append(far, p)
				}
			}
		}
	}
	points = append(append(append(points, near...), attached...), abroad...)
	// The float steps either side of the tolerance (attached to near), of an
	// outline (inside to attached) and of seaRadiusM (near to far), and a hair
	// from the rounding of a distance, between points of one commune.
	for i, a := range attached {
		id, _, _ := r.Locator.Locate(a, r.ToleranceM)
		for _, n := range near[i%len(near):] {
			if nid, _, _ := r.Locator.Locate(n, seaRadiusM); nid == id {
				x, y := crossing(st, a, n, "attached")
				points = append(points, x, y)
				if p, ok := roundingEdge(st, a, x, r.ToleranceM); ok {
					points = append(points, p)
				}
				if p, ok := roundingEdge(st, y, n, seaRadiusM); ok {
					points = append(points, p)
				}
				break
			}
		}
		if id < len(st.Outlines) {
			x, y := crossing(st, geotest.InteriorPoint(st.Outlines[id]), a, "inside")
			points = append(points, x, y)
		}
	}
	for i, n := range near {
		if f := far[i%len(far)]; i%2 == 0 {
			x, y := crossing(st, n, f, "near")
			points = append(points, x, y)
		}
	}
	kinds = map[string]int{}
	for _, p := range points {
		kinds[placeKind(st, p)]++
	}
	return points, kinds
}

// On the real data, points outside every outline along every coast and
// border of metropolitan France (abroad within the tolerance included), around the islands and in and around
// Guyane, a float step either side of the tolerance, of seaRadiusM and of
// outlines, a hair from the rounding of their distance, written with every
// digit or six, with and without options, each profession for some, on two
// days, with revalidations: the answers of the points attached to a commune
// and of those near one are the general path's, byte for byte, headers and
// counts included; and they are made without allocating.
func TestAttachedAndNearAnswersMatchTheGeneralPath(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole data folder")
	}
	day := "2025-06-01"
	st := franceOnDay(t, &day)
	ready, general := readyAndGeneral(t, st)
	points, kinds := coastAndBorderPoints(t, st, 100)
	t.Logf("%d points: %v", len(points), kinds)
	if kinds["near"] < 1200 || kinds["attached"] < 500 || kinds["abroad"] < 30 || kinds["inside"] < 100 || kinds["far"]+kinds["far, cell near"] < 100 {
		t.Fatalf("%d points: %v: too few of a kind to tell", len(points), kinds)
	}
	professions := zones.Professions()
	var queries []string
	for _, p := range professions[1:] {
		queries = append(queries, "&profession="+string(p), "&options=0&profession="+string(p))
	}
	path := func(i int, p orb.Point) string {
		if i%3 == 2 {
			return fmt.Sprintf("/api/v1/resolve?lat=%.6f&lon=%.6f", p[1], p[0])
		}
		return "/api/v1/resolve?lat=" + coordinate(p[1]) + "&lon=" + coordinate(p[0])
	}
	atSea := 0
	for _, d := range []string{"2025-06-01", "2026-07-01"} {
		day = d
		for i, p := range points {
			path := path(i, p)
			rec := sameAnswer(t, ready, general, path)
			if strings.Contains(rec.Body.String(), `"at_sea":true`) {
				atSea++
			}
			sameAnswer(t, ready, general, path+"&options=0")
			sameAnswer(t, ready, general, path+queries[i%len(queries)])
			if i%50 == 0 {
				for _, q := range []string{"&options=1", "&options=true", "&options=false", "&options=", "&statut=liberal", "&date=2024-01-15"} {
					sameAnswer(t, ready, general, path+q)
				}
				lat, lon, _ := strings.Cut(strings.TrimPrefix(path, "/api/v1/resolve?"), "&")
				sameAnswer(t, ready, general, "/api/v1/resolve?"+lon+"&"+lat)
				sameAnswer(t, ready, general, path, "Accept-Encoding", "gzip")
				if etag := rec.Header().Get("ETag"); etag != "" {
					if again := sameAnswer(t, ready, general, path, "If-None-Match", etag); again.Code != 304 {
						t.Fatalf("%s: revalidation answered %d", path, again.Code)
					}
				}
			}
		}
		if tab := st.fast.Load(); tab == nil || tab.day.String() != d || tab.near.Load() == nil {
			t.Fatalf("%s: no template of the points near a commune", d)
		}
	}
	if atSea < 100 {
		t.Fatalf("%d answers at sea around the islands: too few to tell", atSea)
	}
	if got, want := lookupsCounted(t, ready), lookupsCounted(t, general); got != want {
		t.Errorf("lookups counted differ:\nready:   %s\ngeneral: %s", got, want)
	}
	// Without allocating: near points, and attached ones (with options when
	// the commune's ready answer holds them apart from its candidates).
	var lean, full []string
	tab := st.fast.Load()
	for i, p := range points[:600] {
		id, inside, _ := st.Resolver.Locator.Locate(p, st.Resolver.ToleranceM)
		if inside || placeKind(st, p) == "abroad" {
			// Abroad within the tolerance: the general path answers.
			continue
		}
		lean = append(lean, path(i, p))
		if id < 0 || tab.entries[id].Load() != nil && tab.entries[id].Load().options != nil {
			full = append(full, path(i, p))
		}
	}
	answeredWithoutAllocating(t, st, lean, "&options=0", "&profession=infirmier&options=0")
	answeredWithoutAllocating(t, st, full, "", "&profession=orthophoniste")
}
