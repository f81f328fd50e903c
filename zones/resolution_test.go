package zones

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// The resolver on a small hand-built dataset: each commune stands for one case the
// real data holds somewhere (a commune nouvelle whose former communes disagree, an
// arrondissement, a zonage published for a place with no outline…).

const resolutionDay = "2026-01-15"

func testDataset() *Dataset {
	avenant7 := func(code, name string, c Category, region string) Zonage {
		return Zonage{Code: code, Name: name, Category: c, OfficialCode: c.OfficialCode(), Scheme: SchemeAvenant7,
			Region: region, Source: "zonage"}
	}
	overlay := avenant7("01001", "L'Abergement-Clémenciat", SousDotee, "84")
	overlay.EffectiveDate, overlay.ArreteDate, overlay.Source = "2026-06-01", "2026-03-01", "overlay:84"
	ended := avenant7("22001", "Ancienne Zone", Intermediaire, "53")
	ended.EndDate = "2025-12-01"
	derived := avenant7("44001", "Dérivée", TresSousDotee, "52")
	mismatch := avenant7("35001", "Discordante", Intermediaire, "53")
	d := &Dataset{
		Meta: Meta{Version: "test-1", ZonageSource: "jeu d'essai", ZonageVintage: "2025", GeoVintage: "COG 2025",
			RegionDates: []RegionDate{
				{Region: "52", ArreteDate: "2024-07-01", Scheme: SchemeAvenant7, Source: "t", Table: "table.csv", Rows: 2, Codes: []string{"44002", "44003"}},
				{Region: "53", ArreteDate: "2024-05-01", Source: "t", Table: "table.csv", Rows: 1, Codes: []string{"35002"}, Mismatch: "ses lignes contredisent les catégories servies"},
			}},
		Communes: []Commune{
			{Code: "01001", Name: "L'Abergement-Clémenciat", Type: CommuneActuelle, Departement: "01", Region: "84", Population: 800,
				Postcodes: []string{"01400"}, ZonageCodes: []string{"01001"}},
			{Code: "49126", Name: "Orée d'Anjou", Type: CommuneActuelle, Departement: "49", Region: "52", Population: 16000,
				ZonageCodes: []string{"49069", "49244"}},
			{Code: "27676", Name: "Les Andelys", Type: CommuneActuelle, Departement: "27", Region: "28", Population: 8000,
				ZonageCodes: []string{"27676", "27100"}, ZonageNote: "code rétabli"},
			{Code: "75106", Name: "Paris 6e Arrondissement", Type: ArrondissementMunicipal, Departement: "75", Region: "11", Parent: "75056",
				ZonageCodes: []string{"75106"}, Catchment: &Catchment{Kind: CantonVille, Code: "7506", Name: "Paris 6e"}},
			{Code: "75107", Name: "Paris 7e Arrondissement", Type: ArrondissementMunicipal, Departement: "75", Region: "11", Parent: "75056",
				ZonageCodes: []string{"75107"}},
			{Code: "22001", Name: "Sans Zonage", Departement: "22", Region: "53", ZonageCodes: []string{"22001"}},
			{Code: "22002", Name: "Raison Connue", Departement: "22", Region: "53", NoZonageReason: "commune absente de l'export"},
			{Code: "44001", Name: "Dérivée", Departement: "44", Region: "52", ZonageCodes: []string{"44001"}},
			{Code: "35001", Name: "Discordante", Departement: "35", Region: "53", ZonageCodes: []string{"35001"}},
		},
		Zonage: map[string][]Zonage{
			"01001": {avenant7("01001", "L'Abergement-Clémenciat", TresSousDotee, "84"), overlay},
			"49069": {avenant7("49069", "Champtoceaux", SousDotee, "52")},
			"49244": {avenant7("49244", "Liré", Intermediaire, "52")},
			"27676": {avenant7("27676", "Les Andelys", Intermediaire, "28")},
			"27100": {avenant7("27100", "Ancien Andelys", Intermediaire, "28")},
			"75106": {avenant7("75106", "Paris 6e Arrondissement", Intermediaire, "11")},
			"75107": {avenant7("75107", "Paris 7e Arrondissement", NonPrioritaire, "11")},
			"97701": {{Code: "97701", Name: "Saint-Barthélemy", Category: NonDisponible, Region: "01", Source: "zonage"}},
			"22001": {ended},
			"44001": {derived},
			"35001": {mismatch},
		},
		Former: map[string]FormerCommune{
			"49069": {Code: "49069", Name: "Champtoceaux", Current: "49126", Date: "2015-12-15"},
			"01099": {Code: "01099", Name: "Ancienne Abergement", Current: "01001"},
			"01098": {Code: "01098", Current: "01997"},
		},
		Arrondissements: map[string][]string{"75056": {"75106", "75107", "75108"}},
		ParentNames:     map[string]string{"75056": "Paris"},
	}
	d.Index()
	return d
}

