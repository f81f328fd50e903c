package web

import (
	"net/http"

	"github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"
)

func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// The log and the metrics see the answer recoverProblem makes of a panic.
	r.Use(requestID, securityHeaders, observe(s.cfg.Logger, s.metrics), recoverProblem(s.cfg.Logger), cors(s.cfg.CORSOrigins))
	if s.cfg.RateLimit > 0 {
		r.Use(newClientLimiter(s.cfg.RateLimit, s.cfg.RateBurst).middleware)
	}
	// Map tiles are kept gzipped and sent as kept: registered before the gzip
	// middleware, which would compress them a second time.
	getAndHead(r, "/api/v1/tiles/:layer/:z/:x/:y", deadline(s.cfg.RequestTimeout), s.handleTile)
	// Export files are gzipped once when built, and sent as kept.
	getAndHead(r, "/api/v1/export/:format", s.handleExport)
	// The OGC API compresses at its own level (see ogcRoutes).
	s.ogcRoutes(r)
	// Compressed answers except the streamed CSVs, whose clients read them as they
	// come and which gzip would buffer.
	r.Use(gzip.Gzip(gzip.DefaultCompression, gzip.WithExcludedPaths([]string{"/api/v1/classify", "/search/csv", "/metrics"})))

	quick := deadline(s.cfg.RequestTimeout)
	api := r.Group("/api/v1")
	getAndHead(api, "/resolve", s.handleResolve) // its own deadline, past the ready answers
	getAndHead(api, "/communes/:code", quick, s.handleCommune)
	getAndHead(api, "/search", quick, s.handleSearch)
	getAndHead(api, "/dataset", quick, s.handleDataset)
	api.POST("/classify", deadline(s.cfg.ClassifyTimeout), limitBody(s.cfg.MaxBodyBytes), decodeBody(s.cfg.MaxBodyBytes), s.handleClassify)
	api.POST("/classify/preview", quick, limitBody(s.cfg.MaxBodyBytes), decodeBody(s.cfg.MaxBodyBytes), s.handleClassifyPreview)
	api.POST("/admin/reload", s.handleReload)
	getAndHead(api, "/map", quick, s.handleMap)
	getAndHead(api, "/catchments/:kind/:code", quick, s.handleCatchment)
	getAndHead(api, "/sources", quick, s.handleSources)
	getAndHead(api, "/tiles/:layer", quick, s.handleTileJSON)
	r.POST("/search/csv/", deadline(s.cfg.ClassifyTimeout), limitBody(s.cfg.MaxBodyBytes), decodeBody(s.cfg.MaxBodyBytes), s.handleSearchCSV)
	r.POST("/search/csv", deadline(s.cfg.ClassifyTimeout), limitBody(s.cfg.MaxBodyBytes), decodeBody(s.cfg.MaxBodyBytes), s.handleSearchCSV)
	getAndHead(r, "/openapi.json", s.handleOpenAPI)
	getAndHead(r, "/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	getAndHead(r, "/readyz", s.handleReady)
	getAndHead(r, "/metrics", s.metrics.handler())
	getAndHead(r, "/", s.handleMapPage)
	getAndHead(r, "/lot", s.handleBatchPage)
	getAndHead(r, "/static/*path", s.handleStatic)
	r.NoRoute(func(c *gin.Context) {
		writeProblem(c, http.StatusNotFound, ProblemNotFound, "aucune ressource à cette adresse ; la liste des points d'accès est dans /openapi.json")
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, http.StatusMethodNotAllowed, ProblemMethodNotAllowed, "méthode "+quote(c.Request.Method)+" non prise en charge à cette adresse")
	})
	return r
}

// getAndHead registers a GET route and its HEAD twin: HEAD answers exactly as GET
// would, headers and status, and the server leaves the body out.
func getAndHead(r gin.IRoutes, path string, handlers ...gin.HandlerFunc) {
	r.GET(path, handlers...)
	r.HEAD(path, handlers...)
}
