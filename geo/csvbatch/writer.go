package csvbatch

import (
	"bufio"
	"strings"
)

// recordWriter writes records as RFC 4180 CSV, each cell's bytes as they are: a
// cell is quoted only when it holds the delimiter, a quote or a line end, and its
// quotes are doubled. (encoding/csv's writer would turn a line end inside a cell
// into the file's, dropping lone carriage returns.)
type recordWriter struct {
	w     *bufio.Writer
	delim byte
	end   string
}

func newRecordWriter(w *bufio.Writer, delim byte, end string) *recordWriter {
	return &recordWriter{w: w, delim: delim, end: end}
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

func (rw *recordWriter) write(cells []string) error {
	for i, c := range cells {
		if i > 0 {
			rw.w.WriteByte(rw.delim)
		}
		if !rw.needsQuotes(c) {
			rw.w.WriteString(c)
			continue
		}
		rw.w.WriteByte('"')
		for {
			q := strings.IndexByte(c, '"')
			if q < 0 {
				break
			}
			rw.w.WriteString(c[:q+1])
			rw.w.WriteByte('"')
			c = c[q+1:]
		}
		rw.w.WriteString(c)
		rw.w.WriteByte('"')
	}
	_, err := rw.w.WriteString(rw.end)
	return err
}
