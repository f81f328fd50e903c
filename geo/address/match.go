package address

import (
	"cmp"
	"slices"
)

// Status is the outcome of a match.
type Status string

// The statuses of a Result.
const (
	StatusOK        Status = "ok"
	StatusAmbiguous Status = "ambigu"
	StatusNotFound  Status = "introuvable"
)

// Level is how precise a match is.
type Level string

// The levels of a Result, in the words of the BAN.
const (
	LevelHouseNumber  Level = "housenumber"
	LevelStreet       Level = "street"
	LevelMunicipality Level = "municipality"
)

// Query is a place to find: a free-text address, or its parts, or both (the parts
// then win over what the text says). Any field may be empty.
type Query struct {
	Text     string // "12 bis rue de Vaugirard 75006 Paris", "Ruffieu 01260", "Paris 6e"
	Street   string // "12 bis rue de Vaugirard"
	Postcode string
	City     string
	Citycode string // INSEE code, current or former
}

// Result is the answer to a Query.
type Result struct {
	Status Status
	Level  Level  // LevelHouseNumber, LevelStreet or LevelMunicipality; empty when nothing was found
	Code   string // INSEE code of the commune or arrondissement; for Paris, Lyon or Marseille without arrondissement, the city
	Name   string
	// Former is the code of the commune déléguée, associée or former commune
	// whose name or code the query used, when it did: zonages older than a
	// merger are published per former commune.
	Former string
	// Score is the similarity of the names matched, 0…1: 1 for exact names or for
	// codes, less for a misspelling, 0.5 when a name that could not be read was
	// left aside for the postcode.
	Score      float64
	Lat, Lon   float64 // the address point, the street's point or the commune's point
	Label      string  // what matched, e.g. "12 Rue de Vaugirard 75006 Paris"
	Candidates []Candidate
	Warnings   []string // in French, for the user
	// CodeConflict, for a query giving a commune code with a postcode or a city,
	// says in French which of them contradicts the code, which is retained; it
	// is among Warnings too. Empty when nothing does: a postcode of the commune
	// or of one of its arrondissements, an unknown (CEDEX) postcode, a city name
	// of the commune or an unknown one.
	CodeConflict string
	// NumberNotFound is set when the house number asked for has no address
	// point on the street found: the point is the nearest number's or the
	// street's, and a warning says which.
	NumberNotFound bool
	// NoStreetData is set when the query has a street line and the address
	// data holds no street of the commune found, or of any of the candidates of
	// an ambiguous answer (only the communes of the BAN files imported have
	// streets): the street was not looked for, and the point, if any, is the
	// commune's.
	NoStreetData bool
}

// Candidate is one of the places an ambiguous query may mean, or a suggestion.
type Candidate struct {
	Code        string
	Name        string // commune name; for a street, "Rue de Vaugirard, Paris 6e Arrondissement"
	Departement string
	Level       Level // LevelMunicipality or LevelStreet
	// Score is the similarity of the place's name to the query's, 0…1 (0 when
	// only a postcode was given); for Suggest, the share of the name typed.
	Score    float64
	Lat, Lon float64
}

// Similarities below which a name is not taken for another. Within a postcode
// the few names compared make a false friend unlikely; across a département or
// France the bar is higher.
const (
	minScoreInPostcode = 0.75
	minScoreSure       = 0.85
	minScoreGlobal     = 0.8
	// tieScore is how close two places' scores must be for neither to win.
	tieScore = 0.02
	// unreadScore is the score of an answer given by the postcode alone after the
	// name given with it could not be used.
	unreadScore = 0.5
	// maxCityWords bounds the length of a commune name looked for at the end of a
	// free-text address: the longest, "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson", has 7.
	maxCityWords = 8
)