// testLocator finds the commune a point names through the dataset.
type testLocator struct {
	ds     *Dataset
	points map[float64]locatedAt
}

type locatedAt struct {
	code   string
	inside bool
	dist   float64
}

func (l testLocator) Locate(p Point, _ float64) (int, bool, float64) {
	at, ok := l.points[p[0]]
	if !ok {
		return -1, false, 0
	}
	return l.ds.byCode[at.code], at.inside, at.dist
}

// addressTable answers address queries from a table keyed by the query's text.
type addressTable map[string]AddressMatch

func (a addressTable) MatchAddress(q Query) AddressMatch {
	if m, ok := a[q.Text]; ok {
		return m
	}
	return AddressMatch{Status: StatusNotFound}
}

func testResolver(t testing.TB) *Resolver {
	ds := testDataset()
	return &Resolver{
		Dataset:    ds,
		ToleranceM: 1000,
		Clock:      func() time.Time { return mustTestDay(resolutionDay).Time() },
		Locator: testLocator{ds, map[float64]locatedAt{
			5.0: {"01001", true, 0},
			5.1: {"01001", false, 320.4},
			2.3: {"75106", true, 0},
		}},
		Addresses: addressTable{
			"12 rue de Vaugirard Paris": {Status: StatusOK, Level: LevelHouseNumber, Code: "75106", Score: 0.987,
				Lat: 48.8493, Lon: 2.3325, Label: "12 Rue de Vaugirard 75006 Paris"},
			"rue inconnue Paris": {Status: StatusOK, Level: LevelStreet, Code: "75106", Score: 0.7, Warnings: []string{"numéro 999 absent"}},
			"Champtoceaux":       {Status: StatusOK, Level: LevelMunicipality, Code: "49069", Score: 1},
			"01400":              {Status: StatusAmbiguous, Candidates: []AddressCandidate{{Code: "01001", Name: "L'Abergement-Clémenciat"}, {Code: "01999", Name: "Inconnue"}}},
			"01401":              {Status: StatusAmbiguous, Message: "code postal partagé", Candidates: []AddressCandidate{{Code: "01001", Name: "L'Abergement-Clémenciat"}}},
			"nulle part":         {Status: StatusNotFound, Message: "adresse introuvable : aucune commune ne correspond"},
		},
	}
}

