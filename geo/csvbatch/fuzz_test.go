package csvbatch

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// spans annotates each row with the lines it was read from.
type spans struct{}

func (spans) Columns() []string { return []string{"n", "de", "a"} }

func (spans) Annotate(r *Row) []string {
	return []string{fmt.Sprint(r.Number), fmt.Sprint(r.Line), fmt.Sprint(r.LastLine)}
}

var lineEnd = regexp.MustCompile(`\r\n|\r|\n`)

var crsBeforeLF = regexp.MustCompile(`\r+\n`)

// FuzzRun runs the engine on any bytes and checks the row invariant against a count
// made apart from the engine: the output is CSV that encoding/csv reads, with one
// row per record in order; the rows' line spans are disjoint, increasing, and cover
// every non-empty line of the input (so no line is lost or read twice); a line
// without quotes is one row whose cells are the line cut at the delimiter.
func FuzzRun(f *testing.F) {
	for _, s := range []string{"adresse;ville\n1 rue A;Paris\n", "\ufeffcp,ville\r\n\"75006\",\"Paris\"\r\n", "lat\tlon\n48.8\t2.3\n",
		"adresse\n\"unterminated\n", "code_insee\n\xe9\xe8\n", "", "\n\n\n", "adresse;adresse\n;;;;\n",
		"code_insee;adresse\n75106;\"12 rue\" du Bac\n01001;x\n01002;y\n", "code_insee;nom\r75106;a\r01001;b\r",
		"a;b\n1;\"x\n2;y\";z\n", "a;b\n\"\n1;2\n", "a,b\n\"x\"\"y\",\"p\r\nq\"\n",
		"sep=;\na;b\n1;2\n", "\ufeffSEP=,\r\nx,y\r\n", "sep=|", "sep=\x00\na\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if utf16Decoding(b) != nil {
			return // UTF-16: converted, so its lines are not the bytes'
		}
		var out bytes.Buffer
		rep, err := Run(context.Background(), bytes.NewReader(b), &out, spans{}, Options{Workers: 2, NoHeader: true, RawInput: true,
			Columns: map[Role]string{RoleAddress: "1"}})
		body := bytes.TrimPrefix(b, utf8BOM)
		var nonEmpty []int
		lines := lineEnd.Split(string(body), -1)
		for i, l := range lines {
			if l != "" {
				nonEmpty = append(nonEmpty, i+1)
			}
		}
		// Excel's "sep=X" first line declares the delimiter: it is no row, and it
		// comes out first as it came in.
		_, sepLen := excelSepLine(b, bytes.HasPrefix(b, utf8BOM))
		if sepLen > 0 {
			nonEmpty = nonEmpty[1:]
		}
		if err != nil {
			var le *LimitError
			var nc *NotCSVError
			if errors.Is(err, ErrEmpty) && len(nonEmpty) == 0 || errors.As(err, &le) || errors.As(err, &nc) {
				return
			}
			t.Fatalf("error %v on %d non-empty lines", err, len(nonEmpty))
		}
		// The output's byte-order mark, when the engine writes one; a first cell
		// that merely starts with U+FEFF (a line of the input did) is a cell.
		written := out.Bytes()
		if rep.Output.BOM {
			written = bytes.TrimPrefix(written, utf8BOM)
		}
		r := csv.NewReader(bytes.NewReader(written))
		r.Comma = rep.Output.Delimiter
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("output is not CSV: %v\n%q", err, out.Bytes())
		}
		if sepLen > 0 {
			declared := string(body[:4]) + string(rep.Output.Delimiter) + rep.Output.LineEnd
			if !bytes.HasPrefix(written, []byte(declared)) || len(recs) == 0 {
				t.Fatalf("sep= line not kept first: %q", out.Bytes())
			}
			recs = recs[1:]
		}
		if int64(len(recs)) != rep.Rows {
			t.Fatalf("%d records written, report says %d", len(recs), rep.Rows)
		}
		width := len(rep.Header)
		covered := 0
		prevLast := 0
		next := 0 // index in nonEmpty
		for i, rec := range recs {
			if len(rec) < width+3 || rec[width] != fmt.Sprint(i+1) {
				t.Fatalf("row %d out of order or misplaced: %q", i+1, rec)
			}
			var from, to int
			fmt.Sscan(rec[width+1], &from)
			fmt.Sscan(rec[width+2], &to)
			if from <= prevLast || to < from || next >= len(nonEmpty) || nonEmpty[next] != from {
				t.Fatalf("row %d spans lines %d-%d after line %d; next non-empty line %v", i+1, from, to, prevLast, nonEmpty[next:min(next+1, len(nonEmpty))])
			}
			for next < len(nonEmpty) && nonEmpty[next] <= to {
				next++
				covered++
			}
			prevLast = to
			if from == to && !strings.Contains(lines[from-1], `"`) {
				want := strings.Split(lines[from-1], string(rep.Input.Delimiter))
				got := rec[:width]
				if len(want) > width {
					got = append(append([]string{}, rec[:width]...), rec[width+3:]...)
				} else {
					want = append(want, make([]string, width-len(want))...)
				}
				if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
					t.Fatalf("line %d: cells %q, want %q", from, got, want)
				}
			}
		}
		if covered != len(nonEmpty) {
			t.Fatalf("%d non-empty lines, %d in the rows written", len(nonEmpty), covered)
		}
		if !bytes.Contains(b, []byte{'"'}) && len(recs) != len(nonEmpty) {
			t.Fatalf("no quotes: %d rows for %d non-empty lines", len(recs), len(nonEmpty))
		}
	})
}

