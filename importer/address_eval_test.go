package importer

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"zonage/geo/address"
	"zonage/zones"
)

var (
	addressOnce    sync.Once
	addressData    *address.Data
	addressLaPoste []LaPosteRow
	addressBAN     []BANRow
	addressErr     error
)

// addressSources reads, once per test binary, the files the address matcher is
// built from, in place in the shared data folder: the newest COG, its history,
// La Poste's postcodes and the BAN addresses of Paris.
func addressSources(tb testing.TB) (*address.Data, []LaPosteRow, []BANRow) {
	tb.Helper()
	dir := importTestDataDir(tb)
	addressOnce.Do(func() {
		cogs, _ := filepath.Glob(filepath.Join(dir, "decoupage_administratif", "v*_cog*", "communes.json*"))
		sort.Slice(cogs, func(i, j int) bool { return cogYear(cogs[i]) < cogYear(cogs[j]) })
		if len(cogs) == 0 {
			addressErr = ErrNoData
			return
		}
		var communes []COGCommune
		if communes, addressErr = ReadDecoupageCommunes(cogs[len(cogs)-1]); addressErr != nil {
			return
		}
		var former map[string]zones.FormerCommune
		if former, addressErr = historyFormers(dir, communes); addressErr != nil {
			return
		}
		if addressLaPoste, addressErr = ReadLaPoste(filepath.Join(dir, "codes_postaux", "laposte_base_officielle_codes_postaux_datanova_2025-06-19.csv.gz")); addressErr != nil {
			return
		}
		if addressBAN, addressErr = ReadBANAddresses(filepath.Join(dir, "ban", "ban_adresses-75_2024-06.csv.gz")); addressErr != nil {
			return
		}
		addressData, _ = BuildAddressData(communes, former, addressLaPoste, addressBAN)
	})
	if addressErr != nil {
		tb.Fatal(addressErr)
	}
	return addressData, addressLaPoste, addressBAN
}

func cogYear(path string) string {
	if m := decoupageDir.FindStringSubmatch(filepath.Base(filepath.Dir(path))); m != nil {
		return m[1]
	}
	return ""
}

// historyFormers is, in short, what the import's reconciliation gives the
// address data: every code of the COG history that is no longer a current
// commune, with its last name and the commune it now belongs to. The full import
// is not run here: it reads every outline, which the race detector makes slow.
func historyFormers(dir string, communes []COGCommune) (map[string]zones.FormerCommune, error) {
	passage, err := ReadHistoryPassage(filepath.Join(dir, "cog", "cogiter2025_table_passage_com_historique.csv"))
	if err != nil {
		return nil, err
	}
	moves, err := ReadMovements(filepath.Join(dir, "cog", "cogiter2025_mvtcommunes.csv.gz"))
	if err != nil {
		return nil, err
	}
	current := map[string]bool{}
	for _, c := range communes {
		if c.Type == "commune-actuelle" || c.Type == "arrondissement-municipal" {
			current[c.Code] = true
		}
	}
	names := map[string]string{}
	for _, m := range moves {
		if m.NameBefore != "" {
			names[m.CodeBefore] = m.NameBefore
		}
	}
	out := map[string]zones.FormerCommune{}
	for old, cur := range passage {
		if current[old] || !current[cur] {
			continue
		}
		out[old] = zones.FormerCommune{Code: old, Name: names[old], Current: cur}
	}
	return out, nil
}

