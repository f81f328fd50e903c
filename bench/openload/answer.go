//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
)

// answerReader follows the HTTP/1.1 answers of one connection through the
// bytes read from it, in whatever pieces they arrive, without allocating once
// its buffers have grown: it keeps the status, whether the server ends the
// connection after the answer, and the length of the body, which is skipped,
// not kept. It reads what an answer to a GET may be: a body of known length
// (Content-Length), a chunked body, or a body that runs until the server closes
// the connection; interim 1xx answers are passed over, and 204 and 304 have no
// body. net/http's ReadResponse, used before, allocated a header map and its
// strings for every answer; the generator then cost more CPU than the bare
// server it loaded.
type answerReader struct {
	state     answerState
	head      []byte // the head so far, when it has come in several pieces
	line      []byte // a chunk-size or trailer line so far
	status    int
	close     bool  // the server ends the connection after this answer
	remaining int64 // bytes of the body, or of the current chunk, still to come
	body      int64 // body bytes read, chunk framing excluded
}

type answerState uint8

const (
	readingHead       answerState = iota
	readingBody                   // remaining bytes of a body of known length
	readingUntilClose             // a body without length: it ends with the connection
	readingChunkSize
	readingChunkData
	readingChunkEnd // the CRLF after a chunk's data
	readingTrailer
	answerDone
)

// Limits past which an answer is an error rather than memory spent.
const (
	maxHeadBytes = 64 << 10
	maxLineBytes = 4 << 10
)

var (
	errAnswerTooLong = errors.New("en-tête de réponse de plus de 64 Kio")
	errClosedEarly   = errors.New("connexion fermée avant la fin de la réponse")
)

// begin readies the reader for the answer to a new request.
func (r *answerReader) begin() {
	r.state = readingHead
	r.head = r.head[:0]
	r.line = r.line[:0]
	r.status, r.close, r.remaining, r.body = 0, false, 0, 0
}

// done reports whether the answer is complete.
func (r *answerReader) done() bool { return r.state == answerDone }

// feed reads p, bytes that came next on the connection, and returns how many
// of them belong to the answer: when the answer ends within p, the rest does
// not (bytes after a complete answer, which a server does not send unasked).
func (r *answerReader) feed(p []byte) (int, error) {
	used := 0
	for used < len(p) && r.state != answerDone {
		n, err := r.step(p[used:])
		used += n
		if err != nil {
			return used, err
		}
	}
	return used, nil
}

// atClose is called when the server has closed the connection: the answer is
// complete if its body was to run until then, and cut short otherwise.
func (r *answerReader) atClose() error {
	switch r.state {
	case answerDone:
		return nil
	case readingUntilClose:
		r.state = answerDone
		return nil
	}
	return errClosedEarly
}

// step reads from p in the current state and returns how many bytes it used.
func (r *answerReader) step(p []byte) (int, error) {
	switch r.state {
	case readingHead:
		return r.stepHead(p)
	case readingBody, readingChunkData:
		n := int64(len(p))
		if n > r.remaining {
			n = r.remaining
		}
		r.remaining -= n
		r.body += n
		if r.remaining == 0 {
			if r.state == readingBody {
				r.state = answerDone
			} else {
				r.state = readingChunkEnd
			}
		}
		return int(n), nil
	case readingUntilClose:
		r.body += int64(len(p))
		return len(p), nil
	case readingChunkSize, readingChunkEnd, readingTrailer:
		n, complete, err := r.readLine(p)
		if err != nil || !complete {
			return n, err
		}
		return n, r.endOfLine()
	}
	return 0, nil
}

// stepHead looks for the end of the head in p, the head's first bytes being
// in r.head when they came earlier; most heads come whole in one read and are
// parsed in place.
func (r *answerReader) stepHead(p []byte) (int, error) {
	if len(r.head) == 0 {
		if end := headEnd(p, 0); end >= 0 {
			return end, r.parseHead(p[:end])
		}
	}
	before := len(r.head)
	r.head = append(r.head, p...)
	end := headEnd(r.head, max(0, before-3))
	if end < 0 {
		if len(r.head) > maxHeadBytes {
			return len(p), errAnswerTooLong
		}
		return len(p), nil
	}
	head := r.head[:end]
	r.head = r.head[:0]
	return end - before, r.parseHead(head)
}

// headEnd is the index just past the empty line that ends the head in b, or
// -1; the search starts at from. Lines may end in CRLF or, as net/http
// tolerates, LF alone.
func headEnd(b []byte, from int) int {
	for i := from; i < len(b); {
		k := bytes.IndexByte(b[i:], '\n')
		if k < 0 {
			return -1
		}
		i += k + 1
		if i < len(b) && b[i] == '\n' {
			return i + 1
		}
		if i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' {
			return i + 2
		}
	}
	return -1
}

