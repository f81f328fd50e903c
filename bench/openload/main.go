//go:build linux

// Command openload sends GET /api/v1/resolve at a constant rate over a fixed set
// of keep-alive connections and reports the latency of every request counted
// from the moment it was due, not from the moment it left: when the server (or
// the box) stalls, the requests that should have left meanwhile wait, and their
// wait is in the percentiles. This is the open model the constant-rate test of
// bench/run.sh needs, in the manner of wrk2.
//
// It exists because vegeta, on the 2-core machine where the server and the load
// generator share the cores, could not send more than about 9,500 requests/s of
// the 24,600 asked for (it keeps and encodes every 17 KB answer, and without
// them it stopped reusing connections and fell to 2,100/s): its own backlog then
// made the latencies seconds long and opened thousands of connections. openload
// prebuilds every request, keeps only one duration per request, and runs as one
// event loop on one thread over its own epoll set and non-blocking sockets
// (loop.go), reading each answer's framing without allocating and skipping its
// body (answer.go): its CPU goes to the system calls that send and read, which
// on the loopback include delivering the bytes to the other side. It is
// therefore for Linux.
//
//	go run ./bench/openload -adresse http://127.0.0.1:18080 -debit 24600 -duree 15s
//
// The targets are random points of the rectangle of metropolitan France, sea and
// neighbouring countries included, as in bench/resolve.lua and bench/postgis.sql,
// drawn from a fixed seed. The last line of the output is machine-readable
// (key=value pairs after "RESULTAT").
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
)

// config is what one run sends.
type config struct {
	target      *url.URL      // the server: scheme http, host:port
	rate        float64       // requests per second
	duration    time.Duration // how long requests are scheduled for
	connections int           // keep-alive connections, opened before the first request
	suffix      string        // appended to every query, e.g. "&options=0"
	points      int           // distinct random points, used in turn
	seed        uint64
	timeout     time.Duration // per request, from its send time; an answer later than that is an error
	// path builds the request target of point i (nil: random points of France);
	// the tests use it to ask their own server for numbered paths.
	path func(i int) string
}

// result is what one run measured.
type result struct {
	scheduled int       // requests due in the duration
	completed int       // answered with a status 200
	non200    int       // answered with another status
	failed    int       // connection or read errors, timeouts
	unsent    int       // still not sent when the run had to end (its grace spent)
	bodyBytes int64     // answer bodies read, all statuses
	start     time.Time // when request 0 was due
	// latencies[i] is how long after it was due request i was answered (or
	// failed, or the run ended): the queue in front of it included.
	latencies []time.Duration
	wall      time.Duration // from the first due time to the last answer
	cpu       time.Duration // user + system CPU of this process during the run
}

func main() {
	var (
		address = flag.String("adresse", "http://127.0.0.1:8080", "adresse du serveur")
		cfg     config
	)
	flag.Float64Var(&cfg.rate, "debit", 1000, "requêtes par seconde, à intervalles réguliers")
	flag.DurationVar(&cfg.duration, "duree", 10*time.Second, "durée pendant laquelle les requêtes sont prévues")
	flag.IntVar(&cfg.connections, "connexions", 64, "connexions persistantes, ouvertes avant la première requête")
	flag.StringVar(&cfg.suffix, "suffixe", "", "ajouté à chaque requête, par exemple &options=0")
	flag.IntVar(&cfg.points, "points", 20000, "nombre de points tirés, demandés tour à tour")
	flag.Uint64Var(&cfg.seed, "graine", 1, "graine du tirage des points")
	flag.DurationVar(&cfg.timeout, "delai", 10*time.Second, "délai maximal d'une réponse, compté depuis l'envoi")
	flag.Parse()
	u, err := url.Parse(*address)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		fmt.Fprintf(os.Stderr, "openload : -adresse « %s » : http://hôte:port attendu\n", *address)
		os.Exit(2)
	}
	cfg.target = u
	if cfg.rate <= 0 || cfg.duration <= 0 || cfg.connections <= 0 || cfg.points <= 0 || cfg.timeout <= 0 {
		fmt.Fprintln(os.Stderr, "openload : -debit, -duree, -connexions, -points et -delai doivent être positifs")
		os.Exit(2)
	}
	// SIGINT or SIGTERM ends the run early; what was measured is still reported.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "openload : %v\n", err)
		os.Exit(1)
	}
	res.print(os.Stdout, cfg)
}