// FuzzRunRoundTrip writes records with encoding/csv, runs the engine on the file and
// checks that every record comes out once, in order, with its cells intact: the
// independent count is the number of records written. The fuzzer picks the cells
// (0x1E ends a record, 0x1F a cell) and the delimiter; all records have the first
// one's width, as a header would impose.
func FuzzRunRoundTrip(f *testing.F) {
	f.Add([]byte("a\x1fb\x1e1\x1f2"), byte(0))
	f.Add([]byte("12 rue \"X\"\x1fParis\r\n6e\x1e\x1f\x1e;,\x1f\"\""), byte(1))
	f.Add([]byte("x\x1e\x1e\x1ey\r\x1e\n"), byte(2))
	f.Add([]byte("\xe9t\xe9\x1fGu\xc3\xa9ret\x1e =1\x1f\"\n\""), byte(3))
	f.Add([]byte("\r\r\n"), byte('*'))
	f.Add([]byte("\r\r\r\n"), byte('V'))
	f.Fuzz(func(t *testing.T, data []byte, delimChoice byte) {
		if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, utf8BOM) {
			return // a byte-order mark at the start is never data
		}
		delim := []rune{';', ',', '\t', '|'}[delimChoice%4]
		var records [][]string
		width := 0
		for _, r := range bytes.Split(data, []byte{0x1E}) {
			cells := strings.Split(string(r), "\x1f")
			if width == 0 {
				width = len(cells)
			}
			cells = append(cells, make([]string, max(0, width-len(cells)))...)[:width]
			if width == 1 && cells[0] == "" {
				continue // an empty line: not a record
			}
			for _, c := range cells {
				if strings.Count(c, "\n")+strings.Count(c, "\r") >= maxQuotedLines-1 {
					return
				}
			}
			records = append(records, cells)
		}
		if len(records) == 0 || width > 1000 {
			return
		}
		var in bytes.Buffer
		w := csv.NewWriter(&in)
		w.Comma = delim
		w.WriteAll(records)
		if utf16Decoding(in.Bytes()) != nil {
			return // read as UTF-16 (cells of ASCII and zero bytes): converted, not round-tripped
		}
		if _, n := excelSepLine(in.Bytes(), false); n > 0 {
			return // a first record "sep=X" is Excel's delimiter declaration, not a record
		}
		var out bytes.Buffer
		rep, err := Run(context.Background(), &in, &out, spans{}, Options{Workers: 2, NoHeader: true, RawInput: true, Delimiter: delim,
			Columns: map[Role]string{RoleAddress: "1"}})
		if nc := (*NotCSVError)(nil); errors.As(err, &nc) {
			return // first bytes of a spreadsheet or an archive: refused whole, by name
		}
		if err != nil {
			t.Fatalf("%v on %q", err, in.String())
		}
		r := csv.NewReader(&out)
		r.Comma = delim
		r.FieldsPerRecord = -1
		got, err := r.ReadAll()
		if err != nil {
			t.Fatalf("output is not CSV: %v", err)
		}
		if len(got) != len(records) || rep.Rows != int64(len(records)) || rep.RowProblems != 0 {
			t.Fatalf("%d records in, %d out (report: %d rows, %d with a problem)", len(records), len(got), rep.Rows, rep.RowProblems)
		}
		for i, rec := range records {
			want := fmt.Sprintf("%q", slicesMap(rec, func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }))
			if g := fmt.Sprintf("%q", got[i][:width]); g != want || got[i][width] != fmt.Sprint(i+1) {
				t.Fatalf("record %d: %s (row %s), want %s", i+1, g, got[i][width], want)
			}
		}
		rerunWithLateColumns(t, got, width, delim)
	})
}

