package csvbatch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Inspection is what the start of a file says before it is classified: its
// dialect, its header, the column Run would read for each role and the first
// rows, so that a person can check that choice and change it.
type Inspection struct {
	Input  Dialect
	Header []string // the first line, or "colonne N" names without a header
	// Columns is the 0-based column read for each role.
	Columns map[Role]int
	Rows    [][]string // the first data rows, decoded to UTF-8
	Notes   []string
	// Problem is why Run would refuse the columns as chosen (a *ColumnError); the
	// rest of the inspection is filled all the same.
	Problem error
}

// Inspect reads the start of a file (sample; atEOF when it is the whole file) as
// Run would with opt, and returns at most maxRows of its data rows. A row cut by
// the end of a partial sample is left out.
func Inspect(sample []byte, atEOF bool, opt Options, maxRows int) (*Inspection, error) {
	if len(sample) == 0 {
		return nil, ErrEmpty
	}
	ins := &Inspection{Input: sniff(sample, atEOF), Columns: map[Role]int{}}
	if opt.Delimiter != 0 {
		ins.Input.Delimiter = opt.Delimiter
	}
	if opt.Encoding != "" {
		ins.Input.Encoding = opt.Encoding
	}
	if ins.Input.BOM {
		sample = sample[len(utf8BOM):]
	}
	if !atEOF {
		// Only whole lines: the last one may be cut.
		if i := bytes.LastIndexByte(sample, '\n'); i >= 0 {
			sample = sample[:i+1]
		}
	}
	var text io.Reader = bytes.NewReader(sample)
	if ins.Input.Encoding == EncodingWindows1252 {
		text = transform.NewReader(text, charmap.Windows1252.NewDecoder())
	}
	cr := csv.NewReader(text)
	cr.Comma = ins.Input.Delimiter
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var records [][]string
	for len(records) <= maxRows {
		rec, err := cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.Is(err, io.EOF) || !errors.As(err, &pe) {
				break
			}
			if !atEOF {
				break
			}
		}
		records = append(records, rec)
	}
	if len(records) == 0 {
		return nil, ErrEmpty
	}
	if opt.NoHeader {
		ins.Header = make([]string, len(records[0]))
		for i := range ins.Header {
			ins.Header[i] = fmt.Sprintf("colonne %d", i+1)
		}
		ins.Rows = records
	} else {
		ins.Header, ins.Rows = records[0], records[1:]
	}
	if len(ins.Rows) > maxRows {
		ins.Rows = ins.Rows[:maxRows]
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
	ins.Columns, ins.Notes = roles, notes
	return ins, nil
}
