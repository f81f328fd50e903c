package zones

import (
	"strings"
	"testing"
)

func TestParseCategory(t *testing.T) {
	cases := []struct {
		name, raw string
		want      Category
		scheme    Scheme
	}{
		{"très sous-dotée", "1_Tres_sous_dotee", TresSousDotee, ""},
		{"sous-dotée", "2_Sous_dotee", SousDotee, ""},
		{"intermédiaire en minuscule (CartoSanté)", "3_intermediaire", Intermediaire, ""},
		{"intermédiaire en majuscule (autres tables Atlasanté)", "3_Intermediaire", Intermediaire, ""},
		{"très dotée reste très dotée, jamais non prioritaire", "4_Tres_dotee", TresDotee, SchemeAvenant5},
		{"sur-dotée", "5_Sur_dotee", SurDotee, SchemeAvenant5},
		{"non prioritaire", "5b_Non_prioritaire", NonPrioritaire, SchemeAvenant7},
		{"résultat non disponible", "N/A - résultat non disponible", NonDisponible, ""},
		{"non classé (Atlasanté, collectivités d'outre-mer)", "NC", NonDisponible, ""},
		{"slug accepté", "non_prioritaire", NonPrioritaire, SchemeAvenant7},
		{"espaces autour", " 2_Sous_dotee ", SousDotee, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCategory(tc.raw)
			if err != nil {
				t.Fatalf("ParseCategory(%q): %v", tc.raw, err)
			}
			if got != tc.want {
				t.Fatalf("ParseCategory(%q) = %s, want %s", tc.raw, got, tc.want)
			}
			if s := got.ImpliedScheme(); s != tc.scheme {
				t.Errorf("ImpliedScheme(%s) = %q, want %q", got, s, tc.scheme)
			}
		})
	}
}

func TestParseCategoryUnknown(t *testing.T) {
	for _, raw := range []string{"1b_Sous_dense", "4_ZAR", "", "Non prioritaire", "5b"} {
		_, err := ParseCategoryFor(MasseurKine, raw)
		if err == nil {
			t.Fatalf("ParseCategory(%q) accepted an unknown code", raw)
		}
		if !strings.Contains(err.Error(), "« "+raw+" »") || !strings.Contains(err.Error(), "5b_Non_prioritaire") {
			t.Errorf("error for %q should quote the value and list the known codes: %v", raw, err)
		}
	}
}

func TestCategoryTableRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Categories() {
		if !c.Valid() || c.Label() == "" || c.OfficialCode() == "" {
			t.Fatalf("category %q lacks a label or code", c)
		}
		if seen[c.Label()] {
			t.Fatalf("duplicate label %q", c.Label())
		}
		seen[c.Label()] = true
		back, err := ParseCategory(c.OfficialCode())
		if err != nil || back != c {
			t.Fatalf("official code %q parses to %q, %v", c.OfficialCode(), back, err)
		}
	}
	if got := len(Categories()); got != 8 {
		t.Fatalf("%d categories, want 8", got)
	}
}
