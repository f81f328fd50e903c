package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"zonage/zones"
)

// communeAnswer is a resolution with, on request, the commune's outline.
type communeAnswer struct {
	zones.Resolution
	Geometry *geojson.Geometry `json:"geometry,omitempty"`
}

// communeFields names the parameter of /api/v1/communes/{code} behind each field
// the domain names in its errors.
var communeFields = map[string]string{"code INSEE": "code", "code commune": "code"}

// handleCommune answers GET /api/v1/communes/{code} for a current or former
// INSEE code; ?geometry=1 adds the outline as GeoJSON, ?date= asks for another day,
// ?profession= another profession's zonage.
func (s *Server) handleCommune(c *gin.Context) {
	if !checkParams(c, append([]string{"geometry", "date", professionParam}, profileParams...)...) {
		return
	}
	day, ok := dayParam(c, c.Query("date"))
	if !ok {
		return
	}
	st := s.Current()
	r, profile, withOptions, ok := answerParams(c, st)
	if !ok {
		return
	}
	withGeometry := false
	switch c.Query("geometry") {
	case "", "0", "false":
	case "1", "true":
		withGeometry = true
	default:
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "geometry « "+c.Query("geometry")+" » invalide : 1 ou 0 attendu", "geometry", c.Query("geometry"))
		return
	}
	res, err := r.ResolveCodeOn(c.Param("code"), day)
	if !s.inputError(c, err, communeFields) {
		return
	}
	if res.Status == zones.StatusNotFound && res.Commune == nil {
		writeProblemField(c, http.StatusNotFound, ProblemNotFound, res.Message, "code", c.Param("code"))
		return
	}
	if !s.completeAnswer(c, st, r, &res, profile, withOptions) {
		return
	}
	ans := communeAnswer{Resolution: res}
	if withGeometry && res.Commune != nil && st.Outline != nil {
		if g, ok := st.Outline(res.Commune.Code); ok {
			ans.Geometry = geojson.NewGeometry(g)
		} else if g, ok := st.cityOutline(res.Commune.Code); ok {
			ans.Geometry = g
		}
	}
	c.JSON(http.StatusOK, ans)
}
