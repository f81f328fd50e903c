package data

import (
	_ "embed"
	"slices"
)

// sources is embedded so that `zonage import` can fetch the official sources
// from any directory, with the list of URLs, licences and digests that shipped
// with this binary.
//
//go:embed sources.json
var sources []byte

// Manifest returns the JSON manifest of the official sources (sources.json).
// The importer parses and validates it; this package only carries the bytes.
// It returns a copy so that no caller can alter what the next one reads.
func Manifest() []byte { return slices.Clone(sources) }
