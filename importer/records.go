package importer

import (
	"github.com/paulmach/orb"

	"zonage/zones"
)

// ZonageRecord is one commune row of a zonage source (CartoSanté, Atlasanté or a
// regional overlay), already validated: the category is a known one.
type ZonageRecord struct {
	Code        string         // INSEE code as written in the source (its own COG vintage)
	Name        string         // commune name as written in the source; may be empty
	Category    zones.Category // parsed category
	RawCategory string         // the category code exactly as read
	ArreteDate  string         // ISO date (YYYY-MM-DD) of the ARS arrêté when the source gives it
	Region      string         // region name as written in the source, when given
	Catchment   *zones.Catchment
	Line        int // line in the source file, for messages
}

// ZonageFile is a whole zonage source.
type ZonageFile struct {
	Path   string // path of the file read
	Format string // "cartosante" or "atlasante"
	// Profession is the profession a CartoSanté export is for; empty for the other
	// formats, which are the kiné's.
	Profession zones.Profession
	DateMaj    string // ISO date of the source's own update stamp, when it has one
	Records    []ZonageRecord
	Notes      []string // non-fatal findings (e.g. "encodage Windows-1252 détecté")
}

// Overlay is a regional arrêté loaded by a user: from EffectiveDate on, its
// records replace every national assignment of Region.
type Overlay struct {
	Path          string
	Region        string // region code (INSEE, e.g. "84")
	EffectiveDate string // ISO date from which the overlay applies
	ArreteDate    string // ISO date of the arrêté, when given
	ArreteRef     string // reference of the arrêté (number or title), when given
	Records       []ZonageRecord
	Notes         []string
}

// PolygonFeature is one commune outline from a contour file.
type PolygonFeature struct {
	Code     string // INSEE code (COG of the contour file's vintage)
	Name     string // may be empty (the DROM files carry no name)
	Geometry orb.MultiPolygon
	Source   string // file it came from
}

// COGCommune is one entry of @etalab/decoupage-administratif communes.json.
type COGCommune struct {
	Code        string
	Name        string
	Type        zones.CommuneType
	Zone        string // metro, drom, com
	Departement string
	Region      string
	Parent      string // chefLieu for déléguées/associées, commune for arrondissements
	Population  int
	Postcodes   []string
	FormerCodes []string // anciensCodes
}

// Movement is one row of the INSEE "mouvements des communes" table.
type Movement struct {
	Mod        string // event type code (e.g. "32" création de commune nouvelle)
	Date       string // ISO effective date
	CodeBefore string
	NameBefore string
	TypeBefore string
	CodeAfter  string
	NameAfter  string
	TypeAfter  string
}

// CatchmentRow gives, for one COG commune, the two catchment units a kiné zonage
// can be decided on (bassin de vie 2022 and canton-ville) and the size class of its
// unité urbaine, from which the unit the ARS used can be derived.
type CatchmentRow struct {
	Commune        string
	BassinDeVie    string
	BassinDeVieLib string
	CantonVille    string
	CantonVilleLib string
	TDUU2017       string // tranche détaillée d'unité urbaine 2017
}
