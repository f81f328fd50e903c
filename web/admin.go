package web

import (
	"crypto/sha256"
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
	if !validBearer(c.GetHeader("Authorization"), s.cfg.AdminToken) {
		c.Header("WWW-Authenticate", `Bearer realm="zonage"`)
		writeProblem(c, http.StatusUnauthorized, ProblemUnauthorized, "jeton d'administration absent ou invalide (en-tête Authorization: Bearer …)")
		return
	}
	if !checkParams(c) {
		return
	}
	version, err := s.Reload(c.Request.Context())
	if err != nil {
		writeProblem(c, http.StatusUnprocessableEntity, ProblemUnavailable, "nouvelles données refusées, la version "+version+" reste servie : "+err.Error())
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "reloaded", "dataset_version": version})
}

// validBearer tells whether an Authorization header carries token with the Bearer
// scheme (RFC 6750; the scheme is case-insensitive, RFC 7235). The comparison is
// of digests, in constant time, so that neither the token's bytes nor its length
// can be learnt from response times.
func validBearer(header, token string) bool {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimLeft(cred, " ")))
	want := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
