package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"zonage/zones"
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

// A column chosen by a parameter and absent from the file is refused in the
// README's words for that column, naming the parameter and the value the caller
// gave, on both batch routes.
func TestClassifyColumnRefusedNamesTheParameter(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, testState(&today))
	input := "nom;cp;vile\nA;91000;Alpha\n"
	cases := []struct{ query, field, value, detail string }{
		{"postcode=code", "postcode", "code", "colonne du code postal « code » : absente de l'en-tête (nom, cp, vile)"},
		{"city=ville", "city", "ville", "colonne de la commune « ville » : absente de l'en-tête (nom, cp, vile)"},
		{"citycode=9", "citycode", "9", "colonne du code INSEE « 9 » : position hors du fichier (3 colonnes)"},
		{"columns=adresse", "columns", "adresse", "colonne de l'adresse « adresse » : absente de l'en-tête (nom, cp, vile)"},
	}
	for _, tc := range cases {
		for _, path := range []string{"/api/v1/classify", "/search/csv/"} {
			rec := postCSV(t, h, path+"?"+tc.query, input)
			p := problemOf(t, rec)
			if rec.Code != http.StatusBadRequest || p.Field != tc.field || p.Value != tc.value || p.Detail != tc.detail {
				t.Errorf("%s?%s: %d, field %q, value %q, detail %q; want field %q, value %q, detail %q",
					path, tc.query, rec.Code, p.Field, p.Value, p.Detail, tc.field, tc.value, tc.detail)
			}
		}
	}
}

// withOtherProfessions gives the test state a zonage for every other profession:
// sous-dotée in 91001 and in Gamma (92001 with its former commune 92009, whose
// categories differ for the kinés), none in 91002.
func withOtherProfessions(t *testing.T, st *State) *State {
	t.Helper()
	rows := map[zones.Profession][]zones.ProfessionEntry{}
	ds := st.Resolver.Dataset
	for _, p := range zones.Professions()[1:] {
		rows[p] = []zones.ProfessionEntry{
			{Code: "91001", Name: "Alpha", Region: "11", Category: zones.SousDotee, OfficialCode: "2_Sous_dotee"},
			{Code: "92001", Name: "Gamma", Region: "11", Category: zones.SousDotee, OfficialCode: "2_Sous_dotee"},
			{Code: "92009", Name: "Gamma-Ancienne", Region: "11", Category: zones.SousDotee, OfficialCode: "2_Sous_dotee"},
		}
		ds.Meta.Professions = append(ds.Meta.Professions, zones.ProfessionSource{Profession: p, Source: "test-" + string(p)})
	}
	pz, err := zones.BuildProfessionZonages(rows)
	if err != nil {
		t.Fatal(err)
	}
	ds.Professions = pz
	return st
}

func TestClassifyProfession(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, withOtherProfessions(t, testState(&today)))
	input := "code_insee;nom\n91001;a\n92001;b\n99999;c\n91002;d\n"
	cases := []struct {
		name, path, header, filename string
		rows                         []string
	}{
		{"default", "/api/v1/classify", "code_insee;nom;" + strings.Join(zones.ClassificationColumns, ";"), "resultat.csv",
			[]string{"91001;a;91001;Alpha;tres_sous_dotee;", "92001;b;92001;Gamma;;", "99999;c;;;;", "91002;d;91002;Beta;tres_sous_dotee;"}},
		{"one profession", "/api/v1/classify?profession=infirmier", "code_insee;nom;" + strings.Join(zones.ClassificationColumns, ";"), "resultat-infirmier.csv",
			[]string{"91001;a;91001;Alpha;sous_dotee;", "92001;b;92001;Gamma;sous_dotee;", "99999;c;;;;", "91002;d;91002;Beta;;"}},
		{"all", "/api/v1/classify?profession=all", "code_insee;nom;" + strings.Join(zones.ClassificationColumns, ";") +
			";zonage_categorie_masseur-kinesitherapeute;zonage_categorie_infirmier;zonage_categorie_orthophoniste;zonage_categorie_sage-femme;zonage_categorie_chirurgien-dentiste",
			"resultat-all.csv", []string{"91001;a;91001;Alpha;tres_sous_dotee;", "92001;b;92001;Gamma;;", "99999;c;;;;", "91002;d;91002;Beta;tres_sous_dotee;"}},
		{"api-adresse with all", "/search/csv/?profession=ALL", "", "resultat-all.csv", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := postCSV(t, h, tc.path, input)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if cd := rec.Result().Header.Get("Content-Disposition"); !strings.Contains(cd, `"`+tc.filename+`"`) {
				t.Errorf("Content-Disposition %q, want %s", cd, tc.filename)
			}
			lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
			if len(lines) != 5 {
				t.Fatalf("%d lines: %s", len(lines), rec.Body)
			}
			if tc.header != "" && lines[0] != tc.header {
				t.Errorf("header %s", lines[0])
			}
			for i, want := range tc.rows {
				if !strings.HasPrefix(lines[i+1], want) {
					t.Errorf("row %d: %s, want it to start with %s", i+1, lines[i+1], want)
				}
			}
			if strings.Contains(tc.path, "all") || strings.Contains(tc.path, "ALL") {
				cells := func(l string) []string { f := strings.Split(l, ";"); return f[len(f)-5:] }
				if got := strings.Join(cells(lines[1]), ";"); got != "tres_sous_dotee;sous_dotee;sous_dotee;sous_dotee;sous_dotee" {
					t.Errorf("91001: %s", got)
				}
				// Gamma is ambiguous for the kinés only.
				if got := strings.Join(cells(lines[2]), ";"); got != ";sous_dotee;sous_dotee;sous_dotee;sous_dotee" {
					t.Errorf("92001: %s", lines[2])
				}
				// Beta has a category for the kinés only: the others' cells are empty, and the message says why.
				if got := strings.Join(cells(lines[4]), ";"); got != "tres_sous_dotee;;;;" ||
					!strings.Contains(lines[4], "infirmiers, orthophonistes, sages-femmes, chirurgiens-dentistes : Beta (91002) : ") {
					t.Errorf("91002: %s", lines[4])
				}
				if got := strings.Join(cells(lines[3]), ";"); got != ";;;;" {
					t.Errorf("99999: %s", got)
				}
			}
		})
	}
}

