package csvbatch

import (
	"strings"
	"testing"
)

// echoLate is echo plus two late columns, as a run for every profession adds one
// category column per profession after the usual ones.
type echoLate struct{ echo }

func (e *echoLate) Columns() []string { return append(e.echo.Columns(), "cat_a", "cat_b") }

func (e *echoLate) Annotate(r *Row) []string {
	return append(e.echo.Annotate(r), "a"+r.Value(RoleAddress), "b"+r.Value(RoleAddress))
}

// TestRunLateColumns: a file classified before keeps its added columns in place
// whether or not it has the late ones; those it lacks are appended before a long
// row's extra cells, and rows are never dropped or reordered.
func TestRunLateColumns(t *testing.T) {
	late := Options{LateColumns: []string{"cat_a", "cat_b"}, CountColumns: []string{"cat_a"}}
	cases := []struct {
		name, input, want string
	}{
		{"a fresh file gets every column", "adresse;ville\n1 rue A;Paris\n2 rue B;Lyon;x\n",
			"adresse;ville;n;lu;probleme;cat_a;cat_b\n" +
				"1 rue A;Paris;1;adresse=1 rue A|ville=Paris;;a1 rue A;b1 rue A\n" +
				"2 rue B;Lyon;2;adresse=2 rue B|ville=Lyon;ligne 3 : 3 champs au lieu de 2 (en-tête);a2 rue B;b2 rue B;x\n"},
		{"a file classified without the late columns: the others in place, the late ones appended before the extra cells",
			"adresse;n;lu;probleme\n1 rue A;9;vieux;\n2 rue B;8;vieux;;x;y\n3 rue C\n",
			"adresse;n;lu;probleme;cat_a;cat_b\n" +
				"1 rue A;1;adresse=1 rue A;;a1 rue A;b1 rue A\n" +
				"2 rue B;2;adresse=2 rue B;ligne 3 : 6 champs au lieu de 4 (en-tête);a2 rue B;b2 rue B;x;y\n" +
				"3 rue C;3;adresse=3 rue C;ligne 4 : 1 champs au lieu de 4 (en-tête);a3 rue C;b3 rue C\n"},
		{"a file classified with them: everything in place, nothing appended",
			"cat_b;adresse;n;lu;probleme;cat_a\nvieux;1 rue A;9;vieux;;vieux;x\n",
			"cat_b;adresse;n;lu;probleme;cat_a\n" +
				"b1 rue A;1 rue A;1;adresse=1 rue A;ligne 2 : 7 champs au lieu de 6 (en-tête);a1 rue A;x\n"},
		{"one late column of two: it in place, the other appended",
			"adresse;n;lu;probleme;cat_a\n1 rue A;9;vieux;;vieux\n",
			"adresse;n;lu;probleme;cat_a;cat_b\n1 rue A;1;adresse=1 rue A;;a1 rue A;b1 rue A\n"},
		{"late columns alone do not make a file classified before, but are never written twice",
			"adresse;cat_a;note\n1 rue A;mien;x\n2 rue B\n",
			"adresse;cat_a;note;n;lu;probleme;cat_b\n1 rue A;a1 rue A;x;1;adresse=1 rue A;;b1 rue A\n" +
				"2 rue B;a2 rue B;;2;adresse=2 rue B;ligne 3 : 1 champs au lieu de 3 (en-tête);b2 rue B\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			rep, err := Run(t.Context(), strings.NewReader(tc.input), &out, &echoLate{}, late)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", out.String(), tc.want)
			}
			rows := int64(strings.Count(tc.want, "\n") - 1)
			var counted int64
			for _, n := range rep.Counts["cat_a"] {
				counted += n
			}
			if rep.Rows != rows || counted != rows {
				t.Fatalf("report: %d rows, %d counted; want %d", rep.Rows, counted, rows)
			}
		})
	}
	// A run without the late columns on a file that has them leaves them as input cells.
	var out strings.Builder
	if _, err := Run(t.Context(), strings.NewReader("adresse;n;lu;probleme;cat_a\n1 rue A;9;vieux;;garde\n"), &out, &echo{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if want := "adresse;n;lu;probleme;cat_a\n1 rue A;1;adresse=1 rue A;;garde\n"; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}
