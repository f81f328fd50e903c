package address

import (
	"slices"
	"strconv"
	"strings"
)

// communeMatch is the commune part of an answer.
type communeMatch struct {
	status   Status
	places   []scoredPlace // the answer (ok) or the candidates (ambigu); lives in the scratch
	city     int32         // Paris, Lyon or Marseille when the arrondissement is missing; -1 otherwise
	cand     int           // the city reading retained; -1 when none
	score    float64
	former   string
	warnings []string
	// conflict says what of the postcode and city given with a commune code
	// contradicts it; empty when nothing does.
	conflict string
	// ambiguity explains an ambiguous answer; it is dropped when a street
	// settles the ambiguity.
	ambiguity string
}

func (m *Matcher) matchCommune(p *parsed, s *scratch) communeMatch {
	c := communeMatch{city: -1, cand: -1}
	if p.citycode != "" {
		if r, ok := m.byCitycode(p, s); ok {
			return m.arrondissement(p, r, s)
		}
		c.warnings = append(c.warnings, "code commune « "+echo(p.citycode)+" » inconnu : ignoré")
	}
	var r communeMatch
	var ok bool
	switch {
	case p.pc >= 0:
		r, ok = m.withPostcode(p, s)
	case p.n > 0:
		r, ok = m.byName(p, s, p.dep)
	}
	if !ok {
		r = communeMatch{status: StatusNotFound, city: -1, cand: -1}
		if p.n > 0 {
			r.warnings = append(r.warnings, "commune « "+string(p.cands[0].name)+" » introuvable")
		} else if p.postcode == "" {
			r.warnings = append(r.warnings, "ni code postal, ni commune, ni code commune dans la requête")
		}
	}
	r.warnings = append(c.warnings, r.warnings...)
	p.partial(&r)
	return m.arrondissement(p, r, s)
}

// byCitycode answers from an INSEE code, current or former.
func (m *Matcher) byCitycode(p *parsed, s *scratch) (communeMatch, bool) {
	pl, ok := m.byCode.get(p.citycode)
	former := ""
	if !ok {
		a, known := m.aliases.get(p.citycode)
		if !known {
			return communeMatch{}, false
		}
		pl, former = m.aliasList[a].place, m.aliasList[a].former
	}
	c := communeMatch{status: StatusOK, city: -1, cand: -1, score: 1, former: former}
	s.scored = append(s.scored[:0], scoredPlace{place: pl, score: 1, former: former})
	c.places = s.scored
	postcodeOff := p.pc >= 0 && !m.hasPostcode(pl, p.pc) && !m.childHasPostcode(pl, p.pc)
	city, cityOff := m.cityContradicts(p, pl, s)
	var against string
	switch {
	case postcodeOff && cityOff:
		against = "le code postal " + p.postcode + " et la ville « " + echo(city) + " » ne correspondent pas"
	case postcodeOff:
		against = "le code postal " + p.postcode + " ne correspond pas"
	case cityOff:
		against = "la ville « " + echo(city) + " » ne correspond pas"
	}
	if against != "" {
		c.conflict = against + " à la commune " + p.citycode + " (" + m.str(m.places[pl].name) + ") : code commune retenu"
		c.warnings = append(c.warnings, c.conflict)
	}
	return c, true
}

// cityContradicts reports whether the city given with a commune code names
// another commune for sure: one of its readings is exactly the name of a commune
// (accents, case and « St » aside), and none of its readings names place pl, the
// city it belongs to or one of its arrondissements, whether as the commune's own
// name, a commune déléguée, a former commune or a name La Poste uses with one of
// its postcodes. A name known nowhere, or only misspelt, says nothing; nor do
// the last words of a free-text address without a postcode, which end a street
// as often as they name a commune ("Grande Rue": Rue is a commune of the
// Somme). It returns the city as the query gave it, or the reading that
// contradicts.
func (m *Matcher) cityContradicts(p *parsed, pl int32, s *scratch) (string, bool) {
	if p.city == "" && p.postcode == "" {
		return "", false
	}
	named := false
	city := p.city
	for i := range p.cands[:p.n] {
		if p.cands[i].guess {
			continue
		}
		keys := m.cityKeys(p.cands[i].name, s)
		for _, k := range keys {
			for _, e := range m.keyEntries.of(k) {
				if !named && city == "" {
					city = string(p.cands[i].name)
				}
				named = true
				if m.related(m.entries[e].place, pl) {
					return "", false
				}
			}
			if m.usedWithPostcodesOf(k, pl) {
				return "", false
			}
		}
	}
	return city, named
}

