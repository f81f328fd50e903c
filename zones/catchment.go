package zones

import "fmt"

// CatchmentKind is the geographic unit an ARS decides a category for.
type CatchmentKind string

const (
	BassinDeVie CatchmentKind = "bassin_de_vie"
	CantonVille CatchmentKind = "canton_ville"
)

// Label returns the French name of the unit kind.
func (k CatchmentKind) Label() string {
	switch k {
	case BassinDeVie:
		return "bassin de vie"
	case CantonVille:
		return "canton-ville"
	}
	return string(k)
}

// Catchment is the bassin de vie or canton-ville a commune's category was decided
// for. Derived is true when the unit was rebuilt from INSEE tables rather than read
// from an ARS publication: the grouping is then indicative.
type Catchment struct {
	Kind    CatchmentKind `json:"kind"`
	Code    string        `json:"code"`
	Name    string        `json:"name"`
	Derived bool          `json:"derived"`
	// Communes counts the unit's communes in the data, and Coherent says whether they
	// all had one category on the import day (unknown: not computed, an older snapshot).
	// A unit whose communes differ does not match the published zonage: it is not
	// classed as a whole, each commune's own category is the answer.
	Communes int       `json:"communes,omitempty"`
	Coherent Coherence `json:"coherent,omitempty"`
}

// ClassedWhole reports whether the data shows the unit classed as a whole: all its
// communes share one category.
func (c *Catchment) ClassedWhole() bool { return c != nil && c.Coherent == CoherenceOne }

// Coherence says whether a unit's communes share one category. It is a small integer
// rather than a *bool because the snapshot's gob encoding drops a pointer to false:
// a mixed unit would come back as unknown. In JSON it is the boolean "coherent",
// left out when unknown.
type Coherence uint8

// The coherences: not computed, one category for every commune, several categories.
const (
	CoherenceUnknown Coherence = iota
	CoherenceOne
	CoherenceMixed
)

// CoherenceOf is the coherence of a unit whose communes share one category or not.
func CoherenceOf(shared bool) Coherence {
	if shared {
		return CoherenceOne
	}
	return CoherenceMixed
}

// MarshalJSON writes true or false; an unknown coherence is left out by omitempty.
func (c Coherence) MarshalJSON() ([]byte, error) {
	if c == CoherenceOne {
		return []byte("true"), nil
	}
	return []byte("false"), nil
}

// UnmarshalJSON reads the boolean MarshalJSON writes.
func (c *Coherence) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true":
		*c = CoherenceOne
	case "false":
		*c = CoherenceMixed
	case "null":
		*c = CoherenceUnknown
	default:
		return fmt.Errorf("coherent : booléen attendu, pas %s", b)
	}
	return nil
}

// Key identifies a unit across communes ("bassin_de_vie:01004").
func (c *Catchment) Key() string { return string(c.Kind) + ":" + c.Code }

// CatchmentUnit is one bassin de vie or canton-ville of the data with the categories
// of its communes on the import day: the coverage report lists every derived unit.
type CatchmentUnit struct {
	Kind       CatchmentKind    `json:"kind"`
	Code       string           `json:"code"`
	Name       string           `json:"name"`
	Derived    bool             `json:"derived"`
	Communes   int              `json:"communes"`
	Coherent   bool             `json:"coherent"`
	Categories map[Category]int `json:"categories"`
}

// CatchmentCoherence sums up whether the units match the data: how many derived units
// have communes of one category, and the rate.
type CatchmentCoherence struct {
	DerivedUnits    int     `json:"derived_units"`
	DerivedCoherent int     `json:"derived_coherent"`
	DerivedRate     float64 `json:"derived_coherence_rate"` // DerivedCoherent / DerivedUnits, 0 to 1
	OfficialUnits   int     `json:"official_units"`
	// Units lists every derived unit and every official unit, coherent or not.
	Units []CatchmentUnit `json:"units"`
}
