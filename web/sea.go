package web

import (
	"bytes"
	"math"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"zonage/geo"
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
	for _, t := range st.islands() {
		b := t.Bounds
		if lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3] {
			n.AtSea = true
		}
	}
	ans.Nearest = n
	ans.Match.DistanceM = n.DistanceM
	where := "hors de France (à l'étranger ou en mer)"
	if n.AtSea {
		where = "en mer"
	}
	// « where : aucune commune à moins de 1000 m ; la plus proche est Name (code), à 4,2 km »,
	// written as fmt would write it with %.0f, without its reflection.
	var buf [256]byte
	msg := append(buf[:0], where...)
	msg = append(msg, " : aucune commune à moins de "...)
	msg = strconv.AppendFloat(msg, r.ToleranceM, 'f', 0, 64)
	msg = append(msg, " m ; la plus proche est "...)
	msg = append(msg, c.Name...)
	msg = append(msg, " ("...)
	msg = append(msg, c.Code...)
	msg = append(msg, "), à "...)
	msg = appendKilometres(msg, dist)
	ans.Message = string(msg)
	return ans
}

// islands are the map's territories (territoriesOf) that are islands
// (islandTerritories), with the same bounds: those of their communes'
// outlines. They do not change with the day, so they are made once, from the
// few communes of those départements, and a server that only answers the API
// does not make the map's data for them.
func (st *State) islands() []territory {
	st.islandsOnce.Do(func() {
		ds := st.Resolver.Dataset
		if len(st.Outlines) != len(ds.Communes) {
			return // the map has no territories either
		}
		var communes []zones.Commune
		var bounds []orb.Bound
		for i := range ds.Communes {
			if islandTerritories[ds.Communes[i].Departement] {
				communes = append(communes, ds.Communes[i])
				bounds = append(bounds, st.Outlines[i].Bound())
			}
		}
		for _, t := range territoriesOf(communes, bounds) {
			if islandTerritories[t.Code] {
				st.islandBounds = append(st.islandBounds, t)
			}
		}
	})
	return st.islandBounds
}

// appendKilometres appends a distance written the French way, « 4,2 km »,
// « 850 m », to b: the bytes fmt writes with %.0f m and %.1f km, comma aside.
func appendKilometres(b []byte, m float64) []byte {
	if m < 1000 {
		b = strconv.AppendFloat(b, m, 'f', 0, 64)
		return append(b, " m"...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, m/1000, 'f', 1, 64)
	if i := bytes.IndexByte(b[start:], '.'); i >= 0 {
		b[start+i] = ','
	}
	return append(b, " km"...)
}

// Some 40 % of the points of metropolitan France's bounding box are at sea or
// abroad, most of them beyond seaRadiusM of every commune. Their answer is the
// same bytes wherever the point is (« hors de France », the day, the
// provenance), yet finding that no commune is within seaRadiusM takes a search
// of a window that wide. A grid per territory (geo.FarGrid) tells, from a memory
// read once its cell is known, that a point is that far; such a point gets the
// answer the general path made for the first one of the day and profession.

// farGridMarginDegrees is how far beyond its communes' bounds a territory's
// grid reaches: the seas and neighbours a query there is likely to name.
// Farther points are located as before.
const farGridMarginDegrees = 2.0

// farAnswer is the answer to every point beyond seaRadiusM of every commune,
// for one fast table (a day and a profession): lean without options, full with
// the default profile's.
type farAnswer struct {
	lean, full []byte
	counter    prometheus.Counter
}

// grids is, per territory, the grid telling the points beyond seaRadiusM of
// every commune, over the territory's communes' bounds widened by
// farGridMarginDegrees; none when the locator is not the geo package's index
// (whose measure of distance the grid's cells are sized for).
func (st *State) grids() []*geo.FarGrid {
	st.farOnce.Do(func() {
		loc, ok := st.Resolver.Locator.(geo.Locator)
		ds := st.Resolver.Dataset
		if !ok || loc.Index == nil {
			return
		}
		bounds := make([]orb.Bound, len(ds.Communes))
		for i := range bounds {
			b, ok := loc.Index.Bound(i)
			if !ok {
				// A commune without outline: bounds no territory widens to take in.
				b = orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
			}
			bounds[i] = b
		}
		for _, t := range territoriesOf(ds.Communes, bounds) {
			b := t.Bounds
			box := orb.Bound{Min: orb.Point{b[0] - farGridMarginDegrees, b[1] - farGridMarginDegrees},
				Max: orb.Point{b[2] + farGridMarginDegrees, b[3] + farGridMarginDegrees}}
			st.farGrids = append(st.farGrids, geo.NewFarGrid(loc.Index, box, seaRadiusM))
		}
	})
	return st.farGrids
}

// farFromEveryCommune reports that p is beyond seaRadiusM of every commune, and
// so beyond toleranceM when that is shorter. With classify false only a cell
// already classified answers: a point not yet located may be inside a commune,
// whose cell it need not classify.
func (st *State) farFromEveryCommune(p zones.Point, toleranceM float64, classify bool) bool {
	for _, g := range st.grids() {
		if toleranceM > g.Meters() {
			return false
		}
		if (classify && g.Far(p)) || (!classify && g.KnownFar(p)) {
			return true
		}
	}
	return false
}

// writeFarAnswer writes the ready answer of a point beyond seaRadiusM of every
// commune and reports whether it did (nothing is written when it did not); see
// farFromEveryCommune for classify.
func (s *Server) writeFarAnswer(c *gin.Context, st *State, r *zones.Resolver, t *fastTable, q fastQuery, classify bool) bool {
	if s.noFarAnswers || !st.farFromEveryCommune(zones.Point{q.lon, q.lat}, r.ToleranceM, classify) {
		return false
	}
	a := t.far.Load()
	if a == nil {
		if a = s.buildFarAnswer(st, r, t, q.lat, q.lon); a == nil {
			return false
		}
	}
	if notModified(c, st.meta().Version, t.iso, time.Hour) {
		return true
	}
	a.counter.Inc()
	body := a.full
	if !q.withOptions {
		body = a.lean
	}
	writeAnswer(c, body)
	return true
}

// buildFarAnswer makes the answers of table t to a point beyond seaRadiusM of
// every commune with the general path's own steps and encoder, from the point
// (lat, lon), and keeps them; r is the resolver of the table's profession. It
// returns nil when the point is not answered as such a point.
func (s *Server) buildFarAnswer(st *State, r *zones.Resolver, t *fastTable, lat, lon float64) *farAnswer {
	res, err := r.ResolvePoint(lat, lon)
	if err != nil || res.Match.Method != zones.MethodOutside {
		return nil
	}
	withCity(r.Dataset, &res)
	lean := st.withNearest(res, lat, lon)
	if lean.Nearest != nil {
		return nil
	}
	withOptions := res
	r.FillOptions(&withOptions, zones.Profile{})
	a := &farAnswer{counter: s.metrics.lookups.WithLabelValues(string(res.Match.Precision), string(res.Status))}
	if a.lean, err = renderJSON(lean); err != nil {
		return nil
	}
	if a.full, err = renderJSON(st.withNearest(withOptions, lat, lon)); err != nil {
		return nil
	}
	if r.Today() != t.day || res.Date != t.day {
		// Midnight passed while the answers were made: they may be the next day's.
		return nil
	}
	if !t.far.CompareAndSwap(nil, a) {
		return t.far.Load()
	}
	return a
}
