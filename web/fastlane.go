package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/net/http/httpguts"
)

// The fast lane serves the API's most frequent request, a plain
// GET /api/v1/resolve?… over HTTP/1.1, without net/http's per-request work:
// net/http reads every request into new objects (the request, its URL, its
// header map and its strings, the response and a copy of its header map),
// about 2 KB a request, and the collector that reclaims them is what the
// latency tail under load followed. The lane reads the request head into the
// connection's buffer, reuses one request and one header map per connection,
// and runs the server's own Gin engine on them: the same middleware, handler
// and bytes as every other request. It writes the status line and the headers
// as net/http writes them, and the whole answer in one write.
//
// It takes only what it can read without doubt: a complete head within its
// buffer, the method GET, an origin-form target on /api/v1/resolve whose
// query holds only unreserved characters, HTTP/1.1, a valid Host, and no
// header but Host, User-Agent, Accept, Accept-Encoding, X-Request-Id and
// Connection: keep-alive, each at most once. Anything else — a HEAD, a body,
// an Origin, a validator, a head longer than the buffer — is handed to
// net/http with the bytes already read, at a request boundary, and the
// connection stays with net/http from then on.
//
// On Linux the lane's connections are served by event loops
// (fastlane_loop_linux.go), which move a connection to its own goroutine,
// laneConn.run, for anything but the simplest exchange; elsewhere each is
// served on its goroutine from the start.

// laneBufferSize is the bytes read at once, and the longest head the lane
// takes: a plain resolve request is about a hundred bytes.
const laneBufferSize = 4 << 10

// laneAnswerReserve is the room kept before an answer's body for its status
// line and headers, so that the whole answer goes out in one write without
// copying the body again.
const laneAnswerReserve = 1 << 10

// laneTarget is how the target of a request the lane takes starts.
const laneTarget = "/api/v1/resolve?"

// fastLane accepts the connections of the listener under it and serves them
// until a request it does not take; it then hands the connection, with the
// bytes it has read, to net/http, which accepts it from Accept.
type fastLane struct {
	net.Listener // the listener under the lane (connLimitListener, or the socket's)
	handler      http.Handler
	headTimeout  time.Duration // for a new connection's first request
	idleTimeout  time.Duration // for the next request on a kept-alive connection
	writeTimeout time.Duration
	limits       *connLimitListener // told when a connection is idle; nil without a bound
	logger       *slog.Logger

	handed    chan net.Conn // connections for net/http
	acceptErr chan error    // the listener's errors, for net/http's Accept
	closed    chan struct{} // closed by Close
	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	conns    map[*laneConn]struct{}
	shutting atomic.Bool
	serving  sync.WaitGroup
	counts   *laneCounts // the server's, exported in its metrics
	loops    laneLoops   // the event loops serving its connections, where the system has them
}

func newFastLane(ln net.Listener, s *Server, srv *http.Server, limits *connLimitListener) *fastLane {
	l := &fastLane{Listener: ln, handler: srv.Handler,
		headTimeout: srv.ReadHeaderTimeout, idleTimeout: srv.IdleTimeout, writeTimeout: srv.WriteTimeout,
		limits: limits, logger: s.cfg.Logger, counts: &s.metrics.lane,
		handed: make(chan net.Conn), acceptErr: make(chan error), closed: make(chan struct{}),
		conns: make(map[*laneConn]struct{})}
	go l.acceptLoop()
	return l
}

// Accept returns the next connection for net/http: one the lane handed over,
// or the listener's error.
func (l *fastLane) Accept() (net.Conn, error) {
	select {
	case c := <-l.handed:
		return c, nil
	case err := <-l.acceptErr:
		return nil, err
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close stops accepting connections; the connections open stay open
// (shutdown ends the lane's, net/http its own).
func (l *fastLane) Close() error {
	l.closeOnce.Do(func() {
		close(l.closed)
		l.closeErr = l.Listener.Close()
	})
	return l.closeErr
}

// acceptLoop accepts the connections and serves each on its goroutine. The
// listener's errors go to net/http's Accept, which decides whether to go on
// (it waits and retries after a temporary one) or to stop.
func (l *fastLane) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case l.acceptErr <- err:
			case <-l.closed:
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		lc := &laneConn{lane: l, conn: c, accepted: time.Now()}
		l.mu.Lock()
		if l.shutting.Load() {
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.conns[lc] = struct{}{}
		l.serving.Add(1)
		l.mu.Unlock()
		lc.begin()
		if !l.loops.take(lc) {
			go lc.run()
		}
	}
}

// shutdown closes the lane's idle connections and has the others close after
// their answer (which says Connection: close), then waits for them until ctx
// ends, when it closes them all. As net/http does, a connection that has not
// sent its first request yet is left newConnectionGrace to send it: its client
// may have connected just before the stop, and a request that fails on a new
// connection is not sent again.
func (l *fastLane) shutdown(ctx context.Context) error {
	// Under the lock acceptLoop takes and counts a connection under: no
	// connection is counted once the wait below has begun.
	l.mu.Lock()
	l.shutting.Store(true)
	l.mu.Unlock()
	done := make(chan struct{})
	go func() {
		l.serving.Wait()
		close(done)
	}()
	poll := time.NewTicker(newConnectionGrace / 10)
	defer poll.Stop()
	for {
		l.closeIdle()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			l.mu.Lock()
			for lc := range l.conns {
				lc.conn.Close()
			}
			l.mu.Unlock()
			l.loops.wakeAll()
			<-done
			return ctx.Err()
		case <-poll.C:
		}
	}
}

