// Package onewrite lets an HTTP handler of net/http send its answer in one
// write to the connection.
//
// net/http writes an answer through a 4 KB connection buffer: the headers and
// the first 4 KB go in one write, the rest of the body in a second, and the last
// chunk of a chunked answer in a third. Each write is a TCP segment the client
// is woken for; on the loopback, where a load test's client runs, the writes of
// 17 KB answers took about half the server's processor time, and a bare
// net/http server answering 18 KB went from 57,000 to 72,000 answers a second
// on a 2-core machine when each answer left in one write.
//
// A server built with Listener and ConnContext hands its handlers connections
// that can hold an answer: a handler calls Hold, and what net/http writes is
// kept until the answer is complete, then written at once. net/http clears the
// write deadline it set for the request once the answer is complete
// (finishRequest, then SetWriteDeadline(time.Time{}), in its connection loop):
// the held bytes leave then, under the request's deadline, as they would have.
// Closing or half-closing the connection, or holding more than MaxHeld bytes,
// writes them too. Only the answers whose handler asks are held: a streamed
// answer must leave as it is made.
package onewrite

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Listener hands out connections that can hold an answer.
type Listener struct{ net.Listener }

// Accept waits for the next connection.
func (l Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c}, nil
}

// Conn is a connection that can hold an answer until it is complete.
type Conn struct {
	net.Conn
	mu   sync.Mutex
	held *[]byte // the answer being held; nil when none is
}

// MaxHeld bounds what a connection holds: past it, the bytes leave.
const MaxHeld = 256 << 10

// MinWorthHolding is the size of answer worth holding: net/http sends a
// smaller one, with its headers, in one write already (its connection buffer
// holds 4 KB).
const MinWorthHolding = 3 << 10

// heldAnswers keeps the buffers of held answers between two answers: a
// connection holds one only while it answers.
var heldAnswers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// Hold starts holding what is written until the answer is complete.
func (c *Conn) Hold() {
	c.mu.Lock()
	if c.held == nil {
		c.held = heldAnswers.Get().(*[]byte)
	}
	c.mu.Unlock()
}

func (c *Conn) Write(b []byte) (int, error) {
	c.mu.Lock()
	if c.held != nil {
		if len(*c.held)+len(b) <= MaxHeld {
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
func (c *Conn) flushLocked() error {
	held := c.held
	if held == nil {
		return nil
	}
	c.held = nil
	var err error
	if len(*held) > 0 {
		_, err = c.Conn.Write(*held)
	}
	if cap(*held) <= MaxHeld {
		*held = (*held)[:0]
		heldAnswers.Put(held)
	}
	if err != nil {
		c.Conn.Close()
	}
	return err
}

func (c *Conn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

// SetWriteDeadline writes the answer held before the deadline changes: net/http
// clears the request's write deadline once the answer is complete.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if err := c.flush(); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

// SetDeadline writes the answer held before the deadlines change.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.flush(); err != nil {
		return err
	}
	return c.Conn.SetDeadline(t)
}

// Close writes the answer held, then closes the connection.
func (c *Conn) Close() error {
	c.flush()
	return c.Conn.Close()
}

// CloseWrite writes the answer held, then half-closes the connection when it
// can be (net/http does after an error answer, so that the client reads the
// answer before the reset).
func (c *Conn) CloseWrite() error {
	if err := c.flush(); err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// connKey is where a request's context keeps its connection.
type connKey struct{}

// ConnContext is the http.Server's ConnContext: it puts the connection in the
// context of the requests it carries.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if oc, ok := c.(*Conn); ok {
		return context.WithValue(ctx, connKey{}, oc)
	}
	return ctx
}

// Hold asks the connection carrying r to send r's answer in one write, and
// reports whether it will; it does nothing when r came another way (a test's
// recorder, a server without Listener or ConnContext).
func Hold(r *http.Request) bool {
	c, ok := r.Context().Value(connKey{}).(*Conn)
	if ok {
		c.Hold()
	}
	return ok
}
