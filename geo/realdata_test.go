package geo

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// outline is one commune of the real data set.
type outline struct {
	code  string
	shape orb.MultiPolygon
}

// franceData is every commune outline of the shared data folder, sorted by
// INSEE code, with its Index. It is loaded once and shared by all tests and
// benchmarks of the package.
type franceData struct {
	outlines []outline
	shapes   []orb.MultiPolygon // shapes[i] is outlines[i].shape
	index    *Index
}

var (
	franceOnce   sync.Once
	franceLoaded *franceData
	franceErr    error
)

// loadFrance returns the real data set, failing the test when the data
// folder cannot be read.
func loadFrance(tb testing.TB) *franceData {
	tb.Helper()
	franceOnce.Do(func() {
		franceLoaded, franceErr = readFrance()
	})
	if franceErr != nil {
		tb.Fatalf("loading commune outlines: %v", franceErr)
	}
	return franceLoaded
}

// dataDir is $ZONAGE_DATA, or the shared data folder next to the repository.
func dataDir() string {
	if dir := os.Getenv("ZONAGE_DATA"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "shared", "data")
}

func readFrance() (*franceData, error) {
	dir := filepath.Join(dataDir(), "contours_communes")
	metro, err := filepath.Glob(filepath.Join(dir, "metro_adminexpress2025_by_dept", "communes-*.geojson.gz"))
	if err != nil {
		return nil, err
	}
	drom, err := filepath.Glob(filepath.Join(dir, "drom_cogiter2025", "communes_97*_geo.geojson"))
	if err != nil {
		return nil, err
	}
	if len(metro) != 96 || len(drom) != 5 {
		return nil, fmt.Errorf("found %d metropolitan and %d DROM files under %s (set ZONAGE_DATA to the shared data folder)", len(metro), len(drom), dir)
	}
	files := append(metro, drom...)

	perFile := make([][]outline, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				perFile[i], errs[i] = readOutlines(files[i])
			}
		})
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	d := &franceData{outlines: slices.Concat(perFile...)}
	slices.SortFunc(d.outlines, func(a, b outline) int { return strings.Compare(a.code, b.code) })
	for i := 1; i < len(d.outlines); i++ {
		if d.outlines[i].code == d.outlines[i-1].code {
			return nil, fmt.Errorf("commune %s appears twice", d.outlines[i].code)
		}
	}
	d.shapes = make([]orb.MultiPolygon, len(d.outlines))
	for i, o := range d.outlines {
		d.shapes[i] = o.shape
	}
	d.index = NewIndex(d.shapes)
	return d, nil
}

// readOutlines reads one GeoJSON FeatureCollection, gzipped or not. The code
// is property "code" (metropolitan files) or "DEPCOM" (DROM files).
func readOutlines(path string) ([]outline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]outline, 0, len(fc.Features))
	for _, feat := range fc.Features {
		code := feat.Properties.MustString("code", "")
		if code == "" {
			code = feat.Properties.MustString("DEPCOM", "")
		}
		if code == "" {
			return nil, fmt.Errorf("%s: feature without code", path)
		}
		var shape orb.MultiPolygon
		switch g := feat.Geometry.(type) {
		case orb.Polygon:
			shape = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			shape = g
		default:
			return nil, fmt.Errorf("%s: commune %s has geometry %T", path, code, feat.Geometry)
		}
		out = append(out, outline{code: code, shape: shape})
	}
	return out, nil
}

// idOf returns the index of the commune with the given INSEE code.
func (d *franceData) idOf(tb testing.TB, code string) int {
	tb.Helper()
	i, ok := slices.BinarySearchFunc(d.outlines, code, func(o outline, c string) int { return strings.Compare(o.code, c) })
	if !ok {
		tb.Fatalf("commune %s not in the data", code)
	}
	return i
}

