package importer

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"zonage/geo/geotest"
	"zonage/zones"
)

// importTestDataDir is the shared data folder, read in place.
func importTestDataDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("ZONAGE_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		tb.Fatalf("shared data folder %q not found: set ZONAGE_DATA to the folder described in SOURCES.md", dir)
	}
	return dir
}

var (
	fullOnce     sync.Once
	fullSnap     *Snapshot
	fullResolver *zones.Resolver
	fullErr      error
)

// fullImport imports the whole shared data folder once per test binary.
func fullImport(tb testing.TB) (*Snapshot, *zones.Resolver) {
	tb.Helper()
	dir := importTestDataDir(tb)
	fullOnce.Do(func() {
		fullSnap, fullErr = Import(Options{DataDir: dir, Now: func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }})
		if fullErr == nil {
			fullResolver = fullSnap.Resolver(zones.DefaultCoastTolerance)
			fullResolver.Clock = func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }
		}
	})
	if fullErr != nil {
		tb.Fatalf("import of %s: %v", dir, fullErr)
	}
	return fullSnap, fullResolver
}

// The seven communes nouvelles of 2025 whose former communes had different kiné
// categories (SOURCES.md 1.1).
var wantAmbiguous = []string{"08439", "19248", "25223", "25390", "33008", "79307", "85223"}

func TestImportCoverage(t *testing.T) {
	snap, _ := fullImport(t)
	cov := snap.Dataset.Meta.Coverage
	if cov.Communes != 34788+129 {
		t.Errorf("%d outlines indexed, want 34,788 metropolitan + 129 DROM", cov.Communes)
	}
	if cov.ZonageRows != 34979 {
		t.Errorf("%d zonage codes, want 34,979", cov.ZonageRows)
	}
	var amb []string
	for _, a := range cov.Ambiguous {
		amb = append(amb, a.Code)
		if len(a.Candidates) < 2 {
			t.Errorf("ambiguous %s lists %d candidates", a.Code, len(a.Candidates))
		}
	}
	if strings.Join(amb, ",") != strings.Join(wantAmbiguous, ",") {
		t.Errorf("ambiguous communes %v, want %v", amb, wantAmbiguous)
	}
	if strings.Join(cov.UnmatchedZonage, ",") != "97701,97801" {
		t.Errorf("zonage codes without outline: %v, want Saint-Barthélemy and Saint-Martin", cov.UnmatchedZonage)
	}
	if len(cov.CommunesNoZonage) != 0 {
		t.Errorf("outlines without zonage: %v", cov.CommunesNoZonage)
	}
	if cov.PerRegion["11"][zones.NonPrioritaire] != 3 {
		t.Errorf("Île-de-France non prioritaire: %d, want 3 (Paris 6e, 7e, 8e)", cov.PerRegion["11"][zones.NonPrioritaire])
	}
	if cov.PerRegion["04"][zones.SurDotee] != 10 || cov.PerRegion["04"][zones.TresDotee] != 4 {
		t.Errorf("La Réunion keeps the old scale: %v", cov.PerRegion["04"])
	}
	m := snap.Dataset.Meta
	if !strings.HasPrefix(m.Version, "2025-09.") || !strings.Contains(m.ZonageVintage, "septembre 2025") || !strings.Contains(m.ZonageVintage, "COG 2024") {
		t.Errorf("provenance: version %q, vintage %q", m.Version, m.ZonageVintage)
	}
}

