// Package pgtest gives each test a PostgreSQL database of its own, with PostGIS,
// on the server `make test` starts, or, for a test that restarts PostgreSQL, a
// server of its own; tests fail rather than skip without one.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Database creates a database with PostGIS on the server of serverDSN for one
// test, drops it when the test ends, and returns its DSN. It fails the test, never
// skips it, when no server is given: the tests of this project run against the
// real PostgreSQL (`make test` starts one).
func Database(t testing.TB, serverDSN string) string {
	t.Helper()
	if serverDSN == "" {
		t.Fatal("ZONAGE_TEST_POSTGRES is not set: run the tests with `make test`, which starts PostgreSQL/PostGIS through .ci/postgres.sh")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, serverDSN)
	if err != nil {
		t.Fatalf("PostgreSQL at ZONAGE_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("zonage_t%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), serverDSN)
		if err == nil {
			c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(serverDSN)
	if err != nil {
		t.Fatalf("ZONAGE_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	u.Path = "/" + name
	dsn := u.String()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
		t.Fatal(err)
	}
	return dsn
}
