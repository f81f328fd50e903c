package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"zonage/zones"
)

// On the real data, a part of the query the answer does not rest on is named
// in the answer: an address given with coordinates (the coordinates decide),
// and an address in a commune whose streets the imported BAN lacks (the
// commune answers). The API and the CSV batch say the same.
func TestResolveUnusedParts(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole data folder")
	}
	day := "2025-06-01"
	st := franceOnDay(t, &day)
	ready, general := readyAndGeneral(t, st)
	const (
		point       = "lat=48.8414&lon=2.2986" // Paris 15e
		elsewhere   = "l'adresse « 12 rue de Vaugirard 75006 Paris » (Paris 6e Arrondissement, 75106) ne correspond pas au point, situé à Paris 15e Arrondissement (75115) : coordonnées retenues"
		same        = "adresse « 300 rue de Vaugirard 75015 Paris » non utilisée : coordonnées retenues ; l'adresse est aussi à Paris 15e Arrondissement (75115)"
		abroad      = "adresse « 69003 Lyon » non utilisée : coordonnées retenues ; l'adresse désigne Lyon 3e Arrondissement (69383)"
		noStreets   = "adresse « 12 rue de la République » non localisée : les adresses chargées n'ont aucune voie de Lyon 1er Arrondissement (69381) ; réponse pour la commune du code 69381"
		noStreetsPC = "adresse « 12 rue de la République 69001 Lyon » non localisée : les adresses chargées n'ont aucune voie de Lyon 1er Arrondissement (69381) ; réponse pour la commune"
	)
	cases := []struct {
		name, query        string
		commune, precision string
		warnings           []string
	}{
		{"address in another arrondissement", point + "&q=12 rue de Vaugirard 75006 Paris", "75115", "coordonnees", []string{elsewhere}},
		{"address in the point's arrondissement", point + "&q=300 rue de Vaugirard 75015 Paris", "75115", "coordonnees", []string{same}},
		{"split address", point + "&postcode=69003&city=Lyon", "75115", "coordonnees",
			[]string{"l'adresse « 69003 Lyon » (Lyon 3e Arrondissement, 69383) ne correspond pas au point, situé à Paris 15e Arrondissement (75115) : coordonnées retenues"}},
		{"point in no commune", "lat=10&lon=150&postcode=69003&city=Lyon", "", "coordonnees", []string{abroad}},
		{"no street data, with the code", "q=12 rue de la République&citycode=69381", "69381", "commune", []string{noStreets}},
		{"no street data, without code", "q=12 rue de la République 69001 Lyon", "69381", "commune", []string{noStreetsPC}},
		{"no street data, ambiguous", "q=12 rue de la République Lyon", "69123", "commune", []string{
			"Lyon est divisée en arrondissements : précisez l'arrondissement, le code postal ou l'adresse",
			"adresse « 12 rue de la République Lyon » non localisée : les adresses chargées n'ont aucune voie des communes possibles"}},
		{"a point alone", point, "75115", "coordonnees", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			values, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			rec := sameAnswer(t, ready, general, "/api/v1/resolve?options=0&"+values.Encode())
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			var got zones.Resolution
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			code := ""
			if got.Commune != nil {
				code = got.Commune.Code
			}
			if code != tc.commune || string(got.Match.Precision) != tc.precision {
				t.Errorf("commune %q at precision %q, want %q at %q", code, got.Match.Precision, tc.commune, tc.precision)
			}
			if !slices.Equal(got.Match.Warnings, tc.warnings) {
				t.Errorf("warnings %q, want %q", got.Match.Warnings, tc.warnings)
			}
			for _, w := range tc.warnings {
				if !strings.Contains(got.Message, w) {
					t.Errorf("message %q, want it to hold %q", got.Message, w)
				}
			}
		})
	}

	input := "id;adresse;latitude;longitude;code_insee\n" +
		"1;12 rue de Vaugirard 75006 Paris;48.8414;2.2986;\n" +
		"2;12 rue de la République;;;69381\n" +
		"3;;48.8414;2.2986;\n"
	rec := postCSV(t, ready.Handler(), "/api/v1/classify", input)
	if rec.Code != http.StatusOK {
		t.Fatalf("classify: %d %s", rec.Code, rec.Body)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct{ code, precision, message string }{
		{"75115", "coordonnees", elsewhere}, {"69381", "commune", noStreets}, {"75115", "coordonnees", ""},
	} {
		if len(rows) != 4 {
			t.Fatalf("rows %q, want the header and 3", rows)
		}
		row := rows[i+1]
		cell := func(name string) string { return row[5+slices.Index(zones.ClassificationColumns, name)] }
		msg := cell("zonage_message")
		if cell("zonage_commune_code") != want.code || cell("zonage_precision") != want.precision ||
			(want.message == "") != !strings.Contains(msg, " ; ") || (want.message != "" && !strings.HasSuffix(msg, " ; "+want.message)) {
			t.Errorf("row %d: %q, want %s at precision %s saying %q", i+1, row, want.code, want.precision, want.message)
		}
	}
}