// Every outline's interior point must resolve to that commune, with the category
// the source file gives it through the COG history — or, for the communes
// nouvelles whose former communes disagree, as ambiguous.
func TestEveryOutlineInteriorPoint(t *testing.T) {
	snap, res := fullImport(t)
	src, err := ReadCartoSante(cartoSantePath(t))
	if err != nil {
		t.Fatal(err)
	}
	source := map[string]zones.Category{}
	for _, r := range src.Records {
		source[r.Code] = r.Category
	}
	passage, err := ReadHistoryPassage(filepath.Join(importTestDataDir(t), "cog", "cogiter2025_table_passage_com_historique.csv"))
	if err != nil {
		t.Fatal(err)
	}
	formerOf := map[string][]string{}
	for old, cur := range passage {
		if _, ok := source[old]; ok && old != cur {
			formerOf[cur] = append(formerOf[cur], old)
		}
	}
	// Communes restored after 2024 (movement 21) take the category published for the
	// commune they were part of.
	moves, err := ReadMovements(filepath.Join(importTestDataDir(t), "cog", "cogiter2025_mvtcommunes.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range moves {
		if _, own := source[m.CodeAfter]; m.Mod == "21" && m.Date >= "2024-01-02" && m.TypeAfter == "COM" && !own && m.CodeBefore != m.CodeAfter {
			formerOf[m.CodeAfter] = append(formerOf[m.CodeAfter], m.CodeBefore)
		}
	}
	ambiguous := map[string]bool{}
	for _, c := range wantAmbiguous {
		ambiguous[c] = true
	}
	var wrong []string
	for i, c := range snap.Dataset.Communes {
		p := geotest.InteriorPoint(snap.Polygons[i])
		r, err := res.ResolvePoint(p[1], p[0])
		if err != nil {
			t.Fatal(err)
		}
		if r.Commune == nil || r.Commune.Code != c.Code {
			wrong = append(wrong, c.Code+": point resolved to another commune")
			continue
		}
		want := map[zones.Category]bool{}
		if cat, ok := source[c.Code]; ok {
			want[cat] = true
		}
		for _, old := range formerOf[c.Code] {
			want[source[old]] = true
		}
		switch {
		case ambiguous[c.Code]:
			if r.Status != zones.StatusAmbiguous || len(want) < 2 {
				wrong = append(wrong, c.Code+": want ambiguous, got "+string(r.Status))
			}
		case len(want) != 1:
			wrong = append(wrong, c.Code+": source gives no single category")
		case r.Status != zones.StatusOK || !want[r.Zonage.Category]:
			wrong = append(wrong, c.Code+": category differs from the source")
		}
	}
	if len(wrong) > 0 {
		t.Fatalf("%d of %d communes disagree: %v", len(wrong), len(snap.Dataset.Communes), wrong[:min(len(wrong), 20)])
	}
}

func cartoSantePath(t *testing.T) string {
	return filepath.Join(importTestDataDir(t), "zonage_mk", "cartosante_zonage_mk_communes_2025-09.csv")
}

func TestLookupPlaces(t *testing.T) {
	_, res := fullImport(t)
	cases := []struct {
		name       string
		lat, lon   float64
		code       string
		status     zones.Status
		commune    string
		category   zones.Category
		method     zones.Method
		candidates int
	}{
		{name: "Paris 6e by coordinates", lat: 48.8493, lon: 2.3325, status: zones.StatusOK, commune: "75106", category: zones.NonPrioritaire, method: zones.MethodInside},
		{name: "Paris 6e by code", code: "75106", status: zones.StatusOK, commune: "75106", category: zones.NonPrioritaire, method: zones.MethodCode},
		{name: "Paris as a whole is per arrondissement", code: "75056", status: zones.StatusAmbiguous, method: zones.MethodCode, candidates: 20},
		{name: "former commune Ruffieu answers with its own category", code: "01330", status: zones.StatusOK, commune: "01187", category: zones.Intermediaire, method: zones.MethodFormerCode},
		{name: "former commune Le Mont-Dieu keeps its category inside ambiguous Tannay-le-Mont-Dieu", code: "08300", status: zones.StatusOK, commune: "08439", category: zones.Intermediaire, method: zones.MethodFormerCode},
		{name: "Celles, restored in 2025 from Neussargues en Pinatelle, takes its published category", code: "15031", status: zones.StatusOK, commune: "15031", category: zones.TresSousDotee, method: zones.MethodCode},
		{name: "Saint-Denis de La Réunion, old scale", lat: -20.8789, lon: 55.4504, status: zones.StatusOK, commune: "97411", category: zones.TresDotee, method: zones.MethodInside},
		{name: "Mamoudzou, Mayotte", code: "97611", status: zones.StatusOK, commune: "97611", category: zones.TresSousDotee, method: zones.MethodCode},
		{name: "Saint-Barthélemy: published, no outline", code: "97701", status: zones.StatusOK, commune: "97701", category: zones.NonDisponible, method: zones.MethodCode},
		{name: "commune nouvelle with disagreeing former communes", code: "08439", status: zones.StatusAmbiguous, commune: "08439", method: zones.MethodCode, candidates: 2},
		{name: "Geneva is not in France", lat: 46.2044, lon: 6.1432, status: zones.StatusNotFound, method: zones.MethodOutside},
		{name: "Madrid is not in France", lat: 40.4168, lon: -3.7038, status: zones.StatusNotFound, method: zones.MethodOutside},
		{name: "open sea in the Bay of Biscay", lat: 45.5, lon: -3.0, status: zones.StatusNotFound, method: zones.MethodOutside},
		{name: "unknown code", code: "99999", status: zones.StatusNotFound, method: zones.MethodCode},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r zones.Resolution
			var err error
			if tc.code != "" {
				r, err = res.ResolveCode(tc.code)
			} else {
				r, err = res.ResolvePoint(tc.lat, tc.lon)
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.status || r.Match.Method != tc.method {
				t.Fatalf("status %s by %s, want %s by %s (%s)", r.Status, r.Match.Method, tc.status, tc.method, r.Message)
			}
			if tc.commune != "" && (r.Commune == nil || r.Commune.Code != tc.commune) {
				t.Fatalf("commune %+v, want %s", r.Commune, tc.commune)
			}
			if tc.category != "" && (r.Zonage == nil || r.Zonage.Category != tc.category) {
				t.Fatalf("zonage %+v, want %s", r.Zonage, tc.category)
			}
			if len(r.Candidates) != tc.candidates {
				t.Fatalf("%d candidates, want %d", len(r.Candidates), tc.candidates)
			}
			if r.Provenance.DatasetVersion == "" || r.Message == "" {
				t.Fatalf("answer without provenance or message: %+v", r)
			}
		})
	}
}

