package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func postCSV(t *testing.T, h http.Handler, path, csv string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(csv))
	req.Header.Set("Content-Type", "text/csv")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// A streamed CSV answer names the charset it is written in: a Windows-1252 file
// comes back in Windows-1252, and an HTTP client decoding by the header must not
// turn « Évry » into replacement characters.
func TestClassifyCSVCharsetIsTheOutputs(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, testState(&today))
	for _, tc := range []struct {
		name, input, charset string
	}{
		{"windows-1252", "code_insee;ville\n91001;\xc9vry\n", "windows-1252"},
		{"utf-8", "code_insee;ville\n91001;\xc3\x89vry\n", "utf-8"},
		{"ascii", "code_insee;ville\n91001;Alpha\n", "utf-8"},
	} {
		for _, path := range []string{"/api/v1/classify", "/search/csv/"} {
			rec := postCSV(t, h, path, tc.input)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s %s: status %d: %s", tc.name, path, rec.Code, rec.Body)
			}
			// The headers as sent with the first byte, not as the handler left them.
			sent := rec.Result().Header
			if got, want := sent.Get("Content-Type"), "text/csv; charset="+tc.charset; got != want {
				t.Errorf("%s %s: Content-Type %q, want %q", tc.name, path, got, want)
			}
			if !strings.Contains(sent.Get("Content-Disposition"), "attachment") {
				t.Errorf("%s %s: Content-Disposition %q, want an attachment", tc.name, path, sent.Get("Content-Disposition"))
			}
		}
	}
}

// A file refused before its first row gets a problem document, not an attachment
// a browser would save as resultat.csv.
func TestClassifyCSVRefusedIsNoAttachment(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, testState(&today))
	for _, input := range []string{"", "a;b\n1;2\n"} {
		rec := postCSV(t, h, "/api/v1/classify", input)
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%q: status %d, want 400", input, rec.Code)
		}
		sent := rec.Result().Header
		if ct := sent.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("%q: Content-Type %q, want a problem", input, ct)
		}
		if cd := sent.Get("Content-Disposition"); cd != "" {
			t.Errorf("%q: Content-Disposition %q on a refusal", input, cd)
		}
	}
}
