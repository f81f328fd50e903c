package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"zonage/importer"
	"zonage/zones"
)

// The OGC API answers in HTML too (conformance class "html"); its pages are
// checked against the document as strings.
func init() { openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder) }

// TestServeOGC checks the OGC API, TileJSON and export answers on the real
// snapshot against the OpenAPI document, as TestServeAPI does for the JSON API.
func TestServeOGC(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	cases := []answerCase{
		{"landing page", "/ogc", 200, "application/json", []string{`"rel":"service-desc"`, `"rel":"conformance"`, `"rel":"data"`}},
		{"landing page in HTML", "/ogc?f=html", 200, "text/html", []string{"OGC API – Entités", "/ogc/collections"}},
		{"API definition", "/ogc/api", 200, "application/vnd.oai.openapi+json", []string{`"/collections/communes/items"`, `"servers"`}},
		{"conformance", "/ogc/conformance", 200, "application/json", []string{"conf/core", "conf/geojson", "conf/oas30", "conf/html"}},
		{"collections", "/ogc/collections", 200, "application/json", []string{`"id":"communes"`, `"crs":["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]`}},
		{"collection", "/ogc/collections/communes", 200, "application/json", []string{`"rel":"items"`, `"bbox":[[`}},
		{"collection in HTML", "/ogc/collections/communes?f=html", 200, "text/html", []string{"Parcourir les communes"}},
		{"Paris by bbox", "/ogc/collections/communes/items?bbox=2.33,48.84,2.34,48.85&limit=5", 200, "application/geo+json",
			[]string{`"numberMatched":`, `"id":"75106"`, `"categorie":"non_prioritaire"`}},
		{"a département, first page", "/ogc/collections/communes/items?departement=2A&limit=10", 200, "application/geo+json",
			[]string{`"numberReturned":10`, `"rel":"next"`, `"departement":"2A"`}},
		{"two categories in a region", "/ogc/collections/communes/items?region=04&categorie=tres_dotee,sur_dotee", 200, "application/geo+json",
			[]string{`"categorie":"tres_dotee"`, `"region_nom":"La Réunion"`}},
		{"one commune", "/ogc/collections/communes/items/97411", 200, "application/geo+json", []string{`"nom":"Saint-Denis"`, `"echelle":"avenant5"`, `"rel":"collection"`}},
		{"an ambiguous commune", "/ogc/collections/communes/items/08439", 200, "application/geo+json", []string{`"statut":"ambigu"`, `"categorie":null`, `08300`}},
		{"items in HTML", "/ogc/collections/communes/items?f=html&departement=75", 200, "text/html", []string{"20 communes correspondent", "Paris 6e Arrondissement"}},
		{"invalid bbox", "/ogc/collections/communes/items?bbox=2,48,3", 400, "application/problem+json", []string{`"field":"bbox"`}},
		{"limit past the maximum", "/ogc/collections/communes/items?limit=10001", 400, "application/problem+json", []string{`"field":"limit"`, `de 1 à 10000`}},
		{"unknown filter", "/ogc/collections/communes/items?commune=75106", 400, "application/problem+json", []string{`"type":"/problems/parametre-inconnu"`, `"field":"commune"`}},
		{"unknown category", "/ogc/collections/communes/items?categorie=rouge", 400, "application/problem+json", []string{`"field":"categorie"`}},
		{"unknown feature", "/ogc/collections/communes/items/99999", 404, "application/problem+json", []string{`99999`}},
		{"former commune code", "/ogc/collections/communes/items/01330", 404, "application/problem+json", []string{`rattachée à`, `01187`}},
		{"unknown collection", "/ogc/collections/bassins/items", 404, "application/problem+json", []string{`« bassins » inconnue`}},
		{"TileJSON", "/api/v1/tiles/communes.json", 200, "application/json", []string{`"tilejson":"3.0.0"`, `/api/v1/tiles/communes/{z}/{x}/{y}.mvt?v=2025-09.`}},
		{"TileJSON of the borders", "/api/v1/tiles/departements.json", 200, "application/json", []string{`"id":"departements"`}},
		{"CSV export", "/api/v1/export/csv", 200, "text/csv", []string{"code,nom,departement,region", "\n75106,Paris 6e Arrondissement,75,11,Île-de-France,non_prioritaire,"}},
		{"unknown export format", "/api/v1/export/shp", 404, "application/problem+json", []string{"geojson, csv ou gpkg"}},
	}
	checkAnswers(t, base, cases)
}

