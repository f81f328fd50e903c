package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"zonage/zones"
)

// PostgreSQL/PostGIS is the system of record when one machine is not enough: each
// import publishes a dataset version (the snapshot itself, one row per commune with
// its outline and kiné category for SQL users, and one row per commune and other
// profession in zonage_commune_profession), and the servers load the current
// version and follow new ones through LISTEN/NOTIFY. The servers answer from the
// snapshot alone: a version published before the other professions were imported
// loads, with the kiné only.

// NotifyChannel is the channel a publication is announced on, with its version.
const NotifyChannel = "zonage_dataset"

const postgisSchema = `
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE IF NOT EXISTS zonage_dataset (
	version      text PRIMARY KEY,
	imported_at  timestamptz NOT NULL,
	published_at timestamptz NOT NULL DEFAULT now(),
	meta         jsonb NOT NULL,
	snapshot     bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS zonage_commune (
	version       text NOT NULL REFERENCES zonage_dataset(version) ON DELETE CASCADE,
	code          text NOT NULL,
	name          text NOT NULL,
	departement   text NOT NULL,
	region        text NOT NULL,
	status        text NOT NULL,
	category      text,
	official_code text,
	geom          geometry(MultiPolygon, 4326) NOT NULL,
	PRIMARY KEY (version, code)
);
CREATE INDEX IF NOT EXISTS zonage_commune_geom ON zonage_commune USING gist (geom);
CREATE TABLE IF NOT EXISTS zonage_commune_profession (
	version       text NOT NULL,
	code          text NOT NULL,
	profession    text NOT NULL,
	status        text NOT NULL,
	category      text,
	official_code text,
	PRIMARY KEY (version, profession, code),
	FOREIGN KEY (version, code) REFERENCES zonage_commune(version, code) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS zonage_current (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	version   text NOT NULL REFERENCES zonage_dataset(version)
);
ALTER TABLE zonage_dataset ADD COLUMN IF NOT EXISTS changes jsonb;`

func pgErr(action string, err error) error {
	return fmt.Errorf("PostgreSQL : %s : %w", action, err)
}

