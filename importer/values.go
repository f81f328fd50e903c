package importer

import (
	"fmt"
	"strings"
	"time"
)

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
