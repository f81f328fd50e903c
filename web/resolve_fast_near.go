package web

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"zonage/geo"
	"zonage/zones"
)

// A point in no outline but within the coast tolerance of a commune is
// answered as the commune is, but for two fields: its match says « proximite »
// and the distance, and its message starts with a note saying so
// (zones.AppendNearestNote). Its answer is the commune's ready answer with
// those two fields written in, in a buffer reused from one answer to the next:
// no search but the one that located the point, no encoding, no allocation.
// The other fields were made by the general path's encoder; the two written
// here are its bytes too: the number as encoding/json writes a float
// (appendJSONFloat), the message only when encoding/json would write it as it
// is (jsonVerbatim), and the general path's answer otherwise.

// The fields of a match as the encoder writes them, taken from it.
var (
	// matchInside is the match of every ready answer: a point inside the commune.
	matchInside = `,"match":` + mustJSON(zones.Match{Method: zones.MethodInside, Precision: zones.PrecisionCoordinates})
	// matchNearestOpen is the match of a point attached to the nearest
	// commune, before its distance and closing brace.
	matchNearestOpen = strings.TrimSuffix(`,"match":`+mustJSON(zones.Match{Method: zones.MethodNearest, Precision: zones.PrecisionCoordinates}), "}")
	// distanceField is the distance's key, written when it is not zero (omitempty).
	distanceField = distanceKey()
)

// messageOpen starts the piece of a ready answer that holds its message
// (readyCuts), up to the message's first byte.
const messageOpen = `,"message":"`

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// distanceKey is what the encoder writes between a match's precision and its
// distance.
func distanceKey() string {
	open := mustJSON(zones.Match{Method: zones.MethodNearest, Precision: zones.PrecisionCoordinates})
	with := mustJSON(zones.Match{Method: zones.MethodNearest, Precision: zones.PrecisionCoordinates, DistanceM: 1})
	key, ok := bytes.CutPrefix([]byte(with), []byte(open[:len(open)-1]))
	if !ok || !bytes.HasSuffix(key, []byte("1}")) {
		panic("web: a match's distance is not written after its precision: " + with)
	}
	return string(key[:len(key)-2])
}

// writeAttachedAnswer writes the answer of table t to a point attached to
// commune id at distanceM metres (within the coast tolerance, in no outline)
// and reports whether it did; nothing is written when it did not.
func (s *Server) writeAttachedAnswer(c *gin.Context, st *State, r *zones.Resolver, t *fastTable, q fastQuery, id int, distanceM float64) bool {
	e := s.readyEntry(st, r, t, id)
	if e == nil || (q.withOptions && e.options == nil) {
		// Without the commune's ready answer, or with options its candidates
		// hold, the general path answers.
		return false
	}
	var parts [len(readyCuts) + 1][]byte
	buf := answerBuffers.Get().(*[]byte)
	defer answerBuffers.Put(buf)
	b, ok := appendAttached((*buf)[:0], t.arena.slices(&e.pieces, parts[:0]), distanceM)
	if !ok {
		return false
	}
	if q.withOptions {
		b = append(b, e.options...)
	} else {
		b = append(b, closingBrace...)
	}
	*buf = b
	if notModified(c, st.meta().Version, t.iso, time.Hour) {
		return true
	}
	e.counter.Inc()
	writeAnswer(c, b)
	return true
}

// readyEntry is the ready answer of commune id in table t, made from the point
// where the map writes its name when it is not yet (as the background fill
// makes it); nil when that point does not resolve to the commune.
func (s *Server) readyEntry(st *State, r *zones.Resolver, t *fastTable, id int) *fastEntry {
	if id < 0 || id >= len(t.entries) {
		return nil
	}
	if e := t.entries[id].Load(); e != nil {
		return e
	}
	if id >= len(st.Outlines) {
		return nil
	}
	p := geo.LabelPoint(st.Outlines[id])
	if lid, inside, _ := r.Locator.Locate(p, r.ToleranceM); lid != id || !inside {
		return nil
	}
	return s.buildFastEntry(st, r, t, id, p[1], p[0])
}

// appendAttached appends to b the pieces of a commune's ready answer without
// its closing brace, the match and message made those of a point attached to
// the commune at distanceM metres, as ResolvePoint makes them; ok is false
// when the pieces are not cut as readyCuts says or the note would be escaped.
func appendAttached(b []byte, pieces [][]byte, distanceM float64) (_ []byte, ok bool) {
	for _, p := range pieces {
		rest, isMessage := bytes.CutPrefix(p, []byte(messageOpen))
		if !isMessage || ok {
			b = append(b, p...)
			continue
		}
		if !bytes.HasSuffix(b, []byte(matchInside)) {
			return b, false
		}
		b = append(b[:len(b)-len(matchInside)], matchNearestOpen...)
		if d := math.Round(distanceM); d != 0 {
			b = appendJSONFloat(append(b, distanceField...), d)
		}
		b = append(append(b, '}'), messageOpen...)
		note := len(b)
		b = zones.AppendNearestNote(b, distanceM)
		if !jsonVerbatim(b[note:]) {
			return b, false
		}
		b = append(b, rest...)
		ok = true
	}
	return b, ok
}

// appendJSONFloat appends f as encoding/json writes a float64: the shortest
// decimal that reads back as f, in exponent form below 1e-6 and from 1e21,
// its exponent without a leading zero.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// jsonVerbatim reports whether encoding/json writes s, between its quotes, as
// s itself: valid UTF-8 without control characters, quotes, backslashes, the
// characters it escapes for HTML (<, >, &) nor U+2028 and U+2029.
func jsonVerbatim(s []byte) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}
