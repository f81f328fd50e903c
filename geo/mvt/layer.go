package mvt

// Layer collects the features of one layer; each feature has at most one tag,
// named by the layer's key, whose values are interned.
type Layer struct {
	name     string
	key      string
	extent   int
	features [][]byte
	values   []string
	valueIdx map[string]int
}

// NewLayer is an empty layer named name, whose features' tag is key, in a tile
// whose side is extent units.
func NewLayer(name, key string, extent int) *Layer {
	return &Layer{name: name, key: key, extent: extent, valueIdx: map[string]int{}}
}

// Add appends a feature of type typ (Point, LineString or Polygon) with the
// geometry g, tagged value unless value is empty.
func (l *Layer) Add(typ int, g *Geometry, value string) {
	// The tag, the type and the geometry: at most 5 bytes a command or
	// parameter, most of them 1 or 2.
	f := make([]byte, 0, 16+2*len(g.cmds))
	if value != "" {
		vi, ok := l.valueIdx[value]
		if !ok {
			vi = len(l.values)
			l.values = append(l.values, value)
			l.valueIdx[value] = vi
		}
		f = appendPacked(f, 2, []uint32{0, uint32(vi)})
	}
	f = appendKey(f, 3, 0)
	f = appendVarint(f, uint64(typ))
	f = appendPacked(f, 4, g.cmds)
	l.features = append(l.features, f)
}

// AppendTo writes the layer as field 3 of a Tile message at the end of tile; an
// empty layer is left out.
func (l *Layer) AppendTo(tile []byte) []byte {
	if len(l.features) == 0 {
		return tile
	}
	var b []byte
	b = appendKey(b, 15, 0)
	b = appendVarint(b, 2)
	b = appendBytes(b, 1, []byte(l.name))
	for _, f := range l.features {
		b = appendBytes(b, 2, f)
	}
	if len(l.values) > 0 {
		b = appendBytes(b, 3, []byte(l.key))
	}
	for _, v := range l.values {
		b = appendBytes(b, 4, appendBytes(nil, 1, []byte(v)))
	}
	b = appendKey(b, 5, 0)
	b = appendVarint(b, uint64(l.extent))
	return appendBytes(tile, 3, b)
}

func appendKey(b []byte, field, wire int) []byte { return appendVarint(b, uint64(field<<3|wire)) }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendBytes(b []byte, field int, v []byte) []byte {
	b = appendKey(b, field, 2)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendPacked writes vs as a packed repeated field, its length first, with no
// buffer of its own.
func appendPacked(b []byte, field int, vs []uint32) []byte {
	n := 0
	for _, v := range vs {
		n += varintLen(uint64(v))
	}
	b = appendKey(b, field, 2)
	b = appendVarint(b, uint64(n))
	for _, v := range vs {
		b = appendVarint(b, uint64(v))
	}
	return b
}

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