// spansLate is spans plus two late columns, as a run for every profession adds
// one category column per profession to the usual ones.
type spansLate struct{ spans }

var lateColumns = []string{"tard1", "tard2"}

func (spansLate) Columns() []string { return append(spans{}.Columns(), lateColumns...) }

func (s spansLate) Annotate(r *Row) []string {
	return append(s.spans.Annotate(r), "t1-"+fmt.Sprint(r.Number), "t2-"+fmt.Sprint(r.Number))
}

// rerunWithLateColumns classifies again, under a header, a file classified by
// spans, with an annotator that adds late columns: every record comes out once, in
// order, its cells intact, the columns it had filled in place and the late ones
// appended.
func rerunWithLateColumns(t *testing.T, classified [][]string, width int, delim rune) {
	t.Helper()
	header := make([]string, 0, width+3)
	for i := range width {
		header = append(header, fmt.Sprintf("c%d", i+1))
	}
	header = append(header, spans{}.Columns()...)
	var in bytes.Buffer
	w := csv.NewWriter(&in)
	w.Comma = delim
	w.Write(header)
	w.WriteAll(classified)
	var out bytes.Buffer
	rep, err := Run(context.Background(), &in, &out, spansLate{}, Options{Workers: 2, RawInput: true, Delimiter: delim,
		Columns: map[Role]string{RoleAddress: "1"}, LateColumns: lateColumns})
	if err != nil {
		t.Fatalf("re-run: %v on %q", err, in.String())
	}
	r := csv.NewReader(&out)
	r.Comma = delim
	r.FieldsPerRecord = -1
	got, err := r.ReadAll()
	if err != nil {
		t.Fatalf("re-run output is not CSV: %v", err)
	}
	if want := strings.Join(append(header, lateColumns...), "|"); len(got) == 0 || strings.Join(got[0], "|") != want {
		t.Fatalf("re-run header %q, want %q", got[:min(1, len(got))], want)
	}
	if len(got) != len(classified)+1 || rep.Rows != int64(len(classified)) {
		t.Fatalf("re-run: %d records in, %d out (report: %d rows)", len(classified), len(got)-1, rep.Rows)
	}
	for i, rec := range classified {
		g := got[i+1]
		n := fmt.Sprint(i + 1)
		// encoding/csv reads "\r\n" in a quoted cell as "\n", once per pass: compare
		// cells with every run of CRs before an LF taken out, since these have had two.
		crlf := func(s string) string { return crsBeforeLF.ReplaceAllString(s, "\n") }
		if fmt.Sprintf("%q", slicesMap(g[:width], crlf)) != fmt.Sprintf("%q", slicesMap(rec[:width], crlf)) || len(g) != width+5 || g[width] != n ||
			g[width+3] != "t1-"+n || g[width+4] != "t2-"+n {
			t.Fatalf("re-run record %d: %q, want cells %q then row %s and its late columns", i+1, g, rec[:width], n)
		}
	}
}
