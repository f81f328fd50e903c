package web

import (
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"zonage/zones"
)

// seaAndAbroad are boxes (west, south, east, north) of sea and of the
// neighbours' land along France's coasts and borders.
var seaAndAbroad = map[string][4]float64{
	"golfe de Gascogne": {-5.5, 43.4, -1.2, 47.5},
	"Manche":            {-4.8, 48.9, 1.6, 51.1},
	"mer du Nord":       {1.5, 50.9, 3.0, 51.6},
	"Méditerranée":      {2.9, 41.3, 9.8, 43.6},
	"Belgique":          {2.5, 49.5, 6.4, 51.1},
	"Luxembourg":        {5.7, 49.4, 6.5, 50.2},
	"Allemagne":         {6.3, 47.5, 9.5, 49.9},
	"Suisse":            {5.9, 45.8, 8.5, 47.6},
	"Italie":            {6.6, 43.7, 8.5, 46.0},
	"Monaco":            {7.40, 43.72, 7.44, 43.76},
	"Andorre":           {1.40, 42.42, 1.80, 42.66},
	"Espagne":           {-2.0, 41.9, 3.3, 43.4},
}

// coordinate writes v as the shortest decimal that reads back as v, so that a
// point on a cell's edge stays on it.
func coordinate(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// outsidePoints are points in no commune: n drawn in each box of seaAndAbroad,
// then, for some of them, the corners and sides of their cell of the grid of
// points far from every commune and points a hair on either side of them.
func outsidePoints(t *testing.T, st *State, n int) []orb.Point {
	t.Helper()
	r := st.Resolver
	rng := rand.New(rand.NewSource(3))
	var out []orb.Point
	names := make([]string, 0, len(seaAndAbroad))
	for name := range seaAndAbroad {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b := seaAndAbroad[name]
		for found, tries := 0, 0; found < n && tries < 50*n; tries++ {
			p := orb.Point{b[0] + rng.Float64()*(b[2]-b[0]), b[1] + rng.Float64()*(b[3]-b[1])}
			if id, _, _ := r.Locator.Locate(p, r.ToleranceM); id < 0 {
				out = append(out, p)
				found++
			}
		}
	}
	grids := st.grids()
	if len(grids) == 0 {
		t.Fatal("no grid of far points on the real data")
	}
	for i, p := range out[:len(out):len(out)] {
		if i%7 != 0 {
			continue
		}
		cell, ok := grids[0].CellBound(p)
		if !ok {
			t.Fatalf("%v is off metropolitan France's grid", p)
		}
		xs := []float64{cell.Min[0], (cell.Min[0] + cell.Max[0]) / 2, cell.Max[0]}
		ys := []float64{cell.Min[1], (cell.Min[1] + cell.Max[1]) / 2, cell.Max[1]}
		for _, x := range xs {
			for _, y := range ys {
				out = append(out, orb.Point{x, y},
					orb.Point{math.Nextafter(x, math.Inf(-1)), math.Nextafter(y, math.Inf(-1))},
					orb.Point{math.Nextafter(x, math.Inf(1)), math.Nextafter(y, math.Inf(1))})
			}
		}
	}
	return out
}

// On the real data, points at sea and abroad, along every coast and border and
// on the edges of the grid's cells: the ready answers of the points far from
// every commune are the general path's, byte for byte, headers and counts
// included, with and without options, for every profession, on two days, and
// for revalidations; and the far points are answered from the grid.
func TestFarAnswersMatchTheGeneralPath(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole data folder")
	}
	day := "2025-06-01"
	st := franceOnDay(t, &day)
	ready, general := readyAndGeneral(t, st)
	points := outsidePoints(t, st, 150)
	professions := zones.Professions()
	queries := []string{"", "&options=0"}
	for _, p := range professions[1:] {
		queries = append(queries, "&profession="+string(p), "&options=0&profession="+string(p))
	}
	farPoints, farAsked := 0, 0
	for _, d := range []string{"2025-06-01", "2026-07-01"} {
		day = d
		for i, p := range points {
			path := "/api/v1/resolve?lat=" + coordinate(p[1]) + "&lon=" + coordinate(p[0])
			far := st.farFromEveryCommune(zones.Point(p), st.Resolver.ToleranceM, true)
			if far {
				farPoints++
			}
			for j, q := range queries {
				// Every point with and without options; each profession for some.
				if j >= 2 && (i+j)%len(queries) != 0 && !(far && i%5 == 0) {
					continue
				}
				rec := sameAnswer(t, ready, general, path+q)
				if far {
					farAsked++
					if !strings.Contains(rec.Body.String(), `"method":"hors_france"`) || strings.Contains(rec.Body.String(), `"nearest"`) {
						t.Fatalf("%s%s: far from every commune, answered\n%s", path, q, rec.Body.String())
					}
				}
			}
			if i%40 == 0 {
				for _, q := range []string{"&options=1", "&options=true", "&options=false", "&options=", "&statut=liberal", "&date=2024-01-15"} {
					sameAnswer(t, ready, general, path+q)
				}
				sameAnswer(t, ready, general, path, "Accept-Encoding", "gzip")
				rec := sameAnswer(t, ready, general, path)
				if etag := rec.Header().Get("ETag"); etag != "" {
					if again := sameAnswer(t, ready, general, path, "If-None-Match", etag); again.Code != 304 {
						t.Fatalf("%s: revalidation answered %d", path, again.Code)
					}
				}
			}
		}
		tab := st.fast.Load()
		if tab == nil || tab.day.String() != d || tab.far.Load() == nil {
			t.Fatalf("%s: no ready answer for the points far from every commune", d)
		}
	}
	t.Logf("%d points on each of two days, far from every commune %d times, asked %d times", len(points), farPoints, farAsked)
	if farPoints < 2*len(points)/3 || farAsked < farPoints*2 {
		t.Fatalf("%d points on each of two days, found far from every commune %d times, asked %d times: too few", len(points), farPoints, farAsked)
	}
	if got, want := lookupsCounted(t, ready), lookupsCounted(t, general); got != want {
		t.Errorf("lookups counted differ:\nready:   %s\ngeneral: %s", got, want)
	}
}

