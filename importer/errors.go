package importer

import (
	"fmt"
	"strings"
)

// InputError is a problem with one value of one source file. Its message names the
// file, the line, the field and the value, in French, so that a user can open the
// file and fix it.
type InputError struct {
	File   string // path as given by the user
	Line   int    // 1-based line number; 0 when the problem is about the whole file
	Field  string // column or property name; empty when not applicable
	Value  string // the offending value, as read
	Reason string // what is wrong and, when possible, what was expected
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ", ligne %d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", champ « %s »", e.Field)
	}
	if e.Value != "" || e.Field != "" {
		fmt.Fprintf(&b, ", valeur « %s »", truncate(e.Value, 80))
	}
	b.WriteString(" : ")
	b.WriteString(e.Reason)
	return b.String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
