package address

import "zonage/internal/strpack"

// packStrings moves the strings the matcher keeps into one pack (see strpack):
// the names, codes and keys of France's communes, lieux-dits and streets are
// some 100,000 small strings, decoded one by one, which the garbage collector
// would otherwise mark at every cycle for as long as the server runs.
func (m *Matcher) packStrings() {
	strpack.Twice(len(m.keys)+len(m.places), func(p *strpack.Pack) {
		for i := range m.aliasList {
			m.aliasList[i].former = p.Of(m.aliasList[i].former)
		}
		p.Strings(m.formers)
		p.Strings(m.postcodes)
		for i := range m.communes {
			c := &m.communes[i]
			c.Code, c.Name, c.Kind, c.Parent, c.Departement = p.Of(c.Code), p.Of(c.Name), strpack.String(p, c.Kind), p.Of(c.Parent), p.Of(c.Departement)
		}
		p.Strings(m.keys) // and with them the key table's
		p.Strings(m.compact.forms.keys)
		ix := &m.streets
		for i := range ix.streets {
			st := &ix.streets[i]
			st.name, st.postcode = p.Of(st.name), p.Of(st.postcode)
		}
		p.Strings(ix.suffixes)
		p.Strings(ix.keys)
		p.Strings(ix.compact.forms.keys)
	})
}