// cityKeys are the keys a city reading is known under: exactly, or without its
// articles.
func (m *Matcher) cityKeys(name []byte, s *scratch) []int32 {
	var keys []int32
	if k, ok := m.keyID.getBytes(name); ok {
		keys = append(keys, k)
	}
	compact, plain := m.compactKeys(name, s)
	if plain >= 0 {
		keys = append(keys, plain)
	}
	return append(keys, compact...)
}

// related reports whether two places are one, or a city and one of its
// arrondissements.
func (m *Matcher) related(a, b int32) bool {
	return a == b || m.places[a].parent == b || m.places[b].parent == a
}

// usedWithPostcodesOf reports whether key is a name La Poste uses, with one of
// the postcodes of place pl or of its arrondissements, for pl or a place related
// to it (an ancienne commune or a lieu-dit of pl).
func (m *Matcher) usedWithPostcodesOf(key, pl int32) bool {
	check := func(place int32) bool {
		for _, pc := range m.placePCs.of(place) {
			for _, e := range m.pcEntries.of(pc) {
				if en := &m.entries[e]; en.key == key && m.related(en.place, pl) {
					return true
				}
			}
		}
		return false
	}
	if check(pl) {
		return true
	}
	for _, ch := range m.children.of(pl) {
		if check(ch) {
			return true
		}
	}
	return false
}

func (m *Matcher) hasPostcode(pl, pc int32) bool {
	return slices.Contains(m.pcPlaces.of(pc), pl)
}

func (m *Matcher) childHasPostcode(pl, pc int32) bool {
	for _, ch := range m.children.of(pl) {
		if m.hasPostcode(ch, pc) {
			return true
		}
	}
	return false
}

// withPostcode matches the city among the names used with the postcode, then
// elsewhere when the postcode contradicts it.
func (m *Matcher) withPostcode(p *parsed, s *scratch) (communeMatch, bool) {
	// Exact name, then without articles, then a close spelling: of the city as
	// given first, then of the words guessed to be one (a known name ending a
	// misspelt one is not the city: "Cavannes sur Reyssouze").
	for _, guesses := range []bool{false, true} {
		for i := range p.cands[:p.n] {
			if p.cands[i].guess != guesses {
				continue
			}
			if r, ok := m.exactInPostcode(p, i, s); ok {
				return r, true
			}
		}
		if r, ok := m.fuzzyInPostcode(p, s, minScoreSure, guesses); ok {
			return r, true
		}
	}
	// Words guessed to be the city are only read among the postcode's names: a
	// street named after a neighbour ("rue de Bobigny 93100") must not move the
	// answer there.
	firm := p.firm()
	if !firm {
		return m.byPostcodeAlone(p, s, false), true
	}
	if r, ok := m.prefixInPostcode(p, s); ok {
		return r, true
	}
	// A name of another commune: the name wins when it is unambiguous in the
	// département of the postcode.
	for i := range p.cands[:p.n] {
		if p.cands[i].guess {
			continue
		}
		if r, ok := m.exactName(p, i, s, p.dep); ok {
			m.contradiction(p, &r)
			return r, true
		}
	}
	if r, ok := m.fuzzyInPostcode(p, s, minScoreInPostcode, false); ok {
		return r, true
	}
	for i := range p.cands[:p.n] {
		if p.cands[i].guess {
			continue
		}
		if r, ok := m.exactName(p, i, s, ""); ok {
			// In another département: the postcode and the name are both
			// candidates.
			r.status = StatusAmbiguous
			for _, pl := range m.pcPlaces.of(p.pc) {
				r.places = appendPlace(r.places, scoredPlace{place: pl, score: 0})
			}
			s.scored = r.places
			r.warnings = append(r.warnings, "le code postal "+p.postcode+" et la commune « "+string(p.cands[i].name)+" » désignent des départements différents")
			return r, true
		}
	}
	if r, ok := m.fuzzyByName(p, s, p.dep, false); ok && r.status == StatusOK {
		m.contradiction(p, &r)
		return r, true
	}
	return m.byPostcodeAlone(p, s, true), true
}

