package web

import (
	"encoding/csv"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"zonage/export"
)

func TestExportEndpoint(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // where the server keeps its export files
	day := "2025-06-01"
	st := testState(&day)
	var builds atomic.Int32
	var paths sync.Map
	st.ExportFile = func(format, path string) error {
		builds.Add(1)
		paths.Store(path, true)
		f, err := export.ParseFormat(format)
		if err != nil {
			return err
		}
		l, err := export.NewLayer(st.Resolver, st.Outlines)
		if err != nil {
			return err
		}
		return export.WriteFile(path, f, l)
	}
	h := testServer(t, st)

	// Clients asking at once share one build.
	var wg sync.WaitGroup
	recs := make([]int, 4)
	for i := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i] = do(t, h, "/api/v1/export/csv").Code
		}()
	}
	wg.Wait()
	if builds.Load() != 1 || recs[0] != 200 || recs[3] != 200 {
		t.Fatalf("%d builds, codes %v", builds.Load(), recs)
	}

	rec := do(t, h, "/api/v1/export/csv")
	rows, err := csv.NewReader(strings.NewReader(string(body(t, rec)))).ReadAll()
	if err != nil || len(rows) != 5 || rows[1][0] != "91001" || rows[4][5] != "intermediaire" {
		t.Fatalf("%v %q", err, rows)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="zonage-communes-test-1.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if again := do(t, h, "/api/v1/export/csv", "If-None-Match", rec.Header().Get("ETag")); again.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", again.Code)
	}
	zipped := do(t, h, "/api/v1/export/csv", "Accept-Encoding", "gzip")
	if zipped.Header().Get("Content-Encoding") != "gzip" || string(body(t, zipped)) != rec.Body.String() || zipped.Header().Get("ETag") == rec.Header().Get("ETag") {
		t.Errorf("gzip: %v", zipped.Header())
	}
	part := do(t, h, "/api/v1/export/csv", "Range", "bytes=0-3")
	if part.Code != http.StatusPartialContent || part.Body.String() != "code" {
		t.Errorf("range: %d %q", part.Code, part.Body)
	}

	// The next day is another file; the old one is deleted.
	day = "2026-02-01"
	rec = do(t, h, "/api/v1/export/csv")
	if builds.Load() != 2 || !strings.Contains(rec.Body.String(), "92002,Delta,92,11,Île-de-France,non_prioritaire") {
		t.Errorf("%d builds after the day changed:\n%s", builds.Load(), rec.Body)
	}
	left := 0
	paths.Range(func(k, _ any) bool {
		if _, err := os.Stat(k.(string)); err == nil {
			left++
		}
		return true
	})
	if left != 1 {
		t.Errorf("%d export files on disk, want 1", left)
	}

	if rec := do(t, h, "/api/v1/export/shp"); rec.Code != 404 || !strings.Contains(rec.Body.String(), "geojson, csv ou gpkg") {
		t.Errorf("unknown format: %d %s", rec.Code, rec.Body)
	}
}
