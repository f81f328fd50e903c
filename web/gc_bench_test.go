package web

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	runtimemetrics "runtime/metrics"
	"testing"
	"time"

	"zonage/geo"
	"zonage/importer"
	"zonage/zones"
)

// BenchmarkCollect measures what the collector must mark on a server that has
// made the ready answers of every commune for the five professions: one op is
// one full collection. It reports the live heap and the scannable heap (the
// bytes of objects that may hold pointers, which marking reads), before the
// ready answers ("base-…"), with them, and once they are dropped but the
// resolvers' caches their resolutions filled are kept ("caches-…").
func BenchmarkCollect(b *testing.B) {
	s, st := benchServer(b, false, slog.LevelWarn)
	resetReadyAnswers(st) // a previous run's
	base := heapAfterCollection()
	r := st.Resolver
	for _, p := range zones.Professions() {
		pr, err := professionResolver(r, p)
		if err != nil || pr.Locator == nil {
			continue
		}
		makeReadyAnswers(s, st, pr, p)
	}
	with := heapAfterCollection()
	timeCollections(b)
	// The resolutions that made the answers filled the resolvers' caches: what
	// is left once the answers are dropped.
	resetReadyAnswers(st)
	caches := heapAfterCollection()
	caches.report(b, "caches-")
	base.report(b, "base-")
	with.report(b, "")
	runtime.KeepAlive(s)
}

// BenchmarkCollectServed measures what the collector must mark on the state
// `zonage serve` answers from: the snapshot file (ZONAGE_SNAPSHOT, else
// data/build/zonage.snap, made by `make build`), loaded as the server loads it
// (outlines, index, address matcher, the address tables let go), then with the
// kiné's ready answers of every commune, which a served state soon has. One op
// is one full collection of the latter. It reports the live heap, the
// scannable heap and the objects after loading ("load-…") and with the ready
// answers.
func BenchmarkCollectServed(b *testing.B) {
	path := os.Getenv("ZONAGE_SNAPSHOT")
	if path == "" {
		path = filepath.Join("..", "data", "build", "zonage.snap")
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no snapshot at %s (make build makes it)", path)
	}
	snap, err := importer.ReadSnapshotFile(path)
	if err != nil {
		b.Fatal(err)
	}
	r := snap.Resolver(zones.DefaultCoastTolerance)
	st := &State{Resolver: r, Outline: snap.Outline, Outlines: snap.Polygons, LoadedAt: time.Now(), Source: path}
	snap.ReleaseAddressData()
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := New(context.Background(), Config{Logger: logger}, func(context.Context) (*State, error) { return st, nil })
	if err != nil {
		b.Fatal(err)
	}
	s.noBackgroundFill = true
	loaded := heapAfterCollection()
	makeReadyAnswers(s, st, r, zones.DefaultProfession)
	warm := heapAfterCollection()
	timeCollections(b)
	loaded.report(b, "load-")
	warm.report(b, "")
	runtime.KeepAlive(s)
	runtime.KeepAlive(snap)
}

// makeReadyAnswers makes the ready answers of profession p, whose resolver is
// pr, for every commune whose label point it resolves inside the commune.
func makeReadyAnswers(s *Server, st *State, pr *zones.Resolver, p zones.Profession) {
	t := s.fastTable(st, p, pr.Today())
	for i := range t.entries {
		if i >= len(st.Outlines) {
			continue
		}
		pt := geo.LabelPoint(st.Outlines[i])
		if id, inside, _ := pr.Locator.Locate(pt, pr.ToleranceM); id == i && inside {
			s.buildFastEntry(st, pr, t, i, pt[1], pt[0])
		}
	}
}

// timeCollections runs b.N full collections and reports their mean duration.
func timeCollections(b *testing.B) {
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		runtime.GC()
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/collection")
}

type heapSize struct{ live, scan, objects uint64 }

// report reports h as the benchmark's metrics, their names after prefix.
func (h heapSize) report(b *testing.B, prefix string) {
	b.ReportMetric(float64(h.live)/1e6, prefix+"live-MB")
	b.ReportMetric(float64(h.scan)/1e6, prefix+"scan-MB")
	b.ReportMetric(float64(h.objects)/1e3, prefix+"kobjects")
}

// heapAfterCollection is the live and the scannable heap, and the objects,
// after a full collection.
func heapAfterCollection() heapSize {
	runtime.GC()
	sample := []runtimemetrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/heap:bytes"}, {Name: "/gc/heap/objects:objects"}}
	runtimemetrics.Read(sample)
	return heapSize{sample[0].Value.Uint64(), sample[1].Value.Uint64(), sample[2].Value.Uint64()}
}

// resetReadyAnswers drops every ready answer of st.
func resetReadyAnswers(st *State) {
	st.fast.Store(nil)
	st.fastOthers.Clear()
	st.fastArena.Store(nil)
}
