package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// postForm sends a CSV as the batch page does (multipart, field "data", the
// parameters as form fields) and checks a JSON answer against the OpenAPI document.
func postForm(t *testing.T, base, path, csvBody string, fields [][2]string) (*http.Response, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("data", "cabinets.csv")
	fw.Write([]byte(csvBody))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		// The document's CSV is read with commas by the validator; JSON is checked.
		checkAgainstOpenAPI(t, req, resp, body)
	}
	return resp, body
}

type preview struct {
	Delimiter, Encoding string
	Header              []string
	Roles               map[string]int
	Rows                [][]string
	Notes               []string
	Problem             string
}

func TestServeClassifyPreview(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	cases := []struct {
		name    string
		input   string
		fields  [][2]string
		header  []string
		roles   map[string]int
		rows    int
		problem string
	}{
		{name: "guessed", input: "id;Code Postal;Ville;lat;lon\n1;75006;Paris;;\n",
			header: []string{"id", "Code Postal", "Ville", "lat", "lon"}, roles: map[string]int{"postcode": 2, "city": 3, "lat": 4, "lon": 5}, rows: 1},
		{name: "not recognised", input: "nom,lieu,cp\nA,Salers,15140\nB,Paris 6e,75006\n",
			header: []string{"nom", "lieu", "cp"}, roles: map[string]int{"postcode": 3}, rows: 2},
		{name: "nothing recognised", input: "nom,lieu\nA,Salers\n",
			header: []string{"nom", "lieu"}, roles: map[string]int{}, rows: 1, problem: "désignez les colonnes"},
		{name: "chosen, others refused", input: "nom;endroit;lat;lon\nA;1 rue X Salers;;\n",
			fields: [][2]string{{"columns", "2"}, {"lat", "-"}, {"lon", "-"}, {"postcode", ""}},
			header: []string{"nom", "endroit", "lat", "lon"}, roles: map[string]int{"address": 2}, rows: 1},
		{name: "a position out of the file", input: "nom;endroit\nA;B\n", fields: [][2]string{{"citycode", "7"}},
			header: []string{"nom", "endroit"}, roles: map[string]int{}, rows: 1, problem: "position hors du fichier (2 colonnes)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := postForm(t, base, "/api/v1/classify/preview", tc.input, tc.fields)
			var p preview
			if err := json.Unmarshal(body, &p); resp.StatusCode != 200 || err != nil {
				t.Fatalf("%d %v %s", resp.StatusCode, err, body)
			}
			if !reflect.DeepEqual(p.Header, tc.header) || !reflect.DeepEqual(p.Roles, tc.roles) || len(p.Rows) != tc.rows {
				t.Errorf("preview %+v", p)
			}
			if (tc.problem == "") != (p.Problem == "") || !strings.Contains(p.Problem, tc.problem) {
				t.Errorf("problem %q, want %q", p.Problem, tc.problem)
			}
		})
	}
	resp, body := postForm(t, base, "/api/v1/classify/preview", "", nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "fichier vide") {
		t.Errorf("empty file: %d %s", resp.StatusCode, body)
	}
}

// TestServeClassifyColumnsAndStatus: the columns chosen on the batch page reach the
// classification, and the rows to check download alone, under the same header.
func TestServeClassifyColumnsAndStatus(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	input := "nom;endroit;lat;lon\nA;75106;48.85;2.33\nB;99999;;\nC;08439;;\nD;13216;95;2\n"
	// The coordinates refused, the code read from a column no synonym names.
	resp, body := postForm(t, base, "/api/v1/classify", input, [][2]string{{"citycode", "endroit"}, {"lat", "-"}, {"lon", "-"}})
	recs := parseCSV(t, string(body), ';')
	if resp.StatusCode != 200 || len(recs) != 5 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	statuses := []string{}
	for _, r := range recs[1:] {
		statuses = append(statuses, r[8])
	}
	if want := []string{"ok", "introuvable", "ambigu", "ok"}; !reflect.DeepEqual(statuses, want) || recs[4][4] != "13216" {
		t.Errorf("statuses %v, want %v (coordinates must be ignored): %v", statuses, want, recs)
	}

	resp, body = postForm(t, base, "/api/v1/classify", input, [][2]string{{"citycode", "2"}, {"lat", "-"}, {"lon", "-"}, {"status", "ambigu,introuvable,erreur"}})
	recs = parseCSV(t, string(body), ';')
	if resp.StatusCode != 200 || len(recs) != 3 || recs[0][8] != "zonage_statut" || recs[1][0] != "B" || recs[2][0] != "C" {
		t.Fatalf("rows to check: %d %q", resp.StatusCode, recs)
	}
	if d := resp.Header.Get("Content-Disposition"); !strings.Contains(d, "cabinets-zonage-a-verifier.csv") {
		t.Errorf("file name: %s", d)
	}
	resp, body = postForm(t, base, "/api/v1/classify", input, [][2]string{{"status", "faux"}})
	if resp.StatusCode != 400 || !strings.Contains(string(body), "statut « faux » inconnu") {
		t.Errorf("bad status: %d %s", resp.StatusCode, body)
	}
}
