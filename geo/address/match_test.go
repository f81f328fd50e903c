package address

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// want is what a test expects of a Result; empty fields are not checked.
type want struct {
	status       Status
	level        Level
	code, former string
	candidates   []string // codes, in order
	warning      string   // a fragment of one of the warnings
	label        string
	fuzzy        bool // the score is below 1
	// numberNotFound and noStreetData are the flags the Result must carry.
	numberNotFound, noStreetData bool
}

func check(t *testing.T, q Query, got Result, w want) {
	t.Helper()
	if got.Status != w.status {
		t.Errorf("%+v: status %q, want %q (%+v)", q, got.Status, w.status, got)
	}
	if w.level != "" && got.Level != w.level {
		t.Errorf("%+v: level %q, want %q", q, got.Level, w.level)
	}
	if got.Code != w.code {
		t.Errorf("%+v: code %q, want %q (%+v)", q, got.Code, w.code, got)
	}
	if got.Former != w.former {
		t.Errorf("%+v: former %q, want %q", q, got.Former, w.former)
	}
	if w.candidates != nil {
		var codes []string
		for _, c := range got.Candidates {
			codes = append(codes, c.Code)
		}
		if !slices.Equal(codes, w.candidates) {
			t.Errorf("%+v: candidates %v, want %v", q, codes, w.candidates)
		}
	} else if len(got.Candidates) > 0 {
		t.Errorf("%+v: unexpected candidates %+v", q, got.Candidates)
	}
	if w.warning != "" && !slices.ContainsFunc(got.Warnings, func(s string) bool { return strings.Contains(s, w.warning) }) {
		t.Errorf("%+v: warnings %q, want one with %q", q, got.Warnings, w.warning)
	}
	if w.warning == "" && got.Status == StatusOK && len(got.Warnings) > 0 {
		t.Errorf("%+v: unexpected warnings %q", q, got.Warnings)
	}
	if w.label != "" && got.Label != w.label {
		t.Errorf("%+v: label %q, want %q", q, got.Label, w.label)
	}
	if got.Status == StatusOK && w.fuzzy != (got.Score < 1) {
		t.Errorf("%+v: score %v, fuzzy %v wanted", q, got.Score, w.fuzzy)
	}
	if got.NumberNotFound != w.numberNotFound || got.NoStreetData != w.noStreetData {
		t.Errorf("%+v: NumberNotFound %v, NoStreetData %v; want %v, %v", q, got.NumberNotFound, got.NoStreetData, w.numberNotFound, w.noStreetData)
	}
	if got.Score < 0 || got.Score > 1 {
		t.Errorf("%+v: score %v out of 0…1", q, got.Score)
	}
}

var paris = []string{"75106", "75107", "75115", "75116"}

