package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

// tileLayerDescriptions describe the two tile sets in their TileJSON; the
// communes' is completed for a profession by layerDescription.
var tileLayerDescriptions = map[string]string{
	layerCommunes:     "Communes colorées par catégorie du zonage",
	layerDepartements: "Limites des départements, côtes et frontières (lignes) ; la couche noms y ajoute les noms des communes",
}

// layerDescription describes a tile set; the communes' names the profession and
// its classes.
func layerDescription(layer string, md *mapData) string {
	if layer != layerCommunes {
		return tileLayerDescriptions[layer]
	}
	keys := make([]string, len(md.classes))
	for i, cl := range md.classes {
		keys[i] = cl.Key
	}
	when := " en vigueur ce jour"
	if md.dated {
		when = " en vigueur le " + zones.FrenchDate(md.day)
	}
	if md.profession != zones.DefaultProfession {
		// Another profession's export dates no arrêté: the map is the export's, whatever the day.
		when = ", tel que son export CartoSanté le publie (sans date d'arrêté)"
	}
	return tileLayerDescriptions[layer] + " des " + md.profession.Plural() + when + " ; attribut k : la classe (" + strings.Join(keys, ", ") + ")"
}

// namesLayerDescription describes the names layer carried by the départements' tiles.
const namesLayerDescription = "Noms des communes (points) placés par le serveur, les plus peuplées d'abord, sans chevauchement au zoom de la tuile ; attribut n : le nom"

// handleTileJSON answers GET /api/v1/tiles/{layer}.json: the TileJSON 3.0.0
// description of a tile set, so that MapLibre and other TileJSON clients add it
// from one URL. Its tile URL names the dataset and day, like the map page's, and
// for the communes the profession profession= names, when it is not the default.
func (s *Server) handleTileJSON(c *gin.Context) {
	layer, isJSON := strings.CutSuffix(c.Param("layer"), ".json")
	if _, known := tileLayerDescriptions[layer]; !isJSON || !known {
		writeProblem(c, http.StatusNotFound, ProblemNotFound, "aucune ressource à l'adresse "+c.Request.URL.Path+" : /api/v1/tiles/communes.json ou /api/v1/tiles/departements.json attendu")
		return
	}
	if !checkParams(c, "date", professionParam) {
		return
	}
	md, ok := s.Current().layerMapData(c, layer)
	if !ok {
		return
	}
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
	name := "zonage kiné — " + layer
	switch {
	case layer == layerDepartements:
		// The borders and names are every profession's.
		name = "zonage — " + layer
	case md.profession != zones.DefaultProfession:
		name = "zonage des " + md.profession.Plural() + " — " + layer
	}
	c.JSON(http.StatusOK, gin.H{
		"tilejson":      "3.0.0",
		"name":          name,
		"description":   layerDescription(layer, md),
		"version":       "1.0.0",
		"attribution":   "Zonage : ARS/DGOS (CartoSanté) ; contours : IGN ADMIN EXPRESS",
		"scheme":        "xyz",
		"tiles":         []string{base + "/api/v1/tiles/" + layer + "/{z}/{x}/{y}.mvt?v=" + v + professionQuery(md.profession) + md.dateQuery()},
		"minzoom":       0,
		"maxzoom":       maxZoomOf(layer),
		"bounds":        [4]float64{west, south, east, north},
		"center":        [3]float64{2.35, 46.6, 5},
		"vector_layers": vectorLayers(layer, md),
	})
}

// vectorLayers lists the layers of a tile set's tiles.
func vectorLayers(layer string, md *mapData) []gin.H {
	out := []gin.H{{
		"id": layer, "description": layerDescription(layer, md), "minzoom": 0, "maxzoom": maxZoomOf(layer),
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
