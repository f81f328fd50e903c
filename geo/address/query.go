package address

import (
	"strings"

	"zonage/internal/sheetcode"
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
	city     string // the city field as given
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
		postcode = sheetcode.WithoutZeroFraction(postcode)
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
		p.city = q.City
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
			p.dep = m.str(m.places[pl[0]].dep)
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
	s.words = splitWords(line, s.words[:0])
	lw := lineWords{line, s.words}
	n := len(lw.words)
	if n > 1 && string(lw.word(n-1)) == "FRANCE" && !franceInName[string(lw.word(n-2))] {
		n-- // the country, not "Baillet-en-France"
	}
	before, after := n, n
	if pcAt := m.postcodeAt(lw, n); pcAt >= 0 {
		p.postcode = string(lw.word(pcAt))
		if id, ok := m.pcID.get(p.postcode); ok {
			p.pc = id
		}
		before, after = pcAt, pcAt+1
	}
	if after < n {
		m.cityAfterPostcode(lw, p, after, n)
		return
	}
	m.cityEndingLine(lw, p, before, withStreet)
}

// lineWords are the words of a normalised line, as byte ranges of it.
type lineWords struct {
	line  []byte
	words [][2]int32
}

// splitWords appends to words the ranges of the space-separated words of line.
func splitWords(line []byte, words [][2]int32) [][2]int32 {
	for i := 0; i < len(line); {
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		words = append(words, [2]int32{int32(i), int32(j)})
		i = j + 1
	}
	return words
}

func (lw lineWords) word(i int) []byte { return lw.line[lw.words[i][0]:lw.words[i][1]] }

// span is words i…j-1, nil when there are none.
func (lw lineWords) span(i, j int) []byte {
	if i >= j {
		return nil
	}
	return lw.line[lw.words[i][0]:lw.words[j-1][1]]
}

// postcodeAt is the position among the first n words of the last known
// postcode, else of the last five-digit word; -1 when there is none.
func (m *Matcher) postcodeAt(lw lineWords, n int) int {
	at := -1
	for i := n - 1; i >= 0; i-- {
		if b := lw.word(i); len(b) == 5 && allDigits(b) {
			if _, known := m.pcID.getBytes(b); known {
				return i
			}
			if at < 0 {
				at = i
			}
		}
	}
	return at
}

// cityAfterPostcode reads "… 75006 PARIS": the city follows the postcode, words
// after…n-1; trailing words that are not part of a name ("PARIS FRANCE", "LYON
// BUREAU 3") are tried off.
func (m *Matcher) cityAfterPostcode(lw lineWords, p *parsed, after, n int) {
	p.street = lw.span(0, after-1)
	p.addCity(lw.span(after, n), p.street, false)
	for j := n - 1; j > after && !m.knownName(lw.span(after, n), true); j-- {
		if m.knownName(lw.span(after, j), false) {
			p.addCity(lw.span(after, j), p.street, false)
			break
		}
	}
}

// cityEndingLine reads a line with no postcode before its last words: the city
// ends the line (or opens it), its longest known name winning, among the names
// used with the postcode first. A city field (not withStreet) is a city as a
// whole.
func (m *Matcher) cityEndingLine(lw lineWords, p *parsed, before int, withStreet bool) {
	p.street = lw.span(0, before)
	if !withStreet {
		p.addCity(lw.span(0, before), nil, false)
	}
	if m.knownCityAtEnd(lw, p, before, withStreet) ||
		p.pc < 0 && before > 1 && m.cityBeforeDepartement(lw, p, before) ||
		withStreet && m.cityFirst(lw, p, before) {
		return
	}
	// No known name: the line is a city to be read with tolerance, or a street
	// whose last words may be a misspelt city.
	for l := min(3, before); l >= 1; l-- {
		p.addCity(lw.span(before-l, before), lw.span(0, before-l), true)
		if !withStreet && l < before {
			p.cands[p.n-1].whole = lw.span(0, before)
		}
	}
}

// knownCityAtEnd finds the longest known name ending at word before, first among
// the names used with the postcode, then among all.
func (m *Matcher) knownCityAtEnd(lw lineWords, p *parsed, before int, withStreet bool) bool {
	for pass := 0; pass < 2; pass++ {
		for l := min(maxCityWords, before); l >= 1; l-- {
			name := lw.span(before-l, before)
			if (pass == 0 && m.knownWithPostcode(name, p.pc)) || (pass == 1 && m.knownName(name, l == before)) {
				// The end of a city field is the end of a longer name, maybe
				// misspelt ("Cavannes sur Reyssouze"); a name foreign to the
				// postcode after a street ("rue de Bobigny 93100") is more likely
				// the end of the street than the city.
				guess := l < before && (!withStreet || pass == 1 && p.pc >= 0)
				p.addCity(name, lw.span(0, before-l), guess)
				if guess && !withStreet {
					p.cands[p.n-1].whole = lw.span(0, before)
				}
				return true
			}
		}
	}
	return false
}

// cityBeforeDepartement reads "SAINT DENIS 93": a département after the name.
func (m *Matcher) cityBeforeDepartement(lw lineWords, p *parsed, before int) bool {
	d := lw.word(before - 1)
	if !isDepartement(d) {
		return false
	}
	for l := min(maxCityWords, before-1); l >= 1; l-- {
		name := lw.span(before-1-l, before-1)
		if m.knownName(name, l == before-1) {
			p.dep = string(d)
			p.addCity(name, lw.span(0, before-1-l), false)
			return true
		}
	}
	return false
}

// cityFirst reads "PARIS 06, 12 RUE …": the city first, then a house number.
func (m *Matcher) cityFirst(lw lineWords, p *parsed, before int) bool {
	for l := min(maxCityWords, before-1); l >= 1; l-- {
		if name := lw.span(0, l); allDigits(lw.word(l)) && m.knownName(name, false) {
			p.addCity(name, lw.span(l, before), false)
			return true
		}
	}
	return false
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
	k, ok := m.keyID.getBytes(name)
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
	k, ok := m.keyID.getBytes(name)
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
