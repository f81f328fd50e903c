package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

// handleSources answers GET /api/v1/sources?keys=A1,S-egora: the bibliography
// entries that answers cite by key.
func (s *Server) handleSources(c *gin.Context) {
	if !checkParams(c, "keys") {
		return
	}
	keys := strings.Split(c.Query("keys"), ",")
	if c.Query("keys") == "" || len(keys) > 200 {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "keys : de 1 à 200 clés séparées par des virgules attendues (ex. A1,S-egora)", "keys", c.Query("keys"))
		return
	}
	if notModifiedToday(c, s.Current(), time.Hour) {
		return
	}
	out := []zones.Source{}
	seen := map[string]bool{}
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if src, ok := zones.SourceByKey(k); ok && !seen[k] {
			seen[k] = true
			src.Key = k
			out = append(out, src)
		}
	}
	c.JSON(http.StatusOK, gin.H{"sources": out})
}
