package csvbatch

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// wantRow is one data row expected out of the engine: the input cells as written
// (padded to the header's width), then the row's problem ("" = none; otherwise a
// part of its message), then a long row's extra cells.
type wantRow struct {
	cells   []string
	problem string
	extra   []string
}

func cp1252(s string) string {
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestRunCorpus is the bad-input corpus of the engine: for each file, the rows that
// come out, in order, with their cells and their problems. Every record comes out
// once; a record that cannot be read cleanly comes out with its line and why.
func TestRunCorpus(t *testing.T) {
	hundredLines := "adresse;ville\n1 rue A;\"Paris" + strings.Repeat("\nsuite", maxQuotedLines) + "\"\n2 rue B;Lyon\n"
	cases := []struct {
		name    string
		input   string
		opt     Options
		want    []wantRow
		wantErr string
		check   func(t *testing.T, out []byte, rep *Report)
	}{
		{name: "text after a closing quote", input: "code_insee;adresse\n75106;\"12 rue\" du Bac\n01001;x\n01002;y\n", want: []wantRow{
			{cells: []string{"75106", `"12 rue" du Bac`}, problem: "ligne 2 illisible : texte « du Bac » après le guillemet fermant du champ 2"},
			{cells: []string{"01001", "x"}}, {cells: []string{"01002", "y"}},
		}},
		{name: "a quote that never closes", input: "code_insee;adresse\n75106;\"12 rue du Bac\n01001;x\n01002;y\n", want: []wantRow{
			{cells: []string{"75106", `"12 rue du Bac`}, problem: "ligne 2 illisible : guillemet ouvert dans le champ 2 et jamais refermé ; la ligne est lue seule"},
			{cells: []string{"01001", "x"}}, {cells: []string{"01002", "y"}},
		}},
		{name: "a quote closed on a later line and followed by text", input: "adresse;ville\n1 rue A;\"Paris\n2 rue B;Lyon\" 3e\n3 rue C;Agde\n", want: []wantRow{
			{cells: []string{"1 rue A", `"Paris`}, problem: "ligne 2 illisible : guillemet ouvert dans le champ 2, refermé ligne 3 et suivi du texte « 3e »"},
			{cells: []string{"2 rue B", `Lyon" 3e`}}, {cells: []string{"3 rue C", "Agde"}},
		}},
		{name: "lines joined by a quote that do not make a record of the header's width", input: "adresse;ville\n1 rue A;\"Paris\n2 rue B;Lyon\";x\n", want: []wantRow{
			{cells: []string{"1 rue A", `"Paris`}, problem: "s'étend sur 2 lignes et donne 3 champs au lieu de 2"},
			{cells: []string{"2 rue B", `Lyon"`}, problem: "ligne 3 : 3 champs au lieu de 2", extra: []string{"x"}},
		}},
		{name: "a quoted cell over several lines is one record", input: "adresse;ville\n\"12 rue X\r\nbât. B\";Paris\n\"3 rue \"\"Y\"\"\";Lyon\n", want: []wantRow{
			{cells: []string{"12 rue X\r\nbât. B", "Paris"}}, {cells: []string{`3 rue "Y"`, "Lyon"}},
		}},
		{name: "a quoted cell over more lines than allowed", input: hundredLines, check: func(t *testing.T, out []byte, rep *Report) {
			if rep.Rows != 2+maxQuotedLines || rep.RowProblems != 1+maxQuotedLines {
				t.Fatalf("%d rows, %d with a problem", rep.Rows, rep.RowProblems)
			}
		}},
		{name: "a lone quote on a line", input: "adresse;ville\n\"\n1 rue A;Paris\n", want: []wantRow{
			{cells: []string{`"`, ""}, problem: "ligne 2 illisible : guillemet ouvert dans le champ 1 et jamais refermé"},
			{cells: []string{"1 rue A", "Paris"}},
		}},
		{name: "a lone quote in a cell", input: "adresse;ville\n\";Paris\n2 rue B;Lyon\n", want: []wantRow{
			{cells: []string{`"`, "Paris"}, problem: "ligne 2 illisible : guillemet ouvert"},
			{cells: []string{"2 rue B", "Lyon"}},
		}},
		{name: "a malformed quoted cell holding the delimiter keeps the cells after it in place", input: "code_insee,adresse,ville\n75106,\"12 rue, du\" Bac,Paris\n", want: []wantRow{
			{cells: []string{"75106", `"12 rue, du" Bac`, "Paris"}, problem: "texte « Bac » après le guillemet fermant du champ 2"},
		}},
		{name: "a quote inside an unquoted cell is a character", input: "adresse;ville\n12 rue \"du Port;Sète\n3 rue B;Agde\n", want: []wantRow{
			{cells: []string{`12 rue "du Port`, "Sète"}}, {cells: []string{"3 rue B", "Agde"}},
		}},
		{name: "an empty quoted cell", input: "adresse;ville\n\"\";Paris\n", want: []wantRow{{cells: []string{"", "Paris"}}}},
		{name: "CR line ends (old Mac Excel)", input: "code_insee;nom\r75106;a\r01001;b\r", want: []wantRow{
			{cells: []string{"75106", "a"}}, {cells: []string{"01001", "b"}},
		}, check: func(t *testing.T, out []byte, rep *Report) {
			if rep.Input.LineEnd != "\r" || !bytes.HasSuffix(out, []byte("\r\n")) || bytes.Count(out, []byte("\r\n")) != 3 {
				t.Fatalf("line ends: %+v %q", rep.Input, out)
			}
		}},
		{name: "CR, LF and CRLF mixed, no final line end", input: "code_insee;nom\r\n75106;a\n01001;b\r01002;c", want: []wantRow{
			{cells: []string{"75106", "a"}}, {cells: []string{"01001", "b"}}, {cells: []string{"01002", "c"}},
		}},
		{name: "empty lines are not records; line numbers stay the file's", input: "code_insee;nom\n\n75106;a\r\n\r\n\n01001;b;c\n\n", want: []wantRow{
			{cells: []string{"75106", "a"}}, {cells: []string{"01001", "b"}, problem: "ligne 6 : 3 champs au lieu de 2", extra: []string{"c"}},
		}},
		{name: "BOM and CRLF", input: "\ufeffcode_insee;nom\r\n75106;a\r\n", want: []wantRow{{cells: []string{"75106", "a"}}}, check: func(t *testing.T, out []byte, rep *Report) {
			if !bytes.HasPrefix(out, utf8BOM) || !rep.Output.BOM || rep.Output.LineEnd != "\r\n" {
				t.Fatalf("%+v %q", rep.Output, out)
			}
		}},
		{name: "header only", input: "adresse;ville\n", want: []wantRow{}},
		{name: "header only, no line end", input: "adresse;ville", want: []wantRow{}},
		{name: "empty lines only", input: "\n\r\n\r", wantErr: "fichier vide"},
		{name: "NUL bytes are kept", input: "adresse;ville\n1 rue\x00A;Pa\x00ris\n", want: []wantRow{{cells: []string{"1 rue\x00A", "Pa\x00ris"}}}},
		{name: "a line over the limit stops the run naming it", input: "adresse;ville\n1 rue A;Paris\n" + strings.Repeat("x", 5000) + "\n", opt: Options{MaxRecordBytes: 4096},
			wantErr: "ligne 3 : ligne de plus de 0 Mo"},
		{name: "a line of more cells than a spreadsheet has stops the run naming it", input: "adresse;ville\n1 rue A;Paris\n" + strings.Repeat(";", 1<<20) + "\n",
			wantErr: "ligne 3 : plus de 16384 champs"},
		{name: "the same with quoted cells", input: "adresse;ville\n" + strings.Repeat("\"\";", 1<<20) + "\n", wantErr: "ligne 2 : plus de 16384 champs"},
		{name: "an unknown header is quoted cut", input: strings.Repeat("x", 5<<20) + "\n1\n", wantErr: "ne nomme aucune colonne connue (" + strings.Repeat("x", maxQuoted) + "…) : désignez"},
		{name: "a chosen column absent from a long header is quoted cut", input: strings.Repeat("y", 5<<20) + ";adresse\n1;2\n", opt: Options{Columns: map[Role]string{RoleCity: strings.Repeat("v", 1000)}},
			wantErr: "colonne de la commune « " + strings.Repeat("v", maxQuoted) + "… » : absente de l'en-tête (" + strings.Repeat("y", maxQuoted) + "…)"},
		{name: "duplicate headers: the first is read", input: "adresse;adresse;ville\n1 rue A;2 rue B;Paris\n", want: []wantRow{{cells: []string{"1 rue A", "2 rue B", "Paris"}}},
			check: func(t *testing.T, out []byte, rep *Report) {
				if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "en double") || !strings.Contains(string(out), ";adresse=1 rue A|ville=Paris;") {
					t.Fatalf("%v %q", rep.Notes, out)
				}
			}},
		{name: "two names of one role: the note says which is read", input: "CP;Code Postal;Latitude;lat;lon;Ville\n75006;69001;48.8;48.9;2.3;Paris\n",
			opt: Options{Columns: map[Role]string{RoleCity: "Ville"}}, want: []wantRow{{cells: []string{"75006", "69001", "48.8", "48.9", "2.3", "Paris"}}},
			check: func(t *testing.T, out []byte, rep *Report) {
				want := []string{
					"colonnes « Code Postal » (colonne 2) et « CP » (colonne 1) : toutes deux un code postal, seule « Code Postal » est lue ; désignez l'autre pour la lire à sa place",
					"colonnes « lat » (colonne 4) et « Latitude » (colonne 3) : toutes deux une latitude, seule « lat » est lue ; désignez l'autre pour la lire à sa place",
				}
				if !slices.Equal(rep.Notes, want) || !strings.Contains(string(out), "code_postal=69001|ville=Paris|latitude=48.9|longitude=2.3;") {
					t.Fatalf("%q %q", rep.Notes, out)
				}
			}},
		{name: "a chosen column leaves its role's other names unremarked", input: "CP;Code Postal\n75006;69001\n",
			opt: Options{Columns: map[Role]string{RolePostcode: "CP"}}, want: []wantRow{{cells: []string{"75006", "69001"}}},
			check: func(t *testing.T, out []byte, rep *Report) {
				if len(rep.Notes) != 0 {
					t.Fatalf("%q", rep.Notes)
				}
			}},
		{name: "a decimal comma outside quotes in a comma-separated file is named", input: "nom,lat,lon\nA,\"48,8566\",\"2,3522\"\nB,48,8566,2,3522\nC,1,2,3\n", want: []wantRow{
			{cells: []string{"A", "48,8566", "2,3522"}},
			{cells: []string{"B", "48", "8566"}, problem: "ligne 3 : 5 champs au lieu de 3 (en-tête) ; « 48,8566 » serait-il un nombre à virgule décimale ? Hors guillemets, la virgule sépare aussi les champs", extra: []string{"2", "3522"}},
			{cells: []string{"C", "1", "2"}, problem: "ligne 4 : 4 champs au lieu de 3 (en-tête)", extra: []string{"3"}},
		}},
		{name: "a long row's extra cells follow the added columns", input: "adresse;ville\n1 rue A;Paris;x;y\n2 rue B\n", want: []wantRow{
			{cells: []string{"1 rue A", "Paris"}, problem: "ligne 2 : 4 champs au lieu de 2", extra: []string{"x", "y"}},
			{cells: []string{"2 rue B", ""}, problem: "ligne 3 : 1 champs au lieu de 2"},
		}},
		{name: "re-running on a result keeps a long row's extra cells", input: "adresse;ville;n;lu;probleme\n1 rue A;Paris;9;vieux;ancien;x;y\n", check: func(t *testing.T, out []byte, rep *Report) {
			if string(out) != "adresse;ville;n;lu;probleme\n1 rue A;Paris;1;adresse=1 rue A|ville=Paris;ligne 2 : 7 champs au lieu de 5 (en-tête);x;y\n" {
				t.Fatalf("%q", out)
			}
		}},
		{name: "formulas neutralised, header included", input: "=cmd|' /C calc'!A0;adresse;note;tel;montant\n" +
			"x;\" =1+1\";\"\n@SUM(A1)\";+33 6 12 34 56 78;-1.55\n" +
			"y;＝1+1;＠A1;－2;+3\n", want: []wantRow{
			{cells: []string{"x", "' =1+1", "'\n@SUM(A1)", "'+33 6 12 34 56 78", "-1.55"}},
			{cells: []string{"y", "'＝1+1", "'＠A1", "'－2", "+3"}},
		}, check: func(t *testing.T, out []byte, rep *Report) {
			if !bytes.HasPrefix(out, []byte(`'=cmd|' /C calc'!A0;adresse;`)) {
				t.Fatalf("header not neutralised: %q", out)
			}
		}},
		{name: "mostly Windows-1252 with UTF-8 lines: each line read and written in its own", input: "ville;cp\n" +
			cp1252("Besançon;25000\nSaint-Étienne;42000\nÉvreux;27000\n") + "Guéret;23000\n", want: []wantRow{
			{cells: []string{cp1252("Besançon"), "25000"}}, {cells: []string{cp1252("Saint-Étienne"), "42000"}}, {cells: []string{cp1252("Évreux"), "27000"}},
			{cells: []string{"Guéret", "23000"}},
		}, check: func(t *testing.T, out []byte, rep *Report) {
			if rep.Input.Encoding != EncodingWindows1252 || !bytes.Contains(out, []byte("\nGuéret;23000;4;code_postal=23000|ville=Guéret;\n")) ||
				!bytes.Contains(out, []byte(cp1252("\nÉvreux;27000;3;code_postal=27000|ville=Évreux;\n"))) {
				t.Fatalf("%s %q", rep.Input.Encoding, out)
			}
			if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "1 ligne dans un autre encodage") {
				t.Fatalf("notes %v", rep.Notes)
			}
		}},
		{name: "Windows-1252 forced reads every line so", input: "ville;cp\nGuéret;23000\n", opt: Options{Encoding: EncodingWindows1252}, check: func(t *testing.T, out []byte, rep *Report) {
			decoded, _ := charmap.Windows1252.NewDecoder().Bytes(out)
			if !bytes.Contains(decoded, []byte("\nGuÃ©ret;23000;1;code_postal=23000|ville=GuÃ©ret;")) {
				t.Fatalf("%q", out)
			}
		}},
		{name: "UTF-8 output from mixed lines", input: "ville;cp\n" + cp1252("Besançon;25000\n") + "Guéret;23000\n", opt: Options{OutEncoding: EncodingUTF8}, want: []wantRow{
			{cells: []string{"Besançon", "25000"}}, {cells: []string{"Guéret", "23000"}},
		}},
		{name: "Windows-1252 output keeps a line it cannot hold in UTF-8", input: "ville;cp\nBesançon;25000\nBrașov;0\n", opt: Options{OutEncoding: EncodingWindows1252},
			check: func(t *testing.T, out []byte, rep *Report) {
				if !bytes.Contains(out, []byte(cp1252("\nBesançon;25000;1;code_postal=25000|ville=Besançon;\n"))) || !bytes.Contains(out, []byte("\nBrașov;0;2;code_postal=0|ville=Brașov;\n")) {
					t.Fatalf("%q", out)
				}
				if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "1 ligne gardée en UTF-8") {
					t.Fatalf("notes %v", rep.Notes)
				}
			}},
		{name: "UTF-16 with BOM (Excel's Unicode text)", input: utf16LE("code_insee\tnom\r\n75106\tGuéret\r\n"), want: []wantRow{{cells: []string{"75106", "Guéret"}}},
			check: func(t *testing.T, out []byte, rep *Report) {
				if rep.Input.Encoding != EncodingUTF16 || rep.Output.Encoding != EncodingUTF8 || !bytes.HasPrefix(out, utf8BOM) {
					t.Fatalf("%+v → %+v", rep.Input, rep.Output)
				}
			}},
		{name: "UTF-16 without BOM, little-endian", input: utf16NoBOM(unicode.LittleEndian, "code_insee;nom\r\n75106;Guéret\r\n"), want: []wantRow{{cells: []string{"75106", "Guéret"}}},
			check: func(t *testing.T, out []byte, rep *Report) {
				if rep.Input.Encoding != EncodingUTF16 || rep.Input.Delimiter != ';' || rep.Output.Encoding != EncodingUTF8 {
					t.Fatalf("%+v → %+v", rep.Input, rep.Output)
				}
			}},
		{name: "UTF-16 without BOM, big-endian", input: utf16NoBOM(unicode.BigEndian, "code_insee,nom\n75106,Guéret\n"), want: []wantRow{{cells: []string{"75106", "Guéret"}}}},
		{name: "a long message value is quoted cut", input: "adresse;ville\n\"a\"" + strings.Repeat("é", 5000) + ";Paris\n", check: func(t *testing.T, out []byte, rep *Report) {
			recs := readAll(t, string(out), ';')
			msg := recs[1][len(recs[1])-1]
			if !strings.Contains(msg, "texte « "+strings.Repeat("é", maxQuoted)+"… »") || len([]rune(msg)) > 400 {
				t.Fatalf("message of %d characters", len([]rune(msg)))
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, rep, ok := runCase(t, tc.input, tc.opt, tc.wantErr)
			if !ok {
				return
			}
			if tc.want != nil {
				checkRows(t, out, rep, tc.want)
			}
			if tc.check != nil {
				tc.check(t, out, rep)
			}
		})
	}
}