// byPostcodeAlone answers from the postcode when no name can be used: its only
// commune, or the ambiguity between its communes.
func (m *Matcher) byPostcodeAlone(p *parsed, s *scratch, nameGiven bool) communeMatch {
	places := m.pcPlaces.of(p.pc)
	r := communeMatch{city: -1, cand: -1}
	s.scored = s.scored[:0]
	for _, pl := range places {
		s.scored = append(s.scored, scoredPlace{place: pl})
	}
	r.places = s.scored
	var name string
	for _, c := range p.cands[:p.n] {
		if !c.guess {
			name = string(c.name)
			break
		}
	}
	if len(places) == 1 {
		r.status, r.score = StatusOK, 1
		r.places[0].score = 1
		if nameGiven {
			r.score = unreadScore
			r.warnings = append(r.warnings, "commune « "+name+" » non reconnue pour le code postal "+p.postcode+" : commune déduite du code postal")
		}
		return r
	}
	r.status = StatusAmbiguous
	if nameGiven {
		r.ambiguity = "commune « " + name + " » non reconnue pour le code postal " + p.postcode + ", commun à " + strconv.Itoa(len(places)) + " communes"
	} else {
		r.ambiguity = "le code postal " + p.postcode + " est commun à " + strconv.Itoa(len(places)) + " communes : précisez la commune"
	}
	return r
}

// prefixInPostcode reads a shortened name, "13100 Aix" for Aix-en-Provence: the
// one commune of the postcode whose name starts with the words typed.
func (m *Matcher) prefixInPostcode(p *parsed, s *scratch) (communeMatch, bool) {
	for i := range p.cands[:p.n] {
		if p.cands[i].guess {
			continue
		}
		name := string(p.cands[i].name)
		s.scored = s.scored[:0]
		for _, e := range m.pcEntries.of(p.pc) {
			en := &m.entries[e]
			if k := m.keys[en.key]; primary(en.via) && len(k) > len(name) && k[len(name)] == ' ' && k[:len(name)] == name {
				s.scored = appendPlace(s.scored, scoredPlace{place: en.place, score: prefixScore})
			}
		}
		if len(s.scored) == 1 {
			r := m.decide(s.scored, prefixScore)
			r.cand = i
			r.warnings = append(r.warnings, "commune « "+name+" » complétée en « "+m.str(m.places[r.places[0].place].name)+" » d'après le code postal "+p.postcode)
			return r, true
		}
	}
	return communeMatch{}, false
}

// prefixScore is the score of a name completed from its first words.
const prefixScore = 0.9

// contradiction notes that the postcode given does not belong to the commune
// found by name.
func (m *Matcher) contradiction(p *parsed, r *communeMatch) {
	if r.status != StatusOK || p.postcode == "" {
		return
	}
	pl := r.places[0].place
	if p.pc >= 0 && (m.hasPostcode(pl, p.pc) || m.childHasPostcode(pl, p.pc)) {
		return
	}
	r.warnings = append(r.warnings, "le code postal "+p.postcode+" ne correspond pas à "+m.str(m.places[pl].name)+" : commune retenue d'après son nom")
}

// exactInPostcode looks for city reading i among the names used with the
// postcode, exactly and then without articles.
func (m *Matcher) exactInPostcode(p *parsed, i int, s *scratch) (communeMatch, bool) {
	name := p.cands[i].name
	entries := m.pcEntries.of(p.pc)
	if k, ok := m.keyID.getBytes(name); ok {
		if r, ok := m.collect(entries, func(key int32) bool { return key == k }, 1, s); ok {
			r.cand = i
			if r.status == StatusAmbiguous {
				r.ambiguity = "« " + string(name) + " » désigne " + strconv.Itoa(len(r.places)) + " communes du code postal " + p.postcode
			}
			return r, true
		}
	}
	compact, plain := m.compactKeys(name, s)
	if len(compact) == 0 && plain < 0 {
		return communeMatch{}, false
	}
	accept := func(key int32) bool { return key == plain || slices.Contains(compact, key) }
	r, ok := m.collect(entries, accept, compactScore, s)
	r.cand = i
	return r, ok
}

// collect answers with the places of the entries whose key is accepted: those
// reached by a commune's own name if any, else by a lieu-dit or former name.
func (m *Matcher) collect(entries []int32, accept func(key int32) bool, score float64, s *scratch) (communeMatch, bool) {
	s.scored = s.scored[:0]
	strongest := uint8(255)
	for _, e := range entries {
		en := &m.entries[e]
		if !accept(en.key) {
			continue
		}
		s.keepStrongest(en, m.formerOf(en), score, &strongest)
	}
	if len(s.scored) == 0 {
		return communeMatch{}, false
	}
	return m.decide(s.scored, score), true
}