func TestRealDataStats(t *testing.T) {
	d := loadFrance(t)
	parts, holes, verts := 0, 0, 0
	for _, s := range d.shapes {
		parts += len(s)
		for _, p := range s {
			holes += len(p) - 1
			for _, r := range p {
				verts += len(r)
			}
		}
	}
	rows, rowEdges, cells := 0, 0, 0
	for i := range d.index.parts {
		pt := &d.index.parts[i]
		rows += int(pt.rows)
		rowEdges += len(pt.layout) - int(pt.gridWords) - int(pt.rows) - 1
		cells += int(pt.cols) * int(pt.rows)
	}
	t.Logf("%d outlines, %d parts, %d holes, %d vertices, %d grid rows listing %d edges, %d grid cells", len(d.shapes), parts, holes, verts, rows, rowEdges, cells)
	if got, want := len(d.shapes), 34788+32+34+22+24+17; got != want {
		t.Errorf("got %d outlines, want %d", got, want)
	}
}

func TestInteriorPointResolvesToItsOutline(t *testing.T) {
	d := loadFrance(t)
	failures := 0
	for i, o := range d.outlines {
		p := InteriorPoint(o.shape)
		if got := d.index.Locate(p, Options{}); got != (Hit{ID: i, Inside: true}) {
			failures++
			if failures <= 20 {
				other := "none"
				if got.ID >= 0 {
					other = d.outlines[got.ID].code
				}
				t.Errorf("commune %s: InteriorPoint %v resolves to %s (%+v)", o.code, p, other, got)
			}
		}
	}
	if failures > 0 {
		t.Fatalf("%d of %d interior points do not resolve to their commune", failures, len(d.outlines))
	}
}

func TestLocateKnownPlaces(t *testing.T) {
	d := loadFrance(t)
	const tolerance = 1000
	cases := []struct {
		name       string
		point      orb.Point
		wantCode   string // exact code, or prefix when wantPrefix
		wantPrefix bool
		wantInside bool
	}{
		{name: "Paris 6e", point: orb.Point{2.3325, 48.8493}, wantCode: "75106", wantInside: true},
		{name: "Lyon 1er", point: orb.Point{4.8320, 45.7676}, wantCode: "69381", wantInside: true},
		{name: "Ajaccio", point: orb.Point{8.7369, 41.9192}, wantCode: "2A004", wantInside: true},
		{name: "Pointe-à-Pitre", point: orb.Point{-61.5331, 16.2411}, wantCode: "97120", wantInside: true},
		{name: "Saint-Denis de La Réunion", point: orb.Point{55.4481, -20.8823}, wantCode: "97411", wantInside: true},
		{name: "Marseille Corniche offshore", point: orb.Point{5.3560, 43.2745}, wantCode: "132", wantPrefix: true},
		{name: "Geneva", point: orb.Point{6.1432, 46.2044}},
		{name: "Madrid", point: orb.Point{-3.7038, 40.4168}},
		{name: "20 km off Brest", point: orb.Point{-4.95, 48.30}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := d.index.Locate(tc.point, Options{MaxDistanceMeters: tolerance})
			if tc.wantCode == "" {
				if got.ID != -1 {
					t.Fatalf("Locate(%v) = %+v (%s), want nothing", tc.point, got, d.outlines[got.ID].code)
				}
				return
			}
			if got.ID < 0 {
				t.Fatalf("Locate(%v) = %+v, want commune %s", tc.point, got, tc.wantCode)
			}
			code := d.outlines[got.ID].code
			if tc.wantPrefix && !strings.HasPrefix(code, tc.wantCode) || !tc.wantPrefix && code != tc.wantCode {
				t.Fatalf("Locate(%v) = %+v (%s), want commune %s", tc.point, got, code, tc.wantCode)
			}
			if got.Inside != tc.wantInside {
				t.Fatalf("Locate(%v) = %+v, want Inside %v", tc.point, got, tc.wantInside)
			}
			if !got.Inside && !(got.DistanceM > 0 && got.DistanceM <= tolerance) {
				t.Fatalf("Locate(%v).DistanceM = %v, want in (0, %d]", tc.point, got.DistanceM, tolerance)
			}
			t.Logf("%s: %s %+v", tc.name, code, got)
		})
	}
}

