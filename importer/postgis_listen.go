package importer

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListenApplicationName names a listener's connection in pg_stat_activity, unless
// the DSN names its connections itself.
const ListenApplicationName = "zonage-publications"

// PostgresListener follows the dataset versions published in a database. LISTEN is
// registered when the listener is opened, before the caller loads anything, and
// again before each catch-up after a lost connection: a version published while the
// caller loads waits on the connection and Follow delivers it, instead of falling
// between the load and the start of listening.
type PostgresListener struct {
	// MinBackoff is the pause before the first attempt to reopen a lost connection
	// (default 500 ms). It doubles after each failed attempt up to MaxBackoff
	// (default 30 s); each pause is drawn between its half and its whole, so that the
	// replicas of a restarted database do not all reconnect at the same instant.
	MinBackoff, MaxBackoff time.Duration

	dsn  string
	conn *pgx.Conn // nil while disconnected
}

// Publication is a dataset version a listener reports.
type Publication struct {
	Version string
	// CatchUp marks the version current in the database when the listener listens
	// again after a lost connection: the caller may serve it already, or it may have
	// been published while the connection was down.
	CatchUp bool
}

// ListenPostgres connects to the database and registers LISTEN; from then on no
// publication is missed. Follow delivers them.
func ListenPostgres(ctx context.Context, dsn string) (*PostgresListener, error) {
	conn, err := listenConn(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &PostgresListener{dsn: dsn, conn: conn}, nil
}

func listenConn(ctx context.Context, dsn string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, pgErr("DSN", err)
	}
	if _, named := cfg.RuntimeParams["application_name"]; !named {
		cfg.RuntimeParams["application_name"] = ListenApplicationName
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, pgErr("connexion pour LISTEN", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		closeConn(conn)
		return nil, pgErr("LISTEN", err)
	}
	return conn, nil
}

// Follow calls onPublication with each version published, and, after each
// reconnection, with the version current then (CatchUp), until ctx ends; it then
// closes its connection and returns. onStatus, when not nil, is told when the
// connection is lost or an attempt to reopen it fails (listening false, with why),
// and when the listener listens again. Both run on Follow's goroutine:
// notifications wait on the connection while they work.
func (l *PostgresListener) Follow(ctx context.Context, onPublication func(context.Context, Publication), onStatus func(listening bool, err error)) {
	defer l.Close()
	report := func(listening bool, err error) {
		if onStatus != nil && ctx.Err() == nil {
			onStatus(listening, err)
		}
	}
	pause := l.minBackoff()
	for ctx.Err() == nil {
		if l.conn == nil {
			if !sleepCtx(ctx, pause/2+rand.N(pause/2+1)) {
				return
			}
			pause = min(2*pause, l.maxBackoff())
			version, err := l.reconnect(ctx)
			if err != nil {
				report(false, err)
				continue
			}
			pause = l.minBackoff()
			report(true, nil)
			if version != "" {
				onPublication(ctx, Publication{Version: version, CatchUp: true})
			}
			continue
		}
		n, err := l.conn.WaitForNotification(ctx)
		if n != nil {
			onPublication(ctx, Publication{Version: n.Payload})
		}
		if err != nil {
			l.Close()
			report(false, pgErr("attente de notification", err))
		}
	}
}

// reconnect opens a connection, registers LISTEN, and only then reads the current
// version, so that a publication after the read is announced on the connection.
func (l *PostgresListener) reconnect(ctx context.Context) (string, error) {
	conn, err := listenConn(ctx, l.dsn)
	if err != nil {
		return "", err
	}
	var version string
	err = conn.QueryRow(ctx, `SELECT version FROM zonage_current`).Scan(&version)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) && !isUndefinedTable(err) {
		closeConn(conn)
		return "", pgErr("lecture de la version courante", err)
	}
	l.conn = conn
	return version, nil
}

// Close closes the listener's connection; Follow closes it itself when its context ends.
func (l *PostgresListener) Close() {
	if l.conn != nil {
		closeConn(l.conn)
		l.conn = nil
	}
}

func closeConn(conn *pgx.Conn) {
	// Bounded: a connection to an unreachable server must not hold up a shutdown.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn.Close(ctx)
}

func (l *PostgresListener) minBackoff() time.Duration {
	if l.MinBackoff > 0 {
		return l.MinBackoff
	}
	return 500 * time.Millisecond
}

func (l *PostgresListener) maxBackoff() time.Duration {
	if l.MaxBackoff <= 0 {
		return max(30*time.Second, l.minBackoff())
	}
	return max(l.MaxBackoff, l.minBackoff())
}

// sleepCtx waits d, or less if ctx ends first; it reports whether ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
