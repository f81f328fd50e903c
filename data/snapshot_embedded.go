//go:build embedsnapshot

package data

import _ "embed"

// embedded is the snapshot built by `make build` into build/zonage.snap; the
// embedsnapshot build tag makes it part of the binary so that it answers with no
// file beside it.
//
//go:embed build/zonage.snap
var embedded []byte

// EmbeddedSnapshot returns the snapshot compiled into the binary.
func EmbeddedSnapshot() []byte { return embedded }
