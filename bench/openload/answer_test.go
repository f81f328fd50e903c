//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// feedPieces gives answer to a fresh reader in pieces cut at the given
// offsets, then the close of the connection if the answer is not done, and
// returns the reader, the bytes it used and its error.
func feedPieces(answer []byte, cuts []int, closeAtEnd bool) (*answerReader, int, error) {
	var r answerReader
	r.begin()
	used, from := 0, 0
	for _, to := range append(cuts, len(answer)) {
		n, err := r.feed(answer[from:to])
		used += n
		if err != nil {
			return &r, used, err
		}
		if r.done() {
			return &r, used, nil
		}
		from = to
	}
	if closeAtEnd {
		return &r, used, r.atClose()
	}
	return &r, used, nil
}

func TestAnswerReaderReadsWhatNetHTTPReads(t *testing.T) {
	body := strings.Repeat("zonage ", 300)
	cases := []struct {
		name   string
		answer string
		// closes: the body runs until the connection closes, which the
		// test then does.
		closes bool
	}{
		{name: "longueur connue", answer: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2100\r\n\r\n" + body},
		{name: "Connection: close", answer: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2100\r\n\r\n" + body},
		{name: "jetons de Connection", answer: "HTTP/1.1 200 OK\r\nconnection: Upgrade, Close\r\nContent-Length: 2100\r\n\r\n" + body},
		{name: "en-têtes sans distinction de casse", answer: "HTTP/1.1 200 OK\r\ncontent-length: 2100\r\n\r\n" + body},
		{name: "Content-Length répété à l'identique", answer: "HTTP/1.1 200 OK\r\nContent-Length: 2100\r\nContent-Length: 2100\r\n\r\n" + body},
		{name: "corps vide", answer: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
		{name: "par morceaux", answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"64\r\n" + body[:100] + "\r\n7D0;ext=1\r\n" + body[100:] + "\r\n0\r\n\r\n"},
		{name: "par morceaux avec en-têtes de fin", answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"834\r\n" + body + "\r\n0\r\nX-Fin: oui\r\nX-Autre: 2\r\n\r\n"},
		{name: "par morceaux l'emporte sur la longueur", answer: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"a\r\n0123456789\r\n0\r\n\r\n"},
		{name: "jusqu'à la fermeture", answer: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body, closes: true},
		{name: "HTTP/1.0 ferme par défaut", answer: "HTTP/1.0 200 OK\r\nContent-Length: 2100\r\n\r\n" + body},
		{name: "HTTP/1.0 keep-alive", answer: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2100\r\n\r\n" + body},
		{name: "204 sans corps", answer: "HTTP/1.1 204 No Content\r\n\r\n"},
		{name: "304 sans corps malgré la longueur", answer: "HTTP/1.1 304 Not Modified\r\nContent-Length: 2100\r\n\r\n"},
		{name: "autre statut", answer: "HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nintrouvé\n"},
		{name: "statut sans raison", answer: "HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n"},
		{name: "fins de ligne LF seules", answer: "HTTP/1.1 200 OK\nContent-Length: 2100\n\n" + body},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			answer := []byte(tc.answer)
			resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(answer)), nil)
			if err != nil {
				t.Fatalf("net/http : %v", err)
			}
			wantBody, err := io.Copy(io.Discard, resp.Body)
			if err != nil {
				t.Fatalf("net/http, corps : %v", err)
			}
			check := func(t *testing.T, cuts []int) {
				t.Helper()
				r, used, err := feedPieces(answer, cuts, tc.closes)
				if err != nil {
					t.Fatalf("coupée en %v : %v", cuts, err)
				}
				if !r.done() || used != len(answer) {
					t.Fatalf("coupée en %v : finie %v, %d octets lus sur %d", cuts, r.done(), used, len(answer))
				}
				if r.status != resp.StatusCode || r.body != wantBody || r.close != resp.Close {
					t.Fatalf("coupée en %v : statut %d, corps %d, fermeture %v ; net/http lit %d, %d, %v",
						cuts, r.status, r.body, r.close, resp.StatusCode, wantBody, resp.Close)
				}
			}
			check(t, nil)
			// Cut anywhere in two pieces, and in pieces of 1 to 7 bytes:
			// every state sees its input end mid-way.
			for cut := 1; cut < len(answer); cut++ {
				check(t, []int{cut})
			}
			for size := 1; size <= 7; size++ {
				var cuts []int
				for at := size; at < len(answer); at += size {
					cuts = append(cuts, at)
				}
				check(t, cuts)
			}
		})
	}
}

