package address

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// streetIndex finds the streets of a set of places by name.
type streetIndex struct {
	streets []street
	// suffixes are the distinct indices of the address points; suffixes[0] is
	// the empty one.
	suffixes []string
	keys     []string // distinct normalised street names
	keyID    keyTable // key -> index in keys
	compact  compactTable
	byKey    lists // key id -> streets
	byPlace  lists // place -> streets
	names    trigramIndex
}

type street struct {
	place    int32
	key      int32
	name     string
	postcode string
	points   []streetPoint
}

// streetPoint is an address point as the index keeps it: its indice is a
// number (see streetIndex.suffixes), so that the 160,000 points of France hold
// no pointer for the garbage collector to follow and sit in one array.
type streetPoint struct {
	number   int32
	suffix   uint32 // index in streetIndex.suffixes
	lat, lon int32  // in 1e-7 degree, as Point
}

// LatLon returns the point's coordinates in degrees.
func (p streetPoint) LatLon() (lat, lon float64) {
	return Point{Lat: p.lat, Lon: p.lon}.LatLon()
}

// suffix is the indice of p, empty when none.
func (ix *streetIndex) suffix(p streetPoint) string { return ix.suffixes[p.suffix] }

func newStreetIndex(m *Matcher, in []Street) streetIndex {
	var ix streetIndex
	if len(in) == 0 {
		return ix
	}
	var buf []byte
	keyID := make(map[string]int32, len(in))
	byKey := make([]uint64, 0, len(in))
	byPlace := make([]uint64, 0, len(in))
	nPoints := 0
	for _, s := range in {
		nPoints += len(s.Points)
	}
	points := make([]streetPoint, 0, nPoints)
	ix.suffixes = []string{""}
	suffixID := map[string]uint32{"": 0}
	for _, s := range in {
		p, ok := m.byCode.get(s.Code)
		if !ok || len(s.Points) == 0 {
			continue
		}
		buf = AppendNormalized(buf[:0], s.Name)
		if len(buf) == 0 {
			continue
		}
		k, ok := keyID[string(buf)]
		if !ok {
			k = int32(len(ix.keys))
			key := string(buf)
			ix.keys = append(ix.keys, key)
			keyID[key] = k
		}
		id := int32(len(ix.streets))
		pts := s.Points
		if !slices.IsSortedFunc(pts, comparePoints) {
			pts = slices.Clone(pts)
			slices.SortFunc(pts, comparePoints)
		}
		start := len(points)
		for _, pt := range pts {
			sfx, ok := suffixID[pt.Suffix]
			if !ok {
				sfx = uint32(len(ix.suffixes))
				suffixID[pt.Suffix] = sfx
				ix.suffixes = append(ix.suffixes, pt.Suffix)
			}
			points = append(points, streetPoint{number: pt.Number, suffix: sfx, lat: pt.Lat, lon: pt.Lon})
		}
		ix.streets = append(ix.streets, street{place: p, key: k, name: s.Name, postcode: s.Postcode, points: points[start:len(points):len(points)]})
		byKey = append(byKey, uint64(k)<<32|uint64(id))
		byPlace = append(byPlace, uint64(p)<<32|uint64(id))
	}
	ix.byKey = newLists(byKey, len(ix.keys))
	ix.byPlace = newLists(byPlace, len(m.places))
	ix.keyID = newKeyTable(ix.keys)
	ix.compact = newCompactTable(ix.keys, &buf)
	ix.names = newTrigramIndex(ix.keys)
	return ix
}

func comparePoints(a, b Point) int {
	if c := cmp.Compare(a.Number, b.Number); c != 0 {
		return c
	}
	return cmp.Compare(a.Suffix, b.Suffix)
}

// streetLine is a street part of a query: house number, indice and name.
type streetLine struct {
	number int32 // 0 when none
	suffix []byte
	name   []byte
}

