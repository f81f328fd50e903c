package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The ceiling answers with the sizes asked, full or options=0, with their
// length, as the service frames its answers.
func TestConstantAnswersHaveTheSizesAsked(t *testing.T) {
	h := constantAnswers(17000, 1900)
	for target, want := range map[string]int{
		"/api/v1/resolve?lat=45&lon=2":           17000,
		"/api/v1/resolve?lat=45&lon=2&options=0": 1900,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Body.Len() != want || rec.Header().Get("Content-Length") != strconv.Itoa(want) ||
			rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: %d bytes, Content-Length %q, Content-Type %q; want %d", target, rec.Body.Len(),
				rec.Header().Get("Content-Length"), rec.Header().Get("Content-Type"), want)
		}
	}
}

// listenRaw serves the raw mode on a loopback port, with answers of the given
// body sizes, until the test ends.
func listenRaw(t *testing.T, fullBytes, leanBytes int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go serveRaw(ln, rawAnswer(fullBytes, time.Now()), rawAnswer(leanBytes, time.Now()))
	return ln.Addr().String()
}

// readAnswer reads one answer from r as an HTTP client does and checks it is
// a 200 of wantBytes bytes of JSON.
func readAnswer(t *testing.T, r *bufio.Reader, what string, wantBytes int) {
	t.Helper()
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: body: %v", what, err)
	}
	if _, err := http.ParseTime(resp.Header.Get("Date")); err != nil {
		t.Errorf("%s: Date %q: %v", what, resp.Header.Get("Date"), err)
	}
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 1 || resp.ProtoMinor != 1 ||
		len(body) != wantBytes || resp.ContentLength != int64(wantBytes) ||
		resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("%s: %s %s, %d bytes, Content-Length %d, Content-Type %q; want 200, %d bytes of JSON", what,
			resp.Proto, resp.Status, len(body), resp.ContentLength, resp.Header.Get("Content-Type"), wantBytes)
	}
}

const (
	fullTarget = "/api/v1/resolve?lat=45.000000&lon=2.000000"
	leanTarget = "/api/v1/resolve?lat=45.000000&lon=2.000000&options=0"
)

func request(target string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\n\r\n"
}

// listenLoops serves the -loops mode, with two loops, on a loopback port until
// the test ends.
func listenLoops(t *testing.T, fullBytes, leanBytes int) string {
	t.Helper()
	l, addr, err := listenEventLoops("127.0.0.1:0", 2, rawAnswer(fullBytes, time.Now()), rawAnswer(leanBytes, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return addr.String()
}

// Both modes with no HTTP library, each a func serving it until the test ends.
var rawModes = map[string]func(t *testing.T, fullBytes, leanBytes int) string{
	"raw":   listenRaw,
	"loops": listenLoops,
}

// Over one kept-alive connection, the raw and -loops modes answer each
// request head in the order it came: two pipelined in one write, then one
// split between writes, then one more, each with the size its query asks for.
func TestRawModesAnswerEachRequestInOrder(t *testing.T) {
	for mode, listen := range rawModes {
		t.Run(mode, func(t *testing.T) { answersEachRequestInOrder(t, listen(t, 17000, 1900)) })
	}
}

func answersEachRequestInOrder(t *testing.T, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A missing answer fails the test instead of blocking it.
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)

	if _, err := io.WriteString(c, request(fullTarget)+request(leanTarget)); err != nil {
		t.Fatal(err)
	}
	readAnswer(t, r, "first of two pipelined requests", 17000)
	readAnswer(t, r, "second of two pipelined requests, options=0", 1900)

	split := request(leanTarget)
	for _, part := range []string{split[:10], split[10 : len(split)-3], split[len(split)-3:]} {
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatal(err)
		}
	}
	readAnswer(t, r, "request split between three writes, options=0", 1900)

	if _, err := io.WriteString(c, request(fullTarget)); err != nil {
		t.Fatal(err)
	}
	readAnswer(t, r, "request after the others on the same connection", 17000)
}

