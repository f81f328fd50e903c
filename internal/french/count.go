// Package french writes the small parts of French messages: counts that agree
// with their noun (« 0 ligne », « 1 ligne », « 2 lignes ») and values cut for
// quoting.
package french

import "strconv"

// Count writes n followed by the noun phrase that agrees with it: French takes
// the singular below two (« 0 ligne », « 1 ligne ») and the plural from two on.
func Count(n int64, singular, plural string) string {
	if n < 2 {
		return strconv.FormatInt(n, 10) + " " + singular
	}
	return strconv.FormatInt(n, 10) + " " + plural
}
