package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"zonage/web"
)

// syncBuffer collects the server's stderr while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenRe = regexp.MustCompile(`API sur http://(\S+) `)

// startServer runs `zonage serve` in-process on a free port with the given
// snapshot and returns its base URL; the server stops at the end of the test.
func startServer(t testing.TB, snapshot string, extra ...string) (string, *syncBuffer) {
	t.Helper()
	base, errOut, stop := launchServer(t, snapshot, extra...)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	return base, errOut
}

// launchServer runs `zonage serve` in-process on a free port and returns its base
// URL and a function that stops it (as SIGTERM does) and returns once the command
// has returned. The server is stopped at the end of the test if it is still running.
func launchServer(t testing.TB, snapshot string, extra ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	root := newRootCmd()
	errOut := &syncBuffer{}
	root.SetOut(io.Discard)
	root.SetErr(errOut)
	root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0", "--snapshot", snapshot}, extra...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("server stopped with %v", err)
			}
			return nil
		case <-time.After(30 * time.Second):
			return errors.New("server did not stop")
		}
	})
	t.Cleanup(func() { stop() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRe.FindStringSubmatch(errOut.String()); m != nil {
			return "http://" + m[1], errOut, stop
		}
		select {
		case err := <-done:
			done <- err // for stop, which the cleanup calls
			t.Fatalf("server exited: %v\n%s", err, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("server did not start:\n%s", errOut.String())
	return "", nil, nil
}

var (
	apiRouterOnce sync.Once
	apiRouter     routers.Router
	apiRouterErr  error
)

// checkAgainstOpenAPI validates a real response against the OpenAPI document.
func checkAgainstOpenAPI(t *testing.T, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	apiRouterOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(web.OpenAPIDocument())
		if err == nil {
			err = doc.Validate(loader.Context)
		}
		if err == nil {
			doc.Servers = openapi3.Servers{{URL: "/"}}
			apiRouter, err = gorillamux.NewRouter(doc)
		}
		apiRouterErr = err
	})
	if apiRouterErr != nil {
		t.Fatalf("OpenAPI document: %v", apiRouterErr)
	}
	r := req.Clone(context.Background())
	r.URL.Scheme, r.URL.Host, r.Host = "", "", ""
	route, params, err := apiRouter.FindRoute(r)
	if err != nil && resp.StatusCode == http.StatusNotFound {
		return // an undocumented path answering 404 is what the document implies
	}
	if err != nil {
		t.Fatalf("%s %s is not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{ExcludeRequestBody: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body))}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s → %d does not match the OpenAPI document: %v\n%s", req.Method, req.URL, resp.StatusCode, err, body)
	}
}

func get(t *testing.T, base, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNotModified {
		checkAgainstOpenAPI(t, req, resp, body)
	}
	return resp, body
}

func TestServeAPI(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	cases := []answerCase{
		{"Paris 6e by coordinates", "/api/v1/resolve?lat=48.8493&lon=2.3325", 200, "application/json",
			[]string{`"status":"ok"`, `"code":"75106"`, `"category":"non_prioritaire"`, `"official_code":"5b_Non_prioritaire"`, `"label":"non prioritaire"`, `"dataset_version":"2025-09.`, `"precision":"coordonnees"`}},
		{"options for a titulaire in a non prioritaire zone", "/api/v1/resolve?lat=48.8493&lon=2.3325&statut=titulaire&debut_etudes=2024", 200, "application/json",
			[]string{`"options":[{`, `"status":"titulaire"`, `"code":"regule_1_pour_1"`}},
		{"options for every status in a très sous-dotée zone", "/api/v1/communes/01001", 200, "application/json",
			[]string{`"code":"caccmk"`, `"status":"remplacant"`}},
		{"without options", "/api/v1/communes/01001?options=0", 200, "application/json", []string{`"category":"tres_sous_dotee"`}},
		{"unknown status", "/api/v1/resolve?citycode=75106&statut=stagiaire", 400, "application/problem+json", []string{`statut « stagiaire »`, `"field":"statut"`}},
		{"Paris 6e by address", "/api/v1/resolve?q=12+rue+de+Vaugirard+75006+Paris&options=0", 200, "application/json",
			[]string{`"code":"75106"`, `"precision":"adresse"`, `"level":"housenumber"`, `"category":"non_prioritaire"`}},
		{"address sought in the commune its code names: the arrondissement of Paris", "/api/v1/resolve?q=12+rue+de+Vaugirard&citycode=75056&options=0", 200, "application/json",
			[]string{`"code":"75106"`, `"method":"adresse","precision":"adresse"`, `"label":"12 Rue de Vaugirard 75006 Paris"`}},
		{"address contradicting its commune code: the code decides and the answer says so", "/api/v1/resolve?q=12+rue+de+Vaugirard+75006+Paris&citycode=01001&options=0", 200, "application/json",
			[]string{`"code":"01001"`, `le code postal 75006 et la ville « PARIS » ne correspondent pas à la commune 01001 (L'Abergement-Clémenciat) : code commune retenu`}},
		{"the end of a street is no town contradicting the code", "/api/v1/resolve?q=Grande+rue&citycode=01330&options=0", 200, "application/json",
			[]string{`"code":"01187"`, `"former_commune":{"code":"01330"`, `"method":"adresse"`}},
		{"address with an unknown code", "/api/v1/resolve?q=12+rue+de+Vaugirard&citycode=99999&options=0", 200, "application/json",
			[]string{`"status":"introuvable"`, `adresse « 12 rue de Vaugirard » non cherchée`}},
		{"address by postcode and town", "/api/v1/resolve?postcode=01260&city=Ruffieu&options=0", 200, "application/json", []string{`"code":"01187"`, `"category":"intermediaire"`}},
		{"search streets", "/api/v1/search?q=vaugir", 200, "application/json", []string{`"kind":"street"`, `Vaugirard`}},
		{"French decimal comma", "/api/v1/resolve?lat=48,8493&lon=2,3325", 200, "application/json", []string{`"code":"75106"`}},
		{"former commune code", "/api/v1/resolve?citycode=01330", 200, "application/json", []string{`"code":"01187"`, `"former_commune":{"code":"01330"`, `"category":"intermediaire"`}},
		{"DROM commune", "/api/v1/communes/97411", 200, "application/json", []string{`"name":"Saint-Denis"`, `"category":"tres_dotee"`, `"scheme":"avenant5"`}},
		{"commune with outline", "/api/v1/communes/75106?geometry=1", 200, "application/json", []string{`"geometry":{"type":"`, `"coordinates":[[[`}},
		{"ambiguous commune nouvelle", "/api/v1/communes/08439", 200, "application/json", []string{`"status":"ambigu"`, `"candidates":[`, `"code":"08300"`}},
		{"outside France", "/api/v1/resolve?lat=46.2044&lon=6.1432", 200, "application/json", []string{`"status":"introuvable"`, `hors de France`}},
		{"search a commune name", "/api/v1/search?q=Narbonne&limit=3", 200, "application/json", []string{`"code":"11262"`}},
		{"search a code that is also a postcode: the code's commune first", "/api/v1/search?q=69003&limit=3", 200, "application/json",
			[]string{`"results":[{"kind":"commune","code":"69003","label":"Albigny-sur-Saône"`, `"code":"69383","label":"69003 Lyon 3e Arrondissement"`}},
		{"search the code of Paris", "/api/v1/search?q=75056", 200, "application/json", []string{`"results":[{"kind":"commune","code":"75056","label":"Paris"`}},
		{"search a former commune's code, also a postcode", "/api/v1/search?q=01330", 200, "application/json",
			[]string{`"results":[{"kind":"commune","code":"01330","label":"Ruffieu (ancienne commune, aujourd'hui Haut Valromey)","departement":{"code":"01"`, `"label":"01330 Villars-les-Dombes"`}},
		{"search Saint-Barthélemy, a collectivité without outline: named with it", "/api/v1/search?q=Saint-Barth", 200, "application/json",
			[]string{`"code":"97701","label":"Saint-Barthélemy","departement":{"code":"977","name":"Saint-Barthélemy"}`}},
		{"Saint-Martin by its code: its collectivité named", "/api/v1/resolve?citycode=97801&options=0", 200, "application/json",
			[]string{`"commune":{"code":"97801","name":"Saint-Martin","departement":"978","departement_name":"Saint-Martin"`}},
		{"search a Corsican code in lower case", "/api/v1/search?q=2a004", 200, "application/json", []string{`"code":"2A004","label":"Ajaccio"`}},
		{"dataset", "/api/v1/dataset", 200, "application/json", []string{`"version":"2025-09.`, `"sha256":"`, `"per_region":{`}},
		{"as of a date", "/api/v1/resolve?citycode=31555&date=2025-01-15&options=0", 200, "application/json",
			[]string{`"date":"2025-01-15"`, `"category":"non_prioritaire"`, `"date_status":"derivee"`, `"revision":{"since":"2024-10-29"`}},
		{"before the data's arrêté", "/api/v1/communes/31555?date=2024-06-01", 200, "application/json",
			[]string{`"status":"introuvable"`, `"outside_data":true`, `hors des données : le zonage connu d'Occitanie s'applique depuis le 29/10/2024`}},
		{"invalid date", "/api/v1/resolve?citycode=31555&date=2025-02-30", 400, "application/problem+json", []string{`"field":"date"`, `date « 2025-02-30 » invalide`}},
		{"invalid date, commune", "/api/v1/communes/31555?date=hier", 400, "application/problem+json", []string{`"field":"date"`, `date « hier » invalide`}},
		{"latitude out of range", "/api/v1/resolve?lat=95&lon=2", 400, "application/problem+json", []string{`"type":"/problems/parametre-invalide"`, `latitude « 95 » invalide`, `"field":"lat"`}},
		{"not a number", "/api/v1/resolve?lat=abc&lon=2", 400, "application/problem+json", []string{`lat « abc » invalide`}},
		{"lat without lon", "/api/v1/resolve?lat=48", 400, "application/problem+json", []string{`lat et lon vont ensemble`}},
		{"unknown parameter", "/api/v1/resolve?latitude=48&lon=2", 400, "application/problem+json", []string{`"type":"/problems/parametre-inconnu"`, `paramètre inconnu « latitude »`}},
		{"nothing asked", "/api/v1/resolve", 400, "application/problem+json", []string{`rien à chercher`}},
		{"empty citycode", "/api/v1/resolve?citycode=", 400, "application/problem+json", []string{`"field":"citycode"`, `citycode «  » invalide : vide`}},
		{"city too long", "/api/v1/resolve?postcode=01400&city=" + strings.Repeat("V", 3000), 400, "application/problem+json",
			[]string{`"field":"city"`, `"detail":"commune « ` + strings.Repeat("V", 200) + `… » invalide : adresse trop longue (3000 caractères`}},
		{"unknown commune code", "/api/v1/communes/99999", 404, "application/problem+json", []string{`"type":"/problems/introuvable"`, `99999`}},
		{"malformed commune code", "/api/v1/communes/7510", 400, "application/problem+json", []string{`code INSEE à 5 caractères`}},
		{"search too short", "/api/v1/search?q=a", 400, "application/problem+json", []string{`de 2 à 200 caractères`}},
		{"health", "/healthz", 200, "application/json", []string{`"status":"ok"`}},
		{"ready", "/readyz", 200, "application/json", []string{`"dataset_version":"2025-09.`}},
		{"openapi", "/openapi.json", 200, "application/json", []string{`"openapi": "3.0.3"`}},
		{"unknown route", "/api/v1/nope", 404, "application/problem+json", []string{`/openapi.json`}},
		{"the default profession named", "/api/v1/resolve?lat=48.8493&lon=2.3325&profession=masseur-kinesitherapeute", 200, "application/json",
			[]string{`"profession":"masseur-kinesitherapeute"`, `"code":"75106"`, `"category":"non_prioritaire"`}},
		{"unknown profession", "/api/v1/resolve?lat=48.8493&lon=2.3325&profession=plombier", 400, "application/problem+json",
			[]string{`"field":"profession"`, `profession « plombier » invalide`, `masseur-kinesitherapeute, infirmier, orthophoniste, sage-femme, chirurgien-dentiste`}},
		{"unknown profession, map", "/api/v1/map?profession=kine", 400, "application/problem+json", []string{`"field":"profession"`}},
		{"infirmiers by coordinates", "/api/v1/resolve?lat=48.8493&lon=2.3325&profession=infirmier", 200, "application/json",
			[]string{`"profession":"infirmier"`, `"code":"75106"`, `"category":"intermediaire"`, `"date_status":"inconnue"`, `"installation":{"profession":"infirmier"`, `zonage des infirmiers`}},
		{"orthophonistes, sous-dense", "/api/v1/communes/01014?profession=orthophoniste", 200, "application/json",
			[]string{`"profession":"orthophoniste"`, `"category":"sous_dense"`, `"official_code":"1b_Sous_dense"`}},
		{"chirurgiens-dentistes, by address", "/api/v1/resolve?q=12+rue+de+Vaugirard+75006+Paris&profession=chirurgien-dentiste&options=0", 200, "application/json",
			[]string{`"profession":"chirurgien-dentiste"`, `"code":"75106"`, `"category":"non_prioritaire"`}},
		{"map of the orthophonistes", "/api/v1/map?profession=orthophoniste", 200, "application/json",
			[]string{`"profession":"orthophoniste"`, `"key":"sous_dense"`, `\u0026profession=orthophoniste"`, `"slug":"chirurgien-dentiste","label":"chirurgien-dentiste","plural":"chirurgiens-dentistes","available":true`}},
		{"TileJSON of the infirmiers", "/api/v1/tiles/communes.json?profession=infirmier", 200, "application/json",
			[]string{`\u0026profession=infirmier"`, `zonage des infirmiers`}},
		{"tile of the sages-femmes", "/api/v1/tiles/communes/6/32/22.mvt?profession=sage-femme", 200, "application/vnd.mapbox-vector-tile", nil},
		{"map and its professions", "/api/v1/map", 200, "application/json",
			[]string{`"profession":"masseur-kinesitherapeute"`, `"professions":[{"slug":"masseur-kinesitherapeute","label":"masseur-kinésithérapeute","plural":"masseurs-kinésithérapeutes","available":true}`}},
	}
	checkAnswers(t, base, cases)

	t.Run("no false contradiction from the end of a street", func(t *testing.T) {
		_, body := get(t, base, "/api/v1/resolve?q=Grande+rue&citycode=01330&options=0")
		if strings.Contains(string(body), "ne correspond") {
			t.Errorf("« Grande rue » read as the town of Rue: %s", body)
		}
	})
	t.Run("ETag and 304", func(t *testing.T) {
		resp, _ := get(t, base, "/api/v1/communes/75106")
		etag := resp.Header.Get("ETag")
		if etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
			t.Fatalf("no ETag or Cache-Control: %v", resp.Header)
		}
		again, body := get(t, base, "/api/v1/communes/75106", "If-None-Match", etag)
		if again.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Fatalf("revalidation answered %d with %d bytes", again.StatusCode, len(body))
		}
	})
	t.Run("gzip", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/dataset", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("not compressed: %v", resp.Header)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		_, body := get(t, base, "/metrics")
		for _, w := range []string{`zonage_http_requests_total{method="GET",route="/api/v1/resolve",status="200"}`, `zonage_lookups_total{precision="coordonnees",status="ok"}`, `zonage_dataset_info{version="2025-09.`} {
			if !strings.Contains(string(body), w) {
				t.Errorf("metrics lack %s", w)
			}
		}
		if strings.Contains(string(body), "48.8493") {
			t.Error("metrics carry a query value")
		}
	})
}

