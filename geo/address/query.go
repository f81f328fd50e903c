package address

import (
	"strings"
)

// parsed is a query split into its parts, normalised.
type parsed struct {
	postcode string // 5 digits as found; may be unknown
	pc       int32  // id of the postcode, -1 when absent or unknown
	dep      string // département the postcode or the text points to
	cands    [8]cityCand
	n        int
	street   []byte // the street when no city candidate is retained
	citycode string
	warnings []string
}

// cityCand is one reading of where the commune name is in the query.
type cityCand struct {
	name   []byte
	street []byte // what is left for the street with this reading
	// guess is set when no known name was found where a city stands: the last
	// words of the line may be a misspelt city or just the end of the street.
	guess bool
	// whole is, for the end of a city field, the whole field: only part of what
	// was given as the city then matched.
	whole []byte
}

func (p *parsed) addCity(name, street []byte, guess bool) {
	if len(name) == 0 || p.n == len(p.cands) {
		return
	}
	for _, c := range p.cands[:p.n] {
		if string(c.name) == string(name) {
			return
		}
	}
	p.cands[p.n] = cityCand{name: name, street: street, guess: guess}
	p.n++
}

// partial lowers the score of an answer found from the end of a city field
// only, and says so: "Cavannes sur Reyssouze" is not Reyssouze for sure.
func (p *parsed) partial(r *communeMatch) {
	if r.cand < 0 || r.status == StatusNotFound {
		return
	}
	c := p.cands[r.cand]
	if c.whole == nil {
		return
	}
	r.score *= float64(len(c.name)) / float64(len(c.whole))
	r.warnings = append(r.warnings, "seule la fin « "+string(c.name)+" » de la commune « "+string(c.whole)+" » a été reconnue")
}

// firm reports whether the query names a city for sure.
func (p *parsed) firm() bool {
	for _, c := range p.cands[:p.n] {
		if !c.guess {
			return true
		}
	}
	return false
}

func (m *Matcher) parse(q Query, s *scratch, p *parsed) {
	p.pc = -1
	postcode, pc := "", int32(-1)
	if q.Postcode != "" {
		postcode = strings.Join(strings.Fields(q.Postcode), "") // "75 006"
		if len(postcode) == 4 && allDigits([]byte(postcode)) {
			postcode = "0" + postcode // a spreadsheet dropped the leading zero
		}
		if id, ok := m.pcID.get(postcode); ok {
			pc = id
		}
		p.postcode, p.pc = postcode, pc
	}
	if q.Text != "" {
		s.text = AppendNormalized(s.text[:0], q.Text)
		m.parseLine(s.text, s, p, true)
	}
	if q.City != "" {
		fromCity := parsed{postcode: p.postcode, pc: p.pc}
		s.city = AppendNormalized(s.city[:0], q.City)
		m.parseLine(s.city, s, &fromCity, false)
		p.cands, p.n = fromCity.cands, fromCity.n
		for i := range p.cands[:p.n] {
			p.cands[i].street = p.street
		}
		p.postcode, p.pc = fromCity.postcode, fromCity.pc
		if fromCity.dep != "" {
			p.dep = fromCity.dep
		}
	}
	if postcode != "" {
		p.postcode, p.pc = postcode, pc
	}
	if q.Street != "" {
		s.street = AppendNormalized(s.street[:0], q.Street)
		p.street = s.street
		for i := range p.cands[:p.n] {
			p.cands[i].street = s.street
		}
	}
	p.citycode = strings.ToUpper(strings.TrimSpace(q.Citycode))
	switch {
	case p.pc >= 0:
		if pl := m.pcPlaces.of(p.pc); len(pl) > 0 {
			p.dep = m.places[pl[0]].dep
		}
	case p.postcode != "":
		if len(p.postcode) != 5 || !allDigits([]byte(p.postcode)) {
			p.warnings = append(p.warnings, "code postal « "+echo(p.postcode)+" » invalide (5 chiffres attendus) : ignoré")
			p.postcode = ""
			break
		}
		p.dep = departementOf(p.postcode)
		p.warnings = append(p.warnings, "code postal "+p.postcode+" inconnu (code CEDEX ou erroné) : commune cherchée par son nom dans le département "+p.dep)
	}
}

