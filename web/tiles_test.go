package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// mvtFeature is a decoded feature: its type, tag value and geometry in tile units.
type mvtFeature struct {
	typ   int
	class string
	parts [][][2]int
}

// decodeMVT reads the layers of a tile: a decoder of the subset the server writes.
func decodeMVT(t *testing.T, b []byte) (map[string][]mvtFeature, map[string]int) {
	t.Helper()
	layers := map[string][]mvtFeature{}
	extents := map[string]int{}
	for _, f := range protoFields(t, b) {
		if f.num != 3 {
			t.Fatalf("tile field %d", f.num)
		}
		var name string
		var feats [][]byte
		var values []string
		for _, lf := range protoFields(t, f.data) {
			switch lf.num {
			case 1:
				name = string(lf.data)
			case 2:
				feats = append(feats, lf.data)
			case 4:
				for _, vf := range protoFields(t, lf.data) {
					values = append(values, string(vf.data))
				}
			case 5:
				extents[name] = int(lf.v)
			}
		}
		for _, fb := range feats {
			var mf mvtFeature
			var geom []uint32
			for _, ff := range protoFields(t, fb) {
				switch ff.num {
				case 2:
					tags := packed(ff.data)
					mf.class = values[tags[1]]
				case 3:
					mf.typ = int(ff.v)
				case 4:
					geom = packed(ff.data)
				}
			}
			var cur [2]int
			for i := 0; i < len(geom); {
				id, n := geom[i]&7, int(geom[i]>>3)
				i++
				switch id {
				case cmdMoveTo:
					mf.parts = append(mf.parts, nil)
					fallthrough
				case cmdLineTo:
					for k := 0; k < n; k++ {
						cur[0] += int(int32(geom[i]>>1) ^ -int32(geom[i]&1))
						cur[1] += int(int32(geom[i+1]>>1) ^ -int32(geom[i+1]&1))
						mf.parts[len(mf.parts)-1] = append(mf.parts[len(mf.parts)-1], cur)
						i += 2
					}
				case cmdClosePath:
				default:
					t.Fatalf("command %d", id)
				}
			}
			layers[name] = append(layers[name], mf)
		}
	}
	return layers, extents
}

type protoField struct {
	num  int
	v    uint64
	data []byte
}

func protoFields(t *testing.T, b []byte) []protoField {
	t.Helper()
	var out []protoField
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		b = b[n:]
		f := protoField{num: int(key >> 3)}
		switch key & 7 {
		case 0:
			f.v, n = binary.Uvarint(b)
			b = b[n:]
		case 2:
			l, n := binary.Uvarint(b)
			f.data, b = b[n:n+int(l)], b[n+int(l):]
		default:
			t.Fatalf("wire type %d", key&7)
		}
		out = append(out, f)
	}
	return out
}

func packed(b []byte) []uint32 {
	var out []uint32
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		out = append(out, uint32(v))
		b = b[n:]
	}
	return out
}

func signedArea(r [][2]int) int {
	a := 0
	for i := range r {
		j := (i + 1) % len(r)
		a += r[i][0]*r[j][1] - r[j][0]*r[i][1]
	}
	return a
}

