package csvbatch

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// Excel's "CSV (séparateur: point-virgule)" export in some locales starts with a
// "sep=;" line declaring the delimiter: it is read as that declaration, kept as the
// output's first line, and the header is the line after it.
func TestRunExcelSepLine(t *testing.T) {
	cases := []struct {
		name  string
		input string
		delim rune
		want  string
	}{
		{"semicolon", "sep=;\nadresse;cp;ville\n1 rue A, bât. B;75006;Paris\n2 rue B;13001;Marseille\n", ';',
			"sep=;\nadresse;cp;ville;n;lu;probleme\n1 rue A, bât. B;75006;Paris;1;adresse=1 rue A, bât. B|code_postal=75006|ville=Paris;\n2 rue B;13001;Marseille;2;adresse=2 rue B|code_postal=13001|ville=Marseille;\n"},
		{"comma, CRLF, BOM", "\ufeffSEP=,\r\ncode_insee,nom\r\n75106,Paris 6e\r\n", ',',
			"\ufeffSEP=,\r\ncode_insee,nom,n,lu,probleme\r\n75106,Paris 6e,1,code_insee=75106,\r\n"},
		{"tab, declared against the look of the lines", "sep=\t\ncode_insee\tnom;x\n75106\tParis;6e\n", '\t',
			"sep=\t\ncode_insee\tnom;x\tn\tlu\tprobleme\n75106\tParis;6e\t1\tcode_insee=75106\t\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, rep := run(t, []byte(tc.input), Options{})
			if rep.Input.Delimiter != tc.delim {
				t.Errorf("delimiter %q, want %q", rep.Input.Delimiter, tc.delim)
			}
			if out != tc.want {
				t.Errorf("output\n%q\nwant\n%q", out, tc.want)
			}
		})
	}

	// Lines are numbered as in the file: the header is line 2.
	out, _ := run(t, []byte("sep=;\nadresse;cp\n\"x;1\n"), Options{})
	if !strings.Contains(out, "ligne 3") {
		t.Errorf("line numbers ignore the sep= line: %q", out)
	}

	// Another output delimiter: the declaration says the output's.
	out, _ = run(t, []byte("sep=;\ncode_insee;nom\n75106;Paris\n"), Options{OutDelimiter: ','})
	if !strings.HasPrefix(out, "sep=,\ncode_insee,nom,n,lu,probleme\n") {
		t.Errorf("output delimiter not declared: %q", out)
	}

	// Windows-1252 after the declaration.
	in, _ := charmap.Windows1252.NewEncoder().String("sep=;\r\nadresse;ville\r\n3 place de l'Église;Saint-Étienne\r\n")
	var buf bytes.Buffer
	rep, err := Run(context.Background(), strings.NewReader(in), &buf, &echo{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Input.Encoding != EncodingWindows1252 || !bytes.HasPrefix(buf.Bytes(), []byte("sep=;\r\nadresse;ville;n;lu;probleme\r\n3 place de l'\xc9glise;")) {
		t.Errorf("Windows-1252 file with sep=: %s %q", rep.Input.Encoding, buf.String())
	}

	// The column preview reads it the same way.
	ins, err := Inspect([]byte("sep=;\nadresse;cp;ville\n1 rue A;75006;Paris\n"), true, Options{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if ins.Input.Delimiter != ';' || strings.Join(ins.Header, "|") != "adresse|cp|ville" || len(ins.Rows) != 1 {
		t.Errorf("inspection %+v", ins)
	}
}
