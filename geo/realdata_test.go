package geo

import (
	"cmp"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"zonage/geo/geotest"

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

// dataDir is $ZONAGE_DATA, or else ../../shared/data relative to the package
// directory, where the project keeps its source data.
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
	raw, err := readMaybeGzipped(path)
	if err != nil {
		return nil, err
	}
	out, err := readCommuneCollection(raw, "code", "DEPCOM")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, o := range out {
		if o.code == "" {
			return nil, fmt.Errorf("%s: feature without code", path)
		}
	}
	return out, nil
}

func readMaybeGzipped(path string) ([]byte, error) {
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
	return raw, nil
}

// TestCollectionReaderMatchesOrb checks the test data reader against
// orb/geojson on a metropolitan and a DROM file.
func TestCollectionReaderMatchesOrb(t *testing.T) {
	dir := filepath.Join(dataDir(), "contours_communes")
	for _, path := range []string{
		filepath.Join(dir, "metro_adminexpress2025_by_dept", "communes-2A.geojson.gz"),
		filepath.Join(dir, "drom_cogiter2025", "communes_974_geo.geojson"),
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := readMaybeGzipped(path)
			if err != nil {
				t.Fatal(err)
			}
			fc, err := geojson.UnmarshalFeatureCollection(raw)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readCommuneCollection(raw, "code", "DEPCOM")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(fc.Features) {
				t.Fatalf("read %d features, orb reads %d", len(got), len(fc.Features))
			}
			for i, f := range fc.Features {
				want := f.Properties.MustString("code", f.Properties.MustString("DEPCOM", ""))
				shape := f.Geometry
				if p, ok := shape.(orb.Polygon); ok {
					shape = orb.MultiPolygon{p}
				}
				if got[i].code != want || !orb.Equal(got[i].shape, shape) {
					t.Fatalf("feature %d: read %s, orb reads %s", i, got[i].code, want)
				}
			}
		})
	}
}

// TestLoadAllOutlines checks the data set is complete, and builds the search
// structure of every part of it.
func TestLoadAllOutlines(t *testing.T) {
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
		pt := d.index.preparedPart(int32(i))
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
		p := geotest.InteriorPoint(o.shape)
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

// TestLocateMatchesBruteForce compares Locate with a brute force over every
// outline built on orb's planar package (MultiPolygonContains, and
// DistanceFrom on outlines projected around the point), for random points in
// several départements: uniform, on their communes' vertices, or close to
// them.
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
	const (
		pointsPerRegion = 1500
		tolerance       = 1000.0
		// Distances computed here and by Locate differ by rounding only.
		slackMeters = 1e-6
	)
	rng := rand.New(rand.NewPCG(2025, 34788))
	for _, region := range regions {
		t.Run(region.name, func(t *testing.T) {
			var members []int
			for i, o := range d.outlines {
				if strings.HasPrefix(o.code, region.prefix) {
					members = append(members, i)
				}
			}
			if len(members) == 0 {
				t.Fatalf("no commune with code prefix %s", region.prefix)
			}
			area := bounds[members[0]]
			for _, i := range members {
				area = area.Union(bounds[i])
			}
			// Every outline that can contain a point of the area or lie
			// within the tolerance of one; the others cannot matter.
			reach := area.Union(searchWindow(area.Min, tolerance)).Union(searchWindow(area.Max, tolerance))
			var candidates []int
			for i := range d.shapes {
				if bounds[i].Intersects(reach) {
					candidates = append(candidates, i)
				}
			}
			var inside, overlaps, nearby int
			for n := range pointsPerRegion {
				// A third of the points are uniform over the area, a third are
				// vertices of the region's outer rings (on a boundary, so
				// inside), and a third are within ~40 m of such a vertex,
				// where neighbours overlap or leave slivers.
				p := orb.Point{
					area.Min[0] + rng.Float64()*(area.Max[0]-area.Min[0]),
					area.Min[1] + rng.Float64()*(area.Max[1]-area.Min[1]),
				}
				if n%3 != 0 {
					poly := d.shapes[members[rng.IntN(len(members))]]
					ring := poly[rng.IntN(len(poly))][0]
					p = ring[rng.IntN(len(ring))]
				}
				if n%3 == 2 {
					p[0] += (rng.Float64()*2 - 1) * 40 / (metersPerDegree * math.Cos(p[1]*math.Pi/180))
					p[1] += (rng.Float64()*2 - 1) * 40 / metersPerDegree
				}
				var containing []int
				for _, i := range candidates {
					if bounds[i].Contains(p) && containsOrTouches(d.shapes[i], p) {
						containing = append(containing, i)
					}
				}
				got := d.index.Locate(p, Options{MaxDistanceMeters: tolerance})
				switch {
				case len(containing) == 1:
					inside++
					if got != (Hit{ID: containing[0], Inside: true}) {
						t.Fatalf("Locate(%v) = %+v, brute force finds %v", p, got, containing)
					}
				case len(containing) > 1:
					// The deepest outline. The smallest ID breaks exact ties,
					// which two implementations cannot be expected to see
					// alike, so any outline within slackMeters of the deepest
					// is accepted.
					inside++
					overlaps++
					depths := make(map[int]float64)
					for _, i := range containing {
						depths[i] = -boundaryDistance(d.shapes[i], p)
					}
					if best := nearBest(depths, slackMeters); !got.Inside || !slices.Contains(best, got.ID) {
						t.Fatalf("Locate(%v) = %+v, want the deepest of %v: %v", p, got, depths, best)
					}
				default:
					// The nearest outline within the tolerance, with the same
					// allowance for ties.
					window := searchWindow(p, tolerance)
					dists := make(map[int]float64)
					for _, i := range candidates {
						if !bounds[i].Intersects(window) {
							continue
						}
						if dist := boundaryDistance(d.shapes[i], p); dist <= tolerance {
							dists[i] = dist
						}
					}
					if len(dists) == 0 {
						if got != noHit {
							t.Fatalf("Locate(%v) = %+v, brute force finds nothing within %gm", p, got, tolerance)
						}
						continue
					}
					nearby++
					best := nearBest(dists, slackMeters)
					if got.Inside || !slices.Contains(best, got.ID) || math.Abs(got.DistanceM-dists[best[0]]) > slackMeters {
						t.Fatalf("Locate(%v) = %+v, want the nearest of %v: %v", p, got, dists, best)
					}
				}
			}
			t.Logf("%d points: %d inside (%d in overlaps), %d within %gm of an outline", pointsPerRegion, inside, overlaps, nearby, tolerance)
		})
	}
}

