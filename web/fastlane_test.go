package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// serveLane serves s on a loopback port as Serve does, and returns its address
// and its fast lane, whose count of answers says which requests it took; each
// of adjust changes the HTTP server before the lane is made from it.
func serveLane(t *testing.T, s *Server, adjust ...func(*http.Server)) (addr string, lane *fastLane) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.httpServer(ln.Addr().String())
	for _, a := range adjust {
		a(srv)
	}
	served, lane := s.listener(ln, srv)
	go srv.Serve(served)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		lane.shutdown(ctx)
	})
	return ln.Addr().String(), lane
}

// testStateServer is a server of testState on 2025-06-01.
func testStateServer(t *testing.T) *Server {
	t.Helper()
	today := "2025-06-01"
	s, err := New(context.Background(), Config{}, func(context.Context) (*State, error) { return testState(&today), nil })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawClient sends requests as written and reads each answer with its exact bytes.
type rawClient struct {
	conn net.Conn
	read bytes.Buffer // the bytes of the answer being read
	br   *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &rawClient{conn: conn}
	c.br = bufio.NewReader(io.TeeReader(conn, &c.read))
	return c
}

// exchange sends request and returns the answer, its body and its bytes; the
// client sends nothing else before the answer has come, so that the bytes
// read are the answer's alone.
func (c *rawClient) exchange(t *testing.T, request string) (*http.Response, []byte, []byte) {
	t.Helper()
	c.read.Reset()
	c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.conn.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	return c.next(t, http.MethodGet)
}

// next reads the next answer, to a request of method.
func (c *rawClient) next(t *testing.T, method string) (*http.Response, []byte, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("réponse illisible : %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("corps illisible : %v", err)
	}
	return resp, body, bytes.Clone(c.read.Bytes())
}

// linesVarying are the header lines two answers to the same request may differ
// by: the date, and the id of a request that brought none.
var linesVarying = regexp.MustCompile(`(?m)^(Date|X-Request-Id): .*\r\n`)

// Over real TCP and on the real data: every answer the fast lane sends is the
// one net/http sends for the same request — status line, headers in their
// order, body — but for the date and a generated request id; a compressed
// answer has its length where net/http sends it in chunks. The lane takes
// every request of the sample (its count of answers says so) and the same
// request with one header more goes to net/http.
func TestFastLaneAnswersAsNetHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole data folder")
	}
	day := "2025-06-01"
	st := franceOnDay(t, &day)
	// The ready answers this server makes count its lookups in its own
	// metrics: they are dropped after the test, for the next server on the
	// shared state to make its own.
	resetReadyAnswers(st)
	t.Cleanup(func() { resetReadyAnswers(st) })
	s, err := New(context.Background(), Config{}, func(context.Context) (*State, error) { return st, nil })
	if err != nil {
		t.Fatal(err)
	}
	s.noBackgroundFill = true
	addr, lane := serveLane(t, s)
	queries := []string{
		"lat=45.764&lon=4.8357",            // Lyon: inside, full answer of tens of KB
		"lat=48.8566&lon=2.3522",           // Paris, an arrondissement
		"lat=43.2965&lon=5.3698&options=0", // Marseille, without options
		"lat=42.7&lon=9.45&options=false",  // Corsica
		"lat=-21.1151&lon=55.5364",         // La Réunion
		"lat=43.0&lon=5.0",                 // near the coast, outside every outline
		"lat=47&lon=-3.5",                  // far out at sea
		"lat=48.8566&lon=2.3522&profession=infirmier",
		"lat=48.8566&lon=2.3522&date=2026-06-01", // the general path
		"lat=abc&lon=2",                          // refused: not a number
		"lat=91&lon=2",                           // refused: out of range
		"lat=48.85&lon=2.35&lat=1",               // refused: repeated
		"x=1",                                    // refused: unknown parameter
		"",                                       // refused: nothing asked
	}
	headers := []string{
		"Host: zonage.test\r\n",
		"Host: zonage.test\r\nUser-Agent: curl/8.14.1\r\nAccept: */*\r\n",
		"host: zonage.test\r\naccept-encoding: identity\r\nuser-agent: Go-http-client/1.1\r\n",
		"Host: zonage.test\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nX-Request-Id: cabinet-42\r\n",
	}
	viaLane, viaNetHTTP := dialRaw(t, addr), dialRaw(t, addr)
	want := uint64(0)
	for _, h := range headers {
		for _, q := range queries {
			request := "GET /api/v1/resolve?" + q + " HTTP/1.1\r\n" + h
			laneResp, laneBody, laneBytes := viaLane.exchange(t, request+"\r\n")
			want++
			if got := lane.counts.answered.Load(); got != want {
				t.Fatalf("%q : la voie rapide a répondu à %d requêtes, %d attendues", request, got, want)
			}
			resp, body, raw := viaNetHTTP.exchange(t, request+"X-Trace: net/http\r\n\r\n")
			if got := lane.counts.answered.Load(); got != want {
				t.Fatalf("%q avec un en-tête de plus : la voie rapide y a répondu", request)
			}
			if laneResp.Header.Get("Content-Encoding") == "gzip" && resp.TransferEncoding != nil {
				// net/http chunks an answer compressed on the fly; the lane
				// sends its length.
				if laneResp.StatusCode != resp.StatusCode || !bytes.Equal(laneBody, body) {
					t.Fatalf("%q : réponse compressée différente", request)
				}
				laneResp.Header.Del("Content-Length")
				for _, r := range []*http.Response{laneResp, resp} {
					r.Header.Del("Date")
					r.Header.Del("X-Request-Id")
				}
				if !equalHeaders(laneResp.Header, resp.Header) {
					t.Fatalf("%q : en-têtes\n%v\nattendus\n%v", request, laneResp.Header, resp.Header)
				}
				continue
			}
			if laneResp.Header.Get("Date") == "" {
				t.Fatalf("%q : réponse sans date", request)
			}
			if strings.Contains(h, "X-Request-Id") && laneResp.Header.Get("X-Request-Id") != "cabinet-42" {
				t.Fatalf("%q : identifiant de requête %q, celui de l'appelant attendu", request, laneResp.Header.Get("X-Request-Id"))
			}
			a, b := linesVarying.ReplaceAll(laneBytes, nil), linesVarying.ReplaceAll(raw, nil)
			if !bytes.Equal(a, b) {
				t.Fatalf("%q : la voie rapide répond\n%.600s\nnet/http\n%.600s", request, a, b)
			}
		}
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\n") != strings.Join(b[k], "\n") {
			return false
		}
	}
	return true
}

