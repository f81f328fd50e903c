package web

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// serverListener hands net/http connections that do two things it cannot be
// asked to do (serverConn).
type serverListener struct{ net.Listener }

func (l serverListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &serverConn{Conn: c}, nil
}

// serverConn is the server's side of a client connection.
//
// It makes the server's own answer to oversized request headers a problem
// document like every other error: net/http writes that answer itself, in plain
// text, before any handler runs, and the connection swaps it for ours.
//
// It sends an answer in one write when its handler asks (holdAnswer). net/http
// writes an answer through a 4 KB buffer: the headers and the first 4 KB go in
// one write, the rest of the body in a second, and the last chunk of a chunked
// answer in a third. On the loopback, where the bench's client runs, each write
// is a segment the client is woken for, and the writes of a full answer (17 KB
// on average) took about half the server's processor time. A held answer is
// kept whole, then written when net/http clears the write deadline it set for
// the request, which it does once the answer is complete (finishRequest, then
// SetWriteDeadline(time.Time{}), in net/http's connection loop): the bytes
// leave under the request's deadline, as they would have. Closing the
// connection, half-closing it, or holding more than maxHeldBytes writes them
// too. Only answers whose handler asks are held: a streamed answer (a batch's
// CSV) must leave as it is made.
type serverConn struct {
	net.Conn
	mu   sync.Mutex
	held *[]byte // the answer being held; nil when none is
}

// maxHeldBytes bounds what a connection holds: past it, the bytes leave.
const maxHeldBytes = 256 << 10

// heldAnswers keeps the buffers of held answers between two answers: a
// connection holds one only while it answers.
var heldAnswers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// hold starts holding what is written until the answer is complete.
func (c *serverConn) hold() {
	c.mu.Lock()
	if c.held == nil {
		c.held = heldAnswers.Get().(*[]byte)
	}
	c.mu.Unlock()
}

func (c *serverConn) Write(b []byte) (int, error) {
	if bytes.HasPrefix(b, plainHeaderTooLarge) {
		if _, err := c.Conn.Write(headerTooLargeAnswer); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	c.mu.Lock()
	if c.held != nil {
		if len(*c.held)+len(b) <= maxHeldBytes {
			*c.held = append(*c.held, b...)
			c.mu.Unlock()
			return len(b), nil
		}
		if err := c.flushLocked(); err != nil {
			c.mu.Unlock()
			return 0, err
		}
	}
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// flushLocked writes the answer held, if any, and stops holding. A failed write
// closes the connection: net/http, told earlier that the bytes were written,
// learns it from its next read.
func (c *serverConn) flushLocked() error {
	held := c.held
	if held == nil {
		return nil
	}
	c.held = nil
	var err error
	if len(*held) > 0 {
		_, err = c.Conn.Write(*held)
	}
	if cap(*held) <= maxHeldBytes {
		*held = (*held)[:0]
		heldAnswers.Put(held)
	}
	if err != nil {
		c.Conn.Close()
	}
	return err
}

func (c *serverConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

// SetWriteDeadline writes the answer held before the deadline changes: net/http
// clears the request's write deadline once the answer is complete.
func (c *serverConn) SetWriteDeadline(t time.Time) error {
	if err := c.flush(); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

func (c *serverConn) SetDeadline(t time.Time) error {
	if err := c.flush(); err != nil {
		return err
	}
	return c.Conn.SetDeadline(t)
}

func (c *serverConn) Close() error {
	c.flush()
	return c.Conn.Close()
}

// CloseWrite lets the server half-close the connection after an error answer, as
// it does on a bare TCP connection, so the client reads the answer before the reset.
func (c *serverConn) CloseWrite() error {
	if err := c.flush(); err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// serverConnKey is where a request's context keeps its connection.
type serverConnKey struct{}

// withServerConn is the server's ConnContext: it puts the connection in the
// context of the requests it carries.
func withServerConn(ctx context.Context, c net.Conn) context.Context {
	if sc, ok := c.(*serverConn); ok {
		return context.WithValue(ctx, serverConnKey{}, sc)
	}
	return ctx
}

// holdAnswer asks the connection carrying r to send r's answer in one write;
// it does nothing when r came another way (a test's recorder, a handler mounted
// elsewhere).
func holdAnswer(r *http.Request) {
	if sc, ok := r.Context().Value(serverConnKey{}).(*serverConn); ok {
		sc.hold()
	}
}

// plainHeaderTooLarge is how net/http's own 431 answer starts.
var plainHeaderTooLarge = []byte("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain")

// headerTooLargeAnswer is the 431 answer sent instead.
var headerTooLargeAnswer = func() []byte {
	var body bytes.Buffer
	encodeJSON(&body, Problem{Type: ProblemTooLarge, Title: problemTitles[ProblemTooLarge], Status: http.StatusRequestHeaderFieldsTooLarge,
		Detail: fmt.Sprintf("adresse (URL) ou en-têtes de la requête trop longs : %d octets au plus ; envoyez les longues listes dans le corps d'un POST", maxHeaderBytes)})
	return fmt.Appendf(nil, "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/problem+json; charset=utf-8\r\n"+
		"Content-Length: %d\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n%s", body.Len(), body.Bytes())
}()

// contentLengths keeps the Content-Length values of the answer sizes met, so
// that writing one allocates nothing; a header value is replaced, never
// written into, so one slice serves every answer of that size.
var contentLengths [64 << 10]atomic.Pointer[[]string]

// contentLength is the Content-Length header value of an answer of n bytes.
func contentLength(n int) []string {
	if n < 0 || n >= len(contentLengths) {
		return []string{strconv.Itoa(n)}
	}
	if v := contentLengths[n].Load(); v != nil {
		return *v
	}
	v := []string{strconv.Itoa(n)}
	contentLengths[n].Store(&v)
	return v
}
