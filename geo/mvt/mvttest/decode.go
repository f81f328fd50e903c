// Package mvttest decodes the vector tiles package mvt writes, for tests: a
// decoder of that subset, independent of the encoder, so that a test reads
// back what a tile holds rather than trusting the code that wrote it.
package mvttest

import (
	"encoding/binary"
	"testing"
)

// Feature is a decoded feature: its type (mvt.Point, mvt.LineString,
// mvt.Polygon), its tag's value and its parts in tile units.
type Feature struct {
	Type  int
	Value string
	Parts [][][2]int
}

// Decode reads the layers of a tile, by name, and their extents.
func Decode(t testing.TB, b []byte) (layers map[string][]Feature, extents map[string]int) {
	t.Helper()
	layers = map[string][]Feature{}
	extents = map[string]int{}
	for _, f := range fields(t, b) {
		if f.num != 3 {
			t.Fatalf("tile field %d", f.num)
		}
		var name string
		var feats [][]byte
		var values []string
		for _, lf := range fields(t, f.data) {
			switch lf.num {
			case 1:
				name = string(lf.data)
			case 2:
				feats = append(feats, lf.data)
			case 4:
				for _, vf := range fields(t, lf.data) {
					values = append(values, string(vf.data))
				}
			case 5:
				extents[name] = int(lf.v)
			}
		}
		for _, fb := range feats {
			layers[name] = append(layers[name], feature(t, fb, values))
		}
	}
	return layers, extents
}

func feature(t testing.TB, b []byte, values []string) Feature {
	t.Helper()
	var mf Feature
	var geom []uint32
	for _, ff := range fields(t, b) {
		switch ff.num {
		case 2:
			tags := packed(ff.data)
			mf.Value = values[tags[1]]
		case 3:
			mf.Type = int(ff.v)
		case 4:
			geom = packed(ff.data)
		}
	}
	var cur [2]int
	for i := 0; i < len(geom); {
		id, n := geom[i]&7, int(geom[i]>>3)
		i++
		switch id {
		case 1: // MoveTo
			mf.Parts = append(mf.Parts, nil)
			fallthrough
		case 2: // LineTo
			for k := 0; k < n; k++ {
				cur[0] += int(int32(geom[i]>>1) ^ -int32(geom[i]&1))
				cur[1] += int(int32(geom[i+1]>>1) ^ -int32(geom[i+1]&1))
				mf.Parts[len(mf.Parts)-1] = append(mf.Parts[len(mf.Parts)-1], cur)
				i += 2
			}
		case 7: // ClosePath
		default:
			t.Fatalf("command %d", id)
		}
	}
	return mf
}

// SignedArea is twice the signed area of a decoded ring, positive when it turns
// clockwise on screen (y downwards), as exterior rings must.
func SignedArea(r [][2]int) int {
	a := 0
	for i := range r {
		j := (i + 1) % len(r)
		a += r[i][0]*r[j][1] - r[j][0]*r[i][1]
	}
	return a
}

type field struct {
	num  int
	v    uint64
	data []byte
}

func fields(t testing.TB, b []byte) []field {
	t.Helper()
	var out []field
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		b = b[n:]
		f := field{num: int(key >> 3)}
		switch key & 7 {
		case 0:
			f.v, n = binary.Uvarint(b)
			b = b[n:]
		case 2:
			l, n := binary.Uvarint(b)
			f.data, b = b[n:n+int(l)], b[n+int(l):]
		default:
			t.Fatalf("wire type %d", key&7)
		}
		out = append(out, f)
	}
	return out
}

func packed(b []byte) []uint32 {
	var out []uint32
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		out = append(out, uint32(v))
		b = b[n:]
	}
	return out
}
