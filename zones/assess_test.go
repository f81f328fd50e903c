package zones

import (
	"encoding/json"
	"strings"
	"testing"
)

const testDay = "2026-11-23"

// testDate is testDay as a Day.
var testDate, _ = ParseDay(testDay)

func answer(c Category, s Scheme, region string) ZonageAnswer {
	return ZonageAnswer{Category: c, Label: c.Label(), Scheme: s, Region: regionRef(region)}
}

func boolPtr(v bool) *bool { return &v }

func findAidIn(a Assessment, code string) *Aid {
	for i := range a.Aids {
		if a.Aids[i].Code == code {
			return &a.Aids[i]
		}
	}
	return nil
}

func findCaveat(a Assessment, code string) *Caveat {
	for i := range a.Caveats {
		if a.Caveats[i].Code == code {
			return &a.Caveats[i]
		}
	}
	return nil
}

// sourcesOf returns the source keys of the named item of an assessment:
// "conventionnement", "new_graduate", "aid:CODE" or "caveat:CODE".
func sourcesOf(t *testing.T, a Assessment, item string) []string {
	t.Helper()
	switch {
	case item == "conventionnement":
		return a.Conventionnement.Sources
	case item == "new_graduate":
		return a.NewGraduate.Sources
	case strings.HasPrefix(item, "aid:"):
		if x := findAidIn(a, item[4:]); x != nil {
			var keys []string
			keys = append(keys, x.Sources...)
			for _, r := range x.Regional {
				keys = append(keys, r.Sources...)
			}
			return keys
		}
	case strings.HasPrefix(item, "caveat:"):
		if c := findCaveat(a, item[7:]); c != nil {
			return c.Sources
		}
	}
	t.Fatalf("no item %s in the assessment", item)
	return nil
}

func uncertainItem(t *testing.T, a Assessment, item string) bool {
	t.Helper()
	switch {
	case item == "conventionnement":
		return a.Conventionnement.Uncertain && a.Conventionnement.UncertainWhy != ""
	case item == "new_graduate":
		return a.NewGraduate.Uncertain && a.NewGraduate.UncertainWhy != ""
	case strings.HasPrefix(item, "aid:"):
		x := findAidIn(a, item[4:])
		if x == nil {
			t.Fatalf("no aid %s", item)
		}
		if x.Uncertain {
			return true
		}
		for _, r := range x.Regional {
			if r.Uncertain {
				return true
			}
		}
		return false
	case strings.HasPrefix(item, "caveat:"):
		c := findCaveat(a, item[7:])
		return c != nil && c.Uncertain
	}
	t.Fatalf("unknown item %s", item)
	return false
}

