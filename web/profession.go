package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

// professions is every profession, the default first, as zones lists them.
var professions = zones.Professions()

// professionParam names the query parameter that chooses the profession.
const professionParam = "profession"

// professionResolver returns the resolver answering for p from r, the one
// answering for the default profession; an error when the data served has no
// zonage for p.
func professionResolver(r *zones.Resolver, p zones.Profession) (*zones.Resolver, error) {
	return r.For(p)
}

// professionFromParams reads profession= (absent or empty: the default) and
// returns the profession with the resolver that answers for it. An unknown slug
// is a 400 problem listing the valid ones; a profession the served data has no
// zonage for is a 404 problem of its own type, which says which are served.
// ok is false when a problem was written.
func professionFromParams(c *gin.Context, st *State) (zones.Profession, *zones.Resolver, bool) {
	raw := c.Query(professionParam)
	p, err := zones.ParseProfession(raw)
	if err != nil {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, err.Error(), professionParam, raw)
		return "", nil, false
	}
	r, ok := st.professionResolverOr404(c, p, raw)
	return p, r, ok
}

// professionResolverOr404 is the resolver answering for p, or false once a 404
// problem saying the served data lacks p is written.
func (st *State) professionResolverOr404(c *gin.Context, p zones.Profession, raw string) (*zones.Resolver, bool) {
	r, err := professionResolver(st.Resolver, p)
	if err != nil {
		writeProblemField(c, http.StatusNotFound, ProblemProfessionAbsent,
			"les données servies (version "+st.meta().Version+") ne contiennent pas le zonage des "+p.Plural()+
				" ; professions disponibles : "+strings.Join(st.availableSlugs(), ", "), professionParam, raw)
		return nil, false
	}
	return r, true
}

// professionInfo is one entry of the professions array of /api/v1/map.
type professionInfo struct {
	Slug   zones.Profession `json:"slug"`
	Label  string           `json:"label"`
	Plural string           `json:"plural"`
	// Available says whether the data served has the profession's zonage.
	Available bool `json:"available"`
}

// professionList is every profession with whether the served data has it.
func (st *State) professionList() []professionInfo {
	out := make([]professionInfo, len(professions))
	ds := st.Resolver.Dataset
	for i, p := range professions {
		out[i] = professionInfo{Slug: p, Label: p.Label(), Plural: p.Plural(), Available: ds.HasProfession(p)}
	}
	return out
}

// availableSlugs are the slugs of the professions the served data has.
func (st *State) availableSlugs() []string {
	var out []string
	for _, pi := range st.professionList() {
		if pi.Available {
			out = append(out, string(pi.Slug))
		}
	}
	return out
}

// professionQuery is the query string a URL of the API adds for p: empty for
// the default profession, so that its URLs stay what they were.
func professionQuery(p zones.Profession) string {
	if p == zones.DefaultProfession || p == "" {
		return ""
	}
	return "&" + professionParam + "=" + string(p)
}
