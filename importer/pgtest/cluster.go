package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Cluster is a PostgreSQL server of one test's own, for the tests that stop and
// restart it under a running service: the shared server of ZONAGE_TEST_POSTGRES,
// which other tests use at the same time, is never stopped.
type Cluster struct {
	// DSN reaches the cluster's `postgres` database, which has PostGIS.
	DSN string

	t       testing.TB
	bin     string // the folder of initdb and pg_ctl
	dir     string
	data    string
	running bool
}

// NewCluster creates a cluster in a temporary folder with initdb, starts it on a
// free local port, creates PostGIS in its `postgres` database, and stops and
// removes it when the test ends. PostgreSQL refuses to run as root: as root, the
// cluster belongs to and runs as the user postgres that Debian's packages create.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	c := &Cluster{t: t, bin: serverBinaries(t)}
	dir, err := os.MkdirTemp("", "zonage-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir, c.data = dir, filepath.Join(dir, "data")
	t.Cleanup(func() {
		if c.running {
			c.pgCtl("stop", "-m", "immediate")
		}
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running PostgreSQL as root needs the user postgres (Debian's postgresql package creates it): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := c.command("initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freePort(t)
	conf, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A socket in the cluster's own folder, fsync off and small buffers: a
	// throwaway server on a machine shared with other tests.
	_, err = fmt.Fprintf(conf, "\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\nshared_buffers = 32MB\nmax_connections = 30\n", port, dir)
	if cerr := conf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	c.Start()
	c.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
		t.Fatal(err)
	}
	return c
}

// Stop shuts the server down as an administrator would for a restart (fast mode:
// sessions are ended, connected clients see their connection close).
func (c *Cluster) Stop() {
	c.t.Helper()
	if out, err := c.pgCtl("stop", "-m", "fast"); err != nil {
		c.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
	c.running = false
}

// Start starts the server again, on the same port, and returns once it accepts
// connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if out, err := c.pgCtl("start", "-l", filepath.Join(c.dir, "server.log")); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	c.running = true
}

func (c *Cluster) pgCtl(action string, args ...string) ([]byte, error) {
	return c.command("pg_ctl", append([]string{action, "-D", c.data, "-w", "-t", "60"}, args...)...).CombinedOutput()
}

// command runs a PostgreSQL program from the cluster's folder, as postgres when
// the test runs as root.
func (c *Cluster) command(program string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, program)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	return cmd
}

// serverBinaries finds initdb and pg_ctl: Debian keeps them out of PATH, in
// /usr/lib/postgresql/VERSION/bin; the newest version with PostGIS is taken.
func serverBinaries(t testing.TB) string {
	t.Helper()
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(found, func(i, j int) bool { return majorVersion(found[i]) > majorVersion(found[j]) })
	for _, initdb := range found {
		control := fmt.Sprintf("/usr/share/postgresql/%d/extension/postgis.control", majorVersion(initdb))
		if _, err := os.Stat(control); err == nil {
			return filepath.Dir(initdb)
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	t.Fatal("initdb of a PostgreSQL with PostGIS not found (neither in /usr/lib/postgresql/*/bin nor in PATH): .ci/postgres.sh installs them")
	return ""
}

func majorVersion(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
