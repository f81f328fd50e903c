package csvbatch

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestInspect(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		atEOF   bool
		opt     Options
		header  []string
		columns map[Role]int
		rows    int
		problem string
	}{
		{name: "recognised header", input: "id;Code Postal;Ville\n1;75006;Paris\n2;13016;Marseille\n", atEOF: true,
			header: []string{"id", "Code Postal", "Ville"}, columns: map[Role]int{RolePostcode: 1, RoleCity: 2}, rows: 2},
		{name: "unknown header", input: "nom,lieu\nA,Paris\n", atEOF: true,
			header: []string{"nom", "lieu"}, columns: map[Role]int{}, rows: 1, problem: "désignez les colonnes"},
		{name: "unknown header, chosen by position", input: "nom,lieu\nA,Paris\n", atEOF: true,
			opt:    Options{Columns: map[Role]string{RoleCity: "2"}},
			header: []string{"nom", "lieu"}, columns: map[Role]int{RoleCity: 1}, rows: 1},
		{name: "a role refused", input: "adresse;lat;lon\n1 rue X Paris;;\n", atEOF: true,
			opt:    Options{Columns: map[Role]string{RoleLat: NoColumn, RoleLon: NoColumn}},
			header: []string{"adresse", "lat", "lon"}, columns: map[Role]int{RoleAddress: 0}, rows: 1},
		{name: "address parts", input: "numero;voie;ville\n12;rue de Vaugirard;Paris\n", atEOF: true,
			opt:    Options{AddressParts: []string{"numero", "voie"}},
			header: []string{"numero", "voie", "ville"}, columns: map[Role]int{RoleAddress: 0, RoleStreet: 1, RoleCity: 2}, rows: 1},
		{name: "address part absent", input: "numero;voie\n12;rue\n", atEOF: true,
			opt:    Options{AddressParts: []string{"numéro", "rue"}},
			header: []string{"numero", "voie"}, columns: map[Role]int{}, rows: 1, problem: "« rue » : absente de l'en-tête"},
		{name: "no header", input: "75106;x\n13216;y\n", atEOF: true, opt: Options{NoHeader: true, Columns: map[Role]string{RoleCitycode: "1"}},
			header: []string{"colonne 1", "colonne 2"}, columns: map[Role]int{RoleCitycode: 0}, rows: 2},
		{name: "cut sample drops the last line", input: "code_insee\n75106\n13216\n6938", atEOF: false,
			header: []string{"code_insee"}, columns: map[Role]int{RoleCitycode: 0}, rows: 2},
		{name: "blank lines and a quoted newline", input: "id;adresse\r\n\r\n1;\"12 rue X\r\nParis\"\r\n\r\n2;Lyon\r\n", atEOF: true,
			header: []string{"id", "adresse"}, columns: map[Role]int{RoleAddress: 1}, rows: 2},
		{name: "rows capped", input: "code_insee\n1\n2\n3\n4\n5\n6\n7\n", atEOF: true,
			header: []string{"code_insee"}, columns: map[Role]int{RoleCitycode: 0}, rows: 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ins, err := Inspect([]byte(tc.input), tc.atEOF, tc.opt, 5)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ins.Header, tc.header) {
				t.Errorf("header %q, want %q", ins.Header, tc.header)
			}
			if !reflect.DeepEqual(ins.Columns, tc.columns) {
				t.Errorf("columns %v, want %v", ins.Columns, tc.columns)
			}
			if len(ins.Rows) != tc.rows {
				t.Errorf("%d rows, want %d: %q", len(ins.Rows), tc.rows, ins.Rows)
			}
			switch {
			case tc.problem == "" && ins.Problem != nil:
				t.Errorf("problem %v, want none", ins.Problem)
			case tc.problem != "" && (ins.Problem == nil || !strings.Contains(ins.Problem.Error(), tc.problem)):
				t.Errorf("problem %v, want %q", ins.Problem, tc.problem)
			}
		})
	}
}

