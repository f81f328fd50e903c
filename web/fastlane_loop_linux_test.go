package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The event loops answer a kept-alive connection's plain requests
// themselves, one after the other, with the bytes the goroutine path sends.
func TestLaneLoopAnswersPlainRequests(t *testing.T) {
	s := testStateServer(t)
	addr, lane := serveLane(t, s)
	c := dialRaw(t, addr)
	get := "GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\n\r\n"
	var first []byte
	for i := range 10 {
		resp, body, _ := c.exchange(t, get)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"status"`) {
			t.Fatalf("réponse %d : statut %d, %.200s", i+1, resp.StatusCode, body)
		}
		if i == 0 {
			first = body
		} else if !bytes.Equal(body, first) {
			t.Fatalf("réponse %d différente de la première :\n%s\n%s", i+1, body, first)
		}
	}
	if got := loopAnswers(lane, 10); got != 10 {
		t.Fatalf("les boucles d'événements ont répondu à %d requêtes sur 10 (%d connexions confiées à une goroutine)", got, lane.counts.handedOver.Load())
	}
	// What they did is in the server's metrics.
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, series := range []string{"zonage_fastlane_answers_total 10\n", "zonage_fastlane_loop_answers_total 10\n", "zonage_fastlane_loop_handoffs_total 0\n"} {
		if !strings.Contains(rec.Body.String(), series) {
			t.Errorf("/metrics n'a pas %q", strings.TrimSpace(series))
		}
	}
}

// A client that sends requests faster than it reads the answers fills the
// socket: the loop moves the connection to its own goroutine, which sends the
// rest of the answer the socket did not take and goes on with the requests
// read, in order, none lost.
func TestLaneLoopMovesASlowReaderToItsGoroutine(t *testing.T) {
	addr, lane := serveLane(t, testStateServer(t))
	c := dialRaw(t, addr)
	c.conn.SetDeadline(time.Now().Add(60 * time.Second))
	get := "GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\n\r\n"
	const requests = 3000
	sent := make(chan error, 1)
	go func() {
		_, err := io.WriteString(c.conn, strings.Repeat(get, requests))
		sent <- err
	}()
	time.Sleep(200 * time.Millisecond) // the answers fill the socket meanwhile
	var first []byte
	for i := range requests {
		resp, body, _ := c.next(t, http.MethodGet)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("réponse %d : statut %d", i+1, resp.StatusCode)
		}
		if i == 0 {
			first = body
		} else if !bytes.Equal(body, first) {
			t.Fatalf("réponse %d différente de la première", i+1)
		}
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if lane.counts.handedOver.Load() == 0 {
		t.Fatalf("%d réponses de %d octets sans que le socket en refuse une : le test n'a pas rempli le socket", requests, len(first))
	}
	if got := lane.counts.answered.Load(); got != requests {
		t.Fatalf("la voie rapide a répondu à %d requêtes sur %d", got, requests)
	}
}

// The loops keep net/http's timeouts: a new connection that sends nothing is
// closed after the head timeout, a kept-alive one after the idle timeout.
func TestLaneLoopClosesSilentConnections(t *testing.T) {
	const timeout = 300 * time.Millisecond
	addr, lane := serveLane(t, testStateServer(t), func(h *http.Server) {
		h.ReadHeaderTimeout = timeout
		h.IdleTimeout = timeout
	})
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	kept := dialRaw(t, addr)
	if resp, _, _ := kept.exchange(t, "GET "+alphaPath+" HTTP/1.1\r\nHost: test\r\n\r\n"); resp.StatusCode != http.StatusOK {
		t.Fatalf("statut %d", resp.StatusCode)
	}
	for name, conn := range map[string]net.Conn{"nouvelle connexion muette": silent, "connexion gardée inactive": kept.conn} {
		start := time.Now()
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := conn.Read(make([]byte, 1))
		var ne net.Error
		if n != 0 || errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s : %d octets, %v après %v ; fermée après %v attendu", name, n, err, time.Since(start), timeout)
		}
	}
	if got := loopAnswers(lane, 1); got != 1 {
		t.Fatalf("les boucles ont répondu à %d requêtes, 1 attendue", got)
	}
}

// loopAnswers is the loops' count of answers once it reaches want, or after
// 5 s: a loop counts an answer after writing it, and the client may have read
// it before.
func loopAnswers(lane *fastLane, want uint64) uint64 {
	deadline := time.Now().Add(5 * time.Second)
	for lane.counts.loopAnswered.Load() < want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	return lane.counts.loopAnswered.Load()
}

// An event loop answers a kept-alive connection's plain requests without
// allocating: under load, every allocation is the collector's work. The
// client reads the answers into one buffer, allocating nothing either, and
// the whole process's allocations are counted.
func TestLaneLoopAnswersWithoutAllocating(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector's instrumentation allocates")
	}
	// As bench/run.sh runs it: the access log's lines are not written.
	today := "2025-06-01"
	quiet := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := New(context.Background(), Config{Logger: quiet}, func(context.Context) (*State, error) { return testState(&today), nil })
	if err != nil {
		t.Fatal(err)
	}
	addr, lane := serveLane(t, s)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	get := []byte("GET " + alphaPath + " HTTP/1.1\r\nHost: test\r\n\r\n")
	buf := make([]byte, 64<<10)
	ask := func() {
		if _, err := conn.Write(get); err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			m, err := conn.Read(buf[n:])
			if err != nil {
				t.Fatal(err)
			}
			n += m
			head := bytes.Index(buf[:n], []byte("\r\n\r\n"))
			if head < 0 {
				continue
			}
			_, after, ok := bytes.Cut(buf[:head], []byte("Content-Length: "))
			if !ok {
				t.Fatalf("réponse sans longueur : %q", buf[:head])
			}
			length, _, _ := bytes.Cut(after, []byte("\r\n"))
			size, err := strconv.Atoi(string(length))
			if err != nil {
				t.Fatal(err)
			}
			if n >= head+4+size {
				return
			}
		}
	}
	for range 100 {
		ask()
	}
	const requests = 2000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range requests {
		ask()
	}
	runtime.ReadMemStats(&after)
	if got := loopAnswers(lane, 100+requests); got != 100+requests {
		t.Fatalf("les boucles d'événements ont répondu à %d requêtes sur %d", got, 100+requests)
	}
	// A little room for the runtime's and the server's own goroutines.
	if allocs := after.Mallocs - before.Mallocs; allocs > requests/20 {
		t.Errorf("%d allocations pour %d requêtes servies par les boucles", allocs, requests)
	}
}
