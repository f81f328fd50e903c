package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// The map page and the batch page are static files built by `make assets` from
// static/src with the front-end libraries pinned in static/package-lock.json; the
// built files are embedded so the binary serves them with nothing beside it.
//
//go:embed static/index.html static/lot.html static/favicon.svg static/dist
var staticFiles embed.FS

// asset is one embedded file, with the hash that versions its URL.
type asset struct {
	body  []byte
	ctype string
	hash  string
}

var (
	assetsOnce sync.Once
	assets     map[string]*asset // by URL path
)

// loadAssets reads the embedded files once. Pages refer to the built files with
// their content hash in the query string, so those can be cached for good while a
// new binary's pages fetch the new files.
func loadAssets() map[string]*asset {
	assetsOnce.Do(func() {
		assets = map[string]*asset{}
		fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := staticFiles.ReadFile(p)
			sum := sha256.Sum256(b)
			ctype := mime.TypeByExtension(path.Ext(p))
			switch path.Ext(p) {
			case ".js":
				ctype = "text/javascript; charset=utf-8"
			case ".css":
				ctype = "text/css; charset=utf-8"
			case ".html":
				ctype = "text/html; charset=utf-8"
			case ".svg":
				ctype = "image/svg+xml"
			}
			assets["/"+p] = &asset{body: b, ctype: ctype, hash: hex.EncodeToString(sum[:6])}
			return nil
		})
		for _, page := range []string{"/static/index.html", "/static/lot.html"} {
			a := assets[page]
			for name, dep := range assets {
				if strings.HasPrefix(name, "/static/dist/") || name == "/static/favicon.svg" {
					a.body = bytes.ReplaceAll(a.body, []byte(`"`+name+`"`), []byte(`"`+name+"?v="+dep.hash+`"`))
				}
			}
			sum := sha256.Sum256(a.body)
			a.hash = hex.EncodeToString(sum[:6])
		}
	})
	return assets
}

// handleStatic answers GET /static/*path with the embedded built files.
func (s *Server) handleStatic(c *gin.Context) {
	a, ok := loadAssets()["/static"+c.Param("path")]
	if !ok || strings.HasSuffix(c.Param("path"), ".html") {
		writeProblem(c, http.StatusNotFound, ProblemNotFound, "fichier statique "+c.Param("path")+" introuvable")
		return
	}
	serveAsset(c, a, c.Query("v") == a.hash)
}

func serveAsset(c *gin.Context, a *asset, immutable bool) {
	cacheControl := "no-cache"
	if immutable {
		cacheControl = "public, max-age=31536000, immutable"
	}
	// An embedded file changes only with the binary: its content hash is its ETag.
	if answerNotModified(c, `"`+a.hash+`"`, cacheControl) {
		return
	}
	c.Data(http.StatusOK, a.ctype, a.body)
}