func TestMatchCommune(t *testing.T) {
	m := NewMatcher(withoutStreets(fixture()))
	cases := []struct {
		name string
		q    Query
		want want
	}{
		{"postcode and city", Query{Text: "75006 Paris"}, want{status: StatusOK, level: LevelMunicipality, code: "75106", label: "75006 Paris 6e Arrondissement"}},
		{"paris 6e", Query{Text: "Paris 6e"}, want{status: StatusOK, code: "75106"}},
		{"PARIS 06", Query{City: "PARIS 06"}, want{status: StatusOK, code: "75106"}},
		{"paris 6ème", Query{City: "Paris 6ème"}, want{status: StatusOK, code: "75106"}},
		{"paris VI", Query{Text: "Paris VI"}, want{status: StatusOK, code: "75106"}},
		{"75116 is the 16e", Query{Text: "75116 PARIS"}, want{status: StatusOK, code: "75116"}},
		{"lyon 3eme", Query{Text: "Lyon 3eme"}, want{status: StatusOK, code: "69383"}},
		{"69003 LYON CEDEX 03", Query{Text: "69003 LYON CEDEX 03"}, want{status: StatusOK, code: "69383"}},
		{"marseille 13", Query{Text: "Marseille 13"}, want{status: StatusOK, code: "13213"}},
		{"paris alone needs its arrondissement", Query{Text: "Paris"},
			want{status: StatusAmbiguous, code: "75056", candidates: paris, warning: "arrondissements"}},
		{"paris by code", Query{Citycode: "75056"}, want{status: StatusAmbiguous, code: "75056", candidates: paris}},
		{"cedex postcode", Query{Text: "75270 PARIS CEDEX 06"},
			want{status: StatusAmbiguous, code: "75056", candidates: paris, warning: "code postal 75270 inconnu"}},
		{"arrondissement against postcode", Query{Text: "75007 Paris 6e"},
			want{status: StatusOK, code: "75106", warning: "le code postal 75007 ne correspond pas à Paris 6e Arrondissement"}},
		{"shared postcode, name", Query{Postcode: "01300", City: "Brens"}, want{status: StatusOK, code: "01058"}},
		{"shared postcode and a street, no name", Query{Text: "12 rue de la Gare 01300"},
			want{status: StatusAmbiguous, candidates: []string{"01034", "01058", "01015"}, warning: "commun à 3 communes", noStreetData: true}},
		{"shared postcode, no name", Query{Text: "01300"},
			want{status: StatusAmbiguous, candidates: []string{"01034", "01058", "01015"}, warning: "commun à 3 communes"}},
		{"shared postcode, unreadable name", Query{Postcode: "01300", City: "Xyzzy"},
			want{status: StatusAmbiguous, candidates: []string{"01034", "01058", "01015"}, warning: "« XYZZY » non reconnue"}},
		{"postcode of one commune, unreadable name", Query{Postcode: "93100", City: "Xyzzy"},
			want{status: StatusOK, code: "93048", warning: "commune déduite du code postal", fuzzy: true}},
		{"leading zero lost", Query{Postcode: "1300", City: "belley"}, want{status: StatusOK, code: "01034"}},
		{"postcode stored as a number", Query{Postcode: "75006.0", City: "Paris"}, want{status: StatusOK, code: "75106"}},
		{"postcode stored as a number, leading zero lost", Query{Postcode: "1300,00", City: "belley"}, want{status: StatusOK, code: "01034"}},
		{"postcode with a real fraction", Query{Postcode: "75006.5", City: "Paris"},
			want{status: StatusAmbiguous, code: "75056", candidates: paris, warning: "« 75006.5 » invalide"}},
		{"typo with postcode", Query{Postcode: "01300", City: "Beley"}, want{status: StatusOK, code: "01034", fuzzy: true, warning: "rapprochée de « Belley »"}},
		{"typo alone", Query{Text: "Sant Etienne"}, want{status: StatusOK, code: "42218", fuzzy: true, warning: "rapprochée"}},
		{"la poste abbreviation", Query{Text: "ST ETIENNE"}, want{status: StatusOK, code: "42218"}},
		{"lieu-dit with postcode", Query{Text: "ARBIGNIEU 01300"}, want{status: StatusOK, code: "01015"}},
		{"lieu-dit abbreviated", Query{Postcode: "01300", City: "Saint-Bois"}, want{status: StatusOK, code: "01015"}},
		{"deleguee and postcode", Query{Text: "Ruffieu 01260"}, want{status: StatusOK, code: "01187", former: "01330"}},
		{"deleguee alone", Query{Text: "Champtoceaux"}, want{status: StatusOK, code: "49126", former: "49069"}},
		{"deleguee sharing its commune's code", Query{Text: "Drain"}, want{status: StatusOK, code: "49126"}},
		{"former commune", Query{City: "Bouzillé"}, want{status: StatusOK, code: "49126", former: "49040"}},
		{"deleguee code", Query{Citycode: "01330"}, want{status: StatusOK, code: "01187", former: "01330"}},
		{"former code", Query{Citycode: "49040"}, want{status: StatusOK, code: "49126", former: "49040"}},
		{"unknown code", Query{Citycode: "99999", Text: "Brens"}, want{status: StatusOK, code: "01058", warning: "code commune « 99999 » inconnu"}},
		{"code against postcode", Query{Citycode: "01034", Postcode: "93100"}, want{status: StatusOK, code: "01034", warning: "ne correspond pas à la commune 01034"}},
		{"name shared by three communes", Query{Text: "Saint-Denis"},
			want{status: StatusAmbiguous, candidates: []string{"97411", "93066", "11339"}, warning: "désigne 3 communes"}},
		{"name and département", Query{Text: "Saint-Denis (93)"}, want{status: StatusOK, code: "93066"}},
		{"name and postcode", Query{Text: "93200 Saint-Denis"}, want{status: StatusOK, code: "93066"}},
		{"shared libellé", Query{Postcode: "97500", City: "ST PIERRE ET MIQUELON"},
			want{status: StatusAmbiguous, candidates: []string{"97502", "97501"}, warning: "désigne 2 communes du code postal 97500"}},
		{"commune name within a shared libellé", Query{Postcode: "97500", City: "Saint-Pierre"}, want{status: StatusOK, code: "97502"}},
		{"name wins over a postcode of its département", Query{Text: "Bobigny 93100"},
			want{status: StatusOK, code: "93008", warning: "le code postal 93100 ne correspond pas à Bobigny"}},
		{"a street named after a neighbour", Query{Text: "12 rue de Bobigny 93100"}, want{status: StatusOK, code: "93048", noStreetData: true}},
		{"city and postcode of different départements", Query{Text: "Lyon 75006"},
			want{status: StatusAmbiguous, candidates: []string{"69123", "75106"}, warning: "départements différents"}},
		{"shortened name", Query{Text: "13100 Aix"}, want{status: StatusOK, code: "13001", fuzzy: true, warning: "complétée en « Aix-en-Provence »"}},
		{"full address", Query{Text: "Cabinet Dupont, Bât. B, 3 bis avenue de la République, 93100 Montreuil Cedex"}, want{status: StatusOK, code: "93048", noStreetData: true}},
		{"country at the end", Query{Text: "93100 Montreuil France"}, want{status: StatusOK, code: "93048"}},
		{"empty", Query{}, want{status: StatusNotFound, warning: "ni code postal"}},
		{"signs only", Query{Text: " ,;- "}, want{status: StatusNotFound}},
		{"unknown name", Query{Text: "Zzyzx"}, want{status: StatusNotFound, warning: "introuvable"}},
		{"invalid postcode", Query{Postcode: "ABCDE", City: "Brens"}, want{status: StatusOK, code: "01058", warning: "invalide"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check(t, tc.q, m.Match(tc.q), tc.want)
		})
	}
}

