package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Problem is an RFC 9457 problem document. Type is a stable identifier clients can
// branch on; Detail is French and names the field and value at fault.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance,omitempty"`
	Field    string `json:"field,omitempty"`
	Value    string `json:"value,omitempty"`
}

// The problem types, part of the API contract.
const (
	ProblemInvalidParameter = "/problems/parametre-invalide"
	ProblemUnknownParameter = "/problems/parametre-inconnu"
	ProblemNotFound         = "/problems/introuvable"
	ProblemTooLarge         = "/problems/requete-trop-grande"
	ProblemRateLimited      = "/problems/trop-de-requetes"
	ProblemUnavailable      = "/problems/indisponible"
	ProblemUnauthorized     = "/problems/non-autorise"
	ProblemTimeout          = "/problems/delai-depasse"
	ProblemInternal         = "/problems/erreur-interne"
)

var problemTitles = map[string]string{
	ProblemInvalidParameter: "Paramètre invalide",
	ProblemUnknownParameter: "Paramètre inconnu",
	ProblemNotFound:         "Ressource introuvable",
	ProblemTooLarge:         "Requête trop volumineuse",
	ProblemRateLimited:      "Trop de requêtes",
	ProblemUnavailable:      "Service indisponible",
	ProblemUnauthorized:     "Non autorisé",
	ProblemTimeout:          "Délai dépassé",
	ProblemInternal:         "Erreur interne",
}

func writeProblem(c *gin.Context, status int, typ, detail string) {
	writeProblemField(c, status, typ, detail, "", "")
}

func writeProblemField(c *gin.Context, status int, typ, detail, field, value string) {
	c.Header("Cache-Control", "no-store")
	c.Render(status, problemRender{Problem{Type: typ, Title: problemTitles[typ], Status: status, Detail: detail,
		Instance: c.Request.URL.Path, Field: field, Value: value}})
	c.Abort()
}

type problemRender struct{ p Problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return encodeJSON(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
}
