package bangeocoder

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var (
	vaugirard = Result{
		Found: true, Lat: 48.849035, Lon: 2.338241, Label: "12 Rue de Vaugirard 75006 Paris",
		Score: 0.9723081818181817, ScoreNext: 0.7103218181818181, Type: "housenumber", ID: "75106_9761_00012",
		HouseNumber: "12", Street: "Rue de Vaugirard", Name: "12 Rue de Vaugirard", Postcode: "75006",
		City: "Paris", Citycode: "75106", District: "Paris 6e Arrondissement", Context: "75, Paris, Île-de-France",
	}
	gueret = Result{
		Found: true, Lat: 46.170927, Lon: 1.871683, Label: "Guéret", Score: 0.9615272727272727,
		Type: "municipality", ID: "23096", Name: "Guéret", Postcode: "23000", City: "Guéret",
		Citycode: "23096", Context: "23, Creuse, Nouvelle-Aquitaine",
	}
	annecy = Result{
		Found: true, Lat: 45.919594, Lon: 6.141729, Label: "1 Place de l'Hôtel de Ville 74940 Annecy",
		Score: 0.8436954545454545, ScoreNext: 0.5012345454545454, Type: "housenumber", ID: "74010_2412_00001",
		HouseNumber: "1", Street: "Place de l'Hôtel de Ville", Name: "1 Place de l'Hôtel de Ville",
		Postcode: "74940", City: "Annecy", Citycode: "74010", Context: "74, Haute-Savoie, Auvergne-Rhône-Alpes",
		OldCitycode: "74011", OldCity: "Annecy-le-Vieux",
	}
)

func TestSearchBatchPreservesOrder(t *testing.T) {
	cs, srv := newCSVServer(t, "search_csv_geoplateforme.csv")
	qs := []Query{
		{Text: "12 rue de Vaugirard", Postcode: "75006"},
		{Text: "Guéret"},
		{Text: "zzzz chemin introuvable", Postcode: "99999"},
		{Text: "  12 RUE DE  Vaugirard ", Postcode: "75006"}, // same as the first once normalised
		{Text: "   "},
		{Text: "1 place de l'Hôtel de Ville Annecy-le-Vieux", Postcode: "74940"},
		{Text: "guéret"},
	}
	got, err := testClient(srv.URL).SearchBatch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{vaugirard, gueret, {}, vaugirard, {}, annecy, gueret}
	if len(got) != len(want) {
		t.Fatalf("%d results for %d queries", len(got), len(qs))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("result %d (%q):\n got  %+v\n want %+v", i, qs[i].Text, got[i], want[i])
		}
	}

	calls := cs.received()
	if len(calls) != 2 {
		t.Fatalf("server saw %d requests, want 2 (rows without and with a postcode)", len(calls))
	}
	rows := 0
	for _, call := range calls {
		rows += len(call.rows)
		if !slices.Equal(call.columns, []string{"q"}) {
			t.Errorf("columns fields = %q, want [q]", call.columns)
		}
		if !slices.Equal(call.delimiter, []string{","}) {
			t.Errorf("delimiter field = %q", call.delimiter)
		}
		if call.filename == "" || !strings.HasPrefix(call.partType, "text/csv") {
			t.Errorf("data part: filename %q, type %q", call.filename, call.partType)
		}
		if len(call.citycode) != 0 {
			t.Errorf("citycode field %q sent though no query has one", call.citycode)
		}
		hasPostcode := slices.Contains(call.header, "postcode")
		if hasPostcode != slices.Equal(call.postcode, []string{"postcode"}) {
			t.Errorf("header %q but postcode field %q", call.header, call.postcode)
		}
	}
	// Seven queries: one empty, two duplicates.
	if rows != 4 {
		t.Errorf("server geocoded %d rows, want 4", rows)
	}
}

