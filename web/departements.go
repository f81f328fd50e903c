package web

import (
	_ "embed"
	"encoding/json"
	"sync"
)

// departements.json names the départements by code: the COG 2026 list of
// @etalab/decoupage-administratif (Licence Ouverte). Search suggestions name
// the département of each commune, which tells apart communes of one name.
//
//go:embed departements.json
var departementsJSON []byte

var (
	departementsOnce sync.Once
	departements     map[string]string
)

// departementName returns the name of a département, "" when unknown.
func departementName(code string) string {
	departementsOnce.Do(func() {
		if err := json.Unmarshal(departementsJSON, &departements); err != nil {
			panic("web/departements.json illisible : " + err.Error())
		}
	})
	return departements[code]
}
