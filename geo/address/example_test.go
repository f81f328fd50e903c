package address_test

import (
	"fmt"

	"zonage/geo/address"
)

func ExampleAppendNormalized() {
	fmt.Println(string(address.AppendNormalized(nil, "12bis, bd St-Germain")))
	fmt.Println(string(address.AppendNormalized(nil, "75006 PARIS CEDEX 06")))
	fmt.Println(string(address.AppendNormalized(nil, "Paris 6ème arrondissement")))
	// Output:
	// 12 B BOULEVARD SAINT GERMAIN
	// 75006 PARIS
	// PARIS 06
}

func ExampleMatcher_Match() {
	m := address.NewMatcher(&address.Data{
		Communes: []address.Commune{
			{Code: "01034", Name: "Belley", Kind: address.KindCommune, Departement: "01", Postcodes: []string{"01300"}},
			{Code: "01058", Name: "Brens", Kind: address.KindCommune, Departement: "01", Postcodes: []string{"01300"}},
		},
		Postal: []address.PostalLine{
			{Code: "01034", Postcode: "01300", Name: "BELLEY", Label: "BELLEY"},
			{Code: "01058", Postcode: "01300", Name: "BRENS", Label: "BRENS"},
		},
	})
	r := m.Match(address.Query{Text: "3 rue de la République, 01300 Beley"})
	fmt.Println(r.Status, r.Code, r.Name, r.Warnings)
	r = m.Match(address.Query{Postcode: "01300"})
	fmt.Println(r.Status, len(r.Candidates), r.Warnings)
	// Output:
	// ok 01034 Belley [commune « BELEY » rapprochée de « Belley » (similarité 0,83)]
	// ambigu 2 [le code postal 01300 est commun à 2 communes : précisez la commune]
}
