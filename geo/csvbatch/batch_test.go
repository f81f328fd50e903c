package csvbatch

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// echo annotates each row with what it read: the row number and the located values.
type echo struct{ calls atomic.Int64 }

func (e *echo) Columns() []string { return []string{"n", "lu", "probleme"} }

func (e *echo) Annotate(r *Row) []string {
	e.calls.Add(1)
	var parts []string
	for _, role := range Roles {
		if v := r.Value(role); v != "" {
			parts = append(parts, string(role)+"="+v)
		}
	}
	return []string{fmt.Sprint(r.Number), strings.Join(parts, "|"), r.Problem}
}

func run(t *testing.T, input []byte, opt Options) (string, *Report) {
	t.Helper()
	var out bytes.Buffer
	rep, err := Run(context.Background(), bytes.NewReader(input), &out, &echo{}, opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String(), rep
}

func readAll(t *testing.T, s string, comma rune) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\ufeff")))
	r.Comma = comma
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, s)
	}
	return recs
}

func TestRunDialects(t *testing.T) {
	cases := []struct {
		name      string
		input     string
		delim     rune
		wantLu    []string
		wantCRLF  bool
		wantBOM   bool
		extraHead []string
	}{
		{"semicolon with BOM", "\ufeffnom;adresse;cp;ville\nA;12 rue X;75006;Paris\n", ';', []string{"adresse=12 rue X|code_postal=75006|ville=Paris"}, false, true, nil},
		{"comma, quoted field with newline and comma", "adresse,lat,lon\n\"12 rue X,\nbât. B\",48.8,2.3\n", ',', []string{"adresse=12 rue X,\nbât. B|latitude=48.8|longitude=2.3"}, false, false, nil},
		{"tab", "code_insee\tnom\n75106\tParis 6e\n", '\t', []string{"code_insee=75106"}, false, false, nil},
		{"CRLF kept", "Code Postal;Commune\r\n75006;Paris\r\n", ';', []string{"code_postal=75006|ville=Paris"}, true, false, nil},
		{"synonyms in English", "address,postcode,city\n1 main st,75001,Paris\n", ',', []string{"adresse=1 main st|code_postal=75001|ville=Paris"}, false, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, rep := run(t, []byte(tc.input), Options{})
			if rep.Input.Delimiter != tc.delim || (rep.Input.LineEnd == "\r\n") != tc.wantCRLF || rep.Input.BOM != tc.wantBOM {
				t.Fatalf("dialect %+v", rep.Input)
			}
			if strings.HasPrefix(out, "\ufeff") != tc.wantBOM {
				t.Errorf("BOM not kept as in the input")
			}
			if strings.Contains(out, "\r\n") != tc.wantCRLF {
				t.Errorf("line ends not kept as in the input")
			}
			recs := readAll(t, out, tc.delim)
			if len(recs) != 1+len(tc.wantLu) {
				t.Fatalf("%d records, want header + %d", len(recs), len(tc.wantLu))
			}
			for i, want := range tc.wantLu {
				got := recs[i+1][len(recs[i+1])-2]
				if got != want {
					t.Errorf("row %d read %q, want %q", i+1, got, want)
				}
			}
		})
	}
}

