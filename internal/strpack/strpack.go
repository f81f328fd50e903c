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
type Pack struct {
	offsets map[string]int
	buf     strings.Builder
	packed  string
	sealed  bool
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
	off, ok := p.offsets[s]
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
