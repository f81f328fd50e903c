package web

import (
	"bytes"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	ginjson "github.com/gin-gonic/gin/codec/json"
	"github.com/prometheus/client_golang/prometheus"

	"zonage/geo"
	"zonage/internal/onewrite"
	"zonage/zones"
)

// The answer to coordinates inside a commune depends only on the commune and the
// day: every point of a commune gets the same bytes. The most asked question,
// GET /api/v1/resolve?lat=&lon= with the default profile, is answered from
// those bytes, kept per dataset, per profession and per day. They are made by the handler's own
// encoder the first time a commune is asked for on a day, never written by hand,
// so that the answer cannot drift from the one every other query gets; any query
// they do not cover (an address, a profile, a profession the data lacks) takes
// the general path. A point outside every outline gets them too: within the
// coast tolerance of a commune, the commune's with its own match and message
// (resolve_fast_near.go); within seaRadiusM of one, the day's answer of such
// points with its own distance and commune; farther, the one answer of such
// points (sea.go). The default profession's answers are made in the background as
// soon as the day starts; another profession's as its communes are asked for.

// fastTable holds the ready answers of one dataset on one day.
type fastTable struct {
	day     zones.Day
	iso     string                       // day, as the ETag writes it
	entries []atomic.Pointer[fastEntry]  // by commune index in the dataset
	arena   *readyArena                  // the answers' bytes, shared with the day's other tables
	far     atomic.Pointer[farAnswer]    // the answer to every point far from every commune, once made
	near    atomic.Pointer[nearTemplate] // the answer to the points near a commune but outside every one, once made

	filled chan struct{} // closed when the background fill has ended
}

// fastEntry is the two ready answers of one commune: without options (options=0)
// and with the options of the default profile (another profession's
// installation rules). The answer without options is pieces followed by a
// closing brace; the answer with options is, usually, pieces followed by options.
type fastEntry struct {
	// options is `,"options":[…]}` (or `,"installation":{…}}`), shared with the
	// communes of the same category and scheme; nil when the answer with options
	// is not the answer without them followed by its options (candidates carry
	// their own), and then full is it.
	options []byte
	full    []byte
	counter prometheus.Counter
	// pieces is the answer without options, closing brace aside, cut where
	// communes share bytes (readyArena.cut), in the table's arena. Last: the
	// collector reads an object only up to its last pointer.
	pieces readyAnswer
}

// closingBrace ends the answer without options.
var closingBrace = []byte{'}'}

// fastQuery is what the fast path understands of a query string: lat, lon,
// options and profession, each at most once, written plainly.
type fastQuery struct {
	lat, lon    float64
	withOptions bool
	profession  zones.Profession
}

// parseFastQuery reads a query of lat, lon and optionally options and
// profession; ok is false for anything else (another parameter, an escaped
// character, a repeated or bad value, a slug not written as it is listed), which
// the general path answers, with its errors.
func parseFastQuery(raw string) (q fastQuery, ok bool) {
	if raw == "" || strings.ContainsAny(raw, "%+;") {
		return q, false
	}
	var seenLat, seenLon, seenOptions, seenProfession bool
	q.withOptions, q.profession = true, zones.DefaultProfession
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		key, value, _ := strings.Cut(pair, "=")
		var err error
		switch {
		case key == "lat" && !seenLat:
			seenLat = true
			if q.lat, err = zones.ParseCoordinate("lat", value); err != nil {
				return q, false
			}
		case key == "lon" && !seenLon:
			seenLon = true
			if q.lon, err = zones.ParseCoordinate("lon", value); err != nil {
				return q, false
			}
		case key == "options" && !seenOptions:
			seenOptions = true
			switch value {
			case "", "1", "true":
			case "0", "false":
				q.withOptions = false
			default:
				return q, false
			}
		case key == professionParam && !seenProfession:
			seenProfession = true
			if q.profession = zones.Profession(value); !q.profession.Valid() {
				return q, false
			}
		default:
			return q, false
		}
	}
	if !seenLat || !seenLon || math.IsNaN(q.lat) || q.lat < -90 || q.lat > 90 || math.IsNaN(q.lon) || q.lon < -180 || q.lon > 180 {
		return q, false
	}
	return q, true
}

