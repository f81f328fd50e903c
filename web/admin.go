package web

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// handleReload answers POST /api/v1/admin/reload: with the admin token, loads the
// data again and swaps it in; a dataset that fails its checks is refused and the
// current one keeps serving.
func (s *Server) handleReload(c *gin.Context) {
	if s.cfg.AdminToken == "" {
		writeProblem(c, http.StatusNotFound, ProblemNotFound, "rechargement par l'API désactivé (aucun jeton d'administration configuré)")
		return
	}
	token := strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken)) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="zonage"`)
		writeProblem(c, http.StatusUnauthorized, ProblemUnauthorized, "jeton d'administration absent ou invalide (en-tête Authorization: Bearer …)")
		return
	}
	version, err := s.Reload(c.Request.Context())
	if err != nil {
		writeProblem(c, http.StatusUnprocessableEntity, ProblemUnavailable, "nouvelles données refusées, la version "+version+" reste servie : "+err.Error())
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "reloaded", "dataset_version": version})
}
