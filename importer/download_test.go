package importer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"zonage/data"
)

// fakeOrigin is a local stand-in for data.gouv.fr, the npm registry and the
// static file hosts. It counts requests per path so that tests can tell a
// retried request from one that was not.
type fakeOrigin struct {
	*httptest.Server
	mux   *http.ServeMux
	mu    sync.Mutex
	calls map[string]int
}

func newFakeOrigin(t *testing.T) *fakeOrigin {
	t.Helper()
	o := &fakeOrigin{mux: http.NewServeMux(), calls: map[string]int{}}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.calls[r.URL.Path]++
		o.mu.Unlock()
		o.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *fakeOrigin) count(p string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls[p]
}

// serve answers p with body; each call of the handler sees its 1-based call number.
func (o *fakeOrigin) serve(p string, h func(w http.ResponseWriter, call int)) {
	var mu sync.Mutex
	n := 0
	o.mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		call := n
		mu.Unlock()
		h(w, call)
	})
}

func (o *fakeOrigin) serveBytes(p string, body []byte) {
	o.serve(p, func(w http.ResponseWriter, _ int) { w.Write(body) })
}

func dlSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func dlGzip(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dlTarball builds a .tgz laid out like a published npm package: a "package/"
// directory entry, then the files in the order given.
func dlTarball(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "package/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f[0], Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f[1]))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dlSpec returns a source with the descriptive fields filled, as validation wants.
func dlSpec(id, kind, rawURL, dest string) SourceSpec {
	return SourceSpec{
		ID: id, Title: "titre " + id, Publisher: "éditeur", Licence: "Licence Ouverte 2.0", Vintage: "2025",
		Page: "https://example.org/" + id, Fetch: FetchSpec{Kind: kind, URL: rawURL}, Dest: dest, Required: true,
	}
}

// dlOptions keeps retries short: the behaviour under test is the same.
// A nil progress stays a nil io.Writer (silent), not a nil *bytes.Buffer.
func dlOptions(progress *bytes.Buffer) DownloadOptions {
	opt := DownloadOptions{RetryBaseDelay: time.Millisecond, StallTimeout: 5 * time.Second}
	if progress != nil {
		opt.Progress = progress
	}
	return opt
}

func dlReadFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dlPartFiles lists temporary files left in dir; a download must never leave any.
func dlPartFiles(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".part") {
			found = append(found, p)
		}
		return nil
	})
	return found
}

const dlZonageCSV = "\"source\",\"date_maj\",\"niveau\",\"code\",\"zmk_niveau\"\n\"DataSanté\",\"30/07/2026\",\"COM\",\"11262\",\"5b_Non_prioritaire\"\n"

