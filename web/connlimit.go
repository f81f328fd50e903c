package web

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"zonage/internal/onewrite"
)

// DefaultMaxConnections is the number of connections served at once when
// Config.MaxConnections is zero. Each open connection costs the server some
// memory (its goroutine, its read and write buffers, the answer being made): a
// client that opens ever more connections, as an open-model load generator that
// falls behind does, lifted the resident memory past 500 MB before there was
// a bound.
const DefaultMaxConnections = 1024

// idleReclaimAge is how long a kept-alive connection must have been idle
// before a connection waiting for a place may have it closed: long enough
// that a client sending request after request never loses its connection
// between two of them.
const idleReclaimAge = time.Second

// connLimitListener bounds the connections served at once. Past the bound, a
// new connection first has the connection idle the longest closed for it, if
// one has been idle for idleReclaimAge (a kept-alive connection nobody uses
// would otherwise hold its place for the server's idle timeout), and else
// waits until one closes; one waits so, accepted, the others in the kernel's
// accept queue, their requests answered later, not refused, so that overload
// shows as waiting instead of as memory. The server must report its
// connections' states to connState.
type connLimitListener struct {
	net.Listener
	slots     chan struct{} // one element per connection open
	closed    chan struct{} // closed by Close: a waiting Accept returns
	closeOnce sync.Once

	mu   sync.Mutex
	open map[*limitedConn]struct{}
}

func limitConnections(ln net.Listener, max int) *connLimitListener {
	return &connLimitListener{Listener: ln, slots: make(chan struct{}, max), closed: make(chan struct{}),
		open: make(map[*limitedConn]struct{}, max)}
}

func (l *connLimitListener) Accept() (net.Conn, error) {
	// The connection is taken from the kernel's queue before its place: an
	// idle connection is closed only for one that is really there.
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if err := l.acquire(); err != nil {
		c.Close()
		return nil, err
	}
	lc := &limitedConn{Conn: c, owner: l}
	l.mu.Lock()
	l.open[lc] = struct{}{}
	l.mu.Unlock()
	return lc, nil
}

// acquire takes a place for the next connection, closing a long-idle one to
// make room when there is none.
func (l *connLimitListener) acquire() error {
	for {
		select {
		case l.slots <- struct{}{}:
			return nil
		case <-l.closed:
			return net.ErrClosed
		default:
		}
		if idle, since := l.longestIdle(); idle != nil {
			// Unless a request arrived on it meanwhile (a request that arrives
			// after this may meet a closed connection, as on any server's idle
			// timeout: clients send idempotent requests again).
			if idle.idleSince.CompareAndSwap(since, 0) {
				idle.Close() // gives its place back
			}
			continue
		}
		// No place and no connection idle long enough: wait for a close, and
		// look again for idle connections from time to time.
		wait := time.NewTimer(idleReclaimAge / 4)
		select {
		case l.slots <- struct{}{}:
			wait.Stop()
			return nil
		case <-l.closed:
			wait.Stop()
			return net.ErrClosed
		case <-wait.C:
		}
	}
}

// longestIdle is the open connection idle the longest, and since when, if it
// has been for idleReclaimAge.
func (l *connLimitListener) longestIdle() (oldest *limitedConn, since int64) {
	cutoff := time.Now().Add(-idleReclaimAge).UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.open {
		if s := c.idleSince.Load(); s != 0 && s <= cutoff && (oldest == nil || s < since) {
			oldest, since = c, s
		}
	}
	return oldest, since
}

func (l *connLimitListener) release(c *limitedConn) {
	l.mu.Lock()
	delete(l.open, c)
	l.mu.Unlock()
	<-l.slots
}

func (l *connLimitListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// connState is the http.Server's ConnState hook: it marks when each
// connection became idle between two requests. The server sees the
// connections of serverListener wrapped around the limitedConn.
func (l *connLimitListener) connState(c net.Conn, state http.ConnState) {
	lc := limitedConnOf(c)
	if lc == nil {
		return
	}
	if state == http.StateIdle {
		lc.idleSince.Store(time.Now().UnixNano())
	} else {
		lc.idleSince.Store(0)
	}
}

// limitedConnOf is the limitedConn under the wrappers of serverListener and
// of the fast lane.
func limitedConnOf(c net.Conn) *limitedConn {
	for {
		switch w := c.(type) {
		case *limitedConn:
			return w
		case *onewrite.Conn:
			c = w.Conn
		case *problemConn:
			c = w.Conn
		case *handedConn:
			c = w.Conn
		default:
			return nil
		}
	}
}

// limitedConn gives its place back when it is closed, once.
type limitedConn struct {
	net.Conn
	owner     *connLimitListener
	idleSince atomic.Int64 // Unix nanoseconds; 0 while not idle between two requests
	closeOnce sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() { c.owner.release(c) })
	return err
}

// CloseWrite keeps the half-close of a TCP connection reachable through the
// wrapper (see problemConn.CloseWrite).
func (c *limitedConn) CloseWrite() error {
	return closeWrite(c.Conn)
}
