package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A classify answer is written as the rows are read. Over a real connection,
// net/http's HTTP/1 server reads and throws away what is left of a body under
// 256 KB when the answer starts, and closes it: files of a few thousand rows,
// the common size of a list of cabinets, came back cut short. Every row must
// come back, in order, whatever the size, the route, the compression and the
// CORS setting (whose writer wraps Gin's).
func TestClassifyOverTCPKeepsEveryRow(t *testing.T) {
	today := "2025-06-01"
	for _, cfg := range []struct {
		name string
		cfg  Config
	}{
		{"sans CORS", Config{}},
		{"CORS par origine", Config{CORSOrigins: []string{"https://exemple.fr"}}},
	} {
		s, err := New(context.Background(), cfg.cfg, func(context.Context) (*State, error) { return testState(&today), nil })
		if err != nil {
			t.Fatal(err)
		}
		addr, _, _ := serveForTest(t, s)
		for _, rows := range []int{10, 2_000, 8_000, 12_000, 20_000, 100_000} {
			var in bytes.Buffer
			in.WriteString("id;code_insee;ville\n")
			for i := range rows {
				fmt.Fprintf(&in, "%d;91001;Alpha\n", i)
			}
			for _, path := range []string{"/api/v1/classify", "/search/csv/"} {
				for _, gzipped := range []bool{false, true} {
					name := fmt.Sprintf("%s, %d lignes (%d octets), %s, gzip %v", cfg.name, rows, in.Len(), path, gzipped)
					body := in.Bytes()
					if gzipped {
						var z bytes.Buffer
						zw := gzip.NewWriter(&z)
						zw.Write(body)
						zw.Close()
						body = z.Bytes()
					}
					req, err := http.NewRequest(http.MethodPost, "http://"+addr+path, bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Content-Type", "text/csv")
					if gzipped {
						req.Header.Set("Content-Encoding", "gzip")
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatalf("%s : %v", name, err)
					}
					checkEveryRow(t, name, resp, rows)
				}
			}
		}
	}
}

// checkEveryRow reads a classify answer and checks that it has the header and
// rows 0 to rows-1 in order, each classified, and that it ended cleanly.
func checkEveryRow(t *testing.T, name string, resp *http.Response, rows int) {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s : statut %d : %s", name, resp.StatusCode, b)
	}
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "id;code_insee;ville;") {
		t.Fatalf("%s : en-tête %q", name, sc.Text())
	}
	status := -1
	for i, col := range strings.Split(sc.Text(), ";") {
		if col == "zonage_statut" {
			status = i
		}
	}
	if status < 0 {
		t.Fatalf("%s : pas de colonne zonage_statut dans %q", name, sc.Text())
	}
	n := 0
	for sc.Scan() {
		cells := strings.Split(sc.Text(), ";")
		if cells[0] != fmt.Sprint(n) {
			t.Fatalf("%s : ligne %d de la réponse : id %q, %d attendu", name, n+2, cells[0], n)
		}
		if len(cells) <= status || cells[status] != "ok" {
			t.Fatalf("%s : ligne %d de la réponse non classée : %q", name, n+2, sc.Text())
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s : réponse coupée après %d lignes : %v", name, n, err)
	}
	if n != rows {
		t.Fatalf("%s : %d lignes rendues sur %d", name, n, rows)
	}
}

// Many HTTP clients (Python's urllib and requests among them) send the whole
// body before they read anything. When the answer was written as the body was
// read, a file bigger than the sockets' buffers blocked both sides: the server
// waited for the client to read, the client for the server to read. The file
// here (10 MB in, 30 MB out) is bigger than any buffer of the loopback, and
// the client's own buffers are small.
func TestClassifyClientThatSendsEverythingFirst(t *testing.T) {
	addr := serveTestState(t)
	const rows = 150_000
	resp := sendWholeThenRead(t, addr, "/api/v1/classify", cabinetsFile(rows))
	checkEveryRow(t, "client qui envoie tout avant de lire", resp, rows)
}

