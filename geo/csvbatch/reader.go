package csvbatch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"zonage/internal/french"
)

// The quoting policy, the one place where the bytes of a file become records:
//
//   - A record is one non-empty line; a line ends with "\n", "\r\n" or a lone "\r"
//     (old Mac Excel). Empty lines are not records.
//   - A cell starting with '"' is quoted: '""' inside it is one quote, and it may
//     span lines (the line ends are kept in the cell), up to maxQuotedLines lines.
//     A quote inside an unquoted cell is an ordinary character.
//   - A quoted cell must be followed by the delimiter or the end of the line. When it
//     is not ("12 rue" du Bac), or when its quote never closes, or when the lines it
//     joins do not make a record of the expected number of fields, the record's first
//     line is read on its own as a malformed record (its quotes taken literally from
//     the faulty cell on), and reading starts again at the next line. A malformed
//     record comes out in error with its line and why; it is never merged into
//     another one, and no line is ever dropped.
const maxQuotedLines = 100

// DefaultMaxRecordBytes bounds one line, so that a file without line ends cannot
// take the memory; a longer line stops the run with an error naming it.
const DefaultMaxRecordBytes = 16 << 20

// maxFields bounds the cells of a record (Excel's column limit).
const maxFields = 16384

// LimitError is a line or record beyond what a run accepts; the run stops there.
type LimitError struct {
	Line   int
	Reason string
}

func (e *LimitError) Error() string { return fmt.Sprintf("ligne %d : %s", e.Line, e.Reason) }

// physLine is one line of the file as read, its end excluded.
type physLine struct {
	text   []byte
	end    string // "\n", "\r\n", "\r", or "" for a last line without end
	number int
}

// lineReader cuts a byte stream into lines at "\n", "\r\n" and lone "\r".
type lineReader struct {
	r        *bufio.Reader
	number   int
	maxBytes int
}

func (l *lineReader) next() (physLine, error) {
	var acc []byte
	for {
		data, err := l.r.Peek(1)
		if len(data) == 0 {
			if err == io.EOF && acc != nil {
				l.number++
				return physLine{text: acc, number: l.number}, nil
			}
			if err == nil {
				err = io.EOF
			}
			return physLine{}, err
		}
		data, _ = l.r.Peek(l.r.Buffered())
		n := bytes.IndexByte(data, '\n')
		scan := data
		if n >= 0 {
			scan = data[:n]
		}
		if c := bytes.IndexByte(scan, '\r'); c >= 0 {
			if c+1 == len(data) {
				// A "\r" at the buffer's end: whether "\n" follows is in the next read.
				if len(acc)+c > l.maxBytes {
					return physLine{}, l.tooLong()
				}
				acc = append(acc, data[:c]...)
				l.r.Discard(c)
				end := "\r"
				if two, _ := l.r.Peek(2); len(two) == 2 && two[1] == '\n' {
					end = "\r\n"
				}
				return l.finish(acc, nil, end)
			}
			end := "\r"
			if data[c+1] == '\n' {
				end = "\r\n"
			}
			return l.finish(acc, data[:c], end)
		}
		if n >= 0 {
			return l.finish(acc, data[:n], "\n")
		}
		if len(acc)+len(data) > l.maxBytes {
			return physLine{}, l.tooLong()
		}
		acc = append(acc, data...)
		l.r.Discard(len(data))
	}
}

// finish returns the line; a line that was in the reader's buffer whole is returned
// in place, valid until the next call (callers keeping it clone it).
func (l *lineReader) finish(acc, text []byte, end string) (physLine, error) {
	if len(acc)+len(text) > l.maxBytes {
		return physLine{}, l.tooLong()
	}
	line := text
	if acc != nil {
		line = append(acc, text...)
	}
	l.r.Discard(len(text) + len(end))
	l.number++
	return physLine{text: line, end: end, number: l.number}, nil
}

func (l *lineReader) tooLong() error {
	return &LimitError{Line: l.number + 1, Reason: fmt.Sprintf("ligne de plus de %d Mo : fin de ligne absente ou fichier qui n'est pas un CSV", l.maxBytes>>20)}
}

// record is one record of the file.
type record struct {
	fields   []string // the cells as in the file (bytes of the file's encoding)
	line     int      // first line
	lastLine int
	size     int    // bytes of the record in the file
	utf8     bool   // the record's bytes are valid UTF-8
	ascii    bool   // ... and all ASCII
	problem  string // why the record could not be read cleanly, without its line; "" when it could
	// wrongWidth tells that the problem is only a field count unlike the header's.
	wrongWidth bool
}

