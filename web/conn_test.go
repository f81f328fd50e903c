package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"zonage/internal/onewrite/onewritetest"
)

// servedConn starts the server as Serve does, on a loopback listener whose
// connections count their writes, and returns a client connection and the
// server's side of it.
func servedConn(t *testing.T, s *Server) (client net.Conn, counted *onewritetest.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan *onewritetest.Conn, 1)
	srv := s.httpServer(ln.Addr().String())
	served, lane := s.listener(onewritetest.Listener{Listener: ln, Conns: conns}, srv)
	go srv.Serve(served)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		lane.shutdown(ctx)
	})
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client, <-conns
}

// Over a real connection: an answer to coordinates, full (tens of KB) or
// without options, leaves in one write whatever its size, with its length;
// its bytes are those the handler writes; HEAD, gzip and Connection: close
// answers are whole too; and a CSV streamed after them on the same connection
// is not held.
func TestResolveAnswersLeaveInOneWrite(t *testing.T) {
	st := loadFrance(t)
	load := func(context.Context) (*State, error) { return st, nil }
	s, err := New(context.Background(), Config{}, load)
	if err != nil {
		t.Fatal(err)
	}
	s.noBackgroundFill = true
	client, counted := servedConn(t, s)
	r := bufio.NewReader(client)

	ask := func(method, target string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req := method + " " + target + " HTTP/1.1\r\nHost: zonage\r\n"
		for i := 0; i+1 < len(header); i += 2 {
			req += header[i] + ": " + header[i+1] + "\r\n"
		}
		if _, err := io.WriteString(client, req+"\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(r, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	recorded := func(target string) []byte {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		return rec.Body.Bytes()
	}

	targets := []string{
		"/api/v1/resolve?lat=45.05&lon=2.9",                          // Valuéjols, très sous-dotée: the largest answers
		"/api/v1/resolve?lat=45.05&lon=2.9",                          // now a ready answer
		"/api/v1/resolve?lat=45.05&lon=2.9&options=0",                // small: one write already
		"/api/v1/resolve?lat=48.8566&lon=2.3522",                     // Paris, an arrondissement
		"/api/v1/resolve?lat=46.5&lon=-1.9",                          // at sea, near Les Sables-d'Olonne
		"/api/v1/resolve?lat=45.05&lon=2.9&statut=collaborateur",     // the general path
		"/api/v1/resolve?lat=45.05&lon=2.9&profession=infirmier",     // another profession
		"/api/v1/resolve?postcode=15300&city=Mura",                   // an address, by the general path
		"/api/v1/resolve?lat=45.05&lon=2.9&date=2025-01-01",          // another day
		"/api/v1/resolve?lat=45.05&lon=2.9&profession=orthophoniste", // and another
	}
	for _, target := range targets {
		counted.Taken()
		resp, body := ask(http.MethodGet, target)
		writes := counted.Taken()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", target, resp.StatusCode, body)
		}
		if len(writes) != 1 {
			t.Errorf("%s: the answer (%d bytes) left in %d writes %v, want 1", target, len(body), len(writes), writes)
		}
		if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) || len(resp.TransferEncoding) != 0 {
			t.Errorf("%s: Content-Length %q, transfer encoding %v, for a body of %d bytes", target, cl, resp.TransferEncoding, len(body))
		}
		if want := recorded(target); !bytes.Equal(body, want) {
			t.Errorf("%s: the body sent differs from the handler's\nsent:    %.300s\nhandler: %.300s", target, body, want)
		}
	}

	full := recorded(targets[0])
	if len(full) < 16<<10 {
		t.Fatalf("the full answer is %d bytes: the test needs one larger than net/http's buffers", len(full))
	}
	resp, body := ask(http.MethodHead, targets[0])
	if w := counted.Taken(); len(w) != 1 || len(body) != 0 || resp.Header.Get("Content-Length") != strconv.Itoa(len(full)) {
		t.Errorf("HEAD: writes %v, body %d bytes, Content-Length %q (want %d)", w, len(body), resp.Header.Get("Content-Length"), len(full))
	}
	resp, body = ask(http.MethodGet, targets[0], "Accept-Encoding", "gzip")
	if w := counted.Taken(); len(w) != 1 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip: writes %v, Content-Encoding %q", w, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if unzipped, err := io.ReadAll(zr); err != nil || !bytes.Equal(unzipped, full) {
		t.Errorf("gzip: the unzipped answer differs (%v)", err)
	}

	// A CSV streamed on the same connection: rows leave as they are made (one
	// write per flush of net/http's buffer), never held in one piece.
	var csv strings.Builder
	csv.WriteString("id;latitude;longitude\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&csv, "%d;45.05;2.9\n", i)
	}
	counted.Taken()
	req := "POST /api/v1/classify HTTP/1.1\r\nHost: zonage\r\nContent-Type: text/csv\r\nContent-Length: " + strconv.Itoa(csv.Len()) + "\r\n\r\n" + csv.String()
	if _, err := io.WriteString(client, req); err != nil {
		t.Fatal(err)
	}
	cresp, err := http.ReadResponse(r, &http.Request{Method: http.MethodPost})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(cresp.Body)
	cresp.Body.Close()
	if w := counted.Taken(); cresp.StatusCode != http.StatusOK || len(w) < 2 || bytes.Count(out, []byte("\n")) != 3001 {
		t.Errorf("classify: status %d, %d lines, %d writes: a streamed answer must leave as it is made", cresp.StatusCode, bytes.Count(out, []byte("\n")), len(w))
	}

	// Connection: close: the answer is whole before the connection ends.
	resp, body = ask(http.MethodGet, targets[0], "Connection", "close")
	if !bytes.Equal(body, full) || !resp.Close {
		t.Errorf("Connection: close: %d bytes of %d, close %v", len(body), len(full), resp.Close)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Errorf("after Connection: close the connection stays open (%v)", err)
	}
}
