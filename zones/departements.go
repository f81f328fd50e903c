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

// DepartementOfCommune returns the code of the département, or of the overseas
// collectivité, a commune code belongs to ("2A004" → "2A", "97411" → "974",
// "97701" → "977"); "" when code is not a commune code. Communes the data have
// no outline for (Saint-Barthélemy, Saint-Martin) are named with it.
func DepartementOfCommune(code string) string {
	if !ValidCommuneCode(code) {
		return ""
	}
	if code[:2] == "97" || code[:2] == "98" {
		return code[:3]
	}
	return code[:2]
}
