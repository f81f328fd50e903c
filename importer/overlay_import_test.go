package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zonage/zones"
)

// An ARS arrêté newer than the national file replaces its region's assignments from
// its effective date; before that date the answers announce it.
func TestImportWithRegionalOverlay(t *testing.T) {
	dir := smallDataDir(t, "01", "75")
	overlay := filepath.Join(t.TempDir(), "arrete-ara.csv")
	content := "region;date_effet;code_commune;categorie;nom;date_arrete;arrete\n" +
		"84;01/11/2025;01001;2_Sous_dotee;L'Abergement-Clémenciat;30/10/2025;Arrêté ARS ARA n°2025-17-0001\n" +
		"84;01/11/2025;01187;non_prioritaire;Haut Valromey;30/10/2025;Arrêté ARS ARA n°2025-17-0001\n"
	if err := os.WriteFile(overlay, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, err := Import(Options{DataDir: dir, Overlays: []string{overlay}, Now: func() time.Time { return time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	// The overlay, read from outside the data folder, is named by its
	// folder and file, not by the machine's path.
	shown := ""
	for _, src := range snap.Dataset.Meta.Sources {
		if src.Role == "overlay" {
			shown = src.Path
		}
	}
	if want := filepath.Join(filepath.Base(filepath.Dir(overlay)), "arrete-ara.csv"); shown != want {
		t.Fatalf("the overlay's source is named %q, want %q", shown, want)
	}
	res := snap.Resolver(zones.DefaultCoastTolerance)
	at := func(iso string) zones.Day {
		d, err := zones.ParseDay(iso)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	before, _ := res.ResolveCodeOn("01001", at("2025-10-15"))
	if before.Status != zones.StatusOK || before.Zonage.Category != zones.TresSousDotee {
		t.Fatalf("before the effective date: %+v", before.Zonage)
	}
	if u := before.Zonage.Upcoming; u == nil || u.Category != zones.SousDotee || u.EffectiveDate != "2025-11-01" {
		t.Fatalf("the coming arrêté is not announced: %+v", before.Zonage.Upcoming)
	}

	day := at("2026-01-05")
	after, _ := res.ResolveCodeOn("01001", day)
	if after.Status != zones.StatusOK || after.Zonage.Category != zones.SousDotee || after.Zonage.ArreteDate != "2025-10-30" ||
		after.Zonage.ArreteRef != "Arrêté ARS ARA n°2025-17-0001" || after.Zonage.EffectiveDate != "2025-11-01" || after.Zonage.Scheme != zones.SchemeAvenant7 {
		t.Fatalf("after the effective date: %+v", after.Zonage)
	}
	// Haut Valromey was published as its former communes in 2024; the overlay names
	// the current commune and replaces them.
	hv, _ := res.ResolveCodeOn("01187", day)
	if hv.Status != zones.StatusOK || hv.Zonage.Category != zones.NonPrioritaire {
		t.Fatalf("Haut Valromey after the overlay: %s %+v", hv.Status, hv.Zonage)
	}
	// A commune of the region left out of the arrêté has no zonage any more, and says why.
	gone, _ := res.ResolveCodeOn("01004", day)
	if gone.Status != zones.StatusNotFound || !strings.Contains(gone.Message, "ne figure pas dans l'arrêté régional") {
		t.Fatalf("commune missing from the overlay: %s %q", gone.Status, gone.Message)
	}
	// Other regions are untouched.
	paris, _ := res.ResolveCodeOn("75106", day)
	if paris.Zonage.Category != zones.NonPrioritaire {
		t.Fatalf("Paris changed: %+v", paris.Zonage)
	}
	notes := strings.Join(snap.Dataset.Meta.Coverage.Notes, "\n")
	if !strings.Contains(notes, "communes de la région absentes du fichier n'auront plus de zonage à partir du 01/11/2025") {
		t.Errorf("the report does not warn about the communes the overlay leaves out:\n%s", notes)
	}
	if !strings.Contains(snap.Dataset.Meta.ZonageSource, "arrêté régional 84") {
		t.Errorf("provenance does not mention the overlay: %s", snap.Dataset.Meta.ZonageSource)
	}
}

func TestImportRefusesOverlayOfAnotherRegion(t *testing.T) {
	overlay := filepath.Join(t.TempDir(), "arrete.csv")
	os.WriteFile(overlay, []byte("region;date_effet;code_commune;categorie\n84;01/11/2025;01001;2_Sous_dotee\n84;01/11/2025;75106;2_Sous_dotee\n"), 0o644)
	_, err := Import(Options{DataDir: smallDataDir(t, "01", "75"), Overlays: []string{overlay}})
	if err == nil || !strings.Contains(err.Error(), "ligne 3") || !strings.Contains(err.Error(), "75106") || !strings.Contains(err.Error(), "Île-de-France") {
		t.Fatalf("want an error naming line 3, 75106 and its region, got %v", err)
	}
}

// smallDataDir links the shared sources into a temporary folder with the contours of
// a few départements only, so that a test import takes a second, not the whole of France.
func smallDataDir(t *testing.T, departements ...string) string {
	t.Helper()
	src, err := filepath.Abs(importTestDataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	contours := filepath.Join(dir, "contours_communes", "metro_adminexpress2025_by_dept")
	for _, d := range []string{filepath.Join(dir, "zonage_mk"), contours} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"zonage_mk/cartosante_zonage_mk_communes_2025-09.csv": "zonage_mk/cartosante_zonage_mk_communes_2025-09.csv",
		"zonage_mk/other_professions_same_export":             "zonage_mk/other_professions_same_export",
		"decoupage_administratif":                             "decoupage_administratif",
		"cog":                                                 "cog",
	}
	for _, dep := range departements {
		name := "contours_communes/metro_adminexpress2025_by_dept/communes-" + dep + ".geojson.gz"
		links[name] = name
	}
	for from, to := range links {
		if err := os.Symlink(filepath.Join(src, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