// parseStreetLine splits a normalised street line into house number, indice and
// street name. Words before the house number ("CABINET X", "BATIMENT 3") are
// skipped when a number followed by a street type comes later.
func parseStreetLine(line []byte) streetLine {
	var words [24][2]int
	n := 0
	for i := 0; i < len(line) && n < len(words); {
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		words[n] = [2]int{i, j}
		n++
		i = j + 1
	}
	w := func(i int) []byte { return line[words[i][0]:words[i][1]] }
	num := func(i int) int32 {
		// Four digits at most: five are a postcode.
		b := w(i)
		if len(b) == 0 || len(b) > 4 || !allDigits(b) {
			return 0
		}
		v := int32(0)
		for _, c := range b {
			v = v*10 + int32(c-'0')
		}
		return v
	}
	var out streetLine
	start := 0
	numAt := -1
	// The house number is the number just before the street type ("3 bis rue",
	// and "14 rue" in "12-14 rue"), else a number opening the line.
	for i := 0; i+1 < n && numAt < 0; i++ {
		if num(i) == 0 {
			continue
		}
		k := i + 1
		if len(w(k)) <= 2 && k+1 < n && !streetTypeWords[string(w(k))] {
			k++ // the indice
		}
		if streetTypeWords[string(w(k))] {
			numAt = i
		}
	}
	if numAt < 0 && n > 1 && num(0) > 0 {
		numAt = 0
	}
	if numAt < 0 {
		// No house number: start at the street type when there is one.
		for i := 0; i < n; i++ {
			if streetTypeWords[string(w(i))] {
				start = i
				break
			}
		}
	} else {
		out.number = num(numAt)
		start = numAt + 1
		// The indice: a letter, or BAN's two-character codes ("BV", "P1") when a
		// street type follows.
		if start+1 < n && !streetTypeWords[string(w(start))] &&
			(len(w(start)) == 1 || len(w(start)) == 2 && streetTypeWords[string(w(start+1))]) {
			out.suffix = w(start)
			start++
		}
	}
	if start < n {
		out.name = line[words[start][0]:words[n-1][1]]
	}
	return out
}

// streetTypeWords are the street types in full, as Normalize writes them.
var streetTypeWords = func() map[string]bool {
	out := map[string]bool{"RUE": true, "AVENUE": true, "BOULEVARD": true, "PLACE": true, "CHEMIN": true, "ROUTE": true,
		"IMPASSE": true, "ALLEE": true, "QUAI": true, "SQUARE": true, "COURS": true, "PASSAGE": true, "VILLA": true,
		"CITE": true, "ROND": true, "PROMENADE": true, "ESPLANADE": true, "CARREFOUR": true, "PARVIS": true,
		"GALERIE": true, "SENTIER": true, "TRAVERSE": true, "MONTEE": true, "RESIDENCE": true, "CHAUSSEE": true,
		"PORTE": true, "QUARTIER": true, "HAMEAU": true, "FAUBOURG": true, "LIEU": true, "VOIE": true, "PONT": true,
		"PORT": true, "JARDIN": true, "COUR": true, "LOTISSEMENT": true, "DOMAINE": true, "HALLE": true}
	for _, full := range streetTypes {
		out[full] = true
	}
	return out
}()

// streetHit is a street found for a query and how well its name matched.
type streetHit struct {
	street int32
	score  float64
}

// find returns the streets named like name among the streets of places, best
// first: the exact name, then the name without articles, then close spellings.
func (ix *streetIndex) find(name []byte, places []int32, s *scratch) []streetHit {
	if len(ix.streets) == 0 || len(name) == 0 {
		return nil
	}
	in := func(st int32) bool { return slices.Contains(places, ix.streets[st].place) }
	var hits []streetHit
	collect := func(k int32, score float64) {
		for _, st := range ix.byKey.of(k) {
			if in(st) {
				hits = append(hits, streetHit{street: st, score: score})
			}
		}
	}
	if k, ok := ix.keyID.getBytes(name); ok {
		collect(k, 1)
		if len(hits) > 0 {
			return hits
		}
	}
	s.key = appendCompact(s.key[:0], string(name))
	for _, k := range ix.compact.of(s.key) {
		collect(k, compactScore)
	}
	if k, ok := ix.keyID.getBytes(s.key); ok && string(s.key) != string(name) {
		collect(k, compactScore)
	}
	if len(hits) > 0 {
		return hits
	}
	keep := func(k int32) bool {
		for _, st := range ix.byKey.of(k) {
			if in(st) {
				return true
			}
		}
		return false
	}
	found := ix.names.search(ix.keys, string(name), minStreetScore, keep, &s.fuzzy)
	if len(found) == 0 {
		return nil
	}
	best := found[0].score
	for _, f := range found {
		if f.score < best-0.001 {
			break
		}
		collect(f.id, f.score)
	}
	return hits
}

// minStreetScore is the similarity a misspelt street name needs: one typo in
// five letters.
const minStreetScore = 0.8

// compactScore is the score of a name that matches once articles and
// prepositions are left out.
const compactScore = 0.95

// numberMatch is where a house number was found on a set of streets.
type numberMatch struct {
	street int32
	point  int  // index in the street's points
	exact  bool // number and indice as asked
	level  Level
	note   string // French warning, when not exact
	// missing is set when the number has no point on these streets: the point
	// is the nearest number's or the street's.
	missing bool
}

