package web

import (
	"fmt"
	"log/slog"
	"math/rand"
	"net"
	"testing"
)

// BenchmarkLaneAnswer measures all the work the fast lane does for one
// request but the system calls: reading the head from the connection's
// buffer, running the engine with its middleware, and making the answer's
// bytes. The points are drawn as bench/resolve.lua draws them, 65,536 of them
// asked in turn, so that, as under wrk, most of the outlines a point falls in
// are not in the processor's caches. bench/run.sh compares this cost with what
// the machine leaves to a request at the rate a goal asks for.
func BenchmarkLaneAnswer(b *testing.B) {
	s, _ := benchServer(b, false, slog.LevelWarn)
	rng := rand.New(rand.NewSource(1))
	for _, tc := range []struct{ name, query string }{{"full", ""}, {"lean", "&options=0"}} {
		heads := make([][]byte, 1<<16)
		for i := range heads {
			lon, lat := -4.8+rng.Float64()*13.0, 42.3+rng.Float64()*8.8
			heads[i] = fmt.Appendf(nil, "GET /api/v1/resolve?lat=%.6f&lon=%.6f%s HTTP/1.1\r\nHost: 127.0.0.1:18080\r\n\r\n", lat, lon, tc.query)
		}
		b.Run(tc.name, func(b *testing.B) {
			client, server := net.Pipe()
			defer client.Close()
			defer server.Close()
			lane := &fastLane{handler: s.Handler(), logger: s.cfg.Logger, counts: &s.metrics.lane, closed: make(chan struct{})}
			lc := &laneConn{lane: lane, conn: server}
			lc.begin()
			defer lc.cancel()
			answer := func(head []byte) {
				lc.start, lc.end = 0, copy(lc.buf, head)
				if !lc.parse(lc.buf[:lc.end]) {
					b.Fatalf("the lane does not take %q", head)
				}
				lc.took(lc.buf[:lc.end])
				if _, _, ok := lc.respond(); !ok {
					b.Fatalf("no answer to %q", head)
				}
				lc.w.release()
			}
			for _, h := range heads { // the day's ready answers made, as on a server that has run a while
				answer(h)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				answer(heads[i&(len(heads)-1)])
				i++
			}
		})
	}
}
