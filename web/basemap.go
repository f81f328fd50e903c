package web

import "strings"

// BaseMap is the raster base map the map page draws under the choropleth: a tile
// URL template ({z}/{x}/{y}, {s} for subdomains a, b, c) and its credit line.
type BaseMap struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution"`
}

// DefaultBaseMap is OpenStreetMap's tile server, whose usage policy suits a page
// with modest traffic; a busy deployment names its own (Config.BaseMap).
var DefaultBaseMap = BaseMap{
	URL:         "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
	Attribution: `© <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>`,
}

// ParseBaseMap reads the base map a deployment names, for Config.BaseMap: empty
// for the default (nil), "aucun" or "none" for none (an offline deployment: the
// page then shows commune and département outlines on a plain background), else a
// tile URL template credited with attribution.
func ParseBaseMap(url, attribution string) *BaseMap {
	u := strings.TrimSpace(url)
	switch strings.ToLower(u) {
	case "":
		return nil
	case "aucun", "none":
		return &BaseMap{}
	}
	return &BaseMap{URL: u, Attribution: attribution}
}

// baseMap is the base map the pages draw, nil for none.
func (s *Server) baseMap() *BaseMap {
	if s.cfg.BaseMap.URL == "" {
		return nil
	}
	return s.cfg.BaseMap
}
