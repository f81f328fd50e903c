package csvbatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"zonage/internal/french"
)

// Row is one data row handed to the annotator.
type Row struct {
	Number   int64 // 1-based data row number (the header is not counted)
	Line     int   // line of the input file where the row starts
	LastLine int   // line where it ends (a quoted cell may span lines)
	values   [7]string
	// Problem describes what is wrong with the row itself (a record that cannot be
	// read cleanly, a field count that differs from the header's), in French, naming
	// its line; the annotator should report the row in error.
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
	Encoding     string // input encoding; "" = detected (windows-1252 reads every line so)
	OutDelimiter rune   // 0 = the input's
	OutEncoding  string // "" = the input's, record by record
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
	Workers  int // 0 = one per core
	// Keep, when set, chooses the rows written from the columns added to them (only
	// the rows left unresolved, say); the header is always written, and Rows and
	// Counts count the rows written.
	Keep func(added []string) bool
	// MaxRecordBytes bounds one line of the file; 0 = DefaultMaxRecordBytes.
	MaxRecordBytes int
	// CountColumns are added columns whose values are counted in Report.Counts (the
	// status and the category, say), so that every summary shows the same numbers.
	CountColumns []string
	// LateColumns are added columns a file classified before may lack, because only
	// some runs add them (one column per profession, say). A header that holds every
	// other added column is a file classified before: the added columns it holds are
	// filled in place, the late ones it lacks are appended. A late column the header
	// holds is filled in place in any file, so that no output has it twice.
	LateColumns []string
	// Progress is called from the writing goroutine after each written batch with the
	// rows written and the input bytes read so far.
	Progress func(rows, bytesRead int64)
	// Started, when set, is called once the input is sniffed and its header read,
	// before the first byte is written, with the dialects the run reads and writes:
	// an HTTP answer names the output's charset there, while it can still set headers.
	Started func(rep *Report)
}

// Report describes a run. After an error it holds what was done until then.
type Report struct {
	// Rows is the number of data rows written: once the run has succeeded, every
	// record of the file (those Options.Keep leaves out excepted).
	Rows int64
	// RowProblems counts the rows given to the annotator with a Problem (a record
	// that could not be read cleanly, a field count unlike the header's).
	RowProblems int64
	// Counts holds, for each of Options.CountColumns, the rows per value written.
	Counts  map[string]map[string]int64
	Input   Dialect
	Output  Dialect
	Header  []string        // decoded to UTF-8
	Columns map[Role]string // the header name (or "colonne N") chosen for each role
	Notes   []string
}

// ErrEmpty is returned for an input with no bytes at all.
var ErrEmpty = errors.New("fichier vide : aucune ligne à classer")

const (
	batchRows  = 512
	batchBytes = 256 << 10
	// inFlightUnits bounds the input held between reading and writing, in batches
	// and in units of batchBytes (a batch takes one unit per batchBytes it holds, at
	// least one), so that a slow row cannot make the reader fill memory.
	inFlightUnits = 16
	sampleSize    = 64 << 10
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
	seq   int64
	rows  []rawRow
	out   [][]string
	bytes int
}

type rawRow struct {
	row Row
	rec record
}

// started is a run whose input has been sniffed and whose header has been read.
type started struct {
	rep       *Report
	table     *Reader
	pending   *record // the first data row, for a file without header
	headerRec *record
	roles     map[Role]int
	parts     []int
	added     []string
	counted   []int
	layout    rowLayout
}

