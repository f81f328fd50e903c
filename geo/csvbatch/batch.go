package csvbatch

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Row is one data row handed to the annotator.
type Row struct {
	Number int64 // 1-based data row number (the header is not counted)
	Line   int   // line of the input file where the row starts
	values [7]string
	// Problem describes what is wrong with the row itself (a field count that differs
	// from the header's), in French; the annotator should report the row in error.
	Problem string
}

// Value returns the row's value for a role, decoded to UTF-8 and trimmed; "" when
// no column plays that role or the cell is empty.
func (r *Row) Value(role Role) string {
	for i, ro := range Roles {
		if ro == role {
			return r.values[i]
		}
	}
	return ""
}

// Annotator computes the columns added to each row. Annotate is called from several
// goroutines at once.
type Annotator interface {
	Columns() []string
	Annotate(r *Row) []string
}

// Options configures a run; the zero value detects everything.
type Options struct {
	Delimiter    rune   // input delimiter; 0 = detected
	Encoding     string // input encoding; "" = detected
	OutDelimiter rune   // 0 = the input's
	OutEncoding  string // "" = the input's
	NoHeader     bool   // the first line is data; columns must then be chosen by position
	// Columns chooses the column of a role by header name or 1-based position, or
	// NoColumn for none; roles not chosen are found by header synonyms.
	Columns map[Role]string
	// AddressParts are columns joined with spaces to make the address, as the
	// api-adresse "columns" parameter does (e.g. numero, voie, ville); they replace
	// the address column.
	AddressParts []string
	// RawInput leaves the input cells exactly as read, even those a spreadsheet would
	// run as formulas; the added columns are always neutralised.
	RawInput bool
	// Keep, when set, chooses the rows written from the columns added to them (only
	// the rows left unresolved, say); the header is always written.
	Keep    func(added []string) bool
	Workers int // 0 = one per core
	// Progress is called from the writing goroutine after each written batch with the
	// rows written and the input bytes read so far.
	Progress func(rows, bytesRead int64)
}

// Report describes a finished run.
type Report struct {
	Rows    int64
	Input   Dialect
	Output  Dialect
	Header  []string
	Columns map[Role]string // the header name (or "colonne N") chosen for each role
	Notes   []string
}

// ErrEmpty is returned for an input with no bytes at all.
var ErrEmpty = errors.New("fichier vide : aucune ligne à classer")

const (
	batchRows  = 512
	sampleSize = 64 << 10
)

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type batch struct {
	seq  int64
	rows []rawRow
	out  [][]string
}

type rawRow struct {
	row    Row
	fields []string
}

