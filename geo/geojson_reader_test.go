package geo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// readCommuneCollection parses a GeoJSON FeatureCollection of Polygon and
// MultiPolygon features, keeping for each feature the string property named
// by one of codeKeys and its geometry.
//
// It does what orb/geojson does for these files, several times faster
// under the race detector, where encoding/json's validation and reflection
// would make loading the whole country take over a minute.
// TestCollectionReaderMatchesOrb checks the two agree.
func readCommuneCollection(data []byte, codeKeys ...string) ([]outline, error) {
	r := &jsonReader{data: data}
	var out []outline
	err := r.object(func(key string) error {
		if key != "features" {
			return r.skipValue()
		}
		return r.array(func() error {
			o, err := r.feature(codeKeys)
			out = append(out, o)
			return err
		})
	})
	if err == nil {
		r.space()
		if r.pos != len(r.data) {
			err = r.fail("trailing data")
		}
	}
	return out, err
}

// jsonReader is a minimal JSON parser over an in-memory document.
type jsonReader struct {
	data    []byte
	pos     int
	scratch []orb.Point // the ring being read
	block   []orb.Point // where rings are stored
}

func (r *jsonReader) fail(what string) error {
	return fmt.Errorf("JSON offset %d: %s", r.pos, what)
}

func (r *jsonReader) space() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (r *jsonReader) peek() byte {
	r.space()
	if r.pos == len(r.data) {
		return 0
	}
	return r.data[r.pos]
}

func (r *jsonReader) consume(c byte) error {
	if r.peek() != c {
		return r.fail(fmt.Sprintf("want %q", c))
	}
	r.pos++
	return nil
}

// object calls member for each key, with the reader on the key's value;
// member must consume the value.
func (r *jsonReader) object(member func(key string) error) error {
	if err := r.consume('{'); err != nil {
		return err
	}
	if r.peek() == '}' {
		r.pos++
		return nil
	}
	for {
		key, err := r.str()
		if err != nil {
			return err
		}
		if err := r.consume(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return nil
		default:
			return r.fail("want ',' or '}'")
		}
	}
}

// array calls element for each element; element must consume it.
func (r *jsonReader) array(element func() error) error {
	if err := r.consume('['); err != nil {
		return err
	}
	if r.peek() == ']' {
		r.pos++
		return nil
	}
	for {
		if err := element(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return nil
		default:
			return r.fail("want ',' or ']'")
		}
	}
}

func (r *jsonReader) str() (string, error) {
	if err := r.consume('"'); err != nil {
		return "", err
	}
	start := r.pos - 1
	escaped := false
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case '\\':
			escaped = true
			r.pos += 2
			continue
		case '"':
			r.pos++
			if !escaped {
				return string(r.data[start+1 : r.pos-1]), nil
			}
			s, err := strconv.Unquote(string(r.data[start:r.pos]))
			if err != nil {
				return "", r.fail("bad string escape")
			}
			return s, nil
		}
		r.pos++
	}
	return "", r.fail("unterminated string")
}