// nearBest returns the keys whose value is within slack of the smallest
// value, the key of the smallest first.
func nearBest(values map[int]float64, slack float64) []int {
	keys := slices.Collect(maps.Keys(values))
	slices.SortFunc(keys, func(a, b int) int { return cmp.Compare(values[a], values[b]) })
	best := keys[:1]
	for _, k := range keys[1:] {
		if values[k] <= values[keys[0]]+slack {
			best = append(best, k)
		}
	}
	return best
}

// containsOrTouches reports whether p is inside mp or on its boundary,
// holes' boundaries included. orb counts a point on a hole's boundary as
// outside; this package counts every boundary point as inside. A point on a
// boundary is found exactly when it is a vertex, which is how the test
// places points on boundaries.
func containsOrTouches(mp orb.MultiPolygon, p orb.Point) bool {
	return planar.MultiPolygonContains(mp, p) || planar.DistanceFrom(mp, p) == 0
}

// boundaryDistance is the distance in metres from p to the boundary of mp,
// computed by orb on mp projected to a plane tangent at p.
func boundaryDistance(mp orb.MultiPolygon, p orb.Point) float64 {
	xMeters := metersPerDegree * math.Cos(p[1]*math.Pi/180)
	projected := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		projected[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			projected[i][j] = make(orb.Ring, len(ring))
			for k, v := range ring {
				projected[i][j][k] = orb.Point{(v[0] - p[0]) * xMeters, (v[1] - p[1]) * metersPerDegree}
			}
		}
	}
	return planar.DistanceFrom(projected, orb.Point{})
}

// searchWindow is a lon/lat box holding every point within meters of p.
func searchWindow(p orb.Point, meters float64) orb.Bound {
	dy := meters / metersPerDegree * 1.01
	dx := dy / math.Cos(p[1]*math.Pi/180)
	return orb.Bound{Min: orb.Point{p[0] - dx, p[1] - dy}, Max: orb.Point{p[0] + dx, p[1] + dy}}
}

// metroBound is the bounding box of metropolitan France.
var metroBound = orb.Bound{Min: orb.Point{-5.2, 41.3}, Max: orb.Point{9.6, 51.1}}

// warmUp runs Locate once on every point, so that the parts they touch have
// their search structure built before the timed loop.
func warmUp(ix *Index, points []orb.Point, opt Options) {
	for _, p := range points {
		ix.Locate(p, opt)
	}
}

func BenchmarkLocate(b *testing.B) {
	d := loadFrance(b)
	points := make([]orb.Point, len(d.shapes))
	for i, s := range d.shapes {
		points[i] = geotest.InteriorPoint(s)
	}
	opt := Options{MaxDistanceMeters: 1000}
	warmUp(d.index, points, opt)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if h := d.index.Locate(points[i], opt); !h.Inside {
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
			opt := Options{MaxDistanceMeters: tolerance}
			warmUp(d.index, points, opt)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				d.index.Locate(points[i&(len(points)-1)], opt)
				i++
			}
		})
	}
}

// BenchmarkNewIndex measures NewIndex alone ("lazy": what a service pays at
// start), and NewIndex followed by building every part's search structure
// on one goroutine ("all parts prepared": the total work that queries
// otherwise spread over time).
func BenchmarkNewIndex(b *testing.B) {
	d := loadFrance(b)
	b.Run("lazy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewIndex(d.shapes)
		}
	})
	b.Run("all parts prepared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ix := NewIndex(d.shapes)
			for i := range ix.parts {
				ix.preparedPart(int32(i))
			}
		}
	})
}

// TestLocateConcurrentFirstUse queries a fresh Index from several goroutines
// at once, so that parts are prepared concurrently on first use, and checks
// every answer against the shared, already used Index.
func TestLocateConcurrentFirstUse(t *testing.T) {
	d := loadFrance(t)
	fresh := NewIndex(d.shapes)
	rng := rand.New(rand.NewPCG(3, 4))
	points := make([]orb.Point, 3000)
	for i := range points {
		if i%2 == 0 {
			points[i] = geotest.InteriorPoint(d.shapes[rng.IntN(len(d.shapes))])
		} else {
			points[i] = orb.Point{
				metroBound.Min[0] + rng.Float64()*(metroBound.Max[0]-metroBound.Min[0]),
				metroBound.Min[1] + rng.Float64()*(metroBound.Max[1]-metroBound.Min[1]),
			}
		}
	}
	opt := Options{MaxDistanceMeters: 1000}
	want := make([]Hit, len(points))
	for i, p := range points {
		want[i] = d.index.Locate(p, opt)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			// Each goroutine walks the points from a different start.
			for k := range points {
				i := (k + g*len(points)/4) % len(points)
				if got := fresh.Locate(points[i], opt); got != want[i] {
					t.Errorf("Locate(%v) = %+v on a fresh index, %+v on the shared one", points[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
