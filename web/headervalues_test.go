package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The header values carved out of shared blocks stay what they were when
// written, however many values are written after them, from several goroutines.
func TestHeaderValuesStayIntact(t *testing.T) {
	const workers, each = 4, 3 * headerBlockValues
	got := make([][][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				v := headerValue([]byte(fmt.Sprintf("%d-%d-%s", w, i, strings.Repeat("x", i%300))))
				if len(v) != 1 || cap(v) != 1 {
					t.Errorf("value of length %d and capacity %d, want 1 and 1", len(v), cap(v))
					return
				}
				got[w] = append(got[w], v)
			}
		}()
	}
	wg.Wait()
	for w, values := range got {
		for i, v := range values {
			if want := fmt.Sprintf("%d-%d-%s", w, i, strings.Repeat("x", i%300)); v[0] != want {
				t.Fatalf("value %d of goroutine %d is %.40q, want %.40q", i, w, v[0], want)
			}
		}
	}
	long := bytes.Repeat([]byte("y"), headerBlockBytes+1)
	if v := headerValue(long); v[0] != string(long) {
		t.Errorf("a value longer than a block came back as %d bytes", len(v[0]))
	}
	var version fixedHeaderValue
	a, b := version.of("v1"), version.of("v1")
	if &a[0] != &b[0] || version.of("v2")[0] != "v2" || version.of("v1")[0] != "v1" {
		t.Errorf("the dataset version's header: %q %q", a, b)
	}
}

// Answers made concurrently, and kept, each carry their own ETag and request id,
// and the access log names the id the answer carries.
func TestRequestHeadersOfConcurrentAnswers(t *testing.T) {
	today := "2025-12-31"
	var journal bytes.Buffer
	var journalMu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &journal, mu: &journalMu}, nil))
	h := testServerWith(t, testState(&today), Config{Logger: logger})
	const n = 2 * headerBlockValues
	paths := []string{"/api/v1/resolve?citycode=92002", "/api/v1/resolve?citycode=92002&options=0", "/api/v1/communes/92002", "/api/v1/resolve?options=1&citycode=92002"}
	recs := make([]*httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 2 {
				req := httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil)
				if i%3 == 0 {
					req.Header.Set("X-Request-ID", fmt.Sprintf("appelant-%d", i))
				} else if i%3 == 1 {
					req.Header.Set("X-Request-ID", "avec espace")
				}
				recs[i] = httptest.NewRecorder()
				h.ServeHTTP(recs[i], req)
			}
		}()
	}
	wg.Wait()
	ids := map[string]bool{}
	for i, rec := range recs {
		f := fnv.New64a()
		path, query, _ := strings.Cut(paths[i%len(paths)], "?")
		f.Write([]byte(path + "\x00" + query))
		if want := fmt.Sprintf(`"test-1-2025-12-31-%x"`, f.Sum64()); rec.Header().Get("ETag") != want {
			t.Fatalf("answer %d: ETag %s, want %s", i, rec.Header().Get("ETag"), want)
		}
		id := rec.Header().Get("X-Request-ID")
		switch {
		case i%3 == 0 && id != fmt.Sprintf("appelant-%d", i):
			t.Fatalf("answer %d: the caller's id came back as %q", i, id)
		case i%3 != 0 && (len(id) != 16 || strings.Trim(id, "0123456789abcdef") != ""):
			t.Fatalf("answer %d: request id %q, want 16 hex digits", i, id)
		case ids[id]:
			t.Fatalf("answer %d: request id %q given twice", i, id)
		}
		ids[id] = true
	}
	logged := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(journal.String()), "\n") {
		var entry struct {
			Msg       string `json:"msg"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("journal line %q: %v", line, err)
		}
		if entry.Msg == "requête" {
			logged[entry.RequestID] = true
		}
	}
	if len(logged) != n {
		t.Errorf("%d distinct request ids in the access log for %d requests", len(logged), n)
	}
	for id := range ids {
		if !logged[id] {
			t.Fatalf("request id %q is in no access log line", id)
		}
	}
}

// lockedWriter serialises the writes of several goroutines.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
