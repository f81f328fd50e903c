package web

import (
	"encoding/json"
	"net/http"
	"testing"

	"zonage/zones"
)

func TestSources(t *testing.T) {
	day := "2025-06-01"
	h := testServer(t, testState(&day))
	var ans struct{ Sources []zones.Source }
	rec := do(t, h, "/api/v1/sources?keys=A1,nope,A1")
	if err := json.Unmarshal(body(t, rec), &ans); err != nil || len(ans.Sources) != 1 || ans.Sources[0].Key != "A1" || ans.Sources[0].Title == "" {
		t.Errorf("%d %v %s", rec.Code, err, rec.Body)
	}
	if r := do(t, h, "/api/v1/sources"); r.Code != http.StatusBadRequest {
		t.Errorf("no keys: %d", r.Code)
	}
}
