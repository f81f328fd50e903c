package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// The ceiling answers with the sizes asked, full or options=0, with their
// length, as the service frames its answers.
func TestConstantAnswersHaveTheSizesAsked(t *testing.T) {
	h := constantAnswers(17000, 1900)
	for target, want := range map[string]int{
		"/api/v1/resolve?lat=45&lon=2":           17000,
		"/api/v1/resolve?lat=45&lon=2&options=0": 1900,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Body.Len() != want || rec.Header().Get("Content-Length") != strconv.Itoa(want) ||
			rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: %d bytes, Content-Length %q, Content-Type %q; want %d", target, rec.Body.Len(),
				rec.Header().Get("Content-Length"), rec.Header().Get("Content-Type"), want)
		}
	}
}
