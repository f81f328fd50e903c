package csvbatch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
)

// Inspection is what the start of a file says before it is classified: its
// dialect, its header, the column Run would read for each role and the first
// rows, so that a person can check that choice and change it.
type Inspection struct {
	Input  Dialect
	Header []string // the first record decoded to UTF-8, or "colonne N" without a header
	// Columns is the 0-based column read for each role.
	Columns map[Role]int
	Rows    [][]string // the first data records, decoded to UTF-8
	Notes   []string
	// Problem is why Run would refuse the columns as chosen (a *ColumnError); the
	// rest of the inspection is filled all the same.
	Problem error
}

// Inspect reads the start of a file (sample; atEOF when it is the whole file) as
// Run would with opt: same dialect detection, same records, same column choice.
// It returns at most maxRows data rows; a line cut by the end of a partial sample
// is left out.
func Inspect(sample []byte, atEOF bool, opt Options, maxRows int) (*Inspection, error) {
	if len(sample) == 0 {
		return nil, ErrEmpty
	}
	if err := notCSV(sample); err != nil {
		return nil, err
	}
	utf16 := bytes.HasPrefix(sample, []byte{0xFF, 0xFE}) || bytes.HasPrefix(sample, []byte{0xFE, 0xFF})
	if utf16 {
		if !atEOF {
			sample = sample[:len(sample)&^1] // whole code units only
		}
		decoded, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(sample)
		if err != nil {
			return nil, fmt.Errorf("lecture du fichier UTF-16 : %w", err)
		}
		sample = decoded
	}
	ins := &Inspection{Input: sniff(sample, atEOF), Columns: map[Role]int{}}
	if ins.Input.BOM {
		sample = sample[len(utf8BOM):]
	}
	forcedCP1252 := false
	switch {
	case utf16:
		ins.Input.Encoding = EncodingUTF16
	case opt.Encoding != "":
		ins.Input.Encoding = opt.Encoding
		forcedCP1252 = opt.Encoding == EncodingWindows1252
	}
	if opt.Delimiter != 0 {
		ins.Input.Delimiter = opt.Delimiter
	}
	if d := ins.Input.Delimiter; d <= 0 || d >= utf8.RuneSelf || d == '"' || d == '\r' || d == '\n' {
		return nil, fmt.Errorf("séparateur %q non pris en charge (; , tab ou |)", d)
	}
	if !atEOF {
		// Only whole lines: the last one may be cut.
		if i := bytes.LastIndexAny(sample, "\r\n"); i >= 0 {
			sample = sample[:i+1]
		}
	}
	codec := &codec{dominant: ins.Input.Encoding, forcedCP1252: forcedCP1252}
	rr := newRecordReader(bufio.NewReader(bytes.NewReader(sample)), byte(ins.Input.Delimiter), opt.MaxRecordBytes)
	decode := func(rec *record) []string {
		cells := make([]string, len(rec.fields))
		for i, f := range rec.fields {
			cells[i] = codec.decode(f, rec)
		}
		return cells
	}
	first, err := rr.next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrEmpty
		}
		return nil, readError(err)
	}
	rr.expectFields = len(first.fields)
	if opt.NoHeader {
		ins.Header = make([]string, len(first.fields))
		for i := range ins.Header {
			ins.Header[i] = fmt.Sprintf("colonne %d", i+1)
		}
		ins.Rows = append(ins.Rows, decode(&first))
	} else {
		ins.Header = decode(&first)
		if first.problem != "" {
			ins.Notes = append(ins.Notes, "en-tête : "+first.problem)
		}
	}
	for len(ins.Rows) < maxRows {
		rec, err := rr.next()
		if err != nil {
			break
		}
		ins.Rows = append(ins.Rows, decode(&rec))
	}
	for _, p := range opt.AddressParts {
		if _, err := columnIndex(ins.Header, !opt.NoHeader, RoleAddress, p); err != nil {
			ins.Problem = err
			return ins, nil
		}
	}
	chosen := opt.Columns
	if len(opt.AddressParts) > 0 {
		chosen = map[Role]string{}
		for k, v := range opt.Columns {
			chosen[k] = v
		}
		chosen[RoleAddress] = opt.AddressParts[0]
	}
	roles, notes, err := mapColumns(ins.Header, !opt.NoHeader, chosen)
	if err != nil {
		ins.Problem = err
		return ins, nil
	}
	ins.Columns = roles
	ins.Notes = append(ins.Notes, notes...)
	return ins, nil
}
