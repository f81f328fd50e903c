package web

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// serveForTest runs s.Serve on a free loopback port until the test ends and
// returns its address and the channel Serve's result arrives on.
func serveForTest(t *testing.T, s *Server) (addr string, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, "127.0.0.1:0", 5*time.Second, func(a string) { ready <- a }) }()
	select {
	case addr = <-ready:
	case err := <-errc:
		t.Fatalf("Serve : %v", err)
	}
	t.Cleanup(cancel)
	return addr, cancel, errc
}

// keepAlive is one client connection sending requests one after the other.
type keepAlive struct {
	conn net.Conn
	br   *bufio.Reader
}

func dialKeepAlive(t *testing.T, addr string) *keepAlive {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &keepAlive{conn: c, br: bufio.NewReader(c)}
}

func (k *keepAlive) send(t *testing.T, path string) {
	t.Helper()
	if _, err := k.conn.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
}

// answer reads the answer to the request sent, waiting at most until deadline.
func (k *keepAlive) answer(deadline time.Time) (int, error) {
	k.conn.SetReadDeadline(deadline)
	resp, err := http.ReadResponse(k.br, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

func (k *keepAlive) get(t *testing.T, path string) int {
	t.Helper()
	k.send(t, path)
	status, err := k.answer(time.Now().Add(30 * time.Second))
	if err != nil {
		t.Fatalf("GET %s : %v", path, err)
	}
	return status
}

func newLimitedServer(t *testing.T, max int) (addr string, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	today := "2026-03-01"
	s, err := New(context.Background(), Config{MaxConnections: max}, func(context.Context) (*State, error) { return testState(&today), nil })
	if err != nil {
		t.Fatal(err)
	}
	return serveForTest(t, s)
}

const alphaPath = "/api/v1/resolve?lat=48.805&lon=2.305"

func TestConnectionsBeyondTheBoundWaitUntilOneCloses(t *testing.T) {
	addr, cancel, done := newLimitedServer(t, 2)
	// Two connections in the middle of their request headers: busy, neither
	// idle (the server gives headers 10 s).
	first, second := dialKeepAlive(t, addr), dialKeepAlive(t, addr)
	for _, c := range []*keepAlive{first, second} {
		if _, err := c.conn.Write([]byte("GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\n")); err != nil {
			t.Fatal(err)
		}
	}

	// The third connection is made (the kernel queues it) but not served while
	// the two others stay open.
	third := dialKeepAlive(t, addr)
	third.send(t, alphaPath)
	if _, err := third.answer(time.Now().Add(300 * time.Millisecond)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("troisième connexion servie au-delà de la limite de 2 (erreur %v)", err)
	}
	// The two first ones are still served.
	for _, c := range []*keepAlive{first, second} {
		if _, err := c.conn.Write([]byte("\r\n")); err != nil {
			t.Fatal(err)
		}
		if status, err := c.answer(time.Now().Add(30 * time.Second)); err != nil || status != http.StatusOK {
			t.Fatalf("connexion dans la limite : %d, %v ; 200 attendu", status, err)
		}
	}

	// One closes: the waiting one is accepted and its request answered.
	first.conn.Close()
	status, err := third.answer(time.Now().Add(30 * time.Second))
	if err != nil || status != http.StatusOK {
		t.Fatalf("après la fermeture d'une connexion, la troisième reçoit %d, %v ; 200 attendu", status, err)
	}
	if status := third.get(t, alphaPath+"&options=0"); status != http.StatusOK {
		t.Fatalf("statut %d, 200 attendu", status)
	}

	// Full again, with a fourth connection waiting: the server still stops.
	fourth := dialKeepAlive(t, addr)
	fourth.send(t, "/healthz")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("arrêt avec une connexion en attente : %v", err)
	}
}

// A kept-alive connection left idle does not hold its place against a new one:
// one idle for a second is closed to make room.
func TestConnectionIdleMakesRoom(t *testing.T) {
	addr, _, _ := newLimitedServer(t, 2)
	first, second := dialKeepAlive(t, addr), dialKeepAlive(t, addr)
	for _, c := range []*keepAlive{first, second} {
		if status := c.get(t, alphaPath); status != http.StatusOK {
			t.Fatalf("statut %d, 200 attendu", status)
		}
	}
	third := dialKeepAlive(t, addr)
	if status := third.get(t, alphaPath); status != http.StatusOK {
		t.Fatalf("connexion en attente : statut %d, 200 attendu", status)
	}
	// One of the two idle ones was closed (which one became idle first, as
	// the server saw it, the client cannot tell); the other still serves.
	closed := 0
	for _, c := range []*keepAlive{first, second} {
		_, err := c.conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"))
		status := 0
		if err == nil {
			status, err = c.answer(time.Now().Add(30 * time.Second))
		}
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			t.Fatal("une connexion ne répond plus sans avoir été fermée")
		case err != nil:
			closed++
		case status != http.StatusOK:
			t.Fatalf("statut %d, 200 attendu", status)
		}
	}
	if closed != 1 {
		t.Fatalf("%d connexions inactives fermées pour la nouvelle, 1 attendue", closed)
	}
}

