package web

import (
	"bytes"
	"sync"
	"sync/atomic"
)

// Most of a commune's ready answer is the same as its neighbours': the date and
// status, the category and its scheme, the region's arrêté date and revision,
// the bassin de vie, the provenance. Only the commune, the zonage code and name
// and the message are its own. Kept whole, the answers of every commune weigh
// some 60 MB; cut at those fields, with the shared pieces kept once per table,
// a third of that.
//
// The bytes are kept in large chunks, one set per day shared by the tables of
// every profession, and an answer names its pieces by chunk and offsets: the
// answers of every commune are then objects without pointers, which the
// collector marks without reading them, where slices of slices made it follow
// seven pointers for each answer of each profession at every collection.

// readyCut is a field of an answer where a piece starts, and whether that piece
// is likely the same for many communes (then it is kept once).
type readyCut struct {
	at     string
	shared bool
}

// readyCuts are the fields of a resolution's JSON where its pieces start, in the
// order the encoder writes them. The piece before the first cut (status and
// date) is shared. The region's piece runs on to the message: the communes of
// one bassin de vie in one region share it whole, a few thousand pieces a table,
// where cutting it at the bassin de vie and the source would cost two more
// slices in each of the 35,000 answers of each profession.
var readyCuts = [...]readyCut{
	{`"commune":`, false},      // the commune
	{`,"zonage":`, true},       // category, official code, scheme
	{`,"zonage_code":`, false}, // the code and name the zonage was published for
	{`,"region":`, true},       // the region, its arrêté dates and revision, the bassin de vie, the source, the match
	{`,"message":`, false},     // the message
	{`,"provenance":`, true},   // the provenance
}

// readySpan names bytes kept in a readyArena: a chunk, and the offsets of the
// first byte and past the last.
type readySpan struct{ chunk, from, to uint32 }

// readyAnswer is an answer's pieces, in order.
type readyAnswer struct {
	n      uint8
	pieces [len(readyCuts) + 1]readySpan
}

// readyChunkBytes is the size of a readyArena's chunks (a piece larger than
// that gets a chunk of its own).
const readyChunkBytes = 256 << 10

// readyArena keeps the pieces of one day's ready answers. Bytes are only ever
// appended, under mu, past those already named: the answers read them without
// a lock, through the list of chunks, which is replaced (never written into)
// when a chunk is added.
type readyArena struct {
	day    string // the day of the answers, as the ETag writes it
	chunks atomic.Pointer[[][]byte]

	mu     sync.Mutex
	used   int                  // bytes written into the last chunk
	shared map[string]readySpan // the pieces many answers share, each kept once
}

// keep copies b into the arena; a.mu is held.
func (a *readyArena) keep(b []byte) readySpan {
	var chunks [][]byte
	if p := a.chunks.Load(); p != nil {
		chunks = *p
	}
	if len(chunks) == 0 || len(chunks[len(chunks)-1])-a.used < len(b) {
		next := make([][]byte, len(chunks)+1)
		copy(next, chunks)
		next[len(chunks)] = make([]byte, max(readyChunkBytes, len(b)))
		a.chunks.Store(&next)
		chunks, a.used = next, 0
	}
	last := len(chunks) - 1
	copy(chunks[last][a.used:], b)
	s := readySpan{uint32(last), uint32(a.used), uint32(a.used + len(b))}
	a.used += len(b)
	return s
}

// bytes are the bytes s names, which must not be written into.
func (a *readyArena) bytes(s readySpan) []byte {
	return (*a.chunks.Load())[s.chunk][s.from:s.to:s.to]
}

// slices appends the pieces of r to dst, in order.
func (a *readyArena) slices(r *readyAnswer, dst [][]byte) [][]byte {
	chunks := *a.chunks.Load()
	for _, s := range r.pieces[:r.n] {
		dst = append(dst, chunks[s.chunk][s.from:s.to:s.to])
	}
	return dst
}

// intern returns the kept copy of b, keeping b when it is the first.
func (a *readyArena) intern(b []byte) []byte {
	a.mu.Lock()
	s := a.internLocked(b)
	a.mu.Unlock()
	return a.bytes(s)
}

func (a *readyArena) internLocked(b []byte) readySpan {
	if kept, ok := a.shared[string(b)]; ok {
		return kept
	}
	if a.shared == nil {
		a.shared = map[string]readySpan{}
	}
	s := a.keep(b)
	a.shared[string(b)] = s
	return s
}

// cut returns answer in pieces whose concatenation is answer, byte for byte:
// each cut is searched after the previous one, and a cut the answer does not
// have (no zonage, no bassin de vie) is passed over. The shared pieces are the
// kept copies; the commune's own are those of like (the same commune's answer
// for another profession, kept in this arena) when they are the same bytes,
// else copied. Another profession's answer names the commune as the default
// profession's does: with like, the five professions keep the commune part,
// some 300 bytes of each commune, once.
func (a *readyArena) cut(answer []byte, like *readyAnswer) readyAnswer {
	var r readyAnswer
	type span struct {
		from, to int
		shared   bool
	}
	var spans [len(readyCuts) + 1]span
	n := 0
	from, shared := 0, true
	for _, c := range readyCuts {
		i := bytes.Index(answer[from:], []byte(c.at))
		if i <= 0 {
			continue
		}
		spans[n] = span{from, from + i, shared}
		n++
		from, shared = from+i, c.shared
	}
	spans[n] = span{from, len(answer), shared}
	n++
	a.mu.Lock()
	defer a.mu.Unlock()
	var likeChunks [][]byte
	if like != nil {
		likeChunks = *a.chunks.Load()
	}
	for i, s := range spans[:n] {
		piece := answer[s.from:s.to]
		if s.shared {
			r.pieces[i] = a.internLocked(piece)
			continue
		}
		found := false
		if like != nil {
			for _, l := range like.pieces[:like.n] {
				if bytes.Equal(likeChunks[l.chunk][l.from:l.to], piece) {
					r.pieces[i], found = l, true
					break
				}
			}
		}
		if !found {
			r.pieces[i] = a.keep(piece)
		}
	}
	r.n = uint8(n)
	return r
}
