package address

import (
	"slices"
	"strings"
	"sync"
)

// Matcher answers queries from the indexes built over a Data. It is immutable once
// built and safe for concurrent use.
type Matcher struct {
	places []place
	// text holds the codes, names and départements of the places (see str).
	text     string
	children lists     // place -> its arrondissements, for Paris, Lyon and Marseille
	byCode   codeTable // place code -> place
	// aliases maps the code of a commune déléguée, associée or former commune that
	// is not itself a place to its entry in aliasList.
	aliases   codeTable
	aliasList []alias

	keys       []string // distinct normalised names
	keyID      keyTable // key -> index in keys
	compact    compactTable
	entries    []entry
	formers    []string // the codes of entry.former; formers[0] is none
	keyEntries lists    // key id -> entries answering a search by name alone
	postcodes  []string
	pcID       codeTable // postcode -> index in postcodes
	pcEntries  lists     // postcode id -> entries of names used with that postcode
	pcPlaces   lists     // postcode id -> places
	placePCs   lists     // place -> postcode ids
	names      trigramIndex

	streets streetIndex

	// The suggestions of Suggest are sorted on first use: they serve a search
	// box, not the matching every start needs.
	suggestOnce sync.Once
	suggestions []suggestion // sorted by key
	communes    []Commune    // the déléguées and associées, kept until then

	pool sync.Pool // *scratch
}

// place is a current commune or arrondissement: what Match answers with. It
// holds no pointer (its strings are in Matcher.text, its arrondissements in
// Matcher.children): the garbage collector has nothing to follow in the
// 35,000 places of France.
type place struct {
	code, name, dep text
	parent          int32 // Paris, Lyon or Marseille for an arrondissement; -1 otherwise
	population      int
	lat, lon        float64
	key             int32 // key of the official name
}

// text is a string of Matcher.text, by its bounds.
type text struct{ start, end uint32 }

// str is the string t.
func (m *Matcher) str(t text) string { return m.text[t.start:t.end] }

type alias struct {
	place  int32
	former string
}

// How a name was attached to a place. Lower is stronger: a commune's own name
// beats a lieu-dit of another commune sharing the postcode.
const (
	viaName     uint8 = iota // COG name
	viaPostal                // La Poste commune name or libellé d'acheminement
	viaDeleguee              // commune déléguée or associée
	viaFormer                // former commune
	viaLine5                 // La Poste ligne 5: ancienne commune or lieu-dit
)

func primary(via uint8) bool { return via <= viaPostal }

type entry struct {
	key    int32
	place  int32
	former int32 // code of the déléguée or former commune the name is, in Matcher.formers
	via    uint8
	global bool // answers a search by name alone
}

// formerOf is the code of the déléguée or former commune e's name is, empty
// when none.
func (m *Matcher) formerOf(e *entry) string { return m.formers[e.former] }

// lists is a compact list of lists: items[start[i]:start[i+1]] is list i.
type lists struct {
	start []int32
	items []int32
}

func (l *lists) of(i int32) []int32 {
	if i < 0 || int(i)+1 >= len(l.start) {
		return nil
	}
	return l.items[l.start[i]:l.start[i+1]]
}

