package zones

import (
	"slices"
	"strings"
	"testing"
	"zonage/internal/french"
)

// Coordinates given with an address decide the answer, and the answer says
// that the address was not used; the address is still looked for, so that the
// answer tells whether it lies in the point's commune.
func TestResolvePointWithAddress(t *testing.T) {
	r := testResolver(t)
	point := Query{Lat: 48.85, Lon: 2.3, HasPoint: true}
	plain, err := r.Resolve(point)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("rue très longue ", 20)
	cases := []struct {
		name string
		q    Query
		want []string // the warnings, in order
	}{
		{"address in the point's commune", Query{Text: "12 rue de Vaugirard Paris"},
			[]string{"adresse « 12 rue de Vaugirard Paris » non utilisée : coordonnées retenues ; l'adresse est aussi à Paris 6e Arrondissement (75106)"}},
		{"address in another commune", Query{Text: "Champtoceaux"},
			[]string{"l'adresse « Champtoceaux » (Orée d'Anjou, 49126) ne correspond pas au point, situé à Paris 6e Arrondissement (75106) : coordonnées retenues"}},
		{"address not found", Query{Text: "nulle part"},
			[]string{"adresse « nulle part » non utilisée : coordonnées retenues"}},
		{"ambiguous address", Query{Text: "01400"},
			[]string{"adresse « 01400 » non utilisée : coordonnées retenues"}},
		{"split address", Query{Street: " 1 rue X ", Postcode: "75006", City: "Paris"},
			[]string{"adresse « 1 rue X 75006 Paris » non utilisée : coordonnées retenues"}},
		{"address too long to be looked for", Query{Text: strings.Repeat(long, 4)},
			[]string{"adresse « " + french.Cut(strings.TrimSpace(strings.Repeat(long, 4)), maxQuotedValue) + " » non utilisée : coordonnées retenues"}},
		{"code and address", Query{Text: "Champtoceaux", Citycode: "01001"},
			[]string{"le code commune 01001 (L'Abergement-Clémenciat) ne correspond pas au point, situé à Paris 6e Arrondissement (75106) : coordonnées retenues",
				"l'adresse « Champtoceaux » (Orée d'Anjou, 49126) ne correspond pas au point, situé à Paris 6e Arrondissement (75106) : coordonnées retenues"}},
		{"blank address", Query{Text: "  ", City: " "}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Lat, q.Lon, q.HasPoint = point.Lat, point.Lon, true
			got, err := r.Resolve(q)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != plain.Status || got.Commune == nil || got.Commune.Code != "75106" || got.Match.Method != MethodInside ||
				got.Match.Precision != PrecisionCoordinates {
				t.Errorf("answer %+v, want the point's", got)
			}
			if !slices.Equal(got.Match.Warnings, tc.want) {
				t.Errorf("warnings %q, want %q", got.Match.Warnings, tc.want)
			}
			want := plain.Message
			for _, w := range tc.want {
				want += " ; " + w
			}
			if got.Message != want {
				t.Errorf("message %q, want %q", got.Message, want)
			}
		})
	}
	if again, _ := r.Resolve(point); len(again.Match.Warnings) > 0 || again.Message != plain.Message {
		t.Errorf("a warning leaked into the cached answer of the point: %+v", again)
	}

	// A point in no commune stays unresolved; the warning names the commune
	// the address designates.
	got, err := r.Resolve(Query{Lat: 10, Lon: 150, HasPoint: true, Text: "12 rue de Vaugirard Paris"})
	want := "adresse « 12 rue de Vaugirard Paris » non utilisée : coordonnées retenues ; l'adresse désigne Paris 6e Arrondissement (75106)"
	if err != nil || got.Status != StatusNotFound || got.Match.Method != MethodOutside || !slices.Equal(got.Match.Warnings, []string{want}) {
		t.Errorf("point out of France: %+v, %v; want it unresolved, saying %q", got, err, want)
	}

	// Without address tables, or with a geocoder over the network, the address
	// is not looked for; the answer still says it was not used.
	for name, m := range map[string]AddressMatcher{"no address tables": nil, "remote geocoder": refusingRemote{t}} {
		r.Addresses = m
		got, err := r.Resolve(Query{Lat: 48.85, Lon: 2.3, HasPoint: true, Text: "Champtoceaux"})
		want := "adresse « Champtoceaux » non utilisée : coordonnées retenues"
		if err != nil || got.Commune == nil || got.Commune.Code != "75106" || !slices.Equal(got.Match.Warnings, []string{want}) {
			t.Errorf("%s: %+v, %v; want the point's answer saying %q", name, got, err, want)
		}
	}
}

