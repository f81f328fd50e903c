package web

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"zonage/zones"
)

// TestOpenAPIProfessionParameter: every route that reads profession= documents it,
// with the values it accepts (all only where a batch adds one column per profession).
func TestOpenAPIProfessionParameter(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Ref string `json:"$ref"`
			} `json:"parameters"`
		} `json:"paths"`
		Components struct {
			Parameters map[string]struct {
				Name   string `json:"name"`
				Schema struct {
					Ref  string   `json:"$ref"`
					Enum []string `json:"enum"`
				} `json:"schema"`
			} `json:"parameters"`
			Schemas map[string]struct {
				Enum []string `json:"enum"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, p := range zones.Professions() {
		slugs = append(slugs, string(p))
	}
	routes := []struct {
		path, method string
		all          bool
	}{
		{"/api/v1/resolve", "get", false},
		{"/api/v1/communes/{code}", "get", false},
		{"/api/v1/map", "get", false},
		{"/api/v1/tiles/{layer}/{z}/{x}/{y}.mvt", "get", false},
		{"/api/v1/tiles/{layer}.json", "get", false},
		{"/api/v1/classify", "post", true},
		{"/search/csv/", "post", true},
	}
	for _, r := range routes {
		op, ok := doc.Paths[r.path][r.method]
		if !ok {
			t.Fatalf("%s %s absent", r.method, r.path)
		}
		var enum []string
		found := false
		for _, p := range op.Parameters {
			param, ok := doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
			if !ok || param.Name != "profession" {
				continue
			}
			found = true
			enum = param.Schema.Enum
			if param.Schema.Ref != "" {
				enum = doc.Components.Schemas[strings.TrimPrefix(param.Schema.Ref, "#/components/schemas/")].Enum
			}
		}
		want := slugs
		if r.all {
			want = append(slices.Clone(slugs), "all")
		}
		if !found || !slices.Equal(enum, want) {
			t.Errorf("%s %s: profession documented %v with %v, want %v", r.method, r.path, found, enum, want)
		}
	}
}