// message is the record's problem naming its line; "" when it has none.
func (r *record) message() string {
	switch {
	case r.problem == "":
		return ""
	case r.wrongWidth:
		return fmt.Sprintf("ligne %d : %s", r.line, r.problem)
	}
	return fmt.Sprintf("ligne %d illisible : %s", r.line, r.problem)
}

// recordReader applies the quoting policy to a stream of lines.
type recordReader struct {
	lines   lineReader
	pending []physLine // lines to read again after a malformed record
	span    []physLine
	delim   byte
	// expectFields is the field count a record spanning lines must have to be
	// accepted (the header's); 0 = any.
	expectFields int
	split        splitter
}

func newRecordReader(r *bufio.Reader, delim byte, maxBytes int) *recordReader {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxRecordBytes
	}
	return &recordReader{lines: lineReader{r: r, maxBytes: maxBytes}, delim: delim}
}

func (rr *recordReader) nextLine() (physLine, error) {
	if len(rr.pending) > 0 {
		l := rr.pending[0]
		rr.pending = rr.pending[1:]
		return l, nil
	}
	return rr.lines.next()
}

// next returns the next record, io.EOF after the last.
func (rr *recordReader) next() (record, error) {
	first, err := rr.nextLine()
	for err == nil && len(first.text) == 0 {
		first, err = rr.nextLine()
	}
	if err != nil {
		return record{}, err
	}
	s := &rr.split
	s.reset(rr.delim)
	state := s.feed(first.text, first.end, false)
	span := append(rr.span[:0], first)
	defer func() { rr.span = span[:0] }()
	size := len(first.text) + len(first.end)
	var why string
	if state == stateOpenQuote {
		// The line will be needed after the next ones are read.
		span[0].text = bytes.Clone(first.text)
		first = span[0]
	}
	for state == stateOpenQuote {
		if len(span) == maxQuotedLines {
			why = fmt.Sprintf("guillemet ouvert dans le champ %d et non refermé sur %d lignes", s.fieldCount()+1, maxQuotedLines)
			break
		}
		l, err := rr.nextLine()
		if errors.Is(err, io.EOF) {
			why = fmt.Sprintf("guillemet ouvert dans le champ %d et jamais refermé", s.fieldCount()+1)
			break
		}
		if err != nil {
			return record{}, err
		}
		l.text = bytes.Clone(l.text)
		span = append(span, l)
		size += len(l.text) + len(l.end)
		if size > rr.lines.maxBytes {
			why = fmt.Sprintf("champ %d entre guillemets de plus de %d Mo", s.fieldCount()+1, rr.lines.maxBytes>>20)
			break
		}
		state = s.feed(l.text, l.end, true)
	}
	switch {
	case state == stateBadQuote && len(span) > 1:
		why = fmt.Sprintf("guillemet ouvert dans le champ %d, refermé ligne %d et suivi du texte %s", s.fieldCount()+1, span[len(span)-1].number, quoteValue(strings.TrimSpace(string(s.after))))
	case state == stateBadQuote:
		why = fmt.Sprintf("texte %s après le guillemet fermant du champ %d", quoteValue(strings.TrimSpace(string(s.after))), s.fieldCount()+1)
	case state == stateDone && len(span) > 1 && rr.expectFields > 0 && s.fieldCount() != rr.expectFields:
		why = fmt.Sprintf("le champ entre guillemets s'étend sur %d lignes et donne %d champs au lieu de %d", len(span), s.fieldCount(), rr.expectFields)
	}
	if s.fieldCount() > maxFields {
		return record{}, &LimitError{Line: first.number, Reason: fmt.Sprintf("plus de %d champs", maxFields)}
	}
	if state == stateDone && why == "" {
		rec := record{fields: s.fields(), line: first.number, lastLine: span[len(span)-1].number, size: size}
		rec.setEncoding(span)
		return rec, nil
	}
	// Malformed: the first line alone, read leniently; the others again.
	if len(span) > 1 {
		rr.pending = append(append([]physLine(nil), span[1:]...), rr.pending...)
		why += " ; la ligne est lue seule"
	}
	fields := lenientSplit(first.text, rr.delim)
	if len(fields) > maxFields {
		return record{}, &LimitError{Line: first.number, Reason: fmt.Sprintf("plus de %d champs", maxFields)}
	}
	rec := record{fields: fields, line: first.number, lastLine: first.number, size: len(first.text) + len(first.end),
		problem: why}
	rec.setEncoding(span[:1])
	return rec, nil
}

