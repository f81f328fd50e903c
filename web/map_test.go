package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestMapAnswer(t *testing.T) {
	day := "2025-06-01"
	st := testState(&day)
	h := testServerWith(t, st, Config{BaseMap: ParseBaseMap("aucun", "")})
	var ans struct {
		DatasetVersion string `json:"dataset_version"`
		Date           string
		Tiles          map[string]string
		Classes        []struct {
			Key   string
			Count int
		}
		Territories []territory
		BaseMap     *BaseMap `json:"base_map"`
	}
	rec := do(t, h, "/api/v1/map")
	if err := json.Unmarshal(body(t, rec), &ans); err != nil || rec.Code != 200 {
		t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
	}
	counts := map[string]int{}
	for _, c := range ans.Classes {
		counts[c.Key] = c.Count
	}
	if counts["tres_sous_dotee"] != 2 || counts["ambigu"] != 1 || counts["intermediaire"] != 1 || counts["non_prioritaire"] != 0 {
		t.Errorf("counts on %s: %v", day, counts)
	}
	if ans.Date != day || ans.BaseMap != nil || !strings.Contains(ans.Tiles["communes"], "v=test-1.2025-06-01") || len(ans.Territories) != 1 || ans.Territories[0].Code != "metropole" {
		t.Errorf("answer: %+v", ans)
	}
	etag := rec.Header().Get("ETag")
	if rec := do(t, h, "/api/v1/map", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", rec.Code)
	}

	// On the effective date of a new arrêté the map changes, and so does its ETag.
	day = "2026-01-01"
	rec = do(t, h, "/api/v1/map", "If-None-Match", etag)
	if rec.Code != 200 {
		t.Fatalf("after the effective date: %d", rec.Code)
	}
	json.Unmarshal(body(t, rec), &ans)
	for _, c := range ans.Classes {
		counts[c.Key] = c.Count
	}
	if counts["non_prioritaire"] != 1 || counts["intermediaire"] != 0 {
		t.Errorf("counts on %s: %v", day, counts)
	}

	withBase := do(t, testServer(t, st), "/api/v1/map")
	if !strings.Contains(string(body(t, withBase)), "tile.openstreetmap.org") {
		t.Errorf("default base map missing: %s", body(t, withBase))
	}
}
