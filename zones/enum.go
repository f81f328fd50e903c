package zones

import (
	"slices"
	"strings"
)

// enum is the table of one closed set of codes, each with its French label, in
// display order. Every set of codes of the package is declared as one, so that
// checking a code, naming it, reading it from a user and listing the codes an error
// expects are written once for all of them.
type enum[T ~string] struct {
	// field names the value in a user's error ("statut"); unknown says, with its
	// gender, that a code is not one of them ("statut inconnu"), in a data error.
	field, unknown string
	entries        []enumEntry[T]
}

type enumEntry[T ~string] struct {
	code  T
	label string
}

// codeSet is an enum whose codes need no label of their own: the rules file words them.
func codeSet[T ~string](field, unknown string, codes ...T) enum[T] {
	e := enum[T]{field: field, unknown: unknown}
	for _, c := range codes {
		e.entries = append(e.entries, enumEntry[T]{code: c, label: string(c)})
	}
	return e
}

// codes lists the codes in display order.
func (e enum[T]) codes() []T {
	out := make([]T, len(e.entries))
	for i, x := range e.entries {
		out[i] = x.code
	}
	return out
}

func (e enum[T]) index(v T) int {
	return slices.IndexFunc(e.entries, func(x enumEntry[T]) bool { return x.code == v })
}

func (e enum[T]) valid(v T) bool { return e.index(v) >= 0 }

// label is the French name of v, or v itself when it is not a known code.
func (e enum[T]) label(v T) string {
	if i := e.index(v); i >= 0 {
		return e.entries[i].label
	}
	return string(v)
}

// rank orders a table written from the most open code down: the last code ranks 0,
// and so does an unknown one, so that combining two keeps the narrower.
func (e enum[T]) rank(v T) int {
	if i := e.index(v); i >= 0 {
		return len(e.entries) - 1 - i
	}
	return 0
}

// expected is the list of codes an error asks for: "a, b ou c".
func (e enum[T]) expected() string {
	codes := e.codes()
	if len(codes) < 2 {
		return joinCodes(codes)
	}
	return joinCodes(codes[:len(codes)-1]) + " ou " + string(codes[len(codes)-1])
}

// parse reads a code as a user typed it: trimmed, lowered, then folded by fold
// (accents a user may or may not type) when fold is not nil.
func (e enum[T]) parse(raw string, fold *strings.Replacer) (T, error) {
	v := strings.ToLower(strings.TrimSpace(raw))
	if fold != nil {
		v = fold.Replace(v)
	}
	if c := T(v); e.valid(c) {
		return c, nil
	}
	return "", &InputError{Field: e.field, Value: raw, Reason: "attendu " + joinCodes(e.codes())}
}

func joinCodes[T ~string](codes []T) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func hasItem[T comparable](list []T, v T) bool { return slices.Contains(list, v) }

func anyIn[T comparable](a, b []T) bool {
	return slices.ContainsFunc(a, func(x T) bool { return slices.Contains(b, x) })
}
