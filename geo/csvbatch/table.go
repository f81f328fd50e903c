package csvbatch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"zonage/internal/french"
)

// ReaderOptions configures a Reader; the zero value detects everything.
type ReaderOptions struct {
	Delimiter      rune   // 0 = detected
	Encoding       string // "" = detected; EncodingWindows1252 reads every record so
	MaxRecordBytes int    // 0 = DefaultMaxRecordBytes
}

// noteUTF16 says that a file was read from UTF-16.
const noteUTF16 = "fichier UTF-16 converti en UTF-8"

// Reader reads a delimited text file record by record: the dialect sniffed from its
// first bytes, the quoting policy of the record reader, each record decoded from
// its own encoding to UTF-8. It is the one table reader of the module: the batch
// engine and the importer's source readers both read through it.
type Reader struct {
	dialect Dialect
	counter *countingReader
	rr      *recordReader
	codec   *codec
	notes   []string
	// checkWidth makes a record whose field count differs from rr.expectFields a
	// record with a problem.
	checkWidth bool
}

// Record is one record of a file, decoded to UTF-8.
type Record struct {
	Fields         []string
	Line, LastLine int
	// Problem says why the record could not be read cleanly, or that its field
	// count is not the header's, naming its line; "" when it is fine.
	Problem string
	// Reason is Problem without the line.
	Reason string
}

// NewReader sniffs r's dialect from its first bytes and prepares to read it.
func NewReader(r io.Reader, opt ReaderOptions) (*Reader, error) {
	counter := &countingReader{r: r}
	br := bufio.NewReaderSize(counter, sampleSize)
	sample, atEOF, err := peekSample(br)
	if err != nil {
		return nil, fmt.Errorf("lecture du fichier : %w", err)
	}
	if len(sample) == 0 {
		return nil, ErrEmpty
	}
	if err := notCSV(sample); err != nil {
		return nil, err
	}
	t := &Reader{counter: counter}
	dec := utf16Decoding(sample)
	utf16 := dec != nil
	if utf16 {
		// Excel's "Unicode text": read as UTF-8 from here on.
		br = bufio.NewReaderSize(transform.NewReader(br, dec), sampleSize)
		if sample, atEOF, err = peekSample(br); err != nil {
			return nil, fmt.Errorf("lecture du fichier UTF-16 : %w", err)
		}
	}
	t.dialect = sniff(sample, atEOF)
	if t.dialect.BOM {
		br.Discard(len(utf8BOM))
	}
	forcedCP1252 := false
	switch {
	case utf16:
		t.dialect.Encoding = EncodingUTF16
		t.notes = append(t.notes, noteUTF16)
	case opt.Encoding != "":
		t.dialect.Encoding = opt.Encoding
		forcedCP1252 = opt.Encoding == EncodingWindows1252
	}
	declared, sepLen := excelSepLine(sample, t.dialect.BOM)
	if sepLen > 0 {
		// The line is the file's own word on its delimiter; it is not the header.
		t.dialect.SepLine = string(sample[bomLen(t.dialect.BOM) : bomLen(t.dialect.BOM)+4])
		t.dialect.Delimiter = declared
		br.Discard(sepLen)
	}
	if opt.Delimiter != 0 {
		t.dialect.Delimiter = opt.Delimiter
	}
	if err := checkDelimiter(t.dialect.Delimiter); err != nil {
		return nil, err
	}
	dominant := t.dialect.Encoding
	if utf16 {
		dominant = EncodingUTF8
	}
	t.codec = &codec{dominant: dominant, forcedCP1252: forcedCP1252}
	t.rr = newRecordReader(br, byte(t.dialect.Delimiter), opt.MaxRecordBytes)
	if sepLen > 0 {
		t.rr.lines.number = 1
	}
	return t, nil
}

// excelSepLine reads the "sep=X" line Excel writes (and reads) at the start of a
// CSV to declare its delimiter: it returns X and the line's length with its end,
// or 0 when the sample (past a BOM) does not start with one.
func excelSepLine(sample []byte, bom bool) (delim rune, n int) {
	sample = sample[bomLen(bom):]
	if len(sample) < 5 || !bytes.EqualFold(sample[:4], []byte("sep=")) {
		return 0, 0
	}
	d := sample[4]
	if d != '\t' && (d < ' ' || d > '~' || d == '"') {
		return 0, 0
	}
	rest := sample[5:]
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		n = 7
	case len(rest) > 0 && (rest[0] == '\n' || rest[0] == '\r'):
		n = 6
	case len(rest) == 0:
		n = 5
	default:
		return 0, 0
	}
	return rune(d), n
}

func bomLen(bom bool) int {
	if bom {
		return len(utf8BOM)
	}
	return 0
}