// newConnectionGrace is how long a stopping server leaves a new connection to
// send its first request: net/http's own (its Shutdown closes a new
// connection once it is five seconds old).
const newConnectionGrace = 5 * time.Second

// closeIdle closes the connections waiting for a request: those kept alive
// after an answer, and the new ones older than newConnectionGrace.
func (l *fastLane) closeIdle() {
	// The event loops close their own idle connections when woken.
	defer l.loops.wakeAll()
	l.mu.Lock()
	defer l.mu.Unlock()
	for lc := range l.conns {
		if lc.idle.Load() && (lc.kept.Load() || time.Since(lc.accepted) > newConnectionGrace) {
			lc.conn.Close()
		}
	}
}

// laneConn is one connection the lane serves.
type laneConn struct {
	lane     *fastLane
	conn     net.Conn
	idle     atomic.Bool // waiting for a request: shutdown may close it
	kept     atomic.Bool // an answer was sent: idle, it waits for its next request
	served   int         // requests answered
	accepted time.Time

	readDeadline, writeDeadline time.Time // as set on conn
	cancel                      context.CancelFunc

	// Set while an event loop serves the connection (fastlane_loop_linux.go).
	raw      syscall.RawConn
	loopID   uint64
	deadline time.Time // when the loop closes it if no whole head came
	// The loop's read into buf[end:] and write of out through raw, with
	// their result in ioN and ioErr: made once, as a closure made at each
	// call would be allocated at each request.
	loopRead, loopWrite func(fd uintptr) bool
	out                 []byte
	ioN                 int
	ioErr               error

	buf        []byte // bytes read and not yet served: buf[start:end]
	start, end int

	req        http.Request
	template   http.Request // with the connection's context, copied into req for each request
	url        url.URL
	header     http.Header
	remoteAddr string
	w          laneWriter

	// The values of the headers taken, each in a slice of its own kept from
	// one request to the next; a value is reused while the next request sends
	// the same bytes, so that reading the headers allocates nothing.
	host                                   string
	userAgent, accept, encoding, requestID [1]string
}

// begin readies a new connection for its first request.
func (lc *laneConn) begin() {
	lc.buf = make([]byte, laneBufferSize)
	lc.header = make(http.Header, 4)
	lc.remoteAddr = lc.conn.RemoteAddr().String()
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), http.LocalAddrContextKey, lc.conn.LocalAddr()))
	lc.cancel = cancel
	lc.template = *new(http.Request).WithContext(ctx)
}

// leave is the end of the lane's part in the connection: closed, unless handed
// to net/http.
func (lc *laneConn) leave(handed bool) {
	l := lc.lane
	l.mu.Lock()
	delete(l.conns, lc)
	l.mu.Unlock()
	if !handed {
		lc.conn.Close()
	}
	lc.cancel()
	l.serving.Done()
}

// run answers the connection's requests on the calling goroutine until one
// the lane does not take, which it hands to net/http, or until the
// connection ends.
func (lc *laneConn) run() {
	handed := false
	defer func() { lc.leave(handed) }()
	for {
		head, ok := lc.nextHead()
		if !ok {
			return
		}
		if head == nil || !lc.parse(head) {
			handed = lc.handOver()
			return
		}
		lc.took(head)
		if !lc.answer() {
			return
		}
	}
}

// took counts a request the lane takes, whose head it has read.
func (lc *laneConn) took(head []byte) {
	lc.start += len(head)
	lc.served++
	lc.kept.Store(true)
	lc.lane.counts.answered.Add(1)
}

