package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

// handleDataset answers GET /api/v1/dataset: what is loaded — version, sources
// with their digests and vintages, counts per category and region, and per region
// the arrêté date, its age and when the law expects its revision.
func (s *Server) handleDataset(c *gin.Context) {
	if !checkParams(c) {
		return
	}
	st := s.Current()
	if notModifiedToday(c, st, time.Hour) {
		return
	}
	day := st.Resolver.Today()
	c.JSON(http.StatusOK, struct {
		zones.Meta
		LoadedAt time.Time `json:"loaded_at"`
		Source   string    `json:"source"`
		// Date is the day the regions' revisions are computed for; Regions lists, per
		// region, the arrêté date, its age and the revision the law expects.
		Date    zones.Day              `json:"date"`
		Regions []zones.RegionRevision `json:"regions"`
		// Changes is what this version changed from the previous published one
		// (PostgreSQL only).
		Changes *zones.DatasetDiff `json:"changes,omitempty"`
	}{st.meta(), st.LoadedAt, st.Source, day, st.Resolver.RegionRevisions(day), st.Changes})
}

// handleReady answers 200 once a dataset is loaded, with its version and, for a
// server following a database, whether it still receives its publications.
func (s *Server) handleReady(c *gin.Context) {
	st := s.Current()
	if st == nil {
		writeProblem(c, http.StatusServiceUnavailable, ProblemUnavailable, "données pas encore chargées")
		return
	}
	answer := gin.H{"status": "ready", "dataset_version": st.meta().Version, "loaded_at": st.LoadedAt}
	if p := s.publications.Load(); p != nil {
		answer["publications"] = p
	}
	c.JSON(http.StatusOK, answer)
}