// start sniffs the input, reads its header and maps its columns.
func start(in io.Reader, a Annotator, opt Options) (*started, error) {
	t, err := NewReader(in, ReaderOptions{Delimiter: opt.Delimiter, Encoding: opt.Encoding, MaxRecordBytes: opt.MaxRecordBytes})
	if err != nil {
		return nil, err
	}
	rep := &Report{Input: t.Dialect(), Notes: t.Notes()}
	utf16 := rep.Input.Encoding == EncodingUTF16
	rep.Output = rep.Input
	if utf16 {
		rep.Output.Encoding, rep.Output.BOM = EncodingUTF8, true
	}
	if rep.Output.LineEnd == "\r" {
		rep.Output.LineEnd = "\r\n"
		rep.Notes = append(rep.Notes, "fins de ligne « CR » seul (ancien format Mac) : le résultat a des fins de ligne CR LF")
	}
	if opt.OutDelimiter != 0 {
		rep.Output.Delimiter = opt.OutDelimiter
	}
	if err := checkDelimiter(rep.Output.Delimiter); err != nil {
		return nil, err
	}
	if opt.OutEncoding != "" {
		rep.Output.Encoding = opt.OutEncoding
		rep.Output.BOM = opt.OutEncoding == EncodingUTF8 && (rep.Input.BOM || utf16)
	}
	codec := t.codec
	codec.dominant, codec.target = rep.Output.Encoding, opt.OutEncoding

	first, err := t.readFirst(opt.NoHeader)
	if err != nil {
		return nil, err
	}
	var pending, headerRec *record
	var notes []string
	rep.Header, notes = headerOf(&first, opt.NoHeader, codec)
	rep.Notes = append(rep.Notes, notes...)
	if opt.NoHeader {
		pending = &first
	} else {
		headerRec = &first
	}
	roles, parts, notes, err := chooseColumns(rep.Header, opt)
	if err != nil {
		return nil, err
	}
	rep.Notes = append(rep.Notes, notes...)
	rep.Columns = map[Role]string{}
	for role, i := range roles {
		rep.Columns[role] = rep.Header[i]
	}

	added := a.Columns()
	inPlace := addedInPlace(rep.Header, added, opt)
	counted := make([]int, len(opt.CountColumns))
	rep.Counts = map[string]map[string]int64{}
	for i, name := range opt.CountColumns {
		counted[i] = slices.Index(added, name)
		if counted[i] < 0 {
			return nil, fmt.Errorf("colonne à compter « %s » absente des colonnes ajoutées", name)
		}
		rep.Counts[name] = map[string]int64{}
	}
	return &started{rep: rep, table: t, pending: pending, headerRec: headerRec, roles: roles, parts: parts, added: added, counted: counted,
		layout: rowLayout{headerLen: len(rep.Header), inPlace: inPlace, raw: opt.RawInput, codec: codec}}, nil
}

// addedInPlace is, per added column, the header's column it fills, -1 for one
// appended. A file classified before already has the added columns, the late
// ones aside: fill them in place. A late column the header has is filled in place
// even when the others are missing: its name says what it holds, and appending it
// would give the output two columns of that name.
func addedInPlace(header, added []string, opt Options) []int {
	inPlace := make([]int, len(added))
	classified := !opt.NoHeader
	for i, name := range added {
		inPlace[i] = slices.Index(header, name)
		if inPlace[i] < 0 && !slices.Contains(opt.LateColumns, name) {
			classified = false
		}
	}
	for i, name := range added {
		if opt.NoHeader || (!classified && !slices.Contains(opt.LateColumns, name)) {
			inPlace[i] = -1
		}
	}
	return inPlace
}

