package web

import (
	"fmt"
	"sort"
	"testing"
	"zonage/geo/mvt"
	"zonage/geo/mvt/mvttest"

	"github.com/paulmach/orb"
)

// tileNames returns the names of the label layer of a départements tile, with
// the tile-unit point of each.
func tileNames(t *testing.T, st *State, z, x, y int) map[string][2]int {
	t.Helper()
	h := testServer(t, st)
	rec := do(t, h, fmt.Sprintf("/api/v1/tiles/departements/%d/%d/%d.mvt", z, x, y), "Accept-Encoding", "gzip")
	if rec.Code != 200 {
		t.Fatalf("tile %d/%d/%d: %d", z, x, y, rec.Code)
	}
	layers, _ := mvttest.Decode(t, body(t, rec))
	out := map[string][2]int{}
	for _, f := range layers[layerNames] {
		if f.Type != mvt.Point || len(f.Parts) != 1 || len(f.Parts[0]) != 1 {
			t.Fatalf("name %q: one point expected, got %+v", f.Value, f)
		}
		out[f.Value] = f.Parts[0][0]
	}
	return out
}

func keys(m map[string][2]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestTileNames(t *testing.T) {
	day := "2025-06-01"
	st := testState(&day)
	// The four test communes are squares 0.01° wide side by side: at zoom 14 some
	// 116 px apart, room for every name; at zoom 12, 29 px apart, a name of five
	// letters (42 px) overlaps its neighbour's, so every other one is left out, in
	// order of population then name: Alpha, then Delta, not Beta nor Gamma.
	st.Resolver.Dataset.Communes[0].Population = 900
	st.Resolver.Dataset.Communes[3].Population = 800
	x, y := tileAt(2.32, 48.805, 14)
	names := map[string][2]int{}
	for dx := -1; dx <= 1; dx++ {
		for n, p := range tileNames(t, st, 14, x+dx, y) {
			names[n] = p
		}
	}
	if got := keys(names); fmt.Sprint(got) != "[Alpha Beta Delta Gamma]" {
		t.Errorf("zoom 14 names %v", got)
	}
	x, y = tileAt(2.32, 48.805, 12)
	got := tileNames(t, st, 12, x, y)
	if fmt.Sprint(keys(got)) != "[Alpha Delta]" {
		t.Errorf("zoom 12 names %v", keys(got))
	}
	// Below zoom 12 a name needs a population: 500 from zoom 11, 1 500 at 10.
	x, y = tileAt(2.32, 48.805, 11)
	if got := tileNames(t, st, 11, x, y); fmt.Sprint(keys(got)) != "[Alpha Delta]" {
		t.Errorf("zoom 11 names %v", keys(got))
	}
	x, y = tileAt(2.32, 48.805, 10)
	if got := tileNames(t, st, 10, x, y); len(got) != 0 {
		t.Errorf("zoom 10 names %v: no commune reaches 1 500 inhabitants", keys(got))
	}
}

// A name whose box crosses a tile edge is in both tiles, at the same place, so
// that each tile draws its part of it.
func TestTileNamesAcrossTiles(t *testing.T) {
	day := "2025-06-01"
	st := testState(&day)
	// Alpha, alone, centred on the edge between two zoom-14 tiles.
	x, y := tileAt(2.30, 48.805, 14)
	edge := float64(x+1)/float64(1<<14)*360 - 180
	st.Outlines = st.Outlines[:1]
	st.Outlines[0] = orb.MultiPolygon{{square(edge-0.005, 48.80, 0.01)}}
	st.Resolver.Dataset.Communes = st.Resolver.Dataset.Communes[:1]
	left, right := tileNames(t, st, 14, x, y), tileNames(t, st, 14, x+1, y)
	pl, okl := left["Alpha"]
	pr, okr := right["Alpha"]
	if !okl || !okr || pl[0]-pr[0] != tileExtent || pl[1] != pr[1] {
		t.Errorf("Alpha in the left tile at %v (%v), in the right one at %v (%v)", pl, okl, pr, okr)
	}
	if pl[0] < tileExtent-2 || pl[0] > tileExtent+2 {
		t.Errorf("Alpha at x=%d in the left tile, not on its right edge", pl[0])
	}
}

// The borders' tiles, with the names, go four zooms further than the colours, so
// that the page never enlarges their lines and letters.
func TestBordersTilesDeeper(t *testing.T) {
	day := "2025-06-01"
	st := testState(&day)
	x, y := tileAt(2.305, 48.805, maxBordersZoom)
	if got := tileNames(t, st, maxBordersZoom, x, y); len(got) != 1 {
		t.Errorf("zoom %d names %v, want Alpha alone", maxBordersZoom, keys(got))
	}
	h := testServer(t, st)
	if r := do(t, h, fmt.Sprintf("/api/v1/tiles/departements/%d/0/0.mvt", maxBordersZoom+1)); r.Code != 404 {
		t.Errorf("zoom %d: %d", maxBordersZoom+1, r.Code)
	}
	if r := do(t, h, fmt.Sprintf("/api/v1/tiles/communes/%d/%d/%d.mvt", maxTileZoom+1, x>>2, y>>2)); r.Code != 404 {
		t.Errorf("communes beyond zoom %d: %d", maxTileZoom, r.Code)
	}
}
