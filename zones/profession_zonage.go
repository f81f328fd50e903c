package zones

import (
	"fmt"
	"sort"
)

// ProfessionZonages holds the zonage of the professions other than the kiné's,
// compactly: their exports publish the same commune codes, so the codes, names and
// regions are stored once and each profession keeps one byte per code. Five
// professions then cost little more than one; the Zonage values an answer needs
// are built when it is made (and cached with the answer).
type ProfessionZonages struct {
	// Codes are the zonage codes of every profession's export, sorted, in the
	// exports' own COG vintage; Names[i] and Regions[i] (INSEE region code) belong
	// to Codes[i].
	Codes   []string
	Names   []string
	Regions []string
	Sets    []ProfessionSet
}

// ProfessionSet is one profession's categories.
type ProfessionSet struct {
	Profession Profession
	// Published lists the categories the export uses, each with its code exactly as
	// published; Categories[i] is 1 + an index into Published for Codes[i], or 0
	// when the profession's export does not list that code.
	Published  []PublishedCategory
	Categories []uint8
}

// PublishedCategory is a category with the code its source writes for it.
type PublishedCategory struct {
	Category     Category
	OfficialCode string
}

// ProfessionSource is the provenance and coverage of one profession's zonage.
type ProfessionSource struct {
	Profession    Profession `json:"profession"`
	Source        string     `json:"source"`         // id of its file in Meta.Sources
	ZonageSource  string     `json:"zonage_source"`  // « export CartoSanté (ARS/DGOS), zonage des infirmiers »
	ZonageVintage string     `json:"zonage_vintage"` // « export CartoSanté de septembre 2025, codes COG 2024 »
	Coverage      Coverage   `json:"coverage"`
}

// Set returns the profession's categories, when the dataset has them.
func (z *ProfessionZonages) Set(p Profession) (*ProfessionSet, bool) {
	if z == nil {
		return nil, false
	}
	for i := range z.Sets {
		if z.Sets[i].Profession == p {
			return &z.Sets[i], true
		}
	}
	return nil, false
}

// index is the position of code in Codes, or -1.
func (z *ProfessionZonages) index(code string) int {
	i := sort.SearchStrings(z.Codes, code)
	if i < len(z.Codes) && z.Codes[i] == code {
		return i
	}
	return -1
}

// ProfessionEntry is one row of a profession's zonage export.
type ProfessionEntry struct {
	Code, Name, Region string
	Category           Category
	OfficialCode       string // the category's code exactly as published
}

// BuildProfessionZonages stores the rows of each profession's export compactly.
// The professions are kept in the order of Professions(); a code listed twice for
// one profession is an error.
func BuildProfessionZonages(rows map[Profession][]ProfessionEntry) (*ProfessionZonages, error) {
	z := &ProfessionZonages{}
	name, region := map[string]string{}, map[string]string{}
	for _, list := range rows {
		for _, e := range list {
			if name[e.Code] == "" {
				name[e.Code] = e.Name
			}
			if region[e.Code] == "" {
				region[e.Code] = e.Region
			}
		}
	}
	z.Codes = sortedCodes(name)
	z.Names = make([]string, len(z.Codes))
	z.Regions = make([]string, len(z.Codes))
	for i, c := range z.Codes {
		z.Names[i], z.Regions[i] = name[c], region[c]
	}
	for _, p := range Professions() {
		list, ok := rows[p]
		if !ok {
			continue
		}
		set := ProfessionSet{Profession: p, Categories: make([]uint8, len(z.Codes))}
		for _, e := range list {
			k := -1
			for j, pc := range set.Published {
				if pc.OfficialCode == e.OfficialCode && pc.Category == e.Category {
					k = j
				}
			}
			if k < 0 {
				if len(set.Published) == 255 {
					return nil, fmt.Errorf("%s : plus de 255 codes de catégorie distincts", p.Plural())
				}
				set.Published = append(set.Published, PublishedCategory{Category: e.Category, OfficialCode: e.OfficialCode})
				k = len(set.Published) - 1
			}
			i := z.index(e.Code)
			if set.Categories[i] != 0 {
				return nil, fmt.Errorf("%s : code %s en double", p.Plural(), e.Code)
			}
			set.Categories[i] = uint8(k + 1)
		}
		z.Sets = append(z.Sets, set)
	}
	return z, nil
}