// Run reads in, annotates every row and writes out.
//
// The row invariant: every record of the input (see the quoting policy in
// reader.go) is written, once, in order, with its cells as they were (apart from
// formula neutralisation), followed by the annotator's columns; a record that
// cannot be read cleanly is handed to the annotator with its Problem. A short row
// is padded to the header's width and a long row's extra cells follow the added
// columns, so that these always sit under their headers. When the input already
// has the added columns (a file classified before), they are filled in place; the
// late ones it lacks (Options.LateColumns) are appended, before the extra cells.
//
// Each record is read in its own encoding and written back in it, so a file mixing
// UTF-8 and Windows-1252 lines keeps each line's bytes; the added cells of a line
// are in that line's encoding (the dominant one for ASCII lines).
//
// A run either writes every row or returns an error (unreadable input, a line
// beyond Options.MaxRecordBytes, a failed write, a cancelled context). A cancelled
// run returns once the read under way returns: a caller whose input may block
// (a pipe, a terminal) makes its reads end with the context.
func Run(ctx context.Context, in io.Reader, out io.Writer, a Annotator, opt Options) (*Report, error) {
	st, err := start(in, a, opt)
	if err != nil {
		return nil, err
	}
	rep := st.rep
	if opt.Started != nil {
		opt.Started(rep)
	}
	rw := newRecordWriter(out, byte(rep.Output.Delimiter), rep.Output.LineEnd)
	if err := st.writeHead(rw); err != nil {
		return nil, err
	}

	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &pipeline{ctx: ctx, todo: make(chan *batch, workers), done: make(chan *batch, workers), budget: make(chan struct{}, inFlightUnits)}
	go p.read(st)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.annotate(st, a)
		}()
	}
	go func() { wg.Wait(); close(p.done) }()
	if err := p.writeInOrder(st, rw, opt); err != nil {
		return rep, err
	}
	if p.readErr != nil {
		return rep, p.readErr
	}
	if parent.Err() != nil {
		// The rows gathered are whole: hand them on, so that the rows counted are
		// the rows written.
		rw.flush()
		return rep, fmt.Errorf("classement interrompu après %s : %w", french.Count(rep.Rows, "ligne", "lignes"), context.Cause(parent))
	}
	if err := rw.flush(); err != nil {
		return rep, fmt.Errorf("écriture du résultat : %w", err)
	}
	rep.Notes = append(rep.Notes, st.layout.codec.notes(rep.Input.Encoding)...)
	return rep, nil
}

// writeHead writes what comes before the rows: the byte order mark, Excel's
// sep= line and the header, as the output's dialect has them.
func (st *started) writeHead(rw *recordWriter) error {
	out := st.rep.Output
	if out.Encoding == EncodingUTF8 && out.BOM {
		rw.writeLine(string(utf8BOM))
	}
	if out.SepLine != "" {
		rw.writeLine(out.SepLine + string(out.Delimiter) + out.LineEnd)
	}
	if st.headerRec != nil {
		if err := rw.write(st.layout.header(st.headerRec, st.added)); err != nil {
			return fmt.Errorf("écriture du résultat : %w", err)
		}
	}
	return nil
}

// pipeline carries a run's batches: read in order (read), annotated by the
// workers in any order (annotate), written back in order (writeInOrder). budget
// bounds the input in flight between the reading and the writing.
type pipeline struct {
	ctx        context.Context
	todo, done chan *batch
	budget     chan struct{}
	// readErr is why the reading stopped before the end; set before todo closes.
	readErr error
}

// batchUnits is what batch b takes of the budget: a unit per batchBytes it holds.
func batchUnits(b *batch) int { return min(inFlightUnits, 1+b.bytes/batchBytes) }

// read cuts the table's records into batches and hands each to the workers
// once the budget has room for it, until the end of the input, an error or the
// end of the run.
func (p *pipeline) read(st *started) {
	defer close(p.todo)
	var seq int64
	var number int64
	b := &batch{rows: make([]rawRow, 0, batchRows)}
	add := func(rec record) {
		number++
		b.rows = append(b.rows, rawRow{rec: rec, row: Row{Number: number, Line: rec.line, LastLine: rec.lastLine, Problem: rec.message()}})
		b.bytes += rec.size
	}
	flush := func() bool {
		for range batchUnits(b) {
			select {
			case p.budget <- struct{}{}:
			case <-p.ctx.Done():
				return false
			}
		}
		select {
		case p.todo <- b:
		case <-p.ctx.Done():
			return false
		}
		seq++
		b = &batch{seq: seq, rows: make([]rawRow, 0, batchRows)}
		return true
	}
	if st.pending != nil {
		add(*st.pending)
	}
	for {
		rec, err := st.table.readRaw()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.readErr = err
			break
		}
		add(rec)
		if (len(b.rows) == batchRows || b.bytes >= batchBytes) && !flush() {
			return
		}
	}
	if len(b.rows) > 0 {
		flush()
	}
}

