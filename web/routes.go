package web

import (
	"net/http"

	"github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"
)

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(requestID, recoverProblem(s.cfg.Logger), accessLog(s.cfg.Logger), s.metrics.middleware, cors(s.cfg.CORSOrigins))
	if s.cfg.RateLimit > 0 {
		r.Use(newClientLimiter(s.cfg.RateLimit, s.cfg.RateBurst).middleware)
	}
	// Map tiles are kept gzipped and sent as kept: registered before the gzip
	// middleware, which would compress them a second time.
	r.GET("/api/v1/tiles/:layer/:z/:x/:y", deadline(s.cfg.RequestTimeout), s.handleTile)
	// Compressed answers except the streamed CSVs, whose clients read them as they
	// come and which gzip would buffer.
	r.Use(gzip.Gzip(gzip.DefaultCompression, gzip.WithExcludedPaths([]string{"/api/v1/classify", "/search/csv", "/metrics"})))

	quick := deadline(s.cfg.RequestTimeout)
	api := r.Group("/api/v1")
	api.GET("/resolve", quick, s.handleResolve)
	api.GET("/communes/:code", quick, s.handleCommune)
	api.GET("/search", quick, s.handleSearch)
	api.GET("/dataset", quick, s.handleDataset)
	api.POST("/classify", deadline(s.cfg.ClassifyTimeout), limitBody(s.cfg.MaxBodyBytes), s.handleClassify)
	api.POST("/classify/preview", quick, limitBody(s.cfg.MaxBodyBytes), s.handleClassifyPreview)
	api.POST("/admin/reload", s.handleReload)
	api.GET("/map", quick, s.handleMap)
	api.GET("/catchments/:kind/:code", quick, s.handleCatchment)
	api.GET("/sources", quick, s.handleSources)
	r.POST("/search/csv/", deadline(s.cfg.ClassifyTimeout), limitBody(s.cfg.MaxBodyBytes), s.handleSearchCSV)
	r.POST("/search/csv", deadline(s.cfg.ClassifyTimeout), limitBody(s.cfg.MaxBodyBytes), s.handleSearchCSV)
	r.GET("/openapi.json", s.handleOpenAPI)
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.handleReady)
	r.GET("/metrics", s.metrics.handler())
	r.GET("/", s.handleMapPage)
	r.GET("/lot", s.handleBatchPage)
	r.GET("/static/*path", s.handleStatic)
	r.NoRoute(func(c *gin.Context) {
		writeProblem(c, http.StatusNotFound, ProblemNotFound, "aucune ressource à cette adresse ; la liste des points d'accès est dans /openapi.json")
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, http.StatusMethodNotAllowed, ProblemInvalidParameter, "méthode "+c.Request.Method+" non prise en charge à cette adresse")
	})
	return r
}