// TestClassifyAllRowsToCheck: with all, the rows to check are those of the
// kinés' status and those with no category for another profession, though the
// kinés' columns find them classified.
func TestClassifyAllRowsToCheck(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, withOtherProfessions(t, testState(&today)))
	input := "code_insee;nom\n91001;a\n92001;b\n99999;c\n91002;d\n"
	cases := []struct{ path, want string }{
		// 92001 is ambiguous for the kinés, 99999 nowhere, 91002 classified for the kinés only.
		{"/api/v1/classify?profession=all&status=ambigu,introuvable,erreur", "92001 99999 91002"},
		{"/api/v1/classify?profession=all&status=ambigu", "92001 91002"},
		{"/api/v1/classify?profession=all&status=erreur", ""},
		{"/api/v1/classify?profession=all&status=ok", "91001 91002"},
		{"/api/v1/classify?status=ambigu,introuvable,erreur", "92001 99999"},
	}
	for _, tc := range cases {
		rec := postCSV(t, h, tc.path, input)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", tc.path, rec.Code, rec.Body)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(rec.Body.String()), "\n")[1:] {
			got = append(got, strings.Split(l, ";")[0])
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: rows %v, want %s", tc.path, got, tc.want)
		}
	}
}

func TestClassifyProfessionRefused(t *testing.T) {
	today := "2025-06-01"
	plain := testServer(t, testState(&today))
	full := testServer(t, withOtherProfessions(t, testState(&today)))
	cases := []struct {
		name string
		h    http.Handler
		path string
		json bool
		want string
	}{
		{"unknown slug", full, "/api/v1/classify?profession=kine", false,
			"profession « kine » invalide : attendu masseur-kinesitherapeute, infirmier, orthophoniste, sage-femme, chirurgien-dentiste, all"},
		{"unknown slug, api-adresse", full, "/search/csv/?profession=dentiste", false, "profession « dentiste » invalide"},
		{"a profession the data lack", plain, "/api/v1/classify?profession=sage-femme", false,
			"ne contiennent pas le zonage des sages-femmes ; professions disponibles : masseur-kinesitherapeute"},
		{"all when the data lack some", plain, "/api/v1/classify?profession=all", false,
			"ne contiennent pas le zonage des infirmiers, orthophonistes, sages-femmes, chirurgiens-dentistes ; « all » demande toutes les professions"},
		{"a profession the data lack, in JSON", plain, "/api/v1/classify?profession=infirmier", true, "ne contiennent pas le zonage des infirmiers"},
		{"all in JSON", full, "/api/v1/classify?profession=all", true, "en JSON, chaque réponse est pour une profession"},
		{"unknown slug in JSON", full, "/api/v1/classify?profession=x", true, "profession « x » invalide"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rec *httptest.ResponseRecorder
			if tc.json {
				req := httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(`[{"citycode":"91001"}]`))
				req.Header.Set("Content-Type", "application/json")
				rec = httptest.NewRecorder()
				tc.h.ServeHTTP(rec, req)
			} else {
				rec = postCSV(t, tc.h, tc.path, "code_insee\n91001\n")
			}
			want := http.StatusBadRequest
			if strings.Contains(tc.want, "ne contiennent pas") {
				want = http.StatusNotFound
			}
			if rec.Code != want || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") ||
				!strings.Contains(rec.Body.String(), tc.want) || !strings.Contains(rec.Body.String(), `"profession"`) {
				t.Fatalf("status %d %s, want %d saying %q", rec.Code, rec.Body, want, tc.want)
			}
			// The field is named once: « profession « kine » invalide », not « profession : profession … ».
			var problem struct {
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &problem); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(tc.want, "profession «") && !strings.HasPrefix(problem.Detail, tc.want) {
				t.Fatalf("detail %q, want it to start with %q", problem.Detail, tc.want)
			}
		})
	}
}