func TestSearchBatchChunks(t *testing.T) {
	cs, srv := newCSVServer(t, "search_csv_geoplateforme.csv")
	var qs []Query
	for _, text := range []string{"a 1", "b 2", "12 rue de Vaugirard", "c 3", "d 4"} {
		qs = append(qs, Query{Text: text, Citycode: "75106"})
	}
	got, err := testClient(srv.URL, func(c *Client) { c.BatchSize = 2 }).SearchBatch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		if r.Found != (i == 2) {
			t.Errorf("result %d found = %v", i, r.Found)
		}
	}
	if got[2].Citycode != "75106" {
		t.Errorf("result 2 = %+v", got[2])
	}
	calls := cs.received()
	if len(calls) != 3 {
		t.Fatalf("server saw %d requests, want 3 chunks of at most 2 rows", len(calls))
	}
	for _, call := range calls {
		if len(call.rows) > 2 || !slices.Equal(call.citycode, []string{"citycode"}) || len(call.postcode) != 0 {
			t.Errorf("chunk: %d rows, citycode %q, postcode %q", len(call.rows), call.citycode, call.postcode)
		}
	}
}

func TestSearchBatchUsesCache(t *testing.T) {
	cs, srv := newCSVServer(t, "search_csv_geoplateforme.csv")
	c := testClient(srv.URL)
	qs := []Query{{Text: "Guéret", Postcode: "23000"}, {Text: "zzzz chemin introuvable", Postcode: "99999"}}
	first, err := c.SearchBatch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.SearchBatch(context.Background(), append(qs, Query{Text: "GUÉRET", Postcode: "23000"}))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cs.received()); n != 1 {
		t.Errorf("server saw %d requests, want 1: the second batch is all cached", n)
	}
	if !reflect.DeepEqual(first, second[:2]) || !reflect.DeepEqual(second[2], second[0]) {
		t.Errorf("cached answers differ: %+v vs %+v", first, second)
	}
}

func TestSearchBatchSplitsOn413(t *testing.T) {
	cs, srv := newCSVServer(t, "search_csv_geoplateforme.csv")
	long := strings.Repeat("très longue adresse ", 20)
	cs.reject = func(call csvCall) int {
		for _, row := range call.rows {
			if len(call.rows) > 2 || row[1] == strings.TrimSpace(long) {
				return http.StatusRequestEntityTooLarge
			}
		}
		return 0
	}
	qs := []Query{{Text: "12 rue de Vaugirard"}, {Text: "Guéret"}, {Text: long}, {Text: "x 1"}, {Text: "Guéret 2"}}
	got, err := testClient(srv.URL).SearchBatch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	found := []bool{true, true, false, false, false}
	for i := range found {
		if got[i].Found != found[i] {
			t.Errorf("result %d found = %v, want %v", i, got[i].Found, found[i])
		}
	}
	if got[0].Citycode != "75106" || got[1].Citycode != "23096" {
		t.Errorf("results out of order: %q, %q", got[0].Citycode, got[1].Citycode)
	}
}

func TestSearchBatchError(t *testing.T) {
	cs, srv := newCSVServer(t, "search_csv_geoplateforme.csv")
	cs.reject = func(csvCall) int { return http.StatusBadRequest }
	got, err := testClient(srv.URL).SearchBatch(context.Background(), []Query{{Text: "Guéret"}})
	if got != nil || err == nil {
		t.Fatalf("got %v, %v; want an error and no results", got, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "POST "+srv.URL+"/search/csv/") || !strings.Contains(msg, "400 Bad Request") {
		t.Errorf("message = %q", msg)
	}
	if n := len(cs.received()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestSearchBatchRetries503(t *testing.T) {
	cs, srv := newCSVServer(t, "search_csv_geoplateforme.csv")
	cs.reject = func(csvCall) int {
		if len(cs.received()) <= 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	got, err := testClient(srv.URL).SearchBatch(context.Background(), []Query{{Text: "Guéret", Postcode: "23000"}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []Result{gueret}) {
		t.Errorf("got %+v", got)
	}
	// Every attempt sends the whole file again.
	for i, call := range cs.received() {
		if len(call.rows) != 1 {
			t.Errorf("attempt %d sent %d rows", i+1, len(call.rows))
		}
	}
}

func TestSearchCSVStreamsTheAnswer(t *testing.T) {
	answer := readFixture(t, "search_csv_legacy.csv")
	input := "adresse,ville,cp\n12 rue de Vaugirard,Paris,75006\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/search/csv/" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Error(err)
			return
		}
		form := r.MultipartForm.Value
		if !slices.Equal(form["columns"], []string{"adresse", "ville"}) || !slices.Equal(form["postcode"], []string{"cp"}) {
			t.Errorf("form = %v", form)
		}
		if _, ok := form["citycode"]; ok {
			t.Error("citycode sent though not asked for")
		}
		f, _, err := r.FormFile("data")
		if err != nil {
			t.Error(err)
			return
		}
		if b, _ := io.ReadAll(f); string(b) != input {
			t.Errorf("data = %q", b)
		}
		_, _ = w.Write(answer)
	}))
	defer srv.Close()

	body, err := testClient(srv.URL).SearchCSV(context.Background(), strings.NewReader(input), []string{"adresse", "ville"}, "cp", "")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, answer) {
		t.Errorf("streamed answer differs:\n%s", got)
	}
}

