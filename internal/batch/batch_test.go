package batch

import (
	"errors"
	"strings"
	"testing"
	"time"

	"zonage/zones"
)

// twoScales is a small dataset answered for two scales: the kinés' and the one
// every other profession gets here, which disagrees with it where it matters.
func twoScales() (kine, other *zones.Dataset) {
	communes := []zones.Commune{
		{Code: "01001", Name: "Simple", Region: "84", ZonageCodes: []string{"01001"}},
		// Ambiguous for the kinés (its former communes differ), not for the others.
		{Code: "49126", Name: "Orée d'Anjou", Region: "52", ZonageCodes: []string{"49069", "49244"}},
		// The reverse.
		{Code: "27676", Name: "Les Andelys", Region: "28", ZonageCodes: []string{"27676", "27100"}},
		// In the others' zonage only.
		{Code: "22002", Name: "Sans Kiné", Region: "53", ZonageCodes: []string{"22002"}},
		{Code: "75106", Name: "Paris 6e Arrondissement", Region: "11", Parent: "75056", ZonageCodes: []string{"75106"}},
		{Code: "75107", Name: "Paris 7e Arrondissement", Region: "11", Parent: "75056", ZonageCodes: []string{"75107"}},
	}
	z := func(code string, c zones.Category) zones.Zonage {
		return zones.Zonage{Code: code, Name: code, Category: c, OfficialCode: c.OfficialCode(), Region: "84", Source: "t"}
	}
	build := func(cats map[string]zones.Category) *zones.Dataset {
		d := &zones.Dataset{Meta: zones.Meta{Version: "t"}, Communes: communes, Zonage: map[string][]zones.Zonage{},
			Former:          map[string]zones.FormerCommune{"49069": {Code: "49069", Name: "Champtoceaux", Current: "49126"}},
			Arrondissements: map[string][]string{"75056": {"75106", "75107"}}, ParentNames: map[string]string{"75056": "Paris"}}
		for code, c := range cats {
			d.Zonage[code] = []zones.Zonage{z(code, c)}
		}
		d.Index()
		return d
	}
	kine = build(map[string]zones.Category{"01001": zones.TresSousDotee, "49069": zones.SousDotee, "49244": zones.Intermediaire,
		"27676": zones.Intermediaire, "27100": zones.Intermediaire, "75106": zones.Intermediaire, "75107": zones.NonPrioritaire})
	other = build(map[string]zones.Category{"01001": zones.Intermediaire, "49069": zones.Intermediaire, "49244": zones.Intermediaire,
		"27676": zones.SousDotee, "27100": zones.TresDotee, "22002": zones.TresSousDotee, "75106": zones.SurDotee, "75107": zones.SurDotee})
	return kine, other
}

// pointLocator finds the commune a longitude names.
type pointLocator struct{ ds *zones.Dataset }

var pointCodes = map[float64]string{1: "01001", 2: "27676", 3: "75106"}

func (l pointLocator) Locate(p zones.Point, _ float64) (int, bool, float64) {
	for i, c := range l.ds.Communes {
		if c.Code == pointCodes[p.Lon()] {
			return i, true, 0
		}
	}
	return -1, false, 0
}

type addresses map[string]zones.AddressMatch

func (a addresses) MatchAddress(q zones.Query) zones.AddressMatch {
	if m, ok := a[q.Text]; ok {
		return m
	}
	return zones.AddressMatch{Status: zones.StatusNotFound, Message: "adresse introuvable"}
}

// testResolvers answers the kiné from its scale and every other profession from
// the other one, each with a resolver of its own; missing professions have no data.
func testResolvers(missing ...zones.Profession) ResolverFor {
	kine, other := twoScales()
	clock := func() time.Time { return time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC) }
	addr := addresses{
		"1 rue Simple": {Status: zones.StatusOK, Level: zones.LevelHouseNumber, Code: "01001", Score: 0.9},
		"Paris ou Andelys": {Status: zones.StatusAmbiguous, Candidates: []zones.AddressCandidate{
			{Code: "75106", Name: "Paris 6e"}, {Code: "75107", Name: "Paris 7e"}}},
	}
	resolvers := map[zones.Profession]*zones.Resolver{}
	for _, p := range zones.Professions() {
		ds := other
		if p == zones.MasseurKine {
			ds = kine
		}
		resolvers[p] = &zones.Resolver{Dataset: ds, Locator: pointLocator{ds}, ToleranceM: 1000, Clock: clock, Addresses: addr}
	}
	return func(p zones.Profession) (*zones.Resolver, error) {
		for _, m := range missing {
			if m == p {
				return nil, &zones.InputError{Field: "profession", Value: string(p), Reason: "absente des données"}
			}
		}
		return resolvers[p], nil
	}
}