// refusingRemote is a geocoder over the network that must not be asked.
type refusingRemote struct{ t *testing.T }

func (m refusingRemote) Remote() bool { return true }

func (m refusingRemote) MatchAddress(q Query) AddressMatch {
	m.t.Errorf("geocoder asked %+v beside coordinates", q)
	return AddressMatch{Status: StatusNotFound}
}

// A batch row with coordinates and an address is answered by its coordinates,
// and its message says so; a code cell set aside beside them says the
// coordinates decided, not the address.
func TestResolveFieldsPointWithAddress(t *testing.T) {
	r := testResolver(t)
	c := r.ClassifyFields(BatchFields{Text: "Champtoceaux", Lat: "48,85", Lon: "2.3", Line: 2})
	want := "l'adresse « Champtoceaux » (Orée d'Anjou, 49126) ne correspond pas au point, situé à Paris 6e Arrondissement (75106) : coordonnées retenues"
	if c.Status != StatusOK || c.CommuneCode != "75106" || c.Precision != PrecisionCoordinates || !strings.HasSuffix(c.Message, " ; "+want) {
		t.Errorf("row %+v, want 75106 by its coordinates, saying %q", c, want)
	}
	c = r.ClassifyFields(BatchFields{Street: "12 rue de Vaugirard", City: "Paris", Citycode: "abc", Lat: "48.85", Lon: "2.3"})
	for _, w := range []string{"adresse « 12 rue de Vaugirard Paris » non utilisée : coordonnées retenues", "code INSEE « abc » invalide, ignoré : coordonnées retenues"} {
		if c.CommuneCode != "75106" || !strings.Contains(c.Message, w) {
			t.Errorf("row %+v, want it to say %q", c, w)
		}
	}
	if strings.Contains(c.Message, "cherchée par l'adresse") {
		t.Errorf("row %+v says the address decided", c)
	}
}

