package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"zonage/zones"
)

// What a user needs to see differ between a non prioritaire commune (Paris 6e) and a
// très sous-dotée one (L'Abergement-Clémenciat, 01001).
func TestLookupOptionsCompareZones(t *testing.T) {
	paris, _, code := run("lookup", "--commune", "75106", "--snapshot", testSnapshot)
	if code != 0 {
		t.Fatalf("75106: exit %d", code)
	}
	tsd, _, code := run("lookup", "--commune", "01001", "--snapshot", testSnapshot)
	if code != 0 {
		t.Fatalf("01001: exit %d", code)
	}
	cases := []struct {
		name      string
		out       string
		want, not []string
	}{
		{"non prioritaire", paris,
			[]string{"Options d'installation — zone non prioritaire",
				"Titulaire, collaborateur libéral, assistant libéral : régulé « 1 départ pour 1 installation »",
				"cessé définitivement son activité dans la zone", "commission paritaire départementale",
				"Remplaçant : situation conventionnelle du remplacé", "ne s'applique pas au remplaçant",
				"Cette zone ne compte pas pour l'engagement", "Aucune aide liée au zonage en zone non prioritaire",
				"Décide : CPAM du lieu d'exercice", "(sources secondaires)", "incertain", "vérifiez auprès de votre CPAM"},
			[]string{"CACCMK", "49 000 €", "libre — ouvert"}},
		{"très sous-dotée", tsd,
			[]string{"Options d'installation — zone très sous-dotée",
				"Titulaire, collaborateur libéral, assistant libéral : libre — ouvert",
				"Cette zone compte pour l'engagement des 2 premières années",
				"CACCMK — contrat d'aide à la création ou à la reprise de cabinet : jusqu'à 49 000 € sur 5 ans",
				"30 000 € à la signature", "CAIMK", "jusqu'à 34 000 €", "CAMMK", "4 000 € par an pendant 3 ans",
				"300 € par mois", "L.1511-8 CGCT", "1464 D CGI", "depuis moins de 3 ans",
				"→ Remplaçant : non éligible", "Décide : collectivité territoriale", "Décide : ARS",
				"l'ARS peut les moduler par un contrat-type régional", "vérifiez auprès de votre CPAM"},
			[]string{"régulé « 1 départ pour 1 installation »", "Aucune aide liée au zonage"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			flat := flatten(tc.out)
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("output lacks %q:\n%s", w, tc.out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(flat, w) {
					t.Errorf("output should not contain %q", w)
				}
			}
			for i, line := range strings.Split(tc.out, "\n") {
				if n := len([]rune(line)); n > textWidth && strings.Contains(line, " ") && !strings.HasPrefix(line, "Options d'installation") &&
					!strings.HasPrefix(line, "Données :") && !strings.HasPrefix(line, "Zonage kiné") && !strings.HasPrefix(line, "Unité de zonage") {
					t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
				}
			}
		})
	}
}

