package export

import (
	"database/sql"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"zonage/zones"
)

func testLayer() Layer {
	sq := func(lon, lat float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{lon, lat}, {lon + 0.01, lat}, {lon + 0.01, lat + 0.01}, {lon, lat + 0.01}, {lon, lat}}}}
	}
	return Layer{
		Name: "communes", Title: "Test", Description: "deux communes",
		Records: []zones.CommuneRecord{
			{Code: "75106", Name: "Paris 6e Arrondissement", Departement: "75", Region: "11", RegionName: "Île-de-France",
				Category: zones.NonPrioritaire, Label: "non prioritaire", OfficialCode: "5b_Non_prioritaire", Scheme: zones.SchemeAvenant7,
				Status: zones.StatusOK, ArreteDate: "2024-11-05", DatasetVersion: "v1"},
			{Code: "08439", Name: "Tannay-le-Mont-Dieu, « ambiguë »", Departement: "08", Region: "44", Status: zones.StatusAmbiguous,
				Note: "communes déléguées : 08439 ; 08300", DatasetVersion: "v1"},
		},
		Outlines: []orb.MultiPolygon{sq(2.33, 48.84), sq(4.8, 49.5)},
	}
}

func TestGeoJSON(t *testing.T) {
	l := testLayer()
	path := filepath.Join(t.TempDir(), "c.geojson")
	if err := WriteFile(path, GeoJSON, l); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var fc struct {
		Type     string
		Name     string
		Features []struct {
			ID         string
			Properties map[string]*string
			Geometry   struct {
				Type        string
				Coordinates [][][][2]float64
			}
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%v\n%.500s", err, b)
	}
	if fc.Type != "FeatureCollection" || fc.Name != "communes" || len(fc.Features) != 2 {
		t.Fatalf("%+v", fc)
	}
	f := fc.Features[0]
	if f.ID != "75106" || *f.Properties["categorie"] != "non_prioritaire" || f.Properties["date_effet"] != nil ||
		f.Geometry.Type != "MultiPolygon" || f.Geometry.Coordinates[0][0][1] != [2]float64{2.34, 48.84} {
		t.Errorf("first feature: %+v", f)
	}
	if len(f.Properties) != len(zones.RecordColumns) {
		t.Errorf("%d properties, want %d", len(f.Properties), len(zones.RecordColumns))
	}
	if fc.Features[1].Properties["categorie"] != nil || *fc.Features[1].Properties["statut"] != "ambigu" {
		t.Errorf("ambiguous commune: %+v", fc.Features[1].Properties)
	}
}

func TestCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.csv")
	if err := WriteFile(path, CSV, testLayer()); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(zones.RecordColumns, ",") {
		t.Fatalf("rows: %q", rows)
	}
	if rows[1][0] != "75106" || rows[2][1] != "Tannay-le-Mont-Dieu, « ambiguë »" || rows[2][5] != "" {
		t.Errorf("rows: %q", rows[1:])
	}
}

func TestGeoPackage(t *testing.T) {
	l := testLayer()
	dir := t.TempDir()
	path := filepath.Join(dir, "c.gpkg")
	if err := os.WriteFile(path, []byte("an older file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, GeoPackage, l); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var appID, userVersion int
	db.QueryRow("PRAGMA application_id").Scan(&appID)
	db.QueryRow("PRAGMA user_version").Scan(&userVersion)
	if appID != gpkgApplicationID || userVersion != gpkgUserVersion {
		t.Errorf("application_id %x user_version %d", appID, userVersion)
	}
	var dataType string
	var srs, n, indexed int
	var minX, maxY float64
	if err := db.QueryRow(`SELECT data_type, srs_id, min_x, max_y FROM gpkg_contents WHERE table_name = 'communes'`).Scan(&dataType, &srs, &minX, &maxY); err != nil {
		t.Fatal(err)
	}
	if dataType != "features" || srs != 4326 || minX != 2.33 || math.Abs(maxY-49.51) > 1e-9 {
		t.Errorf("gpkg_contents: %s %d %v %v", dataType, srs, minX, maxY)
	}
	db.QueryRow(`SELECT COUNT(*) FROM communes`).Scan(&n)
	db.QueryRow(`SELECT COUNT(*) FROM rtree_communes_geom WHERE minx <= 2.335 AND maxx >= 2.335 AND miny <= 48.845 AND maxy >= 48.845`).Scan(&indexed)
	if n != 2 || indexed != 1 {
		t.Errorf("%d rows, %d found by the spatial index", n, indexed)
	}
	var code string
	var cat sql.NullString
	var blob []byte
	if err := db.QueryRow(`SELECT code, categorie, geom FROM communes WHERE fid = 2`).Scan(&code, &cat, &blob); err != nil {
		t.Fatal(err)
	}
	if code != "08439" || cat.Valid {
		t.Errorf("row 2: %s %v", code, cat)
	}
	// Header: "GP", version 0, flags (little-endian, xy envelope), SRS id, envelope.
	if string(blob[:2]) != "GP" || blob[2] != 0 || blob[3] != 3 || binary.LittleEndian.Uint32(blob[4:]) != 4326 {
		t.Fatalf("geometry header % x", blob[:8])
	}
	if minx := math.Float64frombits(binary.LittleEndian.Uint64(blob[8:])); minx != 4.8 {
		t.Errorf("envelope min x %v", minx)
	}
	g, err := wkb.Unmarshal(blob[40:])
	if err != nil || !orb.Equal(g, l.Outlines[1]) {
		t.Errorf("geometry %v %v", g, err)
	}
}

func TestParseFormat(t *testing.T) {
	if f, err := ParseFormat("GPKG"); err != nil || f != GeoPackage {
		t.Errorf("%v %v", f, err)
	}
	if _, err := ParseFormat("shp"); err == nil || !strings.Contains(err.Error(), "« shp »") {
		t.Errorf("%v", err)
	}
	if err := Write(os.Stdout, GeoPackage, testLayer()); err == nil {
		t.Error("a GeoPackage written to a stream")
	}
}
