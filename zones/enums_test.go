package zones

import (
	"errors"
	"testing"
)

// Every set of codes reads, names and refuses the same way.
func TestCodes(t *testing.T) {
	if s, err := ParsePracticeStatus(" Remplaçant "); err != nil || s != Remplacant || s.Label() != "remplaçant" {
		t.Errorf("ParsePracticeStatus = %q, %v", s, err)
	}
	if p, err := ParseProject("CRÉATION"); err != nil || p != ProjectCreation || p.Label() != "création de cabinet" {
		t.Errorf("ParseProject = %q, %v", p, err)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := ParsePracticeStatus("gérant"); return err }(), "statut « gérant » invalide : attendu titulaire, collaborateur, assistant, remplacant"},
		{func() error { _, err := ParseProject("rachat"); return err }(), "projet « rachat » invalide : attendu creation, reprise, integration"},
	} {
		var ie *InputError
		if !errors.As(tc.err, &ie) || tc.err.Error() != tc.want {
			t.Errorf("error %v, want %q", tc.err, tc.want)
		}
	}
	labels := []struct{ got, want string }{
		{AuthorityCPAM.Label(), "CPAM du lieu d'exercice"},
		{Authority("prefet").Label(), "prefet"},
		{AccessConditional.Label(), "sous conditions"},
		{AccessClosed.Label(), "fermé"},
		{NotEligible.Label(), "non éligible"},
		{SchemeAvenant5.Label(), "avenant 5 (5 niveaux, arrêté du 24 septembre 2018)"},
		{Scheme("avenant9").Label(), "échelle inconnue"},
		{BassinDeVie.Label(), "bassin de vie"},
		{CatchmentKind("x").Label(), "x"},
	}
	for _, l := range labels {
		if l.got != l.want {
			t.Errorf("label %q, want %q", l.got, l.want)
		}
	}
	// Combining two keeps the narrower: the ranks follow the tables, unknown lowest.
	if !(AccessOpen.rank() > AccessConditional.rank() && AccessConditional.rank() > AccessClosed.rank() && Access("x").rank() == AccessClosed.rank()) {
		t.Error("access ranks out of order")
	}
	if !(Eligible.rank() > EligibleIf.rank() && EligibleIf.rank() > NotEligible.rank()) {
		t.Error("eligibility ranks out of order")
	}
	if got := schemeCodes.expected(); got != "avenant7 ou avenant5" {
		t.Errorf("expected() = %q", got)
	}
}

func TestEmbeddedTables(t *testing.T) {
	if err := CheckEmbedded(); err != nil {
		t.Fatal(err)
	}
	if _, ok := SourceByKey("R-ARA"); !ok {
		t.Error("source R-ARA missing")
	}
	if err := (&nodeError{3, "champ inconnu « x »"}).Error(); err != "ligne 3 : champ inconnu « x »" {
		t.Errorf("nodeError = %q", err)
	}
}
