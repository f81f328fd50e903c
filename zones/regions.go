package zones

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

// RegionArrete is what is known of one regional zonage arrêté: its dates, its
// reference, the source keys they rest on, and why they are uncertain when they are.
type RegionArrete struct {
	ArreteDate    string   `yaml:"arrete_date" json:"arrete_date,omitempty"`
	EffectiveDate string   `yaml:"effective_date" json:"effective_date,omitempty"`
	ArreteRef     string   `yaml:"arrete_ref" json:"arrete_ref,omitempty"`
	Sources       []string `yaml:"sources" json:"sources,omitempty"`
	Uncertain     string   `yaml:"uncertain" json:"uncertain,omitempty"`
	// Claims are dates sources give for this arrêté that are not retained: sources
	// that disagree with one another, or an arrêté whose lists disagree with the data.
	Claims []DateClaim `yaml:"claims" json:"claims,omitempty"`
	// DateUnknown says why no date is given for the data served.
	DateUnknown string `yaml:"date_unknown" json:"date_unknown,omitempty"`
}

// DateClaim is a date one source gives for an arrêté, shown beside the others when
// sources disagree, never picked silently.
type DateClaim struct {
	ArreteDate    string   `yaml:"arrete_date" json:"arrete_date,omitempty"`
	EffectiveDate string   `yaml:"effective_date" json:"effective_date,omitempty"`
	ArreteRef     string   `yaml:"arrete_ref" json:"arrete_ref,omitempty"`
	Sources       []string `yaml:"sources" json:"sources"`
	Note          string   `yaml:"note" json:"note,omitempty"`
}

// Region is an INSEE region with its kiné zonage history as far as sources tell.
type Region struct {
	Code     string        `yaml:"code" json:"code"`
	Name     string        `yaml:"name" json:"name"`
	Aliases  []string      `yaml:"aliases" json:"aliases,omitempty"`
	Scheme   Scheme        `yaml:"scheme" json:"scheme,omitempty"`
	Current  *RegionArrete `yaml:"current" json:"current,omitempty"`
	Previous *RegionArrete `yaml:"previous" json:"previous,omitempty"`
}

// Source is one entry of the bibliography the rules and regional dates rest on.
type Source struct {
	Key       string   `yaml:"-" json:"key"`
	Group     string   `yaml:"group" json:"group"`
	Title     string   `yaml:"title" json:"title"`
	URLs      []string `yaml:"urls" json:"urls,omitempty"`
	Secondary bool     `yaml:"secondary" json:"secondary,omitempty"`
}

func indexRegions(regions []Region) (byCode, byName map[string]*Region) {
	regionsByCode, regionsByName := map[string]*Region{}, map[string]*Region{}
	for i := range regions {
		r := &regions[i]
		regionsByCode[r.Code] = r
		regionsByName[foldName(r.Name)] = r
		for _, a := range r.Aliases {
			regionsByName[foldName(a)] = r
		}
	}
	return regionsByCode, regionsByName
}

// DataError is a problem in one of the embedded data tables, with its position.
type DataError struct {
	File   string
	Line   int
	Reason string
}

func (e *DataError) Error() string {
	return fmt.Sprintf("%s:%d : %s", e.File, e.Line, e.Reason)
}

func parseSources(b []byte, name string) (map[string]Source, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s : %w", name, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &DataError{name, 1, "une table clé → source est attendue"}
	}
	m := doc.Content[0]
	out := map[string]Source{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		var s Source
		if err := decodeNode(v, &s); err != nil {
			return nil, err.(*nodeError).at(name)
		}
		if _, dup := out[k.Value]; dup {
			return nil, &DataError{name, k.Line, fmt.Sprintf("clé de source « %s » en double", k.Value)}
		}
		if s.Title == "" {
			return nil, &DataError{name, k.Line, fmt.Sprintf("source « %s » sans titre", k.Value)}
		}
		s.Key = k.Value
		out[k.Value] = s
	}
	return out, nil
}

