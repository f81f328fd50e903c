// Command ceiling is the bench's reference for what answering alone costs on the
// machine: a server that answers GET /api/v1/resolve with constant bytes of the
// size of the service's answers, without looking anything up, with the same
// framing (a Content-Length, one write per answer). bench/run.sh loads it with
// the same wrk as the service, in two modes:
//
//   - by default, a bare net/http server: a server whose requests go through
//     net/http cannot answer faster than this, so a goal above its rate cannot
//     be met with net/http on that machine, whatever the lookup costs;
//   - with -raw, no HTTP library at all: a goroutine per connection finds the
//     end of each request head ("\r\n\r\n") and writes a prepared answer, the
//     same bytes as net/http's (status line, Content-Length, Content-Type, a
//     Date of the same length, body), parsing nothing else. That is the floor
//     cost of reading a request and writing an answer through the kernel: a
//     goal above this rate cannot be met on that machine by a server that
//     serves each connection on its goroutine, whatever its HTTP stack;
//   - with -loops N (Linux), the raw mode's bytes written by N epoll event
//     loops, one OS thread each, instead of a goroutine per connection: a
//     goal above this rate cannot be met on that machine by a server written
//     in Go, whatever its design, for it is the kernel's own cost of a read
//     and a write per request.
//
// Queries with options=0 get lean bytes, the others full bytes. To run it:
//
//	go run ./bench/ceiling -addr 127.0.0.1:18081 -full 17000 -lean 1900 [-raw | -loops 2]
package main

import (
	"bytes"
	"flag"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"zonage/internal/onewrite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "adresse d'écoute")
	fullBytes := flag.Int("full", 17000, "taille d'une réponse complète, en octets")
	leanBytes := flag.Int("lean", 1900, "taille d'une réponse options=0, en octets")
	raw := flag.Bool("raw", false, "répondre sans bibliothèque HTTP : le plafond de la machine")
	loops := flag.Int("loops", 0, "répondre comme -raw, par ce nombre de boucles d'événements epoll (Linux)")
	flag.Parse()
	if *loops > 0 {
		if _, _, err := listenEventLoops(*addr, *loops, rawAnswer(*fullBytes, time.Now()), rawAnswer(*leanBytes, time.Now())); err != nil {
			log.Fatal(err)
		}
		select {}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *raw {
		log.Fatal(serveRaw(ln, rawAnswer(*fullBytes, time.Now()), rawAnswer(*leanBytes, time.Now())))
	}
	srv := &http.Server{Handler: constantAnswers(*fullBytes, *leanBytes), ConnContext: onewrite.ConnContext}
	log.Fatal(srv.Serve(onewrite.Listener{Listener: ln}))
}

// constantAnswers answers every request with fullBytes bytes, or leanBytes for
// a query with options=0, as the service frames its answers.
func constantAnswers(fullBytes, leanBytes int) http.Handler {
	full, lean := answer(fullBytes), answer(leanBytes)
	fullLength, leanLength := []string{strconv.Itoa(len(full))}, []string{strconv.Itoa(len(lean))}
	contentType := []string{"application/json; charset=utf-8"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, length := full, fullLength
		if strings.Contains(r.URL.RawQuery, "options=0") {
			body, length = lean, leanLength
		}
		h := w.Header()
		h["Content-Type"] = contentType
		h["Content-Length"] = length
		if len(body) > onewrite.MinWorthHolding {
			onewrite.Hold(r)
		}
		w.Write(body)
	})
}

// answer is n bytes of a JSON string: the size matters, not the content.
func answer(n int) []byte {
	if n < 2 {
		n = 2
	}
	return append(append([]byte{'"'}, bytes.Repeat([]byte{'a'}, n-2)...), '"')
}

// rawAnswer is the whole HTTP/1.1 answer net/http sends for a body of n bytes
// from constantAnswers, headers in its order, with a Date fixed at now: the
// same number of bytes on the wire, so that both modes are loaded alike.
func rawAnswer(n int, now time.Time) []byte {
	body := answer(n)
	head := "HTTP/1.1 200 OK\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
		"Content-Type: application/json; charset=utf-8\r\n" +
		"Date: " + now.UTC().Format(http.TimeFormat) + "\r\n\r\n"
	return append([]byte(head), body...)
}

// serveRaw answers each connection of ln in its own goroutine, until ln is
// closed.
func serveRaw(ln net.Listener, full, lean []byte) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go serveRawConn(c, full, lean)
	}
}

// maxHead is the longest request head the raw mode reads; a longer one closes
// the connection. wrk's and curl's heads are under 200 bytes.
const maxHead = 8 << 10

var endOfHead = []byte("\r\n\r\n")

// serveRawConn writes full, or lean when the request line holds options=0,
// once for each complete request head read from c, in the order they came
// (pipelined heads included), each in one write; it returns, closing c, when
// the client closes it or a read or write fails.
func serveRawConn(c net.Conn, full, lean []byte) {
	defer c.Close()
	buf := make([]byte, maxHead)
	start, end := 0, 0 // the bytes read and not yet answered: buf[start:end]
	for {
		for {
			reply, consumed := nextAnswer(buf[start:end], full, lean)
			if consumed == 0 {
				break
			}
			if _, err := c.Write(reply); err != nil {
				return
			}
			start += consumed
		}
		if start == end {
			start, end = 0, 0
		} else if end == len(buf) {
			if start == 0 {
				return
			}
			end = copy(buf, buf[start:end])
			start = 0
		}
		n, err := c.Read(buf[end:])
		if err != nil {
			return
		}
		end += n
	}
}

// nextAnswer finds the first complete request head in pending and returns the
// answer it asks for, lean when its request line holds options=0, and the
// number of bytes the head takes; consumed is 0 when no head is complete.
func nextAnswer(pending, full, lean []byte) (reply []byte, consumed int) {
	i := bytes.Index(pending, endOfHead)
	if i < 0 {
		return nil, 0
	}
	requestLine, _, _ := bytes.Cut(pending[:i], []byte("\r\n"))
	reply = full
	if bytes.Contains(requestLine, []byte("options=0")) {
		reply = lean
	}
	return reply, i + len(endOfHead)
}
