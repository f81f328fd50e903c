package zones

import (
	"fmt"
	"strings"
)

// Category is the stable slug of an ARS zonage category for masseurs-kinésithérapeutes.
// Slugs are the contract of the CSV and JSON outputs; never rename one.
type Category string

// The categories, from least to most supplied. TresDotee and SurDotee only exist in
// the older five-level scale (avenant 5); NonPrioritaire only in the avenant 7 scale.
const (
	TresSousDotee  Category = "tres_sous_dotee"
	SousDotee      Category = "sous_dotee"
	Intermediaire  Category = "intermediaire"
	NonPrioritaire Category = "non_prioritaire"
	TresDotee      Category = "tres_dotee"
	SurDotee       Category = "sur_dotee"
	NonDisponible  Category = "non_disponible"
	// SousDense exists only on the orthophonistes' scale, between très sous-dotée
	// and sous-dotée (official code 1b_Sous_dense).
	SousDense Category = "sous_dense"
)

// Scheme is the zonage scale a category belongs to.
type Scheme string

const (
	// SchemeAvenant7 is the four-level scale of avenant 7 (arrêté of 20 March 2024):
	// très sous-dotée, sous-dotée, intermédiaire, non prioritaire.
	SchemeAvenant7 Scheme = "avenant7"
	// SchemeAvenant5 is the older five-level scale of avenant 5 (arrêté of
	// 24 September 2018): très sous-dotée, sous-dotée, intermédiaire, très dotée, sur-dotée.
	SchemeAvenant5 Scheme = "avenant5"
)

var schemeCodes = enum[Scheme]{field: "échelle", unknown: "échelle inconnue", entries: []enumEntry[Scheme]{
	{SchemeAvenant7, "avenant 7 (4 niveaux, arrêté du 20 mars 2024)"},
	{SchemeAvenant5, "avenant 5 (5 niveaux, arrêté du 24 septembre 2018)"},
}}

// Valid reports whether s is one of the known scales.
func (s Scheme) Valid() bool { return schemeCodes.valid(s) }

// Label returns the French name of a scheme.
func (s Scheme) Label() string {
	if !s.Valid() {
		return "échelle inconnue"
	}
	return schemeCodes.label(s)
}

type categoryInfo struct {
	category Category
	code     string // canonical official code, as written by Atlasanté/CartoSanté
	label    string
	schemes  []Scheme // the scales in which the category exists
}

var categoryTable = []categoryInfo{
	{TresSousDotee, "1_Tres_sous_dotee", "très sous-dotée", []Scheme{SchemeAvenant7, SchemeAvenant5}},
	{SousDotee, "2_Sous_dotee", "sous-dotée", []Scheme{SchemeAvenant7, SchemeAvenant5}},
	{Intermediaire, "3_intermediaire", "intermédiaire", []Scheme{SchemeAvenant7, SchemeAvenant5}},
	{NonPrioritaire, "5b_Non_prioritaire", "non prioritaire", []Scheme{SchemeAvenant7}},
	{TresDotee, "4_Tres_dotee", "très dotée", []Scheme{SchemeAvenant5}},
	{SurDotee, "5_Sur_dotee", "sur-dotée", []Scheme{SchemeAvenant5}},
	{NonDisponible, "N/A - résultat non disponible", "résultat non disponible", nil},
	{SousDense, "1b_Sous_dense", "sous-dense", nil},
}

// Categories lists every category of every profession, the kinés' first, in
// display order; Profession.Categories gives one profession's scale.
func Categories() []Category {
	out := make([]Category, len(categoryTable))
	for i, c := range categoryTable {
		out[i] = c.category
	}
	return out
}

func (c Category) info() (categoryInfo, bool) {
	for _, ci := range categoryTable {
		if ci.category == c {
			return ci, true
		}
	}
	return categoryInfo{}, false
}

// Valid reports whether c is one of the known slugs.
func (c Category) Valid() bool { _, ok := c.info(); return ok }

// Label is the French label shown to users ("très sous-dotée").
func (c Category) Label() string {
	ci, ok := c.info()
	if !ok {
		return string(c)
	}
	return ci.label
}

// OfficialCode is the canonical code used in the Atlasanté and CartoSanté files.
func (c Category) OfficialCode() string {
	ci, ok := c.info()
	if !ok {
		return ""
	}
	return ci.code
}

// Schemes lists the scales in which the category exists (none for NonDisponible).
func (c Category) Schemes() []Scheme {
	ci, _ := c.info()
	return ci.schemes
}

// ImpliedScheme is the scale a category alone proves: non prioritaire exists only
// under avenant 7, très dotée and sur-dotée only under avenant 5. The other
// categories exist in both and imply nothing (empty scheme).
func (c Category) ImpliedScheme() Scheme {
	if s := c.Schemes(); len(s) == 1 {
		return s[0]
	}
	return ""
}

// ParseCategory reads an official category code or a slug. Codes are matched
// exactly except for case, because both "3_intermediaire" and "3_Intermediaire"
// occur in official files. An unknown value is an error: guessing a category
// (reading "4_Tres_dotee" as non prioritaire, say) would give users a wrong answer.
func ParseCategory(raw string) (Category, error) {
	v := strings.TrimSpace(raw)
	for _, ci := range categoryTable {
		if strings.EqualFold(v, ci.code) || v == string(ci.category) {
			return ci.category, nil
		}
	}
	// "N/A - résultat non disponible" (CartoSanté) and "NC…" (non classé, Atlasanté,
	// overseas collectivités) both say the ARS published no category.
	if strings.HasPrefix(strings.ToUpper(v), "N/A") || v == "NC" || strings.HasPrefix(v, "NC_") || strings.HasPrefix(v, "NC ") {
		return NonDisponible, nil
	}
	return "", fmt.Errorf("catégorie inconnue « %s » (attendu l'un de : %s)", raw, strings.Join(knownCodes(), ", "))
}

func knownCodes() []string {
	out := make([]string, 0, len(categoryTable))
	for _, ci := range categoryTable {
		if ci.category != NonDisponible {
			out = append(out, ci.code)
		}
	}
	return out
}