// An answer that needs only the start of a file (the preview), or none of it (a
// refused parameter), must reach a client that sends the whole file before
// reading, not a reset connection.
func TestEarlyAnswerReachesClientThatSendsEverythingFirst(t *testing.T) {
	addr := serveTestState(t)
	file := cabinetsFile(40_000)
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/api/v1/classify/preview", http.StatusOK, `"code_insee"`},
		{"/api/v1/classify?profession=plombier", http.StatusBadRequest, "plombier"},
		{"/search/csv/?inconnu=1", http.StatusBadRequest, "inconnu"},
	} {
		resp := sendWholeThenRead(t, addr, tc.path, file)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.status || !bytes.Contains(b, []byte(tc.want)) {
			t.Fatalf("%s : statut %d (%d attendu), erreur %v : %.300s", tc.path, resp.StatusCode, tc.status, err, b)
		}
	}
}

// serveTestState serves testState over TCP until the test ends.
func serveTestState(t *testing.T) (addr string) {
	t.Helper()
	today := "2025-06-01"
	s, err := New(context.Background(), Config{}, func(context.Context) (*State, error) { return testState(&today), nil })
	if err != nil {
		t.Fatal(err)
	}
	addr, _, _ = serveForTest(t, s)
	return addr
}

// cabinetsFile is a CSV of rows cabinets of one commune, about 70 bytes a row.
func cabinetsFile(rows int) []byte {
	var in bytes.Buffer
	in.WriteString("id;code_insee;ville;note\n")
	pad := strings.Repeat("x", 50)
	for i := range rows {
		fmt.Fprintf(&in, "%d;91001;Alpha;%s\n", i, pad)
	}
	return in.Bytes()
}

// sendWholeThenRead posts file to path as a client does that writes its whole
// request before reading anything, with small socket buffers, and returns the
// answer.
func sendWholeThenRead(t *testing.T, addr, path string, file []byte) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	tcp := conn.(*net.TCPConn)
	tcp.SetReadBuffer(16 << 10)
	tcp.SetWriteBuffer(16 << 10)
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: test\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n", path, len(file))
	if _, err := conn.Write(file); err != nil {
		t.Fatalf("%s : envoi du fichier (%d octets) : %v", path, len(file), err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s : réponse : %v", path, err)
	}
	return resp
}

// A body the server cannot keep aside (its temporary folder full or missing)
// is the server's failure: a 503 that says so, not a 400 blaming the file.
func TestClassifyBodyNotKeptIsTheServersFailure(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "absent"))
	addr := serveTestState(t)
	// Beyond what either way of sending keeps in memory: 1 MB for a raw body,
	// 4 MB for a multipart form.
	file := cabinetsFile(80_000)
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("data", "cabinets.csv")
	fw.Write(file)
	mw.Close()
	for _, tc := range []struct {
		path, ctype string
		body        []byte
	}{
		{"/api/v1/classify", "text/csv", file},
		{"/search/csv/", mw.FormDataContentType(), form.Bytes()},
	} {
		resp, err := http.Post("http://"+addr+tc.path, tc.ctype, bytes.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(b, []byte(ProblemUnavailable)) {
			t.Fatalf("%s : statut %d : %.300s", tc.path, resp.StatusCode, b)
		}
	}
}

// A client that asks « Expect: 100-continue » sends its body only once told to
// go on: a refusal must come at once, not ask it for the whole file first.
func TestRefusalNeedsNoBodyAfterExpectContinue(t *testing.T) {
	addr := serveTestState(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	fmt.Fprintf(conn, "POST /api/v1/classify?profession=plombier HTTP/1.1\r\nHost: test\r\nContent-Type: text/csv\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", 10<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(b, []byte("plombier")) {
		t.Fatalf("statut %d (400 attendu sans envoyer le corps) : %.300s", resp.StatusCode, b)
	}
}
