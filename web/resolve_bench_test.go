package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb"

	"zonage/geo"
	"zonage/zones"
)

// discardWriter is a response writer that keeps nothing, so that the benchmarks
// count the server's allocations, not a recorder's.
type discardWriter struct{ header http.Header }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// benchResolve asks the server for the paths in turn, through its whole
// middleware chain, as `bench/run.sh` does over the network.
func benchResolve(b *testing.B, s *Server, paths []string) {
	reqs := make([]*http.Request, len(paths))
	for i, p := range paths {
		reqs[i] = httptest.NewRequest(http.MethodGet, p, nil)
		reqs[i].RemoteAddr = "127.0.0.1:4000"
	}
	h := s.Handler()
	w := &discardWriter{header: http.Header{}}
	for _, r := range reqs { // every commune's ready answers made once, as on a server that has run a while
		h.ServeHTTP(w, r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.header)
		h.ServeHTTP(w, reqs[i%len(reqs)])
	}
}

// benchPoints are n points drawn as bench/resolve.lua draws them: uniform over the
// box of metropolitan France, sea and neighbours included (where "box"), or
// only those in a commune or within the coast tolerance of one ("inside"),
// those inside a commune's outline, answered from its ready bytes ("ready"),
// those outside every outline but within the coast tolerance of one, attached
// to the nearest commune ("attached"), or those farther than the coast
// tolerance from every commune ("outside"), and of those, the ones farther
// than seaRadiusM ("far") or not ("near").
func benchPoints(b *testing.B, st *State, n int, where string, query string) []string {
	rng := rand.New(rand.NewSource(1))
	var paths []string
	for len(paths) < n {
		lon, lat := -4.8+rng.Float64()*13.0, 42.3+rng.Float64()*8.8
		if where != "box" {
			id, inside, _ := st.Resolver.Locator.Locate(orb.Point{lon, lat}, st.Resolver.ToleranceM)
			if (id >= 0) != (where == "inside" || where == "ready" || where == "attached") ||
				where == "ready" && !inside || where == "attached" && inside {
				continue
			}
		}
		if where == "far" || where == "near" {
			if id, _, _ := st.Resolver.Locator.Locate(orb.Point{lon, lat}, seaRadiusM); (id < 0) != (where == "far") {
				continue
			}
		}
		paths = append(paths, fmt.Sprintf("/api/v1/resolve?lat=%.6f&lon=%.6f%s", lat, lon, query))
	}
	return paths
}

// benchServer is a server on the whole of France whose journal is at the level
// bench/run.sh gives it (warn: the access log's lines are not written) or
// level.
func benchServer(b *testing.B, generalOnly bool, level slog.Level) (*Server, *State) {
	st := loadFrance(b)
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level}))
	s, err := New(context.Background(), Config{Logger: logger}, func(context.Context) (*State, error) { return st, nil })
	if err != nil {
		b.Fatal(err)
	}
	s.generalOnly, s.noBackgroundFill = generalOnly, true
	return s, st
}

// BenchmarkResolveOutside measures points outside every commune, without
// ("before") and with ("after") the ready answer of the points far from every
// commune (noFarAnswers), in the same run: far ones, near ones (a commune within seaRadiusM) and those
// of the box as they come (outside); and the points outside every outline
// attached to the nearest commune within the coast tolerance (attached), once
// the day's ready answers are made, as on a server that has run a while.
func BenchmarkResolveOutside(b *testing.B) {
	for _, where := range []string{"outside", "far", "near", "attached"} {
		for _, query := range []string{"", "&options=0"} {
			for _, before := range []bool{true, false} {
				name := where
				if query != "" {
					name += "/lean"
				} else {
					name += "/full"
				}
				if before {
					name += "/before"
				} else {
					name += "/after"
				}
				b.Run(name, func(b *testing.B) {
					s, st := benchServer(b, false, slog.LevelWarn)
					s.noFarAnswers = before
					if where == "attached" {
						fillReadyAnswers(s, st)
					}
					benchResolve(b, s, benchPoints(b, st, 4096, where, query))
				})
			}
		}
	}
}

// fillReadyAnswers makes the ready answers of every commune for the default
// profession's current day, as the background fill does on a served day.
func fillReadyAnswers(s *Server, st *State) {
	r := st.Resolver
	t := s.fastTable(st, zones.DefaultProfession, r.Today())
	if t == nil {
		return
	}
	for i := range t.entries {
		if i >= len(st.Outlines) || t.entries[i].Load() != nil {
			continue
		}
		p := geo.LabelPoint(st.Outlines[i])
		if id, inside, _ := r.Locator.Locate(p, r.ToleranceM); id == i && inside {
			s.buildFastEntry(st, r, t, i, p[1], p[0])
		}
	}
}

func BenchmarkResolveHTTP(b *testing.B) {
	for _, tc := range []struct {
		name        string
		generalOnly bool
		where       string
		query       string
	}{
		{"full/inside", false, "inside", ""},
		{"lean/inside", false, "inside", "&options=0"},
		{"full/ready", false, "ready", ""},
		{"lean/ready", false, "ready", "&options=0"},
		{"full/box", false, "box", ""},
		{"lean/box", false, "box", "&options=0"},
		{"outside", false, "outside", ""},
		{"general/full/inside", true, "inside", ""},
		{"general/lean/inside", true, "inside", "&options=0"},
		{"infirmier/full/inside", false, "inside", "&profession=infirmier"},
		{"general/infirmier/full/inside", true, "inside", "&profession=infirmier"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s, st := benchServer(b, tc.generalOnly, slog.LevelWarn)
			benchResolve(b, s, benchPoints(b, st, 4096, tc.where, tc.query))
		})
	}
	b.Run("journal-info/full/ready", func(b *testing.B) { // one line of access log per request
		s, st := benchServer(b, false, slog.LevelInfo)
		benchResolve(b, s, benchPoints(b, st, 4096, "ready", ""))
	})
	b.Run("healthz", func(b *testing.B) {
		s, _ := benchServer(b, false, slog.LevelWarn)
		benchResolve(b, s, []string{"/healthz"})
	})
}