// Excel on a French Windows writes Windows-1252: the output goes back in the same
// encoding, with the accents intact.
func TestRunWindows1252RoundTrip(t *testing.T) {
	text := "adresse;ville\n3 place de l'Église;Saint-Étienne\n"
	in, _ := charmap.Windows1252.NewEncoder().String(text)
	var out bytes.Buffer
	rep, err := Run(context.Background(), strings.NewReader(in), &out, &echo{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Input.Encoding != EncodingWindows1252 || rep.Output.Encoding != EncodingWindows1252 {
		t.Fatalf("encodings %s → %s", rep.Input.Encoding, rep.Output.Encoding)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("adresse;ville;n;lu;probleme\n3 place de l'\xc9glise;Saint-\xc9tienne;1;")) {
		t.Fatalf("input cells changed or not in Windows-1252: %q", out.String())
	}
	decoded, _ := charmap.Windows1252.NewDecoder().String(out.String())
	if !strings.Contains(decoded, "adresse=3 place de l'Église|ville=Saint-Étienne") {
		t.Fatalf("values not decoded: %q", decoded)
	}
	// Asked for UTF-8 instead.
	out.Reset()
	Run(context.Background(), strings.NewReader(in), &out, &echo{}, Options{OutEncoding: EncodingUTF8, OutDelimiter: ','})
	if !strings.HasPrefix(out.String(), "adresse,ville,n,lu,probleme\n3 place de l'Église,Saint-Étienne,1,") {
		t.Fatalf("UTF-8 output: %q", out.String())
	}
}

// A UTF-8 file with one row pasted from a Windows-1252 file: the row is read right
// and written back in its own encoding, its cells byte for byte.
func TestRunMixedEncodings(t *testing.T) {
	latin, _ := charmap.Windows1252.NewEncoder().String("Besançon")
	in := "ville;cp\nSaint-Étienne;42000\n" + latin + ";25000\n"
	out, rep := run(t, []byte(in), Options{})
	if rep.Input.Encoding != EncodingUTF8 {
		t.Fatalf("encoding %s", rep.Input.Encoding)
	}
	if !strings.Contains(out, "\n"+latin+";25000;2;code_postal=25000|ville="+latin+";\n") {
		t.Fatalf("mixed row: %q", out)
	}
}

func TestRunKeepsEveryRowInOrder(t *testing.T) {
	var in strings.Builder
	in.WriteString("id;adresse\n")
	const n = 20000
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&in, "%d;%d rue du Test\n", i, i)
	}
	e := &echo{}
	var out bytes.Buffer
	var lastProgress atomic.Int64
	rep, err := Run(context.Background(), strings.NewReader(in.String()), &out, e, Options{Workers: 4, Progress: func(rows, _ int64) { lastProgress.Store(rows) }})
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, out.String(), ';')
	if rep.Rows != n || len(recs) != n+1 || e.calls.Load() != n || lastProgress.Load() != n {
		t.Fatalf("rows %d, records %d, calls %d, progress %d", rep.Rows, len(recs), e.calls.Load(), lastProgress.Load())
	}
	for i, r := range recs[1:] {
		if r[0] != fmt.Sprint(i+1) || r[2] != fmt.Sprint(i+1) {
			t.Fatalf("row %d out of order: %v", i+1, r)
		}
	}
}