func postCSV(t *testing.T, base, path string, csvBody string, fields map[string][]string) (*http.Response, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("data", "cabinets.csv")
	fw.Write([]byte(csvBody))
	mw.Close()
	resp, err := http.Post(base+path, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestServeClassify(t *testing.T) {
	base, _ := startServer(t, testSnapshot)
	input := "id;lat;lon;insee\n1;48.8493;2.3325;\n2;;;01330\n3;95;2;\n4;;;08439\n"
	resp, body := postCSV(t, base, "/api/v1/classify", input, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "cabinets-zonage.csv") {
		t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	recs := parseCSV(t, string(body), ';')
	if len(recs) != 5 || recs[1][4] != "75106" || recs[2][4] != "01187" || recs[3][8] != "erreur" || !strings.Contains(recs[3][11], "latitude « 95 »") || recs[4][8] != "ambigu" {
		t.Fatalf("classified rows: %v", recs)
	}

	// Raw body, columns named in the query string.
	resp, body = func() (*http.Response, []byte) {
		r, err := http.Post(base+"/api/v1/classify?citycode=code&delimiter=,", "text/csv", strings.NewReader("nom,code\nA,75107\nB,13216\n"))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r, b
	}()
	if recs := parseCSV(t, string(body), ','); resp.StatusCode != 200 || len(recs) != 3 || recs[1][4] != "non_prioritaire" || recs[2][4] != "intermediaire" {
		t.Fatalf("raw body: %d %s", resp.StatusCode, body)
	}

	// JSON variant.
	jr, err := http.Post(base+"/api/v1/classify", "application/json", strings.NewReader(`[{"lat":48.8493,"lon":2.3325},{"citycode":"97411"},{"lat":95,"lon":2}]`))
	if err != nil {
		t.Fatal(err)
	}
	jb, _ := io.ReadAll(jr.Body)
	jr.Body.Close()
	var out struct {
		Results []struct {
			Status  string
			Message string
			Zonage  *struct{ Category string }
		}
	}
	if err := json.Unmarshal(jb, &out); err != nil || len(out.Results) != 3 || out.Results[0].Zonage.Category != "non_prioritaire" ||
		out.Results[1].Zonage.Category != "tres_dotee" || out.Results[2].Status != "erreur" {
		t.Fatalf("JSON variant: %v %s", err, jb)
	}

	// The api-adresse contract: scripts only change the base URL.
	resp, body = postCSV(t, base, "/search/csv/", "id,code_insee\n1,75106\n2,01330\n", map[string][]string{"citycode": {"code_insee"}})
	recs = parseCSV(t, string(body), ',')
	if resp.StatusCode != 200 || len(recs) != 3 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	head := strings.Join(recs[0], ",")
	if !strings.HasPrefix(head, "id,code_insee,latitude,longitude,result_label,result_score,") || !strings.Contains(head, "result_citycode") || !strings.HasSuffix(head, "zonage_score,zonage_message") {
		t.Fatalf("header %s", head)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if recs[1][col["result_citycode"]] != "75106" || recs[1][col["result_status"]] != "ok" || recs[2][col["result_oldcitycode"]] != "01330" || recs[2][col["zonage_categorie"]] != "intermediaire" {
		t.Fatalf("api-adresse columns: %v", recs)
	}

	// Errors before any output are problems.
	resp, body = postCSV(t, base, "/api/v1/classify", "a;b\n1;2\n", nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "ne nomme aucune colonne connue") {
		t.Fatalf("unknown columns: %d %s", resp.StatusCode, body)
	}
	resp, body = postCSV(t, base, "/api/v1/classify", "lat;lon\n1;2\n", map[string][]string{"colonnes": {"x"}})
	if resp.StatusCode != 400 || !strings.Contains(string(body), "paramètre inconnu « colonnes »") {
		t.Fatalf("unknown parameter: %d %s", resp.StatusCode, body)
	}
}

func TestServeLimitsAndCORS(t *testing.T) {
	base, _ := startServer(t, testSnapshot, "--taille-max", "200", "--limite-debit", "5", "--cors", "https://exemple.fr")
	resp, body := postCSV(t, base, "/api/v1/classify", "code_insee\n"+strings.Repeat("75106\n", 100), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "limite est de 200 octets") {
		t.Fatalf("body limit: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodOptions, base+"/api/v1/resolve", nil)
	req.Header.Set("Origin", "https://exemple.fr")
	pre, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pre.Body.Close()
	if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "https://exemple.fr" {
		t.Fatalf("CORS preflight: %d %v", pre.StatusCode, pre.Header)
	}
	// Sent at once, so that a slow machine cannot space them out under the rate.
	var limited atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := http.Get(base + "/healthz")
			if err != nil {
				t.Error(err)
				return
			}
			r.Body.Close()
			if r.StatusCode == http.StatusTooManyRequests {
				limited.Add(1)
				if r.Header.Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
			}
		}()
	}
	wg.Wait()
	if limited.Load() == 0 {
		t.Fatal("30 simultaneous requests at 5/s were all let through")
	}
}

// A reload under load: every request succeeds, the new snapshot is served after
// it, and a corrupt snapshot is refused while the old one keeps serving.
func TestServeReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "z.snap")
	good, _ := os.ReadFile(testSnapshot)
	os.WriteFile(snap, good, 0o644)
	t.Setenv("ZONAGE_ADMIN_TOKEN", "secret-de-test")
	base, errOut := startServer(t, snap)

	var failures, done atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Get(base + "/api/v1/resolve?lat=48.8493&lon=2.3325")
				if err != nil {
					failures.Add(1)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"code":"75106"`)) {
					failures.Add(1)
				}
				done.Add(1)
			}
		}()
	}
	reload := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/admin/reload", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := reload("mauvais"); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d %s", code, body)
	}
	if code, body := reload("secret-de-test"); code != 200 || !strings.Contains(body, `"status":"reloaded"`) {
		t.Errorf("reload: %d %s", code, body)
	}
	// A corrupt file is refused; the good data keeps serving.
	os.WriteFile(snap, good[:len(good)/3], 0o644)
	if code, body := reload("secret-de-test"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "tronqué") {
		t.Errorf("corrupt snapshot: %d %s", code, body)
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failures.Load() != 0 || done.Load() == 0 {
		t.Fatalf("%d failed requests out of %d during reloads", failures.Load(), done.Load())
	}
	if !strings.Contains(errOut.String(), "rechargement refusé") {
		t.Errorf("the refused reload is not logged:\n%s", errOut.String())
	}
	// Logs carry no query values.
	if strings.Contains(errOut.String(), "48.8493") {
		t.Error("an info-level log line carries a query value")
	}
}

// answerCase is a request to a running server and what its answer must be: its
// status, the start of its Content-Type and strings its body holds.
type answerCase struct {
	name   string
	path   string
	status int
	ctype  string
	want   []string
}

// checkAnswers runs each case against the server at base, as a subtest.
func checkAnswers(t *testing.T, base string, cases []answerCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, base, tc.path)
			if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) {
				t.Fatalf("%d %s, want %d %s\n%.2000s", resp.StatusCode, resp.Header.Get("Content-Type"), tc.status, tc.ctype, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("answer lacks %s:\n%.2000s", w, body)
				}
			}
		})
	}
}

// --connexions-max reaches the server: 0 is no bound, which web.Config spells
// with a negative number (its zero takes the default).
func TestServeConnectionBoundFlag(t *testing.T) {
	for _, tc := range []struct{ flag, want int }{{web.DefaultMaxConnections, web.DefaultMaxConnections}, {64, 64}, {0, -1}} {
		if got := serverConfig(&serveFlags{maxConnections: tc.flag}, nil).MaxConnections; got != tc.want {
			t.Errorf("--connexions-max %d : MaxConnections %d, %d attendu", tc.flag, got, tc.want)
		}
	}
}
