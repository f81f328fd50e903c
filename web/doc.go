// Package web is the HTTP transport of the zonage service, on Gin: the JSON API
// (resolve, communes, search, classify, dataset, catchments, sources), the
// api-adresse compatible /search/csv/ endpoint, the map and batch pages with the
// vector tiles they draw, the OpenAPI document, health, readiness and Prometheus
// metrics, and the middleware a public service needs (request ids, structured logs
// without personal data, body limits, timeouts, rate limits, CORS, gzip, ETags).
//
// Every request is bounded: bodies by size and, for JSON arrays, query by query as
// they are read; uploads leave no file behind; metric labels come from closed sets;
// problems quote at most 200 characters of what the caller sent; a streamed answer
// that cannot finish is cut without its final chunk, so that clients see a failure.
//
// Handlers are a few lines over the domain (package zones); the data they answer
// from is a State swapped atomically on reload, so a new dataset is served without a
// restart and a bad one never replaces a good one.
//
// Where things live:
//   - the frame: server.go (Config, New, Serve), conn.go (the connections:
//     a problem for oversized headers, answers held to leave in one write),
//     headervalues.go (header values carved without allocating), connlimit.go (at most MaxConnections served at once),
//     routes.go, middleware.go,
//     metrics.go (the Prometheus series), problem.go and params.go (the answers'
//     frame), profession.go (the profession parameter), profile.go (the profile
//     parameters), state.go (the State served), publications.go (what a server
//     following PostgreSQL knows of the publications), openapi.go;
//   - one file per endpoint family: resolve.go (with sea.go, the points off the
//     coast, the ready answer of those far from every commune and the day's
//     answer of those near one, and city.go, Paris, Lyon and Marseille asked as a whole;
//     resolve_fast.go and resolve_fast_parts.go the answers by coordinates
//     prepared in advance, resolve_fast_near.go those of the points attached to
//     the nearest commune and the fields written into them), communes.go, search.go, classify.go, dataset.go,
//     export.go, ogc.go, ogc_items.go and ogc_html.go (OGC API – Features),
//     catchments.go, sources.go, admin.go;
//   - the map: pages.go (the HTML pages and their security headers), assets.go
//     (the embedded built files), basemap.go (the base map under the
//     choropleth), map.go (GET /api/v1/map), mapdata.go (each commune's class,
//     the outlines and the territories for a day; mapprofession.go for another
//     profession, mapday.go for another day than today), tiles.go (the tile
//     endpoint, what each layer holds and the tile cache), labels.go (the commune
//     names placed on the tiles), tilejson.go.
//
// Geometry is not here: the tile encoding is geo/mvt, the borders between
// outlines geo/outline and where a name goes geo.LabelPoint.
package web
