package onewrite

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"zonage/internal/onewrite/onewritetest"
)

// tcpPair is both ends of a real loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// A held answer leaves in one write when net/http clears the request's write
// deadline, or when the connection closes or half-closes; past MaxHeld it
// leaves at once; and after it, writes go straight through again.
func TestServerConnHoldsAnAnswerUntilItIsComplete(t *testing.T) {
	raw, client := tcpPair(t)
	counted := &onewritetest.Conn{Conn: raw}
	c := &Conn{Conn: counted}

	c.Hold()
	for _, part := range []string{"HTTP/1.1 200 OK\r\n", "Content-Length: 5\r\n\r\n", "hello"} {
		if n, err := c.Write([]byte(part)); err != nil || n != len(part) {
			t.Fatalf("held write: %d, %v", n, err)
		}
	}
	if w := counted.Taken(); len(w) != 0 {
		t.Fatalf("writes reached the connection while the answer was held: %v", w)
	}
	if err := c.SetWriteDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if w := counted.Taken(); len(w) != 1 || w[0] != 17+21+5 {
		t.Fatalf("the held answer left in writes of %v, want one of %d bytes", w, 17+21+5)
	}
	got := make([]byte, 43)
	if _, err := io.ReadFull(client, got); err != nil || !bytes.HasSuffix(got, []byte("hello")) {
		t.Fatalf("client read %q, %v", got, err)
	}

	// Not holding: each write goes through.
	c.Write([]byte("a"))
	c.Write([]byte("b"))
	if w := counted.Taken(); len(w) != 2 {
		t.Fatalf("unheld writes: %v, want 2", w)
	}

	// Past the bound, what is held leaves, then the big write.
	c.Hold()
	c.Write([]byte("x"))
	big := bytes.Repeat([]byte("y"), MaxHeld)
	if n, err := c.Write(big); err != nil || n != len(big) {
		t.Fatalf("write past the bound: %d, %v", n, err)
	}
	if w := counted.Taken(); len(w) != 2 || w[0] != 1 || w[1] != MaxHeld {
		t.Fatalf("past the bound, writes %v, want [1 %d]", w, MaxHeld)
	}
	if _, err := io.ReadFull(client, make([]byte, 2+1+MaxHeld)); err != nil {
		t.Fatal(err)
	}

	// Half-closing and closing write what is held first.
	c.Hold()
	c.Write([]byte("bye"))
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(client)
	if err != nil || string(rest) != "bye" {
		t.Fatalf("after CloseWrite the client read %q, %v", rest, err)
	}
	raw2, client2 := tcpPair(t)
	c2 := &Conn{Conn: raw2}
	c2.Hold()
	c2.Write([]byte("late"))
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}
	if rest, err := io.ReadAll(client2); err != nil || string(rest) != "late" {
		t.Fatalf("after Close the client read %q, %v: Close must write what is held", rest, err)
	}
}

// Through net/http: a handler that holds its answer sends it, headers and a
// body four times net/http's buffer, in one write, answer after answer on a
// kept-alive connection; one that does not takes several; Hold reports false
// for a request that came another way.
func TestHoldThroughNetHTTP(t *testing.T) {
	body := bytes.Repeat([]byte("z"), 16<<10)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("hold") == "1" && !Hold(r) {
			t.Error("Hold: the connection was not found in the request's context")
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan *onewritetest.Conn, 1)
	srv := &http.Server{Handler: handler, ConnContext: ConnContext, WriteTimeout: time.Minute}
	go srv.Serve(Listener{onewritetest.Listener{Listener: ln, Conns: conns}})
	defer srv.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	counted := <-conns
	r := bufio.NewReader(client)
	for _, hold := range []string{"1", "1", "0", "1"} {
		counted.Taken()
		io.WriteString(client, "GET /?hold="+hold+" HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("hold=%s: %d bytes, %v", hold, len(got), err)
		}
		w := counted.Taken()
		if hold == "1" && len(w) != 1 {
			t.Errorf("held answer left in %d writes %v, want 1", len(w), w)
		}
		if hold == "0" && len(w) < 2 {
			t.Errorf("an answer not held left in %d write: the test no longer shows what holding changes", len(w))
		}
	}
	if Hold(httptest.NewRequest(http.MethodGet, "/", nil)) {
		t.Error("Hold reported true for a request without a connection")
	}
}
