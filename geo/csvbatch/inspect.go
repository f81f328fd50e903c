package csvbatch

import (
	"bytes"
	"fmt"
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
	dec := utf16Decoding(sample)
	utf16 := dec != nil
	if utf16 {
		if !atEOF {
			sample = sample[:len(sample)&^1] // whole code units only
		}
		decoded, err := dec.Bytes(sample)
		if err != nil {
			return nil, fmt.Errorf("lecture du fichier UTF-16 : %w", err)
		}
		sample = decoded
	}
	if !atEOF {
		// Only whole lines: the last one may be cut.
		if i := bytes.LastIndexAny(sample, "\r\n"); i >= 0 {
			sample = sample[:i+1]
		}
	}
	t, err := NewReader(bytes.NewReader(sample), ReaderOptions{Delimiter: opt.Delimiter, Encoding: opt.Encoding, MaxRecordBytes: opt.MaxRecordBytes})
	if err != nil {
		return nil, err
	}
	ins := &Inspection{Input: t.Dialect(), Columns: map[Role]int{}, Notes: t.Notes()}
	if utf16 {
		ins.Input.Encoding = EncodingUTF16
		ins.Notes = append(ins.Notes, noteUTF16)
	}
	first, err := t.readFirst(opt.NoHeader)
	if err != nil {
		return nil, err
	}
	header, notes := headerOf(&first, opt.NoHeader, t.codec)
	ins.Header = header
	ins.Notes = append(ins.Notes, notes...)
	if opt.NoHeader {
		ins.Rows = append(ins.Rows, t.decoded(&first).Fields)
	}
	for len(ins.Rows) < maxRows {
		rec, err := t.Read()
		if err != nil {
			break
		}
		ins.Rows = append(ins.Rows, rec.Fields)
	}
	roles, _, notes, err := chooseColumns(ins.Header, opt)
	if err != nil {
		ins.Problem = err
		return ins, nil
	}
	ins.Columns = roles
	ins.Notes = append(ins.Notes, notes...)
	return ins, nil
}
