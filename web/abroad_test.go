package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"zonage/zones"
)

// requireCountries fails when the state has no foreign land: make test
// fetches it (make countries) and passes it as ZONAGE_COUNTRIES.
func requireCountries(t *testing.T, st *State) {
	t.Helper()
	if st.Resolver.Countries == nil {
		t.Fatalf("no countries' land in the imported data: run « make countries » or set ZONAGE_COUNTRIES to geo-maps countries-land-10m's map.geo.json (%s)", countriesFile())
	}
}

// On the real data, points abroad within the coast tolerance of a commune
// (Monaco, Geneva's side, Basel, Kehl, Andorra, Irun, Ventimiglia) are
// answered outside France, naming the country and the nearest commune, and
// the ready path answers them as the general path does; points at sea off a
// coast and in slivers between outlines keep their commune.
func TestPointsAbroadAreOutsideFrance(t *testing.T) {
	day := "2025-06-01"
	st := franceOnDay(t, &day)
	requireCountries(t, st)
	ready, general := readyAndGeneral(t, st)
	type answer struct {
		Status  string `json:"status"`
		Commune *struct {
			Code string `json:"code"`
		} `json:"commune"`
		Zonage  *json.RawMessage `json:"zonage"`
		Match   zones.Match      `json:"match"`
		Nearest *struct {
			Code      string  `json:"code"`
			DistanceM float64 `json:"distance_m"`
			AtSea     bool    `json:"at_sea"`
		} `json:"nearest"`
		Message string `json:"message"`
	}
	ask := func(t *testing.T, lat, lon float64) answer {
		t.Helper()
		path := fmt.Sprintf("/api/v1/resolve?lat=%v&lon=%v", lat, lon)
		rec := sameAnswer(t, ready, general, path)
		for _, q := range []string{"&options=0", "&profession=infirmier", "&date=2024-01-15"} {
			sameAnswer(t, ready, general, path+q)
		}
		var a answer
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, c := range []struct {
		name     string
		lat, lon float64
		country  string
		nearest  string
	}{
		{"Monaco", 43.7311, 7.4197, "Monaco", "06150"},
		{"Genève", 46.235, 6.105, "Suisse", "01160"},
		{"Bâle", 47.5745, 7.5705, "Suisse", "68297"},
		{"Kehl", 48.5755, 7.8105, "Allemagne", "67482"},
		{"Kehl, sur le Rhin", 48.571, 7.805, "Allemagne", "67482"},
		{"Andorre", 42.5430, 1.7290, "Andorre", "66146"},
		{"Irun", 43.345, -1.785, "Espagne", "64260"},
		{"Vintimille", 43.788, 7.533, "Italie", "06083"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, day = range []string{"2025-06-01", "2026-07-01"} {
				a := ask(t, c.lat, c.lon)
				if a.Status != "introuvable" || a.Match.Method != zones.MethodOutside || a.Match.Country != c.country || a.Commune != nil || a.Zonage != nil {
					t.Fatalf("answer %+v, want outside France in %s with no commune nor zonage", a, c.country)
				}
				if a.Nearest == nil || a.Nearest.Code != c.nearest || a.Nearest.AtSea || a.Nearest.DistanceM != a.Match.DistanceM || a.Match.DistanceM > 1000 {
					t.Fatalf("nearest %+v, match %+v, want %s within the tolerance", a.Nearest, a.Match, c.nearest)
				}
				want := fmt.Sprintf("hors de France (%s) : point à l'étranger, à moins de 1000 m d'une commune française ; la plus proche est ", c.country)
				if !strings.HasPrefix(a.Message, want) || !strings.Contains(a.Message, "("+c.nearest+"), à ") {
					t.Fatalf("message %q", a.Message)
				}
			}
		})
	}
	for _, c := range []struct {
		name     string
		lat, lon float64
		commune  string
	}{
		{"en mer devant Marseille", 43.2650, 5.3575, "13207"},
		{"en mer devant Nice", 43.6825, 7.2450, "06088"},
		{"en mer devant Brest", 48.3575, -4.5100, "29019"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := ask(t, c.lat, c.lon)
			if a.Status != "ok" || a.Match.Method != zones.MethodNearest || a.Match.Country != "" || a.Commune == nil || a.Commune.Code != c.commune {
				t.Fatalf("answer %+v, want attached to %s", a, c.commune)
			}
		})
	}
	// The collectivités ADMIN EXPRESS has no outline for: their commune by the
	// land's outline, or none named when the land does not tell which.
	for _, c := range []struct {
		name     string
		lat, lon float64
		status   string
		method   zones.Method
		commune  string
		message  string
	}{
		{"Saint-Martin", 18.07, -63.05, "ok", zones.MethodInside, "97801", "point dans le contour OpenStreetMap de Saint-Martin (pas de contour de commune dans les données) ; Saint-Martin (97801) : "},
		{"Saint-Barthélemy, Gustavia", 17.897, -62.85, "ok", zones.MethodNearest, "97701", "point à 9 m du contour OpenStreetMap de Saint-Barthélemy (pas de contour de commune dans les données) ; Saint-Barthélemy (97701) : "},
		{"Saint-Pierre", 46.78, -56.17, "introuvable", zones.MethodCollectivity, "", "point à 15 m du contour OpenStreetMap de Saint-Pierre-et-Miquelon (pas de contour de commune dans les données) ; ses communes n'y sont pas distinguées"},
		{"Miquelon", 47.05, -56.35, "introuvable", zones.MethodCollectivity, "", "point dans le contour OpenStreetMap de Saint-Pierre-et-Miquelon (pas de contour de commune dans les données) ; ses communes n'y sont pas distinguées"},
		{"Sint Maarten", 18.03, -63.07, "introuvable", zones.MethodOutside, "", "hors de France : aucune commune à moins de 1000 m de ce point"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := ask(t, c.lat, c.lon)
			code := ""
			if a.Commune != nil {
				code = a.Commune.Code
			}
			if a.Status != c.status || a.Match.Method != c.method || code != c.commune || !strings.HasPrefix(a.Message, c.message) {
				t.Fatalf("answer %+v (commune %q), want %s by %s, commune %q, message %q…", a, code, c.status, c.method, c.commune, c.message)
			}
		})
	}
	t.Run("interstices", func(t *testing.T) {
		slivers := sliverPoints(st, 40)
		if len(slivers) < 40 {
			t.Fatalf("%d points in slivers between outlines found: too few to tell", len(slivers))
		}
		for _, p := range slivers {
			a := ask(t, p[1], p[0])
			if a.Status == "introuvable" || a.Match.Method != zones.MethodNearest || a.Match.Country != "" {
				t.Fatalf("%v: answer %+v, want attached to its nearest commune", p, a)
			}
		}
	})
}

// sliverPoints are up to n points in no outline but within a few metres of
// one, inland: a few metres off the vertices of the communes of départements
// that border no other country and no sea.
func sliverPoints(st *State, n int) []orb.Point {
	inland := map[string]bool{"45": true, "18": true, "87": true, "23": true, "03": true, "89": true}
	r := st.Resolver
	var out []orb.Point
	offsets := []orb.Point{{4e-5, 0}, {-4e-5, 0}, {0, 4e-5}, {0, -4e-5}}
	for i, c := range r.Dataset.Communes {
		if !inland[c.Departement] || i >= len(st.Outlines) {
			continue
		}
		for _, poly := range st.Outlines[i] {
			for _, v := range poly[0] {
				for _, d := range offsets {
					p := orb.Point{v[0] + d[0], v[1] + d[1]}
					if id, inside, _ := r.Locator.Locate(p, r.ToleranceM); id >= 0 && !inside {
						out = append(out, p)
						if len(out) == n {
							return out
						}
						break
					}
				}
			}
		}
	}
	return out
}