// nextHead is the next request head, read into the buffer; nil (with ok)
// when the lane leaves the request to net/http — a head longer than the
// buffer, or the client's side ending within it — and ok false when the
// connection must end: closed, stopping, or no whole head within the head
// timeout.
func (lc *laneConn) nextHead() (head []byte, ok bool) {
	timeout := lc.lane.headTimeout
	var headDeadline time.Time
	if lc.start == lc.end {
		lc.start, lc.end = 0, 0
		lc.idle.Store(true)
		// Only between two requests is a connection idle to the bound (as
		// net/http reports it): one that has sent no request yet is not closed
		// to make room, for its client would not send that request again.
		kept := lc.served > 0
		if kept {
			lc.reportIdle(true)
		}
		if lc.lane.shutting.Load() && (kept || time.Since(lc.accepted) > newConnectionGrace) {
			return nil, false
		}
		// As net/http: a new connection has the head timeout for its whole
		// first head; a kept-alive one waits the idle timeout for the first
		// byte of the next, then has the head timeout for the rest.
		switch {
		case kept && lc.lane.idleTimeout > 0:
			lc.setReadDeadline(time.Now().Add(lc.lane.idleTimeout))
		case !kept && timeout > 0:
			headDeadline = lc.accepted.Add(timeout)
			lc.setReadDeadline(headDeadline)
		}
		n, err := lc.conn.Read(lc.buf)
		lc.idle.Store(false)
		if kept {
			lc.reportIdle(false)
		}
		if n == 0 {
			return nil, err == nil
		}
		lc.end = n
	}
	for {
		pending := lc.buf[lc.start:lc.end]
		if i := bytes.Index(pending, crlfcrlf); i >= 0 {
			return pending[:i+len(crlfcrlf)], true
		}
		// A head cut across reads: the rest is read here, at the buffer's
		// start, within the head timeout counted from its first byte.
		if lc.start > 0 {
			lc.end = copy(lc.buf, pending)
			lc.start = 0
		}
		if lc.end == len(lc.buf) {
			return nil, true
		}
		if timeout > 0 {
			if headDeadline.IsZero() {
				headDeadline = time.Now().Add(timeout)
				if lc.served == 0 {
					// A first head an event loop left here: its time
					// counts from the connection's start.
					headDeadline = lc.accepted.Add(timeout)
				}
			}
			lc.setReadDeadline(headDeadline)
		}
		n, err := lc.conn.Read(lc.buf[lc.end:])
		lc.end += n
		if err != nil {
			// Out of time, the connection ends, as net/http ends it; any
			// other end of the client's side is met by net/http after the
			// bytes read, as if it had read them.
			var ne net.Error
			return nil, !(errors.As(err, &ne) && ne.Timeout())
		}
	}
}

// setReadDeadline sets the connection's read deadline to d, unless the one
// set is at most deadlineSlack earlier: a kept-alive connection's idle
// deadline moves by microseconds from one request to the next, and moving it
// costs a timer update every time.
func (lc *laneConn) setReadDeadline(d time.Time) {
	if d.Before(lc.readDeadline) || d.Sub(lc.readDeadline) > deadlineSlack {
		lc.conn.SetReadDeadline(d)
		lc.readDeadline = d
	}
}

// deadlineSlack is how much earlier than asked an idle or write deadline may
// fall: the idle timeout (2 min) and the write timeout (over 10 min) are
// bounds against clients that never come back, not measures.
const deadlineSlack = time.Second

var (
	crlf     = []byte("\r\n")
	crlfcrlf = []byte("\r\n\r\n")
)

// reportIdle tells the connection bound whether the connection waits for a
// request, as net/http's ConnState hook does for its own: an idle connection
// may be closed to make room for a new one.
func (lc *laneConn) reportIdle(idle bool) {
	if lc.lane.limits == nil {
		return
	}
	state := http.StateActive
	if idle {
		state = http.StateIdle
	}
	lc.lane.limits.connState(lc.conn, state)
}

// handOver gives the connection and the bytes read but not served to
// net/http; false when net/http no longer accepts.
func (lc *laneConn) handOver() bool {
	lc.conn.SetReadDeadline(time.Time{})
	lc.readDeadline = time.Time{}
	c := &handedConn{Conn: lc.conn, unread: bytes.Clone(lc.buf[lc.start:lc.end])}
	select {
	case lc.lane.handed <- c:
		return true
	case <-lc.lane.closed:
		return false
	}
}

