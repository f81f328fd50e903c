package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

var testSnapshot string

// TestMain imports the shared data once through the import command itself; every
// test then answers from that snapshot.
func TestMain(m *testing.M) {
	// The servers the tests start in-process run as main runs them.
	gin.SetMode(gin.ReleaseMode)
	if os.Getenv("ZONAGE_TEST_RUN_MAIN") == "1" {
		// The test binary stands for the real one when a test runs it as a process.
		main()
		os.Exit(0)
	}
	dir := os.Getenv("ZONAGE_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data")
	}
	tmp, err := os.MkdirTemp("", "zonage-cmd-test")
	if err != nil {
		panic(err)
	}
	testSnapshot = filepath.Join(tmp, "zonage.snap")
	out, errOut, code := run("import", "--data", dir, "--snapshot", testSnapshot)
	if code != 0 {
		fmt.Fprintf(os.Stderr, "import of %s failed (code %d): %s\n%s", dir, code, errOut, out)
		os.Exit(1)
	}
	importOutput = out
	rc := m.Run()
	os.RemoveAll(tmp)
	os.Exit(rc)
}

var importOutput string

// run executes the command line as main does and returns stdout, stderr and the exit code.
func run(args ...string) (string, string, int) {
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	code := 0
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
			if ee.err != nil {
				errOut.WriteString(ee.err.Error())
			}
		} else {
			code = exitUsage
			errOut.WriteString(err.Error())
		}
	}
	return out.String(), errOut.String(), code
}

func TestImportReport(t *testing.T) {
	for _, want := range []string{"Version des données : 2025-09.", "Île-de-France", "Communes nouvelles ambiguës (7)",
		"08439 Tannay-le-Mont-Dieu", "Codes du zonage sans contour (2) : 97701 Saint-Barthélemy, 97801 Saint-Martin",
		"Contours sans zonage (0)", "Instantané écrit"} {
		if !strings.Contains(importOutput, want) {
			t.Errorf("import report lacks %q:\n%s", want, importOutput)
		}
	}
	// Each other profession has its report, on its own scale, after the kiné's.
	for _, want := range []string{
		"Zonage des infirmiers : export CartoSanté (ARS/DGOS) du zonage des infirmiers — export CartoSanté de septembre 2025, codes COG 2024",
		"Zonage des orthophonistes : ", "sous-dense", "Zonage des sages-femmes : ", "Zonage des chirurgiens-dentistes : ",
		"93066 Saint-Denis : 93066 Saint-Denis (intermédiaire), 93059 Pierrefitte-sur-Seine (sous-dense)",
	} {
		if !strings.Contains(importOutput, want) {
			t.Errorf("import report lacks %q", want)
		}
	}
	kine, infirmiers := strings.Index(importOutput, "Communes nouvelles ambiguës (7)"), strings.Index(importOutput, "Zonage des infirmiers")
	if kine < 0 || infirmiers < kine {
		t.Error("the infirmiers' report does not follow the kiné's")
	}
}