// locate finds number+suffix on the streets hits: the address point when it
// exists; otherwise the nearest number of the same parity, or the middle of the
// street when the nearest is far, with a warning.
func (ix *streetIndex) locate(hits []streetHit, number int32, suffix []byte) (numberMatch, []int32) {
	var found []int32 // streets holding the exact number
	best := numberMatch{street: -1}
	for _, h := range hits {
		pts := ix.streets[h.street].points
		i, _ := slices.BinarySearchFunc(pts, number, func(p streetPoint, n int32) int { return cmp.Compare(p.number, n) })
		if i >= len(pts) || pts[i].number != number {
			continue
		}
		// Among the points of that number: the asked indice, else the plain
		// number, else the first indice.
		pick, exact := i, len(suffix) == 0 && pts[i].suffix == 0
		for j := i; j < len(pts) && pts[j].number == number; j++ {
			if ix.suffix(pts[j]) == string(suffix) {
				pick, exact = j, true
				break
			}
		}
		found = append(found, h.street)
		if best.street < 0 || (exact && !best.exact) {
			best = numberMatch{street: h.street, point: pick, exact: exact, level: LevelHouseNumber}
			if !exact && len(suffix) > 0 {
				best.note = "numéro " + strconv.Itoa(int(number)) + " " + suffixWord(string(suffix)) +
					" introuvable : position du numéro " + formatNumber(number, ix.suffix(pts[pick]))
			}
		}
	}
	if best.street >= 0 {
		return best, found
	}
	// The nearest number of the same side of the street, else of any side.
	var nearest numberMatch
	nearest.street = -1
	bestGap := int32(1 << 30)
	for pass := 0; pass < 2 && nearest.street < 0; pass++ {
		for _, h := range hits {
			for i, p := range ix.streets[h.street].points {
				if pass == 0 && p.number%2 != number%2 {
					continue
				}
				gap := p.number - number
				if gap < 0 {
					gap = -gap
				}
				if gap < bestGap {
					bestGap = gap
					nearest = numberMatch{street: h.street, point: i}
				}
			}
		}
	}
	if nearest.street < 0 {
		return nearest, nil
	}
	st := &ix.streets[nearest.street]
	nearest.level, nearest.missing = LevelStreet, true
	if bestGap <= nearNumbers {
		nearest.note = "numéro " + strconv.Itoa(int(number)) + " introuvable : position du numéro " +
			formatNumber(st.points[nearest.point].number, ix.suffix(st.points[nearest.point])) + ", le plus proche"
	} else {
		nearest.point = middle(st.points)
		nearest.note = "numéro " + strconv.Itoa(int(number)) + " introuvable : position de la voie"
	}
	return nearest, nil
}

// nearNumbers is how far, in house numbers, a neighbour's position still stands
// for a missing number; beyond, the middle of the street is as good a guess.
const nearNumbers = 10

// middle is the point in the middle of the street's numbering.
func middle(pts []streetPoint) int { return len(pts) / 2 }

func suffixWord(s string) string {
	switch s {
	case "B":
		return "bis"
	case "T":
		return "ter"
	case "Q":
		return "quater"
	case "C":
		return "quinquies"
	}
	return strings.ToLower(s)
}

// formatNumber writes a house number as on an envelope: "12", "12 bis", "12 A".
func formatNumber(n int32, suffix string) string {
	s := strconv.Itoa(int(n))
	if suffix != "" {
		s += " " + suffixWord(suffix)
	}
	return s
}

// matchStreet refines a commune answer with the street line: the address point,
// else the street, in the commune found or among the candidates of an ambiguous
// answer (the arrondissements of Paris, the communes of a postcode). It reports
// false when no street of those places has that name.
func (m *Matcher) matchStreet(p *parsed, c communeMatch, line []byte, s *scratch) (Result, bool) {
	ix := &m.streets
	sl := parseStreetLine(line)
	if len(sl.name) == 0 {
		return Result{}, false
	}
	hits := m.streetHits(c, sl.name, s)
	if len(hits) == 0 {
		return Result{}, false
	}
	var warnings []string
	res := Result{Status: StatusOK, Score: c.score, Former: c.former}
	if res.Score == 0 {
		res.Score = 1 // the commune was ambiguous: the street settles it
	}
	var st *street
	var pt streetPoint
	if sl.number > 0 {
		nm, found := ix.locate(hits, sl.number, sl.suffix)
		if nm.street < 0 {
			return Result{}, false
		}
		if len(found) > 1 && !samePlace(ix, found) {
			return m.ambiguousStreet(c, found, res)
		}
		st = &ix.streets[nm.street]
		pt = st.points[nm.point]
		res.Level, res.NumberNotFound = nm.level, nm.missing
		if nm.note != "" {
			warnings = append(warnings, nm.note)
		}
		res.Score *= hitScore(hits, nm.street)
	} else {
		ids := s.places[:0]
		for _, h := range hits {
			if !slices.Contains(ids, ix.streets[h.street].place) {
				ids = append(ids, ix.streets[h.street].place)
			}
		}
		if len(ids) > 1 {
			streets := make([]int32, len(hits))
			for i, h := range hits {
				streets[i] = h.street
			}
			return m.ambiguousStreet(c, streets, res)
		}
		st = &ix.streets[hits[0].street]
		pt = st.points[middle(st.points)]
		res.Level = LevelStreet
		res.Score *= hits[0].score
	}
	pl := &m.places[st.place]
	if res.Former != "" && (len(c.places) != 1 || c.places[0].place != st.place) {
		res.Former = ""
	}
	res.Code, res.Name = m.str(pl.code), m.str(pl.name)
	res.Lat, res.Lon = pt.LatLon()
	if p.pc >= 0 && !m.hasPostcode(st.place, p.pc) {
		warnings = append(warnings, "le code postal "+p.postcode+" ne correspond pas à l'adresse, située dans "+m.str(pl.name))
	}
	if hits[0].score < 1 && hits[0].score != compactScore {
		warnings = append(warnings, "voie « "+string(sl.name)+" » rapprochée de « "+st.name+" » (similarité "+frenchFloat(hits[0].score)+")")
	}
	res.Label = m.streetLabel(st, pt, res.Level)
	res.Warnings = warnings
	return res, true
}

