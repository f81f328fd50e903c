// Package export writes the communes of a dataset with their zonage as files GIS
// tools and spreadsheets open: GeoJSON (RFC 7946, CRS84), CSV (no geometry) and
// GeoPackage (OGC 12-128r18, through modernc.org/sqlite, a SQLite in pure Go, so
// the binary still builds without cgo). Every format carries the same fields,
// zones.RecordColumns, one row or feature per commune in code order.
//
// Files are written atomically: to a temporary file beside the target, synced,
// then renamed over it, so a failed export never leaves half a file behind.
package export
