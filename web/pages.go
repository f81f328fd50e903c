package web

import (
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy allows the page its own scripts and the base map's images,
// and framing by its own origin only.
func contentSecurityPolicy(bm *BaseMap) string {
	img := "'self' data: blob:"
	if bm != nil {
		if u, err := url.Parse(strings.ReplaceAll(bm.URL, "{s}.", "")); err == nil && u.Host != "" {
			host := u.Host
			if strings.Contains(bm.URL, "{s}.") {
				host = "*." + host
			}
			img += " " + u.Scheme + "://" + host
		}
	}
	return "default-src 'self'; img-src " + img + "; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
}

// handleMapPage answers GET / with the map; handleBatchPage GET /lot with the
// batch classification page.
func (s *Server) handleMapPage(c *gin.Context)   { s.servePage(c, "/static/index.html") }
func (s *Server) handleBatchPage(c *gin.Context) { s.servePage(c, "/static/lot.html") }

func (s *Server) servePage(c *gin.Context, name string) {
	a := loadAssets()[name]
	// Building the map data takes a second the first time; starting it with the page
	// means it is ready, or nearly, when the page asks for its first tiles.
	if st := s.Current(); name == "/static/index.html" && st != nil {
		go st.mapData().prepareFirstView()
	}
	c.Header("Content-Security-Policy", contentSecurityPolicy(s.baseMap()))
	// Another site must not frame the pages under its own (clickjacking): the
	// directive above for current browsers, X-Frame-Options for older ones.
	c.Header("X-Frame-Options", "SAMEORIGIN")
	c.Header("Referrer-Policy", "same-origin")
	serveAsset(c, a, false)
}
