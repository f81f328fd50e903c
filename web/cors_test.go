package web

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// headerList is a comma-separated header value as lower-case names.
func headerList(v string) []string {
	var names []string
	for _, n := range strings.Split(v, ",") {
		names = append(names, strings.ToLower(strings.TrimSpace(n)))
	}
	return names
}

// A page of an allowed origin can send what the documented uses need (a
// gzip-compressed file to classify, a revalidation, a resumed export) and read
// what they answer: Retry-After on a 429, the profession and file name of a
// classified file. Browsers hide any other header than a few simple ones.
func TestCORSAllowsTheDocumentedHeaders(t *testing.T) {
	var today string
	h := testServerWith(t, testState(&today), Config{CORSOrigins: []string{"https://exemple.fr"}, RateLimit: 1, RateBurst: 1})

	req := httptest.NewRequest(http.MethodOptions, "/api/v1/classify", nil)
	req.Header.Set("Origin", "https://exemple.fr")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,content-encoding")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("preflight: %d", rec.Code)
	}
	allowed := headerList(rec.Header().Get("Access-Control-Allow-Headers"))
	for _, want := range []string{"content-type", "content-encoding", "if-none-match", "range", "authorization"} {
		if !slices.Contains(allowed, want) {
			t.Errorf("preflight does not allow %s: %v", want, allowed)
		}
	}
	exposed := headerList(rec.Header().Get("Access-Control-Expose-Headers"))
	for _, want := range []string{"etag", "retry-after", "x-zonage-profession", "content-disposition", "x-zonage-dataset-version"} {
		if !slices.Contains(exposed, want) {
			t.Errorf("%s not exposed: %v", want, exposed)
		}
	}

	// The second request of the same second is refused: a page must be able to
	// read when to come back.
	var limited *httptest.ResponseRecorder
	for range 3 {
		limited = do(t, h, "/healthz", "Origin", "https://exemple.fr")
	}
	if limited.Code != http.StatusTooManyRequests || limited.Header().Get("Retry-After") == "" {
		t.Fatalf("rate limit: %d %v", limited.Code, limited.Header())
	}
	if !slices.Contains(headerList(limited.Header().Get("Access-Control-Expose-Headers")), "retry-after") {
		t.Errorf("Retry-After of a 429 hidden from the page: %v", limited.Header())
	}
}
