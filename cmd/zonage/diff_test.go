package main

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zonage/importer"
	"zonage/zones"
)

// A regional arrêté that changes one commune: the import says so against the
// snapshot it replaces, and `zonage diff` lists exactly that commune.
func TestDiffListsWhatAnArreteChanges(t *testing.T) {
	dir := t.TempDir()
	base, err := importer.ReadSnapshotDataset(testSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	// Mayotte's arrêté, every commune as published but Tsingoni, which becomes sous-dotée.
	var rows []string
	for code, list := range base.Zonage {
		if z := list[0]; z.Region == "06" {
			cat := z.OfficialCode
			if code == "97617" {
				cat = "2_Sous_dotee"
			}
			rows = append(rows, "06;01/01/2026;"+code+";"+cat+";"+z.Name+";15/12/2025;Arrêté ARS Mayotte n°TEST")
		}
	}
	if len(rows) != 17 {
		t.Fatalf("%d Mayotte codes, want 17", len(rows))
	}
	overlay := filepath.Join(dir, "mayotte.csv")
	os.WriteFile(overlay, []byte("region;date_effet;code_commune;categorie;nom;date_arrete;arrete\n"+strings.Join(rows, "\n")+"\n"), 0o644)

	replaced := filepath.Join(dir, "zonage.snap")
	good, _ := os.ReadFile(testSnapshot)
	os.WriteFile(replaced, good, 0o644)
	out, errOut, code := run("import", "--data", importTestData(), "--snapshot", replaced, "--overlay", overlay)
	if code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	report := out[strings.Index(out, "Changements par rapport à l'instantané remplacé"):]
	if !strings.Contains(report, "Catégorie changée (1) :\n  97617 Tsingoni (Mayotte) : très sous-dotée → sous-dotée — Arrêté ARS Mayotte n°TEST, arrêté du 15/12/2025, en vigueur le 01/01/2026") ||
		strings.Contains(report, "Nouveaux codes") || strings.Contains(report, "Plus de zonage") {
		t.Errorf("import report of the changes:\n%s", report)
	}

	out, errOut, code = run("diff", testSnapshot, replaced, "--json")
	var d zones.DatasetDiff
	if err := json.Unmarshal([]byte(out), &d); code != 0 || err != nil {
		t.Fatalf("diff: %d %v %s", code, err, errOut)
	}
	if len(d.Changed) != 1 || d.Changed[0].Code != "97617" || d.Changed[0].Old.Category != zones.TresSousDotee ||
		d.Changed[0].New.Category != zones.SousDotee || len(d.Added)+len(d.Removed) != 0 {
		t.Fatalf("diff: changed %+v, added %+v, removed %+v", d.Changed, d.Added, d.Removed)
	}
	for _, r := range d.PerRegion {
		if r.Region.Code == "06" && (r.Old[zones.TresSousDotee] != 17 || r.New[zones.TresSousDotee] != 16 || r.New[zones.SousDotee] != 1 || r.Changed != 1) ||
			r.Region.Code != "06" && r.Changed != 0 {
			t.Errorf("region counts %+v", r)
		}
	}
	// Before the arrêté takes effect, nothing differs yet.
	out, _, code = run("diff", testSnapshot, replaced, "--date", "2025-12-31")
	if code != 0 || !strings.Contains(out, "Zonage en vigueur le 31/12/2025") || !strings.Contains(out, "Aucun changement.") {
		t.Errorf("diff before the effective date: %d\n%s", code, out)
	}
	out, _, code = run("diff", testSnapshot, testSnapshot)
	if code != 0 || !strings.Contains(out, "Aucun changement.") {
		t.Errorf("diff of a snapshot with itself: %d\n%s", code, out)
	}
}

// A missing file, a file that is not a snapshot, or a snapshot of another format
// version: exit 2, naming the file.
func TestDiffBadInput(t *testing.T) {
	dir := t.TempDir()
	notSnap := filepath.Join(dir, "cabinets.csv")
	os.WriteFile(notSnap, []byte("adresse;cp\n12 rue de Vaugirard;75006\n"), 0o644)
	otherVersion := filepath.Join(dir, "v99.snap")
	b, _ := os.ReadFile(testSnapshot)
	b = append([]byte(nil), b...)
	binary.LittleEndian.PutUint32(b[8:], 99)
	os.WriteFile(otherVersion, b, 0o644)
	missing := filepath.Join(dir, "absent.snap")
	cases := []struct {
		name       string
		args       []string
		file, want string
	}{
		{"missing", []string{missing, testSnapshot}, missing, "introuvable"},
		{"not a snapshot", []string{testSnapshot, notSnap}, notSnap, "ce n'est pas un instantané"},
		{"another format version", []string{otherVersion, testSnapshot}, otherVersion, "version de format 99"},
		{"bad date", []string{testSnapshot, testSnapshot, "--date", "2025-02-30"}, "--date", "date « 2025-02-30 » invalide"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(append([]string{"diff"}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.file) || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 naming %s and %q", code, errOut, tc.file, tc.want)
			}
		})
	}
}

func importTestData() string {
	if dir := os.Getenv("ZONAGE_DATA"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "..", "shared", "data")
}