// resolveFast answers a plain coordinates query and reports whether it did; when
// it did not, nothing was written and the general path answers. A point inside a
// commune gets the commune's ready answer; a point near one (within the coast
// tolerance) the commune's ready answer with its own match and message
// (writeAttachedAnswer), unless it lies abroad; a point outside every commune
// but within seaRadiusM of one the day's answer of such points with its own distance and commune
// (writeNearAnswer); a point far from every commune the ready answer of such
// points (writeFarAnswer); any other (a commune whose ready answer holds its
// options in its candidates, a name the encoder would escape) the general
// path's own steps, without re-reading the query.
func (s *Server) resolveFast(c *gin.Context) bool {
	if s.generalOnly {
		return false
	}
	q, ok := parseFastQuery(c.Request.URL.RawQuery)
	if !ok {
		return false
	}
	st := s.Current()
	r, err := professionResolver(st.Resolver, q.profession)
	if err != nil || r.Locator == nil {
		return false
	}
	t := s.fastTable(st, q.profession, r.Today())
	if t == nil {
		return false
	}
	if s.writeFarAnswer(c, st, r, t, q, false) {
		return true
	}
	at := locatePoint(r, zones.Point{q.lon, q.lat})
	if !at.inside {
		// The point's cell of the grid is classified for the points that
		// follow: a far one answers them without a search, a near one keeps
		// the few outlines their nearest search measures.
		st.farFromEveryCommune(zones.Point{q.lon, q.lat}, r.ToleranceM, true)
	}
	switch {
	case at.inside:
		var e *fastEntry
		if at.id < len(t.entries) {
			if e = t.entries[at.id].Load(); e == nil {
				e = s.buildFastEntry(st, r, t, at.id, q.lat, q.lon)
			}
		}
		if e == nil {
			break
		}
		if notModified(c, st.meta().Version, t.iso, time.Hour) {
			return true
		}
		e.counter.Inc()
		var parts [len(readyCuts) + 1][]byte
		switch {
		case !q.withOptions:
			writeParts(c, t.arena.slices(&e.pieces, parts[:0]), closingBrace)
		case e.options != nil:
			writeParts(c, t.arena.slices(&e.pieces, parts[:0]), e.options)
		default:
			writeAnswer(c, e.full)
		}
		return true
	case at.attached:
		if r.Countries != nil {
			if _, abroad := r.Countries.Country(zones.Point{q.lon, q.lat}); abroad {
				// Abroad, within the tolerance of a commune: rare enough for
				// the general path, which names the country.
				break
			}
		}
		if s.writeAttachedAnswer(c, st, r, t, q, at.id, at.distanceM) {
			return true
		}
	case at.id >= 0:
		if s.writeNearAnswer(c, st, r, t, q, at.id, at.distanceM) {
			return true
		}
	case at.seaSearched:
		// No commune within seaRadiusM: the far answer, whatever the class of
		// the point's cell.
		if !s.noFarAnswers && s.writeFarReady(c, st, r, t, q) {
			return true
		}
	default:
		if s.writeFarAnswer(c, st, r, t, q, true) {
			return true
		}
	}
	// The general path's steps, in its order.
	res, err := r.ResolvePoint(q.lat, q.lon)
	if err != nil {
		return false
	}
	if notModified(c, st.meta().Version, t.iso, time.Hour) {
		return true
	}
	s.countLookup(res)
	withCity(r.Dataset, &res)
	if q.withOptions {
		r.FillOptions(&res, zones.Profile{})
	}
	writeJSON(c, st.withNearest(res, q.lat, q.lon))
	return true
}

// pointPlace is where a point lies for the fast path: inside commune id,
// attached to it (in no outline, within the coast tolerance), outside every
// commune with id the nearest within seaRadiusM at distanceM, or (id < 0)
// with none that near; seaSearched says that seaRadiusM was searched, so that
// id < 0 means no commune within it.
type pointPlace struct {
	id               int
	inside, attached bool
	distanceM        float64
	seaSearched      bool
}