func withoutStreets(d *Data) *Data {
	d.Streets = nil
	return d
}

func TestMatchStreet(t *testing.T) {
	m := fixtureMatcher()
	cases := []struct {
		name string
		q    Query
		want want
	}{
		{"address point", Query{Text: "12 bis rue de Vaugirard 75006 Paris"},
			want{status: StatusOK, level: LevelHouseNumber, code: "75106", label: "12 bis Rue de Vaugirard 75006 Paris"}},
		{"typed quickly", Query{Text: "12b r de vaugirard paris 6e"}, want{status: StatusOK, level: LevelHouseNumber, code: "75106"}},
		{"split fields", Query{Street: "12 ter r. de Vaugirard", Postcode: "75006", City: "Paris"},
			want{status: StatusOK, level: LevelHouseNumber, code: "75106", label: "12 ter Rue de Vaugirard 75006 Paris"}},
		{"missing bis", Query{Text: "12 rue de Vaugirard Paris"}, want{status: StatusOK, level: LevelHouseNumber, code: "75106", label: "12 Rue de Vaugirard 75006 Paris"}},
		{"bis that does not exist", Query{Text: "14 bis rue de Vaugirard 75006 Paris"},
			want{status: StatusOK, level: LevelHouseNumber, code: "75106", warning: "numéro 14 bis introuvable : position du numéro 14"}},
		{"the street settles the arrondissement", Query{Text: "300 rue de Vaugirard Paris"}, want{status: StatusOK, level: LevelHouseNumber, code: "75115"}},
		{"street over two arrondissements, no number", Query{Text: "rue de Vaugirard, Paris"},
			want{status: StatusAmbiguous, level: LevelStreet, code: "75056", candidates: []string{"75106", "75115"}, warning: "traverse 2"}},
		{"street and postcode, no number", Query{Text: "rue de Vaugirard 75015 Paris"},
			want{status: StatusOK, level: LevelStreet, code: "75115", label: "Rue de Vaugirard 75015 Paris"}},
		{"number far beyond the street", Query{Text: "999 rue de Vaugirard 75015 Paris"},
			want{status: StatusOK, level: LevelStreet, code: "75115", warning: "numéro 999 introuvable : position de la voie", numberNotFound: true}},
		{"number just beyond the street", Query{Text: "402 rue de Vaugirard 75015 Paris"},
			want{status: StatusOK, level: LevelStreet, code: "75115", warning: "position du numéro 400, le plus proche", numberNotFound: true}},
		{"number between arrondissements", Query{Text: "70 rue de Vaugirard Paris"},
			want{status: StatusOK, level: LevelStreet, code: "75106", warning: "position du numéro 60, le plus proche", numberNotFound: true}},
		{"misspelt street", Query{Text: "12 rue de Vaugirad 75006 Paris"},
			want{status: StatusOK, level: LevelHouseNumber, code: "75106", fuzzy: true, warning: "rapprochée de « Rue de Vaugirard »"}},
		{"street without article", Query{Text: "12 rue Vaugirard 75006 Paris"}, want{status: StatusOK, level: LevelHouseNumber, code: "75106", fuzzy: true}},
		{"abbreviated type and saint", Query{Text: "150 bd St-Germain 75006 Paris"}, want{status: StatusOK, level: LevelHouseNumber, code: "75106"}},
		{"the street belongs to the next arrondissement", Query{Text: "5 rue de Grenelle 75006 Paris"},
			want{status: StatusOK, level: LevelHouseNumber, code: "75107", warning: "le code postal 75006 ne correspond pas à l'adresse, située dans Paris 7e Arrondissement"}},
		{"unknown street", Query{Text: "5 rue Inconnue 75006 Paris"},
			want{status: StatusOK, level: LevelMunicipality, code: "75106", warning: "introuvable : position de la commune"}},
		{"unknown street in paris", Query{Text: "5 rue Inconnue Paris"},
			want{status: StatusAmbiguous, code: "75056", candidates: paris, warning: "voie « 5 RUE INCONNUE » introuvable dans ces communes"}},
		{"street in communes without streets", Query{Text: "12 rue de la Gare 01300"},
			want{status: StatusAmbiguous, candidates: []string{"01034", "01058", "01015"}, warning: "commun à 3 communes", noStreetData: true}},
		{"city first", Query{Text: "Paris 06, 12 rue de Vaugirard"}, want{status: StatusOK, level: LevelHouseNumber, code: "75106"}},
		{"no streets outside Paris", Query{Text: "3 rue de la République 93100 Montreuil"}, want{status: StatusOK, level: LevelMunicipality, code: "93048", noStreetData: true}},
		{"no streets in the commune of the code", Query{Street: "3 rue de la République", Citycode: "93048"},
			want{status: StatusOK, level: LevelMunicipality, code: "93048", noStreetData: true}},
		{"no streets in the arrondissement of the code", Query{Text: "12 rue de la République", Citycode: "69383"},
			want{status: StatusOK, level: LevelMunicipality, code: "69383", noStreetData: true}},
		{"commune without a street line", Query{Text: "93100 Montreuil"}, want{status: StatusOK, level: LevelMunicipality, code: "93048"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check(t, tc.q, m.Match(tc.q), tc.want)
		})
	}
}

