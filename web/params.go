package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

// multiValued are the parameters that may be given more than once (the api-adresse
// "columns", one per address column); any other given twice is refused rather
// than one of its values silently chosen.
var multiValued = map[string]bool{"columns": true}

// checkParams refuses query parameters the route does not know: a typo such as
// "latitude=" for "lat=" must not silently answer something else.
func checkParams(c *gin.Context, known ...string) bool {
	return checkValues(c, c.Request.URL.Query(), known)
}

// checkValues refuses unknown and repeated parameters among values.
func checkValues(c *gin.Context, values url.Values, known []string) bool {
	allowed := map[string]bool{}
	for _, k := range known {
		allowed[k] = true
	}
	var unknown, repeated []string
	for k, v := range values {
		switch {
		case !allowed[k]:
			unknown = append(unknown, k)
		case len(v) > 1 && !multiValued[k]:
			repeated = append(repeated, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		accepted := "aucun"
		if len(known) > 0 {
			accepted = strings.Join(known, ", ")
		}
		writeProblemField(c, http.StatusBadRequest, ProblemUnknownParameter,
			fmt.Sprintf("paramètre inconnu %s ; paramètres acceptés : %s", quote(unknown[0]), accepted), unknown[0], values.Get(unknown[0]))
		return false
	}
	if len(repeated) > 0 {
		sort.Strings(repeated)
		k := repeated[0]
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter,
			fmt.Sprintf("paramètre %s donné %d fois ; une seule valeur attendue", quote(k), len(values[k])), k, values.Get(k))
		return false
	}
	return true
}

// floatParam reads a decimal parameter, accepting a French decimal comma.
func floatParam(c *gin.Context, name string) (float64, bool, bool) {
	raw, ok := c.GetQuery(name)
	if !ok {
		return 0, false, true
	}
	v, err := zones.ParseCoordinate(name, raw)
	if err != nil {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, err.Error(), name, raw)
		return 0, true, false
	}
	return v, true, true
}

func intParam(c *gin.Context, name string, def, min, max int) (int, bool) {
	raw, ok := c.GetQuery(name)
	if !ok || raw == "" {
		return def, true
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < min || v > max {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, fmt.Sprintf("%s %s invalide : entier de %d à %d attendu", name, quote(raw), min, max), name, raw)
		return 0, false
	}
	return v, true
}

// dayParam reads the date parameter: the zonage in force that day. Absent, it is the
// zero Day (the resolver's today); invalid, a 400 problem naming the parameter is
// written and ok is false.
func dayParam(c *gin.Context, raw string) (day zones.Day, ok bool) {
	if strings.TrimSpace(raw) == "" {
		return day, true
	}
	day, err := zones.ParseDay(raw)
	if err != nil {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter,
			"date "+quote(raw)+" invalide : une date réelle écrite AAAA-MM-JJ est attendue (ex. 2025-11-01)", "date", raw)
		return day, false
	}
	return day, true
}
