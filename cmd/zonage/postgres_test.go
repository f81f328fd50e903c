package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"

	"zonage/importer"
	"zonage/importer/pgtest"
)

// A replica serving from PostgreSQL follows publications without a restart.
func TestServeFollowsPostgres(t *testing.T) {
	ctx := context.Background()
	scoped := pgtest.Database(t, os.Getenv("ZONAGE_TEST_POSTGRES"))

	// Publish, serve from the database, then publish another version.
	snap := parisSnapshot(t)
	if err := publishVersion(ctx, scoped, snap, snap.Dataset.Meta.Version); err != nil {
		t.Fatal(err)
	}
	base, _ := startPostgresServer(t, scoped)
	first := readyVersion(t, base)
	if first != snap.Dataset.Meta.Version {
		t.Fatalf("serving %q, want the published %q", first, snap.Dataset.Meta.Version)
	}
	next := first + ".suivante"
	if err := publishVersion(ctx, scoped, snap, next); err != nil {
		t.Fatal(err)
	}
	waitReady(t, base, "the new publication served", func(r readyAnswer) bool { return r.Version == next })
	// The same data under a new version: the dataset says nothing changed since the
	// version before.
	_, body := get(t, base, "/api/v1/dataset")
	var ds struct {
		Changes *struct {
			OldVersion string `json:"old_version"`
			Changed    []any
			Added      []any
			Removed    []any
		}
	}
	if err := json.Unmarshal(body, &ds); err != nil || ds.Changes == nil || ds.Changes.OldVersion != first ||
		len(ds.Changes.Changed)+len(ds.Changes.Added)+len(ds.Changes.Removed) != 0 {
		t.Fatalf("changes since %s: %+v %v", first, ds.Changes, err)
	}
}

// A version published while the server loads its first one, after LISTEN is
// registered but before the loaded version is swapped in, is served without
// waiting for a further publication.
func TestServePostgresPublicationDuringFirstLoad(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Database(t, os.Getenv("ZONAGE_TEST_POSTGRES"))
	snap := parisSnapshot(t)
	first := snap.Dataset.Meta.Version
	if err := publishVersion(ctx, dsn, snap, first); err != nil {
		t.Fatal(err)
	}
	during := first + ".pendant-chargement"
	var once sync.Once
	setHook(t, &testHookPostgresLoaded, func(version string) {
		if version != first {
			return
		}
		once.Do(func() {
			if err := publishVersion(ctx, dsn, snap, during); err != nil {
				t.Errorf("publishing during the first load: %v", err)
			}
		})
	})
	base, _ := startPostgresServer(t, dsn)
	waitReady(t, base, "the version published during the first load served", func(r readyAnswer) bool {
		return r.Version == during && r.Publications != nil && r.Publications.Following
	})
}

// A version published after a reconnection's catch-up read the current version
// (the listener had lost its connection) is served without waiting for a further
// publication: LISTEN is registered again before that read.
func TestServePostgresPublicationDuringReconnect(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Database(t, os.Getenv("ZONAGE_TEST_POSTGRES"))
	snap := parisSnapshot(t)
	first := snap.Dataset.Meta.Version
	if err := publishVersion(ctx, dsn, snap, first); err != nil {
		t.Fatal(err)
	}
	after := first + ".apres-rattrapage"
	var once sync.Once
	setHook(t, &testHookPublication, func(_ context.Context, p importer.Publication) {
		if !p.CatchUp {
			return
		}
		once.Do(func() {
			if p.Version != first {
				t.Errorf("catch-up after the reconnection read %q, want %q", p.Version, first)
			}
			if err := publishVersion(ctx, dsn, snap, after); err != nil {
				t.Errorf("publishing after the catch-up: %v", err)
			}
		})
	})
	base, errOut := startPostgresServer(t, dsn)
	waitReady(t, base, "the first version served", func(r readyAnswer) bool { return r.Version == first })

	terminateListener(t, dsn)
	waitReady(t, base, "the version published after the reconnection's catch-up served", func(r readyAnswer) bool {
		return r.Version == after && r.Publications != nil && r.Publications.Following
	})
	if log := errOut.String(); !strings.Contains(log, "suivi des publications PostgreSQL interrompu") || !strings.Contains(log, "suivi des publications PostgreSQL rétabli") {
		t.Errorf("the log does not tell of the lost and restored connection:\n%s", log)
	}
}