func (r *record) setEncoding(span []physLine) {
	r.utf8, r.ascii = true, true
	for _, l := range span {
		if !isASCII(l.text) {
			r.ascii = false
			if !utf8.Valid(l.text) {
				r.utf8 = false
			}
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

type splitState int

const (
	stateDone      splitState = iota
	stateOpenQuote            // a quoted cell runs past the line's end
	stateBadQuote             // text after a closing quote
)

// splitter cuts lines into cells, possibly across lines. Cell contents are
// gathered in one buffer and cut into strings once, as encoding/csv does.
type splitter struct {
	delim byte
	buf   []byte
	ends  []int
	after []byte // the text after a closing quote, for the message
}

func (s *splitter) reset(delim byte) {
	s.delim = delim
	s.buf = s.buf[:0]
	s.ends = s.ends[:0]
	s.after = nil
}

func (s *splitter) fieldCount() int { return len(s.ends) }

// feed reads one line; inQuote tells that the line continues a quoted cell.
func (s *splitter) feed(line []byte, end string, inQuote bool) splitState {
	pos := 0
	for {
		if len(s.ends) > maxFields {
			return stateDone // the caller refuses the record
		}
		if inQuote || (pos < len(line) && line[pos] == '"') {
			if !inQuote {
				pos++
			}
			inQuote = false
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					s.buf = append(s.buf, line[pos:]...)
					s.buf = append(s.buf, end...)
					return stateOpenQuote
				}
				s.buf = append(s.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					s.buf = append(s.buf, '"')
					pos++
					continue
				}
				break
			}
			if pos == len(line) {
				s.ends = append(s.ends, len(s.buf))
				return stateDone
			}
			if line[pos] != s.delim {
				rest := line[pos:]
				if i := bytes.IndexByte(rest, s.delim); i >= 0 {
					rest = rest[:i]
				}
				s.after = rest
				return stateBadQuote
			}
			s.ends = append(s.ends, len(s.buf))
			pos++
			continue
		}
		i := bytes.IndexByte(line[pos:], s.delim)
		if i < 0 {
			s.buf = append(s.buf, line[pos:]...)
			s.ends = append(s.ends, len(s.buf))
			return stateDone
		}
		s.buf = append(s.buf, line[pos:pos+i]...)
		s.ends = append(s.ends, len(s.buf))
		pos += i + 1
	}
}

func (s *splitter) fields() []string {
	all := string(s.buf)
	out := make([]string, len(s.ends))
	start := 0
	for i, e := range s.ends {
		out[i] = all[start:e]
		start = e
	}
	return out
}

// lenientSplit reads a malformed line on its own: cleanly quoted cells are read as
// such; a cell whose quote is not closed, or is followed by text, is taken as
// written up to the next delimiter (after its closing quote when there is one), so
// that a delimiter inside it does not shift the cells after it.
func lenientSplit(line []byte, delim byte) []string {
	var out []string
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			var cell []byte
			p := pos + 1
			closed := false
			for {
				i := bytes.IndexByte(line[p:], '"')
				if i < 0 {
					break
				}
				cell = append(cell, line[p:p+i]...)
				p += i + 1
				if p < len(line) && line[p] == '"' {
					cell = append(cell, '"')
					p++
					continue
				}
				closed = true
				break
			}
			clean := closed && (p == len(line) || line[p] == delim)
			if clean {
				out = append(out, string(cell))
				if p == len(line) {
					return out
				}
				pos = p + 1
				continue
			}
			from := pos + 1
			if closed {
				from = p // after the closing quote
			}
			i := bytes.IndexByte(line[from:], delim)
			if i < 0 {
				return append(out, string(line[pos:]))
			}
			out = append(out, string(line[pos:from+i]))
			pos = from + i + 1
			continue
		}
		i := bytes.IndexByte(line[pos:], delim)
		if i < 0 {
			return append(out, string(line[pos:]))
		}
		out = append(out, string(line[pos:pos+i]))
		pos += i + 1
		if len(out) > maxFields {
			return out // the caller refuses the record
		}
	}
}

// maxQuoted is how much of an offending value a message quotes.
const maxQuoted = 200

// quoteValue quotes a value for a message, cut to maxQuoted characters.
func quoteValue(s string) string {
	return "« " + french.Cut(s, maxQuoted) + " »"
}