// utf16Decoding returns the decoder of a file that starts with b when it is
// UTF-16, nil otherwise. Excel's "Unicode text" starts with a byte-order mark; some
// other exports write none, and are told by their first two characters, ASCII each
// with a zero byte beside it (a text file of another encoding has no zero byte).
func utf16Decoding(b []byte) *encoding.Decoder {
	ascii := func(c byte) bool { return c != 0 && c < utf8.RuneSelf }
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
	case len(b) >= 4 && ascii(b[0]) && b[1] == 0 && ascii(b[2]) && b[3] == 0:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
	case len(b) >= 4 && b[0] == 0 && ascii(b[1]) && b[2] == 0 && ascii(b[3]):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
	}
	return nil
}

func peekSample(br *bufio.Reader) (sample []byte, atEOF bool, err error) {
	sample, err = br.Peek(sampleSize)
	atEOF = errors.Is(err, io.EOF)
	if err != nil && !atEOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, false, err
	}
	return sample, atEOF, nil
}

func checkDelimiter(d rune) error {
	if d <= 0 || d >= utf8.RuneSelf || d == '"' || d == '\r' || d == '\n' {
		return fmt.Errorf("séparateur %q non pris en charge (; , tab ou |)", d)
	}
	return nil
}

// Dialect is the file's dialect, as sniffed or given.
func (t *Reader) Dialect() Dialect { return t.dialect }

// Notes says what the reader converted (a UTF-16 file, say).
func (t *Reader) Notes() []string { return t.notes }

// SetHeaderWidth gives the header's field count: a record of another width comes
// with a Problem, and lines joined by a quoted cell must make a record of that
// width to be read as one.
func (t *Reader) SetHeaderWidth(n int) {
	t.rr.expectFields = n
	t.checkWidth = true
}

// Read returns the next record, io.EOF after the last. A record that cannot be
// read cleanly is not an error: it comes with its Problem, and reading goes on at
// the next line. Errors are those of the input, and a line beyond the size limit
// (*LimitError).
func (t *Reader) Read() (Record, error) {
	rec, err := t.readRaw()
	if err != nil {
		return Record{}, err
	}
	return t.decoded(&rec), nil
}

// decoded is the record with its cells decoded to UTF-8.
func (t *Reader) decoded(rec *record) Record {
	fields := rec.fields
	if !rec.ascii && t.codec.input(rec) != EncodingUTF8 {
		fields = make([]string, len(rec.fields))
		for i, f := range rec.fields {
			fields[i] = t.codec.decode(f, rec)
		}
	}
	return Record{Fields: fields, Line: rec.line, LastLine: rec.lastLine, Problem: rec.message(), Reason: rec.problem}
}

// readFirst reads the file's first record, ErrEmpty when there is none, and sets
// the width the records after it must have: the header's, or without a header
// the first row's (lines joined by a quoted cell must make a record that wide).
func (t *Reader) readFirst(noHeader bool) (record, error) {
	first, err := t.readRaw()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return record{}, ErrEmpty
		}
		return record{}, err
	}
	if noHeader {
		t.rr.expectFields = len(first.fields)
	} else {
		t.SetHeaderWidth(len(first.fields))
	}
	return first, nil
}

// readRaw returns the next record with its cells as in the file.
func (t *Reader) readRaw() (record, error) {
	rec, err := t.rr.next()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			err = readError(err)
		}
		return record{}, err
	}
	if t.checkWidth && rec.problem == "" && len(rec.fields) != t.rr.expectFields {
		rec.problem = fmt.Sprintf("%d champs au lieu de %d (en-tête)", len(rec.fields), t.rr.expectFields)
		if t.rr.delim == ',' && len(rec.fields) > t.rr.expectFields {
			if n, ok := splitDecimal(rec.fields); ok {
				rec.problem += " ; « " + french.Cut(n, maxQuoted) + " » serait-il un nombre à virgule décimale ? Hors guillemets, la virgule sépare aussi les champs"
			}
		}
		rec.wrongWidth = true
	}
	return rec, nil
}

// splitDecimal finds, in a comma-separated record with too many fields, two
// cells that read as one number cut at its decimal comma ("48" then "8566"):
// a French spreadsheet's coordinate written without quotes. Some other pair of
// cells may look the same, so the message asks rather than asserts. It returns
// the number as it was typed.
func splitDecimal(fields []string) (string, bool) {
	for i := 0; i+1 < len(fields); i++ {
		whole, frac := strings.TrimSpace(fields[i]), strings.TrimSpace(fields[i+1])
		whole = strings.TrimPrefix(whole, "-")
		if len(whole) >= 1 && len(whole) <= 3 && onlyDigits(whole) && len(frac) >= 4 && len(frac) <= 8 && onlyDigits(frac) {
			return strings.TrimSpace(fields[i]) + "," + frac, true
		}
	}
	return "", false
}

func onlyDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