// requireGDAL skips when GDAL's command-line tools are missing, except in CI,
// whose .ci/run installs them.
func requireGDAL(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo/ogr2ogr absents : .ci/run installe le paquet Debian gdal-bin")
		}
		t.Skip("GDAL absent : apt-get install gdal-bin")
	}
}

// gdal runs a GDAL tool and returns its output.
func gdal(t testing.TB, tool string, args ...string) string {
	t.Helper()
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var featureCountRe = regexp.MustCompile(`Feature Count: (\d+)`)

func featureCount(t testing.TB, ogrinfoOut string) int {
	t.Helper()
	m := featureCountRe.FindStringSubmatch(ogrinfoOut)
	if m == nil {
		t.Fatalf("no feature count in:\n%.3000s", ogrinfoOut)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// sqlColumn runs an SQL query through ogrinfo, in GDAL's SQLite dialect (the
// same on every format, GROUP BY included), and returns the values of one column,
// in order; a null is "".
func sqlColumn(t testing.TB, source, query, column string) []string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(column) + ` \(\w+\) = (.*)$`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(gdal(t, "ogrinfo", "-q", source, "-dialect", "SQLite", "-sql", query), -1) {
		v := strings.TrimSpace(m[1])
		if v == "(null)" {
			v = ""
		}
		out = append(out, v)
	}
	return out
}

// apiCodes returns the codes of the features an items request answers, following
// its next links.
func apiCodes(t *testing.T, base, path string) []string {
	t.Helper()
	var codes []string
	for next := base + path; next != ""; {
		resp, err := http.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct{ ID string }
			Links    []struct{ Href, Rel string }
		}
		err = json.NewDecoder(resp.Body).Decode(&fc)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		next = ""
		for _, f := range fc.Features {
			codes = append(codes, f.ID)
		}
		for _, l := range fc.Links {
			if l.Rel == "next" {
				next = l.Href
			}
		}
	}
	sort.Strings(codes)
	return codes
}

// TestOGCWithGDAL reads the OGC API with GDAL's own driver, as QGIS users and
// scripts do: the collection's count, a bbox pulled into a GeoPackage by paging,
// and an attribute filter GDAL sends to the server.
func TestOGCWithGDAL(t *testing.T) {
	requireGDAL(t)
	base, _ := startServer(t, testSnapshot)
	src := "OAPIF:" + base + "/ogc"
	snap, err := importer.ReadSnapshotFile(testSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	if n := featureCount(t, gdal(t, "ogrinfo", "-ro", src, "communes", "-so")); n != len(snap.Dataset.Communes) {
		t.Errorf("ogrinfo counts %d communes, the snapshot has %d", n, len(snap.Dataset.Communes))
	}

	dir := t.TempDir()
	// Paris and its inner suburbs, with pages small enough that GDAL follows next links.
	out := filepath.Join(dir, "petite-couronne.gpkg")
	gdal(t, "ogr2ogr", "-f", "GPKG", out, src, "communes", "-spat", "2.2", "48.8", "2.5", "48.95", "-oo", "PAGE_SIZE=40")
	got := sqlColumn(t, out, "SELECT code FROM communes ORDER BY code", "code")
	want := apiCodes(t, base, "/ogc/collections/communes/items?bbox=2.2,48.8,2.5,48.95&limit=10000")
	if len(want) < 60 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ogr2ogr -spat gives %d communes, the API's bbox %d:\n%v\n%v", len(got), len(want), got, want)
	}

	// GDAL finds departement among the items parameters of /ogc/api and sends it.
	corse := filepath.Join(dir, "2a.gpkg")
	gdal(t, "ogr2ogr", "-f", "GPKG", corse, src, "communes", "-where", "departement = '2A'", "-oo", "PAGE_SIZE=1000")
	got = sqlColumn(t, corse, "SELECT code FROM communes ORDER BY code", "code")
	want = apiCodes(t, base, "/ogc/collections/communes/items?departement=2A&limit=10000")
	if len(want) != 124 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("-where departement = '2A': %d communes, the API %d", len(got), len(want))
	}
}