// Requests sent together are answered in their order: the lane answers those
// it takes, then hands the connection, with the bytes it has read, to net/http
// at the first it does not take (a HEAD here), which answers that one and the
// rest, the lane's kind included.
func TestFastLaneHandsOverAtARequestBoundary(t *testing.T) {
	addr, lane := serveLane(t, testStateServer(t))
	c := dialRaw(t, addr)
	get := "GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\n\r\n"
	head := "HEAD " + alphaPath + " HTTP/1.1\r\nHost: test\r\n\r\n"
	if _, err := c.conn.Write([]byte(get + get + head + get)); err != nil {
		t.Fatal(err)
	}
	var bodies [][]byte
	for i, method := range []string{http.MethodGet, http.MethodGet, http.MethodHead, http.MethodGet} {
		resp, body, _ := c.next(t, method)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("réponse %d : statut %d", i+1, resp.StatusCode)
		}
		if method == http.MethodHead && len(body) != 0 {
			t.Fatalf("HEAD : %d octets de corps", len(body))
		}
		if method == http.MethodGet {
			bodies = append(bodies, body)
		}
	}
	if !bytes.Equal(bodies[0], bodies[1]) || !bytes.Equal(bodies[0], bodies[2]) || !strings.Contains(string(bodies[0]), `"status"`) {
		t.Fatalf("réponses différentes ou fausses :\n%s\n%s\n%s", bodies[0], bodies[1], bodies[2])
	}
	if got := lane.counts.answered.Load(); got != 2 {
		t.Fatalf("la voie rapide a répondu à %d requêtes, aux 2 premières seulement attendu", got)
	}
}

