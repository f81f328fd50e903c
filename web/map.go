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

// handleMap answers GET /api/v1/map: what the page needs to draw the map — the
// tile URL, the classes with their counts for the legend, the territories and the
// base map.
func (s *Server) handleMap(c *gin.Context) {
	if !checkParams(c) {
		return
	}
	st := s.Current()
	md := st.mapData()
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
		tiles = gin.H{layerCommunes: "/api/v1/tiles/communes/{z}/{x}/{y}.mvt?v=" + v, layerDepartements: "/api/v1/tiles/departements/{z}/{x}/{y}.mvt?v=" + v}
	}
	day, _ := zones.ParseDay(md.day)
	overdue, warning := zones.RevisionSummary(st.Resolver.RegionRevisions(day))
	c.JSON(http.StatusOK, gin.H{
		"dataset_version": md.version, "date": md.day, "tiles": tiles, "min_zoom": 0, "max_zoom": maxTileZoom,
		"max_zoom_layers": gin.H{layerCommunes: maxTileZoom, layerDepartements: maxBordersZoom},
		"extent":          tileExtent, "classes": classes, "territories": md.territories, "base_map": s.baseMap(),
		// What the legend says of the data's age: its vintage, and the regions whose
		// two-year revision is due on the map's day.
		"data_vintage": st.meta().ZonageVintage, "revision_overdue": nonNil(overdue), "revision_warning": warning,
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
