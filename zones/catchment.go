package zones

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
}
