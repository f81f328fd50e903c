package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

// openAPIDocument describes the API; a test checks real answers against it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3 description of the API.
func OpenAPIDocument() []byte { return openAPIDocument }

// openAPIETag is the document's ETag: it changes only with the binary, so its
// content hash is enough.
var openAPIETag = sync.OnceValue(func() string {
	sum := sha256.Sum256(openAPIDocument)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
})

func (s *Server) handleOpenAPI(c *gin.Context) {
	if answerNotModified(c, openAPIETag(), "public, max-age=3600") {
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", openAPIDocument)
}