func dlDataGouvJSON(t *testing.T, resources ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"id": "abc", "slug": "zonages-des-professionnels-de-sante-liberaux", "resources": resources})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDownloadSources(t *testing.T) {
	o := newFakeOrigin(t)
	dest := t.TempDir()

	sum := sha1.Sum([]byte(dlZonageCSV))
	o.serveBytes("/api/1/datasets/zonages/", dlDataGouvJSON(t,
		map[string]any{"title": "Zonages QPV", "url": "https://static.data.gouv.fr/resources/zonages/20260730-zonages-qpv.csv", "format": "csv", "last_modified": "2026-07-30T10:00:00.000000+00:00"},
		map[string]any{"title": "Zonages communes (ancienne)", "url": "https://static.data.gouv.fr/resources/zonages/20250101-zonages-com.csv", "format": "csv", "last_modified": "2025-01-01T10:00:00+00:00"},
		map[string]any{"title": "Zonages communes", "url": "https://static.data.gouv.fr/resources/zonages/20260730-zonages-com.csv", "format": "csv", "last_modified": "2026-07-30T10:00:00.123456+00:00",
			"checksum": map[string]string{"type": "sha1", "value": hex.EncodeToString(sum[:])}},
		map[string]any{"title": "Documentation zonages_com", "url": "https://static.data.gouv.fr/resources/zonages/doc-zonages_com.pdf", "format": "pdf", "last_modified": "2026-08-01T10:00:00"},
	))
	o.serve("/resources/zonages/20260730-zonages-com.csv", func(w http.ResponseWriter, _ int) {
		w.Header().Set("ETag", `"v2026"`)
		w.Write([]byte(dlZonageCSV))
	})

	communes := `[{"code":"01001","nom":"L'Abergement-Clémenciat","type":"commune-actuelle"}]`
	o.serveBytes("/@etalab/decoupage-administratif/-/decoupage-administratif-5.3.0.tgz",
		dlTarball(t, [2]string{"package/package.json", `{"name":"@etalab/decoupage-administratif"}`}, [2]string{"package/data/communes.json", communes}))

	contours := dlGzip(t, []byte(`{"type":"FeatureCollection","features":[]}`))
	o.serve("/contours/communes-50m.geojson.gz", func(w http.ResponseWriter, _ int) {
		w.Header().Set("Last-Modified", "Mon, 03 Feb 2025 10:00:00 GMT")
		w.Write(contours)
	})
	o.serveBytes("/cog/mvt.csv.gz", dlGzip(t, []byte("MOD,DATE_EFF\n32,2025-01-01\n")))
	o.serve("/flaky.csv", func(w http.ResponseWriter, call int) {
		if call <= 2 {
			http.Error(w, "indisponible", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("flaky ok\n"))
	})
	o.serve("/limited.csv", func(w http.ResponseWriter, call int) {
		if call == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "trop de requêtes", http.StatusTooManyRequests)
			return
		}
		w.Write([]byte("limited ok\n"))
	})

	zonage := dlSpec("zonage", FetchDataGouv, "https://www.data.gouv.fr/api/1/datasets/zonages/", "zonage_mk/atlasante_zonages_com.csv")
	zonage.Fetch.Resource, zonage.Fetch.Format = "zonages-com|zonages_com", "csv"
	cog := dlSpec("cog2025", FetchNPM, "https://registry.npmjs.org/@etalab/decoupage-administratif/-/decoupage-administratif-5.3.0.tgz", "decoupage_administratif/v5.3.0_cog2025/communes.json")
	cog.Fetch.Member, cog.SHA256 = "package/data/communes.json", dlSHA256([]byte(communes))
	mvt := dlSpec("mvt", FetchURL, o.URL+"/cog/mvt.csv.gz", "cog/mvtcommunes.csv")
	mvt.Fetch.Gunzip, mvt.Required = true, false
	manual := dlSpec("cartosante", FetchManual, "", "zonage_mk/cartosante_zonage_mk_communes_AAAA-MM.csv")
	manual.Fetch.Instructions, manual.Required = "exporter le tableau depuis cartosante.atlasante.fr", false
	m := &Manifest{Version: 1, Sources: []SourceSpec{
		zonage, manual, cog,
		dlSpec("contours", FetchURL, o.URL+"/contours/communes-50m.geojson.gz", "contours_communes/etalab_2025/communes-50m.geojson.gz"),
		mvt,
		dlSpec("flaky", FetchURL, o.URL+"/flaky.csv", "flaky/flaky.csv"),
		dlSpec("limited", FetchURL, o.URL+"/limited.csv", "limited/limited.csv"),
	}}
	var progress bytes.Buffer
	opt := dlOptions(&progress)
	opt.BaseURLs = map[string]string{
		"https://www.data.gouv.fr":    o.URL,
		"https://static.data.gouv.fr": o.URL,
		"https://registry.npmjs.org/": o.URL + "/",
	}

	lock, err := DownloadSources(context.Background(), m, dest, opt)
	if err != nil {
		t.Fatalf("DownloadSources: %v\n%s", err, progress.String())
	}

	t.Run("files", func(t *testing.T) {
		for _, c := range []struct{ dest, want string }{
			{"zonage_mk/atlasante_zonages_com.csv", dlZonageCSV},
			{"decoupage_administratif/v5.3.0_cog2025/communes.json", communes},
			{"contours_communes/etalab_2025/communes-50m.geojson.gz", string(contours)},
			{"cog/mvtcommunes.csv", "MOD,DATE_EFF\n32,2025-01-01\n"},
			{"flaky/flaky.csv", "flaky ok\n"},
			{"limited/limited.csv", "limited ok\n"},
		} {
			if got := dlReadFile(t, filepath.Join(dest, c.dest)); got != c.want {
				t.Errorf("%s = %q, want %q", c.dest, got, c.want)
			}
		}
		if _, err := os.Stat(filepath.Join(dest, manual.Dest)); !os.IsNotExist(err) {
			t.Errorf("manual source %s was written (err %v)", manual.Dest, err)
		}
		if p := dlPartFiles(t, dest); len(p) > 0 {
			t.Errorf("temporary files left: %v", p)
		}
	})

	t.Run("retries", func(t *testing.T) {
		for _, c := range []struct {
			path string
			want int
		}{
			{"/flaky.csv", 3},   // 503, 503, 200
			{"/limited.csv", 2}, // 429 with Retry-After: 0, then 200
			{"/resources/zonages/20250101-zonages-com.csv", 0},
			{"/resources/zonages/doc-zonages_com.pdf", 0},
		} {
			if got := o.count(c.path); got != c.want {
				t.Errorf("requests to %s = %d, want %d", c.path, got, c.want)
			}
		}
	})

	t.Run("lock", func(t *testing.T) {
		var onDisk Lock
		if err := json.Unmarshal([]byte(dlReadFile(t, filepath.Join(dest, LockFileName))), &onDisk); err != nil {
			t.Fatalf("%s: %v", LockFileName, err)
		}
		if len(onDisk.Sources) != len(lock.Sources) {
			t.Fatalf("lock on disk has %d sources, returned lock %d", len(onDisk.Sources), len(lock.Sources))
		}
		var ids []string
		for _, e := range onDisk.Sources {
			ids = append(ids, e.ID)
			b, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(e.Dest)))
			if err != nil {
				t.Fatalf("%s: %v", e.ID, err)
			}
			if e.SHA256 != dlSHA256(b) || e.Bytes != int64(len(b)) {
				t.Errorf("%s: lock says sha256 %s, %d bytes; file has %s, %d bytes", e.ID, e.SHA256, e.Bytes, dlSHA256(b), len(b))
			}
			if e.FetchedAt.IsZero() {
				t.Errorf("%s: fetched_at missing", e.ID)
			}
		}
		if got, want := strings.Join(ids, ","), "zonage,cog2025,contours,mvt,flaky,limited"; got != want {
			t.Errorf("lock sources = %s, want %s", got, want)
		}
		z, _ := onDisk.find("zonage")
		if z.URL != "https://static.data.gouv.fr/resources/zonages/20260730-zonages-com.csv" {
			t.Errorf("zonage url = %q, want the official address of the newest commune table", z.URL)
		}
		if z.FetchedFrom != o.URL+"/resources/zonages/20260730-zonages-com.csv" {
			t.Errorf("zonage fetched_from = %q, want the rewritten address", z.FetchedFrom)
		}
		if z.Resource != "Zonages communes" || z.LastModified != "2026-07-30T10:00:00.123456+00:00" || z.ETag != `"v2026"` {
			t.Errorf("zonage resource/last_modified/etag = %q/%q/%q", z.Resource, z.LastModified, z.ETag)
		}
		if c, _ := onDisk.find("contours"); c.LastModified != "Mon, 03 Feb 2025 10:00:00 GMT" {
			t.Errorf("contours last_modified = %q, want the Last-Modified header", c.LastModified)
		}
		if c, _ := onDisk.find("cog2025"); c.Member != "package/data/communes.json" {
			t.Errorf("cog2025 member = %q", c.Member)
		}
		if len(onDisk.NotFetched) != 1 || onDisk.NotFetched[0].ID != "cartosante" {
			t.Errorf("not_fetched = %+v, want only the manual source", onDisk.NotFetched)
		}
	})

	t.Run("progress", func(t *testing.T) {
		lines := strings.Split(strings.TrimSuffix(progress.String(), "\n"), "\n")
		if len(lines) != len(m.Sources) {
			t.Fatalf("%d progress lines for %d sources:\n%s", len(lines), len(m.Sources), progress.String())
		}
		for _, want := range []string{
			"cartosante : source manuelle, non téléchargée — exporter le tableau depuis cartosante.atlasante.fr (https://example.org/cartosante)",
			"zonage : téléchargé https://static.data.gouv.fr/resources/zonages/20260730-zonages-com.csv → zonage_mk/atlasante_zonages_com.csv",
			"flaky/flaky.csv (9 o, sha256 ",
			", 3 essais)",
		} {
			if !strings.Contains(progress.String(), want) {
				t.Errorf("progress lacks %q:\n%s", want, progress.String())
			}
		}
	})

	t.Run("second run reuses files with a fixed digest", func(t *testing.T) {
		before := o.count("/@etalab/decoupage-administratif/-/decoupage-administratif-5.3.0.tgz")
		var again bytes.Buffer
		opt.Progress = &again
		if _, err := DownloadSources(context.Background(), m, dest, opt); err != nil {
			t.Fatalf("second run: %v", err)
		}
		if after := o.count("/@etalab/decoupage-administratif/-/decoupage-administratif-5.3.0.tgz"); after != before {
			t.Errorf("tarball fetched again (%d requests, was %d) although communes.json has its sha256", after, before)
		}
		if !strings.Contains(again.String(), "cog2025 : déjà présent, empreinte sha256 vérifiée → decoupage_administratif/v5.3.0_cog2025/communes.json") {
			t.Errorf("second run progress:\n%s", again.String())
		}
	})
}

