package geo

import (
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func TestAppendFeature(t *testing.T) {
	mp := orb.MultiPolygon{{{{2.3325, 48.8493}, {-61.5, 16.25}, {55.4500001, -21.0}, {2.3325, 48.8493}}}}
	keys := []string{"nom", "vide", "bizarre"}
	values := []string{"L'Haÿ-les-Roses", "", "guillemet \" barre \\ ligne\n tab\t nul\x00 fin"}
	b := AppendFeature(nil, "94038", keys, values, mp)
	f, err := geojson.UnmarshalFeature(b)
	if err != nil {
		t.Fatalf("not a GeoJSON feature: %v\n%s", err, b)
	}
	if f.ID != "94038" || !orb.Equal(f.Geometry, mp) {
		t.Errorf("id %v geometry %v", f.ID, f.Geometry)
	}
	for i, k := range keys {
		v, present := f.Properties[k]
		switch {
		case !present:
			t.Errorf("property %s missing", k)
		case values[i] == "" && v != nil:
			t.Errorf("empty %s written as %v, want null", k, v)
		case values[i] != "" && v != values[i]:
			t.Errorf("%s = %q, want %q", k, v, values[i])
		}
	}
	if b := AppendFeature(nil, "x", nil, nil, nil); !json.Valid(b) {
		t.Errorf("feature without geometry is not JSON: %s", b)
	}
	if s := AppendJSONString(nil, "a\xffb"); string(s) != "\"a\ufffdb\"" {
		t.Errorf("invalid UTF-8 written as %s", s)
	}
}