// streetHits are the streets named name in the places of the commune answer c,
// best first; for a single place, in the whole city when that place has none (the
// postcode may be the neighbouring arrondissement's). s.places is left holding
// the places searched.
func (m *Matcher) streetHits(c communeMatch, name []byte, s *scratch) []streetHit {
	ix := &m.streets
	s.places = s.places[:0]
	for _, sp := range c.places {
		if len(ix.byPlace.of(sp.place)) > 0 {
			s.places = append(s.places, sp.place)
		}
	}
	if len(s.places) == 0 {
		return nil
	}
	hits := ix.find(name, s.places, s)
	if len(hits) == 0 && c.status == StatusOK {
		if parent := m.places[s.places[0]].parent; parent >= 0 {
			s.places = append(s.places[:0], m.children.of(parent)...)
			hits = ix.find(name, s.places, s)
		}
	}
	return hits
}

func hitScore(hits []streetHit, st int32) float64 {
	for _, h := range hits {
		if h.street == st {
			return h.score
		}
	}
	return 1
}

func samePlace(ix *streetIndex, streets []int32) bool {
	for _, st := range streets[1:] {
		if ix.streets[st].place != ix.streets[streets[0]].place {
			return false
		}
	}
	return true
}

// ambiguousStreet answers a street found in several places without a number to
// tell them apart: the places are the candidates.
func (m *Matcher) ambiguousStreet(c communeMatch, streets []int32, res Result) (Result, bool) {
	ix := &m.streets
	res.Status, res.Level = StatusAmbiguous, LevelStreet
	if c.city >= 0 {
		pl := &m.places[c.city]
		res.Code, res.Name, res.Lat, res.Lon = m.str(pl.code), m.str(pl.name), pl.lat, pl.lon
	}
	var list []scoredPlace
	for _, id := range streets {
		list = appendPlace(list, scoredPlace{place: ix.streets[id].place, score: res.Score})
	}
	res.Candidates = m.candidates(list)
	for i := range res.Candidates {
		st := &ix.streets[streets[0]]
		for _, id := range streets {
			if pl, _ := m.byCode.get(res.Candidates[i].Code); ix.streets[id].place == pl {
				st = &ix.streets[id]
				break
			}
		}
		res.Candidates[i].Level = LevelStreet
		res.Candidates[i].Name = st.name + ", " + res.Candidates[i].Name
		res.Candidates[i].Lat, res.Candidates[i].Lon = st.points[middle(st.points)].LatLon()
	}
	res.Warnings = append(res.Warnings, "la voie « "+ix.streets[streets[0]].name+" » traverse "+strconv.Itoa(len(res.Candidates))+" communes ou arrondissements : précisez le numéro ou le code postal")
	return res, true
}

// streetLabel writes "12 Rue de Vaugirard 75006 Paris": the city without the
// arrondissement, which the postcode says.
func (m *Matcher) streetLabel(st *street, pt streetPoint, level Level) string {
	pl := &m.places[st.place]
	city := m.str(pl.name)
	if pl.parent >= 0 {
		city = m.str(m.places[pl.parent].name)
	}
	var b strings.Builder
	if level == LevelHouseNumber {
		b.WriteString(formatNumber(pt.number, m.streets.suffix(pt)))
		b.WriteByte(' ')
	}
	b.WriteString(st.name)
	pc := st.postcode
	if pcs := m.placePCs.of(st.place); pc == "" && len(pcs) == 1 {
		pc = m.postcodes[pcs[0]]
	}
	if pc != "" {
		b.WriteByte(' ')
		b.WriteString(pc)
	}
	b.WriteByte(' ')
	b.WriteString(city)
	return b.String()
}
