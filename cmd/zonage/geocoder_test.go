package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeBAN answers /search/ like the public geocoder, from the recorded shapes of
// geo/bangeocoder/testdata: the machine running the tests cannot reach the real one.
func fakeBAN(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	vaugirard, err := os.ReadFile(filepath.Join("..", "..", "geo", "bangeocoder", "testdata", "search_housenumber.json"))
	if err != nil {
		t.Fatal(err)
	}
	empty, _ := os.ReadFile(filepath.Join("..", "..", "geo", "bangeocoder", "testdata", "search_empty.json"))
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/search/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(strings.ToLower(r.URL.Query().Get("q")), "vaugirard") {
			w.Write(vaugirard)
			return
		}
		w.Write(empty)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestGeocoderBAN(t *testing.T) {
	srv, calls := fakeBAN(t)
	out, errOut, code := run("lookup", "12 rue de Vaugirard Paris", "--geocoder", "ban", "--geocoder-url", srv.URL, "--snapshot", testSnapshot)
	if code != 0 || !strings.Contains(out, "Paris 6e Arrondissement (75106)") || !strings.Contains(out, "12 Rue de Vaugirard 75006 Paris") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls to the geocoder, want 1", calls.Load())
	}

	in := filepath.Join(t.TempDir(), "a.csv")
	os.WriteFile(in, []byte("adresse\n12 rue de Vaugirard Paris\n12 rue de Vaugirard Paris\nnulle part\n"), 0o644)
	out, _, code = run("classify", in, "--geocoder", "ban", "--geocoder-url", srv.URL, "--snapshot", testSnapshot)
	recs := parseCSV(t, out, ',')
	if code != exitNotFound || len(recs) != 4 || recs[1][1] != "75106" || recs[1][6] != "adresse" || recs[3][5] != "introuvable" {
		t.Fatalf("exit %d: %v", code, recs)
	}
	// The repeated address is answered from the cache.
	if calls.Load() != 3 {
		t.Fatalf("%d calls to the geocoder, want 3 (one lookup, two distinct addresses)", calls.Load())
	}

	_, errOut, code = run("lookup", "x", "--geocoder", "google", "--snapshot", testSnapshot)
	if code != exitUsage || !strings.Contains(errOut, "hors-ligne ou ban") {
		t.Fatalf("unknown geocoder: exit %d %s", code, errOut)
	}
}