func TestParseChoice(t *testing.T) {
	cases := []struct {
		raw  string
		want Choice
	}{
		{"", Choice{Profession: zones.MasseurKine}},
		{" Infirmier ", Choice{Profession: zones.Infirmier}},
		{"ALL", Choice{Profession: zones.MasseurKine, All: true}},
		{"sage-femme", Choice{Profession: zones.SageFemme}},
	}
	for _, tc := range cases {
		got, err := ParseChoice(tc.raw)
		if err != nil || got != tc.want {
			t.Errorf("ParseChoice(%q) = %+v, %v; want %+v", tc.raw, got, err, tc.want)
		}
	}
	_, err := ParseChoice("kiné")
	var ie *zones.InputError
	if !errors.As(err, &ie) || ie.Field != "profession" ||
		err.Error() != "profession « kiné » invalide : attendu masseur-kinesitherapeute, infirmier, orthophoniste, sage-femme, chirurgien-dentiste, all" {
		t.Fatalf("%v", err)
	}
}

func TestColumns(t *testing.T) {
	one, err := New(testResolvers(), Choice{Profession: zones.Infirmier})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(one.Columns(), ",") != strings.Join(zones.ClassificationColumns, ",") || one.LateColumns() != nil ||
		strings.Join(one.CountColumns(), ",") != "zonage_statut,zonage_categorie" {
		t.Fatalf("one profession: %v / %v / %v", one.Columns(), one.LateColumns(), one.CountColumns())
	}
	all, err := New(testResolvers(), Choice{All: true})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(zones.ClassificationColumns, ",") + ",zonage_categorie_masseur-kinesitherapeute,zonage_categorie_infirmier," +
		"zonage_categorie_orthophoniste,zonage_categorie_sage-femme,zonage_categorie_chirurgien-dentiste"
	if strings.Join(all.Columns(), ",") != want || len(all.LateColumns()) != 5 || len(all.CountColumns()) != 7 {
		t.Fatalf("all: %v / %v / %v", all.Columns(), all.LateColumns(), all.CountColumns())
	}
}

func TestNewRefusesProfessionsWithoutData(t *testing.T) {
	if _, err := New(testResolvers(zones.SageFemme), Choice{Profession: zones.Infirmier}); err != nil {
		t.Fatalf("a profession with data: %v", err)
	}
	_, err := New(testResolvers(zones.SageFemme), Choice{Profession: zones.SageFemme})
	if err == nil || !strings.Contains(err.Error(), "absente des données") {
		t.Fatalf("one profession without data: %v", err)
	}
	_, err = New(testResolvers(zones.SageFemme, zones.Orthophoniste), Choice{All: true})
	var ie *zones.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "pas le zonage des orthophonistes, sages-femmes ;") {
		t.Fatalf("all without two professions: %v", err)
	}
}

// queries are rows of every kind: located or not, ambiguous for one scale and
// not the other, in error.
var queries = []struct {
	name string
	f    zones.BatchFields
}{
	{"point", zones.BatchFields{Lat: "45", Lon: "1"}},
	{"code", zones.BatchFields{Citycode: "01001"}},
	{"address", zones.BatchFields{Text: "1 rue Simple"}},
	{"point in a commune ambiguous for the others", zones.BatchFields{Lat: "45", Lon: "2"}},
	{"point in an arrondissement", zones.BatchFields{Lat: "45", Lon: "3"}},
	{"ambiguous for the kinés only", zones.BatchFields{Citycode: "49126"}},
	{"ambiguous for the others only", zones.BatchFields{Citycode: "27676"}},
	{"former commune with its own category", zones.BatchFields{Citycode: "49069"}},
	{"no kiné zonage", zones.BatchFields{Citycode: "22002"}},
	{"city zoned by arrondissement", zones.BatchFields{Citycode: "75056"}},
	{"ambiguous address", zones.BatchFields{Text: "Paris ou Andelys"}},
	{"address not found", zones.BatchFields{Text: "nulle part"}},
	{"outside France", zones.BatchFields{Lat: "45", Lon: "9"}},
	{"bad latitude", zones.BatchFields{Lat: "95", Lon: "1", Line: 7}},
	{"row problem", zones.BatchFields{Problem: "ligne 9 : 3 champs au lieu de 2", Citycode: "01001"}},
}

