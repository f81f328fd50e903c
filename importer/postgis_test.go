package importer

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"zonage/importer/pgtest"
)

// testPostgres returns a DSN to a database of its own, with PostGIS, on the
// PostgreSQL server of ZONAGE_TEST_POSTGRES. `make test` and .ci/run start the server
// (.ci/postgres.sh) and set the variable.
func testPostgres(t *testing.T) string {
	t.Helper()
	return pgtest.Database(t, os.Getenv("ZONAGE_TEST_POSTGRES"))
}

func TestPostgresPublishLoadListen(t *testing.T) {
	dsn := testPostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := LoadPostgres(ctx, dsn); err != ErrNoPublishedVersion {
		t.Fatalf("empty database: %v, want ErrNoPublishedVersion", err)
	}
	snap, err := Import(Options{DataDir: smallDataDir(t, "01", "75")})
	if err != nil {
		t.Fatal(err)
	}
	published := make(chan string, 4)
	lctx, lcancel := context.WithCancel(ctx)
	defer lcancel()
	go ListenPostgres(lctx, dsn, func(v string) { published <- v }, nil)
	time.Sleep(300 * time.Millisecond) // let LISTEN start before publishing

	if err := PublishPostgres(ctx, dsn, snap); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-published:
		if v != snap.Dataset.Meta.Version {
			t.Fatalf("notified %q, want %q", v, snap.Dataset.Meta.Version)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification after publishing")
	}
	back, err := LoadPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if back.Dataset.Meta.Version != snap.Dataset.Meta.Version || len(back.Dataset.Communes) != len(snap.Dataset.Communes) {
		t.Fatalf("loaded %s with %d communes", back.Dataset.Meta.Version, len(back.Dataset.Communes))
	}
	if r, _ := back.Resolver(1000).ResolvePoint(48.8493, 2.3325); r.Commune == nil || r.Commune.Code != "75106" {
		t.Fatalf("the loaded snapshot does not answer: %+v", r)
	}

	// SQL users get the communes with their outline and category.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var code, category string
	err = conn.QueryRow(ctx, `SELECT code, category FROM zonage_commune JOIN zonage_current USING (version)
		WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(2.3325, 48.8493), 4326))`).Scan(&code, &category)
	if err != nil || code != "75106" || category != "non_prioritaire" {
		t.Fatalf("ST_Contains: %s %s %v", code, category, err)
	}

	// A publication that fails half-way leaves the current version in place.
	ds := *snap.Dataset
	ds.Meta.Version = "echec.1"
	bad := &Snapshot{Dataset: &ds, Polygons: append([]orb.MultiPolygon(nil), snap.Polygons...)}
	bad.Polygons[0] = nil // an empty outline: PostGIS refuses it after the dataset row is written
	if err := PublishPostgres(ctx, dsn, bad); err == nil {
		t.Fatal("a publication with an empty outline succeeded")
	} else if !strings.Contains(err.Error(), "PostgreSQL") && !strings.Contains(err.Error(), "contour") {
		t.Fatalf("unclear error: %v", err)
	}
	again, err := LoadPostgres(ctx, dsn)
	if err != nil || again.Dataset.Meta.Version != snap.Dataset.Meta.Version {
		t.Fatalf("after a failed publication: %v, version %v", err, again)
	}
	var n int
	conn.QueryRow(ctx, `SELECT count(*) FROM zonage_dataset WHERE version = 'echec.1'`).Scan(&n)
	if n != 0 {
		t.Fatal("the failed version was left in the database")
	}
}

// A publication records what it changed from the version it replaces, and the
// servers get it with the snapshot: GET /api/v1/dataset shows it.
func TestPostgresChangesSincePreviousVersion(t *testing.T) {
	dsn := testPostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := smallDataDir(t, "75")
	first, err := Import(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := PublishPostgres(ctx, dsn, first); err != nil {
		t.Fatal(err)
	}
	if back, err := LoadPostgres(ctx, dsn); err != nil || back.Changes != nil {
		t.Fatalf("first version: changes %+v, %v; want none", back.Changes, err)
	}
	// Île-de-France's arrêté as published, but Paris 6e intermédiaire.
	var rows []string
	for code, list := range first.Dataset.Zonage {
		if z := list[0]; z.Region == "11" {
			cat := z.OfficialCode
			if code == "75106" {
				cat = "3_intermediaire"
			}
			rows = append(rows, "11;2026-01-01;"+code+";"+cat)
		}
	}
	overlay := t.TempDir() + "/idf.csv"
	os.WriteFile(overlay, []byte("region;date_effet;code_commune;categorie\n"+strings.Join(rows, "\n")+"\n"), 0o644)
	second, err := Import(Options{DataDir: dir, Overlays: []string{overlay}})
	if err != nil {
		t.Fatal(err)
	}
	if err := PublishPostgres(ctx, dsn, second); err != nil {
		t.Fatal(err)
	}
	back, err := LoadPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	c := back.Changes
	if c == nil || c.OldVersion != first.Dataset.Meta.Version || c.NewVersion != second.Dataset.Meta.Version ||
		len(c.Changed) != 1 || c.Changed[0].Code != "75106" || c.Changed[0].Old.Category != "non_prioritaire" ||
		c.Changed[0].New.Category != "intermediaire" || len(c.Added)+len(c.Removed) != 0 {
		t.Fatalf("changes %+v", c)
	}
	// Publishing the same version again keeps what it changed.
	if err := PublishPostgres(ctx, dsn, second); err != nil {
		t.Fatal(err)
	}
	if again, _ := LoadPostgres(ctx, dsn); again == nil || again.Changes == nil || len(again.Changes.Changed) != 1 {
		t.Fatalf("republished: %+v", again)
	}
}