// locatePoint locates p for the fast path with one search where the general
// path makes two (the coast tolerance in ResolvePoint, then seaRadiusM in
// withNearest for a point outside every commune): a search of seaRadiusM
// finds the commune containing p, or the nearest one, and when that one is
// within the tolerance it is the one a search of the tolerance finds, at the
// same distance (nearest is nearest, ties going the same way). The distance
// is the square root of the one compared with the tolerance's square: a
// distance a hair from the tolerance is settled by a search of the tolerance
// itself. A tolerance beyond seaRadiusM is searched alone, as the general
// path does.
func locatePoint(r *zones.Resolver, p zones.Point) pointPlace {
	tol := r.ToleranceM
	if !(tol <= seaRadiusM) {
		id, inside, dist := r.Locator.Locate(p, tol)
		return pointPlace{id: id, inside: inside, attached: id >= 0 && !inside, distanceM: dist}
	}
	id, inside, dist := r.Locator.Locate(p, seaRadiusM)
	at := pointPlace{id: id, inside: inside, distanceM: dist, seaSearched: true}
	if id < 0 || inside {
		return at
	}
	const hair = 1e-9
	switch {
	case dist < tol*(1-hair):
		at.attached = true
	case dist > tol*(1+hair):
	default:
		if tid, tinside, tdist := r.Locator.Locate(p, tol); tid >= 0 {
			at.id, at.inside, at.distanceM, at.attached = tid, tinside, tdist, !tinside
		}
	}
	return at
}

// writeParts writes an answer made of parts then last, as writeAnswer writes
// a whole answer. On the fast lane, whose writer keeps the whole answer until
// the handler returns, the parts are written one after the other instead of
// being joined first: the answer's bytes are copied once, not twice.
func writeParts(c *gin.Context, parts [][]byte, last []byte) {
	if laneServed(c) {
		n := len(last)
		for _, p := range parts {
			n += len(p)
		}
		c.Writer.Header()["Content-Length"] = contentLength(n)
		c.Status(http.StatusOK)
		readyJSON(nil).WriteContentType(c.Writer)
		for _, p := range parts {
			c.Writer.Write(p)
		}
		if _, err := c.Writer.Write(last); err != nil {
			_ = c.Error(err)
			c.Abort()
		}
		return
	}
	buf := answerBuffers.Get().(*[]byte)
	b := (*buf)[:0]
	for _, p := range parts {
		b = append(b, p...)
	}
	b = append(b, last...)
	writeAnswer(c, b)
	*buf = b
	answerBuffers.Put(buf)
}

// writeAnswer writes b, a whole JSON answer, as gin's JSON renderer writes a
// value (same status, content type and bytes), with its length, and in one
// write when it does not fit net/http's buffer (onewrite.Hold). A known length
// spares the client the chunked encoding; the gzip middleware, when the client
// asks for it, drops it and compresses.
func writeAnswer(c *gin.Context, b []byte) {
	writeAnswerSized(c, b, contentLength(len(b)))
}

// writeAnswerSized is writeAnswer for an answer whose Content-Length value,
// length, is made already.
func writeAnswerSized(c *gin.Context, b []byte, length []string) {
	c.Writer.Header()["Content-Length"] = length
	if len(b) > onewrite.MinWorthHolding {
		onewrite.Hold(c.Request)
	}
	renderReady(c, b)
}

// renderReady is c.Render(http.StatusOK, readyJSON(b)) but for the interface:
// a slice put in one costs an allocation per answer.
func renderReady(c *gin.Context, b []byte) {
	c.Status(http.StatusOK)
	if err := readyJSON(b).Render(c.Writer); err != nil {
		_ = c.Error(err)
		c.Abort()
	}
}

// writeJSON writes v as gin's JSON renderer does, through writeAnswer.
func writeJSON(c *gin.Context, v any) {
	b, err := renderJSON(v)
	if err != nil {
		c.JSON(http.StatusOK, v) // gin's own handling of the encoder's error
		return
	}
	writeAnswer(c, b)
}

