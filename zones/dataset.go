package zones

import (
	"sort"
	"time"
)

// CommuneType is the kind of a place in the Code officiel géographique, as the
// INSEE and @etalab/decoupage-administratif name it.
type CommuneType string

// The COG types of places.
const (
	CommuneActuelle         CommuneType = "commune-actuelle"
	ArrondissementMunicipal CommuneType = "arrondissement-municipal" // of Paris, Lyon or Marseille
	CommuneDeleguee         CommuneType = "commune-deleguee"         // a former commune inside a commune nouvelle
	CommuneAssociee         CommuneType = "commune-associee"         // a former commune associated with another
)

// Commune is a current commune (or arrondissement municipal for Paris, Lyon and
// Marseille, the granularity of the kiné zonage) that has an outline in the index.
type Commune struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Type        CommuneType `json:"type,omitempty"` // CommuneActuelle or ArrondissementMunicipal
	Departement string      `json:"departement,omitempty"`
	Region      string      `json:"region,omitempty"` // INSEE region code
	Parent      string      `json:"parent,omitempty"` // Paris, Lyon or Marseille for an arrondissement
	Population  int         `json:"population,omitempty"`
	Postcodes   []string    `json:"postcodes,omitempty"`
	Catchment   *Catchment  `json:"catchment,omitempty"`
	// ZonageCodes are the codes of the zonage source that cover this commune: its
	// own code, or the former communes it was formed from when the zonage predates
	// a merger. Several codes with different categories make the commune ambiguous.
	ZonageCodes []string `json:"zonage_codes,omitempty"`
	// ZonageNote explains a ZonageCodes entry that is not the commune's own code
	// nor one of its former communes (a commune restored from a larger one).
	ZonageNote string `json:"zonage_note,omitempty"`
	// NoZonageReason says why ZonageCodes is empty.
	NoZonageReason string `json:"no_zonage_reason,omitempty"`
}

// Zonage is the category an ARS decided for one commune code of a zonage source,
// with where it comes from. A code may carry several, one per effective date, when
// a regional overlay was imported.
type Zonage struct {
	Code          string     `json:"code"`          // commune code in the source's own COG vintage
	Name          string     `json:"name"`          // commune name in the source
	Category      Category   `json:"category"`      // slug
	OfficialCode  string     `json:"official_code"` // the code exactly as published
	Scheme        Scheme     `json:"scheme,omitempty"`
	Region        string     `json:"region,omitempty"`         // INSEE region code
	ArreteDate    string     `json:"arrete_date,omitempty"`    // ISO date of the arrêté, when known
	EffectiveDate string     `json:"effective_date,omitempty"` // ISO date from which it applies; empty = in force at the source's date
	EndDate       string     `json:"end_date,omitempty"`       // ISO date from which a later arrêté replaces it (exclusive); empty = open
	ArreteRef     string     `json:"arrete_ref,omitempty"`
	Source        string     `json:"source"` // id of the source in Meta.Sources
	Catchment     *Catchment `json:"catchment,omitempty"`
}

// FormerCommune is a commune code that no longer exists in the current COG, with
// the commune it now belongs to.
type FormerCommune struct {
	Code    string `json:"code"`
	Name    string `json:"name,omitempty"`
	Current string `json:"current"`        // current commune (or arrondissement) code
	Date    string `json:"date,omitempty"` // ISO date of the change, when known
}