func TestResolve(t *testing.T) {
	cases := []struct {
		name       string
		q          Query
		status     Status
		commune    string   // code of the commune answered; "" = none
		category   Category // "" = no zonage in the answer
		method     Method
		precision  Precision
		message    []string // parts the message must hold
		candidates []string // codes of the candidates, in order
	}{
		{name: "point inside an outline", q: Query{Lat: 46.1, Lon: 5.0, HasPoint: true},
			status: StatusOK, commune: "01001", category: TresSousDotee, method: MethodInside, precision: PrecisionCoordinates,
			message: []string{"L'Abergement-Clémenciat (01001) : très sous-dotée"}},
		{name: "point off the simplified outlines", q: Query{Lat: 46.1, Lon: 5.1, HasPoint: true},
			status: StatusOK, commune: "01001", category: TresSousDotee, method: MethodNearest, precision: PrecisionCoordinates,
			message: []string{"rattaché à la commune la plus proche (à 320 m)"}},
		{name: "point out of France", q: Query{Lat: 10, Lon: 150, HasPoint: true},
			status: StatusNotFound, method: MethodOutside, precision: PrecisionCoordinates, message: []string{"hors de France", "1000 m"}},
		{name: "current commune code", q: Query{Citycode: "1001"},
			status: StatusOK, commune: "01001", category: TresSousDotee, method: MethodCode, precision: PrecisionCommune},
		{name: "commune nouvelle whose former communes disagree", q: Query{Citycode: "49126"},
			status: StatusAmbiguous, commune: "49126", method: MethodCode, precision: PrecisionCommune,
			message:    []string{"communes déléguées ont des catégories différentes", "Champtoceaux (49069) sous-dotée", "Liré (49244) intermédiaire"},
			candidates: []string{"49069", "49244"}},
		{name: "commune nouvelle whose former communes agree", q: Query{Citycode: "27676"},
			status: StatusOK, commune: "27676", category: Intermediaire, method: MethodCode, precision: PrecisionCommune,
			message: []string{"(code rétabli)", "toutes ses anciennes communes 27676, 27100 ont cette catégorie"}},
		{name: "Paris as a whole is zoned per arrondissement", q: Query{Citycode: "75056"},
			status: StatusAmbiguous, method: MethodCode, precision: PrecisionCommune,
			message: []string{"Paris est zonée par arrondissement"}, candidates: []string{"75106", "75107"}},
		{name: "former commune with its own published category", q: Query{Citycode: "49069"},
			status: StatusOK, commune: "49126", category: SousDotee, method: MethodFormerCode, precision: PrecisionCommune,
			message: []string{"Champtoceaux (49069) est une ancienne commune, rattachée à Orée d'Anjou (49126) depuis le 15/12/2015", "zonage publié pour 49069 : sous-dotée"}},
		{name: "former commune answered by its current commune", q: Query{Citycode: "01099"},
			status: StatusOK, commune: "01001", category: TresSousDotee, method: MethodFormerCode, precision: PrecisionCommune,
			message: []string{"Ancienne Abergement (01099) est une ancienne commune, rattachée à L'Abergement-Clémenciat (01001) ; L'Abergement"}},
		{name: "former commune of a commune the data lacks", q: Query{Citycode: "01098"},
			status: StatusNotFound, method: MethodCode, precision: PrecisionCommune, message: []string{"aucune commune de code 01098"}},
		{name: "zonage published for a place with no outline", q: Query{Citycode: "97701"},
			status: StatusOK, commune: "97701", category: NonDisponible, method: MethodCode, precision: PrecisionCommune,
			message: []string{"Saint-Barthélemy (97701) : résultat non disponible"}},
		{name: "unknown code", q: Query{Citycode: "99999"},
			status: StatusNotFound, method: MethodCode, precision: PrecisionCommune, message: []string{"aucune commune de code 99999"}},
		{name: "zonage ended and not replaced", q: Query{Citycode: "22001"},
			status: StatusNotFound, commune: "22001", method: MethodCode, precision: PrecisionCommune,
			message: []string{"a pris fin le 01/12/2025"}},
		{name: "no zonage, reason known", q: Query{Citycode: "22002"},
			status: StatusNotFound, commune: "22002", method: MethodCode, precision: PrecisionCommune,
			message: []string{"Raison Connue (22002) : commune absente de l'export"}},
		{name: "address point", q: Query{Text: "12 rue de Vaugirard Paris"},
			status: StatusOK, commune: "75106", category: Intermediaire, method: MethodAddress, precision: PrecisionAddress},
		{name: "street only", q: Query{Text: "rue inconnue Paris"},
			status: StatusOK, commune: "75106", category: Intermediaire, method: MethodAddress, precision: PrecisionAddress,
			message: []string{"numéro 999 absent ; position de la voie"}},
		{name: "address in a former commune", q: Query{Text: "Champtoceaux"},
			status: StatusOK, commune: "49126", category: SousDotee, method: MethodAddress, precision: PrecisionCommune},
		{name: "postcode shared by several communes", q: Query{Text: "01400"},
			status: StatusAmbiguous, method: MethodAddress, precision: PrecisionCommune,
			message:    []string{"plusieurs communes possibles", "L'Abergement-Clémenciat (01001) très sous-dotée", "Inconnue (01999)", "précisez la commune"},
			candidates: []string{"01001", "01999"}},
		{name: "ambiguous address with the matcher's words", q: Query{Text: "01401"},
			status: StatusAmbiguous, method: MethodAddress, precision: PrecisionCommune, message: []string{"code postal partagé : "},
			candidates: []string{"01001"}},
		{name: "address not found", q: Query{Text: "nulle part"},
			status: StatusNotFound, method: MethodAddress, precision: PrecisionCommune, message: []string{"adresse introuvable : aucune commune"}},
		{name: "address the matcher knows nothing of", q: Query{Street: "1 rue X", City: "Y"},
			status: StatusNotFound, method: MethodAddress, precision: PrecisionCommune, message: []string{"adresse introuvable"}},
	}
	r := testResolver(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := r.Resolve(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status || res.Match.Method != tc.method || res.Match.Precision != tc.precision {
				t.Errorf("status %s, method %s, precision %s; want %s, %s, %s", res.Status, res.Match.Method, res.Match.Precision, tc.status, tc.method, tc.precision)
			}
			switch {
			case tc.commune == "" && res.Commune != nil:
				t.Errorf("commune %s, want none", res.Commune.Code)
			case tc.commune != "" && (res.Commune == nil || res.Commune.Code != tc.commune):
				t.Errorf("commune %+v, want %s", res.Commune, tc.commune)
			}
			switch {
			case tc.category == "" && res.Zonage != nil:
				t.Errorf("zonage %s, want none", res.Zonage.Category)
			case tc.category != "" && (res.Zonage == nil || res.Zonage.Category != tc.category):
				t.Errorf("zonage %+v, want %s", res.Zonage, tc.category)
			}
			for _, m := range tc.message {
				if !strings.Contains(res.Message, m) {
					t.Errorf("message %q, want it to hold %q", res.Message, m)
				}
			}
			var codes []string
			for _, c := range res.Candidates {
				codes = append(codes, c.Code)
			}
			if !slices.Equal(codes, tc.candidates) {
				t.Errorf("candidates %v, want %v", codes, tc.candidates)
			}
			if res.Provenance.DatasetVersion != "test-1" {
				t.Errorf("provenance %+v", res.Provenance)
			}
		})
	}
}