// TestExportsWithGDAL opens every export of the command, and one from the
// server, with GDAL: the count, the categories' counts and a sample of communes are the
// snapshot's.
func TestExportsWithGDAL(t *testing.T) {
	requireGDAL(t)
	snap, err := importer.ReadSnapshotFile(testSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	records := snap.Resolver(zones.DefaultCoastTolerance).CommuneRecords()
	perCategory := map[string]int{}
	byCode := map[string]string{}
	for _, r := range records {
		perCategory[string(r.Category)]++
		byCode[r.Code] = string(r.Category)
	}
	sample := []string{"01001", "08439", "2A004", "75106", "97411"}

	check := func(t *testing.T, file, layer string) {
		if n := featureCount(t, gdal(t, "ogrinfo", "-ro", "-so", file, layer)); n != len(records) {
			t.Errorf("%s: %d features, want %d", file, n, len(records))
		}
		cats := sqlColumn(t, file, "SELECT categorie, COUNT(*) AS n FROM "+layer+" GROUP BY categorie ORDER BY categorie", "categorie")
		counts := sqlColumn(t, file, "SELECT categorie, COUNT(*) AS n FROM "+layer+" GROUP BY categorie ORDER BY categorie", "n")
		got := map[string]int{}
		for i := range cats {
			got[cats[i]], _ = strconv.Atoi(counts[i])
		}
		if fmt.Sprint(got) != fmt.Sprint(perCategory) {
			t.Errorf("%s: categories %v, want %v", file, got, perCategory)
		}
		q := "SELECT code, categorie FROM " + layer + " WHERE code IN ('" + strings.Join(sample, "','") + "') ORDER BY code"
		codes, sampleCats := sqlColumn(t, file, q, "code"), sqlColumn(t, file, q, "categorie")
		if strings.Join(codes, ",") != strings.Join(sample, ",") {
			t.Fatalf("%s: sample %v", file, codes)
		}
		for i, c := range codes {
			if sampleCats[i] != byCode[c] {
				t.Errorf("%s: %s is %q, the snapshot says %q", file, c, sampleCats[i], byCode[c])
			}
		}
	}

	dir := t.TempDir()
	for _, format := range []string{"geojson", "csv", "gpkg"} {
		t.Run("zonage export --format "+format, func(t *testing.T) {
			file := filepath.Join(dir, "communes."+format)
			if _, errOut, code := run("export", "--snapshot", testSnapshot, "--format", format, "-o", file); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			check(t, file, "communes")
		})
	}
	// The server writes its files with the same code: one format, the cheapest to
	// build, shows it serves them whole.
	t.Run("GET /api/v1/export/csv", func(t *testing.T) {
		base, _ := startServer(t, testSnapshot)
		resp, err := http.Get(base + "/api/v1/export/csv")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		file := filepath.Join(dir, "served.csv")
		f, _ := os.Create(file)
		if _, err := io.Copy(f, resp.Body); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		check(t, file, "served")
	})
	t.Run("GeoPackage needs a file", func(t *testing.T) {
		if _, errOut, code := run("export", "--snapshot", testSnapshot, "--format", "gpkg"); code != exitUsage || !strings.Contains(errOut, "-o FICHIER.gpkg") {
			t.Errorf("exit %d: %s", code, errOut)
		}
		if _, errOut, code := run("export", "--snapshot", testSnapshot, "--format", "shp", "-o", filepath.Join(dir, "x.shp")); code != exitUsage || !strings.Contains(errOut, "« shp »") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
}