// Match finds the commune, and the address point when streets are loaded, that q
// designates. A postcode shared by several communes with no usable name is
// ambiguous, never a guess; so is a name shared by several communes.
func (m *Matcher) Match(q Query) Result {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	var p parsed
	m.parse(q, s, &p)
	c := m.matchCommune(&p, s)
	res := Result{Status: c.status, Score: c.score, Former: c.former, Warnings: p.warnings, CodeConflict: c.conflict}
	res.Warnings = append(res.Warnings, c.warnings...)
	if c.status == StatusNotFound {
		return res
	}
	street := p.street
	if c.cand >= 0 {
		street = p.cands[c.cand].street
	}
	if len(street) > 0 && len(m.streets.streets) > 0 {
		if r, ok := m.matchStreet(&p, c, street, s); ok {
			r.Warnings = append(res.Warnings, r.Warnings...)
			r.CodeConflict = c.conflict
			return r
		}
	}
	res.Level = LevelMunicipality
	if c.status == StatusOK {
		pl := &m.places[c.places[0].place]
		res.Code, res.Name, res.Lat, res.Lon = m.str(pl.code), m.str(pl.name), pl.lat, pl.lon
		res.Label = m.municipalityLabel(c.places[0].place, p.postcode)
		switch {
		case len(street) == 0:
		case len(m.streets.byPlace.of(c.places[0].place)) > 0:
			res.Warnings = append(res.Warnings, "voie « "+string(street)+" » introuvable : position de la commune")
		default:
			// Said by the caller, who knows how the query named the commune.
			res.NoStreetData = true
		}
		return res
	}
	if c.city >= 0 {
		pl := &m.places[c.city]
		res.Code, res.Name, res.Lat, res.Lon = m.str(pl.code), m.str(pl.name), pl.lat, pl.lon
	}
	if c.ambiguity != "" {
		res.Warnings = append(res.Warnings, c.ambiguity)
	}
	if len(street) > 0 {
		// The street could not settle the ambiguity: say why, since the
		// ambiguity's own words ask for the address, which was given.
		if m.anyStreets(c.places) {
			res.Warnings = append(res.Warnings, "voie « "+string(street)+" » introuvable dans ces communes")
		} else {
			res.NoStreetData = true
		}
	}
	res.Candidates = m.candidates(c.places)
	return res
}

// anyStreets reports whether the address data holds streets of any of places.
func (m *Matcher) anyStreets(places []scoredPlace) bool {
	for _, sp := range places {
		if len(m.streets.byPlace.of(sp.place)) > 0 {
			return true
		}
	}
	return false
}

// candidates lists places for an ambiguous answer, most likely first.
func (m *Matcher) candidates(list []scoredPlace) []Candidate {
	out := make([]Candidate, 0, len(list))
	for _, sp := range list {
		pl := &m.places[sp.place]
		out = append(out, Candidate{Code: m.str(pl.code), Name: m.str(pl.name), Departement: m.str(pl.dep), Level: LevelMunicipality,
			Score: sp.score, Lat: pl.lat, Lon: pl.lon})
	}
	pop := func(code string) int { pl, _ := m.byCode.get(code); return m.places[pl].population }
	slices.SortStableFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(pop(b.Code), pop(a.Code)); c != 0 && !sameCity(m, a.Code, b.Code) {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	return out
}

// sameCity reports whether two codes are arrondissements of one city, listed by
// number rather than by population.
func sameCity(m *Matcher, a, b string) bool {
	ia, _ := m.byCode.get(a)
	ib, _ := m.byCode.get(b)
	pa, pb := m.places[ia].parent, m.places[ib].parent
	return pa >= 0 && pa == pb
}

// municipalityLabel writes "75006 Paris 6e Arrondissement": the postcode given
// when it is the commune's, else its only postcode.
func (m *Matcher) municipalityLabel(pl int32, postcode string) string {
	pc := ""
	pcs := m.placePCs.of(pl)
	if id, ok := m.pcID.get(postcode); ok && slices.Contains(pcs, id) {
		pc = postcode
	} else if len(pcs) == 1 {
		pc = m.postcodes[pcs[0]]
	}
	name := m.str(m.places[pl].name)
	if pc == "" {
		return name
	}
	return pc + " " + name
}