// appendPlace adds a place once, keeping its best score and any former code.
func appendPlace(list []scoredPlace, sp scoredPlace) []scoredPlace {
	for i := range list {
		if list[i].place == sp.place {
			if sp.score > list[i].score {
				list[i].score = sp.score
			}
			if list[i].former == "" {
				list[i].former = sp.former
			}
			return list
		}
	}
	return append(list, sp)
}

// decide turns the places found into an answer: one place is ok, several are
// ambiguous.
func (m *Matcher) decide(places []scoredPlace, score float64) communeMatch {
	r := communeMatch{places: places, city: -1, cand: -1, score: score}
	if len(places) == 1 {
		r.status, r.former = StatusOK, places[0].former
		return r
	}
	r.status = StatusAmbiguous
	return r
}

// fuzzyInPostcode compares the readings of the city (the guessed ones or the
// others) with the names used with the postcode, and keeps the closest place
// when it is clearly the closest.
func (m *Matcher) fuzzyInPostcode(p *parsed, s *scratch, minScore float64, guesses bool) (communeMatch, bool) {
	entries := m.pcEntries.of(p.pc)
	s.scored = s.scored[:0]
	best, bestCand, bestKey := 0.0, -1, int32(-1)
	for i := range p.cands[:p.n] {
		if p.cands[i].guess != guesses {
			continue
		}
		name := string(p.cands[i].name)
		for _, e := range entries {
			en := &m.entries[e]
			sc := similarity(name, m.keys[en.key], minScore)
			if sc < minScore || sc < best-tieScore {
				continue
			}
			if sc > best+tieScore {
				s.scored = s.scored[:0]
			}
			if sc > best {
				best, bestCand, bestKey = sc, i, en.key
			}
			s.scored = appendPlace(s.scored, scoredPlace{place: en.place, score: sc, former: m.formerOf(en)})
		}
	}
	if len(s.scored) == 0 {
		return communeMatch{}, false
	}
	s.scored = dropWeak(s.scored, best)
	r := m.decide(s.scored, best)
	r.cand = bestCand
	if r.status == StatusOK {
		r.warnings = append(r.warnings, m.fuzzyNote(p.cands[bestCand].name, r.places[0].place, bestKey, best))
	}
	return r, true
}

// dropWeak keeps the places scoring within tieScore of best.
func dropWeak(list []scoredPlace, best float64) []scoredPlace {
	out := list[:0]
	for _, sp := range list {
		if sp.score >= best-tieScore {
			out = append(out, sp)
		}
	}
	return out
}

// fuzzyNote says which name a misspelt one was taken for: the commune's, or
// the lieu-dit, déléguée or former commune's that led to it.
func (m *Matcher) fuzzyNote(typed []byte, pl, key int32, score float64) string {
	name := "« " + m.str(m.places[pl].name) + " »"
	if key >= 0 && key != m.places[pl].key {
		name = "« " + m.keys[key] + " » (" + m.str(m.places[pl].name) + ")"
	}
	return "commune « " + string(typed) + " » rapprochée de " + name + " (similarité " + frenchFloat(score) + ")"
}

func frenchFloat(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 2, 64), ".", ",", 1)
}

// byName matches the city by name alone, within the département when dep is set.
func (m *Matcher) byName(p *parsed, s *scratch, dep string) (communeMatch, bool) {
	// The city as given, then the words guessed to be one, as in withPostcode.
	for _, guesses := range []bool{false, true} {
		for i := range p.cands[:p.n] {
			if p.cands[i].guess != guesses {
				continue
			}
			if r, ok := m.exactName(p, i, s, dep); ok {
				return r, true
			}
		}
		if r, ok := m.fuzzyByName(p, s, dep, guesses); ok {
			return r, true
		}
	}
	return communeMatch{}, false
}

// exactName looks for city reading i among all names, exactly and then without
// articles, keeping the places of département dep when it is set.
func (m *Matcher) exactName(p *parsed, i int, s *scratch, dep string) (communeMatch, bool) {
	name := p.cands[i].name
	inDep := func(pl int32) bool { return dep == "" || m.str(m.places[pl].dep) == dep }
	try := func(keys []int32, score float64) (communeMatch, bool) {
		s.scored = s.scored[:0]
		strongest := uint8(255)
		for _, k := range keys {
			for _, e := range m.keyEntries.of(k) {
				en := &m.entries[e]
				if !inDep(en.place) {
					continue
				}
				s.keepStrongest(en, m.formerOf(en), score, &strongest)
			}
		}
		if len(s.scored) == 0 {
			return communeMatch{}, false
		}
		r := m.decide(s.scored, score)
		r.cand = i
		if r.status == StatusAmbiguous {
			r.ambiguity = "« " + string(name) + " » désigne " + strconv.Itoa(len(r.places)) + " communes : précisez le code postal ou le département"
		}
		return r, true
	}
	if k, ok := m.keyID.getBytes(name); ok {
		one := [1]int32{k}
		if r, ok := try(one[:], 1); ok {
			return r, true
		}
	}
	compact, plain := m.compactKeys(name, s)
	if plain >= 0 {
		if r, ok := try([]int32{plain}, compactScore); ok {
			return r, true
		}
	}
	if len(compact) > 0 {
		return try(compact, compactScore)
	}
	return communeMatch{}, false
}