// A replica keeps serving while its database restarts, says in readyz and /metrics
// that it no longer follows the publications, reconnects, and catches up with a
// version published after the restart. The cluster is the test's own: the shared
// one is never restarted.
func TestServeSurvivesPostgresRestart(t *testing.T) {
	ctx := context.Background()
	cluster := pgtest.NewCluster(t)
	snap := parisSnapshot(t)
	first := snap.Dataset.Meta.Version
	if err := publishVersion(ctx, cluster.DSN, snap, first); err != nil {
		t.Fatal(err)
	}
	base, _ := startPostgresServer(t, cluster.DSN)
	waitReady(t, base, "the first version served and followed", func(r readyAnswer) bool {
		return r.Version == first && r.Publications != nil && r.Publications.Following
	})

	cluster.Stop()
	down := waitReady(t, base, "readyz saying the publications are no longer followed", func(r readyAnswer) bool {
		return r.Publications != nil && !r.Publications.Following
	})
	if down.Version != first || down.Publications.Error == "" || down.Publications.Since.IsZero() {
		t.Errorf("readyz while PostgreSQL is down: %+v, want version %s, an error and a date", down, first)
	}
	resp, body := get(t, base, "/api/v1/resolve?lat=48.8493&lon=2.3325")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"75106"`)) || !bytes.Contains(body, []byte(first)) {
		t.Fatalf("while PostgreSQL is down, resolve answers %d:\n%s", resp.StatusCode, body)
	}
	if _, metrics := get(t, base, "/metrics"); !bytes.Contains(metrics, []byte("\nzonage_publications_following 0\n")) {
		t.Errorf("/metrics does not say the publications are no longer followed")
	}

	cluster.Start()
	after := first + ".apres-redemarrage"
	if err := publishVersion(ctx, cluster.DSN, snap, after); err != nil {
		t.Fatal(err)
	}
	waitReady(t, base, "the version published after the restart served and followed", func(r readyAnswer) bool {
		return r.Version == after && r.Publications != nil && r.Publications.Following
	})
	if _, metrics := get(t, base, "/metrics"); !bytes.Contains(metrics, []byte("\nzonage_publications_following 1\n")) {
		t.Errorf("/metrics does not say the publications are followed again")
	}
}

// Stopping the server waits for the publication listener, even when it is busy
// with a publication at that moment: nothing of it is left running.
func TestServeStopJoinsPublicationListener(t *testing.T) {
	ignoreEarlier := goleak.IgnoreCurrent()
	ctx := context.Background()
	dsn := pgtest.Database(t, os.Getenv("ZONAGE_TEST_POSTGRES"))
	snap := parisSnapshot(t)
	if err := publishVersion(ctx, dsn, snap, snap.Dataset.Meta.Version); err != nil {
		t.Fatal(err)
	}
	next := snap.Dataset.Meta.Version + ".suivante"
	busy := make(chan struct{})
	var finished atomic.Bool
	setHook(t, &testHookPublication, func(ctx context.Context, p importer.Publication) {
		if p.Version != next {
			return
		}
		close(busy)
		// Still at work well after the server is told to stop, as a slow load
		// would be: the HTTP server is down long before this returns. The pause
		// only holds the listener; what is checked is the order of events.
		<-ctx.Done()
		time.Sleep(time.Second)
		finished.Store(true)
	})
	_, _, stop := launchServer(t, testSnapshot, "--postgres", dsn)
	if err := publishVersion(ctx, dsn, snap, next); err != nil {
		t.Fatal(err)
	}
	select {
	case <-busy:
	case <-time.After(60 * time.Second):
		t.Fatal("the publication never reached the server")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Fatal("serve returned while its publication listener was still at work")
	}
	if left := goroutinesRunning("main.runServe", "zonage/importer.(*PostgresListener)"); left != "" {
		t.Fatalf("still running after serve returned:\n%s", left)
	}
	http.DefaultClient.CloseIdleConnections()
	goleak.VerifyNone(t, ignoreEarlier)
}

func startPostgresServer(t *testing.T, dsn string) (string, *syncBuffer) {
	t.Helper()
	return startServer(t, testSnapshot, "--postgres", dsn)
}

// parisSnapshot is the data of Paris alone, imported once from the real sources:
// publishing and loading it is quick, where the whole of France would make each
// of these tests take minutes on a busy machine.
func parisSnapshot(t *testing.T) *importer.Snapshot {
	t.Helper()
	paris.Lock()
	defer paris.Unlock()
	if paris.snap != nil {
		return paris.snap
	}
	real, err := filepath.Abs(os.Getenv("ZONAGE_DATA"))
	if os.Getenv("ZONAGE_DATA") == "" {
		real, err = filepath.Abs(filepath.Join("..", "..", "..", "shared", "data"))
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	contours := "contours_communes/metro_adminexpress2025_by_dept"
	for _, d := range []string{"zonage_mk", contours} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"zonage_mk/cartosante_zonage_mk_communes_2025-09.csv", "decoupage_administratif", "cog", contours + "/communes-75.geojson.gz"} {
		if err := os.Symlink(filepath.Join(real, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := importer.Import(importer.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	paris.snap = snap
	return snap
}

var paris struct {
	sync.Mutex
	snap *importer.Snapshot
}

// publishVersion publishes the snapshot's data under another version name.
func publishVersion(ctx context.Context, dsn string, snap *importer.Snapshot, version string) error {
	ds := *snap.Dataset
	ds.Meta.Version = version
	return importer.PublishPostgres(ctx, dsn, &importer.Snapshot{Dataset: &ds, Polygons: snap.Polygons, Address: snap.Address})
}

// setHook sets a test hook of the command until the end of the test; set it
// before the server starts, so that it is cleared only once the server stopped.
func setHook[F any](t *testing.T, hook *F, f F) {
	*hook = f
	t.Cleanup(func() {
		var none F
		*hook = none
	})
}

// terminateListener cuts the server's LISTEN connection from the database side, as
// a failover or an administrator would.
func terminateListener(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, importer.ListenApplicationName).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("terminating the server's LISTEN connection: %d terminated, %v", n, err)
	}
}

type readyAnswer struct {
	Version      string `json:"dataset_version"`
	Publications *struct {
		Following bool      `json:"following"`
		Since     time.Time `json:"since"`
		Error     string    `json:"error"`
	} `json:"publications"`
}

// ready reads readyz, which must answer 200; get checks the answer against the
// OpenAPI document.
func ready(t *testing.T, base string) readyAnswer {
	t.Helper()
	resp, b := get(t, base, "/readyz")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz answered %d: %s", resp.StatusCode, b)
	}
	var r readyAnswer
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("readyz: %v\n%s", err, b)
	}
	return r
}

func readyVersion(t *testing.T, base string) string {
	t.Helper()
	return ready(t, base).Version
}

// waitReady polls readyz until want holds, and fails the test with the last answer
// if it still does not after two minutes (a bound for a loaded machine, not a budget).
func waitReady(t *testing.T, base, what string, want func(readyAnswer) bool) readyAnswer {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		r := ready(t, base)
		if want(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s; readyz still says %+v", what, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// goroutinesRunning returns the stacks of the goroutines with any of the functions
// in them.
func goroutinesRunning(functions ...string) string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, f := range functions {
			if strings.Contains(g, f) {
				found = append(found, g)
				break
			}
		}
	}
	return strings.Join(found, "\n\n")
}
