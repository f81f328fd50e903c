package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"zonage/geo/mvt"
	"zonage/geo/mvt/mvttest"

	"github.com/paulmach/orb"
)

// tileAt is the tile of zoom z holding (lon, lat).
func tileAt(lon, lat float64, z int) (int, int) {
	m := mvt.Mercator(orb.Point{lon, lat})
	n := float64(int(1) << z)
	return int(m[0] * n), int(m[1] * n)
}

func TestTiles(t *testing.T) {
	day := "2025-06-01"
	h := testServer(t, testState(&day))
	x, y := tileAt(2.32, 48.805, 12)
	path := fmt.Sprintf("/api/v1/tiles/communes/12/%d/%d.mvt", x, y)
	rec := do(t, h, path, "Accept-Encoding", "gzip")
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	// Stored gzipped and sent once compressed: the gzip middleware must not wrap it again.
	layers, extents := mvttest.Decode(t, body(t, rec))
	comm := layers["communes"]
	if len(comm) != 4 || extents["communes"] != tileExtent {
		t.Fatalf("communes layer: %d features, extent %d", len(comm), extents["communes"])
	}
	classes := map[string]int{}
	for _, f := range comm {
		classes[f.Value]++
		if f.Type != mvt.Polygon || len(f.Parts) != 1 || len(f.Parts[0]) != 4 {
			t.Errorf("feature %+v: a square is one ring of four points", f)
		}
		if mvttest.SignedArea(f.Parts[0]) <= 0 {
			t.Errorf("exterior ring %v turns anticlockwise", f.Parts[0])
		}
		for _, p := range f.Parts[0] {
			if p[0] < -tileBuffer || p[0] > tileExtent+tileBuffer || p[1] < -tileBuffer || p[1] > tileExtent+tileBuffer {
				t.Errorf("point %v outside the buffered tile", p)
			}
		}
	}
	if classes["tres_sous_dotee"] != 2 || classes["ambigu"] != 1 || classes["intermediaire"] != 1 {
		t.Errorf("classes %v", classes)
	}

	// A client without gzip gets the same tile plain.
	plain := do(t, h, path)
	if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), body(t, do(t, h, path, "Accept-Encoding", "gzip"))) {
		t.Errorf("plain tile differs (%s)", plain.Header().Get("Content-Encoding"))
	}
	if r := do(t, h, path, "If-None-Match", rec.Header().Get("ETag")); r.Code != http.StatusNotModified {
		t.Errorf("revalidation %d", r.Code)
	}
	if cc := do(t, h, path+"?v=test-1.2025-06-01").Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("versioned tile cached for %q", cc)
	}

	deps := do(t, h, fmt.Sprintf("/api/v1/tiles/departements/12/%d/%d.mvt", x, y), "Accept-Encoding", "gzip")
	dl, _ := mvttest.Decode(t, body(t, deps))
	if len(dl["departements"]) != 1 || dl["departements"][0].Type != mvt.LineString {
		t.Fatalf("departements layer: %+v", dl)
	}
	// The border 91|92 runs at lon 2.32, inside the tile: some line must cross it.
	var vertical bool
	for _, part := range dl["departements"][0].Parts {
		for i := 1; i < len(part); i++ {
			if part[i][0] == part[i-1][0] && part[i][1] != part[i-1][1] && part[i][0] > 0 && part[i][0] < tileExtent {
				vertical = true
			}
		}
	}
	if !vertical {
		t.Errorf("no border between the départements in %v", dl["departements"][0].Parts)
	}

	far := do(t, h, "/api/v1/tiles/communes/3/0/0.mvt", "Accept-Encoding", "gzip")
	if fl, _ := mvttest.Decode(t, body(t, far)); far.Code != 200 || len(fl) != 0 {
		t.Errorf("empty tile: %d %v", far.Code, fl)
	}
	for _, bad := range []string{"/api/v1/tiles/communes/15/0/0.mvt", "/api/v1/tiles/communes/2/4/0.mvt", "/api/v1/tiles/routes/2/0/0.mvt", "/api/v1/tiles/communes/2/0/0.png"} {
		if r := do(t, h, bad); r.Code != http.StatusNotFound || !strings.Contains(r.Header().Get("Content-Type"), "problem+json") {
			t.Errorf("%s: %d %s", bad, r.Code, r.Body)
		}
	}
}