func TestAnswerReaderSkipsInterimAnswers(t *testing.T) {
	answer := []byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
	for cut := 0; cut <= len(answer); cut++ {
		r, used, err := feedPieces(answer, []int{cut}, false)
		if err != nil || !r.done() || used != len(answer) || r.status != 201 || r.body != 2 {
			t.Fatalf("coupée à %d : erreur %v, finie %v, %d octets lus, statut %d, corps %d ; 201 et 2 octets attendus",
				cut, err, r.done(), used, r.status, r.body)
		}
	}
}

// The bytes after a complete answer are not part of it: the caller sees
// that fewer bytes were used than given.
func TestAnswerReaderStopsAtTheEndOfTheAnswer(t *testing.T) {
	answer := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 408 Request Timeout\r\n\r\n")
	var r answerReader
	r.begin()
	used, err := r.feed(answer)
	if err != nil || !r.done() || used != len("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
		t.Fatalf("erreur %v, finie %v, %d octets lus", err, r.done(), used)
	}
}

func TestAnswerReaderRejectsBrokenAnswers(t *testing.T) {
	cases := []struct {
		name   string
		answer string
		want   string // in the error
	}{
		{name: "corps coupé", answer: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ncourt", want: "fermée avant la fin"},
		{name: "en-tête coupé", answer: "HTTP/1.1 200 OK\r\nContent-Len", want: "fermée avant la fin"},
		{name: "rien reçu", answer: "", want: "fermée avant la fin"},
		{name: "morceau coupé", answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", want: "fermée avant la fin"},
		{name: "dernier morceau sans fin", answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n", want: "fermée avant la fin"},
		{name: "longueur invalide", answer: "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", want: "Content-Length « 12a »"},
		{name: "longueurs contradictoires", answer: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", want: "Content-Length « 3 »"},
		{name: "taille de morceau invalide", answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", want: "taille de morceau « zz »"},
		{name: "morceau plus long que sa taille", answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", want: "fin de morceau « c »"},
		{name: "codage inconnu", answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", want: "Transfer-Encoding « gzip »"},
		{name: "HTTP/2", answer: "HTTP/2 200\r\n\r\n", want: "ligne de statut « HTTP/2 200 »"},
		{name: "statut non numérique", answer: "HTTP/1.1 2x0 OK\r\n\r\n", want: "ligne de statut « HTTP/1.1 2x0 OK »"},
		{name: "en-tête sans deux-points", answer: "HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\nok", want: "en-tête « Content-Length 2 »"},
		{name: "en-tête trop long", answer: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 70<<10), want: "64 Kio"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			answer := []byte(tc.answer)
			for cut := 0; cut <= len(answer); cut += max(1, len(answer)/50) {
				r, _, err := feedPieces(answer, []int{cut}, true)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("coupée à %d : erreur %v (finie %v), « %s » attendu", cut, err, r.done(), tc.want)
				}
			}
		})
	}
}

// The reader does not allocate once its buffers have grown: an answer costs
// the generator no garbage.
func TestAnswerReaderDoesNotAllocate(t *testing.T) {
	answer := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello")
	chunked := []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
	var r answerReader
	allocs := testing.AllocsPerRun(100, func() {
		for _, a := range [][]byte{answer, chunked} {
			r.begin()
			// In two pieces, so that the head is gathered too.
			if _, err := r.feed(a[:20]); err != nil {
				t.Fatal(err)
			}
			if _, err := r.feed(a[20:]); err != nil || !r.done() {
				t.Fatal(errors.Join(err, errors.New("réponse non finie")))
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations par réponse, 0 attendue", allocs)
	}
}
