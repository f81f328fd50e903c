// Package sheetcode reads the codes a spreadsheet stored as numbers and wrote
// back as numbers: a postcode or an INSEE code with a zero decimal part.
package sheetcode

import "strings"

// WithoutZeroFraction is code without the zero decimal part a spreadsheet gave
// it ("75006.0", "1300,00" → "75006", "1300"): four or five digits, a point or
// a comma, then only zeros. Anything else is returned as it is.
func WithoutZeroFraction(code string) string {
	i := strings.IndexAny(code, ".,")
	if i < 4 || i > 5 || i == len(code)-1 || strings.Trim(code[i+1:], "0") != "" {
		return code
	}
	for _, c := range code[:i] {
		if c < '0' || c > '9' {
			return code
		}
	}
	return code[:i]
}