func TestResolveRefuses(t *testing.T) {
	r := testResolver(t)
	cases := []struct {
		name  string
		q     Query
		field string
	}{
		{"latitude out of range", Query{Lat: 95, Lon: 2, HasPoint: true}, "latitude"},
		{"longitude out of range", Query{Lat: 45, Lon: -200, HasPoint: true}, "longitude"},
		{"malformed code", Query{Citycode: "75X10"}, "code INSEE"},
		{"nothing given", Query{Text: "  "}, ""},
		{"address too long", Query{Text: strings.Repeat("rue ", 300)}, "adresse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Resolve(tc.q)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("err = %v, want an InputError on %s", err, tc.field)
			}
		})
	}
	if _, err := r.ResolveCode("12"); err == nil {
		t.Error("ResolveCode accepted a two-digit code")
	}
	noAddress := &Resolver{Dataset: testDataset()}
	if _, err := noAddress.Resolve(Query{Text: "12 rue de Vaugirard"}); err == nil || !strings.Contains(err.Error(), "pas disponible") {
		t.Errorf("without an address matcher: %v", err)
	}
}

// What an answer says of its dates: its own, one derived from official rows of
// its region, none when those rows disagree with the data, and an arrêté published
// for later.
func TestResolveDates(t *testing.T) {
	r := testResolver(t)
	get := func(code string) *ZonageAnswer {
		t.Helper()
		res, err := r.ResolveCode(code)
		if err != nil || res.Zonage == nil {
			t.Fatalf("%s: %v, %+v", code, err, res)
		}
		return res.Zonage
	}
	if z := get("44001"); z.DateStatus != DateDerived || z.ArreteDate != "2024-07-01" || z.DateEvidence == nil ||
		!strings.Contains(z.DateNote, "2 lignes de la table officielle table.csv (44002, 44003)") {
		t.Errorf("derived date: %+v", z)
	}
	if z := get("35001"); z.DateStatus != DateUnknown || z.ArreteDate != "" || !strings.Contains(z.DateNote, "ses lignes contredisent") {
		t.Errorf("mismatched date: %+v", z)
	}
	z := get("01001")
	if z.Upcoming == nil || z.Upcoming.Category != SousDotee || z.Upcoming.EffectiveDate != "2026-06-01" || z.Upcoming.DateStatus != DatePublished {
		t.Errorf("upcoming: %+v", z.Upcoming)
	}
	if z.Region.Name == "" || z.Region.Name == "84" || z.SchemeLabel != SchemeAvenant7.Label() {
		t.Errorf("region and scale named: %+v", z)
	}
	// On the day the overlay takes effect, it is the answer.
	if res, _ := r.ResolveCodeOn("01001", mustTestDay("2026-06-01")); res.Zonage == nil || res.Zonage.Category != SousDotee || res.Zonage.Upcoming != nil {
		t.Errorf("after the overlay's date: %+v", res.Zonage)
	}
	if res, _ := r.ResolveCode("75106"); res.Zonage == nil || res.Zonage.Catchment == nil || res.Zonage.Catchment.Code != "7506" {
		t.Errorf("the commune's catchment completes the answer: %+v", res.Zonage)
	}
}

