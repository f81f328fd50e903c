package csvbatch

import (
	"bytes"
	"io"
	"strings"
)

// flushBytes is how much output is gathered before it is handed on.
const flushBytes = 64 << 10

// recordWriter writes records as RFC 4180 CSV, each cell's bytes as they are: a
// cell is quoted only when it holds the delimiter, a quote or a line end, and its
// quotes are doubled. (encoding/csv's writer would turn a line end inside a cell
// into the file's, dropping lone carriage returns.)
//
// It hands whole records only to the writer under it: a run stopped between two
// writes (Ctrl-C with the output on a terminal or a pipe) leaves a file that ends
// with a whole row, never half of one.
type recordWriter struct {
	buf   bytes.Buffer
	out   io.Writer
	delim byte
	end   string
}

func newRecordWriter(out io.Writer, delim byte, end string) *recordWriter {
	rw := &recordWriter{out: out, delim: delim, end: end}
	rw.buf.Grow(flushBytes + flushBytes/4)
	return rw
}

// needsQuotes tells whether a cell holds the delimiter, a quote or a line end.
func (rw *recordWriter) needsQuotes(c string) bool {
	for i := 0; i < len(c); i++ {
		if b := c[i]; b == rw.delim || b == '"' || b == '\r' || b == '\n' {
			return true
		}
	}
	return false
}

// writeLine writes a line that is no record (a byte-order mark, Excel's "sep=").
func (rw *recordWriter) writeLine(s string) {
	rw.buf.WriteString(s)
}

func (rw *recordWriter) write(cells []string) error {
	for i, c := range cells {
		if i > 0 {
			rw.buf.WriteByte(rw.delim)
		}
		if !rw.needsQuotes(c) {
			rw.buf.WriteString(c)
			continue
		}
		rw.buf.WriteByte('"')
		for {
			q := strings.IndexByte(c, '"')
			if q < 0 {
				break
			}
			rw.buf.WriteString(c[:q+1])
			rw.buf.WriteByte('"')
			c = c[q+1:]
		}
		rw.buf.WriteString(c)
		rw.buf.WriteByte('"')
	}
	rw.buf.WriteString(rw.end)
	if rw.buf.Len() >= flushBytes {
		return rw.flush()
	}
	return nil
}

// flush hands what is gathered, whole records, to the writer under it in one write.
func (rw *recordWriter) flush() error {
	if rw.buf.Len() == 0 {
		return nil
	}
	_, err := rw.out.Write(rw.buf.Bytes())
	rw.buf.Reset()
	return err
}
