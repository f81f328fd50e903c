package web

import (
	"encoding/json"
	"testing"
)

func TestCatchment(t *testing.T) {
	day := "2025-06-01"
	h := testServer(t, testState(&day))
	rec := do(t, h, "/api/v1/catchments/bassin_de_vie/91001")
	var ans struct {
		Name     string
		Derived  bool
		Communes []catchmentMember
		Bounds   []float64
		Outline  struct {
			Type        string
			Coordinates [][][2]float64
		}
	}
	if err := json.Unmarshal(body(t, rec), &ans); err != nil || rec.Code != 200 {
		t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
	}
	if ans.Name != "Alpha" || !ans.Derived || len(ans.Communes) != 2 || ans.Communes[1].Code != "91002" || ans.Communes[1].Category != "tres_sous_dotee" {
		t.Errorf("answer %+v", ans)
	}
	if ans.Outline.Type != "MultiLineString" || len(ans.Bounds) != 4 || ans.Bounds[0] != 2.30 || ans.Bounds[2] != 2.32 {
		t.Errorf("outline %+v bounds %v", ans.Outline, ans.Bounds)
	}
	// The border between the two members is inside the catchment: left out.
	for _, l := range ans.Outline.Coordinates {
		for i := 1; i < len(l); i++ {
			if l[i][0] == 2.31 && l[i-1][0] == 2.31 {
				t.Errorf("inner border drawn: %v", l)
			}
		}
	}
	for path, code := range map[string]int{"/api/v1/catchments/bassin_de_vie/99999": 404, "/api/v1/catchments/region/91001": 400} {
		if r := do(t, h, path); r.Code != code {
			t.Errorf("%s: %d, want %d", path, r.Code, code)
		}
	}
}
