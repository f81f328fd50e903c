//go:build embedsnapshot && !linux

package data

// releasePages does nothing where the kernel is not asked (see release_linux.go).
func releasePages([]byte) {}