func utf16LE(s string) string {
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

func utf16NoBOM(e unicode.Endianness, s string) string {
	b, err := unicode.UTF16(e, unicode.IgnoreBOM).NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

// checkRows reads the output with encoding/csv and compares its rows with want;
// the echo annotator's columns (n, lu, probleme) are after the header's width.
func checkRows(t *testing.T, out []byte, rep *Report, want []wantRow) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, utf8BOM)))
	r.Comma = rep.Output.Delimiter
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%q", err, out)
	}
	width := len(rep.Header)
	if len(recs) != len(want)+1 || rep.Rows != int64(len(want)) {
		t.Fatalf("%d records out (report: %d rows), want header + %d:\n%q", len(recs), rep.Rows, len(want), out)
	}
	problems := 0
	for i, w := range want {
		got := recs[i+1]
		if len(got) != width+3+len(w.extra) {
			t.Fatalf("row %d has %d cells, want %d+3+%d: %q", i+1, len(got), width, len(w.extra), got)
		}
		cells := slicesMap(w.cells, func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") })
		if fmt.Sprintf("%q", got[:width]) != fmt.Sprintf("%q", cells) {
			t.Errorf("row %d cells %q, want %q", i+1, got[:width], cells)
		}
		if got[width] != fmt.Sprint(i+1) {
			t.Errorf("row %d comes out as number %s", i+1, got[width])
		}
		if (w.problem == "") != (got[width+2] == "") || !strings.Contains(got[width+2], w.problem) {
			t.Errorf("row %d problem %q, want %q", i+1, got[width+2], w.problem)
		}
		if w.problem != "" {
			problems++
		}
		if fmt.Sprintf("%q", got[width+3:]) != fmt.Sprintf("%q", append([]string{}, w.extra...)) {
			t.Errorf("row %d extra cells %q, want %q", i+1, got[width+3:], w.extra)
		}
	}
	if rep.RowProblems != int64(problems) {
		t.Errorf("report counts %d rows with a problem, want %d", rep.RowProblems, problems)
	}
}

func slicesMap(in []string, f func(string) string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}
