package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func parseCSV(t *testing.T, s string, comma rune) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\ufeff")))
	r.Comma = comma
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, s)
	}
	return recs
}

func TestClassifyCommand(t *testing.T) {
	in := filepath.Join(t.TempDir(), "cabinets.csv")
	os.WriteFile(in, []byte("id;Latitude;Longitude;Code INSEE;note\n"+
		"1;48.8493;2.3325;;a\n"+
		"2;;;01330;b\n"+
		"3;95;2;;c\n"+
		"4;;;08439;d\n"+
		"5;46.2044;6.1432;;e\n"+
		"6;-20,8789;55,4504;;f\n"+
		"7;;;75106\n"), 0o644)
	out, errOut, code := run("classify", in, "--snapshot", testSnapshot)
	if code != exitNotFound {
		t.Fatalf("exit %d, want 1 (some rows not classified)\n%s", code, errOut)
	}
	recs := parseCSV(t, out, ';')
	if len(recs) != 8 {
		t.Fatalf("%d records, want header + 7 rows:\n%s", len(recs), out)
	}
	head := strings.Join(recs[0], ";")
	if head != "id;Latitude;Longitude;Code INSEE;note;zonage_commune_code;zonage_commune_nom;zonage_categorie;zonage_libelle;zonage_statut;zonage_precision;zonage_score;zonage_message" {
		t.Fatalf("header %s", head)
	}
	want := []struct{ code, cat, status, precision, msg string }{
		{"75106", "non_prioritaire", "ok", "coordonnees", "Paris 6e"},
		{"01187", "intermediaire", "ok", "commune", "ancienne commune"},
		{"", "", "erreur", "", "ligne 4 : latitude « 95 » invalide"},
		{"08439", "", "ambigu", "commune", "Le Mont-Dieu (08300) intermédiaire"},
		{"", "", "introuvable", "coordonnees", "hors de France"},
		{"97411", "tres_dotee", "ok", "coordonnees", "Saint-Denis"},
		{"", "", "erreur", "", "ligne 8 : 4 champs au lieu de 5"},
	}
	for i, w := range want {
		r := recs[i+1]
		if r[0] != string(rune('1'+i)) {
			t.Fatalf("row %d out of order: %v", i+1, r)
		}
		got := r[len(r)-8:]
		if got[0] != w.code || got[2] != w.cat || got[4] != w.status || got[5] != w.precision || !strings.Contains(got[7], w.msg) {
			t.Errorf("row %d: %v, want %+v", i+1, got, w)
		}
	}
	for _, s := range []string{"7 lignes", "ok 3 ; ambigu 1 ; introuvable 1 ; erreur 2", "non prioritaire 1", "très dotée 1"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("summary lacks %q:\n%s", s, errOut)
		}
	}
}

func TestClassifyOutputFileAndEncodings(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "latin1.csv")
	latin, _ := charmap.Windows1252.NewEncoder().String("75107\tCabinet de l'Université\n13216\tCabinet de l'Estaque\n")
	os.WriteFile(in, []byte(latin), 0o644)
	outPath := filepath.Join(dir, "out.csv")
	_, errOut, code := run("classify", in, "-o", outPath, "--sans-entete", "--col-insee", "1", "--encodage-sortie", "utf-8", "--separateur-sortie", ";", "--snapshot", testSnapshot)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(outPath)
	recs := parseCSV(t, string(b), ';')
	if len(recs) != 2 || recs[0][1] != "Cabinet de l'Université" || recs[0][2] != "75107" || recs[1][4] != "intermediaire" {
		t.Fatalf("output %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("temporary files left: %v", entries)
	}
	// A failed run leaves the earlier result in place.
	_, _, code = run("classify", filepath.Join(dir, "absent.csv"), "-o", outPath, "--snapshot", testSnapshot)
	after, _ := os.ReadFile(outPath)
	if code != exitUsage || string(after) != string(b) {
		t.Fatalf("exit %d; output changed: %v", code, string(after) != string(b))
	}
}