// PublishPostgres writes the snapshot as a dataset version and makes it current, in
// one transaction: a failure at any point leaves the current version in place. The
// servers following the database are notified when the transaction commits.
func PublishPostgres(ctx context.Context, dsn string, s *Snapshot) error {
	encoded, err := EncodeSnapshot(s)
	if err != nil {
		return err
	}
	meta, err := json.Marshal(s.Dataset.Meta)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return pgErr("connexion", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, postgisSchema); err != nil {
		return pgErr("création du schéma", err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return pgErr("début de transaction", err)
	}
	defer tx.Rollback(context.Background()) // no-op after Commit
	version := s.Dataset.Meta.Version
	// One day for every row and for the changes, even when the publication runs over
	// midnight.
	publishedAt := time.Now()
	changes, err := changesSincePublished(ctx, tx, s, publishedAt)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM zonage_commune WHERE version = $1`, version); err != nil {
		return pgErr("remplacement de la version "+version, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO zonage_dataset (version, imported_at, meta, snapshot, changes) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (version) DO UPDATE SET imported_at = EXCLUDED.imported_at, published_at = now(), meta = EXCLUDED.meta, snapshot = EXCLUDED.snapshot,
			changes = COALESCE(EXCLUDED.changes, zonage_dataset.changes)`,
		version, s.Dataset.Meta.ImportedAt, meta, encoded, changes); err != nil {
		return pgErr("écriture de la version "+version, err)
	}
	res := s.Resolver(0)
	res.Clock = func() time.Time { return publishedAt }
	if err := publishCommunes(ctx, tx, s, res); err != nil {
		return err
	}
	if err := publishProfessions(ctx, tx, s, res); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO zonage_current (singleton, version) VALUES (true, $1)
		ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version`, version); err != nil {
		return pgErr("publication de la version "+version, err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, version); err != nil {
		return pgErr("notification", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return pgErr("validation de la transaction", err)
	}
	return nil
}

// publishCommunes writes the communes of snapshot s into zonage_commune under its
// version, each with its outline and the category res gives it.
func publishCommunes(ctx context.Context, tx pgx.Tx, s *Snapshot, res *zones.Resolver) error {
	// Outlines go through a staging table as WKB, PostGIS building the geometries
	// in one INSERT … SELECT: far faster than one INSERT per commune.
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE zonage_staging (code text, name text, departement text, region text,
		status text, category text, official_code text, wkb bytea) ON COMMIT DROP`); err != nil {
		return pgErr("table de chargement", err)
	}
	rows := make([][]any, len(s.Dataset.Communes))
	for i, c := range s.Dataset.Communes {
		r, cat, code, err := categoryColumns(res, c.Code)
		if err != nil {
			return err
		}
		b, err := wkb.Marshal(s.Polygons[i])
		if err != nil {
			return fmt.Errorf("contour de %s : %w", c.Code, err)
		}
		rows[i] = []any{c.Code, c.Name, c.Departement, c.Region, string(r.Status), cat, code, b}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"zonage_staging"},
		[]string{"code", "name", "departement", "region", "status", "category", "official_code", "wkb"}, pgx.CopyFromRows(rows)); err != nil {
		return pgErr("chargement des communes", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO zonage_commune (version, code, name, departement, region, status, category, official_code, geom)
		SELECT $1, code, name, departement, region, status, category, official_code, ST_Multi(ST_GeomFromWKB(wkb, 4326)) FROM zonage_staging`, s.Dataset.Meta.Version); err != nil {
		return pgErr("écriture des contours", err)
	}
	return nil
}

// categoryColumns resolves a commune's code and returns the answer with its
// category and official code as SQL values: NULL unless the status is ok.
func categoryColumns(res *zones.Resolver, code string) (r zones.Resolution, category, official *string, err error) {
	r, err = res.ResolveCode(code)
	if err == nil && r.Status == zones.StatusOK && r.Zonage != nil {
		v, o := string(r.Zonage.Category), r.Zonage.OfficialCode
		category, official = &v, &o
	}
	return r, category, official, err
}

// publishProfessions writes the category of every commune for each other
// profession the snapshot has, as base's resolvers for them answer.
func publishProfessions(ctx context.Context, tx pgx.Tx, s *Snapshot, base *zones.Resolver) error {
	var rows [][]any
	for _, ps := range s.Dataset.Meta.Professions {
		res, err := base.For(ps.Profession)
		if err != nil {
			return err
		}
		for _, c := range s.Dataset.Communes {
			r, cat, code, err := categoryColumns(res, c.Code)
			if err != nil {
				return err
			}
			rows = append(rows, []any{s.Dataset.Meta.Version, c.Code, string(ps.Profession), string(r.Status), cat, code})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"zonage_commune_profession"},
		[]string{"version", "code", "profession", "status", "category", "official_code"}, pgx.CopyFromRows(rows)); err != nil {
		return pgErr("écriture du zonage des autres professions", err)
	}
	return nil
}

// changesSincePublished compares the snapshot with the version current in the
// database, on the publication day, and returns the changes as JSON; nil when no
// other version is current (a first publication, or the same version again).
func changesSincePublished(ctx context.Context, tx pgx.Tx, s *Snapshot, at time.Time) ([]byte, error) {
	var previous string
	var data []byte
	err := tx.QueryRow(ctx, `SELECT d.version, d.snapshot FROM zonage_current c JOIN zonage_dataset d USING (version)`).Scan(&previous, &data)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && previous == s.Dataset.Meta.Version {
		return nil, nil
	}
	if err != nil {
		return nil, pgErr("lecture de la version courante", err)
	}
	old, err := DecodeSnapshotDataset(data, "base PostgreSQL, version "+previous)
	if err != nil {
		return nil, err
	}
	return json.Marshal(zones.DiffDatasets(old, s.Dataset, zones.DayOf(at)))
}

// ErrNoPublishedVersion means the database holds no published dataset yet.
var ErrNoPublishedVersion = errors.New("aucune version publiée dans la base ; lancez « zonage import --postgres DSN »")

// LoadPostgres reads the current dataset version's snapshot from the database and
// checks it as a snapshot file is checked.
func LoadPostgres(ctx context.Context, dsn string) (*Snapshot, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, pgErr("connexion", err)
	}
	defer conn.Close(context.Background())
	var version string
	var data, changes []byte
	err = conn.QueryRow(ctx, `SELECT d.version, d.snapshot, d.changes FROM zonage_current c JOIN zonage_dataset d USING (version)`).Scan(&version, &data, &changes)
	if errors.Is(err, pgx.ErrNoRows) || isUndefinedTable(err) {
		return nil, ErrNoPublishedVersion
	}
	if isUndefinedColumn(err) {
		// Published before the changes were recorded: the snapshot alone.
		changes = nil
		err = conn.QueryRow(ctx, `SELECT d.version, d.snapshot FROM zonage_current c JOIN zonage_dataset d USING (version)`).Scan(&version, &data)
	}
	if err != nil {
		return nil, pgErr("lecture de la version courante", err)
	}
	s, err := DecodeSnapshot(data, "base PostgreSQL, version "+version)
	if err != nil {
		return nil, err
	}
	if changes != nil {
		s.Changes = &zones.DatasetDiff{}
		if err := json.Unmarshal(changes, s.Changes); err != nil {
			return nil, pgErr("lecture des changements de la version "+version, err)
		}
	}
	return s, nil
}

func isUndefinedColumn(err error) bool {
	var pe interface{ SQLState() string }
	return errors.As(err, &pe) && pe.SQLState() == "42703"
}

func isUndefinedTable(err error) bool {
	var pe interface{ SQLState() string }
	return errors.As(err, &pe) && pe.SQLState() == "42P01"
}