func TestTileCache(t *testing.T) {
	c := newTileCache(10)
	var builds atomic.Int32
	build := func(n int) func() ([]byte, error) {
		return func() ([]byte, error) {
			builds.Add(1)
			return make([]byte, n), nil
		}
	}
	// Concurrent requests for one tile build it once.
	var wg sync.WaitGroup
	k := tileKey{"communes", 1, 0, 0, ""}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if b, _ := c.get(context.Background(), k, build(4)); len(b) != 4 {
				t.Error("wrong tile")
			}
		}()
	}
	wg.Wait()
	if builds.Load() != 1 {
		t.Fatalf("%d builds", builds.Load())
	}
	// Past the byte budget, the least recently used tile goes.
	c.get(context.Background(), tileKey{"communes", 1, 1, 0, ""}, build(4))
	c.get(context.Background(), k, build(4))
	c.get(context.Background(), tileKey{"communes", 1, 0, 1, ""}, build(4))
	if _, ok := c.entries[tileKey{"communes", 1, 1, 0, ""}]; ok || c.size > 10 {
		t.Errorf("kept %v (%d bytes)", c.entries, c.size)
	}
	if _, ok := c.entries[k]; !ok {
		t.Error("recently used tile evicted")
	}
}

// A request waiting for another's build of the same tile gives up when its own
// context ends, while the build goes on.
func TestTileCacheWaiterHonoursContext(t *testing.T) {
	c := newTileCache(1 << 20)
	k := tileKey{"communes", 3, 1, 1, ""}
	release := make(chan struct{})
	started := make(chan struct{})
	built := make(chan []byte)
	go func() {
		b, _ := c.get(context.Background(), k, func() ([]byte, error) {
			close(started)
			<-release
			return []byte("tuile"), nil
		})
		built <- b
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	waited := make(chan error)
	go func() {
		_, err := c.get(ctx, k, func() ([]byte, error) { t.Error("a second build of a tile being built"); return nil, nil })
		waited <- err
	}()
	cancel()
	select {
	case err := <-waited:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("waiter ended with %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a waiter whose context ended is still blocked on the build")
	}
	close(release)
	if b := <-built; string(b) != "tuile" {
		t.Fatalf("builder got %q", b)
	}
}

// A build that panics releases its waiters with an error and leaves the tile free:
// the next request builds it again instead of waiting for ever.
func TestTileCachePanickingBuild(t *testing.T) {
	c := newTileCache(1 << 20)
	k := tileKey{"departements", 2, 1, 1, ""}
	started := make(chan struct{})
	release := make(chan struct{})
	panicked := make(chan any)
	go func() {
		defer func() { panicked <- recover() }()
		c.get(context.Background(), k, func() ([]byte, error) {
			close(started)
			<-release
			panic("géométrie invalide")
		})
	}()
	<-started
	waited := make(chan error)
	go func() {
		_, err := c.get(context.Background(), k, func() ([]byte, error) { return nil, errors.New("second build") })
		waited <- err
	}()
	// Let the waiter reach the build in progress before it fails.
	for {
		c.mu.Lock()
		n := len(c.building)
		c.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	close(release)
	if r := <-panicked; r != "géométrie invalide" {
		t.Fatalf("the builder's panic was %v, want it passed on", r)
	}
	select {
	case err := <-waited:
		if err == nil {
			t.Fatal("a waiter of a panicking build got no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a waiter of a panicking build is still blocked")
	}
	done := make(chan []byte)
	go func() {
		b, _ := c.get(context.Background(), k, func() ([]byte, error) { return []byte("ok"), nil })
		done <- b
	}()
	select {
	case b := <-done:
		if string(b) != "ok" {
			t.Fatalf("rebuild gave %q", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the tile stays \"building\" after a panic: later requests hang")
	}
}
