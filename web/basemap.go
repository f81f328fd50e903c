package web

import (
	"os"
	"strings"
)

// baseMap is the raster base map under the choropleth.
type baseMap struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution"`
}

// defaultBaseMap is OpenStreetMap's tile server, whose usage policy suits a page
// with modest traffic; a busy deployment names its own with ZONAGE_FOND_CARTE.
var defaultBaseMap = baseMap{
	URL:         "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
	Attribution: `© <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>`,
}

// currentBaseMap reads the base map from the environment: ZONAGE_FOND_CARTE is a
// tile URL template ({z}/{x}/{y}, {s} for subdomains a, b, c), or "aucun" for none
// (an offline deployment: the page then shows commune and département outlines on
// a plain background); ZONAGE_FOND_CARTE_ATTRIBUTION is its credit line.
func currentBaseMap() *baseMap {
	u := strings.TrimSpace(os.Getenv("ZONAGE_FOND_CARTE"))
	switch strings.ToLower(u) {
	case "":
		bm := defaultBaseMap
		return &bm
	case "aucun", "none":
		return nil
	}
	return &baseMap{URL: u, Attribution: os.Getenv("ZONAGE_FOND_CARTE_ATTRIBUTION")}
}
