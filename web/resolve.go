package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

var resolveParams = append([]string{"lat", "lon", "q", "postcode", "city", "citycode", "date", professionParam}, profileParams...)

// handleResolve answers GET /api/v1/resolve for coordinates (lat, lon), an address
// (q, or postcode and city) or an INSEE code (citycode), with the zonage in force
// today or on the day date names, for the profession profession names (the
// default: masseur-kinésithérapeute). Coordinates with the default profile and no
// date are answered from ready bytes where they can be (resolveFast), which need
// no deadline; every other query is bounded by the request timeout.
func (s *Server) handleResolve(c *gin.Context) {
	if s.resolveFast(c) {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	if !checkParams(c, resolveParams...) {
		return
	}
	q, ok := queryFromParams(c)
	if !ok || !somethingToResolve(c, q) {
		return
	}
	if q.Day, ok = dayParam(c, c.Query("date")); !ok {
		return
	}
	st := s.Current()
	r, profile, withOptions, ok := answerParams(c, st)
	if !ok {
		return
	}
	res, err := r.Resolve(q)
	if !s.inputError(c, err, resolveFields) {
		return
	}
	if !s.completeAnswer(c, st, r, &res, profile, withOptions) {
		return
	}
	if q.HasPoint {
		writeJSON(c, st.withNearest(res, q.Lat, q.Lon))
		return
	}
	writeJSON(c, res)
}

// answerParams reads what an answer with options is asked for: the resolver of
// the profession profession= names, and the profile (and whether options are
// wanted) checked against that resolver's day. ok=false when a problem was written.
func answerParams(c *gin.Context, st *State) (r *zones.Resolver, p zones.Profile, withOptions, ok bool) {
	if _, r, ok = professionFromParams(c, st); !ok {
		return nil, p, false, false
	}
	p, withOptions, ok = profileFromParams(c, r.Today())
	return r, p, withOptions, ok
}

// completeAnswer completes res, an answer of r: it counts it and adds the city
// of an arrondissement and, when wanted, the options for profile. It returns
// false, having written 304, when the client's copy is still fresh.
func (s *Server) completeAnswer(c *gin.Context, st *State, r *zones.Resolver, res *zones.Resolution, profile zones.Profile, withOptions bool) bool {
	if notModifiedToday(c, st, time.Hour) {
		return false
	}
	s.countLookup(*res)
	withCity(r.Dataset, res)
	if withOptions {
		r.FillOptions(res, profile)
	}
	return true
}

func queryFromParams(c *gin.Context) (zones.Query, bool) {
	q := zones.Query{Text: c.Query("q"), Postcode: c.Query("postcode"), City: c.Query("city"), Citycode: c.Query("citycode")}
	lat, hasLat, ok := floatParam(c, "lat")
	if !ok {
		return q, false
	}
	lon, hasLon, ok := floatParam(c, "lon")
	if !ok {
		return q, false
	}
	if hasLat != hasLon {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "lat et lon vont ensemble : donnez les deux", "lat", c.Query("lat"))
		return q, false
	}
	if hasLat {
		q.Lat, q.Lon, q.HasPoint = lat, lon, true
	}
	return q, true
}

// emptyParamReasons say, for each parameter that can name a place, what a
// value of it looks like.
var emptyParamReasons = []struct{ param, reason string }{
	{"citycode", "vide ; attendu un code INSEE à 5 caractères (ex. 75106, 2A004)"},
	{"q", "vide ; attendu une adresse (ex. 12 rue de Vaugirard 75006 Paris)"},
	{"postcode", "vide ; attendu un code postal à 5 chiffres (ex. 75006), avec city au besoin"},
	{"city", "vide ; attendu le nom d'une commune (ex. Ruffieu), avec postcode au besoin"},
}

// somethingToResolve writes a 400 problem and returns false when the query names
// no place. The problem names the parameter given empty (citycode= sent by a form
// left blank), with its value, rather than q, which the caller may not have sent.
func somethingToResolve(c *gin.Context, q zones.Query) bool {
	if !q.Empty() {
		return true
	}
	for _, p := range emptyParamReasons {
		if v, ok := c.GetQuery(p.param); ok {
			writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, p.param+" "+quote(v)+" invalide : "+p.reason, p.param, v)
			return false
		}
	}
	writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter,
		"rien à chercher : donnez une adresse (q, ou postcode et city), des coordonnées (lat et lon) ou un code INSEE (citycode)", "q", "")
	return false
}

// resolveFields names the parameter of /api/v1/resolve behind each field the
// domain names in its errors.
var resolveFields = map[string]string{
	"latitude": "lat", "longitude": "lon", "adresse": "q", "commune": "city", "code INSEE": "citycode", "code commune": "citycode",
}

// inputError writes a 400 problem for a query the domain refused and reports
// whether the handler may go on. The problem's field is the request parameter
// (fields maps the domain's names to the route's parameters), never the domain's
// own word for it.
func (s *Server) inputError(c *gin.Context, err error, fields map[string]string) bool {
	if err == nil {
		return true
	}
	var ie *zones.InputError
	if errors.As(err, &ie) {
		field := ie.Field
		if p, ok := fields[field]; ok {
			field = p
		} else if p, ok := profileFields[field]; ok {
			field = p
		}
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, ie.Error(), field, ie.Value)
		return false
	}
	writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; identifiant "+requestIDOf(c))
	return false
}

func (s *Server) countLookup(res zones.Resolution) {
	s.metrics.lookups.WithLabelValues(string(res.Match.Precision), string(res.Status)).Inc()
}
