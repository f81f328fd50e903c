package address

import (
	"cmp"
	"slices"
	"strings"
)

// suggestion is one name offered by Suggest.
type suggestion struct {
	key    string
	place  int32
	street int32  // -1 for a commune
	name   string // as shown
	weight int    // population of a commune, address points of a street
}

// DefaultSuggestions is the number of suggestions Suggest returns when asked for
// none.
const DefaultSuggestions = 10

func buildSuggestions(m *Matcher) []suggestion {
	out := make([]suggestion, 0, len(m.places)+len(m.streets.streets))
	for i := range m.places {
		pl := &m.places[i]
		out = append(out, suggestion{key: m.keys[pl.key], place: int32(i), street: -1, name: m.str(pl.name), weight: pl.population})
	}
	var buf []byte
	for _, c := range m.communes {
		p, ok := m.byCode.get(c.Parent)
		if !ok {
			continue
		}
		pl := &m.places[p]
		buf = AppendNormalized(buf[:0], c.Name)
		if len(buf) == 0 || string(buf) == m.keys[pl.key] {
			continue // the chef-lieu déléguée named like its commune
		}
		out = append(out, suggestion{key: string(buf), place: p, street: -1, name: c.Name + " (" + m.str(pl.name) + ")"})
	}
	for i := range m.streets.streets {
		st := &m.streets.streets[i]
		sg := suggestion{key: m.streets.keys[st.key], place: st.place, street: int32(i),
			name: st.name + ", " + m.str(m.places[st.place].name), weight: len(st.points)}
		out = append(out, sg)
		// People type the name without its type: "vaugir" for Rue de Vaugirard,
		// "saint germ" for Boulevard Saint-Germain.
		for _, k := range streetNameKeys(sg.key) {
			alt := sg
			alt.key = k
			out = append(out, alt)
		}
	}
	slices.SortFunc(out, func(a, b suggestion) int { return strings.Compare(a.key, b.key) })
	return out
}

// Suggest completes the beginning of a commune name, an arrondissement ("paris 6"),
// a commune déléguée, a postcode, or a street name when streets are loaded, for a
// search box. Names that are exactly the prefix come first, then communes by
// population, then streets by size. limit ≤ 0 means DefaultSuggestions.
func (m *Matcher) Suggest(prefix string, limit int) []Candidate {
	if limit <= 0 {
		limit = DefaultSuggestions
	}
	m.suggestOnce.Do(func() {
		m.suggestions = buildSuggestions(m)
		m.communes = nil
	})
	var buf [128]byte
	key := AppendNormalized(buf[:0], prefix)
	if len(key) == 0 {
		return nil
	}
	// One string for the key: scanPrefix keeps it.
	keyString := string(key)
	top := topSuggestions{key: keyString, limit: limit}
	offer := top.offer
	m.scanPrefix(keyString, offer)
	// "paris 1" is the 1er arrondissement once normalised, but also the start of
	// "Paris 10e"…"Paris 19e".
	var raw [128]byte
	if folded := fold(raw[:0], prefix); string(folded) != string(key) {
		m.scanPrefix(string(folded), func(sg suggestion) {
			if !slices.ContainsFunc(top.found, func(f suggestion) bool { return f.place == sg.place && f.street == sg.street }) {
				offer(sg)
			}
		})
	}
	// "12 rue de vaug": the street without its number.
	if len(m.streets.streets) > 0 && key[0] >= '0' && key[0] <= '9' {
		if sp := strings.IndexByte(string(key), ' '); sp > 0 {
			rest := string(key[sp+1:])
			m.scanPrefix(rest, func(sg suggestion) {
				if sg.street >= 0 {
					offer(sg)
				}
			})
		}
	}
	if allDigits(key) {
		m.suggestPostcodes(keyString, offer)
	}
	return m.suggestionCandidates(top.found, len(key))
}

// topSuggestions keeps the best suggestions for key, at most limit, best first.
type topSuggestions struct {
	key   string
	limit int
	found []suggestion
}

// better reports whether a ranks before b: names that are exactly the key, then
// places before streets, then the heavier, then by name.
func (t *topSuggestions) better(a, b suggestion) bool {
	ae, be := a.key == t.key, b.key == t.key
	if ae != be {
		return ae
	}
	if (a.street < 0) != (b.street < 0) {
		return a.street < 0
	}
	if a.weight != b.weight {
		return a.weight > b.weight
	}
	return a.name < b.name
}

// offer keeps sg in its rank when it is among the best.
func (t *topSuggestions) offer(sg suggestion) {
	if sg.street >= 0 && slices.ContainsFunc(t.found, func(f suggestion) bool { return f.street == sg.street }) {
		return // the same street reached by its full name and by its name alone
	}
	if len(t.found) == t.limit && !t.better(sg, t.found[t.limit-1]) {
		return
	}
	i := len(t.found)
	if len(t.found) < t.limit {
		t.found = append(t.found, sg)
	}
	for i > 0 && t.better(sg, t.found[i-1]) {
		if i < len(t.found) {
			t.found[i] = t.found[i-1]
		}
		i--
	}
	t.found[i] = sg
}

// suggestionCandidates are the candidates of the suggestions found for a key of
// keyLen bytes, scored by how much of their name the key covers.
func (m *Matcher) suggestionCandidates(found []suggestion, keyLen int) []Candidate {
	out := make([]Candidate, 0, len(found))
	for _, sg := range found {
		pl := &m.places[sg.place]
		c := Candidate{Code: m.str(pl.code), Name: sg.name, Departement: m.str(pl.dep), Level: LevelMunicipality,
			Score: float64(keyLen) / float64(max(keyLen, len(sg.key))), Lat: pl.lat, Lon: pl.lon}
		if sg.street >= 0 {
			st := &m.streets.streets[sg.street]
			c.Level = LevelStreet
			c.Lat, c.Lon = st.points[middle(st.points)].LatLon()
		}
		out = append(out, c)
	}
	return out
}

// scanPrefix calls f with every suggestion whose key starts with prefix.
func (m *Matcher) scanPrefix(prefix string, f func(suggestion)) {
	i, _ := slices.BinarySearchFunc(m.suggestions, prefix, func(s suggestion, p string) int { return cmp.Compare(s.key, p) })
	for ; i < len(m.suggestions) && strings.HasPrefix(m.suggestions[i].key, prefix); i++ {
		f(m.suggestions[i])
	}
}

// suggestPostcodes offers the communes of the postcodes starting with digits.
func (m *Matcher) suggestPostcodes(digits string, f func(suggestion)) {
	for id, pc := range m.postcodes {
		if !strings.HasPrefix(pc, digits) {
			continue
		}
		for _, p := range m.pcPlaces.of(int32(id)) {
			pl := &m.places[p]
			f(suggestion{key: pc, place: p, street: -1, name: pc + " " + m.str(pl.name), weight: pl.population})
		}
	}
}

// streetNameArticles are the words between a street's type and its name.
var streetNameArticles = map[string]bool{"DE": true, "DU": true, "DES": true, "LA": true, "LE": true, "LES": true, "L": true, "D": true, "A": true, "AU": true, "AUX": true, "ET": true}

// streetNameKeys returns the normalised street name without its leading type and
// articles ("RUE DE VAUGIRARD" → "VAUGIRARD"), when that differs from the key.
func streetNameKeys(key string) []string {
	words := strings.Fields(key)
	i := 1
	for i < len(words) && streetNameArticles[words[i]] {
		i++
	}
	if i >= len(words) || i == 0 {
		return nil
	}
	return []string{strings.Join(words[i:], " ")}
}
