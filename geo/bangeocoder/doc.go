// Package bangeocoder is a client for the public address geocoder of the Base
// Adresse Nationale: the Géoplateforme service (https://data.geopf.fr/geocodage,
// run by IGN) and its deprecated predecessor api-adresse.data.gouv.fr, which
// answer the same two endpoints.
//
//   - GET /search/ geocodes one address and answers a GeoJSON FeatureCollection
//     (GeoCodeJSON); Search reads the best feature and keeps the next ones as
//     candidates, so callers can tell an ambiguous address from a clear one.
//   - POST /search/csv/ geocodes a whole CSV file sent as multipart form data
//     and answers the same file with latitude, longitude and result_* columns
//     appended; SearchCSV streams that answer, SearchBatch uses it in chunks to
//     geocode a list of queries with one result per query, in order.
//
// The service allows 50 requests per second per IP address and answers 429
// beyond that, blocking the caller while it keeps exceeding the limit. A
// Client therefore spaces its requests with one limiter (golang.org/x/time/rate,
// no burst) shared by all its goroutines and both endpoints, pauses every
// goroutine when a 429 arrives, retries 429, 5xx and network errors with
// exponential backoff and jitter, and caches answers by normalised query so a repeated address costs one request.
//
// It owns the wire protocol only: which commune or zonage an answer leads to
// is for the callers. A failed request is an *Error whose French message names
// the method, the URL and the HTTP status.
package bangeocoder