func TestSearchCSVRefusesEmptyInput(t *testing.T) {
	_, err := testClient("http://127.0.0.1:1").SearchCSV(context.Background(), strings.NewReader(" \n"), nil, "", "")
	if err == nil || !strings.Contains(err.Error(), "CSV vide") {
		t.Errorf("err = %v", err)
	}
}

func TestParseBatchAnswer(t *testing.T) {
	cases := []struct {
		name    string
		csv     string
		n       int
		want    []Result
		wantErr string
	}{
		{
			name: "geoplateforme column order",
			csv:  string(readFixture(t, "search_csv_geoplateforme.csv")),
			n:    4,
			want: []Result{vaugirard, gueret, annecy, {}},
		},
		{
			name: "api-adresse column order and rounded scores",
			csv:  string(readFixture(t, "search_csv_legacy.csv")),
			n:    2,
			want: []Result{func() Result { r := vaugirard; r.Score, r.ScoreNext = 0.97, 0.71; return r }(), {}},
		},
		{
			name: "byte order mark and no result_status column",
			csv:  "\ufeffzonage_row,q,latitude,longitude,result_label,result_citycode\n1,b,,,,\n0,a,45.5,4.25,A,69123\n",
			n:    2,
			want: []Result{{Found: true, Lat: 45.5, Lon: 4.25, Label: "A", Citycode: "69123"}, {}},
		},
		{
			name:    "missing rows",
			csv:     string(readFixture(t, "search_csv_legacy.csv")),
			n:       3,
			wantErr: "réponse incomplète : 2 lignes reçues pour 3 envoyées",
		},
		{
			name:    "unknown row number",
			csv:     "zonage_row,q,latitude,longitude,result_status\n7,a,,,not-found\n",
			n:       1,
			wantErr: "numéro de ligne « 7 » inattendu",
		},
		{
			name:    "row in error",
			csv:     "zonage_row,q,latitude,longitude,result_status\n0,a,,,error\n",
			n:       1,
			wantErr: "le géocodeur signale « error »",
		},
		{
			name:    "not a geocoded CSV",
			csv:     "zonage_row,q\n0,a\n",
			n:       1,
			wantErr: "colonne « latitude » absente",
		},
		{
			name:    "bad coordinate",
			csv:     "zonage_row,q,latitude,longitude,result_status\n0,a,nord,2.3,ok\n",
			n:       1,
			wantErr: "latitude « nord » n'est pas un nombre",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseBatchAnswer(strings.NewReader(tc.csv), tc.n)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestSearchBatchContextCancelled(t *testing.T) {
	cs, srv := newCSVServer(t, "search_csv_geoplateforme.csv")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := testClient(srv.URL).SearchBatch(ctx, []Query{{Text: "Guéret"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(cs.received()); n != 0 {
		t.Errorf("server saw %d requests after cancellation", n)
	}
}