func TestClassifyJSONProfession(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, withOtherProfessions(t, testState(&today)))
	req := httptest.NewRequest(http.MethodPost, "/api/v1/classify?profession=orthophoniste", strings.NewReader(`[{"citycode":"91001"},{"lat":95,"lon":2}]`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var got struct {
		Results []zones.Resolution `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if len(got.Results) != 2 || got.Results[0].Profession != zones.Orthophoniste || got.Results[0].Zonage == nil ||
		got.Results[0].Zonage.Category != zones.SousDotee || got.Results[1].Profession != zones.Orthophoniste || got.Results[1].Status != zones.StatusError {
		t.Fatalf("%s", rec.Body)
	}
}

// On the real data, /search/csv/ fills result_postcode as api-adresse does: the
// postcode its label names, even for a commune with several (Ajaccio, Saint-Denis
// de La Réunion), and none where the label names none of the commune's.
func TestSearchCSVResultPostcodeOnRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole data folder")
	}
	day := "2025-06-01"
	h := testServer(t, franceOnDay(t, &day))
	rec := postCSV(t, h, "/search/csv/", "nom;adresse;cp;ville\nA;;20000;Ajaccio\nB;;97400;Saint-Denis\nC;5 rue Ordener;75018;Paris\nD;;01300;Belley\nE;;;Ajaccio\n")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	r := csv.NewReader(strings.NewReader(rec.Body.String()))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "result_postcode")
	label := slices.Index(recs[0], "result_label")
	want := map[string]string{"A": "20000", "B": "97400", "C": "75018", "D": "01300", "E": ""}
	if len(recs) != 1+len(want) {
		t.Fatalf("%d records: %q", len(recs), recs)
	}
	for _, row := range recs[1:] {
		if row[col] != want[row[0]] {
			t.Errorf("row %s: result_postcode %q, want %q (label %q)", row[0], row[col], want[row[0]], row[label])
		}
	}
}

// A JSON body the decoder refuses is explained in French, naming the query, the
// field and what was expected, never with encoding/json's English or Go types.
func TestClassifyJSONErrorsInFrench(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, testState(&today))
	cases := []struct{ body, want string }{
		{`[{"lat":"48.8","lon":2.3}]`, "à la requête 0 : champ « lat » : type attendu nombre, reçu chaîne de caractères"},
		{`[{"citycode":"75106"},{"foo":1}]`, "à la requête 1 : champ inconnu « foo »"},
		{`[{"citycode":75106}]`, "champ « citycode » : type attendu chaîne de caractères, reçu nombre"},
		{`[{"citycode":"75106"}] x`, "après le tableau : caractère « x » inattendu"},
		{`nope`, "au début du corps : caractère « o » inattendu"},
		{`[{"citycode":"75106"}`, "le corps s'arrête avant la fin du JSON"},
	}
	english := regexp.MustCompile(`json:|cannot|unmarshal|invalid|unknown|Go struct|float64|looking for|unexpected`)
	for _, tc := range cases {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/classify", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var p struct {
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: status %d: %s", tc.body, rec.Code, rec.Body)
		}
		if !strings.Contains(p.Detail, tc.want) || english.MatchString(p.Detail) {
			t.Errorf("%s: detail %q, want it in French with %q", tc.body, p.Detail, tc.want)
		}
	}
}

// A refused query of a JSON batch names the data it was checked against, like
// every answer: no empty version (and, on real data, no imported_at in year 1).
func TestClassifyJSONRefusedQueryHasProvenance(t *testing.T) {
	today := "2025-06-01"
	st := testState(&today)
	h := testServer(t, st)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/classify", strings.NewReader(`[{"lat":91,"lon":2},{"lat":48.8}]`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var got struct {
		Results []zones.Resolution `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK || len(got.Results) != 2 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	for i, res := range got.Results {
		if res.Status != zones.StatusError || res.Provenance != st.Resolver.Provenance() || res.Provenance.DatasetVersion == "" {
			t.Errorf("result %d: %+v, want an error with the data's provenance %+v", i, res, st.Resolver.Provenance())
		}
	}
}

// A method a route does not serve is a 405 of its own problem type, not an
// invalid parameter; an unreadable multipart body is explained in French.
func TestMethodNotAllowedAndBadMultipart(t *testing.T) {
	today := "2025-06-01"
	h := testServer(t, testState(&today))
	req := httptest.NewRequest(http.MethodDelete, "/api/v1/classify", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusMethodNotAllowed ||
		p.Type != ProblemMethodNotAllowed || p.Title != "Méthode non autorisée" || !strings.Contains(p.Detail, "« DELETE »") {
		t.Errorf("DELETE: %d %s", rec.Code, rec.Body)
	}
	req = httptest.NewRequest(http.MethodPost, "/api/v1/classify", strings.NewReader("garbage"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=xx")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	p = Problem{}
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusBadRequest ||
		!strings.HasPrefix(p.Detail, "formulaire multipart illisible") || strings.Contains(p.Detail, "multipart:") || strings.Contains(p.Detail, "EOF") {
		t.Errorf("bad multipart: %d %s", rec.Code, rec.Body)
	}
}
