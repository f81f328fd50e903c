package main

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"zonage/geo/geotest"
	"zonage/importer"
	"zonage/internal/batch"
	"zonage/zones"
)

// coordinatesFile writes n points, each inside a commune drawn at random, and
// returns the file and the commune of each point.
func coordinatesFile(t *testing.T, n int) (string, []string) {
	t.Helper()
	snap, err := importer.ReadSnapshotFile(testSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(7))
	var b strings.Builder
	b.WriteString("id;latitude;longitude\n")
	codes := make([]string, n)
	for i := range n {
		k := rng.Intn(len(snap.Polygons))
		p := geotest.InteriorPoint(snap.Polygons[k])
		codes[i] = snap.Dataset.Communes[k].Code
		fmt.Fprintf(&b, "%d;%.7f;%.7f\n", i+1, p[1], p[0])
	}
	path := filepath.Join(t.TempDir(), "points.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, codes
}

// TestClassifyAllProfessions classifies 1,000 points of the real data for every
// profession at once: every row comes out once, in order, its commune found, the
// usual columns those of the kinés' run and each profession's column the category
// of that profession's own run; the summary counts every profession.
func TestClassifyAllProfessions(t *testing.T) {
	const n = 1000
	in, codes := coordinatesFile(t, n)
	out, errOut, code := run("classify", in, "--profession", "all", "--snapshot", testSnapshot)
	if code != exitFound && code != exitNotFound {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	all := parseCSV(t, out, ';')
	usual := len(zones.ClassificationColumns)
	wantHeader := append(append([]string{"id", "latitude", "longitude"}, zones.ClassificationColumns...), batch.ProfessionColumns()...)
	if strings.Join(all[0], ";") != strings.Join(wantHeader, ";") {
		t.Fatalf("header %q", all[0])
	}
	if len(all) != n+1 {
		t.Fatalf("%d rows, want %d", len(all)-1, n)
	}
	for i, r := range all[1:] {
		if r[0] != fmt.Sprint(i+1) || len(r) != len(wantHeader) || r[3] != codes[i] {
			t.Fatalf("row %d: %q, want id %d in commune %s", i+1, r, i+1, codes[i])
		}
	}
	for k, p := range zones.Professions() {
		single, errSingle, code := run("classify", in, "--profession", string(p), "--snapshot", testSnapshot)
		if code != exitFound && code != exitNotFound {
			t.Fatalf("%s: exit %d: %s", p, code, errSingle)
		}
		one := parseCSV(t, single, ';')
		if len(one) != n+1 {
			t.Fatalf("%s: %d rows", p, len(one)-1)
		}
		empty := 0
		for i := 1; i <= n; i++ {
			got, want := all[i][3+usual+k], one[i][3+2]
			if got != want {
				t.Fatalf("row %d: %s column %q, its own run %q (%q)", i, p, got, want, one[i])
			}
			if got == "" {
				empty++
			}
			if !p.HasCategory(zones.Category(got)) && got != "" {
				t.Fatalf("row %d: %s category %q off its scale", i, p, got)
			}
			if p == zones.DefaultProfession && strings.Join(all[i][:3+usual-1], ";") != strings.Join(one[i][:3+usual-1], ";") {
				t.Fatalf("row %d: usual columns %q, the kinés' run %q", i, all[i][:3+usual], one[i])
			}
		}
		// Only the few communes nouvelles whose former communes differ have no category.
		if empty > n/100 {
			t.Errorf("%s: %d rows of %d without a category", p, empty, n)
		}
		if p != zones.DefaultProfession && !strings.Contains(errOut, "\n  "+p.Plural()+" ("+batch.ProfessionColumn(p)+") :") {
			t.Errorf("summary lacks the %s:\n%s", p.Plural(), errOut)
		}
	}
	if !strings.Contains(errOut, "\nPar catégorie (masseurs-kinésithérapeutes, colonnes zonage_categorie et zonage_categorie_masseur-kinesitherapeute) :") ||
		strings.Contains(errOut, "  masseurs-kinésithérapeutes (") {
		t.Errorf("summary:\n%s", errOut)
	}
}

// A file classified for one profession and classified again for all keeps its
// zonage columns in place and gets the professions' columns after them, before a
// long row's extra cells.
func TestClassifyAgainForAll(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "codes.csv")
	os.WriteFile(in, []byte("code_insee;nom\n75106;a\n01330;b\n08439;c\n99999;d\n"), 0o644)
	first := filepath.Join(dir, "infirmiers.csv")
	if _, errOut, code := run("classify", in, "-o", first, "--profession", "infirmier", "--snapshot", testSnapshot); code != exitNotFound {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(first)
	// A long row, as a spreadsheet leaves one after a stray cell.
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	lines[1] += ";en trop"
	os.WriteFile(first, []byte(strings.Join(lines, "\n")+"\n"), 0o644)

	out, errOut, code := run("classify", first, "--profession", "all", "--snapshot", testSnapshot)
	if code != exitNotFound {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs := parseCSV(t, out, ';')
	want := append(append([]string{"code_insee", "nom"}, zones.ClassificationColumns...), batch.ProfessionColumns()...)
	if strings.Join(recs[0], ";") != strings.Join(want, ";") || len(recs) != 5 {
		t.Fatalf("%d records, header %q", len(recs), recs[0])
	}
	usual := len(zones.ClassificationColumns)
	inf := 2 + usual + slices.Index(zones.Professions(), zones.Infirmier)
	for i, r := range recs[1:] {
		if r[1] != string(rune('a'+i)) {
			t.Fatalf("row %d out of order: %q", i+1, r)
		}
		// The usual columns now answer for the kinés; the infirmiers' run is in their column.
		if r[inf] != "" && r[inf] != parseCSV(t, string(b), ';')[i+1][4] {
			t.Errorf("row %d: infirmier column %q, their run %q", i+1, r[inf], parseCSV(t, string(b), ';')[i+1][4])
		}
	}
	// The long row is in error, as any long row; its extra cell stays after every zonage column.
	if r := recs[1]; len(r) != len(want)+1 || r[len(r)-1] != "en trop" || r[6] != "erreur" || !strings.Contains(r[9], "11 champs au lieu de 10") {
		t.Fatalf("long row %q", r)
	}
	if r := recs[2]; r[2] != "01187" || r[4] == "" || r[6] != "ok" || r[inf] == "" {
		t.Fatalf("row 2 %q", r)
	}
}

func TestLookupProfession(t *testing.T) {
	out, errOut, code := run("lookup", "--lat", "48.8493", "--lon", "2.3325", "--profession", "infirmier", "--snapshot", testSnapshot)
	if code != exitFound {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Paris 6e Arrondissement (75106)", "Zonage infirmiers : intermédiaire (code officiel 3_intermediaire)",
		"zonage des infirmiers", "Installation des infirmiers — zone intermédiaire", "Page officielle :"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Options d'installation") {
		t.Errorf("the kinés' options in an infirmier's answer:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--commune", "75106", "--profession", "sage-femme"}, `"profession": "sage-femme"`},
		{[]string{"12 rue de Vaugirard 75006 Paris", "--profession", "CHIRURGIEN-DENTISTE"}, `"profession": "chirurgien-dentiste"`},
		{[]string{"--commune", "75106"}, `"profession": "masseur-kinesitherapeute"`},
	} {
		out, errOut, code := run(append([]string{"lookup", "--json", "--snapshot", testSnapshot}, tc.args...)...)
		if code != exitFound || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, lacks %s: %s%s", tc.args, code, tc.want, out[:min(len(out), 300)], errOut)
		}
	}
}

// The API on the real data: profession as a query parameter or a form field, on
// both batch endpoints.
func TestServeClassifyProfession(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	input := "id;insee\n1;01014\n2;75106\n"
	resp, body := postCSV(t, base, "/api/v1/classify?profession=all", input, nil)
	recs := parseCSV(t, string(body), ';')
	if resp.StatusCode != 200 || resp.Header.Get("X-Zonage-Profession") != "all" || len(recs) != 3 ||
		strings.Join(recs[0][len(recs[0])-5:], ",") != strings.Join(batch.ProfessionColumns(), ",") {
		t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	if got := strings.Join(recs[1][len(recs[1])-5:], ","); got != "intermediaire,tres_dotee,sous_dense,intermediaire,intermediaire" {
		t.Errorf("01014: %s", got)
	}
	resp, body = postCSV(t, base, "/search/csv/", input, map[string][]string{"profession": {"orthophoniste"}, "citycode": {"insee"}})
	recs = parseCSV(t, string(body), ';')
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "cabinets-zonage-orthophoniste.csv") || len(recs) != 3 {
		t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	cat := slices.Index(recs[0], "zonage_categorie")
	if recs[1][cat] != "sous_dense" || recs[1][slices.Index(recs[0], "result_citycode")] != "01014" {
		t.Errorf("row %q", recs[1])
	}
}