// Every point of a commune gets the same cached answer, but a caller changing its
// copy changes nobody else's.
func TestResolveCachedAnswerIsACopy(t *testing.T) {
	r := testResolver(t)
	first, _ := r.ResolveCode("49126")
	first.Candidates[0].Code = "changed"
	first.Message = "changed"
	again, _ := r.ResolveCode("49126")
	if again.Candidates[0].Code != "49069" || again.Message == "changed" {
		t.Errorf("the cache was changed through a copy: %+v", again)
	}
}

// The resolver assesses options with the rules it carries, not with a global table.
func TestResolverCarriesItsRules(t *testing.T) {
	tbl := rulesWithRegionalAmount(t)
	for _, tc := range []struct {
		name  string
		rules *Rules
		want  int
	}{
		{"embedded rules", nil, 49000},
		{"rules of its own", &Rules{tbl}, 60000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testResolver(t)
			r.Rules = tc.rules
			res, _ := r.ResolveCode("01001")
			r.FillOptions(&res, Profile{Status: Titulaire})
			if len(res.Options) != 1 {
				t.Fatalf("%d assessments, want 1", len(res.Options))
			}
			if got := findAidIn(res.Options[0], "caccmk").MaxAmountEUR; got != tc.want {
				t.Errorf("CACCMK max %d, want %d", got, tc.want)
			}
		})
	}
	r := testResolver(t)
	res, _ := r.ResolveCode("49126")
	r.FillOptions(&res, Profile{})
	for _, c := range res.Candidates {
		if len(c.Options) != len(PracticeStatuses()) {
			t.Errorf("candidate %s: %d assessments, want one per status", c.Code, len(c.Options))
		}
	}
}

