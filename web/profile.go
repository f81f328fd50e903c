package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

// profileParams are the query parameters that describe the kiné asking, to narrow
// the installation options; options=0 leaves the options out.
var profileParams = []string{"statut", "debut_etudes", "annees_etablissement", "deja_conventionne", "projet", "installe_depuis", "options"}

// profileFromParams reads the profile, checked against the day today; ok=false when
// a problem was written.
func profileFromParams(c *gin.Context, today zones.Day) (p zones.Profile, want bool, ok bool) {
	want = true
	switch c.Query("options") {
	case "", "1", "true":
	case "0", "false":
		want = false
	default:
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "options « "+c.Query("options")+" » invalide : 1 ou 0 attendu", "options", c.Query("options"))
		return p, false, false
	}
	var err error
	if v := c.Query("statut"); v != "" {
		if p.Status, err = zones.ParsePracticeStatus(v); err != nil {
			return p, want, profileProblem(c, err)
		}
	}
	if v := c.Query("projet"); v != "" {
		if p.Project, err = zones.ParseProject(v); err != nil {
			return p, want, profileProblem(c, err)
		}
	}
	if v := c.Query("debut_etudes"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			return p, want, profileProblem(c, &zones.InputError{Field: "debut_etudes", Value: v, Reason: "année attendue (ex. 2023)"})
		}
		p.StudiesStartYear = y
	}
	if v := c.Query("annees_etablissement"); v != "" {
		f, ok := zones.ParseDecimal(v)
		if !ok {
			return p, want, profileProblem(c, &zones.InputError{Field: "annees_etablissement", Value: v, Reason: "nombre d'années attendu (ex. 1,5)"})
		}
		p.YearsInEstablishment = f
	}
	if v := c.Query("deja_conventionne"); v != "" {
		var b bool
		switch strings.ToLower(v) {
		case "1", "true", "oui":
			b = true
		case "0", "false", "non":
		default:
			return p, want, profileProblem(c, &zones.InputError{Field: "deja_conventionne", Value: v, Reason: "oui ou non attendu"})
		}
		p.AlreadyConventionneInZone = &b
	}
	p.InstalledSince = c.Query("installe_depuis")
	if err := p.Validate(today); err != nil {
		return p, want, profileProblem(c, err)
	}
	return p, want, true
}

// profileFields names the parameter behind each profile field the domain names in
// its errors.
var profileFields = map[string]string{
	"année de début d'études": "debut_etudes", "années en établissement": "annees_etablissement",
	"date d'installation": "installe_depuis",
}

func profileProblem(c *gin.Context, err error) bool {
	var ie *zones.InputError
	if errors.As(err, &ie) {
		field := ie.Field
		if p, ok := profileFields[field]; ok {
			field = p
		}
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, ie.Error(), field, ie.Value)
	} else {
		writeProblem(c, http.StatusBadRequest, ProblemInvalidParameter, err.Error())
	}
	return false
}
