package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func postEncoded(h http.Handler, path, contentType, encoding string, b []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func problemOf(t *testing.T, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("not a problem: %s", rec.Body)
	}
	return p
}

// A gzip-compressed body is classified as the same body sent plain; its decoded
// size is held to the body limit, so that a small bomb is refused; another coding
// is refused with the one accepted.
func TestClassifyGzipBody(t *testing.T) {
	today := "2025-06-01"
	csv := []byte("code_insee;ville\n91001;Alpha\n91002;Beta\n")
	h := testServerWith(t, testState(&today), Config{MaxBodyBytes: 32 << 10})
	for _, path := range []string{"/api/v1/classify", "/search/csv/"} {
		plain := postEncoded(h, path, "text/csv", "", csv)
		for _, enc := range []string{"gzip", "x-gzip", "GZIP"} {
			rec := postEncoded(h, path, "text/csv", enc, gzipped(t, csv))
			if rec.Code != http.StatusOK || rec.Body.String() != plain.Body.String() {
				t.Errorf("%s %s: status %d\n%s\nwant\n%s", path, enc, rec.Code, rec.Body, plain.Body)
			}
		}

		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("data", "cabinets.csv")
		fw.Write(csv)
		mw.Close()
		rec := postEncoded(h, path, mw.FormDataContentType(), "gzip", gzipped(t, form.Bytes()))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "code_insee;ville;") {
			t.Errorf("%s multipart gzip: status %d %s", path, rec.Code, rec.Body)
		}

		bomb := gzipped(t, append([]byte("code_insee;ville\n"), bytes.Repeat([]byte("91001;Alpha\n"), 1<<20)...))
		rec = postEncoded(h, path, "text/csv", "gzip", bomb)
		if p := problemOf(t, rec); rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(p.Detail, "32768 octets") || !strings.Contains(p.Detail, "décompress") {
			t.Errorf("%s gzip bomb: status %d %s", path, rec.Code, rec.Body)
		}

		rec = postEncoded(h, path, "text/csv", "gzip", csv)
		if p := problemOf(t, rec); rec.Code != http.StatusBadRequest || !strings.Contains(p.Detail, "gzip") {
			t.Errorf("%s not gzip: status %d %s", path, rec.Code, rec.Body)
		}

		for _, enc := range []string{"br", "deflate", "gzip, gzip"} {
			rec = postEncoded(h, path, "text/csv", enc, csv)
			if p := problemOf(t, rec); rec.Code != http.StatusUnsupportedMediaType || !strings.Contains(p.Detail, "gzip") || rec.Header().Get("Accept-Encoding") != "gzip" {
				t.Errorf("%s %s: status %d %v %s", path, enc, rec.Code, rec.Header(), rec.Body)
			}
		}
	}

	// A JSON array of queries too.
	rec := postEncoded(h, "/api/v1/classify", "application/json", "gzip", gzipped(t, []byte(`[{"citycode":"91001"}]`)))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"91001"`) {
		t.Errorf("JSON gzip: status %d %s", rec.Code, rec.Body)
	}
}
