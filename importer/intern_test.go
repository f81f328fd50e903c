package importer

import (
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

	"zonage/zones"
)

// A loaded snapshot is the dataset that was written, with its equal strings and
// bassins de vie held once.
func TestSnapshotLoadSharesEqualValues(t *testing.T) {
	in := tinySnapshot()
	ds := in.Dataset
	bv := func() *zones.Catchment {
		return &zones.Catchment{Kind: "bassin_de_vie", Code: "75056", Name: "Paris", Communes: 2, Coherent: zones.CoherenceOne}
	}
	ds.Communes[0].Catchment, ds.Communes[1].Catchment = bv(), bv()
	ds.Communes[0].Postcodes, ds.Communes[1].Postcodes = []string{"75001"}, []string{"75001", "75002"}
	ds.Zonage["00002"][0].Catchment = bv()
	ds.Zonage["00003"][0].Catchment = &zones.Catchment{Kind: "bassin_de_vie", Code: "13055", Name: "Marseille"}
	path := filepath.Join(t.TempDir(), "z.snap")
	if err := WriteSnapshot(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadSnapshotFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := out.Dataset
	if !reflect.DeepEqual(got.Communes, ds.Communes) || !reflect.DeepEqual(got.Zonage, ds.Zonage) {
		t.Fatalf("read back\n%+v\n%+v\nwant\n%+v\n%+v", got.Communes, got.Zonage, ds.Communes, ds.Zonage)
	}
	same := func(what, a, b string) {
		t.Helper()
		if unsafe.StringData(a) != unsafe.StringData(b) {
			t.Errorf("%s: %q and %q are two copies", what, a, b)
		}
	}
	c0, c1 := got.Communes[0], got.Communes[1]
	same("regions", c0.Region, c1.Region)
	same("postcodes", c0.Postcodes[0], c1.Postcodes[0])
	same("commune code and its zonage code", c0.Code, c0.ZonageCodes[0])
	same("commune code and the code of its zonage", c0.Code, got.Zonage["00001"][0].Code)
	same("sources", got.Zonage["00001"][0].Source, got.Zonage["00002"][0].Source)
	if c0.Catchment != c1.Catchment || c0.Catchment != got.Zonage["00002"][0].Catchment {
		t.Errorf("one bassin de vie read as several values")
	}
	if m := got.Zonage["00003"][0].Catchment; m == c0.Catchment || m.Code != "13055" {
		t.Errorf("another bassin de vie read as %+v", m)
	}
}