func TestLookupProvenanceAndCatchment(t *testing.T) {
	_, res := fullImport(t)
	r, _ := res.ResolvePoint(48.8493, 2.3325)
	z := r.Zonage
	if z.Region.Code != "11" || z.Region.Name != "Île-de-France" {
		t.Errorf("region %+v", z.Region)
	}
	if z.Scheme != zones.SchemeAvenant7 || z.OfficialCode != "5b_Non_prioritaire" {
		t.Errorf("scheme %q code %q", z.Scheme, z.OfficialCode)
	}
	if z.Catchment != nil {
		t.Errorf("Paris 6e catchment %+v, want none: Paris is zoned by arrondissement", z.Catchment)
	}
	if r, _ := res.ResolveCode("31555"); r.Zonage == nil || r.Zonage.Catchment == nil || r.Zonage.Catchment.Kind != zones.CantonVille ||
		r.Zonage.Catchment.Code != "3199" || !r.Zonage.Catchment.Derived || !r.Zonage.Catchment.ClassedWhole() {
		t.Errorf("Toulouse catchment %+v, want derived canton-ville 3199, coherent", r.Zonage)
	}
	if r.Provenance.ZonageVintage == "" || r.Provenance.GeoVintage == "" {
		t.Errorf("provenance %+v", r.Provenance)
	}
	// The official Atlasanté rows give arrêté dates and catchments.
	r, _ = res.ResolveCode("11262")
	if r.Zonage.ArreteDate != "2024-10-29" || r.Zonage.Catchment == nil || r.Zonage.Catchment.Code != "1199" || r.Zonage.Catchment.Derived {
		t.Errorf("Narbonne: %+v catchment %+v", r.Zonage, r.Zonage.Catchment)
	}
	r, _ = res.ResolveCode("11132")
	if c := r.Zonage.Catchment; c == nil || c.Kind != zones.BassinDeVie || c.Code != "11203" {
		t.Errorf("Fabrezan catchment %+v, want bassin de vie 11203", c)
	}
}