func TestClassifyUsageErrors(t *testing.T) {
	in := filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(in, []byte("a;b\n1;2\n"), 0o644)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown columns", []string{"classify", in}, "ne nomme aucune colonne connue (a, b)"},
		{"chosen column absent", []string{"classify", in, "--col-cp", "CP"}, "colonne du code postal « CP » : absente de l'en-tête (a, b)"},
		{"chosen column out of the file", []string{"classify", in, "--col-insee", "9"}, "colonne du code INSEE « 9 » : position hors du fichier (2 colonnes)"},
		{"bad delimiter", []string{"classify", in, "--separateur", "#"}, "séparateur « # » non pris en charge"},
		{"bad encoding", []string{"classify", in, "--encodage", "ebcdic"}, "encodage « ebcdic » inconnu"},
		{"missing file", []string{"classify", in + ".absent"}, "no such file"},
		{"empty file", []string{"classify", os.DevNull}, "fichier vide"},
		{"unknown profession", []string{"classify", in, "--profession", "kiné"},
			"--profession : profession « kiné » invalide : attendu masseur-kinesitherapeute, infirmier, orthophoniste, sage-femme, chirurgien-dentiste, all"},
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

// Addresses in split columns, as spreadsheets of cabinets hold them.
func TestClassifyAddresses(t *testing.T) {
	in := filepath.Join(t.TempDir(), "adresses.csv")
	os.WriteFile(in, []byte("nom;Adresse;CP;Ville\n"+
		"A;12 rue de Vaugirard;75006;Paris\n"+
		"B;3 bd saint germain;;Paris 5e\n"+
		"C;;01260;Ruffieu\n"+
		"D;;;Saint-Denis\n"+
		"E;1 rue Inconnue;;Nullepart-sur-Rien\n"), 0o644)
	out, errOut, code := run("classify", in, "--snapshot", testSnapshot)
	if code != exitNotFound {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "colonnes lues : adresse « Adresse », code postal « CP », commune « Ville »"; !strings.Contains(errOut, want) {
		t.Errorf("the summary does not name the file's columns as %q:\n%s", want, errOut)
	}
	recs := parseCSV(t, out, ';')
	want := []struct{ code, status, precision string }{
		{"75106", "ok", "adresse"}, {"75105", "ok", "adresse"}, {"01187", "ok", "commune"}, {"", "ambigu", "commune"}, {"", "introuvable", ""},
	}
	for i, w := range want {
		r := recs[i+1]
		if r[4] != w.code || r[8] != w.status || (w.precision != "" && r[9] != w.precision) {
			t.Errorf("row %d: %v, want %+v", i+1, r[4:], w)
		}
	}
}

// A code column that a postcode or city column contradicts: the code is
// retained, zonage_message names both values, the summary counts those rows;
// postcodes and names of the commune or its arrondissements are no contradiction.
func TestClassifyCodeConflicts(t *testing.T) {
	in := filepath.Join(t.TempDir(), "codes.csv")
	os.WriteFile(in, []byte("insee;cp;ville\n"+
		"13201;75006;\n"+
		"75106;75016;Paris\n"+
		"42218;;Lyon\n"+
		"75056;75006;Paris\n"+
		"75106;75006;PARIS 06\n"+
		"13055;13001;Marseille\n"+
		"42218;42000;ST ETIENNE\n"+
		"42218;42907;Saint-Étienne Cedex 9\n"+
		"49040;49270;Champtoceaux\n"), 0o644)
	out, errOut, code := run("classify", in, "--snapshot", testSnapshot)
	if code != 0 && code != exitNotFound {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs := parseCSV(t, out, ';')
	want := []struct{ code, message string }{
		{"13201", "le code postal 75006 ne correspond pas à la commune 13201 (Marseille 1er Arrondissement) : code commune retenu"},
		{"75106", "le code postal 75016 ne correspond pas à la commune 75106 (Paris 6e Arrondissement) : code commune retenu"},
		{"42218", "la ville « Lyon » ne correspond pas à la commune 42218 (Saint-Étienne) : code commune retenu"},
	}
	for i, w := range want {
		if r := recs[i+1]; r[3] != w.code || !strings.Contains(r[10], w.message) {
			t.Errorf("row %d: %q, want code %s and a message with %q", i+1, r, w.code, w.message)
		}
	}
	for _, r := range recs[len(want)+1:] {
		if strings.Contains(r[10], "ne correspond") {
			t.Errorf("%q: false warning", r)
		}
	}
	if !strings.Contains(errOut, "3 lignes dont le code postal ou la ville contredit le code commune") {
		t.Errorf("summary does not count the rows:\n%s", errOut)
	}
}

// A row whose city cell is far too long comes out « erreur » with the start of
// that cell quoted, and the rows around it are classified.
func TestClassifyLongCell(t *testing.T) {
	in := filepath.Join(t.TempDir(), "long.csv")
	city := strings.Repeat("Villeneuve", 300)
	os.WriteFile(in, []byte("adresse;cp;ville\n12 rue de Vaugirard;75006;Paris\n1 rue X;01400;"+city+"\n;01260;Ruffieu\n"), 0o644)
	out, errOut, code := run("classify", in, "--snapshot", testSnapshot)
	if code != exitNotFound {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs := parseCSV(t, out, ';')
	if len(recs) != 4 || recs[1][3] != "75106" || recs[3][3] != "01187" {
		t.Fatalf("rows around the long one lost or unclassified: %q", recs)
	}
	want := "ligne 3 : commune « " + city[:200] + "… » invalide : adresse trop longue"
	if r := recs[2]; r[2] != city || r[7] != "erreur" || !strings.HasPrefix(r[10], want) {
		t.Errorf("row 2: status %s, message %.300q; want « erreur » and %.60q…", r[7], r[10], want)
	}
}

// A file with an address column beside its INSEE codes: each address is sought
// in its row's commune, which places it in an arrondissement when the code is
// the city's, and a row whose address is not there keeps its code's answer and
// says so.
func TestClassifyAddressWithCode(t *testing.T) {
	in := filepath.Join(t.TempDir(), "adresses-codes.csv")
	os.WriteFile(in, []byte("adresse;code_insee\n"+
		"12 rue de Vaugirard;75056\n"+
		"12 rue de Vaugirard 75006 Paris;01001\n"+
		";01001\n"), 0o644)
	out, errOut, code := run("classify", in, "--snapshot", testSnapshot)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs := parseCSV(t, out, ';')
	want := []struct{ code, precision, message string }{
		{"75106", "adresse", "Paris 6e Arrondissement (75106)"},
		{"01001", "commune", "le code postal 75006 et la ville « PARIS » ne correspondent pas à la commune 01001"},
		{"01001", "commune", "L'Abergement-Clémenciat (01001)"},
	}
	for i, w := range want {
		if r := recs[i+1]; r[2] != w.code || r[7] != w.precision || !strings.Contains(r[9], w.message) {
			t.Errorf("row %d: %q, want %+v", i+1, r, w)
		}
	}
	if !strings.Contains(errOut, "1 ligne dont le code postal ou la ville contredit le code commune") {
		t.Errorf("the summary does not count the row whose address contradicts its code:\n%s", errOut)
	}
}
