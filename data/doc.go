// Package data holds what the binary carries besides code: the manifest of the
// official sources an import downloads (sources.json, see Manifest) and, when
// built with the embedsnapshot tag, the snapshot answering with no file beside
// the binary (see EmbeddedSnapshot).
package data
