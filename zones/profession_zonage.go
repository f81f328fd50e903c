package zones

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"sort"
	"strings"
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
	ZonageSource  string     `json:"zonage_source"`  // « export CartoSanté (ARS/DGOS) du zonage des infirmiers »
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
	for p := range rows {
		if !p.Valid() || p == MasseurKine {
			return nil, fmt.Errorf("zonage des autres professions : profession « %s » inattendue", p)
		}
	}
	// Names and regions come from the first profession, in the order of
	// Professions(), that gives them: the same rows always build the same table.
	name, region := map[string]string{}, map[string]string{}
	for _, p := range Professions() {
		for _, e := range rows[p] {
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
// one made once per profession and kept, with its own answer cache. It tells the
// day by r's Clock, and shares r's Locator, Addresses, Codes, Rules and tolerance as they
// are at that first call.
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
		Addresses: base.Addresses, Codes: base.Codes, Rules: base.Rules, Countries: base.Countries, profession: p, profSet: set, profSource: src, base: base,
		profDateNote: fmt.Sprintf("date de l'arrêté inconnue : la source du zonage des %s, %s, ne donne pas la date des arrêtés des ARS",
			p.Plural(), src.ZonageVintage)}
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

// professionWire is how a ProfessionZonages is stored: each list of strings as one
// string and the end offsets of its parts, so that decoding costs a few
// allocations instead of one per code, name and region.
type professionWire struct {
	Codes, Names, Regions          string
	CodeEnds, NameEnds, RegionEnds []uint32
	Sets                           []ProfessionSet
}

// GobEncode writes the table in its stored form (professionWire).
func (z *ProfessionZonages) GobEncode() ([]byte, error) {
	w := professionWire{Sets: z.Sets}
	w.Codes, w.CodeEnds = joinStrings(z.Codes)
	w.Names, w.NameEnds = joinStrings(z.Names)
	w.Regions, w.RegionEnds = joinStrings(z.Regions)
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(w); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// GobDecode reads the stored form; the strings are slices of the three stored ones.
func (z *ProfessionZonages) GobDecode(b []byte) error {
	var w professionWire
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&w); err != nil {
		return err
	}
	var err error
	if z.Codes, err = splitStrings(w.Codes, w.CodeEnds); err != nil {
		return err
	}
	if z.Names, err = splitStrings(w.Names, w.NameEnds); err != nil {
		return err
	}
	if z.Regions, err = splitStrings(w.Regions, w.RegionEnds); err != nil {
		return err
	}
	z.Sets = w.Sets
	return nil
}

func joinStrings(list []string) (string, []uint32) {
	var b strings.Builder
	ends := make([]uint32, len(list))
	for i, s := range list {
		b.WriteString(s)
		ends[i] = uint32(b.Len())
	}
	return b.String(), ends
}

func splitStrings(joined string, ends []uint32) ([]string, error) {
	out := make([]string, len(ends))
	start := uint32(0)
	for i, end := range ends {
		if end < start || int(end) > len(joined) {
			return nil, fmt.Errorf("zonage des autres professions : décalage %d hors de la chaîne (%d octets)", end, len(joined))
		}
		out[i] = joined[start:end]
		start = end
	}
	return out, nil
}