// parse reads head into the connection's request; false when the lane does
// not take it.
func (lc *laneConn) parse(head []byte) bool {
	line, rest, _ := bytes.Cut(head, crlf)
	target, ok := bytes.CutPrefix(line, []byte("GET "))
	if !ok {
		return false
	}
	target, ok = bytes.CutSuffix(target, []byte(" HTTP/1.1"))
	if !ok || !bytes.HasPrefix(target, []byte(laneTarget)) {
		return false
	}
	query := target[len(laneTarget):]
	for _, b := range query {
		if !laneQueryByte[b] {
			return false
		}
	}
	clear(lc.header)
	var seenHost, seenUA, seenAccept, seenEncoding, seenID, seenConnection bool
	for {
		var field []byte
		field, rest, _ = bytes.Cut(rest, crlf)
		if len(field) == 0 {
			break
		}
		name, value, ok := bytes.Cut(field, []byte(":"))
		if !ok || !httpguts.ValidHeaderFieldName(string(name)) {
			return false
		}
		value = bytes.Trim(value, " \t")
		if !validFieldValue(value) {
			return false
		}
		switch {
		case asciiEqualFold(name, "Host") && !seenHost:
			seenHost = true
			if len(value) == 0 || !httpguts.ValidHostHeader(string(value)) {
				return false
			}
			lc.host = reuse(lc.host, value)
		case asciiEqualFold(name, "User-Agent") && !seenUA:
			seenUA = true
			lc.userAgent[0] = reuse(lc.userAgent[0], value)
			lc.header["User-Agent"] = lc.userAgent[:]
		case asciiEqualFold(name, "Accept") && !seenAccept:
			seenAccept = true
			lc.accept[0] = reuse(lc.accept[0], value)
			lc.header["Accept"] = lc.accept[:]
		case asciiEqualFold(name, "Accept-Encoding") && !seenEncoding:
			seenEncoding = true
			lc.encoding[0] = reuse(lc.encoding[0], value)
			lc.header["Accept-Encoding"] = lc.encoding[:]
		case asciiEqualFold(name, requestIDHeader) && !seenID:
			seenID = true
			lc.requestID[0] = reuse(lc.requestID[0], value)
			lc.header[requestIDHeader] = lc.requestID[:]
		case asciiEqualFold(name, "Connection") && !seenConnection && asciiEqualFold(value, "keep-alive"):
			seenConnection = true
			lc.header["Connection"] = keepAliveValue
		default:
			return false
		}
	}
	if !seenHost {
		return false
	}
	// One string for the target, the query its tail, as net/http reads
	// them (the query's bytes leave it nothing to unescape), carved like the
	// header values from a block shared by many requests: no allocation.
	uri := headerValue(target)[0]
	lc.url = url.URL{Path: laneTarget[:len(laneTarget)-1], RawQuery: uri[len(laneTarget):], ForceQuery: len(uri) == len(laneTarget)}
	lc.req = lc.template
	lc.req.Method, lc.req.URL, lc.req.RequestURI = http.MethodGet, &lc.url, uri
	lc.req.Proto, lc.req.ProtoMajor, lc.req.ProtoMinor = "HTTP/1.1", 1, 1
	lc.req.Header, lc.req.Body, lc.req.Host, lc.req.RemoteAddr = lc.header, http.NoBody, lc.host, lc.remoteAddr
	return true
}

// keepAliveValue is the Connection header the lane takes.
var keepAliveValue = []string{"keep-alive"}

// reuse is value as a string: previous when it holds the same bytes.
func reuse(previous string, value []byte) string {
	if previous == string(value) {
		return previous
	}
	return string(value)
}

// laneQueryByte are the bytes the lane takes in a query: unreserved
// characters, '=' and '&'. A query with others (escapes, '+', ';', spaces,
// anything a URL parser may read otherwise) goes to net/http.
var laneQueryByte = func() (t [256]bool) {
	for _, r := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~=&" {
		t[r] = true
	}
	return t
}()

