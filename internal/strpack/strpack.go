// Package strpack keeps the strings of a large read-only table as substrings of
// one string. A decoded table gives every string its own allocation, and the
// garbage collector marks each of them at every cycle for as long as the table
// is served; packed, they are one object, and equal strings are one copy.
package strpack

import "strings"

// Pack makes equal strings one. It is used in two passes over the same
// strings: first each is added (Of returns it unchanged), then, once Seal is
// called, Of returns it as a substring of the pack. Strings never added before
// Seal are returned unchanged.
//
// The first pass notes where each string it is given lies in the pack, so that
// a second pass over the same strings in the same order finds them without
// hashing them again; a string out of that order is looked up.
type Pack struct {
	offsets map[string]int
	buf     strings.Builder
	packed  string
	sealed  bool
	seq     []int32 // offset of each non-empty string given in the first pass
	next    int     // in seq, during the second pass
}

// New returns an empty pack sized for about n distinct strings.
func New(n int) *Pack { return &Pack{offsets: make(map[string]int, n)} }

// Seal ends the first pass.
func (p *Pack) Seal() { p.packed, p.sealed = p.buf.String(), true }

// Of adds s before Seal, and returns its copy in the pack after.
func (p *Pack) Of(s string) string {
	if s == "" {
		return s
	}
	if p.sealed && p.next < len(p.seq) {
		off := int(p.seq[p.next])
		p.next++
		if off+len(s) <= len(p.packed) && p.packed[off:off+len(s)] == s {
			return p.packed[off : off+len(s)]
		}
	}
	off, ok := p.offsets[s]
	if !p.sealed {
		if !ok {
			off = p.buf.Len()
		}
		p.seq = append(p.seq, int32(off))
	}
	switch {
	case p.sealed && ok:
		return p.packed[off : off+len(s)]
	case !p.sealed && !ok:
		p.offsets[s] = p.buf.Len()
		p.buf.WriteString(s)
	}
	return s
}

// String is Of for the string types of a domain.
func String[T ~string](p *Pack, v T) T { return T(p.Of(string(v))) }

// Strings passes every element of list through Of, in place.
func (p *Pack) Strings(list []string) {
	for i := range list {
		list[i] = p.Of(list[i])
	}
}

// Twice runs visit over the same strings twice, sealing the pack in between:
// visit must pass every string it keeps through Of and store what Of returns.
func Twice(n int, visit func(*Pack)) {
	p := New(n)
	visit(p)
	p.Seal()
	visit(p)
}