// readyJSON renders ready JSON bytes as gin's JSON renderer renders a value: the
// same content type and one write.
type readyJSON []byte

// jsonContentType is the content type gin's JSON renderer sets.
var jsonContentType = []string{"application/json; charset=utf-8"}

func (b readyJSON) Render(w http.ResponseWriter) error {
	b.WriteContentType(w)
	_, err := w.Write(b)
	return err
}

func (b readyJSON) WriteContentType(w http.ResponseWriter) {
	if h := w.Header(); len(h["Content-Type"]) == 0 {
		h["Content-Type"] = jsonContentType
	}
}

var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// fastSlot is where the ready answers of profession p are kept.
func (st *State) fastSlot(p zones.Profession) *atomic.Pointer[fastTable] {
	if p == zones.DefaultProfession {
		return &st.fast
	}
	// Load first: LoadOrStore would cost the new slot and the key put in an
	// interface on every query.
	slot, ok := st.fastOthers.Load(p)
	if !ok {
		slot, _ = st.fastOthers.LoadOrStore(p, new(atomic.Pointer[fastTable]))
	}
	return slot.(*atomic.Pointer[fastTable])
}

// readyArena is where the ready answers of day (as the ETag writes it) keep
// their bytes, for every profession: another profession's answers name the
// commune with the default profession's bytes.
func (st *State) readyArena(day string) *readyArena {
	for {
		a := st.fastArena.Load()
		if a != nil && a.day == day {
			return a
		}
		if st.fastArena.CompareAndSwap(a, &readyArena{day: day}) {
			continue
		}
	}
}

// fastTable returns the ready answers of profession p for day, starting an empty
// table when the day has changed; nil when the day changed again meanwhile. The
// default profession's new table is filled in the background, one commune after
// the other on one goroutine, so that the first query for each commune of the
// day does not pay for it (about a millisecond: the options assessed and
// encoded) while the other core serves. Another profession's tables are filled
// by its queries alone: few ask for it, and its answers would otherwise take
// memory for every commune of France.
func (s *Server) fastTable(st *State, p zones.Profession, day zones.Day) *fastTable {
	slot := st.fastSlot(p)
	t := slot.Load()
	if t != nil && t.day == day {
		return t
	}
	nt := &fastTable{day: day, iso: day.String(), entries: make([]atomic.Pointer[fastEntry], len(st.Resolver.Dataset.Communes)),
		filled: make(chan struct{})}
	nt.arena = st.readyArena(nt.iso)
	if slot.CompareAndSwap(t, nt) {
		s.fillsMu.Lock()
		if s.noBackgroundFill || s.stopping || p != zones.DefaultProfession {
			close(nt.filled)
		} else {
			s.fills.Add(1)
			go s.fillFastTable(st, nt)
		}
		s.fillsMu.Unlock()
	}
	if t = slot.Load(); t.day != day {
		return nil
	}
	return t
}

// stopFilling ends the background fills and waits for them: a server that has
// stopped leaves no goroutine behind.
func (s *Server) stopFilling() {
	s.fillsMu.Lock()
	s.stopping = true
	s.fillsMu.Unlock()
	s.stopFills.Store(true)
	s.fills.Wait()
}

// fillFastTable makes the ready answers of every commune from the point where
// the map writes its name, when that point resolves to the commune; it stops
// when the table is no longer the current one (a new day, a new dataset).
func (s *Server) fillFastTable(st *State, t *fastTable) {
	defer s.fills.Done()
	defer close(t.filled)
	r := st.Resolver
	for i := range t.entries {
		if st.fast.Load() != t || s.Current() != st || s.stopFills.Load() {
			return
		}
		if i >= len(st.Outlines) || t.entries[i].Load() != nil {
			continue
		}
		p := geo.LabelPoint(st.Outlines[i])
		if id, inside, _ := r.Locator.Locate(p, r.ToleranceM); id == i && inside {
			s.buildFastEntry(st, r, t, i, p[1], p[0])
		}
	}
}