// TestLocateMatchesBruteForce compares Locate with orb's own
// planar.MultiPolygonContains run over every outline, for random points in
// the bounding boxes of several départements.
func TestLocateMatchesBruteForce(t *testing.T) {
	d := loadFrance(t)
	bounds := make([]orb.Bound, len(d.shapes))
	for i, s := range d.shapes {
		bounds[i] = s.Bound()
	}
	regions := []struct {
		name   string
		prefix string // INSEE code prefix of the département
	}{
		{name: "Paris", prefix: "75"},
		{name: "Hauts-de-Seine", prefix: "92"},
		{name: "Bouches-du-Rhône", prefix: "13"},
		{name: "Finistère", prefix: "29"},
		{name: "Haute-Corse", prefix: "2B"},
		{name: "Moselle", prefix: "57"},
		{name: "Guadeloupe", prefix: "971"},
		{name: "La Réunion", prefix: "974"},
	}
	rng := rand.New(rand.NewPCG(2025, 34788))
	const pointsPerRegion = 1500
	for _, region := range regions {
		t.Run(region.name, func(t *testing.T) {
			var area orb.Bound
			first := true
			for i, o := range d.outlines {
				if strings.HasPrefix(o.code, region.prefix) {
					if first {
						area, first = bounds[i], false
					} else {
						area = area.Union(bounds[i])
					}
				}
			}
			if first {
				t.Fatalf("no commune with code prefix %s", region.prefix)
			}
			inside, overlaps := 0, 0
			for range pointsPerRegion {
				p := orb.Point{
					area.Min[0] + rng.Float64()*(area.Max[0]-area.Min[0]),
					area.Min[1] + rng.Float64()*(area.Max[1]-area.Min[1]),
				}
				var containing []int
				for i, s := range d.shapes {
					if bounds[i].Contains(p) && planar.MultiPolygonContains(s, p) {
						containing = append(containing, i)
					}
				}
				got := d.index.Locate(p, Options{})
				if got.Inside != (len(containing) > 0) {
					t.Fatalf("Locate(%v) = %+v, brute force finds %v", p, got, containing)
				}
				if len(containing) == 1 && got.ID != containing[0] {
					t.Fatalf("Locate(%v) = %+v, brute force finds %v", p, got, containing)
				}
				if len(containing) > 1 && !slices.Contains(containing, got.ID) {
					t.Fatalf("Locate(%v) = %+v, not among brute-force %v", p, got, containing)
				}
				if len(containing) > 0 {
					inside++
				}
				if len(containing) > 1 {
					overlaps++
				}
			}
			t.Logf("%d points: %d inside, %d in overlaps", pointsPerRegion, inside, overlaps)
		})
	}
}

// metroBound is the bounding box of metropolitan France.
var metroBound = orb.Bound{Min: orb.Point{-5.2, 41.3}, Max: orb.Point{9.6, 51.1}}

func BenchmarkLocate(b *testing.B) {
	d := loadFrance(b)
	points := make([]orb.Point, len(d.shapes))
	for i, s := range d.shapes {
		points[i] = InteriorPoint(s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if h := d.index.Locate(points[i], Options{MaxDistanceMeters: 1000}); !h.Inside {
			b.Fatalf("interior point %d not inside", i)
		}
		i++
		if i == len(points) {
			i = 0
		}
	}
}

func BenchmarkLocateRandom(b *testing.B) {
	d := loadFrance(b)
	rng := rand.New(rand.NewPCG(1, 2))
	points := make([]orb.Point, 1<<16)
	for i := range points {
		points[i] = orb.Point{
			metroBound.Min[0] + rng.Float64()*(metroBound.Max[0]-metroBound.Min[0]),
			metroBound.Min[1] + rng.Float64()*(metroBound.Max[1]-metroBound.Min[1]),
		}
	}
	for _, tolerance := range []float64{0, 1000} {
		b.Run(fmt.Sprintf("tolerance=%gm", tolerance), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				d.index.Locate(points[i&(len(points)-1)], Options{MaxDistanceMeters: tolerance})
				i++
			}
		})
	}
}

func BenchmarkNewIndex(b *testing.B) {
	d := loadFrance(b)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(d.shapes)
	}
}