func TestInspectWindows1252(t *testing.T) {
	in, _ := charmap.Windows1252.NewEncoder().String("ville;réf\nSaint-Étienne;é\n")
	ins, err := Inspect([]byte(in), true, Options{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if ins.Input.Encoding != EncodingWindows1252 || ins.Header[1] != "réf" || ins.Rows[0][0] != "Saint-Étienne" {
		t.Errorf("inspection %+v", ins)
	}
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("ville;réf\r\nSaint-Étienne;é\r\n")
	ins, err = Inspect([]byte(utf16), true, Options{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if ins.Input.Encoding != EncodingUTF16 || ins.Header[1] != "réf" || ins.Rows[0][0] != "Saint-Étienne" {
		t.Errorf("UTF-16 inspection %+v", ins)
	}
	if _, err := Inspect(nil, true, Options{}, 5); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty sample: %v", err)
	}
}

// TestRunAgreesWithInspect: the columns Inspect reports are those Run reads.
func TestRunAgreesWithInspect(t *testing.T) {
	input := "nom;cp;lat;lon\nA;75006;48.85;2.33\n"
	opt := Options{Columns: map[Role]string{RoleLat: NoColumn, RoleLon: NoColumn}}
	ins, err := Inspect([]byte(input), true, opt, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ins.Columns, map[Role]int{RolePostcode: 1}) {
		t.Fatalf("inspect columns %v", ins.Columns)
	}
	out, rep := run(t, []byte(input), opt)
	if !reflect.DeepEqual(rep.Columns, map[Role]string{RolePostcode: "cp"}) {
		t.Errorf("run columns %v", rep.Columns)
	}
	if recs := readAll(t, out, ';'); recs[1][5] != "code_postal=75006" {
		t.Errorf("row read as %q", recs[1])
	}
}

func TestRunKeep(t *testing.T) {
	input := "code_insee\n1\n2\n3\n4\n5\n"
	even := func(added []string) bool { return added[0] == "2" || added[0] == "4" }
	out, rep := run(t, []byte(input), Options{Keep: even})
	recs := readAll(t, out, ',')
	if len(recs) != 3 || recs[0][0] != "code_insee" || recs[1][0] != "2" || recs[2][0] != "4" {
		t.Errorf("kept %q", recs)
	}
	if rep.Rows != 2 {
		t.Errorf("report counts %d rows written, want 2", rep.Rows)
	}
}

func TestColumnErrorText(t *testing.T) {
	cases := []struct {
		err  ColumnError
		want string
	}{
		{ColumnError{"", "", "fichier sans en-tête : désignez les colonnes"}, "fichier sans en-tête : désignez les colonnes"},
		{ColumnError{RoleLat, "", "position hors du fichier"}, "colonne de la latitude : position hors du fichier"},
		{ColumnError{RoleCity, "lieu", "absente de l'en-tête (a, b)"}, "colonne de la commune « lieu » : absente de l'en-tête (a, b)"},
		{ColumnError{RolePostcode, "nope", "absente de l'en-tête (a, b)"}, "colonne du code postal « nope » : absente de l'en-tête (a, b)"},
		{ColumnError{RoleCitycode, "9", "position hors du fichier (3 colonnes)"}, "colonne du code INSEE « 9 » : position hors du fichier (3 colonnes)"},
	}
	for _, tc := range cases {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}

// FuzzInspectAgreesWithRun: on any whole file, Inspect finds the dialect, the
// header and the columns Run reads, and refuses the columns when and as Run does.
func FuzzInspectAgreesWithRun(f *testing.F) {
	for _, s := range []string{"adresse;ville\n1 rue A;Paris\n", "\ufeffcp,ville\r\n\"75006\",\"Paris\"\r\n", "lat\tlon\n48.8\t2.3\n",
		"nom;lieu\nA;B\n", "lat;x\n1;2\n", "code_insee\n\xe9\xe8\n", "\n\ncode_insee\n75106\n", "adresse;adresse\n;;;;\n",
		"\"code\ninsee\";cp\n1;2\n", "code_insee;nom\r75106;a\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var out bytes.Buffer
		rep, runErr := Run(context.Background(), bytes.NewReader(b), &out, &echo{}, Options{Workers: 1})
		ins, err := Inspect(b, true, Options{}, 5)
		if runErr != nil {
			var ce *ColumnError
			if errors.As(runErr, &ce) && (err != nil || ins.Problem == nil || ins.Problem.Error() != runErr.Error()) {
				t.Fatalf("Run refuses the columns (%v); Inspect says %v, %+v", runErr, err, ins)
			}
			return
		}
		if err != nil || ins.Problem != nil {
			t.Fatalf("Run classifies; Inspect fails: %v, %+v", err, ins)
		}
		if ins.Input != rep.Input || !reflect.DeepEqual(ins.Header, rep.Header) {
			t.Fatalf("Inspect read %+v %q, Run %+v %q", ins.Input, ins.Header, rep.Input, rep.Header)
		}
		if len(ins.Columns) != len(rep.Columns) {
			t.Fatalf("columns %v, Run %v", ins.Columns, rep.Columns)
		}
		for role, i := range ins.Columns {
			if rep.Columns[role] != ins.Header[i] {
				t.Fatalf("columns %v, Run %v", ins.Columns, rep.Columns)
			}
		}
	})
}