// TestAllAgreesWithEachProfession: with all, the usual columns are the kinés'
// run's (its message aside) and each profession's column is the category a run
// for that profession alone gives, row by row.
func TestAllAgreesWithEachProfession(t *testing.T) {
	forP := testResolvers()
	all, err := New(forP, Choice{All: true})
	if err != nil {
		t.Fatal(err)
	}
	usual := len(zones.ClassificationColumns)
	for _, q := range queries {
		got := all.Classify(q.f)
		if len(got) != usual+len(zones.Professions()) {
			t.Fatalf("%s: %d cells", q.name, len(got))
		}
		for i, p := range zones.Professions() {
			one, err := New(forP, Choice{Profession: p})
			if err != nil {
				t.Fatal(err)
			}
			single := one.Classify(q.f)
			if got[usual+i] != single[2] {
				t.Errorf("%s: %s column %q, its own run says %q (%v)", q.name, p, got[usual+i], single[2], single)
			}
			if p == zones.MasseurKine {
				if strings.Join(got[:7], "|") != strings.Join(single[:7], "|") || !strings.HasPrefix(got[7], single[7]) {
					t.Errorf("%s: usual columns %q, the kinés' run %q", q.name, got[:usual], single)
				}
			}
		}
	}
}

func TestAllValues(t *testing.T) {
	all, err := New(testResolvers(), Choice{All: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		f                  zones.BatchFields
		status, kine, inf  string
		message, noMessage string
	}{
		{f: zones.BatchFields{Lat: "45", Lon: "1"}, status: "ok", kine: "tres_sous_dotee", inf: "intermediaire", noMessage: "infirmiers"},
		{f: zones.BatchFields{Citycode: "49126"}, status: "ambigu", kine: "", inf: "intermediaire", noMessage: "infirmiers"},
		{f: zones.BatchFields{Citycode: "27676"}, status: "ok", kine: "intermediaire", inf: "",
			message: "Les Andelys (27676) : intermédiaire (commune nouvelle ; toutes ses anciennes communes 27676, 27100 ont cette catégorie) ; " +
				"infirmiers, orthophonistes, sages-femmes, chirurgiens-dentistes : Les Andelys (27676) est une commune nouvelle dont les communes déléguées ont des catégories différentes : " +
				"27676 (27676) sous-dotée, 27100 (27100) très dotée ; la catégorie dépend de la commune déléguée où se trouve le cabinet"},
		{f: zones.BatchFields{Citycode: "49069"}, status: "ok", kine: "sous_dotee", inf: "intermediaire"},
		{f: zones.BatchFields{Citycode: "22002"}, status: "introuvable", kine: "", inf: "tres_sous_dotee"},
		{f: zones.BatchFields{Citycode: "75056"}, status: "ambigu", kine: "", inf: "", noMessage: "infirmiers"},
		{f: zones.BatchFields{Lat: "95", Lon: "1", Line: 7}, status: "erreur", kine: "", inf: "", message: "ligne 7 : latitude « 95 » invalide"},
	}
	usual := len(zones.ClassificationColumns)
	for _, tc := range cases {
		got := all.Classify(tc.f)
		if got[4] != tc.status || got[2] != tc.kine || got[usual] != tc.kine || got[usual+1] != tc.inf {
			t.Errorf("%+v: %q", tc.f, got)
		}
		if !strings.Contains(got[7], tc.message) || (tc.noMessage != "" && strings.Contains(got[7], tc.noMessage)) {
			t.Errorf("%+v: message %q", tc.f, got[7])
		}
	}
}

// flagPostcode says every code contradicts the postcode 99999.
type flagPostcode struct{}

func (flagPostcode) CodeConflict(code, postcode, city string) string {
	if postcode == "99999" {
		return "le code postal 99999 ne correspond pas à la commune " + code + " : code commune retenu"
	}
	return ""
}

// Rows whose postcode contradicts their code keep the code's answer, say so in
// zonage_message and are counted, with one profession or all.
func TestCodeConflictsCounted(t *testing.T) {
	forP := testResolvers()
	for _, choice := range []Choice{{Profession: zones.MasseurKine}, {All: true}} {
		for _, p := range zones.Professions() {
			r, _ := forP(p)
			r.Codes = flagPostcode{}
		}
		cl, err := New(forP, choice)
		if err != nil {
			t.Fatal(err)
		}
		rows := []zones.BatchFields{
			{Citycode: "01001", Postcode: "99999"},
			{Citycode: "01001", Postcode: "01400"},
			{Citycode: "75106", City: "Paris", Postcode: "99999"},
			{Lat: "45", Lon: "1", Postcode: "99999"},
		}
		for i, f := range rows {
			got := cl.Classify(f)
			flagged := strings.Contains(got[messageCell], "ne correspond pas")
			if flagged != (i == 0 || i == 2) || got[4] != "ok" {
				t.Errorf("%s, %+v: %q", choice, f, got)
			}
		}
		if n := cl.CodeConflicts(); n != 2 {
			t.Errorf("%s: %d rows counted, want 2", choice, n)
		}
	}
}