// TestAddressLaPosteAccuracy matches every La Poste line the way a user would
// type it — postcode and libellé d'acheminement, and postcode and ligne 5 when
// there is one — and expects the line's commune.
//
// The rule for the 99 % bar: a query counts when it carries enough information,
// that is when no line of another commune uses the same postcode with the same
// name once normalised. Otherwise (the two communes of Saint-Pierre-et-Miquelon
// share "97500 ST PIERRE ET MIQUELON"; a lieu-dit of one commune is the name of
// another commune of the same postcode) no reader could tell them apart: such
// queries must come out "ambigu" with the right commune among the candidates,
// and are counted apart. An arrondissement of Paris, Lyon or Marseille is
// accepted for its city.
func TestAddressLaPosteAccuracy(t *testing.T) {
	d, laPoste, _ := addressSources(t)
	m := address.NewMatcher(d)
	t.Logf("%d lignes La Poste, dont %d rattachées à une commune actuelle et évaluées", len(laPoste), len(d.Postal))
	parent := map[string]string{}
	for _, c := range d.Communes {
		if c.Kind == address.KindArrondissement {
			parent[c.Code] = c.Parent
		}
	}
	// Which communes use each (postcode, name) pair.
	users := map[[2]string]map[string]bool{}
	use := func(pc, name, code string) {
		k := [2]string{pc, string(address.AppendNormalized(nil, name))}
		if users[k] == nil {
			users[k] = map[string]bool{}
		}
		users[k][code] = true
	}
	for _, l := range d.Postal {
		use(l.Postcode, l.Name, l.Code)
		use(l.Postcode, l.Label, l.Code)
		if l.Line5 != "" {
			use(l.Postcode, l.Line5, l.Code)
		}
	}
	type stats struct{ informative, ok, shared, sharedAmbiguous, sharedOK int }
	var byField [2]stats
	var misses []string
	for _, l := range d.Postal {
		for f, name := range []string{l.Label, l.Line5} {
			if name == "" {
				continue
			}
			got := m.Match(address.Query{Postcode: l.Postcode, City: name})
			right := got.Status == address.StatusOK && (got.Code == l.Code || parent[got.Code] == l.Code)
			st := &byField[f]
			if len(users[[2]string{l.Postcode, string(address.AppendNormalized(nil, name))}]) > 1 {
				st.shared++
				switch {
				case right:
					st.sharedOK++
				case got.Status == address.StatusAmbiguous && hasCandidate(got, l.Code):
					st.sharedAmbiguous++
				default:
					misses = append(misses, fmt.Sprintf("%s %q (nom partagé) : attendu %s, obtenu %s %s %s %v", l.Postcode, name, l.Code, got.Status, got.Code, got.Name, got.Warnings))
				}
				continue
			}
			st.informative++
			if right {
				st.ok++
				continue
			}
			misses = append(misses, fmt.Sprintf("%s %q : attendu %s, obtenu %s %s %s %v", l.Postcode, name, l.Code, got.Status, got.Code, got.Name, got.Warnings))
		}
	}
	for f, label := range []string{"code postal + libellé d'acheminement", "code postal + ligne 5"} {
		st := byField[f]
		acc := float64(st.ok) / float64(st.informative)
		t.Logf("%s : %d/%d justes (%.3f %%) ; %d requêtes à nom partagé entre communes : %d ambiguës avec la bonne candidate, %d justes",
			label, st.ok, st.informative, 100*acc, st.shared, st.sharedAmbiguous, st.sharedOK)
		if acc < 0.99 {
			t.Errorf("%s : précision %.3f %% < 99 %%", label, 100*acc)
		}
	}
	t.Logf("%d erreurs", len(misses))
	for i, s := range misses {
		if i == 50 {
			break
		}
		t.Logf("  %s", s)
	}
}

func hasCandidate(r address.Result, code string) bool {
	for _, c := range r.Candidates {
		if c.Code == code {
			return true
		}
	}
	return false
}

