package web

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"

	"zonage/internal/onewrite"
)

// problemListener makes the server's own answer to oversized request headers a
// problem document like every other error. net/http writes that answer itself,
// in plain text, before any handler runs; the connection swaps it for ours.
type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &problemConn{Conn: c}, nil
}

type problemConn struct{ net.Conn }

func (c *problemConn) Write(b []byte) (int, error) {
	if bytes.HasPrefix(b, plainHeaderTooLarge) {
		if _, err := c.Conn.Write(headerTooLargeAnswer); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// CloseWrite lets the server half-close the connection after an error answer, as
// it does on a bare TCP connection, so the client reads the answer before the reset.
func (c *problemConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// serverListener is the listener Serve runs the server on: its connections
// swap net/http's plain 431 answer for a problem document (problemListener)
// and can hold an answer to send it in one write (onewrite).
func serverListener(ln net.Listener) net.Listener {
	return onewrite.Listener{Listener: problemListener{ln}}
}

// holdAnswer asks the connection carrying r to send r's answer in one write;
// it does nothing when r came another way (a test's recorder).
func holdAnswer(r *http.Request) { onewrite.Hold(r) }

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
