package web

import (
	"bytes"
	"sync"
)

// Most of a commune's ready answer is the same as its neighbours': the date and
// status, the category and its scheme, the region's arrêté date and revision,
// the bassin de vie, the provenance. Only the commune, the zonage code and name
// and the message are its own. Kept whole, the answers of every commune weigh
// some 60 MB; cut at those fields, with the shared pieces kept once per table,
// a third of that.

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
var readyCuts = []readyCut{
	{`"commune":`, false},      // the commune
	{`,"zonage":`, true},       // category, official code, scheme
	{`,"zonage_code":`, false}, // the code and name the zonage was published for
	{`,"region":`, true},       // the region, its arrêté dates and revision, the bassin de vie, the source, the match
	{`,"message":`, false},     // the message
	{`,"provenance":`, true},   // the provenance
}

// readyPieces keeps the shared pieces of one table's answers, each once.
type readyPieces struct {
	mu     sync.Mutex
	shared map[string][]byte
}

// intern returns the kept copy of b, keeping b when it is the first.
func (p *readyPieces) intern(b []byte) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if kept, ok := p.shared[string(b)]; ok {
		return kept
	}
	if p.shared == nil {
		p.shared = map[string][]byte{}
	}
	b = bytes.Clone(b)
	p.shared[string(b)] = b
	return b
}

// cut returns answer in pieces whose concatenation is answer, byte for byte:
// each cut is searched after the previous one, and a cut the answer does not
// have (no zonage, no bassin de vie) is passed over. The shared pieces are the
// kept copies; the commune's own are those of like (the same commune's pieces
// in another table) when they are the same bytes, else copied out of answer
// into one array. Another profession's answer names the commune as the
// default profession's does: with like, the five professions keep the commune
// part, some 300 bytes of each commune, once.
func (p *readyPieces) cut(answer []byte, like [][]byte) [][]byte {
	type span struct {
		from, to int
		shared   bool
	}
	spans := make([]span, 0, len(readyCuts)+1)
	from, shared := 0, true
	for _, c := range readyCuts {
		i := bytes.Index(answer[from:], []byte(c.at))
		if i <= 0 {
			continue
		}
		spans = append(spans, span{from, from + i, shared})
		from, shared = from+i, c.shared
	}
	spans = append(spans, span{from, len(answer), shared})
	pieces := make([][]byte, len(spans))
	own := 0
	for i, s := range spans {
		if s.shared {
			continue
		}
		for _, l := range like {
			if bytes.Equal(l, answer[s.from:s.to]) {
				pieces[i] = l
				break
			}
		}
		if pieces[i] == nil {
			own += s.to - s.from
		}
	}
	ownBytes := make([]byte, 0, own)
	for i, s := range spans {
		if s.shared {
			pieces[i] = p.intern(answer[s.from:s.to])
			continue
		}
		if pieces[i] != nil {
			continue
		}
		start := len(ownBytes)
		ownBytes = append(ownBytes, answer[s.from:s.to]...)
		pieces[i] = ownBytes[start:len(ownBytes):len(ownBytes)]
	}
	return pieces
}
