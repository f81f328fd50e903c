package web

import (
	"bytes"
	"fmt"
	"net"
	"net/http"

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
	return closeWrite(c.Conn)
}

// closeWrite half-closes c when it can (a TCP connection under any of the
// server's wrappers can), and does nothing otherwise.
func closeWrite(c net.Conn) error {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
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