func TestDownloadSourcesFailures(t *testing.T) {
	good := []byte("contenu attendu\n")
	cases := []struct {
		name     string
		setup    func(t *testing.T, o *fakeOrigin) SourceSpec
		existing string // content already at dest before the run; "" = no file
		retries  int
		wantErr  []string // substrings of the error; nil = no error
		wantIs   error
		progress []string
		calls    map[string]int
	}{
		{
			name: "404 on a required source leaves the earlier file",
			setup: func(t *testing.T, o *fakeOrigin) SourceSpec {
				o.serve("/gone.csv", func(w http.ResponseWriter, _ int) { http.NotFound(w, nil) })
				return dlSpec("zonage", FetchURL, o.URL+"/gone.csv", "zonage_mk/atlasante_zonages_com.csv")
			},
			existing: "ancien fichier valide\n",
			wantErr:  []string{"source « zonage »", "/gone.csv", "404 Not Found", "adresse introuvable", "rien n'a été écrit dans zonage_mk/atlasante_zonages_com.csv", "https://example.org/zonage"},
			progress: []string{"zonage : échec — "},
			calls:    map[string]int{"/gone.csv": 1},
		},
		{
			name: "sha256 mismatch is refused and not kept",
			setup: func(t *testing.T, o *fakeOrigin) SourceSpec {
				o.serveBytes("/cog.json", []byte("contenu modifié\n"))
				s := dlSpec("cog2025", FetchURL, o.URL+"/cog.json", "decoupage_administratif/v5.3.0_cog2025/communes.json")
				s.SHA256 = dlSHA256(good)
				return s
			},
			wantErr: []string{"source « cog2025 »", "sha256 attendue " + dlSHA256(good), "obtenue " + dlSHA256([]byte("contenu modifié\n")), "n'a pas été conservé"},
			wantIs:  ErrChecksumMismatch,
			calls:   map[string]int{"/cog.json": 1},
		},
		{
			name: "5xx is retried, then reported with the number of attempts",
			setup: func(t *testing.T, o *fakeOrigin) SourceSpec {
				o.serve("/down.csv", func(w http.ResponseWriter, _ int) { http.Error(w, "panne", http.StatusBadGateway) })
				return dlSpec("contours", FetchURL, o.URL+"/down.csv", "contours_communes/x/communes.geojson")
			},
			retries: 2,
			wantErr: []string{"source « contours »", "502 Bad Gateway", "(3 essais)"},
			calls:   map[string]int{"/down.csv": 3},
		},
		{
			name: "optional source failing is only a warning",
			setup: func(t *testing.T, o *fakeOrigin) SourceSpec {
				o.serve("/mvt.csv", func(w http.ResponseWriter, _ int) { http.Error(w, "interdit", http.StatusForbidden) })
				s := dlSpec("mvt", FetchURL, o.URL+"/mvt.csv", "cog/mvtcommunes.csv")
				s.Required = false
				return s
			},
			progress: []string{"mvt : avertissement, source facultative non téléchargée", "403 Forbidden", "accès refusé", "l'import se fera sans elle"},
			calls:    map[string]int{"/mvt.csv": 1},
		},
		{
			name: "data.gouv dataset without a matching resource",
			setup: func(t *testing.T, o *fakeOrigin) SourceSpec {
				o.serveBytes("/api/1/datasets/zonages/", dlDataGouvJSON(t,
					map[string]any{"title": "Zonages QPV", "url": o.URL + "/r/zonages-qpv.csv", "format": "csv", "last_modified": "2026-07-30T10:00:00+00:00"},
					map[string]any{"title": "Zonages communes", "url": o.URL + "/r/zonages-com.xlsx", "format": "xlsx", "last_modified": "2026-07-30T10:00:00+00:00"}))
				s := dlSpec("zonage", FetchDataGouv, o.URL+"/api/1/datasets/zonages/", "zonage_mk/atlasante_zonages_com.csv")
				s.Fetch.Resource, s.Fetch.Format = "zonages-com|zonages_com", "csv"
				return s
			},
			wantErr: []string{"source « zonage »", "aucune ressource", "« zonages-com|zonages_com » au format csv", "« Zonages QPV » (csv,"},
			calls:   map[string]int{"/r/zonages-qpv.csv": 0},
		},
		{
			name: "data.gouv checksum mismatch",
			setup: func(t *testing.T, o *fakeOrigin) SourceSpec {
				o.serveBytes("/api/1/datasets/zonages/", dlDataGouvJSON(t,
					map[string]any{"title": "Zonages communes", "url": o.URL + "/r/zonages-com.csv", "format": "csv", "last_modified": "2026-07-30T10:00:00+00:00",
						"checksum": map[string]string{"type": "sha1", "value": strings.Repeat("0", 40)}}))
				o.serveBytes("/r/zonages-com.csv", []byte(dlZonageCSV))
				s := dlSpec("zonage", FetchDataGouv, o.URL+"/api/1/datasets/zonages/", "zonage_mk/atlasante_zonages_com.csv")
				s.Fetch.Resource = "zonages-com"
				return s
			},
			wantErr: []string{"source « zonage »", "sha1 publiée par data.gouv.fr " + strings.Repeat("0", 40)},
			wantIs:  ErrChecksumMismatch,
			calls:   map[string]int{"/r/zonages-com.csv": 1},
		},
		{
			name: "npm tarball without the member",
			setup: func(t *testing.T, o *fakeOrigin) SourceSpec {
				o.serveBytes("/pkg.tgz", dlTarball(t, [2]string{"package/data/regions.json", "[]"}))
				s := dlSpec("cog2025", FetchNPM, o.URL+"/pkg.tgz", "decoupage_administratif/v5.3.0_cog2025/communes.json")
				s.Fetch.Member = "package/data/communes.json"
				return s
			},
			wantErr: []string{"source « cog2025 »", "package/data/communes.json est absent de l'archive npm"},
			calls:   map[string]int{"/pkg.tgz": 1},
		},
		{
			name: "HTML page instead of a gzip file is not retried",
			setup: func(t *testing.T, o *fakeOrigin) SourceSpec {
				o.serveBytes("/mvt.csv.gz", []byte("<html>maintenance</html>"))
				s := dlSpec("mvt", FetchURL, o.URL+"/mvt.csv.gz", "cog/mvtcommunes.csv")
				s.Fetch.Gunzip = true
				return s
			},
			wantErr: []string{"source « mvt »", "n'est pas l'archive attendue"},
			calls:   map[string]int{"/mvt.csv.gz": 1},
		},
		{
			name: "truncated gzip kept compressed is not kept",
			setup: func(t *testing.T, o *fakeOrigin) SourceSpec {
				z := dlGzip(t, bytes.Repeat([]byte("feature "), 1000))
				o.serveBytes("/communes.geojson.gz", z[:len(z)/2])
				return dlSpec("contours", FetchURL, o.URL+"/communes.geojson.gz", "contours_communes/etalab_2025/communes-50m.geojson.gz")
			},
			wantErr: []string{"source « contours »", "pas une archive gzip complète"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newFakeOrigin(t)
			dest := t.TempDir()
			s := c.setup(t, o)
			target := filepath.Join(dest, filepath.FromSlash(s.Dest))
			if c.existing != "" {
				os.MkdirAll(filepath.Dir(target), 0o755)
				if err := os.WriteFile(target, []byte(c.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var progress bytes.Buffer
			opt := dlOptions(&progress)
			opt.Retries = c.retries
			lock, err := DownloadSources(context.Background(), &Manifest{Version: 1, Sources: []SourceSpec{s}}, dest, opt)

			if c.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			} else {
				if err == nil {
					t.Fatalf("no error; progress:\n%s", progress.String())
				}
				for _, w := range c.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				var derr *DownloadError
				if !errors.As(err, &derr) || derr.ID != s.ID {
					t.Errorf("error is not a *DownloadError for %s: %#v", s.ID, err)
				}
			}
			if c.wantIs != nil && !errors.Is(err, c.wantIs) {
				t.Errorf("errors.Is(err, %v) = false: %v", c.wantIs, err)
			}
			for _, w := range c.progress {
				if !strings.Contains(progress.String(), w) {
					t.Errorf("progress lacks %q:\n%s", w, progress.String())
				}
			}
			for p, n := range c.calls {
				if got := o.count(p); got != n {
					t.Errorf("requests to %s = %d, want %d", p, got, n)
				}
			}
			b, statErr := os.ReadFile(target)
			switch {
			case c.existing != "" && string(b) != c.existing:
				t.Errorf("earlier file at %s changed to %q", s.Dest, b)
			case c.existing == "" && !os.IsNotExist(statErr):
				t.Errorf("%s exists after a failed download (%d bytes)", s.Dest, len(b))
			}
			if p := dlPartFiles(t, dest); len(p) > 0 {
				t.Errorf("temporary files left: %v", p)
			}
			if lock == nil || len(lock.NotFetched) != 1 || lock.NotFetched[0].ID != s.ID {
				t.Errorf("lock.NotFetched = %+v, want %s", lock, s.ID)
			}
			if _, err := os.Stat(filepath.Join(dest, LockFileName)); err != nil {
				t.Errorf("%s not written: %v", LockFileName, err)
			}
		})
	}
}

func TestDownloadSourcesKeepsEarlierLockEntry(t *testing.T) {
	o := newFakeOrigin(t)
	dest := t.TempDir()
	o.serve("/zonage.csv", func(w http.ResponseWriter, call int) {
		if call > 1 {
			http.NotFound(w, nil)
			return
		}
		w.Write([]byte(dlZonageCSV))
	})
	m := &Manifest{Version: 1, Sources: []SourceSpec{dlSpec("zonage", FetchURL, o.URL+"/zonage.csv", "zonage_mk/atlasante_zonages_com.csv")}}
	first, err := DownloadSources(context.Background(), m, dest, dlOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	second, err := DownloadSources(context.Background(), m, dest, dlOptions(nil))
	if err == nil {
		t.Fatal("second run: no error for a 404")
	}
	if len(second.Sources) != 1 || second.Sources[0] != first.Sources[0] {
		t.Errorf("lock after the failed run = %+v, want the earlier entry %+v", second.Sources, first.Sources)
	}
	if len(second.NotFetched) != 1 || !strings.Contains(second.NotFetched[0].Reason, "fichier précédent conservé") {
		t.Errorf("not_fetched = %+v, want the earlier file reported as kept", second.NotFetched)
	}
	if got := dlReadFile(t, filepath.Join(dest, "zonage_mk/atlasante_zonages_com.csv")); got != dlZonageCSV {
		t.Errorf("earlier file changed: %q", got)
	}
}

func TestDownloadStalledTransferIsRetried(t *testing.T) {
	o := newFakeOrigin(t)
	body := []byte(strings.Repeat("x", 4096))
	o.mux.HandleFunc("/slow.csv", func(w http.ResponseWriter, r *http.Request) {
		if o.count("/slow.csv") == 1 {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.Write(body[:100])
			w.(http.Flusher).Flush()
			<-r.Context().Done() // silent until the client gives up
			return
		}
		w.Write(body)
	})
	dest := t.TempDir()
	opt := dlOptions(nil)
	opt.StallTimeout = 200 * time.Millisecond
	m := &Manifest{Version: 1, Sources: []SourceSpec{dlSpec("slow", FetchURL, o.URL+"/slow.csv", "slow/slow.csv")}}
	if _, err := DownloadSources(context.Background(), m, dest, opt); err != nil {
		t.Fatalf("stalled transfer not recovered: %v", err)
	}
	if got := dlReadFile(t, filepath.Join(dest, "slow/slow.csv")); got != string(body) {
		t.Errorf("slow.csv has %d bytes, want %d", len(got), len(body))
	}
	if n := o.count("/slow.csv"); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
}

func TestDownloadContextCanceledDuringBackoff(t *testing.T) {
	o := newFakeOrigin(t)
	o.serve("/busy.csv", func(w http.ResponseWriter, _ int) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "occupé", http.StatusServiceUnavailable)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	m := &Manifest{Version: 1, Sources: []SourceSpec{dlSpec("busy", FetchURL, o.URL+"/busy.csv", "busy.csv")}}
	start := time.Now()
	_, err := DownloadSources(ctx, m, t.TempDir(), dlOptions(nil))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if !strings.Contains(err.Error(), "téléchargement interrompu") {
		t.Errorf("error lacks the French cause: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s: the Retry-After wait did not stop with the context", d)
	}
}

func TestDownloadSourcesRefusesDestOutsideFolder(t *testing.T) {
	o := newFakeOrigin(t)
	o.serveBytes("/evil.csv", []byte("x"))
	root := t.TempDir()
	dest := filepath.Join(root, "data")
	m := &Manifest{Version: 1, Sources: []SourceSpec{dlSpec("evil", FetchURL, o.URL+"/evil.csv", "../evil.csv")}}
	_, err := DownloadSources(context.Background(), m, dest, dlOptions(nil))
	var merr *ManifestError
	if !errors.As(err, &merr) || merr.ID != "evil" || merr.Field != "dest" {
		t.Fatalf("err = %v, want a ManifestError on evil's dest", err)
	}
	if _, err := os.Stat(filepath.Join(root, "evil.csv")); !os.IsNotExist(err) {
		t.Errorf("a file was written outside the data folder")
	}
	if n := o.count("/evil.csv"); n != 0 {
		t.Errorf("%d requests made for a refused manifest", n)
	}
}

func TestDownloadBaseURLRewrite(t *testing.T) {
	d := newDownloader(DownloadOptions{BaseURLs: map[string]string{
		"https://www.data.gouv.fr":          "http://127.0.0.1:1",
		"https://www.data.gouv.fr/api/1/":   "http://127.0.0.1:2/",
		"https://registry.npmjs.org/@scope": "http://mirror/npm",
	}})
	for _, c := range []struct{ in, want string }{
		{"https://www.data.gouv.fr/datasets/x", "http://127.0.0.1:1/datasets/x"},
		{"https://www.data.gouv.fr/api/1/datasets/x/", "http://127.0.0.1:2/datasets/x/"},
		{"https://www.data.gouv.fr", "http://127.0.0.1:1"},
		{"https://www.data.gouv.fr.example.org/x", "https://www.data.gouv.fr.example.org/x"},
		{"https://registry.npmjs.org/@scopeother/x.tgz", "https://registry.npmjs.org/@scopeother/x.tgz"},
		{"https://static.data.gouv.fr/r/x.csv", "https://static.data.gouv.fr/r/x.csv"},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := d.rewrite(c.in); got != c.want {
				t.Errorf("rewrite(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestParseManifest(t *testing.T) {
	source := func(fields string) string {
		return `{"version":1,"sources":[` + fields + `]}`
	}
	const base = `"title":"t","publisher":"p","licence":"LO 2.0","vintage":"2025","page":"https://example.org/"`
	valid := `{"id":"zonage",` + base + `,"fetch":{"kind":"url","url":"https://example.org/z.csv"},"dest":"zonage_mk/z.csv","required":true}`
	cases := []struct {
		name string
		json string
		want []string // substrings of the error; nil = valid
	}{
		{"valid", source(valid), nil},
		{"valid manual", source(`{"id":"carto",` + base + `,"fetch":{"kind":"manual","instructions":"exporter"},"dest":"zonage_mk/c.csv","required":false}`), nil},
		{"duplicate id", source(valid + `,` + strings.Replace(valid, "zonage_mk/z.csv", "zonage_mk/y.csv", 1)),
			[]string{"source « zonage »", "champ « id »", "identifiant en double"}},
		{"unknown fetch kind", source(`{"id":"x",` + base + `,"fetch":{"kind":"ftp","url":"https://example.org/x"},"dest":"x.csv"}`),
			[]string{"source « x »", "champ « fetch.kind »", "valeur « ftp »", "type de récupération inconnu"}},
		{"dest with ..", source(`{"id":"x",` + base + `,"fetch":{"kind":"url","url":"https://example.org/x"},"dest":"../x.csv"}`),
			[]string{"source « x »", "champ « dest »", "valeur « ../x.csv »", "« .. » refusé"}},
		{"dest with .. inside", source(`{"id":"x",` + base + `,"fetch":{"kind":"url","url":"https://example.org/x"},"dest":"cog/../../x.csv"}`),
			[]string{"source « x »", "champ « dest »", "« .. » refusé"}},
		{"absolute dest", source(`{"id":"x",` + base + `,"fetch":{"kind":"url","url":"https://example.org/x"},"dest":"/etc/x.csv"}`),
			[]string{"source « x »", "champ « dest »", "chemin absolu refusé"}},
		{"unclean dest", source(`{"id":"x",` + base + `,"fetch":{"kind":"url","url":"https://example.org/x"},"dest":"cog//x.csv"}`),
			[]string{"source « x »", "champ « dest »", "chemin non normalisé"}},
		{"missing url", source(`{"id":"x",` + base + `,"fetch":{"kind":"npm","member":"package/data/communes.json"},"dest":"x.json"}`),
			[]string{"source « x »", "champ « fetch.url »", "adresse manquante"}},
		{"non-http url", source(`{"id":"x",` + base + `,"fetch":{"kind":"url","url":"file:///etc/passwd"},"dest":"x.csv"}`),
			[]string{"source « x »", "champ « fetch.url »", "adresse http(s) attendue"}},
		{"bad sha256", source(`{"id":"x",` + base + `,"fetch":{"kind":"url","url":"https://example.org/x"},"dest":"x.csv","sha256":"ABC"}`),
			[]string{"source « x »", "champ « sha256 »", "empreinte invalide"}},
		{"bad resource pattern", source(`{"id":"x",` + base + `,"fetch":{"kind":"datagouv","url":"https://example.org/api/","resource":"zonages-(com"},"dest":"x.csv"}`),
			[]string{"source « x »", "champ « fetch.resource »", "expression régulière invalide"}},
		{"required manual", source(`{"id":"x",` + base + `,"fetch":{"kind":"manual","instructions":"exporter"},"dest":"x.csv","required":true}`),
			[]string{"source « x »", "champ « required »", "ne peut pas être requise"}},
		{"same dest twice", source(valid + `,` + strings.Replace(valid, `"id":"zonage"`, `"id":"autre"`, 1)),
			[]string{"source « autre »", "champ « dest »", "même destination que la source « zonage »"}},
		{"misspelt field", source(strings.Replace(valid, `"required"`, `"requird"`, 1)),
			[]string{"manifeste des sources", "JSON illisible", "requird"}},
		{"wrong version", `{"version":2,"sources":[` + valid + `]}`,
			[]string{"champ « version »", "version non prise en charge"}},
		{"empty", `{"version":1,"sources":[]}`, []string{"aucune source"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(c.json))
			if c.want == nil {
				if err != nil {
					t.Fatalf("valid manifest refused: %v", err)
				}
				if len(m.Sources) == 0 {
					t.Fatal("no sources parsed")
				}
				return
			}
			if err == nil {
				t.Fatal("invalid manifest accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestManifestEmbedded checks the shipped manifest against what an import reads:
// the required sources exist, and every destination lands where findSources looks.
func TestManifestEmbedded(t *testing.T) {
	m, err := ParseManifest(data.Manifest())
	if err != nil {
		t.Fatalf("embedded sources.json: %v", err)
	}
	byID := map[string]SourceSpec{}
	for _, s := range m.Sources {
		byID[s.ID] = s
	}
	for _, c := range []struct {
		id       string
		kind     string
		required bool
		layout   func(dest string) bool
	}{
		{"atlasante_zonages_com", FetchDataGouv, true, globLayout("zonage_mk/atlasante_zonages_com*.csv*")},
		{"cartosante_zonage_mk", FetchManual, false, globLayout("zonage_mk/cartosante_zonage_mk_communes_*.csv*")},
		{"cartosante_zonage_infirmier", FetchManual, false, globLayout(professionExportGlob)},
		{"cartosante_zonage_orthophonistes", FetchManual, false, globLayout(professionExportGlob)},
		{"cartosante_zonage_sages_femmes", FetchManual, false, globLayout(professionExportGlob)},
		{"cartosante_zonage_chirurgiens_dentistes", FetchManual, false, globLayout(professionExportGlob)},
		{"etalab_contours_communes_2025", FetchURL, true, underLayout("contours_communes/")},
		{"etalab_contours_arrondissements_2025", FetchURL, true, underLayout("contours_communes/")},
		{"decoupage_administratif_cog2025", FetchNPM, true, decoupageLayout("2025")},
		{"decoupage_administratif_cog2024", FetchNPM, false, decoupageLayout("2024")},
		{"insee_mvt_commune_2025", FetchURL, false, globLayout("cog/*mvtcommunes*.csv*")},
		{"geomaps_countries_land_10m", FetchNPM, false, globLayout(countriesDest)},
	} {
		t.Run(c.id, func(t *testing.T) {
			s, ok := byID[c.id]
			if !ok {
				t.Fatalf("source %s missing from sources.json", c.id)
			}
			if s.Fetch.Kind != c.kind || s.Required != c.required {
				t.Errorf("kind/required = %s/%v, want %s/%v", s.Fetch.Kind, s.Required, c.kind, c.required)
			}
			if !c.layout(s.Dest) {
				t.Errorf("dest %s is not where the import looks", s.Dest)
			}
			if s.Fetch.Kind == FetchNPM && s.SHA256 == "" {
				t.Errorf("npm source without sha256: a published version is fixed and must be verified")
			}
		})
	}
	if len(byID) != len(m.Sources) {
		t.Errorf("duplicate ids in sources.json")
	}
}

func globLayout(pattern string) func(string) bool {
	return func(dest string) bool {
		ok, err := path.Match(pattern, dest)
		return err == nil && ok
	}
}

func underLayout(dir string) func(string) bool {
	return func(dest string) bool {
		rest, ok := strings.CutPrefix(dest, dir)
		return ok && strings.Contains(rest, "/")
	}
}

func decoupageLayout(year string) func(string) bool {
	return func(dest string) bool {
		parts := strings.Split(dest, "/")
		if len(parts) != 3 || parts[0] != "decoupage_administratif" || parts[2] != "communes.json" {
			return false
		}
		m := decoupageDir.FindStringSubmatch(parts[1])
		return m != nil && m[1] == year
	}
}
