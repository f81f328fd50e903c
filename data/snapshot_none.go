//go:build !embedsnapshot

package data

// EmbeddedSnapshot returns nil: this binary was built without the embedsnapshot
// tag and reads its snapshot from a file.
func EmbeddedSnapshot() []byte { return nil }

// ReleaseEmbeddedSnapshot does nothing: there is no embedded snapshot.
func ReleaseEmbeddedSnapshot() {}
