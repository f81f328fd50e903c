package zones

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// lineOf is the 1-based line of the first occurrence of s in text.
func lineOf(t *testing.T, text, s string) int {
	t.Helper()
	i := strings.Index(text, s)
	if i < 0 {
		t.Fatalf("%q not found", s)
	}
	return strings.Count(text[:i], "\n") + 1
}

// parseTestRules reads a rules file against the embedded sources and regions.
func parseTestRules(t *testing.T, b []byte, name string) (*rulesTable, error) {
	t.Helper()
	tables, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	return parseRules(b, name, tables.sources, tables.regionCodes())
}

// testRules is the embedded rules table.
func testRules(t testing.TB) *Rules {
	t.Helper()
	r, err := EmbeddedRules()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRulesTableLoads(t *testing.T) {
	if _, err := parseTestRules(t, rulesYAML, "rules.yaml"); err != nil {
		t.Fatal(err)
	}
	installRules := testRules(t).table
	if installRules.newGraduate.fromYear != 2023 || installRules.newGraduate.yearsInEstablishment != 2 {
		t.Errorf("new-graduate thresholds %d / %v", installRules.newGraduate.fromYear, installRules.newGraduate.yearsInEstablishment)
	}
	// Placeholders are filled at load, so every number is written once.
	if !strings.Contains(installRules.newGraduate.text, "en 2023 ou après") || strings.Contains(installRules.newGraduate.text, "{") {
		t.Errorf("new-graduate text not filled: %q", installRules.newGraduate.text)
	}
}

// A mistake in the rules file fails the load with its file and line. Each case edits the
// real file: the first occurrence of old becomes new, and the error must point at the
// line where `at` first occurs in the edited file (or the section named by at).
func TestRulesValidation(t *testing.T) {
	cases := []struct {
		name, old, new, at, want string
	}{
		{"unknown category",
			"categories: [tres_sous_dotee, sous_dotee, intermediaire]", "categories: [tres_sous_dotee, sous_dote, intermediaire]",
			"sous_dote,", "catégorie inconnue « sous_dote »"},
		{"unknown status",
			"applies_to: [titulaire, collaborateur, assistant]", "applies_to: [titulaire, collaborateur, gerant]",
			"gerant", "statut inconnu « gerant »"},
		{"unknown status in an aid path",
			"      - statuses: [collaborateur, assistant]\n        installed_within_years: 3", "      - statuses: [collaborateur, assistante]\n        installed_within_years: 3",
			"assistante", "statut inconnu « assistante »"},
		{"unknown source key",
			"sources: [A1, A2, L1]", "sources: [A1, A2, L99]",
			"L99", "clé de source inconnue « L99 »"},
		{"unknown source key in a condition",
			"sources: [R-PDL-A]\n      - &contrat_type", "sources: [R-PDL-Z]\n      - &contrat_type",
			"R-PDL-Z", "clé de source inconnue « R-PDL-Z »"},
		{"category of the other scale",
			"categories: [sur_dotee]", "categories: [non_prioritaire]",
			"categories: [non_prioritaire]\n        statuses: [titulaire]\n      - schemes: [avenant5]", "la catégorie non_prioritaire n'existe pas dans l'échelle avenant5"},
		{"rule for non_disponible",
			"categories: [tres_sous_dotee, sous_dotee, intermediaire]", "categories: [tres_sous_dotee, non_disponible, intermediaire]",
			"tres_sous_dotee, non_disponible", "pas de règle pour non_disponible"},
		{"unknown scale",
			"- schemes: [avenant7]", "- schemes: [avenant8]",
			"avenant8", "échelle inconnue « avenant8 »"},
		{"unknown project",
			"projects: [integration]", "projects: [rachat]",
			"rachat", "projet inconnu « rachat »"},
		{"unknown field",
			"    duration: \"5 ans, non renouvelable\"", "    duree: \"5 ans, non renouvelable\"",
			"duree", "champ inconnu « duree »"},
		{"unknown authority",
			"    authority: ars", "    authority: prefet",
			"prefet", "autorité inconnue « prefet »"},
		{"unknown region in a contrat-type régional",
			"- region: \"52\"", "- region: \"99\"",
			"\"99\"", "région inconnue « 99 »"},
		{"regional amount without a note",
			"    aids: [cammk]\n    duration:", "    aids: [cammk]\n    yearly_eur: 5000\n    duration:",
			"- region: \"28\"\n    aids: [cammk]", "un changement de montant demande une note"},
		{"unknown placeholder",
			"les {engagement} premières années de son", "les {engagements} premières années de son",
			"new_graduate:", "espace réservé {engagements} inconnu"},
		{"status both eligible and excluded",
			"      - statuses: [remplacant]\n        text: \"L'exonération vise", "      - statuses: [assistant]\n        text: \"L'exonération vise",
			"- code: exoneration_cfe", "aide exoneration_cfe : statut assistant à la fois dans paths et excluded"},
		{"scale × category × status without conventionnement",
			"      - schemes: [avenant5]\n        categories: [tres_dotee]\n        statuses: [remplacant]\n", "",
			"conventionnement:", "aucune règle pour remplacant en zone tres_dotee (avenant5)"},
		{"two conventionnement rules for one case",
			"statuses: [titulaire, collaborateur, assistant]", "statuses: [titulaire, collaborateur, assistant, remplacant]",
			"", "deux règles pour remplacant en zone tres_sous_dotee (avenant7)"},
		{"unknown contract for the stagiaire option",
			"with_contract: [caccmk, caimk, cammk]", "with_contract: [caccmk, cimk, cammk]",
			"cimk,", "contrat « cimk » inconnu"},
		{"missing message",
			"  - code: sans_contrat\n", "  - code: sans_contrats\n",
			"sans_contrats", "message « sans_contrats » inconnu"},
		{"unknown field in a condition",
			"        sources: [R-NOR-A]\n      - text: \"Au moins 50 %", "        sources: [R-NOR-A]\n        source: [R-NOR-A]\n      - text: \"Au moins 50 %",
			"source: [R-NOR-A]", "champ inconnu « source »"},
		{"field written twice",
			"    authority: ars", "    authority: ars\n    authority:   cpam",
			"authority:   cpam", "champ « authority » en double"},
		{"word for a number",
			"studies_start_year_from: 2023", "studies_start_year_from: deux-mille",
			"deux-mille", "« deux-mille » : un nombre entier attendu"},
		{"list for a text",
			"    authority: ars", "    authority: [ars]",
			"[ars]", "valeur simple attendue"},
		// A syntax error stops yaml.v3 before any node exists: its own message gives the line.
		{"YAML syntax",
			"caveats:\n", "caveats:\n  - code: [\n",
			"- code: [", "zones/rules.yaml : yaml: line "},
	}
	position := regexp.MustCompile(`^zones/rules\.yaml(:\d+ : | : yaml: line \d+: )`)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orig := string(rulesYAML)
			if !strings.Contains(orig, tc.old) {
				t.Fatalf("rules.yaml no longer contains %q", tc.old)
			}
			edited := strings.Replace(orig, tc.old, tc.new, 1)
			_, err := parseTestRules(t, []byte(edited), "zones/rules.yaml")
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", tc.want)
			}
			if !position.MatchString(err.Error()) {
				t.Errorf("error %q has no file:line position", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			if tc.at != "" {
				pos := fmt.Sprintf("rules.yaml:%d : ", lineOf(t, edited, tc.at))
				if tc.name == "YAML syntax" {
					pos = fmt.Sprintf("yaml: line %d: ", lineOf(t, edited, tc.at))
				}
				if !strings.Contains(err.Error(), pos) {
					t.Errorf("error %q, want position %q", err, pos)
				}
			}
		})
	}
}

