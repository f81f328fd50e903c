package bangeocoder

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestSearch(t *testing.T) {
	cases := []struct {
		name    string
		fixture string
		query   Query
		want    Result
		wantQS  url.Values
		nCands  int
	}{
		{
			name:    "housenumber in a Paris arrondissement",
			fixture: "search_housenumber.json",
			query:   Query{Text: "12 rue de Vaugirard 75006 Paris"},
			want: Result{
				Found: true, Lat: 48.849035, Lon: 2.338241,
				Label: "12 Rue de Vaugirard 75006 Paris", Score: 0.9723081818181817, ScoreNext: 0.7103218181818181,
				Type: "housenumber", ID: "75106_9761_00012", HouseNumber: "12", Street: "Rue de Vaugirard",
				Name: "12 Rue de Vaugirard", Postcode: "75006", City: "Paris", Citycode: "75106",
				District: "Paris 6e Arrondissement", Context: "75, Paris, Île-de-France",
			},
			wantQS: url.Values{"q": {"12 rue de Vaugirard 75006 Paris"}, "limit": {"5"}, "autocomplete": {"0"}},
			nCands: 2,
		},
		{
			name:    "municipality with filters",
			fixture: "search_municipality.json",
			query:   Query{Text: " Guéret ", Postcode: "23000", Citycode: "23096", Limit: 3},
			want: Result{
				Found: true, Lat: 46.170927, Lon: 1.871683, Label: "Guéret", Score: 0.9615272727272727,
				Type: "municipality", ID: "23096", Name: "Guéret", Postcode: "23000", City: "Guéret",
				Citycode: "23096", Context: "23, Creuse, Nouvelle-Aquitaine",
			},
			wantQS: url.Values{"q": {"Guéret"}, "limit": {"3"}, "autocomplete": {"0"}, "postcode": {"23000"}, "citycode": {"23096"}},
		},
		{
			name:    "no result",
			fixture: "search_empty.json",
			query:   Query{Text: "zzzz chemin introuvable 99999"},
			want:    Result{},
			wantQS:  url.Values{"q": {"zzzz chemin introuvable 99999"}, "limit": {"5"}, "autocomplete": {"0"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			var gotPath, gotUA string
			var gotQS url.Values
			srv := jsonServer(t, rec, func(_ int, r *http.Request) (int, string) {
				gotPath, gotQS, gotUA = r.URL.Path, r.URL.Query(), r.UserAgent()
				return http.StatusOK, tc.fixture
			})
			got, err := testClient(srv.URL).Search(context.Background(), tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if gotPath != "/search/" {
				t.Errorf("path = %q, want /search/", gotPath)
			}
			if gotQS.Encode() != tc.wantQS.Encode() {
				t.Errorf("query string = %s, want %s", gotQS.Encode(), tc.wantQS.Encode())
			}
			if gotUA != DefaultUserAgent {
				t.Errorf("User-Agent = %q", gotUA)
			}
			if len(got.Candidates) != tc.nCands {
				t.Fatalf("%d candidates, want %d: %+v", len(got.Candidates), tc.nCands, got.Candidates)
			}
			got.Candidates = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestSearchCandidates(t *testing.T) {
	srv := jsonServer(t, &recorder{}, func(int, *http.Request) (int, string) { return http.StatusOK, "search_housenumber.json" })
	got, err := testClient(srv.URL).Search(context.Background(), Query{Text: "12 rue de Vaugirard"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Candidate{
		{Lat: 48.83856, Lon: 2.30117, Label: "Rue de Vaugirard 75015 Paris", Score: 0.7103218181818181, Type: "street",
			ID: "75115_9761", Street: "Rue de Vaugirard", Postcode: "75015", City: "Paris", Citycode: "75115"},
		{Lat: 48.847412, Lon: 2.331862, Label: "Rue de Vaugirard 75006 Paris", Score: 0.6988472727272727, Type: "street",
			ID: "75106_9761", Street: "Rue de Vaugirard", Postcode: "75006", City: "Paris", Citycode: "75106"},
	}
	if len(got.Candidates) != len(want) {
		t.Fatalf("candidates = %+v", got.Candidates)
	}
	for i := range want {
		if got.Candidates[i] != want[i] {
			t.Errorf("candidate %d = %+v, want %+v", i, got.Candidates[i], want[i])
		}
	}
}

func TestSearchEmptyQuerySendsNothing(t *testing.T) {
	rec := &recorder{}
	srv := jsonServer(t, rec, func(int, *http.Request) (int, string) { return http.StatusOK, "search_empty.json" })
	_, err := testClient(srv.URL).Search(context.Background(), Query{Text: " \t "})
	if !errors.Is(err, ErrEmptyQuery) {
		t.Fatalf("err = %v, want ErrEmptyQuery", err)
	}
	if rec.count() != 0 {
		t.Errorf("server saw %d requests, want 0", rec.count())
	}
}

func TestSearchCacheHit(t *testing.T) {
	rec := &recorder{}
	srv := jsonServer(t, rec, func(int, *http.Request) (int, string) { return http.StatusOK, "search_housenumber.json" })
	c := testClient(srv.URL)
	ctx := context.Background()
	first, err := c.Search(ctx, Query{Text: "12 rue de Vaugirard 75006 Paris"})
	if err != nil {
		t.Fatal(err)
	}
	// Case and blanks do not change the service's answer, so they hit the cache.
	second, err := c.Search(ctx, Query{Text: "12  RUE DE VAUGIRARD 75006 paris "})
	if err != nil {
		t.Fatal(err)
	}
	if rec.count() != 1 {
		t.Errorf("server saw %d requests for two identical queries, want 1", rec.count())
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("cached answer %+v differs from %+v", second, first)
	}
	// A filter is part of the question.
	if _, err := c.Search(ctx, Query{Text: "12 rue de Vaugirard 75006 Paris", Citycode: "75106"}); err != nil {
		t.Fatal(err)
	}
	if rec.count() != 2 {
		t.Errorf("server saw %d requests, want 2 once a filter is added", rec.count())
	}
}

func TestSearchNotFoundIsCached(t *testing.T) {
	rec := &recorder{}
	srv := jsonServer(t, rec, func(int, *http.Request) (int, string) { return http.StatusOK, "search_empty.json" })
	c := testClient(srv.URL)
	for range 3 {
		r, err := c.Search(context.Background(), Query{Text: "zzzz chemin introuvable"})
		if err != nil || r.Found {
			t.Fatalf("r = %+v, err = %v", r, err)
		}
	}
	if rec.count() != 1 {
		t.Errorf("server saw %d requests, want 1", rec.count())
	}
}

func TestSearchUnreadableAnswer(t *testing.T) {
	srv := jsonServer(t, &recorder{}, func(int, *http.Request) (int, string) { return http.StatusOK, "search_csv_legacy.csv" })
	_, err := testClient(srv.URL).Search(context.Background(), Query{Text: "x"})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if !strings.Contains(err.Error(), "réponse inexploitable") || !strings.Contains(err.Error(), srv.URL+"/search/") {
		t.Errorf("message = %q", err)
	}
}
