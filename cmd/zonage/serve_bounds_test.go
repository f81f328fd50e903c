package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// startServeProcess builds zonage as it ships (without the race detector, whose
// bookkeeping would swamp any memory figure), runs `zonage serve` as a process of
// its own, and returns its base URL and process id; the process is stopped at
// the end of the test.
func startServeProcess(t *testing.T, extra ...string) (string, int) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "zonage")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--snapshot", testSnapshot}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Error("server process did not stop")
		}
	})
	addr, ended := make(chan string, 1), make(chan struct{})
	var startLog syncBuffer
	go func() {
		defer close(ended)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			if !sent {
				startLog.Write(append(sc.Bytes(), '\n'))
			}
			if m := listenRe.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a, cmd.Process.Pid
	case <-ended:
		t.Fatalf("server process stopped before serving:\n%s", startLog.String())
	case <-time.After(120 * time.Second):
		t.Fatalf("server process did not start in 120 s:\n%s", startLog.String())
	}
	return "", 0
}

// procMemory reads a memory line (VmRSS, VmHWM) of /proc/PID/status, in bytes.
func procMemory(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no %s in /proc/%d/status", field, pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// repeatReader yields head, then unit n times, then tail, without holding the
// whole body: bodies of 100 MB are built as they are sent.
type repeatReader struct {
	head, unit, tail []byte
	n                int
	buf              []byte
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		switch {
		case r.head != nil:
			r.buf, r.head = r.head, nil
		case r.n > 0:
			r.buf = r.unit
			r.n--
		case r.tail != nil:
			r.buf, r.tail = r.tail, nil
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// chunked hides the length of a body, as a client streaming it would.
type chunked struct{ io.Reader }

func post(t *testing.T, url, ctype string, body io.Reader, header ...string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// fetch sends a request without checking the answer against the OpenAPI document
// (pages and static files are not in it).
func fetch(t *testing.T, method, url string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// multipartBody streams a multipart form with the CSV in the "data" field.
func multipartBody(csvBody io.Reader) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, _ := mw.CreateFormFile("data", "cabinets.csv")
		if _, err := io.Copy(fw, csvBody); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(mw.Close())
	}()
	return pr, mw.FormDataContentType()
}

// Guarantee: no temporary file outlives its request, whether the upload is
// classified or refused.
func TestServeUploadsLeaveNoTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	base, _ := startServer(t, testSnapshot, "--taille-max", strconv.Itoa(50<<20))
	leftovers := func() []string {
		var names []string
		entries, _ := os.ReadDir(tmp)
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	// Larger than what an upload keeps in memory, so that it goes to disk.
	row := []byte("75106;" + strings.Repeat("x", 994) + "\n")
	const rows = 40 << 10
	body, ctype := multipartBody(&repeatReader{head: []byte("code_insee;note\n"), unit: row, n: rows})
	resp, out, err := post(t, base+"/api/v1/classify", ctype, chunked{body})
	if err != nil || resp.StatusCode != 200 || bytes.Count(out, []byte("\n")) != rows+1 {
		t.Fatalf("upload of %d rows: %v %v, %d lines", rows, err, resp, bytes.Count(out, []byte("\n")))
	}
	if l := leftovers(); len(l) > 0 {
		t.Fatalf("a classified upload left %v in the temporary directory", l)
	}
	// Refused past the limit, after part of it went to disk.
	body, ctype = multipartBody(&repeatReader{head: []byte("code_insee;note\n"), unit: row, n: 60 << 10})
	resp, out, err = post(t, base+"/search/csv/", ctype, chunked{body})
	if err == nil && resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("upload over the limit: %d %s", resp.StatusCode, out)
	}
	// The refusal may reach the client before the handler has returned.
	deadline := time.Now().Add(20 * time.Second)
	for len(leftovers()) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if l := leftovers(); len(l) > 0 {
		t.Fatalf("a refused upload left %v in the temporary directory", l)
	}
}

// Guarantee: a request body within the limits costs the server at most ~100 MB
// over its idle memory, measured on the process (VmHWM after resetting it).
func TestServeMemoryBoundedByRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("sends several 95 MB bodies")
	}
	base, pid := startServeProcess(t)
	// Warm up the paths measured, then take the idle figure.
	post(t, base+"/api/v1/classify", "application/json", strings.NewReader(`[{"citycode":"75106"}]`))
	post(t, base+"/api/v1/classify", "text/csv", strings.NewReader("code_insee\n75106\n"))
	idle := procMemory(t, pid, "VmRSS")
	// Writing 5 to clear_refs resets the peak (VmHWM) to the current RSS.
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak memory of the process: %v", err)
	}
	const size = 95 << 20
	cases := []struct {
		name   string
		ctype  string
		body   func() io.Reader
		status int
	}{
		{"an array of 95 MB of empty queries", "application/json", func() io.Reader {
			return &repeatReader{head: []byte("["), unit: []byte("{},"), n: size / 3, tail: []byte("{}]")}
		}, http.StatusRequestEntityTooLarge},
		{"10,000 queries of 9.5 kB", "application/json", func() io.Reader {
			q := []byte(`{"q":"` + strings.Repeat("a", 9500) + `"},`)
			return &repeatReader{head: []byte("["), unit: q, n: 9999, tail: []byte(`{"citycode":"75106"}]`)}
		}, http.StatusOK},
		{"one query of 95 MB", "application/json", func() io.Reader {
			return &repeatReader{head: []byte(`[{"q":"`), unit: bytes.Repeat([]byte("a"), 1<<20), n: 95, tail: []byte(`"}]`)}
		}, http.StatusRequestEntityTooLarge},
		{"a raw CSV of 95 MB", "text/csv", func() io.Reader {
			return &repeatReader{head: []byte("code_insee;note\n"), unit: []byte("75106;" + strings.Repeat("x", 1018) + "\n"), n: size >> 10}
		}, http.StatusOK},
	}
	checkPeak := func(name string) {
		t.Helper()
		if peak := procMemory(t, pid, "VmHWM"); peak-idle > 100<<20 {
			t.Fatalf("%s: peak memory %d MB, %d MB over the idle %d MB (at most 100 MB)", name, peak>>20, (peak-idle)>>20, idle>>20)
		}
	}
	for _, tc := range cases {
		resp, out, err := post(t, base+"/api/v1/classify", tc.ctype, chunked{tc.body()})
		checkPeak(tc.name)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if resp.StatusCode != tc.status {
			t.Fatalf("%s: %d, want %d\n%.500s", tc.name, resp.StatusCode, tc.status, out)
		}
	}
	body, ctype := multipartBody(&repeatReader{head: []byte("code_insee;note\n"), unit: []byte("75106;" + strings.Repeat("x", 1018) + "\n"), n: size >> 10})
	resp, out, err := post(t, base+"/search/csv/", ctype, chunked{body})
	checkPeak("multipart CSV of 95 MB")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("multipart CSV of 95 MB: %v %v %.500s", err, resp, out)
	}
	t.Logf("idle %d MB, peak %d MB", idle>>20, procMemory(t, pid, "VmHWM")>>20)
}