// echo makes a value typed by the user fit to be quoted in a message: valid
// UTF-8, and not too long.
func echo(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// departementOf derives the département from a postcode that is not in the base.
func departementOf(pc string) string {
	switch {
	case strings.HasPrefix(pc, "97"), strings.HasPrefix(pc, "98"):
		return pc[:3]
	case strings.HasPrefix(pc, "20"):
		if pc < "20200" {
			return "2A"
		}
		return "2B"
	}
	return pc[:2]
}

// parseLine reads a normalised address line: the postcode, where the commune
// name is, and the street before it. French addresses end with "postcode city";
// people also write "city postcode", the city alone, or the arrondissement form.
func (m *Matcher) parseLine(line []byte, s *scratch, p *parsed, withStreet bool) {
	words := s.words[:0]
	for i := 0; i < len(line); {
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		words = append(words, [2]int32{int32(i), int32(j)})
		i = j + 1
	}
	s.words = words
	n := len(words)
	w := func(i int) []byte { return line[words[i][0]:words[i][1]] }
	span := func(i, j int) []byte { // words i…j-1
		if i >= j {
			return nil
		}
		return line[words[i][0]:words[j-1][1]]
	}
	if n > 1 && string(w(n-1)) == "FRANCE" && !franceInName[string(w(n-2))] {
		n-- // the country, not "Baillet-en-France"
	}
	pcAt := -1
	for i := n - 1; i >= 0; i-- {
		if b := w(i); len(b) == 5 && allDigits(b) {
			if _, known := m.pcID.getBytes(b); known {
				pcAt = i
				break
			}
			if pcAt < 0 {
				pcAt = i
			}
		}
	}
	before, after := n, n
	if pcAt >= 0 {
		p.postcode = string(w(pcAt))
		if id, ok := m.pcID.get(p.postcode); ok {
			p.pc = id
		}
		before, after = pcAt, pcAt+1
	}
	if after < n {
		// "… 75006 PARIS": the city follows the postcode; trailing words that are
		// not part of a name ("PARIS FRANCE", "LYON BUREAU 3") are tried off.
		p.street = span(0, before)
		p.addCity(span(after, n), p.street, false)
		for j := n - 1; j > after && !m.knownName(span(after, n), true); j-- {
			if m.knownName(span(after, j), false) {
				p.addCity(span(after, j), p.street, false)
				break
			}
		}
		return
	}
	// The city ends the line (or opens it): its longest known name wins, among the
	// names used with the postcode first. A city field is a city as a whole.
	p.street = span(0, before)
	if !withStreet {
		p.addCity(span(0, before), nil, false)
	}
	found := false
	for pass := 0; pass < 2 && !found; pass++ {
		for l := min(maxCityWords, before); l >= 1; l-- {
			name := span(before-l, before)
			if (pass == 0 && m.knownWithPostcode(name, p.pc)) || (pass == 1 && m.knownName(name, l == before)) {
				// The end of a city field is the end of a longer name, maybe
				// misspelt ("Cavannes sur Reyssouze"); a name foreign to the
				// postcode after a street ("rue de Bobigny 93100") is more likely
				// the end of the street than the city.
				guess := l < before && (!withStreet || pass == 1 && p.pc >= 0)
				p.addCity(name, span(0, before-l), guess)
				if guess && !withStreet {
					p.cands[p.n-1].whole = span(0, before)
				}
				found = true
				break
			}
		}
	}
	if !found && p.pc < 0 && before > 1 {
		// "SAINT DENIS 93": a département after the name.
		if d := w(before - 1); isDepartement(d) {
			for l := min(maxCityWords, before-1); l >= 1; l-- {
				name := span(before-1-l, before-1)
				if m.knownName(name, l == before-1) {
					p.dep = string(d)
					p.addCity(name, span(0, before-1-l), false)
					found = true
					break
				}
			}
		}
	}
	if !found && withStreet {
		// "PARIS 06, 12 RUE …": the city first, then a house number.
		for l := min(maxCityWords, before-1); l >= 1; l-- {
			if name := span(0, l); allDigits(w(l)) && m.knownName(name, false) {
				p.addCity(name, span(l, before), false)
				found = true
				break
			}
		}
	}
	if !found {
		// No known name: the line is a city to be read with tolerance, or a
		// street whose last words may be a misspelt city.
		for l := min(3, before); l >= 1; l-- {
			p.addCity(span(before-l, before), span(0, before-l), true)
			if !withStreet && l < before {
				p.cands[p.n-1].whole = span(0, before)
			}
		}
	}
}

// franceInName are the words before "FRANCE" in commune names.
var franceInName = map[string]bool{"EN": true, "DE": true, "ILE": true}

func isDepartement(w []byte) bool {
	if !allDigits(w) {
		return false
	}
	switch len(w) {
	case 2:
		return string(w) >= "01" && string(w) <= "95" && string(w) != "20"
	case 3:
		return string(w) >= "971" && string(w) <= "976"
	}
	return false
}

// knownName reports whether name is the name of a commune, an arrondissement, a
// commune déléguée or a former commune, or of a lieu-dit when withLieuxDits is
// set. Lieux-dits are left out of free text: "LA GARE" or "LE BOURG" end street
// names more often than they name a place.
func (m *Matcher) knownName(name []byte, withLieuxDits bool) bool {
	k, ok := m.keyID[string(name)]
	if !ok {
		return false
	}
	for _, e := range m.keyEntries.of(k) {
		if withLieuxDits || m.entries[e].via < viaLine5 {
			return true
		}
	}
	return false
}

// knownWithPostcode reports whether name is a name used with postcode pc.
func (m *Matcher) knownWithPostcode(name []byte, pc int32) bool {
	if pc < 0 {
		return false
	}
	k, ok := m.keyID[string(name)]
	if !ok {
		return false
	}
	for _, e := range m.pcEntries.of(pc) {
		if m.entries[e].key == k {
			return true
		}
	}
	return false
}