// rulesWithRegionalAmount is the embedded rules with a contrat-type régional in
// Auvergne-Rhône-Alpes (84) that raises the CACCMK to 60 000 €.
func rulesWithRegionalAmount(t *testing.T) *rulesTable {
	t.Helper()
	edited := strings.Replace(string(rulesYAML), "regional_overrides:\n", `regional_overrides:
  - region: "84"
    aids: [caccmk]
    max_amount_eur: 60000
    amount_text: "jusqu'à 60 000 € sur 5 ans"
    note: "contrat-type régional d'essai"
    sources: [R-ARA]
`, 1)
	tbl, err := parseTestRules(t, []byte(edited), "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// Regional amounts are data: a contrat-type régional that changes an amount changes
// what the assessment says for that region only.
func TestRegionalAmountOverride(t *testing.T) {
	tbl := rulesWithRegionalAmount(t)
	for region, want := range map[string]int{"84": 60000, "53": 49000} {
		a := tbl.assess(answer(TresSousDotee, SchemeAvenant7, region), Titulaire, Profile{}, testDate.Time())
		x := findAidIn(a, "caccmk")
		if x.MaxAmountEUR != want {
			t.Errorf("region %s: CACCMK max %d, want %d", region, x.MaxAmountEUR, want)
		}
		if region == "84" && (x.AmountText != "jusqu'à 60 000 € sur 5 ans" || len(x.Regional) != 1 || !hasItem(x.Sources, "R-ARA")) {
			t.Errorf("region 84: %+v", x)
		}
	}
}
