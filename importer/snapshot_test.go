package importer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"zonage/zones"
)

func tinySnapshot() *Snapshot {
	ds := &zones.Dataset{
		Meta: zones.Meta{Version: "test.1", ImportedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ZonageSource: "test"},
		Communes: []zones.Commune{
			{Code: "00001", Name: "Un", Region: "11", ZonageCodes: []string{"00001"}},
			{Code: "00002", Name: "Deux", Region: "11", ZonageCodes: []string{"00002", "00003"}},
		},
		Zonage: map[string][]zones.Zonage{
			"00001": {{Code: "00001", Name: "Un", Category: zones.TresSousDotee, OfficialCode: "1_Tres_sous_dotee", Source: "t"}},
			"00002": {{Code: "00002", Category: zones.Intermediaire, Source: "t"}},
			"00003": {{Code: "00003", Category: zones.SousDotee, Source: "t"}},
		},
		Former:          map[string]zones.FormerCommune{"00003": {Code: "00003", Current: "00002", Date: "2025-01-01"}},
		Arrondissements: map[string][]string{},
		ParentNames:     map[string]string{},
	}
	square := func(x, y float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}}}
	}
	return &Snapshot{Dataset: ds, Polygons: []orb.MultiPolygon{square(2.1234567, 48.5), square(-61.123456, 16.25)}}
}

func TestSnapshotRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "z.snap")
	in := tinySnapshot()
	if err := WriteSnapshot(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadSnapshotFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.Dataset.Meta.Version != "test.1" || !out.Dataset.Meta.ImportedAt.Equal(in.Dataset.Meta.ImportedAt) {
		t.Errorf("meta not kept: %+v", out.Dataset.Meta)
	}
	if c, ok := out.Dataset.CommuneByCode("00002"); !ok || len(c.ZonageCodes) != 2 {
		t.Errorf("communes not kept: %+v", out.Dataset.Communes)
	}
	if z, _ := out.Dataset.ZonageAt("00001", "2026-01-01"); z == nil || z.Category != zones.TresSousDotee {
		t.Errorf("zonage not kept: %+v", out.Dataset.Zonage)
	}
	if out.Dataset.Former["00003"].Current != "00002" {
		t.Errorf("former communes not kept")
	}
	for i := range in.Polygons {
		a, b := in.Polygons[i][0][0], out.Polygons[i][0][0]
		if len(a) != len(b) {
			t.Fatalf("ring %d: %d points, want %d", i, len(b), len(a))
		}
		for j := range a {
			if d := a[j][0] - b[j][0]; d > 1e-7 || d < -1e-7 {
				t.Fatalf("point %v read back as %v", a[j], b[j])
			}
		}
	}
}

func TestSnapshotRefusesDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.snap")
	if err := WriteSnapshot(good, tinySnapshot()); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	cases := []struct {
		name    string
		content []byte
		want    string
	}{
		{"empty", nil, "tronqué"},
		{"truncated", raw[:len(raw)-10], "tronqué"},
		{"header only", raw[:headerSize], "tronqué"},
		{"one bit flipped", flip(raw, len(raw)/2), "somme de contrôle"},
		{"not a snapshot", []byte("CartoSanté; ; \nCode;Libellé;Zonage kinés\n0123456789012345678901234567890"), "signature"},
		{"future version", withVersion(raw, 99), "version de format 99"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			os.WriteFile(p, tc.content, 0o644)
			_, err := ReadSnapshotFile(p)
			if err == nil {
				t.Fatal("damaged snapshot accepted")
			}
			if !errors.Is(err, ErrSnapshot) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "zonage import") {
				t.Errorf("error should say %q and tell to re-run the import: %v", tc.want, err)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := ReadSnapshotFile(filepath.Join(dir, "absent.snap"))
		if err == nil || !strings.Contains(err.Error(), "introuvable") {
			t.Fatalf("want a not-found message, got %v", err)
		}
	})
}

func TestWriteSnapshotFailureKeepsGoodFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "z.snap")
	if err := WriteSnapshot(path, tinySnapshot()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := tinySnapshot()
	bad.Polygons = bad.Polygons[:1] // inconsistent: refused before anything is written
	if err := WriteSnapshot(path, bad); err == nil {
		t.Fatal("inconsistent snapshot written")
	}
	bad = tinySnapshot()
	bad.Polygons[0][0][0][1] = orb.Point{500, 0} // out of range coordinate
	if err := WriteSnapshot(path, bad); err == nil {
		t.Fatal("snapshot with an out-of-range coordinate written")
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("a failed write changed the existing snapshot")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x10
	return c
}

func withVersion(b []byte, v byte) []byte {
	c := append([]byte(nil), b...)
	c[8] = v
	return c
}
