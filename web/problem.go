package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

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
	// ProblemProfessionAbsent is a valid profession whose zonage the served data
	// does not hold.
	ProblemProfessionAbsent = "/problems/profession-absente"
	ProblemTooLarge         = "/problems/requete-trop-grande"
	// ProblemUnsupportedEncoding is a body sent in a Content-Encoding other than gzip.
	ProblemUnsupportedEncoding = "/problems/encodage-non-pris-en-charge"
	ProblemRateLimited         = "/problems/trop-de-requetes"
	ProblemUnavailable         = "/problems/indisponible"
	ProblemUnauthorized        = "/problems/non-autorise"
	ProblemTimeout             = "/problems/delai-depasse"
	ProblemInternal            = "/problems/erreur-interne"
	// ProblemMethodNotAllowed is a method the route does not serve (405, with Allow).
	ProblemMethodNotAllowed = "/problems/methode-non-autorisee"
)

var problemTitles = map[string]string{
	ProblemInvalidParameter:    "Paramètre invalide",
	ProblemUnknownParameter:    "Paramètre inconnu",
	ProblemNotFound:            "Ressource introuvable",
	ProblemProfessionAbsent:    "Profession absente des données",
	ProblemTooLarge:            "Requête trop volumineuse",
	ProblemUnsupportedEncoding: "Encodage de contenu non pris en charge",
	ProblemRateLimited:         "Trop de requêtes",
	ProblemUnavailable:         "Service indisponible",
	ProblemUnauthorized:        "Non autorisé",
	ProblemTimeout:             "Délai dépassé",
	ProblemInternal:            "Erreur interne",
	ProblemMethodNotAllowed:    "Méthode non autorisée",
}

func writeProblem(c *gin.Context, status int, typ, detail string) {
	writeProblemField(c, status, typ, detail, "", "")
}

func writeProblemField(c *gin.Context, status int, typ, detail, field, value string) {
	c.Header("Cache-Control", "no-store")
	c.Render(status, problemRender{Problem{Type: typ, Title: problemTitles[typ], Status: status, Detail: boundQuotes(detail),
		Instance: truncate(c.Request.URL.Path, maxQuoted), Field: truncate(field, maxQuoted), Value: truncate(value, maxQuoted)}})
	c.Abort()
}

// maxQuoted is the most characters of a caller's value a problem repeats: enough to
// recognise it, and a 5 MB header line does not come back as a 5 MB answer.
const maxQuoted = 200

// maxDetail bounds a whole detail, whatever it quotes and however.
const maxDetail = 4 * maxQuoted

// quote puts a caller's value between French quotes, shortened to maxQuoted characters.
func quote(v string) string { return "« " + truncate(v, maxQuoted) + " »" }

// truncate shortens s to n characters, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, k := 0, 0
	for i = range s {
		if k == n {
			break
		}
		k++
	}
	return strings.ToValidUTF8(s[:i], "") + "…"
}

// boundQuotes shortens every « quoted » value of a detail to maxQuoted characters,
// then the detail itself to maxDetail: details built elsewhere (the domain, the CSV
// reader) quote the caller's values whole.
func boundQuotes(detail string) string {
	if utf8.RuneCountInString(detail) <= maxQuoted {
		return detail
	}
	var b strings.Builder
	rest := detail
	for {
		open := strings.Index(rest, "« ")
		if open < 0 {
			break
		}
		open += len("« ")
		b.WriteString(rest[:open])
		rest = rest[open:]
		end := strings.Index(rest, " »")
		if end < 0 {
			b.WriteString(truncate(rest, maxQuoted))
			rest = ""
			break
		}
		b.WriteString(truncate(rest[:end], maxQuoted))
		rest = rest[end:]
	}
	b.WriteString(rest)
	return truncate(b.String(), maxDetail)
}

type problemRender struct{ p Problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return encodeJSON(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
}