// annotate is a worker: it prepares each row of the batches it takes and asks
// the annotator for its added cells.
func (p *pipeline) annotate(st *started, a Annotator) {
	for b := range p.todo {
		b.out = make([][]string, len(b.rows))
		for k := range b.rows {
			rr := &b.rows[k]
			prepare(rr, st.roles, st.parts, st.layout.codec)
			b.out[k] = a.Annotate(&rr.row)
		}
		select {
		case p.done <- b:
		case <-p.ctx.Done():
			return
		}
	}
}

// writeInOrder writes the annotated batches in the order they were read, the
// rows opt.Keep keeps, and counts them in the report; each batch written gives
// its share of the budget back.
func (p *pipeline) writeInOrder(st *started, rw *recordWriter, opt Options) error {
	rep := st.rep
	waiting := map[int64]*batch{}
	var next int64
	for b := range p.done {
		waiting[b.seq] = b
		for {
			nb, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			next++
			for k := range nb.rows {
				row := &nb.rows[k]
				if opt.Keep != nil && !opt.Keep(nb.out[k]) {
					continue
				}
				if err := rw.write(st.layout.row(&row.rec, nb.out[k])); err != nil {
					return fmt.Errorf("écriture du résultat : %w", err)
				}
				rep.Rows++
				if row.row.Problem != "" {
					rep.RowProblems++
				}
				for i, col := range st.counted {
					rep.Counts[opt.CountColumns[i]][nb.out[k][col]]++
				}
			}
			for range batchUnits(nb) {
				<-p.budget
			}
			if opt.Progress != nil {
				opt.Progress(rep.Rows, st.table.counter.n.Load())
			}
		}
	}
	return nil
}

func readError(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return err
	}
	return fmt.Errorf("lecture du fichier : %w", err)
}

// headerOf names the columns from the first record, or "colonne N" when the file
// has no header.
func headerOf(first *record, noHeader bool, c *codec) (header, notes []string) {
	header = make([]string, len(first.fields))
	for i, f := range first.fields {
		if noHeader {
			header[i] = fmt.Sprintf("colonne %d", i+1)
		} else {
			header[i] = c.decode(f, first)
		}
	}
	if !noHeader && first.problem != "" {
		notes = append(notes, "en-tête : "+first.message())
	}
	return header, notes
}

