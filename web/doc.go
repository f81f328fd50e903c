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
package web
