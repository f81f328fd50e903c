package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"zonage/importer"
	"zonage/importer/pgtest"
)

// A replica serving from PostgreSQL follows publications without a restart.
func TestServeFollowsPostgres(t *testing.T) {
	ctx := context.Background()
	scoped := pgtest.Database(t, os.Getenv("ZONAGE_TEST_POSTGRES"))

	// Publish, serve from the database, then publish another version.
	snap, err := importer.ReadSnapshotFile(testSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	if err := importer.PublishPostgres(ctx, scoped, snap); err != nil {
		t.Fatal(err)
	}
	base, _ := startPostgresServer(t, scoped)
	first := readyVersion(t, base)
	if first != snap.Dataset.Meta.Version {
		t.Fatalf("serving %q, want the published %q", first, snap.Dataset.Meta.Version)
	}
	snap.Dataset.Meta.Version += ".suivante"
	if err := importer.PublishPostgres(ctx, scoped, snap); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if v := readyVersion(t, base); v == snap.Dataset.Meta.Version {
			// The same data under a new version: the dataset says nothing changed
			// since the version before.
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
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the server still serves %s after a new publication", first)
}

func startPostgresServer(t *testing.T, dsn string) (string, *syncBuffer) {
	t.Helper()
	return startServer(t, testSnapshot, "--postgres", dsn)
}

func readyVersion(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r struct {
		Version string `json:"dataset_version"`
	}
	json.Unmarshal(b, &r)
	return r.Version
}