func TestRunNastyFiles(t *testing.T) {
	big := strings.Repeat("x", 10<<20)
	cases := []struct {
		name    string
		input   string
		opt     Options
		wantErr string
		check   func(t *testing.T, recs [][]string)
	}{
		{name: "empty file", input: "", wantErr: "fichier vide"},
		{name: "header only", input: "adresse;ville\n", check: func(t *testing.T, recs [][]string) {
			if len(recs) != 1 || strings.Join(recs[0], ";") != "adresse;ville;n;lu;probleme" {
				t.Fatalf("%v", recs)
			}
		}},
		{name: "rows with more or fewer fields", input: "adresse;ville;cp\n1 rue A;Paris\n2 rue B;Lyon;69001;extra\n", check: func(t *testing.T, recs [][]string) {
			if len(recs) != 3 {
				t.Fatalf("%d records", len(recs))
			}
			if got := recs[1]; len(got) != 6 || got[2] != "" || !strings.Contains(got[5], "2 champs au lieu de 3") {
				t.Errorf("short row %q", got)
			}
			if got := recs[2]; len(got) != 7 || got[6] != "extra" || !strings.Contains(got[5], "4 champs au lieu de 3") {
				t.Errorf("long row %q", got)
			}
		}},
		{name: "a 10 MB field", input: "adresse;ville\n" + big + ";Paris\n2 rue B;Lyon\n", check: func(t *testing.T, recs [][]string) {
			if len(recs) != 3 || len(recs[1][0]) != len(big) || recs[2][0] != "2 rue B" {
				t.Fatalf("%d records", len(recs))
			}
		}},
		{name: "no header, columns by position", input: "75106;Paris 6e\n69383;Lyon 3e\n", opt: Options{NoHeader: true, Columns: map[Role]string{RoleCitycode: "1"}}, check: func(t *testing.T, recs [][]string) {
			if len(recs) != 2 || recs[0][3] != "code_insee=75106" || recs[1][2] != "2" {
				t.Fatalf("%v", recs)
			}
		}},
		{name: "no header, column by name", input: "75106;Paris\n", opt: Options{NoHeader: true, Columns: map[Role]string{RoleCitycode: "code"}}, wantErr: "désignez la colonne par sa position"},
		{name: "unknown header", input: "a;b\n1;2\n", wantErr: "ne nomme aucune colonne connue (a, b)"},
		{name: "chosen column absent", input: "a;b\n1;2\n", opt: Options{Columns: map[Role]string{RoleAddress: "rue"}}, wantErr: "colonne de l'adresse « rue » : absente de l'en-tête (a, b)"},
		{name: "chosen postcode column absent", input: "a;b\n1;2\n", opt: Options{Columns: map[Role]string{RolePostcode: "CP"}}, wantErr: "colonne du code postal « CP » : absente de l'en-tête (a, b)"},
		{name: "latitude without longitude", input: "Lat;nom\n48;A\n", wantErr: "colonne « Lat » lue comme latitude, sans colonne de longitude : latitude et longitude vont ensemble"},
		{name: "longitude without latitude, by position", input: "2.3;A\n", opt: Options{NoHeader: true, Columns: map[Role]string{RoleLon: "1"}},
			wantErr: "colonne 1 lue comme longitude, sans colonne de latitude"},
		{name: "duplicate column names", input: "adresse;adresse;ville\n1 rue A;2 rue B;Paris\n", check: func(t *testing.T, recs [][]string) {
			if recs[1][1] != "2 rue B" || !strings.HasPrefix(recs[1][4], "adresse=1 rue A|") {
				t.Fatalf("%v", recs)
			}
		}},
		{name: "formulas neutralised, numbers kept", input: "adresse;montant;note\n=HYPERLINK(\"x\");-1.55;@SUM(A1)\n", check: func(t *testing.T, recs [][]string) {
			if recs[1][0] != "'=HYPERLINK(\"x\")" || recs[1][1] != "-1.55" || recs[1][2] != "'@SUM(A1)" {
				t.Fatalf("%v", recs[1])
			}
		}},
		{name: "raw input keeps formulas", input: "adresse;ville\n=1+1;Paris\n", opt: Options{RawInput: true}, check: func(t *testing.T, recs [][]string) {
			if recs[1][0] != "=1+1" {
				t.Fatalf("%v", recs[1])
			}
		}},
		{name: "re-classifying fills the added columns in place", input: "adresse;n;lu;probleme\n1 rue A;9;vieux;\n", check: func(t *testing.T, recs [][]string) {
			if len(recs[0]) != 4 || len(recs[1]) != 4 || recs[1][1] != "1" || recs[1][2] != "adresse=1 rue A" {
				t.Fatalf("%v", recs)
			}
		}},
		{name: "stray quote in an unquoted cell", input: "adresse;ville\n12 rue \"du Port;Sète\n3 rue B;Agde\n", check: func(t *testing.T, recs [][]string) {
			if len(recs) != 3 || recs[2][0] != "3 rue B" {
				t.Fatalf("%v", recs)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if out, _, ok := runCase(t, tc.input, tc.opt, tc.wantErr); ok {
				tc.check(t, readAll(t, string(out), ';'))
			}
		})
	}
}

// runCase runs the engine on input with the echo annotator. With wantErr, it checks
// that the run fails saying so and returns false; otherwise it fails the test on
// any error and returns the output and the report.
func runCase(t *testing.T, input string, opt Options, wantErr string) ([]byte, *Report, bool) {
	t.Helper()
	var out bytes.Buffer
	rep, err := Run(context.Background(), strings.NewReader(input), &out, &echo{}, opt)
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("got %v, want an error containing %q", err, wantErr)
		}
		return nil, nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), rep, true
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.n += len(p)
	if f.n > 1000 {
		return 0, errors.New("disque plein")
	}
	return len(p), nil
}

func TestRunWriteFailure(t *testing.T) {
	in := "adresse\n" + strings.Repeat("1 rue A\n", 100000)
	_, err := Run(context.Background(), strings.NewReader(in), &failingWriter{}, &echo{}, Options{})
	if err == nil || !strings.Contains(err.Error(), "disque plein") {
		t.Fatalf("want the write error, got %v", err)
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := "adresse\n" + strings.Repeat("1 rue A\n", 100000)
	_, err := Run(ctx, strings.NewReader(in), io.Discard, &echo{}, Options{})
	if err == nil {
		t.Fatal("a cancelled run reported success")
	}
}

func BenchmarkRun(b *testing.B) {
	var in strings.Builder
	in.WriteString("id;adresse;cp;ville\n")
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&in, "%d;%d rue de Vaugirard;75006;Paris\n", i, i%200)
	}
	data := []byte(in.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), bytes.NewReader(data), io.Discard, &echo{}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// rowGenerator produces a CSV of n rows on the fly, so that the test holds neither
