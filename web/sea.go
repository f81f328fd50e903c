package web

import (
	"fmt"
	"math"
	"strings"

	"zonage/zones"
)

// seaRadiusM is how far from the nearest commune a point with no commune within
// the coast tolerance is still told which commune is nearest.
const seaRadiusM = 30000

// islandTerritories are the overseas départements that are islands: a point
// within their bounds and in no commune is in the sea. Guyane borders other
// countries by land, and metropolitan France too.
var islandTerritories = map[string]bool{"971": true, "972": true, "974": true, "976": true}

// nearestCommune is, for a point in no commune, the nearest one.
type nearestCommune struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	DistanceM float64 `json:"distance_m"`
	// AtSea is true where the point can only be in the sea: between or around
	// the islands of an overseas département.
	AtSea bool `json:"at_sea"`
}

// pointAnswer is a resolution with, for a point in no commune, the nearest one.
type pointAnswer struct {
	zones.Resolution
	Nearest *nearestCommune `json:"nearest,omitempty"`
}

// withNearest tells, for a point beyond the coast tolerance of every commune,
// which commune is nearest and how far, and says « en mer » where the point can
// be nowhere else.
func (st *State) withNearest(res zones.Resolution, lat, lon float64) pointAnswer {
	ans := pointAnswer{Resolution: res}
	r := st.Resolver
	if res.Match.Method != zones.MethodOutside || r.Locator == nil {
		return ans
	}
	id, _, dist := r.Locator.Locate(zones.Point{lon, lat}, seaRadiusM)
	if id < 0 || id >= len(r.Dataset.Communes) {
		return ans
	}
	c := &r.Dataset.Communes[id]
	n := &nearestCommune{Code: c.Code, Name: c.Name, DistanceM: math.Round(dist)}
	for _, t := range st.mapData().territories {
		b := t.Bounds
		if islandTerritories[t.Code] && lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3] {
			n.AtSea = true
		}
	}
	ans.Nearest = n
	ans.Match.DistanceM = n.DistanceM
	where := "hors de France (à l'étranger ou en mer)"
	if n.AtSea {
		where = "en mer"
	}
	ans.Message = fmt.Sprintf("%s : aucune commune à moins de %.0f m ; la plus proche est %s (%s), à %s",
		where, r.ToleranceM, c.Name, c.Code, kilometres(dist))
	return ans
}

// kilometres writes a distance the French way: « 4,2 km », « 850 m ».
func kilometres(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%.0f m", m)
	}
	return strings.Replace(fmt.Sprintf("%.1f km", m/1000), ".", ",", 1)
}
