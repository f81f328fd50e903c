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