func TestClassify(t *testing.T) {
	r := testResolver(t)
	cases := []struct {
		name string
		f    BatchFields
		want []string // zonage_* columns
	}{
		{"coordinates", BatchFields{Lat: "46,1", Lon: "5"},
			[]string{"01001", "L'Abergement-Clémenciat", "tres_sous_dotee", "très sous-dotée", "ok", "coordonnees", "1.00"}},
		{"nearest commune scores by distance", BatchFields{Lat: "46.1", Lon: "5.1"},
			[]string{"01001", "L'Abergement-Clémenciat", "tres_sous_dotee", "très sous-dotée", "ok", "coordonnees", "0.84"}},
		{"code", BatchFields{Citycode: " 75106 "},
			[]string{"75106", "Paris 6e Arrondissement", "intermediaire", "intermédiaire", "ok", "commune", "1.00"}},
		{"address scores as matched", BatchFields{Text: "12 rue de Vaugirard Paris"},
			[]string{"75106", "Paris 6e Arrondissement", "intermediaire", "intermédiaire", "ok", "adresse", "0.99"}},
		{"ambiguous has no category", BatchFields{Citycode: "49126"},
			[]string{"49126", "Orée d'Anjou", "", "", "ambigu", "commune", "1.00"}},
		{"not found has no score", BatchFields{Citycode: "99999"},
			[]string{"", "", "", "", "introuvable", "commune", ""}},
		{"a name in the code column falls back to the address", BatchFields{Citycode: "Paris", Text: "12 rue de Vaugirard Paris"},
			[]string{"75106", "Paris 6e Arrondissement", "intermediaire", "intermédiaire", "ok", "adresse", "0.99"}},
		{"unreadable latitude", BatchFields{Lat: "48°51'", Lon: "2.3", Line: 7},
			[]string{"", "", "", "", "erreur", "", ""}},
		{"row of the wrong width", BatchFields{Problem: "ligne 9 : 3 champs au lieu de 4", Citycode: "75106"},
			[]string{"", "", "", "", "erreur", "", ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := r.ClassifyFields(tc.f)
			got := c.Values()
			if len(got) != len(ClassificationColumns) {
				t.Fatalf("%d values for %d columns", len(got), len(ClassificationColumns))
			}
			if !slices.Equal(got[:7], tc.want) {
				t.Errorf("columns %q, want %q", got[:7], tc.want)
			}
		})
	}
	if c := r.ClassifyFields(BatchFields{Lat: "48°51'", Lon: "2.3", Line: 7}); c.Message != "ligne 7 : latitude « 48°51' » invalide : nombre décimal attendu (ex. 48.8493)" {
		t.Errorf("message %q", c.Message)
	}
	if c := r.ClassifyFields(BatchFields{Lat: "46.1", Lon: "est"}); !strings.Contains(c.Message, "longitude « est »") {
		t.Errorf("message %q", c.Message)
	}
	if c := r.ClassifyFields(BatchFields{Problem: "ligne 9 : 3 champs au lieu de 4"}); c.Message != "ligne 9 : 3 champs au lieu de 4" {
		t.Errorf("message %q", c.Message)
	}
}

func TestCommuneRecords(t *testing.T) {
	r := testResolver(t)
	byCode := map[string]CommuneRecord{}
	for _, rec := range r.CommuneRecords() {
		if got := rec.Values(); len(got) != len(RecordColumns) {
			t.Fatalf("%d values for %d columns", len(got), len(RecordColumns))
		}
		byCode[rec.Code] = rec
	}
	if rec := byCode["75106"]; rec.Category != Intermediaire || rec.Status != StatusOK || rec.CatchmentCode != "7506" || rec.DatasetVersion != "test-1" {
		t.Errorf("75106: %+v", rec)
	}
	if rec := byCode["49126"]; rec.Category != "" || rec.Status != StatusAmbiguous ||
		!strings.Contains(rec.Note, "49069 Champtoceaux : sous-dotée ; 49244 Liré : intermédiaire") {
		t.Errorf("49126: %+v", rec)
	}
	if rec := byCode["22002"]; rec.Status != StatusNotFound || !strings.Contains(rec.Note, "commune absente de l'export") {
		t.Errorf("22002: %+v", rec)
	}
}

