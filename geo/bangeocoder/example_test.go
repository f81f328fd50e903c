package bangeocoder_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"zonage/geo/bangeocoder"
)

func ExampleClient_Search() {
	// A stand-in for https://data.geopf.fr/geocodage answering one address.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := os.ReadFile("testdata/search_housenumber.json")
		_, _ = w.Write(b)
	}))
	defer srv.Close()

	c := &bangeocoder.Client{BaseURL: srv.URL}
	r, err := c.Search(context.Background(), bangeocoder.Query{Text: "12 rue de Vaugirard 75006 Paris"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s → commune %s (%s, score %.2f, suivant %.2f)\n", r.Label, r.Citycode, r.Type, r.Score, r.ScoreNext)
	// Output: 12 Rue de Vaugirard 75006 Paris → commune 75106 (housenumber, score 0.97, suivant 0.71)
}
