package zones

import (
	_ "embed"
	"encoding/json"
	"sync"
)

// departements.json names the départements by code: the COG 2026 list of
// @etalab/decoupage-administratif (Licence Ouverte), overseas départements and
// collectivités (971 to 978) and Corse (2A, 2B) included. Answers name the
// département of a commune beside its code, which readers know less well.
//
//go:embed departements.json
var departementsJSON []byte

var (
	departementsOnce sync.Once
	departements     map[string]string
)

// DepartementName returns the name of a département by its code ("15" →
// "Cantal", "2A" → "Corse-du-Sud", "974" → "La Réunion"), "" when unknown.
func DepartementName(code string) string {
	departementsOnce.Do(func() {
		if err := json.Unmarshal(departementsJSON, &departements); err != nil {
			panic("zones/departements.json illisible : " + err.Error())
		}
	})
	return departements[code]
}
