package zones

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// validInstallation is the smallest installation table the loader accepts: every
// profession but the kiné, each with one item.
const validInstallation = `infirmier:
  convention: "Convention des infirmiers"
  official_page: {title: "Page", url: "https://example.org/ide"}
  sources: [IDE-PAPS-OCC]
  items:
    - kind: conventionnement
      categories: [sur_dotee]
      title: "Une arrivée pour un départ"
      text: "Succession d'un infirmier qui cesse son activité."
      sources: [IDE-PAPS-OCC]
orthophoniste:
  convention: "Convention des orthophonistes"
  official_page: {title: "Page", url: "https://example.org/ortho"}
  sources: [ORT-MIN]
  items:
    - kind: aide
      categories: [sous_dense]
      title: "CAPIOP"
      text: "30 000 €."
      amount_eur: 30000
      sources: [ORT-FNO]
sage-femme:
  convention: "Convention des sages-femmes"
  official_page: {title: "Page", url: "https://example.org/sf"}
  sources: [SF-AV4]
  items:
    - kind: autre
      categories: [intermediaire]
      title: "Aides des collectivités"
      text: "L.1511-8 CGCT."
      sources: [SF-ARS-NOR]
chirurgien-dentiste:
  convention: "Convention des chirurgiens-dentistes"
  official_page: {title: "Page", url: "https://example.org/cd"}
  sources: [CD-AMELI-ZNP]
  items:
    - kind: engagement
      categories: [tres_sous_dotee]
      title: "Engagements"
      text: "Exercer dans la zone."
      sources: [CD-AMELI-CI]
`

func parseTestInstallation(t *testing.T, text string) (*InstallationRules, error) {
	t.Helper()
	tables, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	return parseInstallation([]byte(text), "installation.yaml", tables.sources)
}

func TestParseInstallationErrors(t *testing.T) {
	cases := []struct {
		name, old, new string
		// at is the text whose line the error must name; want is in the reason.
		at, want string
	}{
		{"unknown source key", "sources: [IDE-PAPS-OCC]\n  items", "sources: [IDE-NULLE-PART]\n  items",
			"IDE-NULLE-PART", "clé de source inconnue « IDE-NULLE-PART »"},
		{"unknown source key in an item", "sources: [ORT-FNO]", "sources: [ORT-INVENTE]",
			"ORT-INVENTE", "clé de source inconnue « ORT-INVENTE »"},
		{"item without sources", "      sources: [SF-ARS-NOR]\n", "",
			"kind: autre", "aucune source"},
		{"category off the profession's scale", "categories: [sur_dotee]", "categories: [non_prioritaire]",
			"non_prioritaire", "la catégorie non_prioritaire n'est pas sur l'échelle des infirmiers"},
		{"sous-dense off the dentists' scale", "categories: [tres_sous_dotee]", "categories: [sous_dense]",
			"categories: [sous_dense]\n      title: \"Engagements\"", "n'est pas sur l'échelle des chirurgiens-dentistes"},
		{"unknown category", "categories: [intermediaire]", "categories: [moyenne]",
			"moyenne", "catégorie inconnue « moyenne »"},
		{"non_disponible is no rule's category", "categories: [intermediaire]", "categories: [non_disponible]",
			"non_disponible", "catégorie inconnue « non_disponible »"},
		{"unknown profession", "sage-femme:", "sage-femmes:",
			"sage-femmes:", "profession inconnue « sage-femmes » (attendu infirmier, orthophoniste, sage-femme, chirurgien-dentiste)"},
		{"the kiné's rules are elsewhere", "sage-femme:", "masseur-kinesitherapeute:",
			"masseur-kinesitherapeute:", "ses règles sont dans rules.yaml"},
		{"unknown kind", "kind: engagement", "kind: obligation",
			"kind: obligation", "type inconnu « obligation »"},
		{"unknown field", "      title: \"Engagements\"", "      titre: \"Engagements\"",
			"titre:", "champ inconnu « titre »"},
		{"negative amount", "amount_eur: 30000", "amount_eur: -1",
			"kind: aide", "amount_eur -1 négatif"},
		{"amount not a number", "amount_eur: 30000", "amount_eur: beaucoup",
			"amount_eur", "« beaucoup » : un nombre entier attendu"},
		{"official page not a web address", "url: \"https://example.org/cd\"", "url: \"ameli\"",
			"chirurgien-dentiste:", "official_page.url « ameli » n'est pas une adresse http(s)"},
		{"missing convention", "  convention: \"Convention des orthophonistes\"\n", "",
			"orthophoniste:", "convention : texte manquant"},
		{"item without category", "      categories: [sur_dotee]\n", "",
			"kind: conventionnement", "aucune catégorie"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(validInstallation, tc.old) {
				t.Fatalf("%q is not in the valid table", tc.old)
			}
			text := strings.Replace(validInstallation, tc.old, tc.new, 1)
			_, err := parseTestInstallation(t, text)
			if err == nil {
				t.Fatal("no error")
			}
			at := fmt.Sprintf("installation.yaml:%d : ", lineOf(t, text, tc.at))
			if !strings.HasPrefix(err.Error(), at) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %q, want %q… %q", err, at, tc.want)
			}
		})
	}
}

