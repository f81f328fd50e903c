package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"zonage/zones"
)

// The HTML pages of the OGC API (conformance class "html"): the same resources as
// the JSON, readable in a browser, with their links; no script.

// ogcPage is what every page template gets.
type ogcPage struct {
	Title string
	Base  string
	Links []ogcLink
	Data  any
}

type ogcItemsPage struct {
	Matched, Offset int
	Records         []zones.CommuneRecord
	Query           url.Values
	Categories      []zones.Category
}

type ogcFeaturePage struct {
	Record zones.CommuneRecord
}

var ogcTemplates = template.Must(template.New("ogc").Funcs(template.FuncMap{
	"columns": func() []string { return zones.RecordColumns },
	"values":  func(r zones.CommuneRecord) []string { return r.Values() },
	"plus1":   func(i int) int { return i + 1 },
	"add":     func(a, b int) int { return a + b },
	"get":     func(q url.Values, k string) string { return q.Get(k) },
	"label":   func(c zones.Category) string { return c.Label() },
	"itoa":    strconv.Itoa,
}).Parse(`
{{define "head"}}<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — zonage OGC API</title>
<style>
body{font:16px/1.45 system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}nav a{margin-right:1rem}code{background:#f4f4f4;padding:0 .2rem}
form{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:1rem 0}label{display:flex;flex-direction:column;font-size:.9rem}
input,select,button{font:inherit;padding:.25rem}
</style></head><body>
<nav><a href="{{.Base}}/ogc?f=html">Accueil OGC API</a><a href="{{.Base}}/ogc/collections?f=html">Collections</a><a href="{{.Base}}/">Carte</a></nav>
<h1>{{.Title}}</h1>{{end}}

{{define "links"}}<h2>Liens</h2><ul>{{range .Links}}<li><a href="{{.Href}}">{{.Title}}</a> <small>({{.Rel}}, {{.Type}})</small></li>{{end}}</ul>
<p><small>Réponses en JSON avec <code>?f=json</code> ou l'en-tête <code>Accept: application/json</code>.</small></p></body></html>{{end}}

{{define "landing"}}{{template "head" .}}<p>{{index .Data "description"}}</p>
<p>Dans QGIS : « Couche › Ajouter une couche › Ajouter une couche WFS / OGC API – Entités », URL <code>{{.Base}}/ogc</code>.
Avec GDAL : <code>ogrinfo OAPIF:{{.Base}}/ogc communes -so</code>.</p>
{{template "links" .}}{{end}}

{{define "conformance"}}{{template "head" .}}<ul>{{range .Data}}<li><code>{{.}}</code></li>{{end}}</ul>{{template "links" .}}{{end}}

{{define "collections"}}{{template "head" .}}{{range .Data}}<h2><a href="{{$.Base}}/ogc/collections/{{index . "id"}}?f=html">{{index . "title"}}</a></h2><p>{{index . "description"}}</p>{{end}}{{template "links" .}}{{end}}

{{define "collection"}}{{template "head" .}}<p>{{index .Data "description"}}</p>
<p>Identifiant : <code>{{index .Data "id"}}</code> · système de coordonnées : <code>{{index .Data "storageCrs"}}</code> (longitude, latitude WGS84)</p>
<p><a href="{{.Base}}/ogc/collections/{{index .Data "id"}}/items?f=html">Parcourir les communes</a></p>{{template "links" .}}{{end}}

{{define "items"}}{{template "head" .}}{{with .Data}}
<form method="get" action="{{$.Base}}/ogc/collections/communes/items">
<input type="hidden" name="f" value="html">
<label>Catégorie<select name="categorie"><option value="">toutes</option>{{range .Categories}}<option value="{{.}}"{{if eq (get $.Data.Query "categorie") (print .)}} selected{{end}}>{{label .}}</option>{{end}}</select></label>
<label>Département<input name="departement" size="4" value="{{get .Query "departement"}}" placeholder="ex. 75"></label>
<label>Région<input name="region" size="4" value="{{get .Query "region"}}" placeholder="ex. 11"></label>
<label>bbox<input name="bbox" size="28" value="{{get .Query "bbox"}}" placeholder="lon min,lat min,lon max,lat max"></label>
<label>Par page<input name="limit" size="6" value="{{get .Query "limit"}}" placeholder="100"></label>
<button>Filtrer</button></form>
<p>{{.Matched}} communes correspondent{{if .Records}} ; voici les n<sup>os</sup> {{plus1 .Offset}} à {{add .Offset (len .Records)}}{{end}}.</p>
<table><thead><tr><th>code</th><th>nom</th><th>département</th><th>région</th><th>catégorie</th><th>statut</th></tr></thead><tbody>
{{range .Records}}<tr><td><a href="{{$.Base}}/ogc/collections/communes/items/{{.Code}}?f=html">{{.Code}}</a></td><td>{{.Name}}</td><td>{{.Departement}}</td><td>{{.RegionName}}</td><td>{{if .Label}}{{.Label}}{{else}}—{{end}}</td><td>{{.Status}}</td></tr>
{{end}}</tbody></table>{{end}}
<p>{{range .Links}}{{if eq .Rel "prev"}}<a href="{{.Href}}">← page précédente</a> {{end}}{{if eq .Rel "next"}}<a href="{{.Href}}">page suivante →</a>{{end}}{{end}}</p>
{{template "links" .}}{{end}}

{{define "feature"}}{{template "head" .}}<table><tbody>
{{$v := values .Data.Record}}{{range $i, $c := columns}}<tr><th>{{$c}}</th><td>{{index $v $i}}</td></tr>{{end}}
</tbody></table>{{template "links" .}}{{end}}
`))

func renderOGCHTML(c *gin.Context, name string, page ogcPage) {
	var buf bytes.Buffer
	if err := ogcTemplates.ExecuteTemplate(&buf, name, page); err != nil {
		writeProblem(c, http.StatusInternalServerError, ProblemInternal, "erreur interne ; identifiant "+requestIDOf(c))
		return
	}
	c.Header("Content-Security-Policy", ogcHTMLSecurePolicy)
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}