func TestMatchAddressPoint(t *testing.T) {
	m := fixtureMatcher()
	got := m.Match(Query{Text: "12 ter rue de Vaugirard 75006 Paris"})
	var want Point
	for _, p := range fixture().Streets[0].Points {
		if p.Number == 12 && p.Suffix == "T" {
			want = p
		}
	}
	lat, lon := want.LatLon()
	if got.Lat != lat || got.Lon != lon {
		t.Errorf("point %v,%v, want %v,%v", got.Lat, got.Lon, lat, lon)
	}
	commune := m.Match(Query{Text: "93100 Montreuil"})
	if commune.Lat != 48.8638 || commune.Lon != 2.4485 {
		t.Errorf("commune point %v,%v", commune.Lat, commune.Lon)
	}
}

func TestMatchConcurrent(t *testing.T) {
	m := fixtureMatcher()
	queries := []Query{{Text: "12 bis rue de Vaugirard 75006 Paris"}, {Text: "Sant Etienne"}, {Text: "01300"}, {Postcode: "01300", City: "Beley"}}
	want := make([]Result, len(queries))
	for i, q := range queries {
		want[i] = m.Match(q)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 200; i++ {
				k := (g + i) % len(queries)
				if got := m.Match(queries[k]); got.Code != want[k].Code || got.Status != want[k].Status || got.Label != want[k].Label {
					t.Errorf("%+v: %+v, want %+v", queries[k], got, want[k])
					return
				}
				m.Suggest("sai", 3)
			}
		})
	}
	wg.Wait()
}