// chooseColumns decides the column of each role, and the columns joined to make
// the address when the options name several.
func chooseColumns(header []string, opt Options) (roles map[Role]int, parts []int, notes []string, err error) {
	for _, p := range opt.AddressParts {
		i, err := columnIndex(header, !opt.NoHeader, RoleAddress, p)
		if err != nil {
			return nil, nil, nil, err
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
	roles, notes, err = mapColumns(header, !opt.NoHeader, chosen)
	if err != nil {
		return nil, nil, nil, err
	}
	return roles, parts, notes, nil
}

// prepare fills the row's role values.
func prepare(rr *rawRow, roles map[Role]int, parts []int, c *codec) {
	fields := rr.rec.fields
	cell := func(col int) string {
		if col >= len(fields) {
			return ""
		}
		return trimSpace(c.decode(fields[col], &rr.rec))
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

// rowLayout places the cells of an output row: the input's, padded to the header's
// width, then the added ones, then a long row's extra cells; or, for a file
// classified before, the added cells in their own columns, those it lacks appended
// before the extra cells.
type rowLayout struct {
	headerLen int
	// inPlace is the header column of each added column, -1 for one appended.
	inPlace []int
	raw     bool
	codec   *codec
}

// appended reports whether added column i goes after the input's columns.
func (l *rowLayout) appended(i int) bool { return l.inPlace[i] < 0 }

func (l *rowLayout) header(rec *record, added []string) []string {
	enc := l.codec.output(rec)
	out := make([]string, 0, len(rec.fields)+len(added))
	for _, f := range rec.fields {
		out = append(out, l.input(f, rec, enc))
	}
	for i, name := range added {
		if l.appended(i) {
			out = append(out, l.codec.added(name, enc))
		}
	}
	return out
}

func (l *rowLayout) row(rec *record, added []string) []string {
	enc := l.codec.output(rec)
	width := max(len(rec.fields), l.headerLen)
	out := make([]string, 0, width+len(added))
	n := min(len(rec.fields), l.headerLen)
	for _, f := range rec.fields[:n] {
		out = append(out, l.input(f, rec, enc))
	}
	for len(out) < l.headerLen {
		out = append(out, "")
	}
	for i, v := range added {
		if l.appended(i) {
			out = append(out, l.codec.added(v, enc))
		} else {
			out[l.inPlace[i]] = l.codec.added(v, enc)
		}
	}
	for _, f := range rec.fields[n:] {
		out = append(out, l.input(f, rec, enc))
	}
	return out
}

func (l *rowLayout) input(f string, rec *record, enc string) string {
	f = l.codec.convert(f, rec, enc)
	if !l.raw {
		f = neutralize(f, enc == EncodingUTF8)
	}
	return f
}

// codec decides the encoding of each record, in and out, and converts cells.
type codec struct {
	dominant     string // the output's encoding for ASCII records
	target       string // the encoding asked for the output; "" = each record's own
	forcedCP1252 bool
	// Counters for the notes, updated by the writing goroutine only.
	other, keptUTF8 atomic.Int64
}

// input is the encoding of the record's bytes.
func (c *codec) input(rec *record) string {
	if rec.utf8 && !c.forcedCP1252 {
		return EncodingUTF8
	}
	return EncodingWindows1252
}

func (c *codec) decode(s string, rec *record) string {
	if c.input(rec) == EncodingUTF8 || rec.ascii {
		return s
	}
	d, _ := charmap.Windows1252.NewDecoder().String(s)
	return d
}

// output is the encoding a record is written in: its own, or the one asked for
// when every one of its characters exists there.
func (c *codec) output(rec *record) string {
	if rec.ascii {
		return c.dominant
	}
	in := c.input(rec)
	if c.target == "" || c.target == in {
		if in != c.dominant {
			c.other.Add(1)
		}
		return in
	}
	if c.target == EncodingWindows1252 {
		enc := charmap.Windows1252.NewEncoder()
		for _, f := range rec.fields {
			if _, err := enc.String(f); err != nil {
				c.keptUTF8.Add(1)
				return EncodingUTF8
			}
		}
	}
	return c.target
}

func (c *codec) convert(s string, rec *record, enc string) string {
	if rec.ascii || c.input(rec) == enc {
		return s
	}
	if enc == EncodingUTF8 {
		d, _ := charmap.Windows1252.NewDecoder().String(s)
		return d
	}
	e, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		return s
	}
	return e
}

// added encodes one of the annotator's cells, neutralised, in the row's encoding.
func (c *codec) added(v string, enc string) string {
	v = neutralize(v, enc == EncodingUTF8)
	if enc == EncodingWindows1252 && !isASCII([]byte(v)) {
		v, _ = encoding.ReplaceUnsupported(charmap.Windows1252.NewEncoder()).String(v)
	}
	return v
}

func (c *codec) notes(inputEncoding string) []string {
	var notes []string
	if n := c.other.Load(); n > 0 {
		notes = append(notes, fmt.Sprintf("%s dans un autre encodage que le reste du fichier (%s) : chacune est lue et recopiée dans le sien", french.Count(int64(n), "ligne", "lignes"), inputEncoding))
	}
	if n := c.keptUTF8.Load(); n > 0 {
		notes = append(notes, fmt.Sprintf("%s en UTF-8 : des caractères absents de Windows-1252", french.Count(int64(n), "ligne gardée", "lignes gardées")))
	}
	return notes
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