// validFieldValue reports whether a header value holds no control byte but
// the horizontal tab, as net/http requires.
func validFieldValue(v []byte) bool {
	for _, b := range v {
		if (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// asciiEqualFold compares b and s, ASCII letters in any case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// answer runs the engine on the request read and writes its answer; false
// when the connection must end.
func (lc *laneConn) answer() (keep bool) {
	w := &lc.w
	defer w.release()
	answer, closeAfter, ok := lc.respond()
	if !ok {
		return false
	}
	return lc.write(answer) && !closeAfter
}

// respond runs the engine on the request read and returns the whole answer,
// in the connection's writer until its release, and whether the connection
// closes after it; ok false when there is no answer to send.
func (lc *laneConn) respond() (answer []byte, closeAfter, ok bool) {
	w := &lc.w
	w.reset()
	defer func() {
		if p := recover(); p != nil {
			// As net/http: http.ErrAbortHandler ends the connection without
			// an answer; any other panic is logged (the engine turns the
			// handlers' own into answers before they get here).
			if p != http.ErrAbortHandler {
				lc.lane.logger.Error("panique dans le serveur", "panic", p)
			}
			ok = false
		}
	}()
	lc.lane.handler.ServeHTTP(w, &lc.req)
	// As net/http: a stopping server's answers say that the connection
	// closes after them.
	answer, closeAfter = w.finish(lc.lane.shutting.Load())
	return answer, closeAfter, true
}

// write writes answer whole, within the write timeout; false when the
// connection must end.
func (lc *laneConn) write(answer []byte) bool {
	if lc.lane.writeTimeout > 0 {
		if d := time.Now().Add(lc.lane.writeTimeout); d.Before(lc.writeDeadline) || d.Sub(lc.writeDeadline) > deadlineSlack {
			lc.conn.SetWriteDeadline(d)
			lc.writeDeadline = d
		}
	}
	_, err := lc.conn.Write(answer)
	return err == nil
}

// laneServed reports whether the fast lane serves c's request: its writer,
// under gin's and any compressing one, keeps the whole answer until the
// handler returns.
func laneServed(c *gin.Context) bool {
	u, ok := c.Writer.(interface{ Unwrap() http.ResponseWriter })
	if !ok {
		return false
	}
	_, ok = u.Unwrap().(*laneWriter)
	return ok
}

// laneWriter keeps a handler's answer for the lane to write whole.
type laneWriter struct {
	header http.Header
	status int
	// head is the status line and the headers, made when the status is
	// written: as with net/http, headers set after it are not sent.
	head                []byte
	keys                []string
	hasLength, hasType  bool
	hasDate, closeAfter bool
	buf                 *[]byte // laneAnswerReserve bytes, then the body
}

// laneAnswers are the buffers answers are made in, shared by the connections.
var laneAnswers = sync.Pool{New: func() any { b := make([]byte, laneAnswerReserve, laneAnswerReserve+32<<10); return &b }}

// laneAnswerKept is the largest buffer put back for another answer: a rare
// large one is left to the collector.
const laneAnswerKept = 256 << 10

func (w *laneWriter) reset() {
	if w.header == nil {
		w.header = make(http.Header, 12)
	}
	clear(w.header)
	w.status = 0
	w.head = w.head[:0]
	w.buf = laneAnswers.Get().(*[]byte)
	*w.buf = (*w.buf)[:laneAnswerReserve]
}

func (w *laneWriter) release() {
	if w.buf != nil && cap(*w.buf) <= laneAnswerKept {
		laneAnswers.Put(w.buf)
	}
	w.buf = nil
}

func (w *laneWriter) Header() http.Header { return w.header }

// WriteHeader writes the status line and the handler's headers in key order,
// as net/http writes them; Transfer-Encoding and Trailer are left out: the
// lane always sends the length.
func (w *laneWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 || code > 999 {
		return
	}
	w.status = code
	w.head = append(w.head, "HTTP/1.1 "...)
	w.head = strconv.AppendInt(w.head, int64(code), 10)
	w.head = append(w.head, ' ')
	w.head = append(w.head, http.StatusText(code)...)
	w.head = append(w.head, "\r\n"...)
	if !w.sameKeys() {
		// Only the names net/http would send: a header with another
		// rebuilds the keys at each answer, which only a faulty handler
		// pays.
		w.keys = w.keys[:0]
		for k := range w.header {
			if httpguts.ValidHeaderFieldName(k) {
				w.keys = append(w.keys, k)
			}
		}
		slices.Sort(w.keys)
	}
	w.hasLength, w.hasType, w.hasDate, w.closeAfter = false, false, false, false
	for _, k := range w.keys {
		switch k {
		case "Transfer-Encoding", "Trailer":
			continue
		case "Content-Length", "Content-Type":
			if !bodyAllowed(code) {
				continue
			}
		}
		for _, v := range w.header[k] {
			w.head = append(w.head, k...)
			w.head = append(w.head, ": "...)
			w.head = appendHeaderValue(w.head, v)
			w.head = append(w.head, "\r\n"...)
		}
		switch k {
		case "Content-Length":
			w.hasLength = true
		case "Content-Type":
			w.hasType = true
		case "Date":
			w.hasDate = true
		case "Connection":
			for _, v := range w.header[k] {
				w.closeAfter = w.closeAfter || asciiEqualFold([]byte(v), "close")
			}
		}
	}
}

// sameKeys reports whether the headers have the keys of the previous
// answer, kept sorted in w.keys: answers to the same route set the same ones.
// (Keys net/http would not send are not kept: with one, the count differs.)
func (w *laneWriter) sameKeys() bool {
	if len(w.keys) != len(w.header) {
		return false
	}
	for _, k := range w.keys {
		if _, ok := w.header[k]; !ok {
			return false
		}
	}
	return true
}

func (w *laneWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	*w.buf = append(*w.buf, b...)
	return len(b), nil
}

// Flush does nothing: the answer goes out whole when the handler returns.
func (w *laneWriter) Flush() {}

// finish ends the head with the headers net/http adds (the Date, the
// Content-Length and the Content-Type when the handler set none, and
// Connection: close when closing, unless the handler said it) and returns the
// whole answer, and whether the connection must close after it.
func (w *laneWriter) finish(closing bool) (answer []byte, closeAfter bool) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	body := (*w.buf)[laneAnswerReserve:]
	if !w.hasDate {
		w.head = append(w.head, "Date: "...)
		w.head = appendHTTPDate(w.head)
		w.head = append(w.head, "\r\n"...)
	}
	if bodyAllowed(w.status) {
		if !w.hasLength {
			w.head = append(w.head, "Content-Length: "...)
			w.head = strconv.AppendInt(w.head, int64(len(body)), 10)
			w.head = append(w.head, "\r\n"...)
		}
		if !w.hasType && len(body) > 0 {
			w.head = append(w.head, "Content-Type: "...)
			w.head = append(w.head, http.DetectContentType(body)...)
			w.head = append(w.head, "\r\n"...)
		}
	}
	if closing && !w.closeAfter {
		w.head = append(w.head, "Connection: close\r\n"...)
		w.closeAfter = true
	}
	w.head = append(w.head, "\r\n"...)
	if len(w.head) <= laneAnswerReserve {
		answer = (*w.buf)[laneAnswerReserve-len(w.head):]
		copy(answer, w.head)
		return answer, w.closeAfter
	}
	return append(bytes.Clone(w.head), body...), w.closeAfter
}

// appendHeaderValue appends v as net/http writes a header value: line breaks
// become spaces, and the spaces at its ends are dropped.
func appendHeaderValue(b []byte, v string) []byte {
	if plainHeaderValue(v) {
		return append(b, v...)
	}
	start := len(b)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return append(b[:start], bytes.Trim(b[start:], " \t")...)
}

// plainHeaderValue reports whether v is written as it is: no line break, no
// space or tab at its ends. Nearly every value is.
func plainHeaderValue(v string) bool {
	if v == "" {
		return true
	}
	if first, last := v[0], v[len(v)-1]; first == ' ' || first == '\t' || last == ' ' || last == '\t' {
		return false
	}
	return strings.IndexByte(v, '\n') < 0 && strings.IndexByte(v, '\r') < 0
}

// bodyAllowed reports whether an answer of status may have a body.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}

// httpDate is the Date header's value of the current second.
var httpDate atomic.Pointer[datedSecond]

type datedSecond struct {
	unix  int64
	value []byte
}

// appendHTTPDate appends the current time as the Date header writes it.
func appendHTTPDate(b []byte) []byte {
	now := time.Now()
	d := httpDate.Load()
	if d == nil || d.unix != now.Unix() {
		d = &datedSecond{unix: now.Unix(), value: now.UTC().AppendFormat(nil, http.TimeFormat)}
		httpDate.Store(d)
	}
	return append(b, d.value...)
}

// handedConn is a connection the lane handed to net/http: Read returns the
// bytes the lane had read and not served first.
type handedConn struct {
	net.Conn
	unread []byte
}

func (c *handedConn) Read(b []byte) (int, error) {
	if len(c.unread) > 0 {
		n := copy(b, c.unread)
		c.unread = c.unread[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// CloseWrite keeps the half-close of a TCP connection reachable through the
// wrapper (see problemConn.CloseWrite).
func (c *handedConn) CloseWrite() error {
	return closeWrite(c.Conn)
}
