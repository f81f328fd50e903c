package web

import (
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"zonage/zones"
)

type catchmentMember struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Label    string `json:"label"`
}

// handleCatchment answers GET /api/v1/catchments/{kind}/{code}: the communes of a
// bassin de vie or canton-ville — the unit an ARS decides a category for — with
// their classes on the day date= names (today without) and the catchment's outline.
func (s *Server) handleCatchment(c *gin.Context) {
	if !checkParams(c, "date") {
		return
	}
	day, ok := dayParam(c, c.Query("date"))
	if !ok {
		return
	}
	kind := zones.CatchmentKind(c.Param("kind"))
	if kind != zones.BassinDeVie && kind != zones.CantonVille {
		writeProblemField(c, http.StatusBadRequest, ProblemInvalidParameter, "type d'unité « "+string(kind)+" » invalide : bassin_de_vie ou canton_ville attendu", "kind", string(kind))
		return
	}
	st := s.Current()
	md := st.mapDataOn(zones.DefaultProfession, st.Resolver, day)
	key := catchmentKey(string(kind), c.Param("code"))
	members := md.catchments[key]
	if len(members) == 0 {
		writeProblemField(c, http.StatusNotFound, ProblemNotFound, "aucune commune dans le "+kind.Label()+" "+c.Param("code"), "code", c.Param("code"))
		return
	}
	if notModified(c, md.version, md.day, time.Hour) {
		return
	}
	ds := st.Resolver.Dataset
	var name string
	var derived bool
	out := make([]catchmentMember, 0, len(members))
	classes := map[string]bool{}
	for _, i := range members {
		cm := &ds.Communes[i]
		cl := md.classes[md.class[i]]
		out = append(out, catchmentMember{Code: cm.Code, Name: cm.Name, Category: cl.Key, Label: cl.Label})
		classes[cl.Key] = true
		if cm.Catchment != nil && cm.Catchment.Kind == kind && cm.Catchment.Code == c.Param("code") {
			name, derived = cm.Catchment.Name, cm.Catchment.Derived
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	// coherent: the unit's communes share one class on the map's day; when they do not,
	// the unit is not classed as a whole.
	ans := gin.H{"kind": kind, "kind_label": kind.Label(), "code": c.Param("code"), "name": name, "derived": derived,
		"coherent": len(classes) == 1, "communes": out, "dataset_version": md.version}
	if md.polys != nil {
		var b orb.Bound
		for n, i := range members {
			if n == 0 {
				b = md.bounds[i]
			} else {
				b = b.Union(md.bounds[i])
			}
		}
		ans["bounds"] = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
		ans["outline"] = geojson.NewGeometry(md.catchmentOutline(key))
	}
	c.JSON(http.StatusOK, ans)
}
