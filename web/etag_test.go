package web

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"testing"
)

// A revalidation across an effective date gets the new answer, never a stale 304:
// the ETag of every data route carries the day.
func TestETagFollowsTheDay(t *testing.T) {
	today := "2025-12-31"
	h := testServer(t, testState(&today))
	for _, path := range []string{"/api/v1/communes/92002", "/api/v1/resolve?citycode=92002", "/api/v1/map", "/api/v1/dataset"} {
		today = "2025-12-31"
		first := do(t, h, path)
		etag := first.Header().Get("ETag")
		if first.Code != http.StatusOK || etag == "" {
			t.Fatalf("%s: %d, ETag %q", path, first.Code, etag)
		}
		if again := do(t, h, path, "If-None-Match", etag); again.Code != http.StatusNotModified {
			t.Fatalf("%s: same day revalidation answered %d", path, again.Code)
		}
		today = "2026-01-01"
		next := do(t, h, path, "If-None-Match", etag)
		if next.Code != http.StatusOK || next.Header().Get("ETag") == etag {
			t.Errorf("%s: revalidation on the next day answered %d with ETag %s (was %s)", path, next.Code, next.Header().Get("ETag"), etag)
		}
		if strings.Contains(path, "92002") && !strings.Contains(string(body(t, next)), `"category":"non_prioritaire"`) {
			t.Errorf("%s: the new day's category is not in the answer:\n%s", path, body(t, next))
		}
	}
}

func TestBoundQuotes(t *testing.T) {
	long := strings.Repeat("ü", 5000)
	cases := []struct {
		name, detail string
		maxRunes     int
	}{
		{"short detail unchanged", "lat « abc » invalide", 30},
		{"long quoted value", "lat « " + long + " » invalide : nombre décimal attendu", maxQuoted + 60},
		{"two quoted values", "« " + long + " » puis « " + long + " »", 2*maxQuoted + 20},
		{"unclosed quote", "colonne « " + long, maxQuoted + 20},
		{"no quote at all", "en-tête (" + long + ")", maxDetail + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := boundQuotes(tc.detail)
			if n := len([]rune(got)); n > tc.maxRunes {
				t.Fatalf("%d characters, at most %d expected", n, tc.maxRunes)
			}
			if !strings.HasPrefix(got, tc.detail[:min(len(tc.detail), 8)]) {
				t.Fatalf("the detail's start is lost: %.80s", got)
			}
			if len(tc.detail) > maxQuoted && strings.Contains(tc.detail, "invalide") && !strings.HasSuffix(got, strings.SplitN(tc.detail, " » ", 2)[1]) {
				t.Fatalf("the text after the quote is lost: %.300s", got)
			}
		})
	}
}

func TestValidBearer(t *testing.T) {
	cases := []struct {
		header string
		ok     bool
	}{
		{"Bearer s3cret", true},
		{"bearer s3cret", true},
		{"BEARER s3cret", true},
		{"  Bearer   s3cret  ", true},
		{"s3cret", false},
		{"Basic s3cret", false},
		{"Bearer", false},
		{"Bearer ", false},
		{"Bearer s3cre", false},
		{"Bearer s3crett", false},
		{"Bearers3cret", false},
	}
	for _, tc := range cases {
		if got := validBearer(tc.header, "s3cret"); got != tc.ok {
			t.Errorf("validBearer(%q) = %v, want %v", tc.header, got, tc.ok)
		}
	}
}

// The ETag's hash is FNV-1a of the path, the query and the variants, each after a
// zero byte but the first: the validators clients hold stay valid across versions
// of the server.
func TestETagHash(t *testing.T) {
	today := "2025-12-31"
	h := testServer(t, testState(&today))
	rec := do(t, h, "/api/v1/resolve?citycode=92002")
	f := fnv.New64a()
	f.Write([]byte("/api/v1/resolve\x00citycode=92002"))
	if want := fmt.Sprintf(`"test-1-2025-12-31-%x"`, f.Sum64()); rec.Header().Get("ETag") != want {
		t.Errorf("ETag %s, want %s", rec.Header().Get("ETag"), want)
	}
	if rec.Header().Get("Cache-Control") != "public, max-age=3600" || rec.Header().Get("X-Zonage-Dataset-Version") != "test-1" {
		t.Errorf("validators: %v", rec.Header())
	}
	first, second := do(t, h, "/healthz").Header().Get("X-Request-ID"), do(t, h, "/healthz").Header().Get("X-Request-ID")
	if len(first) != 16 || len(second) != 16 || first == second {
		t.Errorf("request ids %q and %q: want two different 16-digit ids", first, second)
	}
	if got := do(t, h, "/healthz", "X-Request-ID", "abc-123").Header().Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("the caller's request id came back as %q", got)
	}
}

// The OpenAPI document has an ETag, the same on every request, and a client
// holding it is answered 304 with no body.
func TestOpenAPIETag(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, testState(&today))
	first := do(t, h, "/openapi.json")
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
		t.Fatalf("%d, ETag %q", first.Code, etag)
	}
	if again := do(t, h, "/openapi.json"); again.Header().Get("ETag") != etag {
		t.Fatalf("ETag %q then %q", etag, again.Header().Get("ETag"))
	}
	for _, inm := range []string{etag, "W/" + etag, `"autre", ` + etag, "*"} {
		rec := do(t, h, "/openapi.json", "If-None-Match", inm)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d with %d bytes", inm, rec.Code, rec.Body.Len())
		}
	}
	if rec := do(t, h, "/openapi.json", "If-None-Match", `"autre"`); rec.Code != http.StatusOK || rec.Body.Len() != len(OpenAPIDocument()) {
		t.Errorf("a stale ETag answered %d with %d bytes", rec.Code, rec.Body.Len())
	}
}