// buildFastEntry makes the ready answers of commune id with the general path's
// own steps and encoder, from a query at a point inside it, and keeps them; r is
// the resolver of the table's profession.
func (s *Server) buildFastEntry(st *State, r *zones.Resolver, t *fastTable, id int, lat, lon float64) *fastEntry {
	res, err := r.ResolvePoint(lat, lon)
	if err != nil || res.Match.Method != zones.MethodInside || res.Commune == nil || res.Commune.Code != r.Dataset.Communes[id].Code {
		return nil
	}
	withCity(r.Dataset, &res)
	// The answers are rendered in buffers kept from one commune to the next:
	// their bytes are cut into the arena, interned or compared, and copied
	// only when kept. Rendered each in new memory, the day's answers cost some
	// 150 KB a commune, and the collector, under the memory limit, ran back to
	// back while they were made under load.
	scratch := renderScratches.Get().(*renderScratch)
	defer renderScratches.Put(scratch)
	lean, err := renderJSONInto(&scratch.lean, st.withNearest(res, lat, lon))
	if err != nil {
		return nil
	}
	withOptions := res
	withOptions.Candidates = append([]zones.Candidate(nil), res.Candidates...)
	r.FillOptions(&withOptions, zones.Profile{})
	full, err := renderJSONInto(&scratch.full, st.withNearest(withOptions, lat, lon))
	if err != nil {
		return nil
	}
	if r.Today() != t.day || res.Date != t.day {
		// Midnight passed while the answers were made: they may be the next day's.
		return nil
	}
	head := lean[:len(lean)-1]
	// Another profession's answer names the commune with the default
	// profession's bytes: those of its ready answer, when made, are shared.
	var like *readyAnswer
	if r.Profession() != zones.DefaultProfession {
		if def := st.fast.Load(); def != nil && def.day == t.day && def.arena == t.arena && id < len(def.entries) {
			if de := def.entries[id].Load(); de != nil {
				like = &de.pieces
			}
		}
	}
	e := &fastEntry{pieces: t.arena.cut(head, like),
		counter: s.metrics.lookups.WithLabelValues(string(res.Match.Precision), string(res.Status))}
	// The options (a kiné's) or the installation rules (another profession's) are
	// the answer's last field, the same for every commune of a category: kept
	// once per table and joined to each commune's lean answer.
	var key string
	var last any
	switch {
	case len(withOptions.Options) > 0:
		key, last = `,"options":`, withOptions.Options
	case withOptions.Installation != nil:
		key, last = `,"installation":`, withOptions.Installation
	}
	if last != nil && len(withOptions.Candidates) == 0 {
		opts, err := renderJSONInto(&scratch.opts, last)
		if err == nil {
			tail := append(append(append(scratch.tail[:0], key...), opts...), '}')
			scratch.tail = tail
			if len(head)+len(tail) == len(full) && bytes.HasPrefix(full, head) && bytes.HasSuffix(full, tail) {
				e.options = t.arena.intern(tail)
			}
		}
	}
	if e.options == nil {
		e.full = bytes.Clone(full)
	}
	t.entries[id].Store(e)
	return e
}

// renderJSON is v as gin's JSON renderer writes it in an answer.
func renderJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	b, err := renderJSONInto(&buf, v)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(b), nil // may be kept for the day: no spare capacity
}

// renderJSONInto is v as gin's JSON renderer writes it in an answer (its
// codec's Marshal, of which the codec's encoder writes the same bytes and a
// line break), rendered in buf, which it empties first: the bytes are buf's,
// good until it is written again.
func renderJSONInto(buf *bytes.Buffer, v any) ([]byte, error) {
	buf.Reset()
	if err := ginjson.API.NewEncoder(buf).Encode(v); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil // Encode ends the value with a line break
}

// renderScratch holds the buffers buildFastEntry renders a commune's answers in.
type renderScratch struct {
	lean, full, opts bytes.Buffer
	tail             []byte
}

var renderScratches = sync.Pool{New: func() any { return new(renderScratch) }}
