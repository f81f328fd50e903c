package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"zonage/zones"
)

// statusRow is one expected row of a classify result: its first cell, its status
// and a part of its message.
type statusRow struct {
	first, status, message string
}

// TestClassifyCorpus runs the command on bad inputs: for each file, the rows that
// come out (in order, with their own first cell), their statuses and messages, the
// exit code and the summary. No row may vanish: a record that cannot be read comes
// out « erreur » with its line and why, and the exit code is then 1.
func TestClassifyCorpus(t *testing.T) {
	win := func(s string) string {
		b, err := charmap.Windows1252.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	longCode := strings.Repeat("7", 300000)
	cases := []struct {
		name      string
		input     string
		args      []string
		code      int
		rows      []statusRow // nil: not checked row by row
		summary   []string
		check     func(t *testing.T, out string, recs [][]string)
		errorText string // for exit 2
	}{
		{name: "text after a closing quote swallows nothing", input: "code_insee;adresse\n75106;\"12 rue\" du Bac\n01001;x\n01002;y\n", code: exitNotFound,
			rows:    []statusRow{{"75106", "erreur", "ligne 2 illisible : texte « du Bac » après le guillemet fermant du champ 2"}, {"01001", "ok", ""}, {"01002", "ok", ""}},
			summary: []string{"3 lignes", "ok 2 ; ambigu 0 ; introuvable 0 ; erreur 1", "1 ligne en erreur, dont 1 mal formée"}},
		{name: "a quote never closed swallows nothing", input: "code_insee;adresse\n75106;\"12 rue du Bac\n01001;x\n01002;y\n", code: exitNotFound,
			rows:    []statusRow{{"75106", "erreur", "ligne 2 illisible : guillemet ouvert dans le champ 2 et jamais refermé"}, {"01001", "ok", ""}, {"01002", "ok", ""}},
			summary: []string{"ok 2 ; ambigu 0 ; introuvable 0 ; erreur 1"}},
		{name: "CR line ends (old Mac Excel)", input: "code_insee;nom\r75106;a\r01001;b\r", code: 0,
			rows: []statusRow{{"75106", "ok", ""}, {"01001", "ok", ""}}, summary: []string{"2 lignes", "fins de ligne « CR » seul"}},
		{name: "UTF-8 lines among Windows-1252 ones keep their text", input: "ville;code_postal\n" + win("Besançon;25000\nÉvreux;27000\nSaint-Étienne;42000\n") + "Guéret;23000\n", code: 0,
			rows:    []statusRow{{win("Besançon"), "ok", ""}, {win("Évreux"), "ok", ""}, {win("Saint-Étienne"), "ok", ""}, {"Guéret", "ok", ""}},
			summary: []string{"windows-1252", "1 ligne dans un autre encodage"}, check: func(t *testing.T, out string, recs [][]string) {
				if !strings.Contains(out, "\nGuéret;23000;23096;Guéret;") || !strings.Contains(out, win("\nÉvreux;27000;27229;Évreux;")) {
					t.Fatalf("lines not written back in their own encodings: %q", out)
				}
			}},
		{name: "a long row's extra cells follow the zonage columns", input: "code_insee;nom\n75106;a;x;y\n01001;b\n", code: exitNotFound,
			rows:  []statusRow{{"75106", "erreur", "ligne 2 : 4 champs au lieu de 2"}, {"01001", "ok", ""}},
			check: checkLongRow},
		{name: "re-running on a result with a long row keeps its extra cells", input: "code_insee;nom;" + strings.Join(zones.ClassificationColumns, ";") + "\n75106;a;;;;;;;;;x;y\n", code: exitNotFound,
			rows: []statusRow{{"75106", "erreur", "ligne 2 : 12 champs au lieu de 10"}}, check: checkLongRow},
		{name: "BOM, CRLF, empty lines and no final line end", input: "\ufeffcode_insee;nom\r\n\r\n75106;a\r\n\r\n01001;b", code: 0,
			rows: []statusRow{{"75106", "ok", ""}, {"01001", "ok", ""}}, check: func(t *testing.T, out string, recs [][]string) {
				if !strings.HasPrefix(out, "\ufeffcode_insee;nom;zonage_") || strings.Count(out, "\r\n") != 3 {
					t.Fatalf("BOM or line ends not kept: %q", out)
				}
			}},
		{name: "postcodes a spreadsheet stored as numbers", input: "nom;code_postal;ville\r\nA;75006.0;Paris\r\nB;1300;Belley\r\nC;1300,0;Belley\r\nD;75006.5;Paris\r\n", code: exitNotFound,
			rows: []statusRow{{"A", "ok", "Paris 6e Arrondissement (75106)"}, {"B", "ok", "Belley (01034)"}, {"C", "ok", "Belley (01034)"},
				{"D", "ambigu", "adresse ambiguë : code postal « 75006.5 » invalide (5 chiffres attendus) : ignoré ; Paris est divisée en arrondissements"}},
			summary: []string{"ok 3 ; ambigu 1 ; introuvable 0 ; erreur 0"}},
		{name: "INSEE codes a spreadsheet stored as numbers", input: "code_insee;nom\n75106.0;a\n1034,0;b\n1034;c\n", code: 0,
			rows: []statusRow{{"75106.0", "ok", "Paris 6e Arrondissement (75106)"}, {"1034,0", "ok", "Belley (01034)"}, {"1034", "ok", "Belley (01034)"}}},
		{name: "an INSEE code read otherwise than typed is named both ways when unknown", input: "code_insee;nom\n7510;a\n75106;b\n", code: exitNotFound,
			rows: []statusRow{{"7510", "introuvable", "aucune commune de code 07510 dans le COG ni dans le zonage (code INSEE « 7510 » lu 07510)"}, {"75106", "ok", "Paris 6e"}}},
		{name: "latitude and longitude swapped", input: "nom;latitude;longitude\nA;2,3522;48,8566\nB;55.4504;-20.8823\nC;-45;170\nD;48.8566;2.3522\n", code: exitNotFound,
			rows: []statusRow{{"A", "introuvable", "hors de France : aucune commune à moins de 1000 m de ce point ; latitude 2.3522 et longitude 48.8566 inversées ? Le point de latitude 48.8566 et longitude 2.3522 est dans Paris 4e Arrondissement (75104)"},
				{"B", "introuvable", "inversées ? Le point de latitude -20.8823 et longitude 55.4504 est dans Saint-Denis (97411)"},
				{"C", "introuvable", "hors de France"}, {"D", "ok", "Paris 4e Arrondissement (75104)"}},
			check: func(t *testing.T, out string, recs [][]string) {
				if strings.Contains(recs[3][len(recs[3])-1], "inversées") {
					t.Fatalf("a point whose exchange is nowhere either is said swapped: %q", recs[3])
				}
			}},
		{name: "header only", input: "code_insee;nom\n", code: 0, rows: []statusRow{}, summary: []string{"0 ligne en"}},
		{name: "a lone quote on a line", input: "code_insee;nom\n\"\n75106;a\n", code: exitNotFound,
			rows: []statusRow{{`"`, "erreur", "ligne 2 illisible : guillemet ouvert dans le champ 1 et jamais refermé"}, {"75106", "ok", ""}}},
		{name: "NUL bytes", input: "code_insee;nom\n75\x00106;a\n75106;b\x00\n", code: exitNotFound,
			rows: []statusRow{{"75\x00106", "erreur", "ligne 2 : code INSEE « 75\x00106 » invalide"}, {"75106", "ok", ""}}},
		{name: "a long value is quoted cut in the message", input: "code_insee;nom\n" + longCode + ";a\n", code: exitNotFound,
			rows: []statusRow{{longCode, "erreur", "ligne 2 : code INSEE « " + strings.Repeat("7", 200) + "… » invalide"}}, check: func(t *testing.T, out string, recs [][]string) {
				if msg := recs[1][len(recs[1])-1]; len(msg) > 400 {
					t.Fatalf("message of %d bytes", len(msg))
				}
			}},
		{name: "formulas neutralised in the header and the cells", input: "code_insee; =cmd|' /C calc'!A0\n75106;\"\n=1+1\"\n01001;＠SUM(A1)\n", code: 0,
			rows: []statusRow{{"75106", "ok", ""}, {"01001", "ok", ""}}, check: func(t *testing.T, out string, recs [][]string) {
				if recs[0][1] != "' =cmd|' /C calc'!A0" || recs[1][1] != "'\n=1+1" || recs[2][1] != "'＠SUM(A1)" {
					t.Fatalf("%q", recs)
				}
			}},
		{name: "duplicate headers: the first column is read", input: "code_insee;code_insee\n75106;01001\n", code: 0,
			rows: []statusRow{{"75106", "ok", "Paris 6e"}}, summary: []string{"en double (colonnes 1 et 2)"}},
		{name: "empty lines only", input: "\r\n\n\r", code: exitUsage, errorText: "fichier vide"},
		{name: "a line beyond 16 MB stops the run naming it", input: "code_insee;nom\n75106;a\n" + strings.Repeat("x", 17<<20) + "\n", code: exitUsage,
			errorText: "ligne 3 : ligne de plus de 16 Mo"},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(dir, "entree.csv")
			if err := os.WriteFile(in, []byte(tc.input), 0o644); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := run(append([]string{"classify", in, "--snapshot", testSnapshot}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, errOut)
			}
			if tc.code == exitUsage {
				if !strings.Contains(errOut, tc.errorText) {
					t.Fatalf("stderr %q lacks %q", errOut, tc.errorText)
				}
				return
			}
			for _, s := range tc.summary {
				if !strings.Contains(errOut, s) {
					t.Errorf("summary lacks %q:\n%s", s, errOut)
				}
			}
			r := csv.NewReader(strings.NewReader(out))
			r.Comma = ';'
			r.FieldsPerRecord = -1
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatalf("result is not CSV: %v\n%q", err, out)
			}
			width := len(recs[0])
			if tc.rows != nil {
				if len(recs) != len(tc.rows)+1 {
					t.Fatalf("%d records, want header + %d:\n%q", len(recs), len(tc.rows), out)
				}
				for i, w := range tc.rows {
					got := recs[i+1]
					status, msg := got[width-4], got[width-1]
					if strings.TrimPrefix(got[0], "\ufeff") != w.first || status != w.status || !strings.Contains(msg, w.message) {
						t.Errorf("row %d: first cell %.40q, status %q, message %.300q; want %.40q, %q, %q", i+1, got[0], status, msg, w.first, w.status, w.message)
					}
				}
			}
			if tc.check != nil {
				tc.check(t, out, recs)
			}
		})
	}
}

// checkLongRow: the header ends with the zonage columns, the long row's zonage
// cells are under them and its extra cells x, y come after.
func checkLongRow(t *testing.T, out string, recs [][]string) {
	t.Helper()
	head := recs[0]
	if strings.Join(head[len(head)-len(zones.ClassificationColumns):], ";") != strings.Join(zones.ClassificationColumns, ";") {
		t.Fatalf("header %q", head)
	}
	row := recs[1]
	if len(row) != len(head)+2 || row[len(head)-4] != "erreur" || row[len(head)] != "x" || row[len(head)+1] != "y" {
		t.Fatalf("long row %q under header %q", row, head)
	}
}
