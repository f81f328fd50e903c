package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// checkParams refuses query parameters the route does not know: a typo such as
// "latitude=" for "lat=" must not silently answer something else.
func checkParams(c *gin.Context, known ...string) bool {
	allowed := map[string]bool{}
	for _, k := range known {
		allowed[k] = true
	}
	var unknown []string
	for k := range c.Request.URL.Query() {
		if !allowed[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return true
	}
	sort.Strings(unknown)
	writeProblemField(c, http.StatusBadRequest, ProblemUnknownParameter,
		fmt.Sprintf("paramètre inconnu « %s » ; paramètres acceptés : %s", unknown[0], strings.Join(known, ", ")), unknown[0], c.Query(unknown[0]))
	return false
}

// floatParam reads a decimal parameter, accepting a French decimal comma.
func floatParam(c *gin.Context, name string) (float64, bool, bool) {
	raw, ok := c.GetQuery(name)
	if !ok {
		return 0, false, true
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(raw), ",", "."), 64)
	if err != nil {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, fmt.Sprintf("%s « %s » invalide : nombre décimal attendu (ex. 48.8493)", name, raw), name, raw)
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
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, fmt.Sprintf("%s « %s » invalide : entier de %d à %d attendu", name, raw, min, max), name, raw)
		return 0, false
	}
	return v, true
}