// TestAddressBANParisAccuracy rewrites a seeded sample of BAN addresses of
// Paris the way people type them — lower case, no accents, "bd", "av", "r",
// "st", "Paris 6e" or "Paris VI" instead of the postcode, "75006 PARIS", a
// forgotten "bis", split fields, no arrondissement at all — and expects the
// arrondissement BAN gives (code_insee).
func TestAddressBANParisAccuracy(t *testing.T) {
	d, _, ban := addressSources(t)
	m := address.NewMatcher(d)
	rng := rand.New(rand.NewPCG(2024, 6))
	const sample = 2500
	var ok, precise int
	var misses []string
	forms := map[string][2]int{}
	for i := 0; i < sample; i++ {
		r := ban[rng.IntN(len(ban))]
		q, form := typedAddress(r, rng)
		got := m.Match(q)
		f := forms[form]
		f[1]++
		if got.Status == address.StatusOK && got.Code == r.Code {
			ok++
			f[0]++
			if got.Level == address.LevelHouseNumber {
				precise++
			}
		} else {
			misses = append(misses, fmt.Sprintf("%s %+v : attendu %s, obtenu %s %s %s %v", form, q, r.Code, got.Status, got.Level, got.Code, got.Warnings))
		}
		forms[form] = f
	}
	acc := float64(ok) / sample
	t.Logf("BAN Paris : %d/%d arrondissements justes (%.2f %%), %d au numéro près", ok, sample, 100*acc, precise)
	for _, form := range slices.Sorted(maps.Keys(forms)) {
		t.Logf("  %-28s %d/%d", form, forms[form][0], forms[form][1])
	}
	t.Logf("%d erreurs", len(misses))
	for i, s := range misses {
		if i == 50 {
			break
		}
		t.Logf("  %s", s)
	}
	if acc < 0.99 {
		t.Errorf("précision %.2f %% < 99 %%", 100*acc)
	}
}

// typedAddress writes a BAN address as someone filling a form might, and names
// the way it was written.
func typedAddress(r BANRow, rng *rand.Rand) (address.Query, string) {
	arr, _ := strconv.Atoi(r.Code[3:])
	number := strconv.Itoa(r.Number)
	rep := strings.ToLower(r.Rep)
	if rep == "b" {
		rep = "bis"
	} else if rep == "t" {
		rep = "ter"
	}
	forgetRep := rep != "" && rng.IntN(2) == 0
	if rep != "" && !forgetRep {
		number += []string{" " + rep, rep}[rng.IntN(2)]
	}
	street := r.Street
	abbreviated := rng.IntN(2) == 0
	if abbreviated {
		street = abbreviateStreet(street, rng)
	}
	plain := stripAccents(strings.ToLower(number + " " + street))
	ordinal := strconv.Itoa(arr) + "e"
	if arr == 1 {
		ordinal = "1er"
	}
	roman := []string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"}[arr]
	suffix := ""
	if forgetRep {
		suffix = ", sans indice"
	}
	switch form := rng.IntN(7); form {
	case 0:
		return address.Query{Text: plain + " " + r.Postcode + " paris"}, "minuscules + code postal" + suffix
	case 1:
		return address.Query{Text: plain + " paris " + ordinal}, "Paris 6e" + suffix
	case 2:
		return address.Query{Text: strings.ToUpper(plain) + " " + r.Postcode + " PARIS"}, "MAJUSCULES 75006 PARIS" + suffix
	case 3:
		return address.Query{Text: number + " " + street + ", Paris " + strconv.Itoa(arr) + "ème"}, "Paris 6ème" + suffix
	case 4:
		return address.Query{Text: plain + " paris " + roman}, "Paris VI" + suffix
	case 5:
		return address.Query{Street: number + " " + street, Postcode: r.Postcode, City: "Paris"}, "champs séparés" + suffix
	default:
		return address.Query{Text: plain + " paris"}, "sans arrondissement" + suffix
	}
}

var streetAbbreviations = map[string][]string{
	"rue": {"r", "r."}, "avenue": {"av", "av.", "ave"}, "boulevard": {"bd", "bld", "boul."}, "place": {"pl", "pl."},
	"impasse": {"imp"}, "allée": {"all"}, "quai": {"qu"}, "square": {"sq"}, "cours": {"crs"}, "chemin": {"che"},
	"route": {"rte"}, "faubourg": {"fg", "fbg"}, "saint": {"st"}, "sainte": {"ste"}, "passage": {"pass"},
}