// What the lane cannot read without doubt goes to net/http, which answers it
// as it answers any request: a request net/http
// refuses (two Host headers, none, a bad header name, a bad Host), HTTP/1.0,
// a query the lane does not take, a head longer than the lane's buffer.
func TestFastLaneLeavesTheRestToNetHTTP(t *testing.T) {
	addr, lane := serveLane(t, testStateServer(t))

	long := "GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\nUser-Agent: " + strings.Repeat("u", laneBufferSize) + "\r\n\r\n"
	for _, tc := range []struct {
		request string
		status  int
	}{
		{"GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\nHost: other\r\n\r\n", http.StatusBadRequest},
		{"GET " + alphaPath + " HTTP/1.1\r\nUser-Agent: x\r\n\r\n", http.StatusBadRequest},
		{"GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\nBad Name: x\r\n\r\n", http.StatusBadRequest},
		{"GET " + alphaPath + " HTTP/1.1\r\nHost: te st\r\n\r\n", http.StatusBadRequest},
		{"GET " + alphaPath + " HTTP/1.0\r\nHost: test\r\n\r\n", http.StatusOK},
		{"GET /api/v1/resolve?lat=48.805%26lon=2.305 HTTP/1.1\r\nHost: test\r\n\r\n", http.StatusBadRequest},
		{"GET /api/v1/resolve?lat=48.805&lon=2.305#x HTTP/1.1\r\nHost: test\r\n\r\n", http.StatusBadRequest},
		{long, http.StatusOK},
	} {
		c := dialRaw(t, addr)
		resp, _, raw := c.exchange(t, tc.request)
		if resp.StatusCode != tc.status {
			t.Fatalf("%.80q : statut %d, %d attendu\n%s", tc.request, resp.StatusCode, tc.status, raw)
		}
	}
	if got := lane.counts.answered.Load(); got != 0 {
		t.Fatalf("la voie rapide a répondu à %d de ces requêtes", got)
	}
}

// A server stopping closes the lane's idle connections at once and lets a
// request being answered finish; Serve returns.
func TestFastLaneStopsWithTheServer(t *testing.T) {
	addr, cancel, done := serveForTest(t, testStateServer(t))
	c := dialRaw(t, addr)
	if resp, _, _ := c.exchange(t, "GET "+alphaPath+" HTTP/1.1\r\nHost: test\r\n\r\n"); resp.StatusCode != http.StatusOK {
		t.Fatalf("statut %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve : %v", err)
		}
	case <-time.After(4 * time.Second):
		t.Fatal("le serveur ne s'est pas arrêté : une connexion inactive de la voie rapide le retient")
	}
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.conn.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("la connexion inactive est restée ouverte (%v)", err)
	}
}

// The lane's idle connections give their place to new ones past the bound,
// as net/http's do.
func TestFastLaneIdleConnectionMakesRoom(t *testing.T) {
	addr, _, _ := newLimitedServer(t, 1)
	first := dialKeepAlive(t, addr)
	if status := first.get(t, alphaPath); status != http.StatusOK {
		t.Fatalf("statut %d, 200 attendu", status)
	}
	second := dialKeepAlive(t, addr)
	if status := second.get(t, alphaPath); status != http.StatusOK {
		t.Fatalf("connexion en attente : statut %d, 200 attendu", status)
	}
	first.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := first.conn.Read(make([]byte, 1)); errors.Is(err, os.ErrDeadlineExceeded) || err == nil {
		t.Fatalf("la connexion inactive n'a pas été fermée pour la nouvelle (%v)", err)
	}
}

// A connection that has sent no request yet is not idle: the bound closes
// only connections idle between two requests, whose clients send their
// request again on a new one, as net/http reports them. A client whose new
// connection were closed before its first request would see that request
// fail (clients retry only on a reused connection).
func TestFastLaneNewConnectionIsNotReclaimed(t *testing.T) {
	addr, _, _ := newLimitedServer(t, 1)
	first := dialKeepAlive(t, addr)
	// Its place taken (the lane has accepted it), the first connection sends
	// nothing for longer than the idle age that lets a waiting one reclaim it.
	time.Sleep(idleReclaimAge + idleReclaimAge/2)
	second := dialKeepAlive(t, addr)
	second.send(t, alphaPath)
	if _, err := second.answer(time.Now().Add(idleReclaimAge)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("la deuxième connexion a été servie (%v) : la première, sans requête encore, a été fermée pour elle", err)
	}
	first.send(t, alphaPath)
	if status, err := first.answer(time.Now().Add(5 * time.Second)); err != nil || status != http.StatusOK {
		t.Fatalf("première connexion : statut %d, %v", status, err)
	}
}