// The scenarios a kiné brings: each names the source key the expected answer rests on,
// and the item of the assessment that must cite it.
func TestAssessScenarios(t *testing.T) {
	tsd7 := answer(TresSousDotee, SchemeAvenant7, "84")
	sd7 := answer(SousDotee, SchemeAvenant7, "84")
	int7 := answer(Intermediaire, SchemeAvenant7, "84")
	np7 := answer(NonPrioritaire, SchemeAvenant7, "11")
	upcoming := tsd7
	upcoming.Upcoming = &ZonageAnswer{Category: SousDotee, EffectiveDate: "2027-01-01"}

	contracts := []string{"caccmk", "caimk", "cammk", "option_stagiaire"}
	local := []string{"aides_collectivites", "mesures_ars", "exoneration_cfe"}
	all := append(append([]string{}, contracts...), local...)

	cases := []struct {
		name     string
		source   string // the source key the scenario relies on
		in       string // the item that must cite it
		z        ZonageAnswer
		p        Profile
		conv     ConventionnementCode
		access   Access
		aids     map[string]Eligibility // listed aids and the answer for the profile
		onlyAids []string               // when set, exactly these aids are listed (empty slice: none)
		ng       NewGraduateOutcome
		caveats  []string
		unsure   string // an item that must be flagged uncertain
		check    func(t *testing.T, a Assessment)
	}{
		{name: "titulaire en zone très sous-dotée (avenant 7) : libre, les trois contrats sous conditions", source: "A1", in: "conventionnement",
			z: tsd7, p: Profile{Status: Titulaire}, conv: ConventionnementLibre, access: AccessOpen, onlyAids: all,
			aids: map[string]Eligibility{"caccmk": EligibleIf, "caimk": EligibleIf, "cammk": EligibleIf, "option_stagiaire": EligibleIf}},
		{name: "titulaire qui crée son cabinet en zone très sous-dotée : CACCMK", source: "A5", in: "aid:caccmk",
			z: tsd7, p: Profile{Status: Titulaire, Project: ProjectCreation},
			aids: map[string]Eligibility{"caccmk": Eligible, "caimk": NotEligible, "cammk": NotEligible, "option_stagiaire": EligibleIf},
			check: func(t *testing.T, a Assessment) {
				x := findAidIn(a, "caccmk")
				if x.MaxAmountEUR != 49000 || len(x.Schedule) != 4 || !strings.Contains(x.Schedule[0], "30 000 €") || x.Authority != AuthorityCPAM {
					t.Errorf("CACCMK amount or schedule: %+v", x)
				}
			}},
		{name: "titulaire qui reprend un cabinet en zone très sous-dotée : CACCMK", source: "R-NOR-A", in: "aid:caccmk",
			z: tsd7, p: Profile{Status: Titulaire, Project: ProjectReprise}, aids: map[string]Eligibility{"caccmk": Eligible, "caimk": NotEligible}},
		{name: "titulaire qui rejoint un cabinet existant en zone très sous-dotée : CAIMK", source: "R-BRE-A", in: "aid:caimk",
			z: tsd7, p: Profile{Status: Titulaire, Project: ProjectIntegration}, aids: map[string]Eligibility{"caimk": Eligible, "caccmk": NotEligible},
			check: func(t *testing.T, a Assessment) {
				if x := findAidIn(a, "caimk"); x.MaxAmountEUR != 34000 {
					t.Errorf("CAIMK max %d, want 34000", x.MaxAmountEUR)
				}
			}},
		{name: "titulaire conventionné depuis 2023 en zone très sous-dotée : CAMMK", source: "R-NOR-M", in: "aid:cammk",
			z: tsd7, p: Profile{Status: Titulaire, AlreadyConventionneInZone: boolPtr(true), InstalledSince: "2023-06-01"}, ng: NewGraduateConventionne,
			aids: map[string]Eligibility{"cammk": Eligible, "caccmk": NotEligible, "caimk": NotEligible},
			check: func(t *testing.T, a Assessment) {
				if x := findAidIn(a, "cammk"); x.YearlyEUR != 4000 || x.MaxAmountEUR != 12000 || !strings.Contains(x.Duration, "renouvelable") {
					t.Errorf("CAMMK amounts: %+v", x)
				}
			}},
		{name: "collaborateur installé il y a deux ans en zone très sous-dotée : CACCMK dans les 3 ans", source: "A5", in: "aid:caccmk",
			z: tsd7, p: Profile{Status: Collaborateur, InstalledSince: "2024-11-01"},
			aids: map[string]Eligibility{"caccmk": Eligible, "caimk": NotEligible, "cammk": EligibleIf}},
		{name: "collaborateur installé il y a quatre ans : hors de la fenêtre du CACCMK", source: "A5", in: "aid:caccmk",
			z: tsd7, p: Profile{Status: Collaborateur, InstalledSince: "2022-09-01"}, aids: map[string]Eligibility{"caccmk": NotEligible}},
		{name: "assistant installé depuis six mois en zone très sous-dotée : CAIMK ou CACCMK", source: "R-NOR-A", in: "aid:caimk",
			z: tsd7, p: Profile{Status: Assistant, InstalledSince: "2026-06-01"}, aids: map[string]Eligibility{"caimk": Eligible, "caccmk": Eligible}},
		{name: "remplaçant en zone très sous-dotée : situation du remplacé, aucun contrat", source: "S-basrhin", in: "conventionnement",
			z: tsd7, p: Profile{Status: Remplacant}, conv: ConventionnementRemplace, access: AccessConditional, caveats: []string{"contrat_remplacement"},
			aids:   map[string]Eligibility{"caccmk": NotEligible, "caimk": NotEligible, "cammk": NotEligible, "option_stagiaire": NotEligible, "aides_collectivites": NotEligible},
			unsure: "aid:aides_collectivites"},
		{name: "option stagiaire sans contrat accessible", source: "R-BRE-A", in: "aid:option_stagiaire",
			z: tsd7, p: Profile{Status: Titulaire, AlreadyConventionneInZone: boolPtr(false), InstalledSince: "2020-01-01"},
			aids: map[string]Eligibility{"caccmk": NotEligible, "caimk": NotEligible, "cammk": NotEligible, "option_stagiaire": NotEligible},
			check: func(t *testing.T, a Assessment) {
				if x := findAidIn(a, "option_stagiaire"); x.MonthlyEUR != 300 || !strings.Contains(x.Why, "CACCMK") {
					t.Errorf("stagiaire option: %+v", x)
				}
			}},
		{name: "titulaire en zone sous-dotée (avenant 7) : plus de contrat conventionnel, aides des collectivités", source: "L5", in: "aid:aides_collectivites",
			z: sd7, p: Profile{Status: Titulaire}, conv: ConventionnementLibre, access: AccessOpen, onlyAids: local,
			check: func(t *testing.T, a Assessment) {
				if x := findAidIn(a, "aides_collectivites"); x.Authority != AuthorityCollectivite {
					t.Errorf("L.1511-8 aids decided by %s", x.Authority)
				}
				if x := findAidIn(a, "mesures_ars"); x.Authority != AuthorityARS {
					t.Errorf("ARS measures decided by %s", x.Authority)
				}
			}},
		{name: "collaborateur en zone sous-dotée : exonération de CFE pour un cabinet secondaire", source: "L6", in: "aid:exoneration_cfe",
			z: sd7, p: Profile{Status: Collaborateur}, conv: ConventionnementLibre, aids: map[string]Eligibility{"exoneration_cfe": EligibleIf}},
		{name: "assistant en zone sous-dotée : conventionnement libre", source: "A2", in: "conventionnement",
			z: sd7, p: Profile{Status: Assistant}, conv: ConventionnementLibre, access: AccessOpen, caveats: []string{"contrat_ordre"}},
		{name: "remplaçant en zone sous-dotée : situation du remplacé", source: "A4", in: "conventionnement",
			z: sd7, p: Profile{Status: Remplacant}, conv: ConventionnementRemplace, aids: map[string]Eligibility{"exoneration_cfe": NotEligible}},
		{name: "titulaire en zone intermédiaire : libre, aucune aide liée au zonage", source: "L1", in: "conventionnement",
			z: int7, p: Profile{Status: Titulaire}, conv: ConventionnementLibre, access: AccessOpen, onlyAids: []string{}},
		{name: "collaborateur en zone intermédiaire : libre", source: "A2", in: "conventionnement",
			z: int7, p: Profile{Status: Collaborateur}, conv: ConventionnementLibre, onlyAids: []string{}},
		{name: "assistant en zone intermédiaire : libre", source: "A1", in: "conventionnement",
			z: int7, p: Profile{Status: Assistant}, conv: ConventionnementLibre, onlyAids: []string{}},
		{name: "remplaçant en zone intermédiaire : situation du remplacé", source: "S-basrhin", in: "conventionnement",
			z: int7, p: Profile{Status: Remplacant}, conv: ConventionnementRemplace, onlyAids: []string{}},
		{name: "titulaire en zone non prioritaire : 1 départ pour 1 installation, décision de la CPAM", source: "A1", in: "conventionnement",
			z: np7, p: Profile{Status: Titulaire}, conv: ConventionnementRegule, access: AccessConditional, onlyAids: []string{},
			caveats: []string{"regulation_entree_en_vigueur", "exercice_non_conventionne", "verifier_cpam"},
			check: func(t *testing.T, a Assessment) {
				c := a.Conventionnement
				if c.Authority != AuthorityCPAM || c.Secondary || len(c.Conditions) == 0 || !strings.Contains(c.Conditions[0].Text, "commission paritaire départementale") {
					t.Errorf("regulation: %+v", c)
				}
			}},
		{name: "collaborateur en zone non prioritaire : régulé aussi, d'après des sources secondaires", source: "S-medere", in: "conventionnement",
			z: np7, p: Profile{Status: Collaborateur}, conv: ConventionnementRegule, access: AccessConditional,
			check: func(t *testing.T, a Assessment) {
				if !a.Conventionnement.Secondary {
					t.Error("the regulation of collaborateurs rests on secondary sources and must say so")
				}
			}},
		{name: "assistant en zone non prioritaire : régulé", source: "S-ordre-assist", in: "conventionnement",
			z: np7, p: Profile{Status: Assistant}, conv: ConventionnementRegule, access: AccessConditional},
		{name: "remplaçant en zone non prioritaire : hors régulation, règle incertaine", source: "S-basrhin", in: "conventionnement",
			z: np7, p: Profile{Status: Remplacant}, conv: ConventionnementRemplace, access: AccessConditional, unsure: "conventionnement", onlyAids: []string{}},
		{name: "titulaire déjà conventionné en zone non prioritaire : la régulation ne s'applique pas", source: "S-calandra", in: "conventionnement",
			z: np7, p: Profile{Status: Titulaire, AlreadyConventionneInZone: boolPtr(true)}, conv: ConventionnementRegule, access: AccessOpen},
		{name: "avenant 5, titulaire en zone très sous-dotée : contrats ouverts, règle incertaine", source: "R-NA-2019", in: "aid:caccmk",
			z: answer(TresSousDotee, SchemeAvenant5, "04"), p: Profile{Status: Titulaire}, conv: ConventionnementLibre, onlyAids: all,
			caveats: []string{"ancienne_echelle"}, unsure: "aid:caccmk"},
		{name: "avenant 5, titulaire en zone sous-dotée : les contrats y sont encore ouverts", source: "R-NA-2019", in: "aid:cammk",
			z: answer(SousDotee, SchemeAvenant5, "04"), p: Profile{Status: Titulaire}, conv: ConventionnementLibre, onlyAids: all,
			caveats: []string{"ancienne_echelle"}},
		{name: "avenant 5, assistant en zone intermédiaire : libre", source: "S-ffmkr", in: "conventionnement",
			z: answer(Intermediaire, SchemeAvenant5, "04"), p: Profile{Status: Assistant}, conv: ConventionnementLibre, onlyAids: []string{}},
		{name: "avenant 5, titulaire en zone très dotée : libre et sans aide", source: "S-ffmkr", in: "conventionnement",
			z: answer(TresDotee, SchemeAvenant5, "04"), p: Profile{Status: Titulaire}, conv: ConventionnementLibre, access: AccessOpen, onlyAids: []string{}},
		{name: "avenant 5, titulaire en zone sur-dotée : régulé", source: "S-calandra", in: "conventionnement",
			z: answer(SurDotee, SchemeAvenant5, "04"), p: Profile{Status: Titulaire}, conv: ConventionnementRegule, access: AccessConditional, onlyAids: []string{}},
		{name: "avenant 5, collaborateur en zone sur-dotée : régulé", source: "S-ordre-assist", in: "conventionnement",
			z: answer(SurDotee, SchemeAvenant5, "04"), p: Profile{Status: Collaborateur}, conv: ConventionnementRegule},
		{name: "avenant 5, remplaçant en zone sur-dotée : situation du remplacé, incertain", source: "A4", in: "conventionnement",
			z: answer(SurDotee, SchemeAvenant5, "04"), p: Profile{Status: Remplacant}, conv: ConventionnementRemplace, unsure: "conventionnement"},
		{name: "avenant 5, collaborateur en zone très sous-dotée : CACCMK dans les 3 ans", source: "R-MTQ", in: "aid:caccmk",
			z: answer(TresSousDotee, SchemeAvenant5, "04"), p: Profile{Status: Collaborateur, InstalledSince: "2025-01-15"}, conv: ConventionnementLibre,
			aids: map[string]Eligibility{"caccmk": Eligible}},
		{name: "avenant 5, assistant en zone très sous-dotée : libre", source: "S-ffmkr", in: "conventionnement",
			z: answer(TresSousDotee, SchemeAvenant5, "04"), p: Profile{Status: Assistant}, conv: ConventionnementLibre, access: AccessOpen},
		{name: "avenant 5, remplaçant en zone très sous-dotée : aucun contrat", source: "A5", in: "aid:caccmk",
			z: answer(TresSousDotee, SchemeAvenant5, "04"), p: Profile{Status: Remplacant}, conv: ConventionnementRemplace,
			aids: map[string]Eligibility{"caccmk": NotEligible, "cammk": NotEligible}},
		{name: "avenant 5, collaborateur en zone sous-dotée : contrats encore listés", source: "S-cmv", in: "aid:caimk",
			z: answer(SousDotee, SchemeAvenant5, "04"), p: Profile{Status: Collaborateur}, conv: ConventionnementLibre, aids: map[string]Eligibility{"caimk": EligibleIf}},
		{name: "avenant 5, assistant en zone sous-dotée : libre", source: "A3", in: "conventionnement",
			z: answer(SousDotee, SchemeAvenant5, "04"), p: Profile{Status: Assistant}, conv: ConventionnementLibre},
		{name: "avenant 5, remplaçant en zone sous-dotée : situation du remplacé", source: "S-pdc", in: "conventionnement",
			z: answer(SousDotee, SchemeAvenant5, "04"), p: Profile{Status: Remplacant}, conv: ConventionnementRemplace},
		{name: "avenant 5, titulaire en zone intermédiaire : libre, sans aide", source: "S-calandra", in: "conventionnement",
			z: answer(Intermediaire, SchemeAvenant5, "04"), p: Profile{Status: Titulaire}, conv: ConventionnementLibre, onlyAids: []string{}},
		{name: "avenant 5, collaborateur en zone intermédiaire : libre", source: "A3", in: "conventionnement",
			z: answer(Intermediaire, SchemeAvenant5, "04"), p: Profile{Status: Collaborateur}, conv: ConventionnementLibre},
		{name: "avenant 5, remplaçant en zone intermédiaire : situation du remplacé", source: "A4", in: "conventionnement",
			z: answer(Intermediaire, SchemeAvenant5, "04"), p: Profile{Status: Remplacant}, conv: ConventionnementRemplace},
		{name: "avenant 5, collaborateur en zone très dotée : libre, jamais régulé comme une non prioritaire", source: "S-ffmkr", in: "conventionnement",
			z: answer(TresDotee, SchemeAvenant5, "04"), p: Profile{Status: Collaborateur}, conv: ConventionnementLibre, access: AccessOpen, onlyAids: []string{}},
		{name: "avenant 5, assistant en zone très dotée : libre", source: "S-calandra", in: "conventionnement",
			z: answer(TresDotee, SchemeAvenant5, "04"), p: Profile{Status: Assistant}, conv: ConventionnementLibre},
		{name: "avenant 5, remplaçant en zone très dotée : situation du remplacé", source: "S-basrhin", in: "conventionnement",
			z: answer(TresDotee, SchemeAvenant5, "04"), p: Profile{Status: Remplacant}, conv: ConventionnementRemplace},
		{name: "avenant 5, assistant en zone sur-dotée : régulé", source: "S-ordre-assist", in: "conventionnement",
			z: answer(SurDotee, SchemeAvenant5, "04"), p: Profile{Status: Assistant}, conv: ConventionnementRegule, access: AccessConditional,
			caveats: []string{"ancienne_echelle", "exercice_non_conventionne"}},
		{name: "nouveau diplômé (études en 2024) en zone très sous-dotée : l'engagement de 2 ans suffit", source: "S-egora", in: "new_graduate",
			z: tsd7, p: Profile{Status: Titulaire, StudiesStartYear: 2024}, conv: ConventionnementLibre, access: AccessConditional, ng: NewGraduateCommitment,
			check: func(t *testing.T, a Assessment) {
				if !a.NewGraduate.ZoneCounts || a.NewGraduate.FromStudiesYear != 2023 {
					t.Errorf("new graduate: %+v", a.NewGraduate)
				}
			}},
		{name: "nouvel assistant diplômé en zone sous-dotée : la zone compte", source: "S-urpsara-conv", in: "new_graduate",
			z: sd7, p: Profile{Status: Assistant, StudiesStartYear: 2023}, access: AccessConditional, ng: NewGraduateCommitment},
		{name: "nouveau diplômé sans expérience en zone intermédiaire : pas de conventionnement", source: "S-urpsara-conv", in: "new_graduate",
			z: int7, p: Profile{Status: Titulaire, StudiesStartYear: 2024, YearsInEstablishment: 1}, conv: ConventionnementLibre, access: AccessClosed, ng: NewGraduateNotMet,
			check: func(t *testing.T, a Assessment) {
				if a.NewGraduate.ZoneCounts || a.Conventionnement.Why == "" {
					t.Errorf("intermédiaire must not count and the closure must be explained: %+v", a.NewGraduate)
				}
			}},
		{name: "nouveau diplômé avec 2 ans en établissement en zone non prioritaire : reste la régulation", source: "S-egora", in: "new_graduate",
			z: np7, p: Profile{Status: Collaborateur, StudiesStartYear: 2024, YearsInEstablishment: 2}, conv: ConventionnementRegule, access: AccessConditional, ng: NewGraduateMet},
		{name: "études commencées avant 2023 : condition des nouveaux diplômés sans objet", source: "S-ftv", in: "new_graduate",
			z: int7, p: Profile{Status: Titulaire, StudiesStartYear: 2019}, access: AccessOpen, ng: NewGraduateNotConcerned},
		{name: "année de début d'études inconnue : condition à vérifier, incertaine", source: "S-milo", in: "new_graduate",
			z: int7, p: Profile{Status: Titulaire}, access: AccessOpen, ng: NewGraduateUnknown, unsure: "new_graduate"},
		{name: "remplaçant nouveau diplômé : cas non traité par les sources", source: "A4", in: "new_graduate",
			z: int7, p: Profile{Status: Remplacant, StudiesStartYear: 2024}, ng: NewGraduateOutOfScope, unsure: "new_graduate"},
		{name: "échelle inconnue (Guyane), zone très sous-dotée : règles communes aux deux échelles, incertaines", source: "R-RUN-O", in: "caveat:echelle_inconnue",
			z: answer(TresSousDotee, "", "03"), p: Profile{Status: Titulaire}, conv: ConventionnementLibre, onlyAids: all,
			caveats: []string{"echelle_inconnue"}, unsure: "conventionnement",
			check: func(t *testing.T, a Assessment) {
				if !a.SchemeUnknown || a.Scheme != "" || !findAidIn(a, "caccmk").Uncertain || findCaveat(a, "ancienne_echelle") != nil {
					t.Errorf("unknown scale: %+v", a)
				}
			}},
		{name: "échelle inconnue, zone sous-dotée : les contrats d'une seule échelle sont signalés, pas donnés", source: "R-NA-2019", in: "caveat:echelle_inconnue",
			z: answer(SousDotee, "", "02"), p: Profile{Status: Titulaire}, onlyAids: local, caveats: []string{"echelle_inconnue"},
			check: func(t *testing.T, a Assessment) {
				if c := findCaveat(a, "echelle_inconnue"); !strings.Contains(c.Text, "avenant 5") || !strings.Contains(c.Text, "CACCMK") {
					t.Errorf("caveat %q should name the avenant 5 contracts", c.Text)
				}
			}},
		{name: "non prioritaire sans échelle : l'avenant 7 est implicite", source: "A1", in: "conventionnement",
			z: answer(NonPrioritaire, "", "11"), p: Profile{Status: Titulaire}, conv: ConventionnementRegule,
			check: func(t *testing.T, a Assessment) {
				if a.Scheme != SchemeAvenant7 || a.SchemeUnknown {
					t.Errorf("scheme %q", a.Scheme)
				}
			}},
		{name: "Pays de la Loire : seuils d'honoraires du contrat-type régional, incertains", source: "R-PDL-A", in: "aid:caccmk",
			z: answer(TresSousDotee, SchemeAvenant7, "52"), p: Profile{Status: Titulaire}, unsure: "aid:caccmk",
			check: func(t *testing.T, a Assessment) {
				if x := findAidIn(a, "caccmk"); len(x.Regional) == 0 || !strings.Contains(x.Regional[0].Text, "10 000 €") {
					t.Errorf("regional condition missing: %+v", x.Regional)
				}
			}},
		{name: "Normandie : CAMMK renouvelable par tacite reconduction, contrat-type régional", source: "R-NOR-M", in: "aid:cammk",
			z: answer(TresSousDotee, SchemeAvenant7, "28"), p: Profile{Status: Titulaire},
			check: func(t *testing.T, a Assessment) {
				x := findAidIn(a, "cammk")
				if !strings.Contains(x.Duration, "tacite") || len(x.Regional) == 0 || !hasItem(x.Regional[0].Sources, "S-attrap-14") {
					t.Errorf("Normandie CAMMK: %+v", x)
				}
			}},
		{name: "zonage à venir : les options changeront", source: "A1", in: "caveat:zonage_a_venir",
			z: upcoming, p: Profile{Status: Titulaire}, caveats: []string{"zonage_a_venir"},
			check: func(t *testing.T, a Assessment) {
				if c := findCaveat(a, "zonage_a_venir"); !strings.Contains(c.Text, "01/01/2027") || !strings.Contains(c.Text, "sous-dotée") {
					t.Errorf("upcoming caveat %q", c.Text)
				}
			}},
		{name: "résultat non disponible : aucune règle, un message clair", source: "C-TDT",
			z: answer(NonDisponible, "", "06"), p: Profile{Status: Titulaire},
			check: func(t *testing.T, a Assessment) {
				if a.Available || a.Conventionnement != nil || len(a.Aids) != 0 || !strings.Contains(a.Message, "Aucune catégorie") {
					t.Errorf("non disponible: %+v", a)
				}
			}},
	}
	if len(cases) < 25 {
		t.Fatalf("%d scenarios, want at least 25", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := SourceByKey(tc.source); !ok {
				t.Fatalf("scenario relies on unknown source %s", tc.source)
			}
			a := testRules(t).Assess(tc.z, tc.p, testDate)
			if a.Status != tc.p.Status {
				t.Fatalf("status %s, want %s", a.Status, tc.p.Status)
			}
			if tc.in != "" && !hasItem(sourcesOf(t, a, tc.in), tc.source) {
				t.Errorf("%s does not cite %s: %v", tc.in, tc.source, sourcesOf(t, a, tc.in))
			}
			if tc.conv != "" && a.Conventionnement.Code != tc.conv {
				t.Errorf("conventionnement %s, want %s", a.Conventionnement.Code, tc.conv)
			}
			if tc.access != "" && a.Conventionnement.Access != tc.access {
				t.Errorf("access %s, want %s (%s)", a.Conventionnement.Access, tc.access, a.Conventionnement.Why)
			}
			for code, want := range tc.aids {
				x := findAidIn(a, code)
				if x == nil {
					t.Errorf("aid %s not listed", code)
					continue
				}
				if x.Eligibility != want {
					t.Errorf("aid %s: %s, want %s (%s)", code, x.Eligibility, want, x.Why)
				}
				if x.Why == "" || strings.Contains(x.Why, "{") {
					t.Errorf("aid %s: unfinished reason %q", code, x.Why)
				}
			}
			if tc.onlyAids != nil {
				var got []string
				for _, x := range a.Aids {
					got = append(got, x.Code)
				}
				if strings.Join(got, ",") != strings.Join(tc.onlyAids, ",") {
					t.Errorf("aids %v, want %v", got, tc.onlyAids)
				}
			}
			if tc.ng != "" && (a.NewGraduate == nil || a.NewGraduate.Outcome != tc.ng) {
				t.Errorf("new graduate %+v, want %s", a.NewGraduate, tc.ng)
			}
			for _, c := range tc.caveats {
				if findCaveat(a, c) == nil {
					t.Errorf("caveat %s missing", c)
				}
			}
			if tc.unsure != "" && !uncertainItem(t, a, tc.unsure) {
				t.Errorf("%s should be flagged uncertain", tc.unsure)
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

// Every category of both scales, for every status, has its conventionnement and its
// contracts as the research says (§2.3, §3.1, §4, §8), and cites only known sources.
func TestEveryCategoryStatusScheme(t *testing.T) {
	type want struct {
		conv      ConventionnementCode
		contracts bool // CACCMK, CAIMK, CAMMK listed
		local     bool // collectivités, ARS and CFE listed
	}
	installed := map[PracticeStatus]ConventionnementCode{}
	matrix := map[Scheme]map[Category]want{
		SchemeAvenant7: {
			TresSousDotee:  {ConventionnementLibre, true, true},
			SousDotee:      {ConventionnementLibre, false, true},
			Intermediaire:  {ConventionnementLibre, false, false},
			NonPrioritaire: {ConventionnementRegule, false, false},
		},
		SchemeAvenant5: {
			TresSousDotee: {ConventionnementLibre, true, true},
			SousDotee:     {ConventionnementLibre, true, true},
			Intermediaire: {ConventionnementLibre, false, false},
			TresDotee:     {ConventionnementLibre, false, false},
			SurDotee:      {ConventionnementRegule, false, false},
		},
	}
	for sch, cats := range matrix {
		for _, c := range Categories() {
			w, ok := cats[c]
			if !ok {
				continue
			}
			for _, a := range testRules(t).AssessAll(answer(c, sch, "84"), Profile{}, testDate) {
				name := string(sch) + "/" + string(c) + "/" + string(a.Status)
				wantConv := w.conv
				if a.Status == Remplacant {
					wantConv = ConventionnementRemplace
				}
				if a.Conventionnement == nil || a.Conventionnement.Code != wantConv {
					t.Errorf("%s: conventionnement %+v, want %s", name, a.Conventionnement, wantConv)
					continue
				}
				installed[a.Status] = a.Conventionnement.Code
				if got := findAidIn(a, "caccmk") != nil; got != w.contracts {
					t.Errorf("%s: CACCMK listed %v, want %v", name, got, w.contracts)
				}
				if got := findAidIn(a, "aides_collectivites") != nil; got != w.local {
					t.Errorf("%s: L.1511-8 aids listed %v, want %v", name, got, w.local)
				}
				for _, x := range a.Aids {
					if a.Status == Remplacant && x.Eligibility != NotEligible {
						t.Errorf("%s: a remplaçant gets %s %s", name, x.Code, x.Eligibility)
					}
				}
				for _, k := range allSourceKeys(a) {
					if _, ok := SourceByKey(k); !ok {
						t.Errorf("%s: unknown source key %s", name, k)
					}
				}
				if len(a.Caveats) == 0 || findCaveat(a, "verifier_cpam") == nil {
					t.Errorf("%s: no « vérifiez auprès de votre CPAM »", name)
				}
			}
		}
	}
	if len(installed) != 4 {
		t.Errorf("statuses assessed: %v", installed)
	}
}

func allSourceKeys(a Assessment) []string {
	var keys []string
	add := func(cs []Condition) {
		for _, c := range cs {
			keys = append(keys, c.Sources...)
		}
	}
	if c := a.Conventionnement; c != nil {
		keys = append(keys, c.Sources...)
		add(c.Conditions)
		add(c.Notes)
	}
	if n := a.NewGraduate; n != nil {
		keys = append(keys, n.Sources...)
		add(n.Notes)
	}
	for _, x := range a.Aids {
		keys = append(keys, x.Sources...)
		add(x.Conditions)
		add(x.Regional)
	}
	for _, c := range a.Caveats {
		keys = append(keys, c.Sources...)
	}
	return keys
}

func TestAssessAllAndFillOptions(t *testing.T) {
	all := testRules(t).AssessAll(answer(TresSousDotee, SchemeAvenant7, "84"), Profile{Status: Remplacant}, testDate)
	if len(all) != 4 || all[0].Status != Titulaire || all[3].Status != Remplacant {
		t.Fatalf("AssessAll: %d assessments", len(all))
	}
	z := answer(NonPrioritaire, SchemeAvenant7, "11")
	other := answer(TresSousDotee, SchemeAvenant7, "44")
	res := Resolution{Status: StatusOK, Zonage: &z}
	amb := Resolution{Status: StatusAmbiguous, Candidates: []Candidate{{Code: "08439", Zonage: other}, {Code: "08300", Zonage: z}}}
	r := &Resolver{Clock: testDate.Time}
	r.FillOptions(&res, Profile{})
	r.FillOptions(&amb, Profile{Status: Collaborateur})
	if len(res.Options) != 4 || res.Options[0].Conventionnement.Code != ConventionnementRegule {
		t.Errorf("options of an answer: %+v", res.Options)
	}
	if len(amb.Candidates[0].Options) != 1 || amb.Candidates[0].Options[0].Status != Collaborateur ||
		amb.Candidates[0].Options[0].Category != TresSousDotee || amb.Candidates[1].Options[0].Category != NonPrioritaire {
		t.Errorf("options of candidates: %+v", amb.Candidates)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatal(err)
	}
}

func TestProfileValidate(t *testing.T) {
	cases := []struct {
		name string
		p    Profile
		want string
	}{
		{"valid", Profile{Status: Assistant, StudiesStartYear: 2024, YearsInEstablishment: 1.5, Project: ProjectReprise, InstalledSince: "2025-03-01"}, ""},
		{"unknown status", Profile{Status: "gerant"}, "statut « gerant » invalide"},
		{"unknown project", Profile{Project: "achat"}, "projet « achat » invalide"},
		{"year in the future", Profile{StudiesStartYear: 2031}, "année de début d'études « 2031 » invalide"},
		{"negative years", Profile{YearsInEstablishment: -1}, "années en établissement « -1 » invalide"},
		{"French date", Profile{InstalledSince: "01/05/2024"}, "date d'installation « 01/05/2024 » invalide"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate(testDate)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	for raw, want := range map[string]PracticeStatus{"Remplaçant": Remplacant, " titulaire ": Titulaire, "ASSISTANT": Assistant} {
		if s, err := ParsePracticeStatus(raw); err != nil || s != want {
			t.Errorf("ParsePracticeStatus(%q) = %s, %v", raw, s, err)
		}
	}
	if p, err := ParseProject("Intégration"); err != nil || p != ProjectIntegration {
		t.Errorf("ParseProject: %s, %v", p, err)
	}
}