// tileAt is the tile of zoom z holding (lon, lat).
func tileAt(lon, lat float64, z int) (int, int) {
	m := mercator(orb.Point{lon, lat})
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
	layers, extents := decodeMVT(t, body(t, rec))
	comm := layers["communes"]
	if len(comm) != 4 || extents["communes"] != tileExtent {
		t.Fatalf("communes layer: %d features, extent %d", len(comm), extents["communes"])
	}
	classes := map[string]int{}
	for _, f := range comm {
		classes[f.class]++
		if f.typ != mvtPolygon || len(f.parts) != 1 || len(f.parts[0]) != 4 {
			t.Errorf("feature %+v: a square is one ring of four points", f)
		}
		if signedArea(f.parts[0]) <= 0 {
			t.Errorf("exterior ring %v turns anticlockwise", f.parts[0])
		}
		for _, p := range f.parts[0] {
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
	dl, _ := decodeMVT(t, body(t, deps))
	if len(dl["departements"]) != 1 || dl["departements"][0].typ != mvtLineString {
		t.Fatalf("departements layer: %+v", dl)
	}
	// The border 91|92 runs at lon 2.32, inside the tile: some line must cross it.
	var vertical bool
	for _, part := range dl["departements"][0].parts {
		for i := 1; i < len(part); i++ {
			if part[i][0] == part[i-1][0] && part[i][1] != part[i-1][1] && part[i][0] > 0 && part[i][0] < tileExtent {
				vertical = true
			}
		}
	}
	if !vertical {
		t.Errorf("no border between the départements in %v", dl["departements"][0].parts)
	}

	far := do(t, h, "/api/v1/tiles/communes/3/0/0.mvt", "Accept-Encoding", "gzip")
	if fl, _ := decodeMVT(t, body(t, far)); far.Code != 200 || len(fl) != 0 {
		t.Errorf("empty tile: %d %v", far.Code, fl)
	}
	for _, bad := range []string{"/api/v1/tiles/communes/15/0/0.mvt", "/api/v1/tiles/communes/2/4/0.mvt", "/api/v1/tiles/routes/2/0/0.mvt", "/api/v1/tiles/communes/2/0/0.png"} {
		if r := do(t, h, bad); r.Code != http.StatusNotFound || !strings.Contains(r.Header().Get("Content-Type"), "problem+json") {
			t.Errorf("%s: %d %s", bad, r.Code, r.Body)
		}
	}
}

func TestBorders(t *testing.T) {
	cases := []struct {
		name  string
		polys []orb.MultiPolygon
		group []int
		// want is the length of the lines, in units of the squares' side.
		want float64
	}{
		{"one group: the outline of the union", []orb.MultiPolygon{{{square(0, 45, 0.01)}}, {{square(0.01, 45, 0.01)}}}, []int{0, 0}, 6},
		{"two groups: the border between them once", []orb.MultiPolygon{{{square(0, 45, 0.01)}}, {{square(0.01, 45, 0.01)}}}, []int{0, 1}, 7},
		// Outlines simplified one by one: the shared border drawn 30 m apart is
		// still one border.
		{"borders 30 m apart", []orb.MultiPolygon{{{square(0, 45, 0.01)}}, {{{{0.0104, 45}, {0.02, 45}, {0.02, 45.01}, {0.0104, 45.01}, {0.0104, 45}}}}}, []int{0, 0}, 6},
		{"a 2×2 block in two columns", []orb.MultiPolygon{
			{{square(0, 45, 0.01)}}, {{square(0, 45.01, 0.01)}}, {{square(0.01, 45, 0.01)}}, {{square(0.01, 45.01, 0.01)}}}, []int{0, 0, 1, 1}, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ids := make([]int, len(tc.polys))
			for i := range ids {
				ids[i] = i
			}
			lines := borders(tc.polys, ids, func(i int) int { return tc.group[i] })
			var length float64
			for _, l := range lines {
				for i := 1; i < len(l); i++ {
					length += math.Hypot(l[i][0]-l[i-1][0], l[i][1]-l[i-1][1])
				}
			}
			if got := length / 0.01; math.Abs(got-tc.want) > 0.15 {
				t.Errorf("border length %.2f sides, want %.0f: %v", got, tc.want, lines)
			}
		})
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
	k := tileKey{"communes", 1, 0, 0}
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
	c.get(context.Background(), tileKey{"communes", 1, 1, 0}, build(4))
	c.get(context.Background(), k, build(4))
	c.get(context.Background(), tileKey{"communes", 1, 0, 1}, build(4))
	if _, ok := c.entries[tileKey{"communes", 1, 1, 0}]; ok || c.size > 10 {
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
	k := tileKey{"communes", 3, 1, 1}
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
	k := tileKey{"departements", 2, 1, 1}
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
