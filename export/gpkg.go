package export

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"zonage/zones"
)

// GeoPackage constants (OGC 12-128r18, version 1.2): the application id
// "GPKG", the version as user_version, and EPSG:4326, whose GeoPackage axis
// order is longitude, latitude.
const (
	gpkgApplicationID = 0x47504B47
	gpkgUserVersion   = 10200
	gpkgSRSID         = 4326
	wgs84WKT          = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`
)

// writeGeoPackage writes the layer as a new GeoPackage at path (an empty or
// absent file): the mandatory metadata tables, one feature table and its R-tree
// spatial index, in one transaction.
func writeGeoPackage(path string, l Layer) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	// One connection: the pragmas and the transaction must see the same one.
	db.SetMaxOpenConns(1)
	// The file is a temporary one renamed into place at the end: no journal is
	// needed to survive a crash half-way, and without it the write is twice as fast.
	for _, p := range []string{
		fmt.Sprintf("PRAGMA application_id = %d", gpkgApplicationID),
		fmt.Sprintf("PRAGMA user_version = %d", gpkgUserVersion),
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		"PRAGMA page_size = 4096",
	} {
		if _, err := db.Exec(p); err != nil {
			return fmt.Errorf("%s : %w", p, err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createGeoPackageTables(tx, l); err != nil {
		return err
	}
	if err := insertFeatures(tx, l); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return db.Close()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func createGeoPackageTables(tx *sql.Tx, l Layer) error {
	var bound orb.Bound
	for i, mp := range l.Outlines {
		if i == 0 {
			bound = mp.Bound()
		} else {
			bound = bound.Union(mp.Bound())
		}
	}
	var cols []string
	for _, c := range columns {
		typ := "TEXT"
		if zones.RecordDateColumns[c] {
			typ = "DATE"
		}
		cols = append(cols, quoteIdent(c)+" "+typ)
	}
	t := quoteIdent(l.Name)
	stmts := []string{
		`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
			organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
		`INSERT INTO gpkg_spatial_ref_sys VALUES
			('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
			('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
			('WGS 84 geodetic', 4326, 'EPSG', 4326, '` + wgs84WKT + `', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')`,
		`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
			description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
			min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
			CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
		`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
			srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
			CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
			CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
			CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
		`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
			scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
		`CREATE TABLE ` + t + ` (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON, ` + strings.Join(cols, ", ") + `)`,
		`CREATE VIRTUAL TABLE ` + quoteIdent("rtree_"+l.Name+"_geom") + ` USING rtree(id, minx, maxx, miny, maxy)`,
	}
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil {
			return fmt.Errorf("création du GeoPackage : %w", err)
		}
	}
	if _, err := tx.Exec(`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
		VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.Name, l.Title, l.Description, time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1], gpkgSRSID); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)`, l.Name, gpkgSRSID); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`, l.Name)
	return err
}