// the input nor the output.
type rowGenerator struct {
	n, next int
	buf     []byte
}

func (g *rowGenerator) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.next <= g.n {
		if g.next == 0 {
			g.buf = append(g.buf, "id;adresse;cp;ville\n"...)
		} else {
			g.buf = fmt.Appendf(g.buf, "%d;%d rue du Test;75006;Paris\n", g.next, g.next%300)
		}
		g.next++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// A million rows go through in bounded memory: the heap stays far below the size
// of the file (about 35 MB in, more out).
func TestRunMillionRowsConstantMemory(t *testing.T) {
	const rows = 1000000
	var peak atomic.Uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse > peak.Load() {
			peak.Store(m.HeapInuse)
		}
	}
	// The garbage of the tests before must not count as this run's heap.
	runtime.GC()
	count := &countingWriter{}
	rep, err := Run(context.Background(), &rowGenerator{n: rows}, count, &echo{}, Options{Progress: func(r, _ int64) {
		if r%100000 < batchRows {
			sample()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != rows || count.lines != rows+1 {
		t.Fatalf("%d rows, %d lines written", rep.Rows, count.lines)
	}
	t.Logf("heap peak %d MB for %d rows", peak.Load()>>20, rows)
	if p := peak.Load(); p > 64<<20 {
		t.Fatalf("heap peaked at %d MB for a streamed file", p>>20)
	}
}

type countingWriter struct{ lines int }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// A spreadsheet, an archive or a PDF sent instead of a CSV is refused by name, by
// Run and by Inspect alike, rather than read as one garbled header line (or, with
// a column chosen by position, as a "classified" file of no row).
func TestRunRefusesFilesThatAreNotCSV(t *testing.T) {
	cases := []struct{ name, input, want string }{
		{"xlsx", "PK\x03\x04\x14\x00\x00\x00[Content_Types].xml<x/>\n", "classeur Excel (.xlsx)"},
		{"xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\n", "Excel 97-2003 (.xls)"},
		{"gzip", "\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\x03K\xceOI\n", "compressé (gzip)"},
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "document PDF"},
	}
	for _, tc := range cases {
		for _, opt := range []Options{{}, {Columns: map[Role]string{RoleCitycode: "1"}}} {
			var out bytes.Buffer
			_, err := Run(context.Background(), strings.NewReader(tc.input), &out, &echo{}, opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "pas un fichier CSV") {
				t.Errorf("%s: Run = %v, want an error naming %q", tc.name, err, tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("%s: Run wrote %q", tc.name, out.String())
			}
			if _, err := Inspect([]byte(tc.input), true, opt, 5); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: Inspect = %v, want an error naming %q", tc.name, err, tc.want)
			}
		}
	}
	// A CSV that merely starts like one of them is still read.
	var out bytes.Buffer
	if _, err := Run(context.Background(), strings.NewReader("PK;code_insee\n1;75106\n"), &out, &echo{}, Options{}); err != nil {
		t.Errorf("a CSV whose first column is PK: %v", err)
	}
}

// A message naming the header's columns quotes them cut, like any value: a header
// of thousands of columns, or a file of one long line, does not come back whole.
func TestRunHeaderQuotedBriefly(t *testing.T) {
	var names []string
	for i := range 3000 {
		names = append(names, fmt.Sprintf("colonne_%d", i))
	}
	wide := strings.Join(names, ";") + "\n" + strings.Repeat("v;", 2999) + "v\n"
	for _, opt := range []Options{{}, {Columns: map[Role]string{RoleCitycode: "insee"}}} {
		_, err := Run(context.Background(), strings.NewReader(wide), io.Discard, &echo{}, opt)
		if err == nil || !strings.Contains(err.Error(), "colonne_0, colonne_1") || !strings.Contains(err.Error(), "…") {
			t.Fatalf("Run = %v, want the header's first columns quoted and cut", err)
		}
		if n := utf8.RuneCountInString(err.Error()); n > maxQuoted+200 {
			t.Errorf("message of %d characters for a header of 3000 columns: %.300s…", n, err)
		}
	}
}