// An address in a commune whose streets the address data lacks is answered for
// the commune, and the answer says that the address itself was not located,
// and why.
func TestResolveAddressNoStreetData(t *testing.T) {
	r := testResolver(t)
	r.Addresses = addressTable{
		"3 rue de la Paix": {Status: StatusOK, Level: LevelMunicipality, Code: "01001", Score: 1, NoStreetData: true},
		"3 rue du Moulin":  {Status: StatusOK, Level: LevelMunicipality, Code: "01099", Score: 1, NoStreetData: true},
		"Ruffieu":          {Status: StatusOK, Level: LevelMunicipality, Code: "01001", Score: 1},
	}
	cases := []struct {
		name, warning string
		q             Query
	}{
		{"with the commune's code", "adresse « 3 rue de la Paix » non localisée : les adresses chargées n'ont aucune voie de L'Abergement-Clémenciat (01001) ; réponse pour la commune du code 01001",
			Query{Text: "3 rue de la Paix", Citycode: "1001"}},
		{"without code", "adresse « 3 rue de la Paix » non localisée : les adresses chargées n'ont aucune voie de L'Abergement-Clémenciat (01001) ; réponse pour la commune",
			Query{Text: "3 rue de la Paix"}},
		{"with a former commune's code", "adresse « 3 rue du Moulin » non localisée : les adresses chargées n'ont aucune voie de Ancienne Abergement (01099) ; réponse pour la commune du code 01099",
			Query{Text: "3 rue du Moulin", Citycode: "01099"}},
		{"a commune alone", "", Query{Text: "Ruffieu"}},
	}
	byCode, err := r.Resolve(Query{Citycode: "01001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Resolve(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != StatusOK || got.Commune == nil || got.Commune.Code != "01001" || got.Match.Method != MethodAddress || got.Match.Precision != PrecisionCommune {
				t.Errorf("answer %+v, want 01001 at commune precision", got)
			}
			var want []string
			if tc.warning != "" {
				want = []string{tc.warning}
			}
			if !slices.Equal(got.Match.Warnings, want) {
				t.Errorf("warnings %q, want %q", got.Match.Warnings, want)
			}
			if tc.warning != "" && !strings.HasSuffix(got.Message, " ; "+tc.warning) {
				t.Errorf("message %q, want it to end with %q", got.Message, tc.warning)
			}
		})
	}
	if again, _ := r.Resolve(Query{Citycode: "01001"}); len(again.Match.Warnings) > 0 || again.Message != byCode.Message {
		t.Errorf("a warning leaked into the cached answer of the code: %+v", again)
	}
	// An ambiguous answer the street could not settle says why.
	shared := "le code postal 01400 est commun à 2 communes : précisez la commune"
	r.Addresses = addressTable{"3 rue de la Paix 01400": {Status: StatusAmbiguous, Level: LevelMunicipality, NoStreetData: true, Warnings: []string{shared},
		Candidates: []AddressCandidate{{Code: "01001", Name: "L'Abergement-Clémenciat"}, {Code: "01999", Name: "Inconnue"}}}}
	got, err := r.Resolve(Query{Text: "3 rue de la Paix 01400"})
	want := []string{shared, "adresse « 3 rue de la Paix 01400 » non localisée : les adresses chargées n'ont aucune voie des communes possibles"}
	if err != nil || got.Status != StatusAmbiguous || !slices.Equal(got.Match.Warnings, want) || !strings.Contains(got.Message, strings.Join(want, " ; ")+" ; communes possibles : ") {
		t.Errorf("ambiguous answer %+v, %v; want it to say %q", got, err, want)
	}
	r.Addresses = addressTable{"3 rue de la Paix": {Status: StatusOK, Level: LevelMunicipality, Code: "01001", Score: 1, NoStreetData: true}}
	row := r.ClassifyFields(BatchFields{Text: "3 rue de la Paix", Citycode: "01001"})
	if row.Status != StatusOK || row.Precision != PrecisionCommune || !strings.Contains(row.Message, "non localisée") {
		t.Errorf("batch row %+v, want it to say the address was not located", row)
	}
}

// A street answer says « position de la voie » once when the query had no
// house number, and leaves it to the matcher when a number was asked and not
// found: the matcher's flag decides, whatever its warning's words.
func TestResolveStreetPosition(t *testing.T) {
	r := testResolver(t)
	street := func(numberNotFound bool, warnings ...string) AddressMatch {
		return AddressMatch{Status: StatusOK, Level: LevelStreet, Code: "75106", Score: 1, NumberNotFound: numberNotFound, Warnings: warnings}
	}
	r.Addresses = addressTable{
		"no number":        street(false),
		"number far away":  street(true, "numéro 999 introuvable : position de la voie"),
		"reworded":         street(true, "numéro 999 absent : milieu de la voie"),
		"nearest number":   street(true, "numéro 18 introuvable : position du numéro 16, le plus proche"),
		"another warning":  street(false, "voie « impasse de la position de la voie » rapprochée de « Impasse de la Position »"),
		"address point":    {Status: StatusOK, Level: LevelHouseNumber, Code: "75106", Score: 1},
		"number not found": street(false, "numéro 999 introuvable"),
	}
	cases := []struct {
		text string
		want int // times the message says « position de la voie »
	}{
		{"no number", 1}, {"number far away", 1}, {"reworded", 0}, {"nearest number", 0}, {"another warning", 2},
		{"address point", 0}, {"number not found", 1},
	}
	for _, tc := range cases {
		res, err := r.Resolve(Query{Text: tc.text})
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(res.Message, "position de la voie"); n != tc.want {
			t.Errorf("%s: message %q says « position de la voie » %d times, want %d", tc.text, res.Message, n, tc.want)
		}
	}
}