// syntheticFrance is a France-sized Data with made-up names: 35 000 communes under
// 6 300 postcodes (two thirds of them shared, up to a dozen communes each), La
// Poste lines with lieux-dits, and déléguées, so that benchmarks measure the
// indexes at their real size.
func syntheticFrance() *Data {
	rng := rand.New(rand.NewPCG(1, 2))
	syllables := []string{"bel", "mont", "ville", "cour", "val", "roche", "fon", "taine", "bois", "champ", "neuf",
		"sau", "ver", "lan", "gre", "mar", "pré", "lieu", "bourg", "sur", "ay", "ri", "gnac", "ac", "el", "on"}
	name := func() string {
		var b strings.Builder
		for i, n := 0, 2+rng.IntN(3); i < n; i++ {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		s := b.String()
		switch rng.IntN(6) {
		case 0:
			s = "Saint-" + strings.ToUpper(s[:1]) + s[1:]
		case 1:
			s = strings.ToUpper(s[:1]) + s[1:] + "-sur-" + strings.ToUpper(syllables[rng.IntN(len(syllables))])
		default:
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		return s
	}
	d := &Data{}
	code := 0
	for pc := 0; pc < 6300; pc++ {
		dep := 1 + pc/70
		postcode := fmt.Sprintf("%02d%03d", dep, pc%70*10)
		for i, n := 0, 1+rng.IntN(11); i < n && code < 35000; i++ {
			c := Commune{Code: fmt.Sprintf("%02d%03d", dep, code%1000), Name: name(), Kind: KindCommune,
				Departement: fmt.Sprintf("%02d", dep), Population: rng.IntN(20000), Postcodes: []string{postcode},
				Lat: 43 + rng.Float64()*7, Lon: -1 + rng.Float64()*8}
			code++
			d.Communes = append(d.Communes, c)
			upper := strings.ToUpper(strings.NewReplacer("-", " ", "é", "E", "Saint", "ST").Replace(c.Name))
			d.Postal = append(d.Postal, PostalLine{Code: c.Code, Postcode: postcode, Name: upper, Label: upper})
			if rng.IntN(8) == 0 {
				d.Postal = append(d.Postal, PostalLine{Code: c.Code, Postcode: postcode, Name: upper, Label: upper, Line5: strings.ToUpper(name())})
			}
			if rng.IntN(15) == 0 {
				d.Communes = append(d.Communes, Commune{Code: fmt.Sprintf("%02d%03d", dep, 999-code%1000), Name: name(), Kind: KindDeleguee, Parent: c.Code, Departement: c.Departement})
			}
		}
	}
	return d
}

var synthetic = sync.OnceValue(syntheticFrance)

// communeQueries are commune-level queries as a batch of cabinet addresses
// brings them: mostly postcode and city, some free text with a street, some
// name alone, some misspelt, some INSEE codes.
func communeQueries(d *Data, n int) []Query {
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]Query, 0, n)
	for len(out) < n {
		l := d.Postal[rng.IntN(len(d.Postal))]
		switch k := rng.IntN(20); {
		case k < 10:
			out = append(out, Query{Postcode: l.Postcode, City: l.Label})
		case k < 15:
			out = append(out, Query{Text: strconv.Itoa(1+rng.IntN(80)) + " rue de la Gare " + l.Postcode + " " + l.Name})
		case k < 17:
			out = append(out, Query{City: l.Name})
		case k < 19:
			typo := []byte(l.Label)
			i := 1 + rng.IntN(len(typo)-2)
			out = append(out, Query{Postcode: l.Postcode, City: string(append(typo[:i:i], typo[i+1:]...))})
		default:
			out = append(out, Query{Citycode: l.Code})
		}
	}
	return out
}

// BenchmarkMatchCommune measures commune-level matching on one core; the budget
// of "classify" is 20 000 addresses per second.
func BenchmarkMatchCommune(b *testing.B) {
	d := synthetic()
	m := NewMatcher(d)
	queries := communeQueries(d, 4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Match(queries[i%len(queries)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

func BenchmarkNewMatcher(b *testing.B) {
	d := synthetic()
	b.ReportAllocs()
	for b.Loop() {
		NewMatcher(d)
	}
}
