package importer

import (
	"fmt"
	"strings"
	"time"
)

// validCommuneCode reports whether s looks like an INSEE commune code: five
// characters, digits except 2A/2B for Corsica.
func validCommuneCode(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < 5; i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if i == 1 && s[0] == '2' && (c == 'A' || c == 'B') {
			continue
		}
		return false
	}
	return true
}

// normCommuneCode restores the leading zero spreadsheets drop ("1001" → "01001")
// and upper-cases Corsican codes.
func normCommuneCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) == 4 && validCommuneCode("0"+s) {
		return "0" + s
	}
	return s
}

// parseDate reads JJ/MM/AAAA or AAAA-MM-JJ and returns the ISO date.
func parseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"02/01/2006", "2006-01-02", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	return "", fmt.Errorf("date invalide (attendu JJ/MM/AAAA ou AAAA-MM-JJ)")
}