// The raw mode sends, byte for byte, what the net/http mode sends but for the
// Date's value: both modes load the loopback alike, and bench/run.sh sizes
// both from the headers net/http writes.
func TestRawAnswerIsTheBytesNetHTTPSends(t *testing.T) {
	srv := httptest.NewServer(constantAnswers(17000, 1900))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	for target, size := range map[string]int{fullTarget: 17000, leanTarget: 1900} {
		if _, err := io.WriteString(c, request(target)); err != nil {
			t.Fatal(err)
		}
		var wire bytes.Buffer
		var date time.Time
		length := -1
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: head: %v", target, err)
			}
			wire.WriteString(line)
			if value, ok := strings.CutPrefix(line, "Date: "); ok {
				if date, err = http.ParseTime(strings.TrimSuffix(value, "\r\n")); err != nil {
					t.Fatalf("%s: %q: %v", target, line, err)
				}
			}
			if value, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				length, _ = strconv.Atoi(strings.TrimSuffix(value, "\r\n"))
			}
			if line == "\r\n" {
				break
			}
		}
		if length < 0 {
			t.Fatalf("%s: no Content-Length in %q", target, wire.String())
		}
		if _, err := io.CopyN(&wire, r, int64(length)); err != nil {
			t.Fatalf("%s: body: %v", target, err)
		}
		if raw := rawAnswer(size, date); !bytes.Equal(wire.Bytes(), raw) {
			t.Errorf("%s: net/http sends %d bytes:\n%.300q\nthe raw mode %d:\n%.300q", target, wire.Len(), wire.String(), len(raw), raw)
		}
	}
}

// The raw mode's goroutine for a connection returns, closing it, when the
// client closes it between two requests or in the middle of a head, and when a
// head is too long to be one.
func TestRawModeConnectionEnds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write string
		close bool
	}{
		{name: "client closes after an answer", write: request(fullTarget), close: true},
		{name: "client closes mid-head", write: request(fullTarget) + "GET /api/v1/resolve HTTP/1.1\r\nHo", close: true},
		{name: "head longer than the buffer", write: "GET /" + strings.Repeat("a", maxHead) + " HTTP/1.1\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			done := make(chan struct{})
			go func() {
				defer close(done)
				c, err := ln.Accept()
				if err != nil {
					return
				}
				serveRawConn(c, rawAnswer(17000, time.Now()), rawAnswer(1900, time.Now()))
			}()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(c, tc.write); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(c)
			if strings.HasPrefix(tc.write, request(fullTarget)) {
				readAnswer(t, r, "request before the end", 17000)
			}
			if tc.close {
				c.Close()
			} else if n, _ := io.Copy(io.Discard, r); n != 0 {
				// The server closes with the rest of the head unread: the
				// client sees a reset or an end of file, and no answer.
				t.Errorf("after a head too long: %d bytes; want the connection closed without an answer", n)
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the connection's goroutine has not returned 10 s after the connection ended")
			}
		})
	}
}

// When the client sends requests faster than it reads the answers, the -loops
// mode keeps what the socket cannot take yet and sends it later, in order,
// with no answer lost or cut: 1,000 pipelined requests (60 KB, which the
// socket takes at once) are 12 MB of answers, more than the loopback's
// buffers hold while the client waits before reading.
func TestLoopsModeKeepsAnswersTheSocketCannotTakeYet(t *testing.T) {
	c, err := net.Dial("tcp", listenLoops(t, 17000, 1900))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	const requests = 1000
	size := func(i int) int { return []int{17000, 1900}[i%3/2] }
	var all strings.Builder
	for i := range requests {
		all.WriteString(request(map[int]string{17000: fullTarget, 1900: leanTarget}[size(i)]))
	}
	if _, err := io.WriteString(c, all.String()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the server fills the buffers meanwhile
	r := bufio.NewReader(c)
	for i := range requests {
		readAnswer(t, r, "pipelined request "+strconv.Itoa(i), size(i))
		if t.Failed() {
			return
		}
	}
}

// The -loops mode closes a connection whose head is longer than it reads, and
// one its client closed; closing the server ends its loops and closes the
// connections still open.
func TestLoopsModeConnectionEnds(t *testing.T) {
	l, addr, err := listenEventLoops("127.0.0.1:0", 1, rawAnswer(17000, time.Now()), rawAnswer(1900, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	long, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer long.Close()
	long.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(long, "GET /"+strings.Repeat("a", maxHead)+" HTTP/1.1\r\n")
	if n, err := io.Copy(io.Discard, long); n != 0 || isTimeout(err) {
		t.Errorf("after a head too long: %d bytes, %v; want the connection closed without an answer", n, err)
	}

	kept, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	kept.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(kept, request(leanTarget))
	r := bufio.NewReader(kept)
	readAnswer(t, r, "request before the server closes", 1900)
	l.Close()
	if n, err := io.Copy(io.Discard, r); n != 0 || isTimeout(err) {
		t.Errorf("after the server closed: %d bytes, %v; want the connection closed", n, err)
	}
	if _, err := net.Dial("tcp", addr.String()); err == nil {
		t.Error("a connection is accepted after the server closed")
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
