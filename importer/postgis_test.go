package importer

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"zonage/importer/pgtest"
	"zonage/zones"
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
	// LISTEN is registered when ListenPostgres returns: a publication made before
	// Follow runs is delivered all the same.
	listener, err := ListenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := PublishPostgres(ctx, dsn, snap); err != nil {
		t.Fatal(err)
	}
	published := make(chan Publication, 4)
	lctx, lcancel := context.WithCancel(ctx)
	defer lcancel()
	go listener.Follow(lctx, func(_ context.Context, p Publication) { published <- p }, nil)
	select {
	case p := <-published:
		if p != (Publication{Version: snap.Dataset.Meta.Version}) {
			t.Fatalf("notified %+v, want %q", p, snap.Dataset.Meta.Version)
		}
	case <-time.After(30 * time.Second):
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

	// And every other profession's category, one row per commune and profession.
	var sf string
	err = conn.QueryRow(ctx, `SELECT category FROM zonage_commune_profession JOIN zonage_current USING (version)
		WHERE code = '75106' AND profession = 'sage-femme'`).Scan(&sf)
	if err != nil || sf != "intermediaire" {
		t.Fatalf("sages-femmes in Paris 6e: %q %v", sf, err)
	}
	var perProfession int
	conn.QueryRow(ctx, `SELECT count(*) FROM zonage_commune_profession JOIN zonage_current USING (version) WHERE profession = 'orthophoniste'`).Scan(&perProfession)
	if perProfession != len(snap.Dataset.Communes) {
		t.Errorf("%d rows for the orthophonistes, want one per commune (%d)", perProfession, len(snap.Dataset.Communes))
	}
	if res, err := back.Resolver(1000).For(zones.SageFemme); err != nil {
		t.Fatal(err)
	} else if r, _ := res.ResolvePoint(48.8493, 2.3325); r.Zonage == nil || r.Zonage.Category != zones.Intermediaire || r.Profession != zones.SageFemme {
		t.Fatalf("the loaded snapshot does not answer for the sages-femmes: %+v", r)
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

// A version published before the other professions were imported (no "prof"
// section in its snapshot, no rows in zonage_commune_profession) still loads and
// answers for the kiné.
func TestPostgresVersionWithoutProfessions(t *testing.T) {
	dsn := testPostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	snap, err := Import(Options{DataDir: smallDataDir(t, "75")})
	if err != nil {
		t.Fatal(err)
	}
	ds := *snap.Dataset
	ds.Professions, ds.Meta.Professions = nil, nil
	ds.Meta.Version = "ancienne.1"
	if err := PublishPostgres(ctx, dsn, &Snapshot{Dataset: &ds, Polygons: snap.Polygons}); err != nil {
		t.Fatal(err)
	}
	back, err := LoadPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	res := back.Resolver(1000)
	if r, _ := res.ResolveCode("75106"); r.Status != zones.StatusOK || r.Profession != zones.MasseurKine {
		t.Fatalf("kiné answer: %+v", r)
	}
	var ie *zones.InputError
	if _, err := res.For(zones.Infirmier); !errors.As(err, &ie) {
		t.Fatalf("infirmiers on a version without them: %v", err)
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

// A listener whose connection is cut reconnects, listens again, and only then reads
// the current version: what was published while it was down comes back as a
// catch-up, and what is published after that read as a notification.
func TestPostgresListenerReconnectsAndCatchesUp(t *testing.T) {
	dsn := testPostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	snap, err := Import(Options{DataDir: smallDataDir(t, "75")})
	if err != nil {
		t.Fatal(err)
	}
	first := snap.Dataset.Meta.Version
	// publish runs on the listener's goroutine too: it reports with t.Error.
	publish := func(version string) {
		t.Helper()
		snap.Dataset.Meta.Version = version
		if err := PublishPostgres(ctx, dsn, snap); err != nil {
			t.Errorf("publishing %s: %v", version, err)
		}
	}
	publish(first)
	if t.Failed() {
		t.FailNow()
	}
	listener, err := ListenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	listener.MinBackoff, listener.MaxBackoff = 10*time.Millisecond, 100*time.Millisecond

	type event struct {
		publication Publication
		listening   *bool
		err         error
	}
	events := make(chan event, 16)
	lctx, lcancel := context.WithCancel(ctx)
	followed := make(chan struct{})
	cut := false // touched by the listener's goroutine only
	go func() {
		defer close(followed)
		listener.Follow(lctx, func(_ context.Context, p Publication) {
			events <- event{publication: p}
			if p.CatchUp {
				// Published after the catch-up read: LISTEN is already registered
				// on the new connection, so it must still arrive.
				publish(first + ".apres-lecture")
			}
		}, func(listening bool, err error) {
			if !listening && err != nil && !strings.Contains(err.Error(), "PostgreSQL") {
				t.Errorf("unclear error: %v", err)
			}
			if !listening && !cut {
				// The listener waits for this call before it reconnects: a
				// publication made here is made while it is disconnected.
				cut = true
				publish(first + ".pendant-coupure")
			}
			events <- event{listening: &listening, err: err}
		})
	}()
	defer func() {
		lcancel()
		<-followed
	}()

	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var terminated int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, ListenApplicationName).Scan(&terminated); err != nil || terminated != 1 {
		t.Fatalf("terminating the listener's connection: %d terminated, %v", terminated, err)
	}

	next := func() event {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-ctx.Done():
			t.Fatal("the listener reported nothing more")
			return event{}
		}
	}
	if e := next(); e.listening == nil || *e.listening || e.err == nil {
		t.Fatalf("after the connection was cut: %+v, want not listening with an error", e)
	}
	// Reconnection attempts may fail before one succeeds; each is reported.
	e := next()
	for e.listening != nil && !*e.listening {
		e = next()
	}
	if e.listening == nil || !*e.listening {
		t.Fatalf("got %+v, want listening again", e)
	}
	if e := next(); e.publication != (Publication{Version: first + ".pendant-coupure", CatchUp: true}) {
		t.Fatalf("got %+v, want the version published while disconnected, as a catch-up", e)
	}
	if e := next(); e.publication != (Publication{Version: first + ".apres-lecture"}) {
		t.Fatalf("got %+v, want the version published after the catch-up read", e)
	}
}