// SourceInfo describes one file an import read.
type SourceInfo struct {
	ID      string `json:"id"`
	Role    string `json:"role"` // zonage, overlay, contours, cog, cog_history, catchments
	Title   string `json:"title"`
	Path    string `json:"path"`
	Vintage string `json:"vintage,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Bytes   int64  `json:"bytes,omitempty"`
	Rows    int    `json:"rows,omitempty"`
}

// Meta is the provenance of a dataset: what it was built from and when.
type Meta struct {
	Version       string       `json:"version"`
	ImportedAt    time.Time    `json:"imported_at"`
	ZonageSource  string       `json:"zonage_source"`  // human description of the main zonage source
	ZonageVintage string       `json:"zonage_vintage"` // e.g. "export CartoSanté de septembre 2025 (codes COG 2024)"
	GeoVintage    string       `json:"geo_vintage"`    // e.g. "ADMIN EXPRESS 2025 (COG 2025)"
	Sources       []SourceInfo `json:"sources"`
	Coverage      Coverage     `json:"coverage"`
	// Professions are the provenance and coverage of the other professions' zonage,
	// in the order of Professions(); empty in a dataset built before they were imported.
	Professions []ProfessionSource `json:"professions,omitempty"`
	// RegionDates are the kiné arrêté dates official tables give for some communes of
	// a region, applied to the region's other communes (see RegionDate).
	RegionDates []RegionDate `json:"region_dates,omitempty"`
}

// RegionDate is a region's kiné arrêté date derived from official rows: an arrêté
// covers its whole region, so when one official table dates some of its communes,
// the region's other communes on the same scale get that date, marked derived with
// this evidence. Mismatch, when set, says why the date cannot be the served data's
// (the dated rows disagree with the categories served for the same communes): the
// region's answers then say the date is unknown and why.
type RegionDate struct {
	Region     string   `json:"region"`
	ArreteDate string   `json:"arrete_date"`
	Scheme     Scheme   `json:"scheme,omitempty"` // scale of the dated rows, when their categories prove it
	Source     string   `json:"source"`           // the table's id in Sources
	Table      string   `json:"table"`            // the table's file name
	TableDate  string   `json:"table_date,omitempty"`
	Rows       int      `json:"rows"`  // rows of the table dating communes of the region
	Codes      []string `json:"codes"` // those communes
	Mismatch   string   `json:"mismatch,omitempty"`
}

// Coverage is the reconciliation report of an import, kept in the snapshot so the
// service can show it.
type Coverage struct {
	Communes         int                         `json:"communes"`    // outlines indexed
	ZonageRows       int                         `json:"zonage_rows"` // codes in the zonage sources
	PerRegion        map[string]map[Category]int `json:"per_region"`  // region code -> category -> communes
	PerCategory      map[Category]int            `json:"per_category"`
	Ambiguous        []AmbiguousCommune          `json:"ambiguous"`
	UnmatchedZonage  []string                    `json:"unmatched_zonage"`   // zonage codes with no outline
	CommunesNoZonage []string                    `json:"communes_no_zonage"` // outlines with no zonage
	Merged           int                         `json:"merged"`             // communes covered through former codes, all agreeing
	// Catchments says, per unit, whether its communes share one category.
	Catchments *CatchmentCoherence `json:"catchments,omitempty"`
	Notes      []string            `json:"notes,omitempty"`
}

// AmbiguousCommune is a current commune whose former communes had different categories.
type AmbiguousCommune struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Candidates []Zonage `json:"candidates"`
}

// Dataset is everything the service answers from.
type Dataset struct {
	Meta Meta
	// Communes are sorted by code; Communes[i] is outline i of the spatial index.
	Communes []Commune
	// Zonage maps a zonage code to its assignments sorted by effective date.
	Zonage map[string][]Zonage
	// Former maps a code that no longer exists to its current commune.
	Former map[string]FormerCommune
	// Arrondissements maps Paris, Lyon and Marseille to their arrondissements.
	Arrondissements map[string][]string
	// ParentNames names the Paris, Lyon and Marseille parent communes.
	ParentNames map[string]string
	// Professions is the zonage of the professions other than the kiné's, keyed by
	// the same codes as Zonage; nil when the dataset has none.
	Professions *ProfessionZonages

	byCode      map[string]int
	regionDates map[string]*regionDate
}

// regionDate is a region's derived kiné arrêté date with what every answer of
// the region shows of it, made once: the evidence and the note are the same for
// the region's thousands of communes.
type regionDate struct {
	*RegionDate
	evidence *DateEvidence
	note     string
}

// Index builds the lookup tables that are derived from the exported fields. It
// must be called once after the fields are filled, before the dataset is used.
func (d *Dataset) Index() {
	sort.Slice(d.Communes, func(i, j int) bool { return d.Communes[i].Code < d.Communes[j].Code })
	d.byCode = make(map[string]int, len(d.Communes))
	for i, c := range d.Communes {
		d.byCode[c.Code] = i
	}
	d.regionDates = map[string]*regionDate{}
	for i := range d.Meta.RegionDates {
		rd := &d.Meta.RegionDates[i]
		d.regionDates[rd.Region] = &regionDate{RegionDate: rd, evidence: rd.evidence(), note: rd.note()}
	}
}

// CommuneByCode returns the current commune with that code.
func (d *Dataset) CommuneByCode(code string) (*Commune, bool) {
	i, ok := d.byCode[code]
	if !ok {
		return nil, false
	}
	return &d.Communes[i], true
}

// ZonageAt returns the assignment of a zonage code in force on day (an ISO date),
// and the next one when a later one is already known.
func (d *Dataset) ZonageAt(code, day string) (current, upcoming *Zonage) {
	list := d.Zonage[code]
	for i := range list {
		z := &list[i]
		switch {
		case z.EffectiveDate != "" && z.EffectiveDate > day:
			if upcoming == nil {
				upcoming = z
			}
		case z.EndDate == "" || day < z.EndDate:
			current = z
		}
	}
	return current, upcoming
}

// ProfessionSource returns the provenance and coverage of p's zonage, when the
// dataset has it. The kiné's is Meta itself.
func (d *Dataset) ProfessionSource(p Profession) (*ProfessionSource, bool) {
	for i := range d.Meta.Professions {
		if d.Meta.Professions[i].Profession == p {
			if _, ok := d.Professions.Set(p); ok {
				return &d.Meta.Professions[i], true
			}
		}
	}
	return nil, false
}

// HasProfession reports whether the dataset answers for p: always for the kiné,
// for another profession when its export was imported.
func (d *Dataset) HasProfession(p Profession) bool {
	if p == MasseurKine {
		return true
	}
	_, ok := d.ProfessionSource(p)
	return ok
}