// Run reads in, annotates every row and writes out. Every input row is written, in
// order, with its cells unchanged (apart from formula neutralisation), followed by
// the annotator's columns; when the input already has those columns (a file
// classified before), they are filled in place instead.
func Run(ctx context.Context, in io.Reader, out io.Writer, a Annotator, opt Options) (*Report, error) {
	counter := &countingReader{r: in}
	br := bufio.NewReaderSize(counter, sampleSize)
	sample, err := br.Peek(sampleSize)
	atEOF := errors.Is(err, io.EOF)
	if err != nil && !atEOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("lecture du fichier : %w", err)
	}
	if len(sample) == 0 {
		return nil, ErrEmpty
	}
	rep := &Report{Input: sniff(sample, atEOF)}
	if opt.Delimiter != 0 {
		rep.Input.Delimiter = opt.Delimiter
	}
	if opt.Encoding != "" {
		rep.Input.Encoding = opt.Encoding
	}
	if rep.Input.BOM {
		br.Discard(len(utf8BOM))
	}
	var text io.Reader = br
	if rep.Input.Encoding == EncodingWindows1252 {
		text = transform.NewReader(br, charmap.Windows1252.NewDecoder())
	}
	rep.Output = rep.Input
	if opt.OutDelimiter != 0 {
		rep.Output.Delimiter = opt.OutDelimiter
	}
	if opt.OutEncoding != "" {
		rep.Output.Encoding = opt.OutEncoding
		rep.Output.BOM = rep.Output.Encoding == EncodingUTF8 && rep.Input.BOM
	}

	cr := csv.NewReader(text)
	cr.Comma = rep.Input.Delimiter
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true // spreadsheets write stray quotes in unquoted cells

	first, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrEmpty
		}
		return nil, fmt.Errorf("ligne 1 illisible : %w", err)
	}
	var pending *rawRow
	if opt.NoHeader {
		rep.Header = make([]string, len(first))
		for i := range first {
			rep.Header[i] = fmt.Sprintf("colonne %d", i+1)
		}
		pending = &rawRow{fields: first, row: Row{Number: 1, Line: 1}}
	} else {
		rep.Header = first
	}
	var parts []int
	for _, p := range opt.AddressParts {
		i, err := columnIndex(rep.Header, !opt.NoHeader, RoleAddress, p)
		if err != nil {
			return nil, err
		}
		parts = append(parts, i)
	}
	chosen := opt.Columns
	if len(parts) > 0 {
		// The parts make the address: keep the synonyms from taking a column for it.
		chosen = map[Role]string{}
		for k, v := range opt.Columns {
			chosen[k] = v
		}
		chosen[RoleAddress] = fmt.Sprint(parts[0] + 1)
	}
	roles, notes, err := mapColumns(rep.Header, !opt.NoHeader, chosen)
	if err != nil {
		return nil, err
	}
	rep.Notes = notes
	rep.Columns = map[Role]string{}
	for role, i := range roles {
		rep.Columns[role] = rep.Header[i]
	}

	// A file classified before already has the added columns: fill them in place.
	added := a.Columns()
	inPlace := make([]int, len(added))
	allPresent := !opt.NoHeader
	for i, name := range added {
		inPlace[i] = -1
		for j, h := range rep.Header {
			if h == name {
				inPlace[i] = j
			}
		}
		if inPlace[i] < 0 {
			allPresent = false
		}
	}
	if !allPresent {
		inPlace = nil
	}

	var w io.Writer = out
	var enc *encoding.Encoder
	if rep.Output.Encoding == EncodingWindows1252 {
		enc = encoding.ReplaceUnsupported(charmap.Windows1252.NewEncoder())
		tw := transform.NewWriter(out, enc)
		defer tw.Close()
		w = tw
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if rep.Output.Encoding == EncodingUTF8 && rep.Output.BOM {
		bw.Write(utf8BOM)
	}
	cw := csv.NewWriter(bw)
	cw.Comma = rep.Output.Delimiter
	cw.UseCRLF = rep.Output.CRLF
	if !opt.NoHeader {
		h := rep.Header
		if inPlace == nil {
			h = append(append([]string(nil), h...), added...)
		}
		if err := cw.Write(h); err != nil {
			return nil, err
		}
	}

	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := make(chan *batch, workers)
	done := make(chan *batch, workers)
	// inFlight bounds the batches read but not yet written, so a slow row cannot make
	// the reader run ahead and fill memory.
	inFlight := make(chan struct{}, 4*workers)
	var readErr error
	go func() {
		defer close(todo)
		var seq int64
		number := int64(0)
		if pending != nil {
			number = 1
		}
		b := &batch{seq: seq}
		if pending != nil {
			b.rows = append(b.rows, *pending)
		}
		flush := func() bool {
			select {
			case inFlight <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			select {
			case todo <- b:
			case <-ctx.Done():
				return false
			}
			seq++
			b = &batch{seq: seq}
			return true
		}
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			line, _ := cr.FieldPos(0)
			number++
			rr := rawRow{fields: rec, row: Row{Number: number, Line: line}}
			if err != nil {
				var pe *csv.ParseError
				if !errors.As(err, &pe) {
					readErr = fmt.Errorf("lecture interrompue après la ligne %d : %w", line, err)
					break
				}
				rr.row.Line = pe.StartLine
				rr.row.Problem = fmt.Sprintf("ligne %d illisible : %v", pe.StartLine, pe.Err)
			}
			b.rows = append(b.rows, rr)
			if len(b.rows) == batchRows && !flush() {
				return
			}
		}
		if len(b.rows) > 0 {
			flush()
		}
	}()

	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range todo {
				b.out = make([][]string, len(b.rows))
				for k := range b.rows {
					rr := &b.rows[k]
					prepare(rr, roles, parts, len(rep.Header), !opt.NoHeader, rep.Input.Encoding)
					b.out[k] = a.Annotate(&rr.row)
				}
				select {
				case done <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	waiting := map[int64]*batch{}
	var next int64
	var writeErr error
	for b := range done {
		if writeErr != nil {
			continue
		}
		waiting[b.seq] = b
		for {
			nb, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			next++
			if err := writeBatch(cw, nb, inPlace, len(rep.Header), opt.RawInput, opt.Keep); err != nil {
				writeErr = err
				cancel()
				break
			}
			rep.Rows += int64(len(nb.rows))
			<-inFlight
			if opt.Progress != nil {
				opt.Progress(rep.Rows, counter.n.Load())
			}
		}
	}
	if writeErr != nil {
		return rep, fmt.Errorf("écriture du résultat : %w", writeErr)
	}
	if readErr != nil {
		return rep, readErr
	}
	if err := parent.Err(); err != nil {
		return rep, fmt.Errorf("classement interrompu après %d lignes : %w", rep.Rows, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rep, fmt.Errorf("écriture du résultat : %w", err)
	}
	if err := bw.Flush(); err != nil {
		return rep, fmt.Errorf("écriture du résultat : %w", err)
	}
	return rep, nil
}

// prepare fills the row's role values and states its problems.
func prepare(rr *rawRow, roles map[Role]int, parts []int, headerLen int, hasHeader bool, inputEncoding string) {
	cell := func(col int) string {
		if col >= len(rr.fields) {
			return ""
		}
		v := rr.fields[col]
		if inputEncoding == EncodingUTF8 && !utf8.ValidString(v) {
			// A UTF-8 file with a row pasted from a Windows-1252 one: read that cell as
			// Windows-1252; the cell itself is written back as it came.
			if d, err := charmap.Windows1252.NewDecoder().String(v); err == nil {
				v = d
			}
		}
		return trimSpace(v)
	}
	for i, role := range Roles {
		if role == RoleAddress && len(parts) > 0 {
			var b strings.Builder
			for _, p := range parts {
				if v := cell(p); v != "" {
					if b.Len() > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(v)
				}
			}
			rr.row.values[i] = b.String()
			continue
		}
		if col, ok := roles[role]; ok {
			rr.row.values[i] = cell(col)
		}
	}
	if rr.row.Problem == "" && hasHeader && len(rr.fields) != headerLen {
		rr.row.Problem = fmt.Sprintf("ligne %d : %d champs au lieu de %d (en-tête)", rr.row.Line, len(rr.fields), headerLen)
	}
}

func trimSpace(s string) string {
	start, end := 0, len(s)
	for start < end && (s[start] == ' ' || s[start] == '\t' || s[start] == '\r' || s[start] == '\n') {
		start++
	}
	for end > start && (s[end-1] == ' ' || s[end-1] == '\t' || s[end-1] == '\r' || s[end-1] == '\n') {
		end--
	}
	return s[start:end]
}

func writeBatch(cw *csv.Writer, b *batch, inPlace []int, headerLen int, raw bool, keep func([]string) bool) error {
	var rec []string
	for k, rr := range b.rows {
		added := b.out[k]
		if keep != nil && !keep(added) {
			continue
		}
		rec = rec[:0]
		for _, f := range rr.fields {
			if !raw {
				f = neutralize(f)
			}
			rec = append(rec, f)
		}
		if inPlace != nil {
			for len(rec) < headerLen {
				rec = append(rec, "")
			}
			for i, col := range inPlace {
				rec[col] = neutralize(added[i])
			}
		} else {
			// Short rows are padded so the added columns stay under their header; long
			// rows keep every field, the problem being reported in the added columns.
			for len(rec) < headerLen {
				rec = append(rec, "")
			}
			for _, v := range added {
				rec = append(rec, neutralize(v))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

// FuncAnnotator adapts a function to the Annotator interface.
type FuncAnnotator struct {
	Cols []string
	Fn   func(r *Row) []string
}

// Columns returns the added column names.
func (f FuncAnnotator) Columns() []string { return f.Cols }

// Annotate calls the function.
func (f FuncAnnotator) Annotate(r *Row) []string { return f.Fn(r) }