func abbreviateStreet(s string, rng *rand.Rand) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' })
	for i, w := range words {
		if alts, ok := streetAbbreviations[strings.ToLower(w)]; ok {
			words[i] = alts[rng.IntN(len(alts))]
		}
	}
	return strings.Join(words, " ")
}

func stripAccents(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "î", "i", "ï", "i",
		"ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "œ", "oe", "æ", "ae", "É", "E", "È", "E").Replace(s)
}

// TestAddressLaPosteTypos makes one typing error — a letter dropped, doubled,
// swapped with its neighbour or replaced — in the libellé of a seeded sample of
// La Poste lines, given with their postcode, and expects the line's commune
// with a score below 1. Names of fewer than 6 letters are left out: one error in
// five letters makes another name as often as not.
func TestAddressLaPosteTypos(t *testing.T) {
	d, _, _ := addressSources(t)
	m := address.NewMatcher(d)
	rng := rand.New(rand.NewPCG(19, 6))
	var tried, ok, alone, aloneOK, aloneAmbiguous int
	var misses []string
	for _, l := range d.Postal {
		if len(l.Label) < 6 || rng.IntN(10) != 0 {
			continue
		}
		typo := misspell(l.Label, rng)
		if string(address.AppendNormalized(nil, typo)) == string(address.AppendNormalized(nil, l.Label)) {
			continue
		}
		tried++
		got := m.Match(address.Query{Postcode: l.Postcode, City: typo})
		if got.Status == address.StatusOK && got.Code == l.Code {
			ok++
		} else {
			misses = append(misses, fmt.Sprintf("%s %q (%s) : attendu %s, obtenu %s %s %s", l.Postcode, typo, l.Label, l.Code, got.Status, got.Code, got.Name))
		}
		if rng.IntN(4) == 0 {
			alone++
			switch got := m.Match(address.Query{City: typo}); {
			case got.Status == address.StatusOK && got.Code == l.Code:
				aloneOK++
			case got.Status == address.StatusAmbiguous:
				aloneAmbiguous++
			}
		}
	}
	acc := float64(ok) / float64(tried)
	t.Logf("libellé avec une faute + code postal : %d/%d justes (%.2f %%) ; sans code postal : %d/%d justes, %d ambigus, %d autres",
		ok, tried, 100*acc, aloneOK, alone, aloneAmbiguous, alone-aloneOK-aloneAmbiguous)
	for i, s := range misses {
		if i == 30 {
			break
		}
		t.Logf("  %s", s)
	}
	if acc < 0.97 {
		t.Errorf("précision %.2f %% < 97 %%", 100*acc)
	}
}

// misspell makes one typing error in s, away from its first letter.
func misspell(s string, rng *rand.Rand) string {
	b := []byte(s)
	i := 1 + rng.IntN(len(b)-2)
	switch rng.IntN(4) {
	case 0:
		return string(append(b[:i:i], b[i+1:]...))
	case 1:
		return string(append(b[:i+1:i+1], b[i:]...))
	case 2:
		b[i], b[i+1] = b[i+1], b[i]
		return string(b)
	default:
		b[i] = "AEIOURSTLN"[rng.IntN(10)]
		return string(b)
	}
}

