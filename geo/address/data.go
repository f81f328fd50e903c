package address

// Kind is what a Commune entry is.
type Kind string

// The kinds of Commune entries.
const (
	KindCommune        Kind = "commune"        // current commune
	KindArrondissement Kind = "arrondissement" // arrondissement municipal of Paris, Lyon or Marseille
	KindDeleguee       Kind = "deleguee"       // commune déléguée: a name inside a current commune
	KindAssociee       Kind = "associee"       // commune associée: a name inside a current commune
)

// Data is everything the matcher is built from. It is made of plain values so it
// can be stored in the snapshot with encoding/gob and rebuilt into a Matcher at
// every start.
type Data struct {
	// Communes are the current communes and arrondissements, which are what Match
	// answers with, plus the communes déléguées and associées, whose names lead to
	// their current commune.
	Communes []Commune
	// Postal are the lines of the La Poste base officielle des codes postaux.
	Postal []PostalLine
	// Former are communes that no longer exist, so that an old name still leads to
	// the commune that absorbed it.
	Former []FormerName
	// Streets are the street address points of the BAN, one entry per commune (or
	// arrondissement) and street. Empty when no BAN file was imported.
	Streets []Street
}

// Commune is a current commune, an arrondissement municipal, or a commune déléguée
// or associée.
type Commune struct {
	Code string // INSEE code
	Name string // official name, e.g. "Paris 6e Arrondissement"
	Kind Kind
	// Parent is 75056, 69123 or 13055 for an arrondissement, the current commune for
	// a déléguée or associée, and empty for a commune.
	Parent      string
	Departement string
	Population  int
	Postcodes   []string
	// Lat and Lon are a point inside the commune to answer with (La Poste's); both
	// are zero when no source gives one.
	Lat, Lon float64
}

// PostalLine is one line of the La Poste postcode base.
type PostalLine struct {
	Code     string // INSEE code of the current commune or arrondissement the line belongs to
	Postcode string
	Name     string // nom_de_la_commune, La Poste spelling (upper case, abbreviated)
	Label    string // libellé d'acheminement
	Line5    string // ligne_5: ancienne commune or lieu-dit; may be empty
}

// FormerName is a commune that no longer exists.
type FormerName struct {
	Code    string // its INSEE code
	Name    string
	Current string // the current commune (or arrondissement) it belongs to
}

// Street is one street of one commune or arrondissement, with its address points.
type Street struct {
	Code     string  // INSEE code of the commune or arrondissement
	Name     string  // as published, e.g. "Rue de Vaugirard"
	Postcode string  // the postcode of most of its points
	Points   []Point // sorted by Number then Suffix
}

// Point is one address point of a street.
type Point struct {
	Number int32
	// Suffix is the indice de répétition in upper case: "B" (bis), "T" (ter),
	// "Q" (quater), a letter, or BAN's longer codes such as "P1"; empty when none.
	Suffix string
	// Lat and Lon are in units of 1e-7 degree, the fixed point of the snapshot:
	// exact for the 6 decimals BAN publishes, and compact in gob.
	Lat, Lon int32
}

// LatLon returns the point's coordinates in degrees.
func (p Point) LatLon() (lat, lon float64) {
	return float64(p.Lat) / 1e7, float64(p.Lon) / 1e7
}
