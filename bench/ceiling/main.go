// Command ceiling is the bench's reference for what the HTTP stack alone can do
// on the machine: a bare net/http server that answers GET /api/v1/resolve with
// constant bytes of the size of the service's answers, without looking anything
// up, with the same framing (a Content-Length, one write per answer). bench/run.sh
// loads it with the same wrk as the service: the service cannot answer faster
// than this, so a goal above its rate cannot be met with net/http on that
// machine, whatever the lookup costs.
//
//	go run ./bench/ceiling -addr 127.0.0.1:18081 -full 17000 -lean 1900
//
// Queries with options=0 get lean bytes, the others full bytes.
package main

import (
	"bytes"
	"flag"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"

	"zonage/internal/onewrite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "adresse d'écoute")
	fullBytes := flag.Int("full", 17000, "taille d'une réponse complète, en octets")
	leanBytes := flag.Int("lean", 1900, "taille d'une réponse options=0, en octets")
	flag.Parse()
	handler := constantAnswers(*fullBytes, *leanBytes)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ConnContext: onewrite.ConnContext}
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
