package web

import (
	"bytes"
	"errors"
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
	n := &nearestCommune{Code: c.Code, Name: c.Name, DistanceM: math.Round(dist), AtSea: st.atSea(lon, lat)}
	ans.Nearest = n
	ans.Match.DistanceM = n.DistanceM
	if res.Match.Country != "" {
		// Abroad within the tolerance: the resolver's message names the
		// country and this same commune.
		return ans
	}
	var buf [256]byte
	ans.Message = string(appendNearestMessage(buf[:0], n.AtSea, r.ToleranceM, c, dist))
	return ans
}

// atSea reports that a point in no commune can only be in the sea: it lies
// within the bounds of an island territory.
func (st *State) atSea(lon, lat float64) bool {
	atSea := false
	for _, t := range st.islands() {
		b := t.Bounds
		if lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3] {
			atSea = true
		}
	}
	return atSea
}

// appendNearestMessage appends the message of a point beyond toleranceM of
// every commune whose nearest commune is c, at distanceM metres: « where :
// aucune commune à moins de 1000 m ; la plus proche est Name (code), à
// 4,2 km », where being « en mer » at sea, written as fmt would write it with
// %.0f, without its reflection.
func appendNearestMessage(b []byte, atSea bool, toleranceM float64, c *zones.Commune, distanceM float64) []byte {
	where := "hors de France (à l'étranger ou en mer)"
	if atSea {
		where = "en mer"
	}
	b = append(b, where...)
	b = append(b, " : aucune commune à moins de "...)
	b = strconv.AppendFloat(b, toleranceM, 'f', 0, 64)
	b = append(b, " m ; la plus proche est "...)
	b = append(b, c.Name...)
	b = append(b, " ("...)
	b = append(b, c.Code...)
	b = append(b, "), à "...)
	return zones.AppendKilometres(b, distanceM)
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
// the default profile's, each with its Content-Length value.
type farAnswer struct {
	lean, full             []byte
	leanLength, fullLength []string
	counter                prometheus.Counter
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
	return s.writeFarReady(c, st, r, t, q)
}

// writeFarReady writes the ready answer of table t to a point with no commune
// within seaRadiusM, the point of q, and reports whether it did.
func (s *Server) writeFarReady(c *gin.Context, st *State, r *zones.Resolver, t *fastTable, q fastQuery) bool {
	if r.Countries != nil {
		if _, _, _, ok := r.Countries.Collectivity(zones.Point{q.lon, q.lat}, r.ToleranceM); ok {
			// A collectivité without commune outlines (Saint-Martin…): the
			// general path names it.
			return false
		}
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
	if q.withOptions {
		writeAnswerSized(c, a.full, a.fullLength)
	} else {
		writeAnswerSized(c, a.lean, a.leanLength)
	}
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
	a.leanLength, a.fullLength = []string{strconv.Itoa(len(a.lean))}, []string{strconv.Itoa(len(a.full))}
	if r.Today() != t.day || res.Date != t.day {
		// Midnight passed while the answers were made: they may be the next day's.
		return nil
	}
	if !t.far.CompareAndSwap(nil, a) {
		return t.far.Load()
	}
	return a
}

// The points outside every commune but within seaRadiusM of one (at sea near
// a coast, across a border: one point of the bench in eight) share their
// answer but for the distance and the nearest commune: its match's distance,
// its message and its "nearest" field. A table keeps, made by the general
// path's encoder for the first such point of the day, the bytes before the
// distance (head) and those between the message and the "nearest" field
// (mid); an answer is those bytes with the point's own fields written between
// them, as the encoder writes them (appendJSONFloat, jsonVerbatim), in a
// reused buffer.

// nearTemplate is the answer of one fast table to the points outside every
// commune within seaRadiusM of one, but for their own fields.
type nearTemplate struct {
	lean, full nearParts
	counter    prometheus.Counter
}

// nearParts is an answer to such a point less its own fields: head, then the
// match's distance and the message, mid, then the "nearest" field and the
// closing brace.
type nearParts struct{ head, mid []byte }

// nearPoint is what is a point's own in such an answer.
type nearPoint struct {
	commune    *zones.Commune
	distanceM  float64
	atSea      bool
	toleranceM float64
}

// appendNearAnswer appends the answer of p made of parts to b; ok is false when
// the encoder would escape the message or the commune's name or code.
func appendNearAnswer(b []byte, parts nearParts, p nearPoint) (_ []byte, ok bool) {
	b = append(b, parts.head...)
	if b, ok = appendNearOwn(b, p); !ok {
		return b, false
	}
	b = append(b, parts.mid...)
	return appendNearNearest(b, p), true
}

// appendNearOwn appends the match's distance, the closing brace of the match
// and the message of p.
func appendNearOwn(b []byte, p nearPoint) (_ []byte, ok bool) {
	d := math.Round(p.distanceM)
	if d != 0 {
		b = appendJSONFloat(append(b, distanceField...), d)
	}
	b = append(b, "}"+messageOpen...)
	message := len(b)
	b = appendNearestMessage(b, p.atSea, p.toleranceM, p.commune, p.distanceM)
	// The message holds the commune's name and code as they are.
	if !jsonVerbatim(b[message:]) {
		return b, false
	}
	return append(b, '"'), true
}

// appendNearNearest appends the "nearest" field of p and the answer's closing
// brace; appendNearOwn has checked the name and the code.
func appendNearNearest(b []byte, p nearPoint) []byte {
	b = append(b, `,"nearest":{"code":"`...)
	b = append(b, p.commune.Code...)
	b = append(b, `","name":"`...)
	b = append(b, p.commune.Name...)
	b = append(b, `","distance_m":`...)
	b = appendJSONFloat(b, math.Round(p.distanceM))
	b = append(b, `,"at_sea":`...)
	b = strconv.AppendBool(b, p.atSea)
	return append(b, "}}"...)
}

// writeNearAnswer writes the answer of table t to a point outside every
// commune whose nearest commune is id, at distanceM metres, within
// seaRadiusM, and reports whether it did; nothing is written when it did not.
func (s *Server) writeNearAnswer(c *gin.Context, st *State, r *zones.Resolver, t *fastTable, q fastQuery, id int, distanceM float64) bool {
	if id < 0 || id >= len(r.Dataset.Communes) || !(distanceM <= seaRadiusM) {
		return false
	}
	p := nearPoint{commune: &r.Dataset.Communes[id], distanceM: distanceM, atSea: st.atSea(q.lon, q.lat), toleranceM: r.ToleranceM}
	tm := t.near.Load()
	if tm == nil {
		if tm = s.buildNearTemplate(st, r, t, q.lat, q.lon, p); tm == nil {
			return false
		}
	}
	parts := tm.lean
	if q.withOptions {
		parts = tm.full
	}
	buf := answerBuffers.Get().(*[]byte)
	defer answerBuffers.Put(buf)
	b, ok := appendNearAnswer((*buf)[:0], parts, p)
	if !ok {
		return false
	}
	*buf = b
	if notModified(c, st.meta().Version, t.iso, time.Hour) {
		return true
	}
	tm.counter.Inc()
	writeAnswer(c, b)
	return true
}

// buildNearTemplate makes the template of table t from the general path's
// answers to the point (lat, lon), whose own fields are p, and keeps it; nil
// when the point is not answered as such a point, or when its answers are not
// its own fields between bytes that are not (the encoder writes the fields
// otherwise than appendNearAnswer does).
func (s *Server) buildNearTemplate(st *State, r *zones.Resolver, t *fastTable, lat, lon float64, p nearPoint) *nearTemplate {
	res, err := r.ResolvePoint(lat, lon)
	if err != nil || res.Match.Method != zones.MethodOutside {
		return nil
	}
	withCity(r.Dataset, &res)
	lean := st.withNearest(res, lat, lon)
	if lean.Nearest == nil || lean.Nearest.Code != p.commune.Code || lean.Nearest.AtSea != p.atSea ||
		lean.Nearest.DistanceM != math.Round(p.distanceM) {
		return nil
	}
	withOptions := res
	r.FillOptions(&withOptions, zones.Profile{})
	tm := &nearTemplate{counter: s.metrics.lookups.WithLabelValues(string(res.Match.Precision), string(res.Status))}
	for _, a := range []struct {
		answer pointAnswer
		parts  *nearParts
	}{{lean, &tm.lean}, {st.withNearest(withOptions, lat, lon), &tm.full}} {
		whole, err := renderJSON(a.answer)
		if err != nil {
			return nil
		}
		if *a.parts, err = cutNearAnswer(whole, p); err != nil {
			return nil
		}
	}
	if r.Today() != t.day || res.Date != t.day {
		// Midnight passed while the answers were made: they may be the next day's.
		return nil
	}
	if !t.near.CompareAndSwap(nil, tm) {
		return t.near.Load()
	}
	return tm
}

// errNotCut is an answer that is not its point's own fields between shared bytes.
var errNotCut = errors.New("web: the answer of a point near a commune is not cut where its own fields are")

// cutNearAnswer cuts whole, the encoder's answer to the point whose own fields
// are p, around those fields; its parts give whole back, byte for byte.
func cutNearAnswer(whole []byte, p nearPoint) (nearParts, error) {
	own, ok := appendNearOwn(nil, p)
	if !ok {
		return nearParts{}, errNotCut
	}
	nearest := appendNearNearest(nil, p)
	at := bytes.Index(whole, own)
	if at < 0 || bytes.Count(whole, own) != 1 || !bytes.HasSuffix(whole, nearest) || at+len(own) > len(whole)-len(nearest) {
		return nearParts{}, errNotCut
	}
	parts := nearParts{head: whole[:at:at], mid: whole[at+len(own) : len(whole)-len(nearest) : len(whole)-len(nearest)]}
	if again, ok := appendNearAnswer(nil, parts, p); !ok || !bytes.Equal(again, whole) {
		return nearParts{}, errNotCut
	}
	return parts, nil
}