func TestLookupCommand(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"quick start: Paris 6e by coordinates", []string{"lookup", "--lat", "48.8493", "--lon", "2.3325"}, 0,
			[]string{"Paris 6e Arrondissement (75106)", "Zonage kiné : non prioritaire", "5b_Non_prioritaire", "Île-de-France", "export CartoSanté de septembre 2025, codes COG 2024", "version 2025-09."}},
		{"by code", []string{"lookup", "--commune", "75106"}, 0, []string{"Paris 6e Arrondissement (75106) — Paris (75), Île-de-France", "non prioritaire"}},
		{"département named", []string{"lookup", "--commune", "15014"}, 0, []string{"Aurillac (15014) — Cantal (15), Auvergne-Rhône-Alpes"}},
		{"Corse-du-Sud", []string{"lookup", "--commune", "2A004"}, 0, []string{"Ajaccio (2A004) — Corse-du-Sud (2A), Corse"}},
		{"Haute-Corse", []string{"lookup", "--commune", "2B033"}, 0, []string{"Bastia (2B033) — Haute-Corse (2B), Corse"}},
		{"La Réunion", []string{"lookup", "--commune", "97411"}, 0, []string{"Saint-Denis (97411) — La Réunion (974)\n"}},
		{"Mayotte", []string{"lookup", "--commune", "97611"}, 0, []string{"Mamoudzou (97611) — Mayotte (976)\n"}},
		{"Guadeloupe", []string{"lookup", "--commune", "97120"}, 0, []string{"(97120) — Guadeloupe (971)\n"}},
		{"arrondissement of Lyon", []string{"lookup", "--commune", "69381"}, 0, []string{"Lyon 1er Arrondissement (69381) — Rhône (69), Auvergne-Rhône-Alpes"}},
		{"arrondissement of Marseille", []string{"lookup", "--commune", "13201"}, 0, []string{"Marseille 1er Arrondissement (13201) — Bouches-du-Rhône (13), Provence-Alpes-Côte d'Azur"}},
		{"code as argument", []string{"lookup", "75107"}, 0, []string{"Paris 7e Arrondissement (75107)"}},
		{"address", []string{"lookup", "12 rue de Vaugirard 75006 Paris"}, 0, []string{"Paris 6e Arrondissement (75106)", "non prioritaire", "Trouvé par : adresse (numéro dans la voie)", "précision adresse"}},
		{"address as people type it", []string{"lookup", "12", "r", "de", "vaugirard", "paris", "6e"}, 0, []string{"Paris 6e Arrondissement (75106)"}},
		{"town and postcode", []string{"lookup", "Ruffieu 01260"}, 0, []string{"Haut Valromey (01187)", "intermédiaire"}},
		{"ambiguous town name", []string{"lookup", "Saint-Denis"}, 1, []string{"AMBIGU", "Saint-Denis (97411)", "Saint-Denis (93066)"}},
		{"commune déléguée of an ambiguous commune nouvelle", []string{"lookup", "Le Mont-Dieu 08250"}, 0, []string{"Tannay-le-Mont-Dieu (08439)", "intermédiaire"}},
		{"former code", []string{"lookup", "--commune", "01330"}, 0, []string{"Haut Valromey (01187)", "01330 Ruffieu", "intermédiaire"}},
		{"ambiguous commune nouvelle", []string{"lookup", "--commune", "08439"}, 1, []string{"AMBIGU", "Le Mont-Dieu (08300) : intermédiaire", "Tannay (08439) : très sous-dotée"}},
		{"outside France", []string{"lookup", "--lat", "46.2044", "--lon", "6.1432"}, 1, []string{"hors de France"}},
		{"unknown code", []string{"lookup", "--commune", "99999"}, 1, []string{"Introuvable"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(append(tc.args, "--snapshot", testSnapshot)...)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestLookupJSON(t *testing.T) {
	out, _, code := run("lookup", "--commune", "75106", "--json", "--snapshot", testSnapshot)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var r zones.Resolution
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Status != zones.StatusOK || r.Zonage.Category != zones.NonPrioritaire || r.Commune.Code != "75106" || r.Commune.DepartementName != "Paris" || r.Provenance.DatasetVersion == "" {
		t.Fatalf("unexpected answer %+v", r)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"latitude out of range", []string{"lookup", "--lat", "95", "--lon", "2"}, "latitude « 95 » invalide"},
		{"lat without lon", []string{"lookup", "--lat", "48"}, "--lat et --lon vont ensemble"},
		{"nothing to look up", []string{"lookup"}, "donnez une adresse, --lat et --lon, ou --commune"},
		{"address and coordinates", []string{"lookup", "12 rue de Vaugirard", "--lat", "48", "--lon", "2"}, "soit une adresse"},
		{"malformed code", []string{"lookup", "--commune", "7510"}, "code INSEE à 5 caractères"},
		{"unknown flag", []string{"lookup", "--latitude", "48"}, "unknown flag"},
		{"not a number", []string{"lookup", "--lat", "abc", "--lon", "2"}, "invalid argument"},
		{"negative connection bound", []string{"serve", "--connexions-max", "-1"}, "--connexions-max -1 : nombre positif attendu"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(append(tc.args, "--snapshot", testSnapshot)...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 saying %q", code, errOut, tc.want)
			}
		})
	}
}

// A failed import never replaces a good snapshot, and a damaged snapshot is refused.
func TestBadDataKeepsGoodSnapshot(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "z.snap")
	good, _ := os.ReadFile(testSnapshot)
	os.WriteFile(snap, good, 0o644)

	_, errOut, code := run("import", "--data", filepath.Join(dir, "absent"), "--snapshot", snap)
	if code != exitUsage || !strings.Contains(errOut, "n'existe pas") {
		t.Fatalf("missing data dir: exit %d, %q", code, errOut)
	}

	// A data folder whose zonage has an unknown category, the rest linked to the real data.
	bad := filepath.Join(dir, "bad")
	real, _ := filepath.Abs(os.Getenv("ZONAGE_DATA"))
	if os.Getenv("ZONAGE_DATA") == "" {
		real, _ = filepath.Abs(filepath.Join("..", "..", "..", "shared", "data"))
	}
	os.MkdirAll(filepath.Join(bad, "zonage_mk"), 0o755)
	for _, d := range []string{"contours_communes", "decoupage_administratif", "cog"} {
		os.Symlink(filepath.Join(real, d), filepath.Join(bad, d))
	}
	os.WriteFile(filepath.Join(bad, "zonage_mk", "cartosante_zonage_mk_communes_2026-01.csv"),
		[]byte("\ufeffCartoSanté; ; \nRéférentiel géographique : France par commune et arrondissement mun.; ; \nCode;Libellé;Zonage kinés\n01001;L'Abergement-Clémenciat;1_Tres_sous_dotee\n01002;L'Abergement-de-Varey;6_Inconnu\n"), 0o644)
	_, errOut, code = run("import", "--data", bad, "--snapshot", snap)
	if code != exitUsage || !strings.Contains(errOut, "ligne 5") || !strings.Contains(errOut, "6_Inconnu") {
		t.Fatalf("unknown category: exit %d, %q", code, errOut)
	}
	after, _ := os.ReadFile(snap)
	if !bytes.Equal(good, after) {
		t.Fatal("a failed import changed the snapshot")
	}

	os.WriteFile(snap, good[:len(good)/2], 0o644)
	_, errOut, code = run("lookup", "--commune", "75106", "--snapshot", snap)
	if code != exitUsage || !strings.Contains(errOut, "tronqué") || !strings.Contains(errOut, "zonage import") {
		t.Fatalf("truncated snapshot: exit %d, %q", code, errOut)
	}
}