func TestLookupOptionsProfiles(t *testing.T) {
	twoYearsAgo := time.Now().AddDate(-2, 0, 0).Format("2006-01-02")
	cases := []struct {
		name      string
		args      []string
		want, not []string
	}{
		{"one status", []string{"75106", "--statut", "remplacant"},
			[]string{"Profil : remplaçant", "Remplaçant : situation conventionnelle du remplacé"},
			[]string{"Titulaire", "Collaborateur libéral"}},
		{"collaborateur installed two years ago in a très sous-dotée zone", []string{"01001", "--statut", "collaborateur", "--installe-depuis", twoYearsAgo},
			[]string{"Profil : collaborateur libéral, installé dans la zone depuis le",
				"→ Collaborateur libéral : éligible — votre profil correspond : vous êtes collaborateur ou assistant libéral installé dans la zone depuis moins de 3 ans",
				"→ Collaborateur libéral : non éligible — votre profil ne correspond pas : ouvert seulement si vous êtes installé dans la zone depuis moins d'un an"},
			nil},
		{"new graduate without experience in a non prioritaire zone", []string{"75106", "--statut", "titulaire", "--debut-etudes", "2024"},
			[]string{"régulé « 1 départ pour 1 installation » — fermé", "cette zone ne compte pas pour l'engagement"}, nil},
		{"new graduate in a très sous-dotée zone", []string{"01001", "--statut", "assistant", "--debut-etudes", "2024", "--annees-etablissement", "0.5"},
			[]string{"0,5 an en établissement", "libre — sous conditions", "en vous engageant à y exercer vos 2 premières années"}, nil},
		{"titulaire taking over a cabinet", []string{"01001", "--statut", "titulaire", "--projet", "reprise"},
			[]string{"projet : reprise de cabinet", "→ Titulaire : éligible — votre profil correspond : vous créez ou reprenez un cabinet principal"}, nil},
		{"already conventionné in a non prioritaire zone", []string{"75106", "--statut", "titulaire", "--deja-conventionne"},
			[]string{"déjà conventionné dans la zone", "— ouvert", "la régulation ne s'applique pas tant que vous n'en changez pas"}, nil},
		{"ambiguous commune: each candidate's options", []string{"08439", "--statut", "titulaire"},
			[]string{"Options d'installation à Tannay (08439) — zone très sous-dotée", "Options d'installation à Le Mont-Dieu (08300) — zone intermédiaire"}, nil},
		{"overseas region of unknown scale", []string{"97302", "--statut", "titulaire"},
			[]string{"échelle inconnue : seules les règles valables sous les deux échelles", "échelle du zonage régional inconnue"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, _ := run(append(append([]string{"lookup"}, tc.args...), "--snapshot", testSnapshot)...)
			if errOut != "" {
				t.Fatalf("stderr: %s", errOut)
			}
			flat := flatten(out)
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(flat, w) {
					t.Errorf("output should not contain %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestLookupOptionsJSON(t *testing.T) {
	out, _, code := run("lookup", "--commune", "01001", "--json", "--snapshot", testSnapshot)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var r zones.Resolution
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(r.Options) != 4 || r.Options[0].Status != zones.Titulaire || r.Options[0].Conventionnement.Code != zones.ConventionnementLibre {
		t.Fatalf("options: %+v", r.Options)
	}
	var caccmk *zones.Aid
	for i, a := range r.Options[1].Aids {
		if a.Code == "caccmk" {
			caccmk = &r.Options[1].Aids[i]
		}
	}
	if caccmk == nil || caccmk.MaxAmountEUR != 49000 || caccmk.Eligibility != zones.EligibleIf || len(caccmk.Sources) == 0 {
		t.Fatalf("CACCMK for a collaborateur: %+v", caccmk)
	}

	out, _, _ = run("lookup", "--commune", "75106", "--json", "--statut", "remplacant", "--snapshot", testSnapshot)
	r = zones.Resolution{}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Options) != 1 || r.Options[0].Conventionnement.Code != zones.ConventionnementRemplace || !r.Options[0].Conventionnement.Uncertain {
		t.Fatalf("remplaçant in a non prioritaire zone: %+v", r.Options)
	}
}

func TestLookupOptionsUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown status", []string{"--statut", "gerant"}, "statut « gerant » invalide"},
		{"unknown project", []string{"--projet", "achat"}, "projet « achat » invalide"},
		{"French date", []string{"--installe-depuis", "01/05/2024"}, "date d'installation « 01/05/2024 » invalide"},
		{"year in the future", []string{"--debut-etudes", "2999"}, "année de début d'études « 2999 » invalide"},
		{"a profile with another profession", []string{"--profession", "infirmier", "--statut", "titulaire"},
			"--statut précise les options d'installation des masseurs-kinésithérapeutes : sans objet avec --profession infirmier"},
		{"unknown profession", []string{"--profession", "kine"},
			"--profession : profession « kine » invalide : attendu masseur-kinesitherapeute, infirmier, orthophoniste, sage-femme, chirurgien-dentiste"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"lookup", "--commune", "75106", "--snapshot", testSnapshot}, tc.args...)
			_, errOut, code := run(args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 saying %q", code, errOut, tc.want)
			}
		})
	}
}

// flatten undoes the folding of the terminal output, so that a phrase is found
// wherever the line breaks fall.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }

// Every profile flag is refused with another profession: the list names them all.
func TestProfileFlagNames(t *testing.T) {
	probe := &cobra.Command{}
	addProfileFlags(probe, &profileFlags{})
	// One usage line per flag.
	n := len(strings.Split(strings.TrimSpace(probe.Flags().FlagUsages()), "\n"))
	for _, name := range profileFlagNames {
		if probe.Flags().Lookup(name) == nil {
			t.Errorf("addProfileFlags adds no --%s", name)
		}
	}
	if n != len(profileFlagNames) {
		t.Fatalf("addProfileFlags adds %d flags, profileFlagNames lists %d", n, len(profileFlagNames))
	}
}
