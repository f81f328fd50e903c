package bangeocoder

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testClient has no rate limit and near-instant backoff unless set says
// otherwise, so that tests about one behaviour are not slowed by the others.
func testClient(baseURL string, set ...func(*Client)) *Client {
	c := &Client{BaseURL: baseURL, RequestsPerSecond: -1, RetryBaseDelay: time.Millisecond}
	for _, f := range set {
		f(c)
	}
	return c
}

// recorder counts the requests a test server sees and when they arrived.
type recorder struct {
	mu    sync.Mutex
	times []time.Time
	urls  []string
}

func (r *recorder) record(req *http.Request) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.times = append(r.times, time.Now())
	r.urls = append(r.urls, req.URL.String())
	return len(r.times)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.times)
}

func (r *recorder) arrivals() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.times...)
}

// jsonServer answers every /search/ request with the fixture the route
// function picks, after recording it.
func jsonServer(t *testing.T, rec *recorder, route func(n int, r *http.Request) (status int, fixture string)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := rec.record(r)
		status, fixture := route(n, r)
		if status != http.StatusOK {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(fixture))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(readFixture(t, fixture))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// csvFixture is an answered /search/csv/ file: the result columns of each
// fixture row, by lower-cased query.
type csvFixture struct {
	resultHeader []string
	byQuery      map[string][]string
}

// loadCSVFixture reads an answered CSV whose input columns are zonage_row, q
// and postcode; every later column is a result column.
func loadCSVFixture(t *testing.T, name string) csvFixture {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(string(readFixture(t, name)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	const inputCols = 3
	f := csvFixture{resultHeader: recs[0][inputCols:], byQuery: map[string][]string{}}
	for _, rec := range recs[1:] {
		f.byQuery[strings.ToLower(rec[1])] = rec[inputCols:]
	}
	return f
}

// notFound is the result columns of a row the service does not know.
func (f csvFixture) notFound() []string {
	row := make([]string, len(f.resultHeader))
	for i, h := range f.resultHeader {
		if h == "result_status" {
			row[i] = "not-found"
		}
	}
	return row
}

// csvCall is what a fake /search/csv/ server received in one request.
type csvCall struct {
	columns   []string
	postcode  []string
	citycode  []string
	delimiter []string
	filename  string
	partType  string
	header    []string
	rows      [][]string
}

// csvServer is a fake /search/csv/ endpoint: it parses the multipart form as
// addok-csv does, answers each row from the fixture by its "q" column and
// appends the result columns in the fixture's order. reject, when set, may
// refuse a request with a status before it is answered.
type csvServer struct {
	t       *testing.T
	fixture csvFixture
	reject  func(call csvCall) int

	mu    sync.Mutex
	calls []csvCall
}

func newCSVServer(t *testing.T, fixture string) (*csvServer, *httptest.Server) {
	cs := &csvServer{t: t, fixture: loadCSVFixture(t, fixture)}
	srv := httptest.NewServer(cs)
	t.Cleanup(srv.Close)
	return cs, srv
}

func (cs *csvServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/search/csv/" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	file, fh, err := r.FormFile("data")
	if err != nil {
		http.Error(w, "Missing file", http.StatusBadRequest)
		return
	}
	defer file.Close()
	recs, err := csv.NewReader(file).ReadAll()
	if err != nil || len(recs) == 0 {
		http.Error(w, "Empty file", http.StatusBadRequest)
		return
	}
	form := r.MultipartForm.Value
	call := csvCall{
		columns: form["columns"], postcode: form["postcode"], citycode: form["citycode"],
		delimiter: form["delimiter"], filename: fh.Filename, partType: fh.Header.Get("Content-Type"),
		header: recs[0], rows: recs[1:],
	}
	cs.mu.Lock()
	cs.calls = append(cs.calls, call)
	cs.mu.Unlock()
	if cs.reject != nil {
		if status := cs.reject(call); status != 0 {
			http.Error(w, http.StatusText(status), status)
			return
		}
	}

	qcol := -1
	for i, h := range call.header {
		if h == "q" {
			qcol = i
		}
	}
	if qcol < 0 {
		http.Error(w, "Cannot found column 'q'", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	out := csv.NewWriter(w)
	_ = out.Write(append(append([]string(nil), call.header...), cs.fixture.resultHeader...))
	for _, row := range call.rows {
		res, ok := cs.fixture.byQuery[strings.ToLower(row[qcol])]
		if !ok {
			res = cs.fixture.notFound()
		}
		_ = out.Write(append(append([]string(nil), row...), res...))
	}
	out.Flush()
}

func (cs *csvServer) received() []csvCall {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]csvCall(nil), cs.calls...)
}