// buildRequests returns the bytes of every distinct request, ready to write.
func buildRequests(cfg config) [][]byte {
	path := cfg.path
	if path == nil {
		rng := rand.New(rand.NewPCG(cfg.seed, 0))
		paths := make([]string, cfg.points)
		for i := range paths {
			// The box of bench/resolve.lua and bench/postgis.sql.
			lon := -4.8 + rng.Float64()*13.0
			lat := 42.3 + rng.Float64()*8.8
			paths[i] = fmt.Sprintf("/api/v1/resolve?lat=%.6f&lon=%.6f", lat, lon)
		}
		path = func(i int) string { return paths[i] }
	}
	out := make([][]byte, cfg.points)
	for i := range out {
		// No compression: PostGIS does not compress either, and the test
		// measures the answer the server makes, not gzip.
		out[i] = fmt.Appendf(nil, "GET %s%s HTTP/1.1\r\nHost: %s\r\nAccept-Encoding: identity\r\nUser-Agent: openload\r\n\r\n",
			path(i), cfg.suffix, cfg.target.Host)
	}
	return out
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// percentile is the exact q-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(q*float64(len(sorted))+0.999999999) - 1
	return sorted[max(0, min(k, len(sorted)-1))]
}

func (r *result) print(w io.Writer, cfg config) {
	sorted := slices.Clone(r.latencies)
	slices.Sort(sorted)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)) }
	achieved := 0.0
	if r.wall > 0 {
		achieved = float64(r.completed+r.non200) / r.wall.Seconds()
	}
	cores := 0.0
	if r.wall > 0 {
		cores = r.cpu.Seconds() / r.wall.Seconds()
	}
	perRequest := time.Duration(0)
	if answered := r.completed + r.non200; answered > 0 {
		perRequest = r.cpu / time.Duration(answered)
	}
	fmt.Fprintf(w, "débit demandé %.0f req/s, obtenu %.0f req/s sur %d connexions pendant %s\n", cfg.rate, achieved, cfg.connections, cfg.duration)
	fmt.Fprintf(w, "requêtes prévues %d : 200 %d, autre statut %d, erreurs %d, non envoyées %d\n", r.scheduled, r.completed, r.non200, r.failed, r.unsent)
	fmt.Fprintf(w, "latence depuis l'heure prévue (ms) : p50 %s, p90 %s, p99 %s, p99,9 %s, max %s\n",
		ms(percentile(sorted, 0.5)), ms(percentile(sorted, 0.9)), ms(percentile(sorted, 0.99)), ms(percentile(sorted, 0.999)), ms(percentile(sorted, 1)))
	fmt.Fprintf(w, "processeur du générateur : %.2f s, %.2f cœur, %.1f µs par réponse\n", r.cpu.Seconds(), cores, float64(perRequest)/float64(time.Microsecond))
	fmt.Fprintf(w, "RESULTAT requested=%.0f achieved=%.0f scheduled=%d ok=%d non200=%d errors=%d unsent=%d p50_ms=%s p90_ms=%s p99_ms=%s p999_ms=%s max_ms=%s wall_s=%.2f cpu_s=%.2f cpu_cores=%.2f cpu_us_per_req=%.1f\n",
		cfg.rate, achieved, r.scheduled, r.completed, r.non200, r.failed, r.unsent,
		ms(percentile(sorted, 0.5)), ms(percentile(sorted, 0.9)), ms(percentile(sorted, 0.99)), ms(percentile(sorted, 0.999)), ms(percentile(sorted, 1)),
		r.wall.Seconds(), r.cpu.Seconds(), cores, float64(perRequest)/float64(time.Microsecond))
}
