package mvt_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"

	"zonage/geo/mvt"
	"zonage/geo/mvt/mvttest"
)

const extent = 512

func TestLayerRoundTrip(t *testing.T) {
	layer := mvt.NewLayer("communes", "k", extent)
	var poly mvt.Geometry
	// An exterior ring given anticlockwise and a hole given clockwise: both are
	// written the other way round.
	poly.Ring(mvt.QuantizeRing(orb.Ring{{10, 10}, {10, 100}, {100, 100}, {100, 10}, {10, 10}}), true)
	poly.Ring(mvt.QuantizeRing(orb.Ring{{20, 20}, {50, 20}, {50, 50}, {20, 50}, {20, 20}}), false)
	layer.Add(mvt.Polygon, &poly, "sous_dotee")
	var line mvt.Geometry
	line.Line(mvt.QuantizeLine(orb.LineString{{0, 0}, {0.2, 0.1}, {5.4, 5}}))
	layer.Add(mvt.LineString, &line, "")
	var pt mvt.Geometry
	pt.Point(mvt.Round(orb.Point{-3.6, 7.5}))
	layer.Add(mvt.Point, &pt, "sous_dotee")
	other := mvt.NewLayer("vide", "k", extent)

	layers, extents := mvttest.Decode(t, other.AppendTo(layer.AppendTo(nil)))
	if _, ok := layers["vide"]; ok || len(layers) != 1 || extents["communes"] != extent {
		t.Fatalf("layers %v, extents %v: one layer of extent %d expected", layers, extents, extent)
	}
	fs := layers["communes"]
	if len(fs) != 3 {
		t.Fatalf("%d features, want 3", len(fs))
	}
	if f := fs[0]; f.Type != mvt.Polygon || f.Value != "sous_dotee" || len(f.Parts) != 2 ||
		mvttest.SignedArea(f.Parts[0]) <= 0 || mvttest.SignedArea(f.Parts[1]) >= 0 {
		t.Errorf("polygon %+v: exterior clockwise and hole anticlockwise expected", f)
	}
	// Repeated points after rounding are dropped; the cursor carries over from
	// the polygon to the line, and the decoder undoes the deltas.
	if f := fs[1]; f.Type != mvt.LineString || f.Value != "" || len(f.Parts) != 1 || len(f.Parts[0]) != 2 || f.Parts[0][1] != [2]int{5, 5} {
		t.Errorf("line %+v", f)
	}
	if f := fs[2]; f.Type != mvt.Point || f.Value != "sous_dotee" || len(f.Parts) != 1 || f.Parts[0][0] != [2]int{-4, 8} {
		t.Errorf("point %+v", f)
	}
}

func TestQuantizeDropsWhatHasNoSize(t *testing.T) {
	cases := []struct {
		name string
		ring orb.Ring
	}{
		{"flat after rounding", orb.Ring{{0, 0}, {10, 0.2}, {20, 0.4}, {0, 0}}},
		{"one cell", orb.Ring{{0.1, 0.1}, {0.2, 0.1}, {0.2, 0.2}, {0.1, 0.1}}},
		{"two points", orb.Ring{{0, 0}, {5, 5}, {0, 0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if q := mvt.QuantizeRing(tc.ring); q != nil {
				t.Errorf("QuantizeRing = %v, want nil", q)
			}
		})
	}
	if q := mvt.QuantizeLine(orb.LineString{{1.1, 1}, {0.9, 1.2}}); q != nil {
		t.Errorf("QuantizeLine of one grid point = %v, want nil", q)
	}
}

func TestProjection(t *testing.T) {
	// Paris in the zoom 12 tile 2074/1409, and the tile's box around it.
	p := orb.Point{2.3522, 48.8566}
	tr := mvt.NewTransform(12, 2074, 1409, extent)
	q := tr.Apply(mvt.Mercator(p))
	if q[0] < 0 || q[0] > extent || q[1] < 0 || q[1] > extent {
		t.Fatalf("Paris at %v in tile 12/2074/1409, outside [0, %d]", q, extent)
	}
	b := mvt.TileBound(12, 2074, 1409, 0)
	if !b.Contains(p) {
		t.Errorf("bound %v does not hold Paris", b)
	}
	back := tr.ToTile(orb.LineString{p}, true)
	if math.Abs(back[0][0]-q[0]) > 1e-9 || math.Abs(back[0][1]-q[1]) > 1e-9 {
		t.Errorf("ToTile %v, Apply %v", back[0], q)
	}
	// The bound's corners are the tile's corners.
	corner := tr.Apply(mvt.Mercator(b.Min))
	if math.Abs(corner[0]) > 1e-6 || math.Abs(corner[1]-extent) > 1e-6 {
		t.Errorf("south-west corner at %v, want (0, %d)", corner, extent)
	}
	// Beyond 85.05° the projection stays in the square.
	if m := mvt.Mercator(orb.Point{0, 89.9}); m[1] < -1e-9 {
		t.Errorf("Mercator at 89.9° = %v", m)
	}
}

func TestSimplifyKeepsShape(t *testing.T) {
	// A square of 1° (some 20 pixels at zoom 5) with a vertex every 0.01°
	// along a side: the intermediate vertices go, the corners stay.
	var r orb.Ring
	for i := 0; i <= 100; i++ {
		r = append(r, orb.Point{2 + float64(i)*0.01, 48})
	}
	r = append(r, orb.Point{3, 49}, orb.Point{2, 49}, orb.Point{2, 48})
	got := mvt.SimplifyPolygons([]orb.MultiPolygon{{{r}}}, 5)[0][0][0]
	if len(got) != 5 || cap(got) != len(got) {
		t.Errorf("simplified ring %v (cap %d): the 4 corners closed, in a slice of its own length, expected", got, cap(got))
	}
	if l := mvt.SimplifyLines([]orb.LineString{orb.LineString(r)}, 5)[0]; len(l) != 5 {
		t.Errorf("simplified line %v", l)
	}
}

// benchmarkRings are 400 polygons of 200 vertices over a zoom 8 tile, about the
// communes of a département.
func benchmarkRings() []orb.Ring {
	var out []orb.Ring
	for i := 0; i < 400; i++ {
		cx, cy := float64(i%20)*26+10, float64(i/20)*26+10
		var r orb.Ring
		for k := 0; k < 200; k++ {
			a := 2 * math.Pi * float64(k) / 200
			rad := 12 + 2*math.Sin(7*a)
			r = append(r, orb.Point{cx + rad*math.Cos(a), cy + rad*math.Sin(a)})
		}
		out = append(out, append(r, r[0]))
	}
	return out
}

// BenchmarkPolygonLayer clips, quantizes and encodes a layer of polygons in
// tile units, the per-tile work of the communes layer.
func BenchmarkPolygonLayer(b *testing.B) {
	rings := benchmarkRings()
	box := orb.Bound{Min: orb.Point{-8, -8}, Max: orb.Point{extent + 8, extent + 8}}
	classes := []string{"tres_sous_dotee", "sous_dotee", "intermediaire", "non_prioritaire"}
	b.ReportAllocs()
	for b.Loop() {
		layer := mvt.NewLayer("communes", "k", extent)
		for i, r := range rings {
			var g mvt.Geometry
			if q := mvt.QuantizeRing(clip.Ring(box, r.Clone())); q != nil {
				g.Ring(q, true)
				layer.Add(mvt.Polygon, &g, classes[i%len(classes)])
			}
		}
		_ = layer.AppendTo(nil)
	}
}