// fuzzyByName compares the city readings (the guessed ones or the others) with
// every name (of the département when dep is set) through the trigram index.
func (m *Matcher) fuzzyByName(p *parsed, s *scratch, dep string, guesses bool) (communeMatch, bool) {
	var keep func(k int32) bool
	if dep != "" {
		keep = func(k int32) bool {
			for _, e := range m.keyEntries.of(k) {
				if m.str(m.places[m.entries[e].place].dep) == dep {
					return true
				}
			}
			return false
		}
	}
	var found []scoredPlace
	best, bestCand, bestKey := 0.0, -1, int32(-1)
	for i := range p.cands[:p.n] {
		name := p.cands[i].name
		if len(name) < 3 || p.cands[i].guess != guesses {
			continue
		}
		for _, h := range m.names.search(m.keys, string(name), minScoreGlobal, keep, &s.fuzzy) {
			if h.score < best-tieScore {
				break
			}
			if h.score > best+tieScore {
				found = found[:0]
			}
			if h.score > best {
				best, bestCand, bestKey = h.score, i, h.id
			}
			for _, e := range m.keyEntries.of(h.id) {
				en := &m.entries[e]
				if dep == "" || m.str(m.places[en.place].dep) == dep {
					found = appendPlace(found, scoredPlace{place: en.place, score: h.score, former: m.formerOf(en)})
				}
			}
		}
	}
	if len(found) == 0 {
		return communeMatch{}, false
	}
	s.scored = append(s.scored[:0], dropWeak(found, best)...)
	r := m.decide(s.scored, best)
	r.cand = bestCand
	if r.status == StatusOK {
		r.warnings = append(r.warnings, m.fuzzyNote(p.cands[bestCand].name, r.places[0].place, bestKey, best))
	} else {
		r.ambiguity = "commune « " + string(p.cands[bestCand].name) + " » introuvable ; noms proches dans " + strconv.Itoa(len(r.places)) + " communes"
	}
	return r, true
}

// arrondissement handles Paris, Lyon and Marseille named without arrondissement:
// the postcode picks it when it can; otherwise the answer is ambiguous between
// the arrondissements (a street may still settle it).
func (m *Matcher) arrondissement(p *parsed, r communeMatch, s *scratch) communeMatch {
	if r.status == StatusNotFound {
		return r
	}
	for _, sp := range r.places {
		if len(m.children.of(sp.place)) == 0 {
			return r
		}
	}
	if len(r.places) != 1 {
		return r
	}
	city := r.places[0].place
	children := m.children.of(city)
	out := s.scored[:0]
	if p.pc >= 0 {
		for _, ch := range children {
			if m.hasPostcode(ch, p.pc) {
				out = append(out, scoredPlace{place: ch, score: r.score})
			}
		}
	}
	if len(out) == 0 {
		for _, ch := range children {
			out = append(out, scoredPlace{place: ch, score: r.score})
		}
	}
	if len(out) == 1 {
		r.places = out
		return r
	}
	s.scored = out
	r.places = out
	r.status = StatusAmbiguous
	r.city = city
	r.ambiguity = m.str(m.places[city].name) + " est divisée en arrondissements : précisez l'arrondissement, le code postal ou l'adresse"
	return r
}

// keepStrongest adds the place of entry en, with former (see formerOf), to s.scored when the entry reaches it as
// strongly as the best so far (a commune's own name beats a lieu-dit or former
// name), starting the list again when it is stronger.
func (s *scratch) keepStrongest(en *entry, former string, score float64, strongest *uint8) {
	strength := uint8(1)
	if primary(en.via) {
		strength = 0
	}
	if strength < *strongest {
		*strongest = strength
		s.scored = s.scored[:0]
	}
	if strength == *strongest {
		s.scored = appendPlace(s.scored, scoredPlace{place: en.place, score: score, former: former})
	}
}
