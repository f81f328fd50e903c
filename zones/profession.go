package zones

import (
	"fmt"
	"slices"
	"strings"
)

// Profession is the stable slug of a health profession the ARS zone under its
// national convention. Slugs are the contract of the `profession` parameter and of
// the zonage_categorie_<slug> columns; never rename one.
type Profession string

// The professions the CartoSanté export covers. MasseurKine is the default: every
// query that names no profession is a kiné's.
const (
	MasseurKine        Profession = "masseur-kinesitherapeute"
	Infirmier          Profession = "infirmier"
	Orthophoniste      Profession = "orthophoniste"
	SageFemme          Profession = "sage-femme"
	ChirurgienDentiste Profession = "chirurgien-dentiste"
)

// DefaultProfession is the profession of a query that names none.
const DefaultProfession = MasseurKine

type professionInfo struct {
	profession Profession
	label      string // singular, lower case: « infirmier »
	plural     string // « infirmiers »
	// column is the header of the category column in the CartoSanté export.
	column string
	// scale is the profession's categories as the export publishes them, from the
	// least to the most supplied, N/A aside.
	scale []Category
}

var professionTable = []professionInfo{
	{MasseurKine, "masseur-kinésithérapeute", "masseurs-kinésithérapeutes", "Zonage kinés",
		[]Category{TresSousDotee, SousDotee, Intermediaire, NonPrioritaire, TresDotee, SurDotee}},
	{Infirmier, "infirmier", "infirmiers", "Zonage infirmiers",
		[]Category{TresSousDotee, SousDotee, Intermediaire, TresDotee, SurDotee}},
	{Orthophoniste, "orthophoniste", "orthophonistes", "Zonage orthophonistes",
		[]Category{TresSousDotee, SousDense, SousDotee, Intermediaire, TresDotee, SurDotee}},
	{SageFemme, "sage-femme", "sages-femmes", "Zonage sages-femmes",
		[]Category{TresSousDotee, SousDotee, Intermediaire, TresDotee, SurDotee}},
	{ChirurgienDentiste, "chirurgien-dentiste", "chirurgiens-dentistes", "Zonage chirurgien-dentiste",
		[]Category{TresSousDotee, SousDotee, Intermediaire, TresDotee, NonPrioritaire}},
}

// Professions lists every profession, the default first.
func Professions() []Profession {
	out := make([]Profession, len(professionTable))
	for i, p := range professionTable {
		out[i] = p.profession
	}
	return out
}

func (p Profession) info() (professionInfo, bool) {
	i := slices.IndexFunc(professionTable, func(x professionInfo) bool { return x.profession == p })
	if i < 0 {
		return professionInfo{}, false
	}
	return professionTable[i], true
}

// Valid reports whether p is one of the known slugs.
func (p Profession) Valid() bool { _, ok := p.info(); return ok }

// Label is the French singular name, lower case (« sage-femme »).
func (p Profession) Label() string {
	if pi, ok := p.info(); ok {
		return pi.label
	}
	return string(p)
}

// Plural is the French plural name, lower case (« sages-femmes »).
func (p Profession) Plural() string {
	if pi, ok := p.info(); ok {
		return pi.plural
	}
	return string(p)
}

// ExportColumn is the header of the profession's category column in the
// CartoSanté export (« Zonage infirmiers »).
func (p Profession) ExportColumn() string {
	pi, _ := p.info()
	return pi.column
}

// Categories is the profession's scale, from the least to the most supplied, as
// its export publishes it; non_disponible is not listed, any profession may have it.
func (p Profession) Categories() []Category {
	pi, _ := p.info()
	return slices.Clone(pi.scale)
}

// HasCategory reports whether c is on the profession's scale (non_disponible is on
// every scale).
func (p Profession) HasCategory(c Category) bool {
	if c == NonDisponible {
		return true
	}
	pi, _ := p.info()
	return slices.Contains(pi.scale, c)
}

// ProfessionByColumn returns the profession whose export has that category column
// header, compared without case or surrounding space.
func ProfessionByColumn(header string) (Profession, bool) {
	h := strings.TrimSpace(header)
	for _, pi := range professionTable {
		if strings.EqualFold(h, pi.column) {
			return pi.profession, true
		}
	}
	return "", false
}

// ParseProfession reads a slug as a user typed it (trimmed, any case). Empty is
// the default profession. An unknown slug is an InputError that lists the valid ones.
func ParseProfession(raw string) (Profession, error) {
	v := Profession(strings.ToLower(strings.TrimSpace(raw)))
	if v == "" {
		return DefaultProfession, nil
	}
	if v.Valid() {
		return v, nil
	}
	return "", &InputError{Field: "profession", Value: raw, Reason: "attendu " + joinCodes(Professions())}
}

// Scale is Categories followed by non_disponible: every category an answer for
// the profession can carry, in display order.
func (p Profession) Scale() []Category {
	return append(p.Categories(), NonDisponible)
}

// ParseCategoryFor reads an official code or slug as ParseCategory does, and
// refuses a category that is not on the profession's scale: a kiné export that
// says 1b_Sous_dense is not a kiné export.
func ParseCategoryFor(p Profession, raw string) (Category, error) {
	c, err := ParseCategory(raw)
	if err != nil {
		return "", err
	}
	if !p.HasCategory(c) {
		codes := make([]string, 0, len(p.Categories()))
		for _, k := range p.Categories() {
			codes = append(codes, k.OfficialCode())
		}
		return "", fmt.Errorf("catégorie « %s » hors de l'échelle des %s (attendu l'un de : %s)", strings.TrimSpace(raw), p.Plural(), strings.Join(codes, ", "))
	}
	return c, nil
}