func TestParseInstallationWholeTable(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"missing profession", validInstallation[:strings.Index(validInstallation, "chirurgien-dentiste:")],
			"installation.yaml:1 : profession « chirurgien-dentiste » absente"},
		{"profession twice", validInstallation + "infirmier:\n  convention: x\n",
			fmt.Sprintf("installation.yaml:%d : profession « infirmier » en double", strings.Count(validInstallation, "\n")+1)},
		{"not a table", "- infirmier\n", "installation.yaml:1 : une table profession → règles d'installation est attendue"},
		{"duplicate item", strings.Replace(validInstallation, "      title: \"Engagements\"\n      text: \"Exercer dans la zone.\"\n      sources: [CD-AMELI-CI]\n",
			"      title: \"Engagements\"\n      text: \"Exercer dans la zone.\"\n      sources: [CD-AMELI-CI]\n    - kind: autre\n      categories: [sous_dotee]\n      title: \"Engagements\"\n      text: \"Bis.\"\n      sources: [CD-AMELI-CI]\n", 1),
			"élément « Engagements » en double"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTestInstallation(t, tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	ir, err := parseTestInstallation(t, validInstallation)
	if err != nil {
		t.Fatal(err)
	}
	// ORT-FNO is a union's page, marked secondary in sources.yaml: so is the item.
	if a := ir.For(Orthophoniste, SousDense); !a.Covered || len(a.Items) != 1 || !a.Items[0].Secondary || a.Items[0].AmountEUR != 30000 {
		t.Errorf("orthophoniste sous_dense: %+v", a)
	}
	if a := ir.For(Infirmier, SurDotee); a.Items[0].Secondary {
		t.Errorf("an item from an ARS page is not secondary: %+v", a.Items[0])
	}
}

func TestEmbeddedInstallation(t *testing.T) {
	ir, err := EmbeddedInstallation()
	if err != nil {
		t.Fatal(err)
	}
	sources := embedded().sources
	for _, p := range otherProfessions() {
		for _, c := range p.Scale() {
			a := ir.For(p, c)
			if a == nil || a.Profession != p || a.OfficialPage.URL == "" || a.Convention == "" {
				t.Fatalf("%s %s: %+v", p, c, a)
			}
			// Every category of a scale has something sourced; non_disponible has not.
			if a.Covered != (c != NonDisponible) {
				t.Errorf("%s %s: covered = %v", p, c, a.Covered)
			}
			if !a.Covered && (a.Message != NotCoveredMessage || len(a.Items) != 0) {
				t.Errorf("%s %s not covered: %+v", p, c, a)
			}
			for _, it := range a.Items {
				if len(it.Sources) == 0 {
					t.Errorf("%s %s « %s »: no source", p, c, it.Title)
				}
				for _, k := range it.Sources {
					if _, ok := sources[k]; !ok {
						t.Errorf("%s %s « %s »: source %s not in sources.yaml", p, c, it.Title, k)
					}
				}
				// The kiné's contracts never answer for another profession.
				for _, kine := range []string{"CACCMK", "CAIMK", "CAMMK", "kiné", "masseur"} {
					if strings.Contains(it.Title+it.Text, kine) {
						t.Errorf("%s %s « %s » speaks of %s", p, c, it.Title, kine)
					}
				}
			}
		}
	}
	if ir.For(Infirmier, "") != nil {
		t.Error("an answer without a category has an installation answer")
	}
	if ir.For(MasseurKine, NonPrioritaire) != nil {
		t.Error("the kiné has an installation answer; its rules are the options")
	}
	// A category off the profession's scale gets nothing of its rules.
	if a := ir.For(Infirmier, NonPrioritaire); a.Covered || len(a.Items) != 0 {
		t.Errorf("infirmier non_prioritaire: %+v", a)
	}
}

// item finds the item of an answer by a word of its title.
func item(t *testing.T, a *Installation, titleWord string) InstallationItem {
	t.Helper()
	i := slices.IndexFunc(a.Items, func(it InstallationItem) bool { return strings.Contains(it.Title, titleWord) })
	if i < 0 {
		t.Fatalf("%s: no item « %s » in %+v", a.Profession, titleWord, a.Items)
	}
	return a.Items[i]
}

func TestInstallationByProfessionAndCategory(t *testing.T) {
	ir, err := EmbeddedInstallation()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		p          Profession
		c          Category
		titleWord  string
		kind       InstallationKind
		amount     int
		uncertain  bool
		absentWord string // a title word no item of this answer may have
	}{
		{Infirmier, TresSousDotee, "CAPII", KindAide, 37500, true, "arrivée"},
		{Infirmier, TresSousDotee, "CAII", KindAide, 27500, true, ""},
		{Infirmier, TresSousDotee, "CAMI", KindAide, 3000, true, ""},
		{Infirmier, SousDotee, "Pas de contrat incitatif", KindAide, 0, false, "CAPII"},
		{Infirmier, SurDotee, "premier conventionnement", KindConventionnement, 0, false, ""},
		{Infirmier, Intermediaire, "Deux tiers", KindEngagement, 0, false, "arrivée"},
		{Infirmier, SurDotee, "une arrivée pour un départ", KindConventionnement, 0, false, "Deux tiers"},
		{Orthophoniste, SousDense, "CAPIOP", KindAide, 30000, false, "non documenté"},
		{Orthophoniste, SousDense, "CAMOP", KindAide, 1500, false, ""},
		{Orthophoniste, TresSousDotee, "CAIOP", KindAide, 19500, true, ""},
		{Orthophoniste, SousDotee, "non confirmés", KindAide, 0, true, "CAPIOP"},
		{Orthophoniste, SurDotee, "non documenté", KindConventionnement, 0, true, "CAPIOP"},
		{SageFemme, SousDotee, "CAPISF", KindAide, 38000, false, "arrivée"},
		{SageFemme, TresSousDotee, "CAISF", KindAide, 34000, true, ""},
		{SageFemme, TresSousDotee, "CAMSF", KindAide, 4000, true, ""},
		{SageFemme, Intermediaire, "collectivités seulement", KindAide, 0, false, "CAPISF"},
		{SageFemme, SurDotee, "une arrivée pour un départ", KindConventionnement, 0, false, "CAPISF"},
		{ChirurgienDentiste, TresSousDotee, "CAICD2023", KindAide, 50000, false, "« 1 pour 1 »"},
		{ChirurgienDentiste, TresSousDotee, "CAMCD2023", KindAide, 4000, true, ""},
		{ChirurgienDentiste, TresDotee, "Pas de régulation", KindConventionnement, 0, false, "CAICD2023"},
		{ChirurgienDentiste, NonPrioritaire, "« 1 pour 1 »", KindConventionnement, 0, false, "CAICD2023"},
		{ChirurgienDentiste, NonPrioritaire, "Spécialistes", KindAutre, 0, false, ""},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s", tc.p, tc.c, tc.titleWord), func(t *testing.T) {
			a := ir.For(tc.p, tc.c)
			it := item(t, a, tc.titleWord)
			if it.Kind != tc.kind || it.AmountEUR != tc.amount || (it.Uncertain != "") != tc.uncertain {
				t.Errorf("%+v", it)
			}
			if tc.absentWord != "" && slices.ContainsFunc(a.Items, func(x InstallationItem) bool { return strings.Contains(x.Title, tc.absentWord) }) {
				t.Errorf("an item « %s » answers for %s", tc.absentWord, tc.c)
			}
		})
	}
	// Only secondary sources (a union) say the dentist specialists are exempt.
	if it := item(t, ir.For(ChirurgienDentiste, NonPrioritaire), "Spécialistes"); !it.Secondary {
		t.Errorf("specialists: %+v", it)
	}
}