// newLists groups pairs (list, item) given as list<<32|item, with items sorted and
// without duplicates within a list. A counting sort: lists are known in number and
// mostly short.
func newLists(pairs []uint64, n int) lists {
	count := make([]int32, n+1)
	for _, p := range pairs {
		count[p>>32+1]++
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	items := make([]int32, len(pairs))
	fill := slices.Clone(count[:n])
	for _, p := range pairs {
		items[fill[p>>32]] = int32(uint32(p))
		fill[p>>32]++
	}
	l := lists{start: make([]int32, n+1)}
	out := int32(0)
	for i := 0; i < n; i++ {
		list := items[count[i]:count[i+1]]
		slices.Sort(list)
		list = slices.Compact(list)
		l.start[i] = out
		out += int32(copy(items[out:], list))
	}
	l.start[n] = out
	l.items = items[:out]
	return l
}

// scratch is the per-query memory, pooled so that a commune match does not
// allocate beyond its answer.
type scratch struct {
	text, city, street, key []byte
	words                   [][2]int32
	places                  []int32
	scored                  []scoredPlace
	fuzzy                   fuzzyScratch
}

type scoredPlace struct {
	place  int32
	score  float64
	former string
}

// NewMatcher builds the indexes over d, which may be let go afterwards: the
// matcher copies the street points it keeps and shares d's strings, which must
// not be modified.
func NewMatcher(d *Data) *Matcher {
	b := builder{m: &Matcher{byCode: newCodeTable(inseeSlots), aliases: newCodeTable(inseeSlots),
		pcID: newCodeTable(postcodeSlots)},
		keyID: make(map[string]int32, 2*len(d.Communes)), formerID: map[string]int32{"": 0},
	}
	b.m.formers = []string{""}
	m := b.m
	m.pool.New = func() any { return new(scratch) }
	// Sized for the names of France: a commune's COG and La Poste spellings mostly
	// share a key, so keys and entries number about the communes plus the
	// lieux-dits.
	names := len(d.Communes) + len(d.Postal)/4 + len(d.Former)
	m.places = make([]place, 0, len(d.Communes))
	m.keys = make([]string, 0, names)
	m.entries = make([]entry, 0, names)
	b.first, b.next = make([]int32, 0, names), make([]int32, 0, names)
	b.pcPairs = make([]uint64, 0, len(d.Communes)+len(d.Postal)+len(d.Former))
	b.places(d)
	// The indexes that only read what an earlier step wrote are built on the
	// other cores: the streets once the places are known, the fuzzy and compact
	// indexes once the names are.
	var wg sync.WaitGroup
	wg.Go(func() { m.streets = newStreetIndex(m, d.Streets) })
	b.names(d)
	m.keyID = newKeyTable(m.keys)
	wg.Go(func() {
		var buf []byte
		m.compact = newCompactTable(m.keys, &buf)
		m.names = newTrigramIndex(m.keys)
	})
	b.finish()
	wg.Wait()
	for _, c := range d.Communes {
		if c.Kind == KindDeleguee || c.Kind == KindAssociee {
			m.communes = append(m.communes, c)
		}
	}
	m.packStrings()
	return m
}

type builder struct {
	m   *Matcher
	buf []byte
	// The entries of a key, chained: first[key], then next[entry] until -1. A
	// key has a handful of places, so a (name, place) pair is found by walking
	// its chain rather than in a map.
	first, next []int32
	pcPairs     []uint64 // postcode<<32|entry
	// keyID maps a key to its index in keys while they are found; the matcher
	// keeps a keyTable of them.
	keyID map[string]int32
	// formerID maps a code to its index in formers.
	formerID map[string]int32
}

func (b *builder) places(d *Data) {
	m := b.m
	var all strings.Builder
	texts := map[string]text{}
	add := func(s string) text {
		t, ok := texts[s]
		if !ok {
			t = text{uint32(all.Len()), uint32(all.Len() + len(s))}
			all.WriteString(s)
			texts[s] = t
		}
		return t
	}
	for _, c := range d.Communes {
		if c.Kind != KindCommune && c.Kind != KindArrondissement {
			continue
		}
		if _, dup := m.byCode.get(c.Code); dup || !m.byCode.set(c.Code, int32(len(m.places))) {
			continue
		}
		m.places = append(m.places, place{code: add(c.Code), name: add(c.Name), dep: add(c.Departement), parent: -1,
			population: c.Population, lat: c.Lat, lon: c.Lon})
	}
	m.text = all.String()
	var children []uint64 // parent<<32|arrondissement
	for _, c := range d.Communes {
		if c.Kind != KindArrondissement {
			continue
		}
		id, _ := m.byCode.get(c.Code)
		if parent, ok := m.byCode.get(c.Parent); ok && parent != id {
			m.places[id].parent = parent
			children = append(children, uint64(parent)<<32|uint64(id))
		}
	}
	m.children = newLists(children, len(m.places))
	for _, c := range d.Communes {
		if c.Kind != KindDeleguee && c.Kind != KindAssociee {
			continue
		}
		if _, isPlace := m.byCode.get(c.Code); isPlace {
			continue
		}
		if p, ok := m.byCode.get(c.Parent); ok {
			m.addAlias(c.Code, p)
		}
	}
	for _, f := range d.Former {
		if _, isPlace := m.byCode.get(f.Code); isPlace {
			continue
		}
		if _, known := m.aliases.get(f.Code); known {
			continue
		}
		if p, ok := m.placeOf(f.Current); ok {
			m.addAlias(f.Code, p)
		}
	}
}

// placeOf finds the place of a current, déléguée or former commune code.
func (m *Matcher) placeOf(code string) (int32, bool) {
	if p, ok := m.byCode.get(code); ok {
		return p, true
	}
	if a, ok := m.aliases.get(code); ok {
		return m.aliasList[a].place, true
	}
	return -1, false
}

func (m *Matcher) addAlias(code string, p int32) {
	if m.aliases.set(code, int32(len(m.aliasList))) {
		m.aliasList = append(m.aliasList, alias{place: p, former: code})
	}
}

func (b *builder) names(d *Data) {
	m := b.m
	for i, c := range d.Communes {
		p, ok := m.byCode.get(c.Code)
		if !ok || int(p) >= len(m.places) || m.str(m.places[p].code) != c.Code || (c.Kind != KindCommune && c.Kind != KindArrondissement) {
			continue
		}
		pl := &m.places[p]
		e := b.add(m.str(pl.name), p, viaName, "", true)
		if e >= 0 {
			pl.key = m.entries[e].key
		}
		if len(m.children.of(p)) == 0 {
			for _, pc := range d.Communes[i].Postcodes {
				b.withPostcode(e, pc)
			}
		}
	}
	// La Poste lines repeat a commune's name on each of its lines, and their
	// libellé is most often the name: each distinct spelling is normalised once.
	lastName, lastLabel := "", ""
	lastPlace, nameEntry, labelEntry := int32(-1), int32(-1), int32(-1)
	for _, l := range d.Postal {
		p, ok := m.placeOf(l.Code)
		if !ok || len(l.Postcode) != 5 {
			continue
		}
		pl := &m.places[p]
		if p != lastPlace || l.Name != lastName {
			nameEntry = b.add(l.Name, p, viaPostal, "", true)
		}
		if p != lastPlace || l.Label != lastLabel {
			switch {
			case l.Label == l.Name && pl.parent < 0:
				labelEntry = nameEntry
			default:
				// An arrondissement's libellé is its city ("PARIS"): with the
				// postcode it names the arrondissement, alone it names the city.
				labelEntry = b.add(l.Label, p, viaPostal, "", pl.parent < 0)
				if pl.parent >= 0 && labelEntry >= 0 && m.entries[labelEntry].key != m.places[pl.parent].key {
					m.entries[labelEntry].global = true
				}
			}
		}
		lastPlace, lastName, lastLabel = p, l.Name, l.Label
		b.withPostcode(nameEntry, l.Postcode)
		if labelEntry != nameEntry {
			b.withPostcode(labelEntry, l.Postcode)
		}
		if l.Line5 != "" {
			b.withPostcode(b.add(l.Line5, p, viaLine5, "", true), l.Postcode)
		}
	}
	// Déléguées and former communes are used with every postcode of their commune.
	places := make([]uint64, 0, len(b.pcPairs))
	for _, pair := range b.pcPairs {
		places = append(places, uint64(m.entries[uint32(pair)].place)<<32|pair>>32)
	}
	m.placePCs = newLists(places, len(m.places))
	for _, c := range d.Communes {
		if c.Kind != KindDeleguee && c.Kind != KindAssociee {
			continue
		}
		if p, ok := m.byCode.get(c.Parent); ok {
			b.withPostcodeIDs(b.add(c.Name, p, viaDeleguee, c.Code, true), m.placePCs.of(p))
		}
	}
	for _, f := range d.Former {
		if p, ok := m.placeOf(f.Current); ok {
			b.withPostcodeIDs(b.add(f.Name, p, viaFormer, f.Code, true), m.placePCs.of(p))
		}
	}
}

// add records that name leads to place and returns the entry, or -1 for an empty
// name. A (name, place) pair is one entry, with the strongest way it was found.
func (b *builder) add(name string, p int32, via uint8, former string, global bool) int32 {
	m := b.m
	b.buf = AppendNormalized(b.buf[:0], name)
	if len(b.buf) == 0 {
		return -1
	}
	if former == m.str(m.places[p].code) {
		former = "" // the chef-lieu déléguée that gave the commune its code
	}
	k, ok := b.keyID[string(b.buf)]
	if !ok {
		k = int32(len(m.keys))
		key := string(b.buf)
		m.keys = append(m.keys, key)
		b.keyID[key] = k
		b.first = append(b.first, -1)
	}
	for e := b.first[k]; e >= 0; e = b.next[e] {
		en := &m.entries[e]
		if en.place != p {
			continue
		}
		en.via = min(en.via, via)
		en.global = en.global || global
		// The commune's own name is not a former commune's, even when a
		// déléguée bears it too.
		switch {
		case primary(en.via):
			en.former = 0
		case en.former == 0:
			en.former = b.former(former)
		}
		return e
	}
	if primary(via) {
		former = ""
	}
	e := int32(len(m.entries))
	m.entries = append(m.entries, entry{key: k, place: p, via: via, global: global, former: b.former(former)})
	b.next = append(b.next, b.first[k])
	b.first[k] = e
	return e
}

// former is the index of code in formers, added when new.
func (b *builder) former(code string) int32 {
	id, ok := b.formerID[code]
	if !ok {
		id = int32(len(b.m.formers))
		b.m.formers = append(b.m.formers, code)
		b.formerID[code] = id
	}
	return id
}

func (b *builder) withPostcode(e int32, pc string) {
	if e < 0 || len(pc) != 5 {
		return
	}
	m := b.m
	id, ok := m.pcID.get(pc)
	if !ok {
		id = int32(len(m.postcodes))
		if !m.pcID.set(pc, id) {
			return
		}
		m.postcodes = append(m.postcodes, pc)
	}
	b.pcPairs = append(b.pcPairs, uint64(id)<<32|uint64(e))
}

func (b *builder) withPostcodeIDs(e int32, ids []int32) {
	if e < 0 {
		return
	}
	for _, id := range ids {
		b.pcPairs = append(b.pcPairs, uint64(id)<<32|uint64(e))
	}
}

func (b *builder) finish() {
	m := b.m
	global := make([]uint64, 0, len(m.entries))
	for i, e := range m.entries {
		if e.global {
			global = append(global, uint64(e.key)<<32|uint64(i))
		}
	}
	m.keyEntries = newLists(global, len(m.keys))
	m.pcEntries = newLists(b.pcPairs, len(m.postcodes))
	places := make([]uint64, 0, len(b.pcPairs))
	for pc := range m.postcodes {
		for _, e := range m.pcEntries.of(int32(pc)) {
			places = append(places, uint64(pc)<<32|uint64(m.entries[e].place))
		}
	}
	m.pcPlaces = newLists(places, len(m.postcodes))
}

// compactTable maps the compact form of keys (see appendCompact) to the keys
// that have stop words; a key without any is its own compact form and is found
// in the key table. Like keyTable, it holds no pointer but its list of forms.
type compactTable struct {
	forms keyTable
	keys  lists // form id -> key ids, in increasing order
}

func newCompactTable(keys []string, buf *[]byte) compactTable {
	formID := map[string]int32{}
	var forms []string
	var pairs []uint64 // form<<32|key
	for id, k := range keys {
		*buf = appendCompact((*buf)[:0], k)
		if len(*buf) == 0 || len(*buf) == len(k) {
			continue
		}
		f, ok := formID[string(*buf)]
		if !ok {
			f = int32(len(forms))
			form := string(*buf)
			forms = append(forms, form)
			formID[form] = f
		}
		pairs = append(pairs, uint64(f)<<32|uint64(id))
	}
	return compactTable{forms: newKeyTable(forms), keys: newLists(pairs, len(forms))}
}

// of returns the keys whose compact form is form.
func (c *compactTable) of(form []byte) []int32 {
	f, ok := c.forms.getBytes(form)
	if !ok {
		return nil
	}
	return c.keys.of(f)
}

// stopWords are left out of compact keys: people drop or change articles and
// prepositions ("rue Vaugirard", "Haÿ les Roses").
var stopWords = map[string]bool{"LE": true, "LA": true, "LES": true, "L": true, "D": true, "DE": true, "DU": true,
	"DES": true, "ET": true, "A": true, "AU": true, "AUX": true}

// appendCompact appends key without its stop words.
func appendCompact(dst []byte, key string) []byte {
	start := len(dst)
	for i := 0; i < len(key); {
		j := i
		for j < len(key) && key[j] != ' ' {
			j++
		}
		if w := key[i:j]; !stopWords[w] {
			if len(dst) > start {
				dst = append(dst, ' ')
			}
			dst = append(dst, w...)
		}
		i = j + 1
	}
	return dst
}

// compactKeys returns the keys whose compact form is the compact form of name,
// which it leaves in s.key.
func (m *Matcher) compactKeys(name []byte, s *scratch) (withStopWords []int32, plain int32) {
	s.key = appendCompact(s.key[:0], string(name))
	plain = -1
	if k, ok := m.keyID.getBytes(s.key); ok && string(s.key) != string(name) {
		plain = k
	}
	return m.compact.of(s.key), plain
}