// Guarantee: a CSV body over the size limit, or still arriving when the
// classification's deadline passes, is refused with a problem before any row,
// whether its length is known or not (the body is received whole before the
// answer starts); a streamed answer that cannot finish (the deadline passes
// while the client is slow to read it) ends as an error for the client (no
// final chunk), and is counted in /metrics and logged.
func TestServeCutStreamsFail(t *testing.T) {
	base, _ := startServer(t, testSnapshot, "--taille-max", strconv.Itoa(1<<20))
	row := []byte("75106;cabinet du boulevard\n")
	for _, tc := range []struct {
		name string
		body io.Reader
	}{
		{"length unknown", chunked{&repeatReader{head: []byte("code_insee;nom\n"), unit: row, n: 3 << 20 / len(row)}}},
		{"length known", bytes.NewReader(append([]byte("code_insee;nom\n"), bytes.Repeat(row, 3<<20/len(row))...))},
	} {
		resp, out, err := post(t, base+"/api/v1/classify", "text/csv", tc.body)
		if err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("a body over the limit, %s: %v %v %.300s", tc.name, err, resp, out)
		}
	}

	// The classification deadline reached while the client is still sending.
	slow, slowErr := startServer(t, testSnapshot, "--delai-classement", "2s")
	pr, pw := io.Pipe()
	var bodyEnded atomic.Bool
	go func() {
		pw.Write([]byte("code_insee;nom\n"))
		for i := 0; i < 20000; i++ {
			pw.Write(row)
		}
		time.Sleep(4 * time.Second) // past the deadline, without ending the body
		bodyEnded.Store(true)
		pw.Close()
	}()
	resp, out, err := post(t, slow+"/api/v1/classify", "text/csv", pr)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(out, []byte("délai dépassé")) ||
		!bytes.Contains(out, []byte("2 s au plus")) || bytes.Contains(out, []byte("deadline")) || bytes.Contains(out, []byte("timeout")) {
		t.Fatalf("a body still arriving at the deadline: %v %v %.300s", err, resp, out)
	}
	if bodyEnded.Load() {
		t.Error("the deadline's problem came only once the client had ended its body")
	}

	// The deadline passes while the answer waits for a client that does not
	// read (its buffer is small, the answer 17 MB); it then reads it all.
	conn, err := net.Dial("tcp", strings.TrimPrefix(slow, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(16 << 10)
	file := append([]byte("code_insee;nom\n"), bytes.Repeat(row, 100_000)...)
	fmt.Fprintf(conn, "POST /api/v1/classify HTTP/1.1\r\nHost: test\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n", len(file))
	if _, err := conn.Write(file); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	answer, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err = io.ReadAll(answer.Body)
	if err == nil {
		t.Fatalf("an answer cut by its deadline ended as complete: %d, %d bytes", answer.StatusCode, len(out))
	}
	_, metrics := get(t, slow, "/metrics")
	want := `zonage_http_streams_aborted_total{reason="delai",route="/api/v1/classify"} 1`
	if !strings.Contains(string(metrics), want) {
		t.Errorf("metrics lack %s:\n%s\n%s", want, regexp.MustCompile(`(?m)^zonage_http_streams_aborted_total.*$`).FindAll(metrics, -1), slowErr.String())
	}
	if !strings.Contains(slowErr.String(), "réponse en flux interrompue") {
		t.Errorf("the aborted stream is not logged:\n%s", slowErr.String())
	}
}

// Guarantee: made-up methods and paths create no metric series.
func TestServeMetricLabelsClosed(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	for i := 0; i < 200; i++ {
		req, _ := http.NewRequest(fmt.Sprintf("INVENTE%d", i), base+fmt.Sprintf("/api/v1/resolve?n=%d", i), nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		if resp, err := http.Get(base + fmt.Sprintf("/chemin/invente/%d", i)); err == nil {
			resp.Body.Close()
		}
	}
	_, body := get(t, base, "/metrics")
	if bytes.Contains(body, []byte("INVENTE")) || bytes.Contains(body, []byte("/chemin/invente")) {
		t.Fatal("metrics carry a made-up method or path")
	}
	for _, want := range []string{`method="other",route="non_route",status="405"`, `method="GET",route="non_route",status="404"`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if n := bytes.Count(body, []byte("zonage_http_requests_total{")); n > 10 {
		t.Errorf("%d request series after 400 made-up requests", n)
	}
}

// Guarantee: the admin token is a Bearer credential (RFC 6750, scheme
// case-insensitive) and the reload route refuses unknown parameters.
func TestServeAdminBearer(t *testing.T) {
	t.Setenv("ZONAGE_ADMIN_TOKEN", "secret-de-test")
	base, _ := startServer(t, testSnapshot)
	cases := []struct {
		auth, query string
		status      int
	}{
		{"", "", 401},
		{"secret-de-test", "", 401},
		{"Basic secret-de-test", "", 401},
		{"Bearer secret-de-tes", "", 401},
		{"Bearer secret-de-testX", "", 401},
		{"Bearer secret-de-test", "", 200},
		{"bearer secret-de-test", "", 200},
		{"BEARER secret-de-test", "", 200},
		{"Bearer secret-de-test", "?force=1", 400},
	}
	for _, tc := range cases {
		resp, body, err := post(t, base+"/api/v1/admin/reload"+tc.query, "text/plain", nil, "Authorization", tc.auth)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tc.status {
			t.Errorf("Authorization %q%s: %d, want %d\n%s", tc.auth, tc.query, resp.StatusCode, tc.status, body)
		}
		if tc.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("401 without WWW-Authenticate")
		}
	}
}

// Guarantee: a problem never repeats more than ~200 characters of what the
// caller sent.
func TestServeProblemsQuoteBriefly(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	long := strings.Repeat("ü", 50000)
	check := func(name string, resp *http.Response, body []byte) {
		t.Helper()
		if resp.StatusCode < 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var p struct{ Detail, Value, Field string }
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(body) > 4000 || strings.Count(p.Detail, "ü") > 200 || strings.Count(p.Value, "ü") > 200 {
			t.Fatalf("%s: a %d-byte problem quoting %d characters of the value:\n%s", name, len(body), strings.Count(string(body), "ü"), body)
		}
	}
	resp, body := get(t, base, "/api/v1/resolve?citycode="+long)
	check("citycode", resp, body)
	resp, body = get(t, base, "/api/v1/search?q="+long)
	check("search", resp, body)
	resp, body = get(t, base, "/api/v1/resolve?lat="+long+"&lon=2")
	check("lat", resp, body)
	resp, body = get(t, base, "/api/v1/resolve?"+long+"=1")
	check("unknown parameter", resp, body)
	// A CSV whose 5 MB header line names no known column.
	header := strings.Repeat("colonne_inconnue;", 5<<20/17)
	resp, body = postCSV(t, base, "/api/v1/classify", header+"\n1;2\n", nil)
	check("CSV header", resp, body)
}

// rawRequest sends a request line and headers on a bare connection and returns
// the answer; used where Go's client would refuse to send the request.
func rawRequest(t *testing.T, base, request string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go io.WriteString(conn, request)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// Guarantee: HTTP semantics — HEAD, 431, If-None-Match: *, repeated and
// non-decimal parameters, one JSON value, one uploaded file, the parameter's own
// name in problems.
func TestServeHTTPSemantics(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	t.Run("HEAD answers like GET without a body", func(t *testing.T) {
		for _, path := range []string{"/api/v1/resolve?lat=48.8493&lon=2.3325", "/api/v1/communes/75106", "/healthz", "/", "/openapi.json"} {
			g, gb := fetch(t, http.MethodGet, base+path)
			req, _ := http.NewRequest(http.MethodHead, base+path, nil)
			h, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			hb, _ := io.ReadAll(h.Body)
			h.Body.Close()
			if h.StatusCode != g.StatusCode || len(hb) != 0 || len(gb) == 0 || h.Header.Get("Content-Type") != g.Header.Get("Content-Type") || h.Header.Get("ETag") != g.Header.Get("ETag") {
				t.Errorf("HEAD %s: %d %v (%d bytes), GET: %d %v", path, h.StatusCode, h.Header, len(hb), g.StatusCode, g.Header)
			}
		}
	})
	t.Run("431 is a problem", func(t *testing.T) {
		resp, body := rawRequest(t, base, "GET /api/v1/resolve?q="+strings.Repeat("a", 2<<20)+" HTTP/1.1\r\nHost: x\r\n\r\n")
		var p struct{ Status int }
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") ||
			json.Unmarshal(body, &p) != nil || p.Status != 431 {
			t.Fatalf("%d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
	cases := []struct {
		name   string
		path   string
		header []string
		status int
		want   []string
	}{
		{"If-None-Match * on a missing commune", "/api/v1/communes/99999", []string{"If-None-Match", "*"}, 404, nil},
		{"If-None-Match * on a commune", "/api/v1/communes/75106", []string{"If-None-Match", "*"}, 304, nil},
		{"repeated lat", "/api/v1/resolve?lat=1&lat=2&lon=2", nil, 400, []string{`"field":"lat"`, `2 fois`}},
		{"repeated q", "/api/v1/search?q=Paris&q=Lyon", nil, 400, []string{`"field":"q"`}},
		{"hexadecimal lat", "/api/v1/resolve?lat=0x1p5&lon=2", nil, 400, []string{`"field":"lat"`}},
		{"lat with an underscore", "/api/v1/resolve?lat=4_8&lon=2", nil, 400, []string{`"field":"lat"`}},
		{"lat with an exponent", "/api/v1/resolve?lat=4.8e1&lon=2", nil, 400, []string{`"field":"lat"`}},
		{"infinite lon", "/api/v1/resolve?lat=48&lon=Inf", nil, 400, []string{`"field":"lon"`}},
		{"hexadecimal years", "/api/v1/communes/75106?annees_etablissement=0x1p1", nil, 400, []string{`"field":"annees_etablissement"`}},
		{"lat out of range", "/api/v1/resolve?lat=95&lon=2", nil, 400, []string{`"field":"lat"`}},
		{"lon out of range", "/api/v1/resolve?lat=45&lon=200", nil, 400, []string{`"field":"lon"`}},
		{"malformed citycode", "/api/v1/resolve?citycode=75X0612", nil, 400, []string{`"field":"citycode"`}},
		{"malformed commune code", "/api/v1/communes/7510", nil, 400, []string{`"field":"code"`}},
		{"installation date", "/api/v1/communes/75106?installe_depuis=hier", nil, 400, []string{`"field":"installe_depuis"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, base, tc.path, tc.header...)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d, want %d\n%s", resp.StatusCode, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("answer lacks %s:\n%s", w, body)
				}
			}
		})
	}
	t.Run("bytes after the JSON array", func(t *testing.T) {
		for _, body := range []string{`[{"citycode":"75106"}] x`, `[{"citycode":"75106"}][]`, `[{"citycode":"75106"}]{}`} {
			resp, out, err := post(t, base+"/api/v1/classify", "application/json", strings.NewReader(body))
			if err != nil || resp.StatusCode != 400 {
				t.Errorf("%s: %v %v %s", body, err, resp, out)
			}
		}
		resp, out, err := post(t, base+"/api/v1/classify", "application/json", strings.NewReader("[{\"citycode\":\"75106\"}]\n"))
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("a final newline: %v %v %s", err, resp, out)
		}
	})
	t.Run("a second data file", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, name := range []string{"a.csv", "b.csv"} {
			fw, _ := mw.CreateFormFile("data", name)
			io.WriteString(fw, "code_insee\n75106\n")
		}
		mw.Close()
		resp, out, err := post(t, base+"/search/csv/", mw.FormDataContentType(), &buf)
		if err != nil || resp.StatusCode != 400 || !strings.Contains(string(out), `"field":"data"`) {
			t.Fatalf("%v %v %s", err, resp, out)
		}
	})
	t.Run("a repeated form field", func(t *testing.T) {
		resp, out := postCSV(t, base, "/search/csv/", "cp;ville\n75006;Paris\n", map[string][]string{"postcode": {"cp", "ville"}})
		if resp.StatusCode != 400 || !strings.Contains(string(out), `"field":"postcode"`) {
			t.Fatalf("%d %s", resp.StatusCode, out)
		}
	})
}

// Guarantee: every answer says not to sniff its type; the pages cannot be framed
// by another site; with a list of CORS origins every answer varies with Origin.
func TestServeSecurityHeaders(t *testing.T) {
	base, _ := startServer(t, testSnapshot, "--cors", "https://exemple.fr")
	for _, path := range []string{"/", "/lot", "/api/v1/resolve?lat=48.8493&lon=2.3325", "/api/v1/nope", "/api/v1/communes/7510", "/static/favicon.svg"} {
		resp, _ := fetch(t, http.MethodGet, base+path)
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options: nosniff", path)
		}
	}
	for _, path := range []string{"/", "/lot"} {
		resp, _ := fetch(t, http.MethodGet, base+path)
		if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
			t.Errorf("%s: CSP without frame-ancestors: %s", path, resp.Header.Get("Content-Security-Policy"))
		}
	}
	varies := func(resp *http.Response) bool {
		for _, v := range resp.Header.Values("Vary") {
			for _, f := range strings.Split(v, ",") {
				if strings.EqualFold(strings.TrimSpace(f), "Origin") {
					return true
				}
			}
		}
		return false
	}
	for _, tc := range []struct {
		path   string
		header []string
	}{
		{"/api/v1/communes/75106", nil},
		{"/api/v1/communes/75106", []string{"Origin", "https://autre.fr"}},
		{"/api/v1/communes/75106", []string{"Origin", "https://exemple.fr"}},
		{"/api/v1/communes/75106", []string{"Accept-Encoding", "gzip"}},
		{"/api/v1/communes/99999", []string{"Accept-Encoding", "gzip"}},
		{"/api/v1/communes/75106", []string{"If-None-Match", "*"}},
		{"/api/v1/tiles/communes/0/0/0.mvt", []string{"Accept-Encoding", "gzip"}},
	} {
		req, _ := http.NewRequest(http.MethodGet, base+tc.path, nil)
		for i := 0; i+1 < len(tc.header); i += 2 {
			req.Header.Set(tc.header[i], tc.header[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !varies(resp) {
			t.Errorf("%s %v: %d without Vary: Origin (%v)", tc.path, tc.header, resp.StatusCode, resp.Header.Values("Vary"))
		}
	}
}

// Guarantee: the ETag of every data answer carries the dataset version and the
// day, since effective dates change answers from one day to the next.
func TestServeETagsCarryTheDay(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	_, body := get(t, base, "/api/v1/map")
	var m struct {
		Date string `json:"date"`
	}
	if err := json.Unmarshal(body, &m); err != nil || m.Date == "" {
		t.Fatalf("map: %v %s", err, body)
	}
	for _, path := range []string{"/api/v1/resolve?lat=48.8493&lon=2.3325", "/api/v1/communes/75106", "/api/v1/search?q=Paris",
		"/api/v1/dataset", "/api/v1/sources?keys=A1", "/api/v1/map"} {
		resp, _ := get(t, base, path)
		if etag := resp.Header.Get("ETag"); !strings.Contains(etag, m.Date) || !strings.Contains(etag, "2025-09.") {
			t.Errorf("%s: ETag %s without the day %s and the dataset version", path, etag, m.Date)
		}
	}
}
