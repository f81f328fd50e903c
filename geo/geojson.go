package geo

import (
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// AppendFeature appends a GeoJSON Feature with a string id, the given string
// properties (an empty value is written as null, so that every feature carries
// every key and GIS clients see one fixed schema) and mp as its MultiPolygon
// geometry, or a null geometry when mp is empty. keys and values pair by index.
//
// It writes coordinates with strconv rather than through encoding/json: all of
// France is 2.6 million points, and the reflection-based encoder is several times
// slower on nested float slices.
func AppendFeature(b []byte, id string, keys, values []string, mp orb.MultiPolygon) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = AppendJSONString(b, id)
	b = append(b, `,"geometry":`...)
	if len(mp) == 0 {
		b = append(b, "null"...)
	} else {
		b = AppendMultiPolygon(b, mp)
	}
	b = append(b, `,"properties":{`...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSONString(b, k)
		b = append(b, ':')
		if values[i] == "" {
			b = append(b, "null"...)
		} else {
			b = AppendJSONString(b, values[i])
		}
	}
	return append(b, "}}"...)
}

// AppendMultiPolygon appends mp as a GeoJSON MultiPolygon geometry object in
// lon/lat order, each coordinate in its shortest exact decimal form.
func AppendMultiPolygon(b []byte, mp orb.MultiPolygon) []byte {
	b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
	for pi, p := range mp {
		if pi > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for ri, r := range p {
			if ri > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for k, pt := range r {
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				b = strconv.AppendFloat(b, pt[0], 'f', -1, 64)
				b = append(b, ',')
				b = strconv.AppendFloat(b, pt[1], 'f', -1, 64)
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	return append(b, "]}"...)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string: quotes, backslashes and control
// characters escaped, other characters (accents included) as UTF-8, invalid
// UTF-8 replaced by U+FFFD.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
