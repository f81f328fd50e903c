package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// tileLayerDescriptions describe the two tile sets in their TileJSON.
var tileLayerDescriptions = map[string]string{
	layerCommunes:     "Communes colorées par catégorie du zonage des masseurs-kinésithérapeutes en vigueur ce jour ; attribut k : la classe (tres_sous_dotee, sous_dotee, intermediaire, non_prioritaire, tres_dotee, sur_dotee, non_disponible, ambigu, sans_zonage)",
	layerDepartements: "Limites des départements, côtes et frontières (lignes) ; la couche noms y ajoute les noms des communes",
}

// namesLayerDescription describes the names layer carried by the départements' tiles.
const namesLayerDescription = "Noms des communes (points) placés par le serveur, les plus peuplées d'abord, sans chevauchement au zoom de la tuile ; attribut n : le nom"

// handleTileJSON answers GET /api/v1/tiles/{layer}.json: the TileJSON 3.0.0
// description of a tile set, so that MapLibre and other TileJSON clients add it
// from one URL. Its tile URL names the dataset and day, like the map page's.
func (s *Server) handleTileJSON(c *gin.Context) {
	layer, isJSON := strings.CutSuffix(c.Param("layer"), ".json")
	if _, known := tileLayerDescriptions[layer]; !isJSON || !known {
		writeProblem(c, http.StatusNotFound, ProblemNotFound, "aucune ressource à l'adresse "+c.Request.URL.Path+" : /api/v1/tiles/communes.json ou /api/v1/tiles/departements.json attendu")
		return
	}
	if !checkParams(c) {
		return
	}
	md := s.Current().mapData()
	if md.polys == nil {
		writeProblem(c, http.StatusServiceUnavailable, ProblemUnavailable, "tuiles indisponibles : les contours des communes ne sont pas chargés")
		return
	}
	base := externalBase(c)
	c.Header("Vary", "Host, X-Forwarded-Host, X-Forwarded-Proto")
	if notModified(c, md.version, md.day, 5*time.Minute) {
		return
	}
	var west, south, east, north float64
	for i, t := range md.territories {
		if i == 0 {
			west, south, east, north = t.Bounds[0], t.Bounds[1], t.Bounds[2], t.Bounds[3]
			continue
		}
		west, south, east, north = min(west, t.Bounds[0]), min(south, t.Bounds[1]), max(east, t.Bounds[2]), max(north, t.Bounds[3])
	}
	v := url.QueryEscape(md.version + "." + md.day)
	c.JSON(http.StatusOK, gin.H{
		"tilejson":      "3.0.0",
		"name":          "zonage kiné — " + layer,
		"description":   tileLayerDescriptions[layer],
		"version":       "1.0.0",
		"attribution":   "Zonage : ARS/DGOS (CartoSanté) ; contours : IGN ADMIN EXPRESS",
		"scheme":        "xyz",
		"tiles":         []string{base + "/api/v1/tiles/" + layer + "/{z}/{x}/{y}.mvt?v=" + v},
		"minzoom":       0,
		"maxzoom":       maxZoomOf(layer),
		"bounds":        [4]float64{west, south, east, north},
		"center":        [3]float64{2.35, 46.6, 5},
		"vector_layers": vectorLayers(layer),
	})
}

// vectorLayers lists the layers of a tile set's tiles.
func vectorLayers(layer string) []gin.H {
	out := []gin.H{{
		"id": layer, "description": tileLayerDescriptions[layer], "minzoom": 0, "maxzoom": maxZoomOf(layer),
		"fields": tileLayerFields(layer),
	}}
	if layer == layerDepartements {
		out = append(out, gin.H{"id": layerNames, "description": namesLayerDescription, "minzoom": 0, "maxzoom": maxBordersZoom,
			"fields": map[string]string{"n": "String"}})
	}
	return out
}

func tileLayerFields(layer string) map[string]string {
	if layer == layerCommunes {
		return map[string]string{"k": "String"}
	}
	return map[string]string{}
}