// An answer the lane sends while the server stops says Connection: close, as
// net/http's do, so that the client does not send its next request on a
// connection about to close.
func TestFastLaneAnswerDuringShutdownSaysClose(t *testing.T) {
	var srv *http.Server
	entered, release := make(chan struct{}), make(chan struct{})
	addr, lane := serveLane(t, testStateServer(t), func(h *http.Server) {
		srv = h
		engine := h.Handler
		h.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-release
			engine.ServeHTTP(w, r)
		})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	c := dialRaw(t, addr)
	if _, err := c.conn.Write([]byte("GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- lane.shutdown(ctx) }()
	srv.Shutdown(ctx)
	for !lane.shutting.Load() {
		time.Sleep(time.Millisecond)
	}
	close(release)
	c.conn.SetDeadline(time.Now().Add(5 * time.Second))
	resp, _, raw := c.next(t, http.MethodGet)
	if resp.StatusCode != http.StatusOK || !resp.Close {
		t.Fatalf("réponse pendant l'arrêt sans « Connection: close » :\n%.400s", raw)
	}
	if lane.counts.answered.Load() != 1 {
		t.Fatal("la voie rapide n'a pas pris la requête")
	}
	if _, err := c.br.ReadByte(); err != io.EOF {
		t.Fatalf("la connexion est restée ouverte après la réponse (%v)", err)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

// A connection the server stops before its first request is left a few
// seconds to send it, as net/http leaves its new connections: a client that
// connected just before the stop has its request answered, with
// Connection: close, not its new connection closed under it.
func TestFastLaneNewConnectionGetsItsAnswerDuringShutdown(t *testing.T) {
	addr, lane := serveLane(t, testStateServer(t))
	c := dialRaw(t, addr)
	for {
		lane.mu.Lock()
		n := len(lane.conns)
		lane.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- lane.shutdown(ctx) }()
	for !lane.shutting.Load() {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	resp, _, raw := c.exchange(t, "GET "+alphaPath+" HTTP/1.1\r\nHost: test\r\n\r\n")
	if resp.StatusCode != http.StatusOK || !resp.Close {
		t.Fatalf("réponse pendant l'arrêt :\n%.400s", raw)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

// A head cut across reads, at any byte, is read whole by the lane and
// answered; two requests cut anywhere get their two answers.
func TestFastLaneReadsAHeadCutAcrossReads(t *testing.T) {
	addr, lane := serveLane(t, testStateServer(t))
	request := "GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\nUser-Agent: cut\r\n\r\n"
	two := request + request
	for cut := 1; cut < len(two); cut += 7 {
		c := dialRaw(t, addr)
		c.conn.SetDeadline(time.Now().Add(30 * time.Second))
		c.conn.Write([]byte(two[:cut]))
		time.Sleep(5 * time.Millisecond)
		c.conn.Write([]byte(two[cut:]))
		for i := range 2 {
			if resp, body, _ := c.next(t, http.MethodGet); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"status"`) {
				t.Fatalf("coupe à l'octet %d, réponse %d : statut %d, %s", cut, i+1, resp.StatusCode, body)
			}
		}
		c.conn.Close()
	}
	if got, want := lane.counts.answered.Load(), uint64(2*((len(two)-2)/7+1)); got != want {
		t.Fatalf("la voie rapide a répondu à %d requêtes, %d attendues", got, want)
	}
}

// The head timeout counts from a new connection's start, as net/http counts
// it, however the head trickles in: a client that sends its first bytes late
// and then one at a time is cut at the timeout, not given a second one.
func TestFastLaneHeadTimeoutCountsFromTheStart(t *testing.T) {
	const timeout = time.Second
	addr, _ := serveLane(t, testStateServer(t), func(h *http.Server) { h.ReadHeaderTimeout = timeout })
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	time.Sleep(timeout * 8 / 10)
	closed := make(chan time.Duration, 1)
	go func() {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		conn.Read(make([]byte, 1))
		closed <- time.Since(start)
	}()
	head := "GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\nUser-Agent: " + strings.Repeat("x", 200)
	for i := 0; i < len(head); i++ {
		if _, err := conn.Write([]byte{head[i]}); err != nil {
			break
		}
		select {
		case d := <-closed:
			if d > timeout*3/2 {
				t.Fatalf("connexion fermée après %v, le délai de tête (%v) comptant depuis son ouverture", d, timeout)
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("connexion toujours ouverte après %v, le délai de tête étant de %v", time.Since(start), timeout)
}

// A header value is written as net/http writes it, whether plain or not.
func TestAppendHeaderValueAsNetHTTP(t *testing.T) {
	for _, v := range []string{"", "a", "nosniff", " a", "a ", "\ta", "a\t", "a b", "a\tb", "a\r\nb", "a\nb", "\r\n", " ", "a\rb", "é à", "\r\na\r\n"} {
		var want bytes.Buffer
		if err := (http.Header{"X": {v}}).Write(&want); err != nil {
			t.Fatal(err)
		}
		if got := "X: " + string(appendHeaderValue(nil, v)) + "\r\n"; got != want.String() {
			t.Errorf("%q is written %q; net/http writes %q", v, got, want.String())
		}
	}
}
