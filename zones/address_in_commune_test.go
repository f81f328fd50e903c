package zones

import (
	"slices"
	"strings"
	"testing"
)

// inCommuneMatcher finds one address, in the arrondissement 75106, and honours
// the commune code as the offline matcher does: the address is looked for in
// that commune only. It records the queries it is asked.
type inCommuneMatcher struct {
	asked *[]Query
	// elsewhere answers the address in 75106 whatever the code, as a matcher that
	// does not know the code would.
	elsewhere bool
}

func (m inCommuneMatcher) MatchAddress(q Query) AddressMatch {
	*m.asked = append(*m.asked, q)
	if !strings.Contains(q.Text+q.Street, "Vaugirard") {
		return AddressMatch{Status: StatusNotFound, Message: "adresse introuvable"}
	}
	if m.elsewhere || q.Citycode == "" || q.Citycode == "75106" || q.Citycode == "75056" {
		w := []string(nil)
		conflict := q.Citycode == "75056" && q.Postcode == "69001"
		if conflict {
			w = []string{"le code postal 69001 ne correspond pas à la commune 75056 (Paris) : code commune retenu"}
		}
		return AddressMatch{Status: StatusOK, Level: LevelHouseNumber, Code: "75106", Score: 1, Lat: 48.8493, Lon: 2.3325,
			Label: "12 Rue de Vaugirard 75006 Paris", Warnings: w, CodeConflict: conflict}
	}
	return AddressMatch{Status: StatusNotFound, Message: "adresse introuvable"}
}

// An address given with a commune code is looked for in that commune, as the
// BAN's citycode filter does: found there (or in one of its arrondissements),
// it decides the answer; found elsewhere or nowhere, the code's answer stands
// and says so. It is never dropped silently.
func TestResolveAddressWithCitycode(t *testing.T) {
	var asked []Query
	r := testResolver(t)
	r.Addresses = inCommuneMatcher{asked: &asked}
	byCode, err := r.Resolve(Query{Citycode: "01001"})
	if err != nil {
		t.Fatal(err)
	}

	got, err := r.Resolve(Query{Text: "12 rue de Vaugirard", Citycode: " 75056 "})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusOK || got.Commune == nil || got.Commune.Code != "75106" || got.Match.Method != MethodAddress ||
		got.Match.Precision != PrecisionAddress || got.Match.Label != "12 Rue de Vaugirard 75006 Paris" {
		t.Errorf("address in an arrondissement of the code's city: %+v, want 75106 at the address", got)
	}
	if len(asked) != 1 || asked[0].Citycode != "75056" || asked[0].Text != "12 rue de Vaugirard" {
		t.Errorf("matcher asked %+v, want the address with the code 75056", asked)
	}

	got, err = r.Resolve(Query{Text: "12 rue de Vaugirard", Citycode: "75056", Postcode: "69001"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Commune == nil || got.Commune.Code != "75106" || !got.Match.CodeConflict || !strings.Contains(got.Message, "69001 ne correspond pas") {
		t.Errorf("the matcher's conflict is lost: %+v", got)
	}

	got, err = r.Resolve(Query{Text: "1 rue de la Paix", Citycode: "01001"})
	if err != nil {
		t.Fatal(err)
	}
	want := "adresse « 1 rue de la Paix » introuvable dans la commune 01001 (L'Abergement-Clémenciat) : code commune retenu"
	if got.Status != byCode.Status || got.Commune == nil || got.Commune.Code != "01001" || got.Match.Method != MethodCode ||
		!slices.Equal(got.Match.Warnings, []string{want}) || got.Message != byCode.Message+" ; "+want {
		t.Errorf("address not found in the commune: %+v, want the code's answer saying %q", got, want)
	}
	if again, _ := r.Resolve(Query{Citycode: "01001"}); len(again.Match.Warnings) != 0 {
		t.Errorf("the warning leaked into the cached answer of the code: %v", again.Match.Warnings)
	}

	r.Addresses = inCommuneMatcher{asked: &asked, elsewhere: true}
	got, err = r.Resolve(Query{Text: "12 rue de Vaugirard", Citycode: "01001"})
	if err != nil {
		t.Fatal(err)
	}
	want = "adresse « 12 rue de Vaugirard » trouvée hors de la commune 01001 (L'Abergement-Clémenciat) : code commune retenu"
	if got.Commune == nil || got.Commune.Code != "01001" || !slices.Contains(got.Match.Warnings, want) {
		t.Errorf("address found in another commune: %+v, want the code's answer saying %q", got, want)
	}

	got, err = r.Resolve(Query{Text: "12 rue de Vaugirard", Citycode: "99999"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusNotFound || !strings.Contains(got.Message, "aucune commune de code 99999") ||
		!strings.Contains(got.Message, "adresse « 12 rue de Vaugirard » non cherchée") {
		t.Errorf("unknown code: %+v", got)
	}

	// Without address data the code answers, and says that the address could
	// not be looked for.
	r.Addresses = nil
	got, err = r.Resolve(Query{Text: "12 rue de Vaugirard", Citycode: "01001"})
	want = "adresse « 12 rue de Vaugirard » non cherchée : ces données n'ont pas de tables d'adresses ; code commune retenu"
	if err != nil || got.Commune == nil || got.Commune.Code != "01001" || got.Match.Method != MethodCode || !slices.Contains(got.Match.Warnings, want) {
		t.Errorf("without address data: %+v, %v; want the code's answer saying %q", got, err, want)
	}
}