func parseRegions(b []byte, name string, known map[string]Source) ([]Region, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s : %w", name, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.SequenceNode {
		return nil, &DataError{name, 1, "une liste de régions est attendue"}
	}
	var out []Region
	seen := map[string]bool{}
	for _, n := range doc.Content[0].Content {
		var r Region
		if err := decodeNode(n, &r); err != nil {
			return nil, err.(*nodeError).at(name)
		}
		if r.Code == "" || r.Name == "" {
			return nil, &DataError{name, n.Line, "région sans code ou sans nom"}
		}
		if seen[r.Code] {
			return nil, &DataError{name, n.Line, fmt.Sprintf("région %s en double", r.Code)}
		}
		seen[r.Code] = true
		if r.Scheme != "" && !r.Scheme.Valid() {
			return nil, &DataError{name, n.Line, fmt.Sprintf("région %s : échelle inconnue « %s » (attendu %s)", r.Code, r.Scheme, schemeCodes.expected())}
		}
		for _, a := range []*RegionArrete{r.Current, r.Previous} {
			if a == nil {
				continue
			}
			dated := []DateClaim{{ArreteDate: a.ArreteDate, EffectiveDate: a.EffectiveDate, Sources: a.Sources}}
			for _, c := range a.Claims {
				if c.ArreteDate == "" && c.EffectiveDate == "" {
					return nil, &DataError{name, n.Line, fmt.Sprintf("région %s : date revendiquée sans date", r.Code)}
				}
				dated = append(dated, c)
			}
			for _, c := range dated {
				for _, d := range []string{c.ArreteDate, c.EffectiveDate} {
					if _, err := ParseDay(d); d != "" && err != nil {
						return nil, &DataError{name, n.Line, fmt.Sprintf("région %s : date « %s » invalide (AAAA-MM-JJ attendu)", r.Code, d)}
					}
				}
				for _, k := range c.Sources {
					if _, ok := known[k]; !ok {
						return nil, &DataError{name, n.Line, fmt.Sprintf("région %s : clé de source inconnue « %s »", r.Code, k)}
					}
				}
				if (c.ArreteDate != "" || c.EffectiveDate != "") && len(c.Sources) == 0 {
					return nil, &DataError{name, n.Line, fmt.Sprintf("région %s : date sans source", r.Code)}
				}
			}
			if (len(a.Claims) > 0 || a.DateUnknown != "") && (a.ArreteDate != "" || a.EffectiveDate != "") {
				// A retained date beside unretained ones would be a silent pick.
				return nil, &DataError{name, n.Line, fmt.Sprintf("région %s : une date retenue ne va pas avec claims ou date_unknown", r.Code)}
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// foldName lowers a name and strips accents, hyphens and apostrophes, so that
// "Provence-Alpes-Côte d'Azur" and "PROVENCE ALPES COTE D AZUR" compare equal.
func foldName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// RegionByCode finds a region by its INSEE code ("84").
func RegionByCode(code string) (Region, bool) {
	r, ok := embedded().regionsByCode[strings.TrimSpace(code)]
	if !ok {
		return Region{}, false
	}
	return *r, true
}

// RegionByName finds a region by its name or a common abbreviation, ignoring
// case, accents and punctuation ("Auvergne-Rhône-Alpes", "AURA").
func RegionByName(name string) (Region, bool) {
	r, ok := embedded().regionsByName[foldName(name)]
	if !ok {
		return Region{}, false
	}
	return *r, true
}

// SourceByKey returns a bibliography entry ("R-ARA").
func SourceByKey(key string) (Source, bool) {
	s, ok := embedded().sources[key]
	return s, ok
}

// overseasCollectivities names the collectivités d'outre-mer the COG gives in
// place of a region code: the zonage export lists Saint-Barthélemy and
// Saint-Martin (without a result), and an answer must not show a bare code as
// their name.
var overseasCollectivities = map[string]string{
	"975": "Saint-Pierre-et-Miquelon",
	"977": "Saint-Barthélemy",
	"978": "Saint-Martin",
}

func regionRef(code string) RegionRef {
	if r, ok := embedded().regionsByCode[code]; ok {
		return RegionRef{Code: r.Code, Name: r.Name}
	}
	if name, ok := overseasCollectivities[code]; ok {
		return RegionRef{Code: code, Name: name}
	}
	return RegionRef{Code: code, Name: code}
}

// Date statuses: where an answer's arrêté date comes from, or why there is none.
const (
	DatePublished = "publiee"        // on the answer's own row (official table, imported arrêté)
	DateDerived   = "derivee"        // from official rows of other communes of the region
	DateRegional  = "regionale"      // from the sourced regional publications (regions.yaml)
	DateConflict  = "contradictoire" // sources disagree; every claim is shown, none picked
	DateUnknown   = "inconnue"       // no date, or a known arrêté that does not fit the data
)

// fillRegionalDates completes an answer whose source gave no arrêté date with what
// the sourced regional table knows, and says how sure that is: the CartoSanté export
// carries categories only.
func fillRegionalDates(a *ZonageAnswer) {
	if a.ArreteDate != "" || a.EffectiveDate != "" {
		a.DateStatus = DatePublished
		return
	}
	a.DateStatus = DateUnknown
	r, ok := embedded().regionsByCode[a.Region.Code]
	if !ok {
		a.DateNote = sharedNote(fmt.Sprintf("date de l'arrêté inconnue : %s n'est dans aucune des régions dont les sources donnent l'arrêté ; consultez le site de l'ARS", a.Region.Name))
		return
	}
	known := r.Current
	// The table's current arrêté is of the region's own scale; an answer on the other
	// scale comes from the arrêté before it.
	if r.Scheme != "" && a.Scheme != "" && a.Scheme != r.Scheme {
		known = r.Previous
	}
	switch {
	case known != nil && known.DateUnknown != "":
		a.DateNote = sharedNote("date inconnue : " + known.DateUnknown)
		a.DateSources, a.DateClaims = known.Sources, known.Claims
		return
	case known != nil && len(known.Claims) > 0:
		a.DateStatus = DateConflict
		a.DateNote = known.Uncertain
		a.DateSources, a.DateClaims = known.Sources, known.Claims
		return
	case known == nil || (known.ArreteDate == "" && known.EffectiveDate == ""):
		a.DateNote = sharedNote(fmt.Sprintf("date de l'arrêté en vigueur en %s non trouvée dans les sources ; consultez le site de l'ARS", r.Name))
		if known != nil && known.Uncertain != "" {
			a.DateNote = known.Uncertain
			a.DateSources = known.Sources
		}
		return
	}
	a.DateStatus = DateRegional
	a.ArreteDate, a.EffectiveDate = known.ArreteDate, known.EffectiveDate
	if a.ArreteRef == "" {
		a.ArreteRef = known.ArreteRef
	}
	a.DateSources = known.Sources
	note := "date tirée des publications régionales, pas du fichier de zonage"
	if known.Uncertain != "" {
		note = sharedNote("incertain : " + known.Uncertain)
	}
	a.DateNote = note
}

// regionNotes holds one copy of each note fillRegionalDates writes: they are
// made from the embedded regional table, a few per region, and the answers the
// resolver keeps for thousands of communes of a region then share it.
var regionNotes sync.Map // string → string

func sharedNote(note string) string {
	v, _ := regionNotes.LoadOrStore(note, note)
	return v.(string)
}

// DateEvidence is what a region-level date derived from official rows rests on.
type DateEvidence struct {
	Table     string   `json:"table"`                // file name of the official table
	TableDate string   `json:"table_date,omitempty"` // its update date (date_maj)
	Rows      int      `json:"rows"`                 // its rows that date communes of the region
	Codes     []string `json:"codes"`                // those communes
}

// fillDerivedDate dates an answer from official rows of other communes of its region
// (Meta.RegionDates) and reports whether it did. An assignment with its own dates, one
// from an imported regional arrêté, or one on another scale than the dated rows is left
// alone; a region whose dated rows disagree with the served categories gets no date and
// the reason.
func (r *Resolver) fillDerivedDate(a *ZonageAnswer, z *Zonage) bool {
	if a.ArreteDate != "" || a.EffectiveDate != "" || strings.HasPrefix(z.Source, "overlay:") {
		return false
	}
	rd, ok := r.Dataset.regionDates[a.Region.Code]
	if !ok || (rd.Scheme != "" && a.Scheme != "" && rd.Scheme != a.Scheme) {
		return false
	}
	a.DateEvidence, a.DateNote = rd.evidence, rd.note
	if rd.Mismatch != "" {
		a.DateStatus = DateUnknown
		return true
	}
	a.ArreteDate = rd.ArreteDate
	a.DateStatus = DateDerived
	return true
}

// evidence is what the answers dated from rd rest on.
func (rd *RegionDate) evidence() *DateEvidence {
	return &DateEvidence{Table: rd.Table, TableDate: rd.TableDate, Rows: rd.Rows, Codes: rd.Codes}
}

// note is the date note of the answers dated from rd: why the date is
// unknown when the rows disagree with the served data, else where it comes from.
func (rd *RegionDate) note() string {
	region := regionRef(rd.Region).Name
	if rd.Mismatch != "" {
		return fmt.Sprintf("date inconnue : la table officielle %s date l'arrêté %s au %s, mais %s",
			rd.Table, OfRegion(region), FrenchDate(rd.ArreteDate), rd.Mismatch)
	}
	rows := "ligne"
	if rd.Rows > 1 {
		rows = "lignes"
	}
	return fmt.Sprintf("date de l'arrêté régional donnée par %d %s de la table officielle %s (%s) pour d'autres communes %s ; un arrêté couvre toute sa région",
		rd.Rows, rows, rd.Table, strings.Join(rd.Codes, ", "), OfRegion(region))
}

// OfRegion writes « de » before a region's name, elided before a vowel:
// « d'Occitanie », « d'Île-de-France », « de Normandie », « de La Réunion ».
func OfRegion(name string) string {
	first, _ := utf8.DecodeRuneInString(foldName(name))
	if strings.ContainsRune("aeiouy", first) {
		return "d'" + name
	}
	return "de " + name
}