func sortedCodes(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Check reports a table whose parts do not fit together (a damaged snapshot).
func (z *ProfessionZonages) Check() error {
	if len(z.Names) != len(z.Codes) || len(z.Regions) != len(z.Codes) {
		return fmt.Errorf("zonage des autres professions : %d codes, %d noms, %d régions", len(z.Codes), len(z.Names), len(z.Regions))
	}
	if !sort.StringsAreSorted(z.Codes) {
		return fmt.Errorf("zonage des autres professions : codes non triés")
	}
	for _, s := range z.Sets {
		if !s.Profession.Valid() || s.Profession == MasseurKine {
			return fmt.Errorf("zonage des autres professions : profession « %s » inattendue", s.Profession)
		}
		if len(s.Categories) != len(z.Codes) {
			return fmt.Errorf("zonage des %s : %d catégories pour %d codes", s.Profession.Plural(), len(s.Categories), len(z.Codes))
		}
		for _, k := range s.Categories {
			if int(k) > len(s.Published) {
				return fmt.Errorf("zonage des %s : catégorie %d hors de la liste publiée", s.Profession.Plural(), k)
			}
		}
		for _, pc := range s.Published {
			if !s.Profession.HasCategory(pc.Category) {
				return fmt.Errorf("zonage des %s : catégorie « %s » hors de leur échelle", s.Profession.Plural(), pc.Category)
			}
		}
	}
	return nil
}

// at returns the zonage of code for the set's profession, built from the compact
// table; nil when the profession's export does not list code.
func (z *ProfessionZonages) at(set *ProfessionSet, code, source string) *Zonage {
	i := z.index(code)
	if i < 0 || set.Categories[i] == 0 {
		return nil
	}
	pc := set.Published[set.Categories[i]-1]
	return &Zonage{Code: code, Name: z.Names[i], Category: pc.Category, OfficialCode: pc.OfficialCode,
		Region: z.Regions[i], Source: source}
}

// Profession is the profession the resolver answers for.
func (r *Resolver) Profession() Profession {
	if r.profession == "" {
		return MasseurKine
	}
	return r.profession
}

// For returns the resolver that answers for p: r itself for the kiné, otherwise
// one made once per profession and kept, sharing r's Locator, Clock, Addresses,
// Rules and tolerance (as they are at that first call) with its own answer cache.
// A profession the served dataset has no zonage for is an *InputError on the
// field « profession ».
func (r *Resolver) For(p Profession) (*Resolver, error) {
	base := r
	if r.base != nil {
		base = r.base
	}
	if p == "" || p == MasseurKine {
		return base, nil
	}
	if !p.Valid() {
		return nil, &InputError{Field: "profession", Value: string(p), Reason: "attendu " + joinCodes(Professions())}
	}
	base.forMu.Lock()
	defer base.forMu.Unlock()
	if got, ok := base.forCache[p]; ok {
		return got, nil
	}
	src, ok := base.Dataset.ProfessionSource(p)
	if !ok {
		return nil, &InputError{Field: "profession", Value: string(p),
			Reason: fmt.Sprintf("les données servies (version %s) n'ont pas de zonage des %s ; réimportez-les avec l'export CartoSanté de cette profession",
				base.Dataset.Meta.Version, p.Plural())}
	}
	set, _ := base.Dataset.Professions.Set(p)
	got := &Resolver{Dataset: base.Dataset, Locator: base.Locator, ToleranceM: base.ToleranceM, Clock: base.Clock,
		Addresses: base.Addresses, Rules: base.Rules, profession: p, profSet: set, profSource: src, base: base}
	if base.forCache == nil {
		base.forCache = map[Profession]*Resolver{}
	}
	base.forCache[p] = got
	return got, nil
}

// zonageAt is the assignment of a zonage code in force on day for the resolver's
// profession, and the next one when a later one is known (the kiné's only).
func (r *Resolver) zonageAt(code, day string) (current, upcoming *Zonage) {
	if r.profSet == nil {
		return r.Dataset.ZonageAt(code, day)
	}
	return r.Dataset.Professions.at(r.profSet, code, r.profSource.Source), nil
}

// Intern makes equal region codes share one string: a decoded table holds one
// copy per code otherwise, tens of thousands of copies of eighteen values.
func (z *ProfessionZonages) Intern() {
	seen := map[string]string{}
	for i, r := range z.Regions {
		if s, ok := seen[r]; ok {
			z.Regions[i] = s
		} else {
			seen[r] = r
		}
	}
}
