package zones

import (
	"errors"
	"strings"
	"testing"
)

func TestParseProfession(t *testing.T) {
	for raw, want := range map[string]Profession{
		"":                         MasseurKine,
		" Infirmier ":              Infirmier,
		"SAGE-FEMME":               SageFemme,
		"chirurgien-dentiste":      ChirurgienDentiste,
		"masseur-kinesitherapeute": MasseurKine,
	} {
		got, err := ParseProfession(raw)
		if err != nil || got != want {
			t.Errorf("ParseProfession(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	_, err := ParseProfession("medecin")
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "profession" {
		t.Fatalf("unknown profession: want an InputError on profession, got %v", err)
	}
	for _, p := range Professions() {
		if !strings.Contains(err.Error(), string(p)) {
			t.Errorf("error %q does not list %s", err, p)
		}
	}
}

func TestProfessionScales(t *testing.T) {
	for _, p := range Professions() {
		if p.Label() == "" || p.Plural() == "" || p.ExportColumn() == "" {
			t.Fatalf("%s lacks a label or export column", p)
		}
		if back, ok := ProfessionByColumn(" " + strings.ToUpper(p.ExportColumn()) + " "); !ok || back != p {
			t.Errorf("column %q gives %q", p.ExportColumn(), back)
		}
		for _, c := range p.Scale() {
			if !c.Valid() || !p.HasCategory(c) {
				t.Errorf("%s: scale category %q invalid or refused", p, c)
			}
		}
	}
	if MasseurKine.HasCategory(SousDense) || !Orthophoniste.HasCategory(SousDense) {
		t.Error("sous-dense belongs to the orthophonistes' scale only")
	}
	if _, err := ParseCategoryFor(Infirmier, "5b_Non_prioritaire"); err == nil || !strings.Contains(err.Error(), "infirmiers") {
		t.Errorf("non prioritaire is not on the infirmiers' scale: %v", err)
	}
	if c, err := ParseCategoryFor(ChirurgienDentiste, "5b_Non_prioritaire"); err != nil || c != NonPrioritaire {
		t.Errorf("dentistes: %q, %v", c, err)
	}
}
