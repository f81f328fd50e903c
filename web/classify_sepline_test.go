package web

import (
	"net/http"
	"strings"
	"testing"
)

// A file exported by Excel with its "sep=;" line is classified whole over HTTP,
// the line kept first so that the answer opens in Excel the same way.
func TestClassifySepLine(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, testState(&today))
	for _, path := range []string{"/api/v1/classify", "/search/csv/"} {
		rec := postCSV(t, h, path, "sep=;\r\ncode_insee;ville\r\n91001;Alpha\r\n91002;Beta\r\n")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
		}
		lines := strings.Split(strings.TrimSuffix(rec.Body.String(), "\r\n"), "\r\n")
		if len(lines) != 4 || lines[0] != "sep=;" || !strings.HasPrefix(lines[1], "code_insee;ville;") ||
			!strings.HasPrefix(lines[2], "91001;Alpha;") || !strings.HasPrefix(lines[3], "91002;Beta;") {
			t.Errorf("%s: answer\n%s", path, rec.Body)
		}
	}
}