func TestSuggestCommunes(t *testing.T) {
	ds := testDataset()
	cases := []struct {
		text  string
		limit int
		want  []string
	}{
		{"paris", 10, []string{"75106", "75107"}},
		{"75107", 10, []string{"75107"}},
		// Names that contain it, the more populated first, then by code.
		{"an", 10, []string{"49126", "27676", "22001", "35001"}},
		{"les andelys", 10, []string{"27676"}},
		{"paris", 1, []string{"75106"}},
		{"  ", 10, nil},
		{"paris", 0, nil},
	}
	for _, tc := range cases {
		var got []string
		for _, c := range ds.SuggestCommunes(tc.text, tc.limit) {
			got = append(got, c.Code)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("SuggestCommunes(%q, %d) = %v, want %v", tc.text, tc.limit, got, tc.want)
		}
	}
}

func TestCommuneCodes(t *testing.T) {
	for in, want := range map[string]bool{"75106": true, "2A004": true, "2b033": false, "7510": false, "7510A": false, "AB123": false} {
		if ValidCommuneCode(in) != want {
			t.Errorf("ValidCommuneCode(%q) = %v", in, !want)
		}
	}
	for in, want := range map[string]string{"1001": "01001", " 2b033 ": "2B033", "75106": "75106", "abc": "ABC",
		"75106.0": "75106", "1001,00": "01001", "75106.5": "75106.5", "75106.": "75106.", "106.0": "106.0", "2A004.0": "2A004.0"} {
		if got := NormalizeCommuneCode(in); got != want {
			t.Errorf("NormalizeCommuneCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func mustTestDay(iso string) Day {
	d, err := ParseDay(iso)
	if err != nil {
		panic(err)
	}
	return d
}

// A code cell that is no INSEE code, beside address cells, is set aside for them,
// and the answer says so instead of passing over the row's own cell in silence.
func TestResolveFieldsSaysWhenTheCodeIsSetAside(t *testing.T) {
	r := testResolver(t)
	res, err := r.ResolveFields(BatchFields{Citycode: "abc", Text: "Champtoceaux", Line: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commune == nil || res.Commune.Code != "49126" && res.Commune.Code != "49069" {
		t.Fatalf("commune %+v, want the address's", res.Commune)
	}
	want := "code INSEE « abc » invalide, ignoré"
	if !strings.Contains(res.Message, want) || !slices.ContainsFunc(res.Match.Warnings, func(w string) bool { return strings.Contains(w, want) }) {
		t.Errorf("message %q, warnings %q: want %q", res.Message, res.Match.Warnings, want)
	}
	// A valid code is used as it is, with no such warning.
	res, err = r.ResolveFields(BatchFields{Citycode: "01001", Text: "Champtoceaux"})
	if err != nil || strings.Contains(res.Message, "ignoré") {
		t.Errorf("valid code: %q, %v", res.Message, err)
	}
	// A code alone, with nothing to fall back on, is still an error naming it.
	if _, err := r.ResolveFields(BatchFields{Citycode: "abc", Line: 3}); err == nil || !strings.Contains(err.Error(), "abc") {
		t.Errorf("code alone: %v", err)
	}
}

// The note of a point attached to the nearest commune writes its distance as
// fmt writes %.0f, halves and float steps included.
func TestAppendNearestNote(t *testing.T) {
	for _, m := range []float64{0, 0.49999999999999994, 0.5, 1.5, 2.5, 12.5, 999.5, 999.4999999999999, 1000, math.Nextafter(1000, 0),
		math.Nextafter(1000, 2000), 123.456789012345, 1e-300, 7.0000000000000009} {
		want := fmt.Sprintf("point hors des contours simplifiés, rattaché à la commune la plus proche (à %.0f m) ; ", m)
		if got := string(AppendNearestNote([]byte("x"), m)); got != "x"+want {
			t.Errorf("%v: %q, want %q", m, got, "x"+want)
		}
	}
}