func TestBuildAddressData(t *testing.T) {
	communes := []COGCommune{
		{Code: "49126", Name: "Orée d'Anjou", Type: "commune-actuelle", Departement: "49", Postcodes: []string{"49270"}},
		{Code: "49069", Name: "Champtoceaux", Type: "commune-deleguee", Departement: "49", Parent: "49126"},
		{Code: "75056", Name: "Paris", Type: "commune-actuelle", Departement: "75"},
		{Code: "75106", Name: "Paris 6e Arrondissement", Type: "arrondissement-municipal", Departement: "75", Parent: "75056", Postcodes: []string{"75006"}},
		{Code: "75107", Name: "Paris 7e Arrondissement", Type: "arrondissement-municipal", Departement: "75", Parent: "75056", Postcodes: []string{"75007"}},
	}
	former := map[string]zones.FormerCommune{
		"49040": {Code: "49040", Name: "Bouzillé", Current: "49126"},
		// The history table predates the COG: the déléguée wins.
		"49069": {Code: "49069", Name: "Champtoceaux", Current: "49999"},
		"75008": {Code: "75008", Name: "", Current: "75106"},
	}
	laPoste := []LaPosteRow{
		{Code: "49069", Name: "OREE D ANJOU", Postcode: "49270", Label: "OREE D ANJOU", Line5: "CHAMPTOCEAUX", Lat: 47.3, Lon: -1.2, HasPoint: true},
		{Code: "75106", Name: "PARIS 06", Postcode: "75006", Label: "PARIS", Lat: 48.84, Lon: 2.33, HasPoint: true},
		{Code: "75107", Name: "PARIS 07", Postcode: "75007", Label: "PARIS", Lat: 48.86, Lon: 2.31, HasPoint: true},
		{Code: "99138", Name: "MONACO", Postcode: "98000", Label: "MONACO", Lat: 43.7, Lon: 7.4, HasPoint: true},
	}
	ban := []BANRow{
		{Number: 12, Rep: "b", Street: "Rue de Vaugirard", Postcode: "75006", Code: "75106", Lon: 2.3331, Lat: 48.8489},
		{Number: 2, Street: "Rue de Vaugirard", Postcode: "75006", Code: "75106", Lon: 2.3340, Lat: 48.8490},
		{Number: 12, Street: "Rue de Vaugirard", Postcode: "75006", Code: "75106", Lon: 2.3332, Lat: 48.8488},
		{Number: 12, Rep: "bis", Street: "rue de Vaugirard", Postcode: "75006", Code: "75106", Lon: 2.4, Lat: 48.9},
		{Number: 99999, Street: "Lieu-dit", Code: "75106"},
		{Number: 1, Street: "Rue de Vaugirard", Postcode: "75015", Code: "75115"},
	}
	d, notes := BuildAddressData(communes, former, laPoste, ban)
	t.Run("la poste lines under a former code go to the current commune", func(t *testing.T) {
		if len(d.Postal) != 3 || d.Postal[0].Code != "49126" {
			t.Errorf("%+v", d.Postal)
		}
	})
	t.Run("former communes other than the déléguées", func(t *testing.T) {
		if len(d.Former) != 1 || d.Former[0] != (address.FormerName{Code: "49040", Name: "Bouzillé", Current: "49126"}) {
			t.Errorf("%+v", d.Former)
		}
	})
	t.Run("points", func(t *testing.T) {
		byCode := map[string]address.Commune{}
		for _, c := range d.Communes {
			if c.Kind != address.KindDeleguee {
				byCode[c.Code] = c
			}
		}
		if c := byCode["49126"]; c.Lat != 47.3 || c.Lon != -1.2 {
			t.Errorf("Orée d'Anjou %v,%v", c.Lat, c.Lon)
		}
		if c := byCode["75056"]; math.Abs(c.Lat-48.85) > 1e-9 || math.Abs(c.Lon-2.32) > 1e-9 {
			t.Errorf("Paris %v,%v: want the middle of its arrondissements", c.Lat, c.Lon)
		}
	})
	t.Run("streets", func(t *testing.T) {
		if len(d.Streets) != 1 {
			t.Fatalf("%d streets: %+v", len(d.Streets), d.Streets)
		}
		st := d.Streets[0]
		var pts []string
		for _, p := range st.Points {
			pts = append(pts, fmt.Sprint(p.Number, p.Suffix))
		}
		if st.Code != "75106" || st.Name != "Rue de Vaugirard" || st.Postcode != "75006" || strings.Join(pts, " ") != "2 12 12B" {
			t.Errorf("%+v: points %v", st, pts)
		}
		if st.Points[2].Lat != 488489000 || st.Points[2].Lon != 23331000 {
			t.Errorf("12 bis at %v,%v: the first of the duplicates is kept", st.Points[2].Lat, st.Points[2].Lon)
		}
	})
	t.Run("notes", func(t *testing.T) {
		joined := strings.Join(notes, "\n")
		for _, w := range []string{"1 codes commune absents du COG ignorées (99138)", "BAN : 2 adresses"} {
			if !strings.Contains(joined, w) {
				t.Errorf("notes %q lack %q", notes, w)
			}
		}
	})
}