// Points on and near borders, and just off the coast.
func TestLookupBordersAndCoast(t *testing.T) {
	snap, res := fullImport(t)
	c, _ := snap.Dataset.CommuneByCode("75106")
	i := sort.Search(len(snap.Dataset.Communes), func(i int) bool { return snap.Dataset.Communes[i].Code >= c.Code })
	vertex := snap.Polygons[i][0][0][3]
	first, _ := res.ResolvePoint(vertex[1], vertex[0])
	if first.Status != zones.StatusOK || first.Match.Method != zones.MethodInside {
		t.Fatalf("a vertex of the 6e border resolved as %s by %s", first.Status, first.Match.Method)
	}
	for n := 0; n < 20; n++ {
		again, _ := res.ResolvePoint(vertex[1], vertex[0])
		if again.Commune.Code != first.Commune.Code {
			t.Fatalf("border point answered %s then %s", first.Commune.Code, again.Commune.Code)
		}
	}
	// 300 m off the Corniche in Marseille (sea), and 20 km off Brest.
	near, _ := res.ResolvePoint(43.2745, 5.3560)
	if near.Status != zones.StatusOK || near.Match.Method != zones.MethodNearest || near.Match.DistanceM <= 0 || near.Match.DistanceM > 1000 {
		t.Fatalf("point just off Marseille: %s by %s at %.0f m (%s)", near.Status, near.Match.Method, near.Match.DistanceM, near.Message)
	}
	if !strings.HasPrefix(near.Commune.Code, "132") {
		t.Errorf("point off Marseille resolved to %s", near.Commune.Code)
	}
	far, _ := res.ResolvePoint(48.30, -4.95)
	if far.Status != zones.StatusNotFound || !strings.Contains(far.Message, "hors de France") {
		t.Fatalf("20 km offshore: %s (%s)", far.Status, far.Message)
	}
	if _, err := res.ResolvePoint(91, 2); err == nil {
		t.Fatal("latitude 91 accepted")
	}
}

func TestImportMissingData(t *testing.T) {
	cases := []struct {
		name string
		dir  string
		want string
	}{
		{"no such folder", filepath.Join(t.TempDir(), "absent"), "n'existe pas"},
		{"empty folder", t.TempDir(), "aucun fichier de zonage"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Import(Options{DataDir: tc.dir})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error saying %q, got %v", tc.want, err)
			}
		})
	}
}

// BenchmarkSnapshotLoad measures what a start costs: reading and checking the file,
// decoding it, building the spatial index and the address matcher; with the five
// professions, and with the kiné's zonage alone (a snapshot without the "prof"
// section) to show what the other four add.
func BenchmarkSnapshotLoad(b *testing.B) {
	snap, _ := fullImport(b)
	if snap.Address == nil {
		b.Fatal("the import built no address tables")
	}
	kineOnly := *snap.Dataset
	kineOnly.Professions, kineOnly.Meta.Professions = nil, nil
	for _, bc := range []struct {
		name string
		snap *Snapshot
	}{
		{"cinq_professions", snap},
		{"kine_seul", &Snapshot{Dataset: &kineOnly, Polygons: snap.Polygons, Address: snap.Address}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "z.snap")
			if err := WriteSnapshot(path, bc.snap); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s, err := ReadSnapshotFile(path)
				if err != nil {
					b.Fatal(err)
				}
				if s.Resolver(zones.DefaultCoastTolerance).Addresses == nil {
					b.Fatal("no address matcher after load")
				}
			}
		})
	}
}

// interiorPoints is a point inside each outline of the snapshot, as (lat, lon).
func interiorPoints(snap *Snapshot) [][2]float64 {
	points := make([][2]float64, len(snap.Polygons))
	for i, p := range snap.Polygons {
		ip := geotest.InteriorPoint(p)
		points[i] = [2]float64{ip[1], ip[0]}
	}
	return points
}

func BenchmarkResolvePoint(b *testing.B) {
	snap, res := fullImport(b)
	points := interiorPoints(snap)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := points[i%len(points)]
		if _, err := res.ResolvePoint(p[0], p[1]); err != nil {
			b.Fatal(err)
		}
	}
}