// The connection closed to make room is the one idle the longest, and only
// once it has been idle for idleReclaimAge.
func TestConnectionLongestIdle(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	limited := limitConnections(ln, 3)
	defer limited.Close()
	now := time.Now()
	conns := map[string]*limitedConn{}
	for name, since := range map[string]time.Time{"busy": {}, "recent": now.Add(-idleReclaimAge / 2),
		"old": now.Add(-3 * idleReclaimAge), "older": now.Add(-5 * idleReclaimAge)} {
		c := &limitedConn{owner: limited}
		if !since.IsZero() {
			c.idleSince.Store(since.UnixNano())
		}
		conns[name] = c
		limited.open[c] = struct{}{}
	}
	if c, since := limited.longestIdle(); c != conns["older"] || since != now.Add(-5*idleReclaimAge).UnixNano() {
		t.Fatal("la connexion choisie n'est pas la plus longtemps inactive")
	}
	delete(limited.open, conns["older"])
	delete(limited.open, conns["old"])
	if c, _ := limited.longestIdle(); c != nil {
		t.Fatal("une connexion inactive depuis moins d'une seconde, ou occupée, a été choisie")
	}
	// The server's states reach the connection through the wrappers of
	// serverListener around it.
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	served, err := serverListener(limited).Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	under := limitedConnOf(served)
	if under == nil {
		t.Fatalf("aucune limitedConn sous la connexion servie (%T)", served)
	}
	limited.connState(served, http.StateIdle)
	if under.idleSince.Load() == 0 {
		t.Fatal("l'état inactif n'a pas été noté")
	}
	limited.connState(served, http.StateActive)
	if under.idleSince.Load() != 0 {
		t.Fatal("l'état actif n'a pas effacé l'inactivité")
	}
}

func TestConnectionLimitGivesEachSlotBackOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	limited := limitConnections(ln, 2)
	defer limited.Close()
	for range 2 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first, err := limited.Accept()
	if err != nil {
		t.Fatal(err)
	}
	second, err := limited.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	// Closed twice (the server and a wrapper may both close it): one slot back.
	first.Close()
	first.Close()
	if n := len(limited.slots); n != 1 {
		t.Fatalf("%d places prises après la fermeture d'une connexion sur deux, 1 attendue", n)
	}
	// Closing the listener releases an Accept holding a connection and waiting
	// for a place (neither open connection is idle: no request was served).
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	limited.slots <- struct{}{}
	errc := make(chan error, 1)
	go func() { _, err := limited.Accept(); errc <- err }()
	limited.Close()
	if err := <-errc; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept après Close : %v, net.ErrClosed attendu", err)
	}
}