// TestAddressDataSnapshot checks that the address data of France survives the
// snapshot's gob encoding, and logs its size and decoding time.
func TestAddressDataSnapshot(t *testing.T) {
	d, _, _ := addressSources(t)
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(d); err != nil {
		t.Fatal(err)
	}
	size := buf.Len()
	start := time.Now()
	var back address.Data
	if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
		t.Fatal(err)
	}
	decode := time.Since(start)
	if len(back.Communes) != len(d.Communes) || len(back.Postal) != len(d.Postal) || len(back.Former) != len(d.Former) ||
		len(back.Streets) != len(d.Streets) || !reflect.DeepEqual(back.Streets[100], d.Streets[100]) || !reflect.DeepEqual(back.Communes[100], d.Communes[100]) {
		t.Error("gob round trip changed the data")
	}
	streets := *d
	streets.Communes, streets.Postal, streets.Former = nil, nil, nil
	buf.Reset()
	if err := gob.NewEncoder(&buf).Encode(&streets); err != nil {
		t.Fatal(err)
	}
	t.Logf("gob : %.1f Mo (dont rues de Paris %.1f Mo), décodé en %v ; %d communes, %d lignes La Poste, %d anciennes communes, %d rues",
		float64(size)/1e6, float64(buf.Len())/1e6, decode.Round(time.Millisecond), len(d.Communes), len(d.Postal), len(d.Former), len(d.Streets))
}

// BenchmarkAddressNewMatcherFrance measures the start-up cost of the matcher on
// the real data of France, without and with the BAN streets of Paris.
func BenchmarkAddressNewMatcherFrance(b *testing.B) {
	d, _, _ := addressSources(b)
	communes := *d
	communes.Streets = nil
	for _, bc := range []struct {
		name string
		data *address.Data
	}{{"communes", &communes}, {"communes+Paris_streets", d}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				address.NewMatcher(bc.data)
			}
		})
	}
}

// BenchmarkAddressMatchFrance measures commune-level matching on the real data,
// on queries made from La Poste lines as a batch of cabinet addresses brings
// them: postcode and city, free text with a street, name alone, one typing
// error, INSEE code.
func BenchmarkAddressMatchFrance(b *testing.B) {
	d, _, _ := addressSources(b)
	m := address.NewMatcher(d)
	rng := rand.New(rand.NewPCG(5, 6))
	queries := make([]address.Query, 4096)
	for i := range queries {
		l := d.Postal[rng.IntN(len(d.Postal))]
		switch k := rng.IntN(20); {
		case k < 10:
			queries[i] = address.Query{Postcode: l.Postcode, City: l.Label}
		case k < 15:
			queries[i] = address.Query{Text: strconv.Itoa(1+rng.IntN(80)) + " rue de la Gare " + l.Postcode + " " + l.Name}
		case k < 17:
			queries[i] = address.Query{City: l.Name}
		case k < 19 && len(l.Label) >= 4:
			queries[i] = address.Query{Postcode: l.Postcode, City: misspell(l.Label, rng)}
		case k == 19:
			queries[i] = address.Query{Citycode: l.Code}
		default:
			queries[i] = address.Query{Postcode: l.Postcode, City: l.Label}
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Match(queries[i%len(queries)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}