func (r *jsonReader) number() (float64, error) {
	r.space()
	start := r.pos
	// Fast path for plain decimals such as -61.053246: an integer mantissa
	// below 2^53 divided by a power of ten up to 10^22 is exact in both
	// operands, so the single division rounds exactly as ParseFloat does.
	negative := r.pos < len(r.data) && r.data[r.pos] == '-'
	if negative {
		r.pos++
	}
	var mantissa uint64
	digits, decimals := 0, 0
	dot := false
	for ; r.pos < len(r.data); r.pos++ {
		c := r.data[r.pos]
		if c >= '0' && c <= '9' {
			mantissa = mantissa*10 + uint64(c-'0')
			digits++
			if dot {
				decimals++
			}
			continue
		}
		if c == '.' && !dot {
			dot = true
			continue
		}
		break
	}
	if end := r.pos; digits > 0 && digits <= 15 && (end == len(r.data) || (r.data[end] != 'e' && r.data[end] != 'E')) {
		f := float64(mantissa) / pow10[decimals]
		if negative {
			f = -f
		}
		return f, nil
	}
	for r.pos < len(r.data) && strings.IndexByte("0123456789+-.eE", r.data[r.pos]) >= 0 {
		r.pos++
	}
	f, err := strconv.ParseFloat(string(r.data[start:r.pos]), 64)
	if err != nil {
		r.pos = start
		return 0, r.fail("bad number")
	}
	return f, nil
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

func (r *jsonReader) skipValue() error {
	switch c := r.peek(); c {
	case '{':
		return r.object(func(string) error { return r.skipValue() })
	case '[':
		return r.array(r.skipValue)
	case '"':
		_, err := r.str()
		return err
	case 't', 'f', 'n':
		for _, word := range []string{"true", "false", "null"} {
			if len(r.data)-r.pos >= len(word) && string(r.data[r.pos:r.pos+len(word)]) == word {
				r.pos += len(word)
				return nil
			}
		}
		return r.fail("bad literal")
	default:
		_, err := r.number()
		return err
	}
}

func (r *jsonReader) feature(codeKeys []string) (outline, error) {
	var o outline
	var geometryType string
	var coords any
	err := r.object(func(key string) error {
		switch key {
		case "properties":
			return r.object(func(key string) error {
				for _, want := range codeKeys {
					if key == want && r.peek() == '"' {
						var err error
						o.code, err = r.str()
						return err
					}
				}
				return r.skipValue()
			})
		case "geometry":
			return r.object(func(key string) error {
				var err error
				switch key {
				case "type":
					geometryType, err = r.str()
				case "coordinates":
					coords, err = r.coordinates()
				default:
					err = r.skipValue()
				}
				return err
			})
		}
		return r.skipValue()
	})
	if err != nil {
		return o, err
	}
	switch g := coords.(type) {
	case orb.Polygon:
		if geometryType == "Polygon" {
			o.shape = orb.MultiPolygon{g}
		}
	case orb.MultiPolygon:
		if geometryType == "MultiPolygon" {
			o.shape = g
		}
	}
	if o.shape == nil {
		return o, r.fail(fmt.Sprintf("feature %q: want Polygon or MultiPolygon coordinates, got %s", o.code, geometryType))
	}
	return o, nil
}

// coordinates reads a Polygon's or a MultiPolygon's coordinates, telling
// them apart by their nesting depth.
func (r *jsonReader) coordinates() (any, error) {
	depth := 0
	for i := r.pos; i < len(r.data) && depth < 5; i++ {
		switch r.data[i] {
		case '[':
			depth++
			continue
		case ' ', '\t', '\n', '\r':
			continue
		}
		break
	}
	switch depth {
	case 3:
		return r.polygon()
	case 4:
		var mp orb.MultiPolygon
		err := r.array(func() error {
			p, err := r.polygon()
			mp = append(mp, p)
			return err
		})
		return mp, err
	}
	return nil, r.skipValue()
}

func (r *jsonReader) polygon() (orb.Polygon, error) {
	var p orb.Polygon
	err := r.array(func() error {
		r.scratch = r.scratch[:0]
		err := r.array(func() error {
			var pt orb.Point
			n := 0
			err := r.array(func() error {
				f, err := r.number()
				if n < 2 {
					pt[n] = f
				}
				n++
				return err
			})
			if err == nil && n < 2 {
				err = r.fail("position with fewer than 2 numbers")
			}
			r.scratch = append(r.scratch, pt)
			return err
		})
		p = append(p, r.ring(r.scratch))
		return err
	})
	return p, err
}

// ring copies points into the reader's current block of vertices, so that
// a whole file takes a few large allocations rather than one per ring.
func (r *jsonReader) ring(points []orb.Point) orb.Ring {
	if cap(r.block)-len(r.block) < len(points) {
		r.block = make([]orb.Point, 0, max(len(points), 1<<16))
	}
	start := len(r.block)
	r.block = append(r.block, points...)
	return orb.Ring(r.block[start:len(r.block):len(r.block)])
}