func insertFeatures(tx *sql.Tx, l Layer) error {
	t := quoteIdent(l.Name)
	marks := strings.Repeat(", ?", len(columns))
	ins, err := tx.Prepare(`INSERT INTO ` + t + ` VALUES (?, ?` + marks + `)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	idx, err := tx.Prepare(`INSERT INTO ` + quoteIdent("rtree_"+l.Name+"_geom") + ` VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer idx.Close()
	args := make([]any, 2+len(columns))
	var blob []byte
	for i := range l.Records {
		fid := int64(i + 1)
		mp := l.Outlines[i]
		args[0] = fid
		if len(mp) == 0 {
			args[1] = nil
		} else {
			if blob, err = appendGeoPackageBinary(blob[:0], mp); err != nil {
				return fmt.Errorf("commune %s : %w", l.Records[i].Code, err)
			}
			args[1] = blob
		}
		for k, v := range l.Records[i].Values() {
			if v == "" {
				args[2+k] = nil
			} else {
				args[2+k] = v
			}
		}
		if _, err := ins.Exec(args...); err != nil {
			return fmt.Errorf("commune %s : %w", l.Records[i].Code, err)
		}
		if len(mp) > 0 {
			b := mp.Bound()
			if _, err := idx.Exec(fid, b.Min[0], b.Max[0], b.Min[1], b.Max[1]); err != nil {
				return err
			}
		}
	}
	// The triggers that keep the index in step with later edits call the ST_
	// functions a GeoPackage reader provides (GDAL, QGIS); plain SQLite has none,
	// so they are created after the rows are in.
	for _, s := range rtreeTriggers(l.Name, "geom", "fid") {
		if _, err := tx.Exec(s); err != nil {
			return fmt.Errorf("index spatial du GeoPackage : %w", err)
		}
	}
	return nil
}

// appendGeoPackageBinary encodes mp as a GeoPackage geometry: the "GP" header
// (version 0, little-endian, xy envelope, SRS id) then standard WKB.
func appendGeoPackageBinary(b []byte, mp orb.MultiPolygon) ([]byte, error) {
	w, err := wkb.Marshal(mp, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	bd := mp.Bound()
	b = append(b, 'G', 'P', 0, 0b0000_0011)
	b = binary.LittleEndian.AppendUint32(b, gpkgSRSID)
	for _, v := range []float64{bd.Min[0], bd.Max[0], bd.Min[1], bd.Max[1]} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return append(b, w...), nil
}

// rtreeTriggers are the triggers of the GeoPackage R-tree extension (F.3) for
// table t, geometry column c and primary key i.
func rtreeTriggers(t, c, i string) []string {
	rt := quoteIdent("rtree_" + t + "_" + c)
	name := func(suffix string) string { return quoteIdent("rtree_" + t + "_" + c + "_" + suffix) }
	tq, cq, iq := quoteIdent(t), quoteIdent(c), quoteIdent(i)
	vals := fmt.Sprintf("(NEW.%s, ST_MinX(NEW.%s), ST_MaxX(NEW.%s), ST_MinY(NEW.%s), ST_MaxY(NEW.%s))", iq, cq, cq, cq, cq)
	notEmpty := fmt.Sprintf("(NEW.%s NOT NULL AND NOT ST_IsEmpty(NEW.%s))", cq, cq)
	empty := fmt.Sprintf("(NEW.%s IS NULL OR ST_IsEmpty(NEW.%s))", cq, cq)
	return []string{
		fmt.Sprintf("CREATE TRIGGER %s AFTER INSERT ON %s WHEN %s BEGIN INSERT OR REPLACE INTO %s VALUES %s; END",
			name("insert"), tq, notEmpty, rt, vals),
		fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE OF %s ON %s WHEN OLD.%s = NEW.%s AND %s BEGIN INSERT OR REPLACE INTO %s VALUES %s; END",
			name("update1"), cq, tq, iq, iq, notEmpty, rt, vals),
		fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE OF %s ON %s WHEN OLD.%s = NEW.%s AND %s BEGIN DELETE FROM %s WHERE id = OLD.%s; END",
			name("update2"), cq, tq, iq, iq, empty, rt, iq),
		fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE ON %s WHEN OLD.%s != NEW.%s AND %s BEGIN DELETE FROM %s WHERE id = OLD.%s; INSERT OR REPLACE INTO %s VALUES %s; END",
			name("update3"), tq, iq, iq, notEmpty, rt, iq, rt, vals),
		fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE ON %s WHEN OLD.%s != NEW.%s AND %s BEGIN DELETE FROM %s WHERE id IN (OLD.%s, NEW.%s); END",
			name("update4"), tq, iq, iq, empty, rt, iq, iq),
		fmt.Sprintf("CREATE TRIGGER %s AFTER DELETE ON %s WHEN OLD.%s NOT NULL BEGIN DELETE FROM %s WHERE id = OLD.%s; END",
			name("delete"), tq, cq, rt, iq),
	}
}
