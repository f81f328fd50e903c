package web

import (
	"log/slog"
	"runtime"
	runtimemetrics "runtime/metrics"
	"testing"
	"time"

	"zonage/geo"
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
	with := heapAfterCollection()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		runtime.GC()
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/collection")
	// The resolutions that made the answers filled the resolvers' caches: what
	// is left once the answers are dropped.
	resetReadyAnswers(st)
	caches := heapAfterCollection()
	b.ReportMetric(float64(caches.live)/1e6, "caches-live-MB")
	b.ReportMetric(float64(caches.scan)/1e6, "caches-scan-MB")
	b.ReportMetric(float64(base.live)/1e6, "base-live-MB")
	b.ReportMetric(float64(base.scan)/1e6, "base-scan-MB")
	b.ReportMetric(float64(with.live)/1e6, "live-MB")
	b.ReportMetric(float64(with.scan)/1e6, "scan-MB")
	runtime.KeepAlive(s)
}

type heapSize struct{ live, scan uint64 }

// heapAfterCollection is the live and the scannable heap after a full collection.
func heapAfterCollection() heapSize {
	runtime.GC()
	sample := []runtimemetrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/heap:bytes"}}
	runtimemetrics.Read(sample)
	return heapSize{sample[0].Value.Uint64(), sample[1].Value.Uint64()}
}

// resetReadyAnswers drops every ready answer of st.
func resetReadyAnswers(st *State) {
	st.fast.Store(nil)
	st.fastOthers.Clear()
	st.fastArena.Store(nil)
}
