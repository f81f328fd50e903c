package zones

import (
	"strings"
	"testing"
)

func TestRegionLookup(t *testing.T) {
	cases := []struct {
		name, query, want string
	}{
		{"code", "84", "Auvergne-Rhône-Alpes"},
		{"name with accents", "Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes"},
		{"upper case, no accents", "PROVENCE ALPES COTE D AZUR", "Provence-Alpes-Côte d'Azur"},
		{"abbreviation", "aura", "Auvergne-Rhône-Alpes"},
		{"overseas", "La Réunion", "La Réunion"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := RegionByCode(tc.query)
			if !ok {
				r, ok = RegionByName(tc.query)
			}
			if !ok || r.Name != tc.want {
				t.Fatalf("%q → %+v, want %s", tc.query, r, tc.want)
			}
		})
	}
	if _, ok := RegionByName("Atlantide"); ok {
		t.Fatal("unknown region found")
	}
	if n := len(embedded().regions); n != 18 {
		t.Fatalf("%d regions, want 13 metropolitan + 5 overseas", n)
	}
}

// Every regional date rests on a known source key; the table refuses the others.
func TestRegionsTableValidation(t *testing.T) {
	for _, r := range embedded().regions {
		for _, a := range []*RegionArrete{r.Current, r.Previous} {
			if a == nil {
				continue
			}
			for _, k := range a.Sources {
				if _, ok := SourceByKey(k); !ok {
					t.Errorf("region %s cites unknown source %s", r.Code, k)
				}
			}
		}
	}
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown source key", "- code: \"84\"\n  name: X\n  current:\n    effective_date: 2024-11-01\n    sources: [R-NOPE]\n", "regions.yaml:1 : région 84 : clé de source inconnue « R-NOPE »"},
		{"date without source", "- code: \"84\"\n  name: X\n  current:\n    effective_date: 2024-11-01\n", "date sans source"},
		{"bad date", "- code: \"11\"\n  name: X\n- code: \"84\"\n  name: Y\n  current:\n    effective_date: 01/11/2024\n    sources: [R-ARA]\n", "regions.yaml:3 : région 84 : date « 01/11/2024 » invalide"},
		{"unknown scheme", "- code: \"84\"\n  name: X\n  scheme: avenant9\n", "échelle inconnue « avenant9 »"},
		{"duplicate", "- code: \"84\"\n  name: X\n- code: \"84\"\n  name: Y\n", "regions.yaml:3 : région 84 en double"},
		{"unknown field", "- code: \"84\"\n  name: X\n  nom: Y\n", "regions.yaml:3 : champ inconnu « nom »"},
		{"retained date beside claims", "- code: \"84\"\n  name: X\n  current:\n    effective_date: 2024-11-01\n    sources: [R-ARA]\n    claims:\n      - effective_date: 2025-11-01\n        sources: [R-ARA-2025]\n", "une date retenue ne va pas avec claims"},
		{"claim without source", "- code: \"84\"\n  name: X\n  current:\n    claims:\n      - effective_date: 2025-11-01\n", "date sans source"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseRegions([]byte(tc.yaml), "regions.yaml", embedded().sources)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestFillRegionalDates(t *testing.T) {
	cases := []struct {
		name           string
		in             ZonageAnswer
		arrete, effect string
		note, firstSrc string
		status         string
		claims         []string // "date source" of each claim shown, in order
	}{
		{name: "date given by the source is kept", in: ZonageAnswer{Region: regionRef("76"), Scheme: SchemeAvenant7, ArreteDate: "2024-10-29"}, arrete: "2024-10-29"},
		{name: "Normandie from the regional table", in: ZonageAnswer{Region: regionRef("28"), Scheme: SchemeAvenant7}, effect: "2025-02-01", note: "publications régionales", firstSrc: "R-NOR"},
		{name: "Bretagne: the date of publication in the recueil, said as such", in: ZonageAnswer{Region: regionRef("53"), Scheme: SchemeAvenant7}, arrete: "2024-11-20", effect: "2024-11-21",
			note: "date de publication de l'arrêté au recueil des actes administratifs", firstSrc: "R-BRE", status: DateRegional},
		{name: "AURA: two dates, neither picked, the second without a page found", in: ZonageAnswer{Region: regionRef("84"), Scheme: SchemeAvenant7},
			note: "le 01/11/2025 est aussi annoncé, mais la page qui le dirait n'a pas été retrouvée ; aucune date n'est retenue", firstSrc: "R-ARA", status: DateConflict,
			claims: []string{"2024-11-01 R-ARA", "2025-11-01 R-ARA-2025"}},
		{name: "Grand Est: no date found", in: ZonageAnswer{Region: regionRef("44"), Scheme: SchemeAvenant7}, note: "non trouvée", status: DateUnknown},
		{name: "La Réunion: the 2019 arrêté does not fit the served data", in: ZonageAnswer{Region: regionRef("04"), Scheme: SchemeAvenant5}, note: "date inconnue : l'arrêté du 28/05/2019 ne correspond pas", firstSrc: "R-RUN", status: DateUnknown,
			claims: []string{"2019-05-28 R-RUN"}},
		{name: "Saint-Barthélemy: no region, the note says why", in: ZonageAnswer{Region: regionRef("977"), Category: NonDisponible},
			note: "date de l'arrêté inconnue : Saint-Barthélemy n'est dans aucune des régions", status: DateUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.in
			fillRegionalDates(&a)
			if a.ArreteDate != tc.arrete || a.EffectiveDate != tc.effect {
				t.Errorf("dates %q/%q, want %q/%q", a.ArreteDate, a.EffectiveDate, tc.arrete, tc.effect)
			}
			if !strings.Contains(a.DateNote, tc.note) {
				t.Errorf("note %q, want it to contain %q", a.DateNote, tc.note)
			}
			if tc.firstSrc != "" && (len(a.DateSources) == 0 || a.DateSources[0] != tc.firstSrc) {
				t.Errorf("sources %v, want %s first", a.DateSources, tc.firstSrc)
			}
			if tc.status != "" && a.DateStatus != tc.status {
				t.Errorf("date status %q, want %q", a.DateStatus, tc.status)
			}
			var claims []string
			for _, c := range a.DateClaims {
				claims = append(claims, strings.TrimSpace(c.ArreteDate+c.EffectiveDate+" "+strings.Join(c.Sources, ",")))
			}
			if strings.Join(claims, "|") != strings.Join(tc.claims, "|") {
				t.Errorf("claims %v, want %v", claims, tc.claims)
			}
		})
	}
}

// The rules speak Ameli's words: « 1 départ pour 1 installation ».
func TestRegulationWording(t *testing.T) {
	for _, b := range [][]byte{rulesYAML} {
		if strings.Contains(string(b), "1 arrivée") {
			t.Error("rules.yaml still says « 1 départ pour 1 arrivée »")
		}
	}
	if !strings.Contains(string(rulesYAML), "« 1 départ pour 1 installation »") {
		t.Error("rules.yaml lacks Ameli's « 1 départ pour 1 installation »")
	}
	a1, _ := SourceByKey("A1")
	if len(a1.URLs) == 0 || !strings.Contains(a1.URLs[0], "ameli.fr") {
		t.Errorf("A1 = %+v, want the ameli page that uses the phrase", a1)
	}
	rezone, _ := SourceByKey("A5")
	for _, u := range rezone.URLs {
		if strings.TrimRight(u, "/") == "https://rezonekine.ameli.fr" {
			t.Error("A5 still cites the RÉZONE base page, which uses pre-avenant-7 wording")
		}
	}
	if l, ok := SourceByKey("L-VALLETOUX"); !ok || !strings.Contains(l.Title, "2023-1268") {
		t.Errorf("loi Valletoux missing from the bibliography: %+v", l)
	}
}