// parseHead reads the status line and the headers that frame the body, and
// sets the state that reads the body.
func (r *answerReader) parseHead(head []byte) error {
	line, rest := nextLine(head)
	// "HTTP/1.1 200 OK": HTTP/1.0 answers end the connection unless they say otherwise.
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return fmt.Errorf("ligne de statut « %s » invalide", quoted(line))
	}
	http10 := line[7] == '0'
	if !http10 && line[7] != '1' {
		return fmt.Errorf("version « %s » non prise en charge", quoted(line[:8]))
	}
	status := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return fmt.Errorf("ligne de statut « %s » invalide", quoted(line))
		}
		status = status*10 + int(c-'0')
	}
	var (
		length      int64 = -1
		chunked     bool
		close, keep bool
		name, value []byte
	)
	for len(rest) > 0 {
		line, rest = nextLine(rest)
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return fmt.Errorf("en-tête « %s » invalide", quoted(line))
		}
		name, value = line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseDecimal(value)
			if !ok || (length >= 0 && n != length) {
				return fmt.Errorf("Content-Length « %s » invalide", quoted(value))
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			// net/http accepts chunked alone, as HTTP/1.1 servers send it.
			if !bytes.EqualFold(value, []byte("chunked")) {
				return fmt.Errorf("Transfer-Encoding « %s » non pris en charge", quoted(value))
			}
			chunked = true
		case bytes.EqualFold(name, []byte("Connection")):
			for token := range bytes.SplitSeq(value, []byte(",")) {
				token = bytes.TrimSpace(token)
				close = close || bytes.EqualFold(token, []byte("close"))
				keep = keep || bytes.EqualFold(token, []byte("keep-alive"))
			}
		}
	}
	if status >= 100 && status < 200 && status != 101 {
		// An interim answer (100 Continue, 103 Early Hints): the real one follows.
		r.state = readingHead
		return nil
	}
	r.status = status
	r.close = close || (http10 && !keep)
	switch {
	case status == 101:
		// The connection now speaks another protocol: it is not reused.
		r.state, r.close = answerDone, true
	case status == 204 || status == 304:
		r.state = answerDone
	case chunked:
		r.state = readingChunkSize
	case length == 0:
		r.state = answerDone
	case length > 0:
		r.state, r.remaining = readingBody, length
	default:
		r.state, r.close = readingUntilClose, true
	}
	return nil
}

// readLine gathers a line of the chunked framing into r.line; complete says
// whether its LF was in p.
func (r *answerReader) readLine(p []byte) (used int, complete bool, err error) {
	k := bytes.IndexByte(p, '\n')
	if k < 0 {
		r.line = append(r.line, p...)
		if len(r.line) > maxLineBytes {
			return len(p), false, errAnswerTooLong
		}
		return len(p), false, nil
	}
	r.line = append(r.line, p[:k]...)
	return k + 1, true, nil
}

// endOfLine acts on the chunked framing line now in r.line.
func (r *answerReader) endOfLine() error {
	line := bytes.TrimSuffix(r.line, []byte("\r"))
	r.line = r.line[:0]
	switch r.state {
	case readingChunkSize:
		if semi := bytes.IndexByte(line, ';'); semi >= 0 {
			line = line[:semi] // chunk extensions are ignored
		}
		line = bytes.TrimSpace(line)
		size, ok := parseHex(line)
		if !ok {
			return fmt.Errorf("taille de morceau « %s » invalide", quoted(line))
		}
		if size == 0 {
			r.state = readingTrailer
		} else {
			r.state, r.remaining = readingChunkData, size
		}
	case readingChunkEnd:
		if len(line) != 0 {
			return fmt.Errorf("fin de morceau « %s » invalide", quoted(line))
		}
		r.state = readingChunkSize
	case readingTrailer:
		if len(line) == 0 {
			r.state = answerDone
		}
	}
	return nil
}

// nextLine splits b at its first LF, the line without its CR.
func nextLine(b []byte) (line, rest []byte) {
	k := bytes.IndexByte(b, '\n')
	if k < 0 {
		return bytes.TrimSuffix(b, []byte("\r")), nil
	}
	return bytes.TrimSuffix(b[:k], []byte("\r")), b[k+1:]
}

// parseDecimal reads a Content-Length: digits only, at most 18 of them.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseHex reads a chunk size: hexadecimal digits, at most 15 of them.
func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}

// quoted is b for an error message, cut to 200 bytes.
func quoted(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