func TestFillOptionsByProfession(t *testing.T) {
	r := &Resolver{Clock: testDate.Time}
	np := answer(NonPrioritaire, SchemeAvenant7, "11")
	tsd := answer(TresSousDotee, SchemeAvenant7, "44")

	// The kiné, named or by default: options as before, no installation answer.
	for _, p := range []Profession{"", MasseurKine} {
		z := np
		res := Resolution{Status: StatusOK, Zonage: &z, Profession: p}
		r.FillOptions(&res, Profile{})
		if len(res.Options) != 4 || res.Options[0].Conventionnement.Code != ConventionnementRegule || res.Installation != nil {
			t.Errorf("kiné %q: options %d, installation %+v", p, len(res.Options), res.Installation)
		}
	}

	// A dentist: the dentists' rules for the category, none of the kiné's options.
	z := np
	res := Resolution{Status: StatusOK, Zonage: &z, Profession: ChirurgienDentiste}
	r.FillOptions(&res, Profile{Status: Titulaire})
	if res.Options != nil || res.Installation == nil || !res.Installation.Covered ||
		res.Installation.Profession != ChirurgienDentiste || res.Installation.Items[0].Kind != KindConventionnement {
		t.Fatalf("dentist: options %+v, installation %+v", res.Options, res.Installation)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"profession":"chirurgien-dentiste"`, `"installation":{"profession":"chirurgien-dentiste","covered":true`, `"official_page":{"title":`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), `"options"`) {
		t.Errorf("a dentist's answer has kiné options: %s", b)
	}

	// Each candidate of an ambiguous answer gets its own category's rules; a
	// category off the scale (non_prioritaire for an infirmier) is not covered.
	amb := Resolution{Status: StatusAmbiguous, Profession: Infirmier,
		Candidates: []Candidate{{Code: "08439", Zonage: tsd}, {Code: "08300", Zonage: np}}}
	r.FillOptions(&amb, Profile{})
	c0, c1 := amb.Candidates[0], amb.Candidates[1]
	if c0.Options != nil || c0.Installation == nil || !c0.Installation.Covered || item(t, c0.Installation, "CAPII").AmountEUR != 37500 {
		t.Errorf("candidate 0: %+v", c0)
	}
	if c1.Installation == nil || c1.Installation.Covered || c1.Installation.Message != NotCoveredMessage || c1.Installation.OfficialPage.URL == "" {
		t.Errorf("candidate 1: %+v", c1.Installation)
	}
}

// The installation answer's JSON is a contract of the API: its keys and their shapes.
func TestInstallationJSON(t *testing.T) {
	ir, err := EmbeddedInstallation()
	if err != nil {
		t.Fatal(err)
	}
	keys := func(v any) []string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	covered := ir.For(SageFemme, SurDotee)
	if got, want := keys(covered), []string{"convention", "covered", "items", "official_page", "profession"}; !slices.Equal(got, want) {
		t.Errorf("covered answer keys %v, want %v", got, want)
	}
	// An item with an amount, an uncertainty and secondary sources writes them all.
	camcd := item(t, ir.For(ChirurgienDentiste, TresSousDotee), "CAMCD2023")
	if got, want := keys(camcd), []string{"amount_eur", "kind", "sources", "text", "title", "uncertain"}; !slices.Equal(got, want) {
		t.Errorf("item keys %v, want %v", got, want)
	}
	if got, want := keys(item(t, ir.For(ChirurgienDentiste, NonPrioritaire), "Spécialistes")), []string{"kind", "secondary", "sources", "text", "title"}; !slices.Equal(got, want) {
		t.Errorf("secondary item keys %v, want %v", got, want)
	}
	b, err := json.Marshal(ir.For(SageFemme, NonDisponible))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"profession":"sage-femme","covered":false,"message":"règles d'installation non couvertes pour cette profession","official_page":{"title":"ameli, sage-femme : « Les contrats incitatifs sage-femme »","url":"https://www.ameli.fr/sage-femme/textes-reference/convention/contrat-incitatif"},"convention":`
	if !strings.HasPrefix(string(b), want) || !strings.HasSuffix(string(b), `"items":[]}`) {
		t.Errorf("not covered: %s", b)
	}
}
