// Package onewritetest counts the writes that reach a connection, for the
// tests that check an answer leaves in one write.
package onewritetest

import (
	"net"
	"sync"
)

// Conn records the size of each write that reaches the connection it wraps.
type Conn struct {
	net.Conn
	mu     sync.Mutex
	writes []int
}

func (c *Conn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.writes = append(c.writes, len(b))
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// CloseWrite half-closes the connection it wraps when that can be.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Taken returns the sizes of the writes since the last call.
func (c *Conn) Taken() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.writes
	c.writes = nil
	return w
}

// Listener hands out connections whose writes are counted, and sends each on
// Conns as it accepts it.
type Listener struct {
	net.Listener
	Conns chan *Conn
}

// Accept waits for the next connection.
func (l Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	cc := &Conn{Conn: c}
	l.Conns <- cc
	return cc, nil
}
