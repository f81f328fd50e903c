package web

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseBaseMap(t *testing.T) {
	cases := []struct {
		name, url, attribution string
		want                   *BaseMap
	}{
		{"empty: the default", "  ", "", nil},
		{"aucun: none", "Aucun", "", &BaseMap{}},
		{"none: none", "none", "ignorée", &BaseMap{}},
		{"a template", " https://{s}.tuiles.example/{z}/{x}/{y}.png ", "© Exemple", &BaseMap{URL: "https://{s}.tuiles.example/{z}/{x}/{y}.png", Attribution: "© Exemple"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseBaseMap(tc.url, tc.attribution)
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("ParseBaseMap(%q, %q) = %+v, want %+v", tc.url, tc.attribution, got, tc.want)
			}
		})
	}
}

// The configured base map is the one the map answer names and the only image
// host the pages' policy allows besides their own origin.
func TestBaseMapFromConfig(t *testing.T) {
	day := "2025-06-01"
	cases := []struct {
		name    string
		cfg     *BaseMap
		wantURL string // empty: base_map null
		wantImg string
	}{
		{"default", nil, DefaultBaseMap.URL, "img-src 'self' data: blob: https://tile.openstreetmap.org;"},
		{"none", &BaseMap{}, "", "img-src 'self' data: blob:;"},
		{"subdomains", &BaseMap{URL: "https://{s}.tuiles.example/{z}/{x}/{y}.png", Attribution: "© Exemple"},
			"https://{s}.tuiles.example/{z}/{x}/{y}.png", "img-src 'self' data: blob: https://*.tuiles.example;"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := testServerWith(t, testState(&day), Config{BaseMap: tc.cfg})
			var ans struct {
				BaseMap *BaseMap `json:"base_map"`
			}
			rec := do(t, h, "/api/v1/map")
			if err := json.Unmarshal(body(t, rec), &ans); err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.wantURL == "" && ans.BaseMap != nil:
				t.Errorf("base_map %+v, want null", ans.BaseMap)
			case tc.wantURL != "" && (ans.BaseMap == nil || ans.BaseMap.URL != tc.wantURL):
				t.Errorf("base_map %+v, want URL %q", ans.BaseMap, tc.wantURL)
			}
			if csp := do(t, h, "/").Header().Get("Content-Security-Policy"); !strings.Contains(csp, tc.wantImg) {
				t.Errorf("CSP %q lacks %q", csp, tc.wantImg)
			}
		})
	}
}
