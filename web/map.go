package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

type mapClassCount struct {
	mapClass
	Count int `json:"count"`
}

// handleMap answers GET /api/v1/map: what the page needs to draw the map of a
// profession (profession=, the default's without) on a day (date=, today
// without) — the tile URLs, the classes
// of its scale with their counts for the legend, the territories, the base map,
// and which professions the data has.
func (s *Server) handleMap(c *gin.Context) {
	if !checkParams(c, "date", professionParam) {
		return
	}
	day, ok := dayParam(c, c.Query("date"))
	if !ok {
		return
	}
	st := s.Current()
	p, r, ok := professionFromParams(c, st)
	if !ok {
		return
	}
	md := st.mapDataOn(p, r, day)
	if notModified(c, md.version, md.day, 5*time.Minute) {
		return
	}
	classes := make([]mapClassCount, len(md.classes))
	for i, cl := range md.classes {
		classes[i] = mapClassCount{cl, md.counts[i]}
	}
	var tiles gin.H
	if md.polys != nil {
		v := url.QueryEscape(md.version + "." + md.day)
		// The borders are the same on every day: their URL is today's.
		borders := url.QueryEscape(md.version + "." + st.mapData().day)
		tiles = gin.H{layerCommunes: "/api/v1/tiles/communes/{z}/{x}/{y}.mvt?v=" + v + professionQuery(p) + md.dateQuery(),
			layerDepartements: "/api/v1/tiles/departements/{z}/{x}/{y}.mvt?v=" + borders}
	}
	// The revision the law expects is the kinés' arrêtés'; another profession's
	// export dates none.
	overdue, warning, vintage := []string(nil), "", st.meta().ZonageVintage
	if p == zones.DefaultProfession {
		day, _ := zones.ParseDay(md.day)
		overdue, warning = zones.RevisionSummary(st.Resolver.RegionRevisions(day))
	} else {
		vintage = professionVintage(r)
	}
	c.JSON(http.StatusOK, gin.H{
		"profession": p, "professions": st.professionList(),
		"dataset_version": md.version, "date": md.day, "tiles": tiles, "min_zoom": 0, "max_zoom": maxTileZoom,
		"max_zoom_layers": gin.H{layerCommunes: maxTileZoom, layerDepartements: maxBordersZoom},
		"extent":          tileExtent, "classes": classes, "territories": md.territories, "base_map": s.baseMap(),
		// What the legend says of the data's age: its vintage, and the regions whose
		// two-year revision is due on the map's day.
		"data_vintage": vintage, "revision_overdue": nonNil(overdue), "revision_warning": warning,
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
