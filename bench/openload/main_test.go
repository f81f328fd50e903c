//go:build linux

package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// testConfig sends numbered paths (/n/<i>) to srv.
func testConfig(t *testing.T, srv *httptest.Server, rate float64, duration time.Duration, connections int) config {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	total := int(rate * duration.Seconds())
	return config{
		target: u, rate: rate, duration: duration, connections: connections,
		points: total, seed: 1, timeout: 10 * time.Second,
		path: func(i int) string { return "/n/" + strconv.Itoa(i) },
	}
}

// requestNumber is i of /n/<i>.
func requestNumber(t *testing.T, r *http.Request) int {
	n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/n/"))
	if err != nil {
		t.Errorf("chemin inattendu %q", r.URL.Path)
	}
	return n
}

func TestSendsEveryScheduledRequestOnce(t *testing.T) {
	var (
		mu    sync.Mutex
		seen  = map[int]int{}
		query = map[string]int{}
		conns atomic.Int64
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[requestNumber(t, r)]++
		query[r.URL.RawQuery]++
		mu.Unlock()
		w.Write([]byte(`{"ok":true}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	cfg := testConfig(t, srv, 2000, 250*time.Millisecond, 8)
	cfg.suffix = "?options=0"
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The answers were read after the handler wrote them, but through system
	// calls that the race detector does not see as synchronisation.
	mu.Lock()
	defer mu.Unlock()
	if res.scheduled != 500 || res.completed != 500 || res.non200+res.failed+res.unsent != 0 {
		t.Fatalf("prévues %d, 200 %d, autres %d, erreurs %d, non envoyées %d ; 500 réponses 200 attendues",
			res.scheduled, res.completed, res.non200, res.failed, res.unsent)
	}
	if len(seen) != 500 {
		t.Fatalf("%d requêtes distinctes reçues, 500 attendues", len(seen))
	}
	for i := range 500 {
		if seen[i] != 1 {
			t.Errorf("requête %d reçue %d fois", i, seen[i])
		}
	}
	if query["options=0"] != 500 {
		t.Errorf("suffixe : requêtes par chaîne de requête %v", query)
	}
	if res.bodyBytes != 500*int64(len(`{"ok":true}`)) {
		t.Errorf("%d octets de corps lus, %d attendus", res.bodyBytes, 500*len(`{"ok":true}`))
	}
	if n := conns.Load(); n != 8 {
		t.Errorf("%d connexions ouvertes, 8 attendues (persistantes)", n)
	}
}

// A server that stalls once holds up every request due during the stall: each
// of them is answered after the stall ends, and its latency counts from the
// time it was due, so that the queue shows in the high percentiles and not
// only in the few requests in flight when the stall began.
func TestLatencyCountsFromTheScheduledTime(t *testing.T) {
	const stall = 200 * time.Millisecond
	var (
		gate                 sync.Mutex // held by the stalled request: every other waits
		stallBegin, stallEnd time.Time
		stallDone            = make(chan struct{})
		others               int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestNumber(t, r) == 100 {
			gate.Lock()
			stallBegin = time.Now()
			time.Sleep(stall)
			stallEnd = time.Now()
			close(stallDone)
			gate.Unlock()
		} else {
			gate.Lock() // waits for the stall, if any
			others++
			gate.Unlock()
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	cfg := testConfig(t, srv, 1000, time.Second, 4)
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	<-stallDone
	gate.Lock()
	defer gate.Unlock()
	if res.completed != res.scheduled || others != res.scheduled-1 {
		t.Fatalf("%d réponses 200 sur %d prévues, %d passées par le serveur en plus de celle bloquée", res.completed, res.scheduled, others)
	}
	interval := time.Second / 1000
	queued := 0
	for i, l := range res.latencies {
		due := res.start.Add(time.Duration(i) * interval)
		if due.Before(stallBegin) || !due.Before(stallEnd) {
			continue
		}
		// Sent no earlier than due, so after the stall began: answered after it ended.
		queued++
		if floor := stallEnd.Sub(due); l < floor {
			t.Errorf("requête %d, prévue %s après le début du blocage : latence %s, au moins %s attendus",
				i, due.Sub(stallBegin), l, floor)
		}
	}
	// 1,000/s over a 200 ms stall: about 200 requests due during it, far more
	// than the 4 connections could have in flight.
	if queued < 150 {
		t.Fatalf("%d requêtes prévues pendant le blocage, environ 200 attendues", queued)
	}
	// At least 100 of the 1,000 requests were due in the first half of the
	// stall and so waited at least 100 ms.
	sorted := append([]time.Duration(nil), res.latencies...)
	slices.Sort(sorted)
	if p99 := percentile(sorted, 0.99); p99 < stall/2 {
		t.Errorf("p99 %s : la file derrière le blocage de %s n'y est pas", p99, stall)
	}
}

func TestReadsContentLengthAndChunkedAnswers(t *testing.T) {
	body := strings.Repeat("zonage ", 5000) // 35 KB: several reads
	var chunked, sized atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestNumber(t, r)%2 == 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write([]byte(body))
			sized.Add(1)
			return
		}
		// Flushed before the end and without a length: chunked.
		w.Write([]byte(body[:100]))
		w.(http.Flusher).Flush()
		w.Write([]byte(body[100:]))
		chunked.Add(1)
	}))
	defer srv.Close()
	cfg := testConfig(t, srv, 1000, 200*time.Millisecond, 2)
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.completed != 200 || res.failed+res.non200+res.unsent != 0 {
		t.Fatalf("200 : %d, autres %d, erreurs %d, non envoyées %d ; 200 réponses 200 attendues", res.completed, res.non200, res.failed, res.unsent)
	}
	if chunked.Load() != 100 || sized.Load() != 100 {
		t.Fatalf("%d réponses par morceaux et %d de longueur connue, 100 de chaque attendues", chunked.Load(), sized.Load())
	}
	if want := int64(200 * len(body)); res.bodyBytes != want {
		t.Errorf("%d octets de corps lus, %d attendus", res.bodyBytes, want)
	}
}

func TestCountsOtherStatusesAndKeepsGoing(t *testing.T) {
	var errorsSent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestNumber(t, r)%10 == 3 {
			errorsSent.Add(1)
			http.Error(w, "panne", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	cfg := testConfig(t, srv, 1000, 200*time.Millisecond, 2)
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if errorsSent.Load() != 20 || res.non200 != 20 || res.completed != 180 || res.failed != 0 {
		t.Fatalf("500 envoyées %d, comptées %d ; 200 : %d ; erreurs %d ; 20, 20, 180 et 0 attendus",
			errorsSent.Load(), res.non200, res.completed, res.failed)
	}
}

// A connection the server closes mid-answer is an error, and the next request
// goes on a new connection.
func TestCountsBrokenConnectionsAndRedials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestNumber(t, r) == 7 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ncourt"))
			conn.Close()
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	cfg := testConfig(t, srv, 1000, 100*time.Millisecond, 1)
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.failed != 1 || res.completed != 99 {
		t.Fatalf("erreurs %d, 200 : %d ; 1 et 99 attendus", res.failed, res.completed)
	}
}

// No request leaves before it is due: the server sees each one no earlier
// than start + i/rate.
func TestNoRequestLeavesBeforeItIsDue(t *testing.T) {
	var (
		mu      sync.Mutex
		arrived = map[int]time.Time{}
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		mu.Lock()
		arrived[requestNumber(t, r)] = now
		mu.Unlock()
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	cfg := testConfig(t, srv, 2000, 200*time.Millisecond, 4)
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(arrived) != res.scheduled || res.completed != res.scheduled {
		t.Fatalf("%d requêtes reçues, %d réponses 200, %d prévues", len(arrived), res.completed, res.scheduled)
	}
	interval := time.Second / 2000
	for i, at := range arrived {
		if due := res.start.Add(time.Duration(i) * interval); at.Before(due) {
			t.Errorf("requête %d reçue %s avant l'heure prévue", i, due.Sub(at))
		}
	}
}

// An answer with Connection: close ends its connection: the next requests go
// on the others or on a new one, and none is lost on the closed one.
func TestHonoursConnectionClose(t *testing.T) {
	var (
		closing atomic.Int64
		conns   atomic.Int64
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestNumber(t, r)%3 == 0 {
			w.Header().Set("Connection", "close")
			closing.Add(1)
		}
		fmt.Fprint(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	cfg := testConfig(t, srv, 1000, 300*time.Millisecond, 1)
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.completed != 300 || res.failed != 0 {
		t.Fatalf("200 : %d, erreurs %d ; 300 et 0 attendus", res.completed, res.failed)
	}
	// One connection: each close makes the next request dial a new one, the
	// last close (request 297) included.
	if closing.Load() != 100 || conns.Load() != 101 {
		t.Errorf("%d réponses avec Connection: close, %d connexions ; 100 et 101 attendues", closing.Load(), conns.Load())
	}
}

// A request not answered within the time limit is an error, counted from when
// it was due; the connection is dialled again and the run goes on.
func TestCountsTimeoutsAsErrors(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestNumber(t, r) == 5 {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	defer close(release)
	cfg := testConfig(t, srv, 1000, 100*time.Millisecond, 2)
	// Far above what an answer takes, even with the race detector on a busy machine.
	cfg.timeout = 500 * time.Millisecond
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.failed != 1 || res.completed != 99 {
		t.Fatalf("erreurs %d, 200 : %d ; 1 et 99 attendus", res.failed, res.completed)
	}
	if l := res.latencies[5]; l < cfg.timeout {
		t.Errorf("latence de la requête expirée %s, au moins %s attendus", l, cfg.timeout)
	}
}

// A server that answers nothing: the requests sent time out, the others are
// not sent once the run has spent its grace, and they are reported unsent
// with the time they waited.
func TestReportsUnsentRequests(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := testConfig(t, srv, 100, 100*time.Millisecond, 1)
	cfg.timeout = 300 * time.Millisecond
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The grace is a second at least: requests go one by one, each waiting
	// 300 ms, until 1.1 s after the start.
	if res.completed != 0 || res.failed < 3 || res.unsent == 0 || res.failed+res.unsent != 10 {
		t.Fatalf("200 : %d, erreurs %d, non envoyées %d ; 0, au moins 3, et le reste des 10 attendus", res.completed, res.failed, res.unsent)
	}
	// The last request, due at 90 ms, waited at least until the end of the grace.
	if l := res.latencies[9]; l < time.Second {
		t.Errorf("latence de la dernière requête non envoyée %s, plus d'une seconde attendue", l)
	}
}

// The server closes idle connections (its keep-alive timeout): as with the
// goroutine per connection the generator had, the next request sent on such
// a connection is an error, and the one after it goes on a new connection.
func TestCountsRequestsSentOnConnectionsTheServerClosedWhileIdle(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	}))
	srv.Config.IdleTimeout = 20 * time.Millisecond
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	cfg := testConfig(t, srv, 10, 600*time.Millisecond, 1)
	res, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 100 ms between requests: each connection answers one, is closed 20 ms
	// later, and fails the next.
	if res.completed != 3 || res.failed != 3 || conns.Load() != 3 {
		t.Fatalf("200 : %d, erreurs %d, connexions %d ; 3, 3 et 3 attendues", res.completed, res.failed, conns.Load())
	}
}

// Cancelling the run (SIGINT) stops the sending at once; what was measured
// is reported, the rest as unsent.
func TestCancellingEndsTheRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestNumber(t, r) == 100 {
			cancel()
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	cfg := testConfig(t, srv, 1000, 20*time.Second, 2)
	res, err := run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Request 100 is answered; a few more may have left before the loop saw
	// the cancellation, not a second's worth.
	if res.completed < 101 || res.completed > 1000 || res.completed+res.unsent != res.scheduled || res.failed != 0 {
		t.Fatalf("200 : %d, non envoyées %d, erreurs %d sur %d prévues ; un peu plus de 100 réponses puis le reste non envoyé",
			res.completed, res.unsent, res.failed, res.scheduled)
	}
}

// An answer read late is counted from when it came: receive returns the
// kernel's stamp of its arrival, not the time of the read.
func TestReceiveReturnsTheArrivalTime(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr, family, err := resolve(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Connect(fd, addr); err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	l := &loop{start: time.Now(), buf: make([]byte, 1024), control: make([]byte, 64)}
	// The kernel starts stamping a little after the first socket asks for
	// it (a deferred switch): until then receive gives the time of the read.
	for try := 0; ; try++ {
		if _, err := server.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
		_, arrived, err := l.receive(&conn{fd: fd})
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(l.start)-arrived >= 5*time.Millisecond {
			break
		}
		if try == 100 {
			t.Fatal("aucune heure d'arrivée du noyau en une seconde")
		}
	}
	if _, err := server.Write([]byte("bonjour")); err != nil {
		t.Fatal(err)
	}
	written := time.Since(l.start)
	time.Sleep(100 * time.Millisecond)
	n, arrived, err := l.receive(&conn{fd: fd})
	read := time.Since(l.start)
	if err != nil || n != len("bonjour") {
		t.Fatalf("%d octets lus, erreur %v", n, err)
	}
	// On the loopback the bytes reach the socket within the server's write.
	if arrived > written || read-arrived < 100*time.Millisecond {
		t.Errorf("arrivée à %s, écriture finie à %s, lecture à %s : l'heure d'arrivée, avant la pause de 100 ms, attendue", arrived, written, read)
	}
}
