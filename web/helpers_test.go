package web

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"zonage/zones"
)

// square is a closed ring around (lon, lat), d degrees wide.
func square(lon, lat, d float64) orb.Ring {
	return orb.Ring{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}
}

type noLocator struct{}

func (noLocator) Locate(orb.Point, float64) (int, bool, float64) { return -1, false, 0 }

// testState is four communes side by side near Paris, each 0.01° wide: two of
// département 91 in one bassin de vie, a commune nouvelle of 92 whose former
// communes differ (ambiguous), and one of 92 whose category changes on 2026-01-01.
func testState(today *string) *State {
	bv := &zones.Catchment{Kind: zones.BassinDeVie, Code: "91001", Name: "Alpha", Derived: true}
	z := func(code, name string, cat zones.Category, from, to string) zones.Zonage {
		zz := zones.Zonage{Code: code, Name: name, Category: cat, OfficialCode: cat.OfficialCode(), Scheme: zones.SchemeAvenant7,
			Region: "11", EffectiveDate: from, EndDate: to, Source: "test"}
		if strings.HasPrefix(code, "91") {
			zz.Catchment = bv
		}
		return zz
	}
	ds := &zones.Dataset{
		Meta: zones.Meta{Version: "test-1"},
		Communes: []zones.Commune{
			{Code: "91001", Name: "Alpha", Departement: "91", Region: "11", Catchment: bv, ZonageCodes: []string{"91001"}},
			{Code: "91002", Name: "Beta", Departement: "91", Region: "11", Catchment: bv, ZonageCodes: []string{"91002"}},
			{Code: "92001", Name: "Gamma", Departement: "92", Region: "11", ZonageCodes: []string{"92001", "92009"}},
			{Code: "92002", Name: "Delta", Departement: "92", Region: "11", ZonageCodes: []string{"92002"}},
		},
		Zonage: map[string][]zones.Zonage{
			"91001": {z("91001", "Alpha", zones.TresSousDotee, "", "")},
			"91002": {z("91002", "Beta", zones.TresSousDotee, "", "")},
			"92001": {z("92001", "Gamma", zones.Intermediaire, "", "")},
			"92009": {z("92009", "Gamma-Ancienne", zones.SousDotee, "", "")},
			"92002": {z("92002", "Delta", zones.Intermediaire, "", "2026-01-01"), z("92002", "Delta", zones.NonPrioritaire, "2026-01-01", "")},
		},
	}
	ds.Index()
	outlines := []orb.MultiPolygon{
		{{square(2.30, 48.80, 0.01)}},
		{{square(2.31, 48.80, 0.01)}},
		{{square(2.32, 48.80, 0.01)}},
		{{square(2.33, 48.80, 0.01)}},
	}
	return &State{
		Resolver: &zones.Resolver{Dataset: ds, Locator: noLocator{}, ToleranceM: 1000, Clock: func() time.Time {
			d, err := zones.ParseDay(*today)
			if err != nil {
				panic(err)
			}
			return d.Time()
		}},
		Outlines: outlines,
	}
}

// TestMain runs the tests in Gin's release mode, as the command serves.
func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}

func testServer(t *testing.T, st *State) http.Handler {
	t.Helper()
	return testServerWith(t, st, Config{})
}

func testServerWith(t *testing.T, st *State, cfg Config) http.Handler {
	t.Helper()
	s, err := New(context.Background(), cfg, func(context.Context) (*State, error) { return st, nil })
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

func do(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func body(t *testing.T, rec *httptest.ResponseRecorder) []byte {
	t.Helper()
	if rec.Header().Get("Content-Encoding") != "gzip" {
		return rec.Body.Bytes()
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
