package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestPagesAndAssets(t *testing.T) {
	day := "2025-06-01"
	h := testServer(t, testState(&day))
	page := do(t, h, "/", "Accept-Encoding", "gzip")
	html := string(body(t, page))
	if page.Code != 200 || !strings.Contains(page.Header().Get("Content-Type"), "text/html") || !strings.Contains(html, `lang="fr"`) {
		t.Fatalf("%d %v", page.Code, page.Header())
	}
	csp := page.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	a := loadAssets()["/static/dist/carte.js"]
	ref := "/static/dist/carte.js?v=" + a.hash
	if !strings.Contains(html, `"`+ref+`"`) {
		t.Fatalf("page does not name %s", ref)
	}
	js := do(t, h, ref)
	if js.Code != 200 || !strings.Contains(js.Header().Get("Cache-Control"), "immutable") || !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("versioned asset: %d %v", js.Code, js.Header())
	}
	if r := do(t, h, "/static/dist/carte.js", "If-None-Match", js.Header().Get("ETag")); r.Code != http.StatusNotModified {
		t.Errorf("asset revalidation: %d", r.Code)
	}
	if r := do(t, h, "/static/dist/absent.js"); r.Code != http.StatusNotFound {
		t.Errorf("missing asset: %d", r.Code)
	}
	lot := do(t, h, "/lot")
	if lot.Code != 200 || !strings.Contains(lot.Body.String(), "/api/v1/classify") {
		t.Errorf("batch page: %d", lot.Code)
	}
}
