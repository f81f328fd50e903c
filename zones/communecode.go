package zones

import (
	"strings"

	"zonage/internal/sheetcode"
)

// ValidCommuneCode reports whether code is shaped like an INSEE commune code: five
// digits, or 2A/2B and three digits for Corsica. It says nothing of whether the
// commune exists.
func ValidCommuneCode(code string) bool {
	if len(code) != 5 {
		return false
	}
	head := code[:2]
	if head != "2A" && head != "2B" && !isDigits(head) {
		return false
	}
	return isDigits(code[2:])
}

// NormalizeCommuneCode trims and upper-cases a code as users and spreadsheets write
// it, drops the zero fraction of a code a spreadsheet stored as a number and wrote
// back as one ("75106.0", "1001,0"), and restores the leading zero a spreadsheet
// drops ("1001" → "01001").
func NormalizeCommuneCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = sheetcode.WithoutZeroFraction(s)
	if len(s) == 4 && isDigits(s) {
		return "0" + s
	}
	return s
}