// withNearestAsBefore is withNearest as it was written with fmt and the map's
// territories: its answers must stay the same (but for a point abroad within
// the tolerance, whose message the resolver writes).
func withNearestAsBefore(st *State, res zones.Resolution, lat, lon float64) pointAnswer {
	ans := pointAnswer{Resolution: res}
	r := st.Resolver
	if res.Match.Method != zones.MethodOutside || r.Locator == nil {
		return ans
	}
	id, _, dist := r.Locator.Locate(zones.Point{lon, lat}, seaRadiusM)
	if id < 0 || id >= len(r.Dataset.Communes) {
		return ans
	}
	c := &r.Dataset.Communes[id]
	n := &nearestCommune{Code: c.Code, Name: c.Name, DistanceM: math.Round(dist)}
	for _, t := range st.mapData().territories {
		b := t.Bounds
		if islandTerritories[t.Code] && lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3] {
			n.AtSea = true
		}
	}
	ans.Nearest = n
	ans.Match.DistanceM = n.DistanceM
	if res.Match.Country != "" {
		// Abroad within the tolerance: the resolver's message, which names
		// the country and this commune.
		return ans
	}
	where := "hors de France (à l'étranger ou en mer)"
	if n.AtSea {
		where = "en mer"
	}
	km := fmt.Sprintf("%.0f m", dist)
	if dist >= 1000 {
		km = strings.Replace(fmt.Sprintf("%.1f km", dist/1000), ".", ",", 1)
	}
	ans.Message = fmt.Sprintf("%s : aucune commune à moins de %.0f m ; la plus proche est %s (%s), à %s",
		where, r.ToleranceM, c.Name, c.Code, km)
	return ans
}

// The nearest commune of a point outside every commune, at sea around the
// islands and off the coasts and borders of metropolitan France and Guyane,
// is named as it was; « en mer » around the islands.
func TestNearestCommuneAsBefore(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole data folder")
	}
	st := loadFrance(t)
	r := st.Resolver
	points := outsidePoints(t, st, 60)
	rng := rand.New(rand.NewSource(9))
	for _, b := range [][4]float64{{-62.2, 15.6, -60.6, 16.8}, {-61.5, 14.1, -60.5, 15.1}, {54.9, -21.7, 56.1, -20.6}, {44.7, -13.3, 45.6, -12.3}, {-54.9, 1.8, -51.0, 6.2}} {
		for range 150 {
			points = append(points, orb.Point{b[0] + rng.Float64()*(b[2]-b[0]), b[1] + rng.Float64()*(b[3]-b[1])})
		}
	}
	atSea, abroad := 0, 0
	for _, p := range points {
		res, err := r.ResolvePoint(p[1], p[0])
		if err != nil {
			t.Fatal(err)
		}
		got, want := st.withNearest(res, p[1], p[0]), withNearestAsBefore(st, res, p[1], p[0])
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%v: nearest commune\n%+v %+v\nwas\n%+v %+v", p, got, got.Nearest, want, want.Nearest)
		}
		if got.Nearest != nil && got.Nearest.AtSea {
			atSea++
		} else if got.Nearest != nil {
			abroad++
		}
	}
	t.Logf("%d points: %d at sea around the islands, %d near France", len(points), atSea, abroad)
	if atSea < 20 || abroad < 100 {
		t.Fatalf("%d points at sea around the islands, %d near France: too few to tell", atSea, abroad)
	}
}

// The distances of messages are written as fmt writes %.0f m and %.1f km.
func TestAppendKilometres(t *testing.T) {
	for _, m := range []float64{0, 0.4, 0.5, 1.5, 2.5, 999.4, 999.5, 999.9999, 1000, 1049.99, 1050, 1250, 23778.4, 29999.95, 30000, 123456.789, math.Nextafter(1000, 0)} {
		want := fmt.Sprintf("%.0f m", m)
		if m >= 1000 {
			want = strings.Replace(fmt.Sprintf("%.1f km", m/1000), ".", ",", 1)
		}
		if got := string(zones.AppendKilometres([]byte("à "), m)); got != "à "+want {
			t.Errorf("%v: %q, want %q", m, got, "à "+want)
		}
	}
}
