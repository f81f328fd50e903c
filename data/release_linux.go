//go:build embedsnapshot && linux

package data

import (
	"os"
	"syscall"
	"unsafe"
)

// releasePages tells the kernel that the whole pages of b, which are read-only
// pages of the executable, are not needed for now: they leave the process's
// resident memory, and are read again from the executable if b is read again.
func releasePages(b []byte) {
	if len(b) == 0 {
		return
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(&b[0]))
	from := (start + page - 1) &^ (page - 1)
	to := (start + uintptr(len(b))) &^ (page - 1)
	if to <= from {
		return
	}
	// Advice only: an error leaves the pages resident, which is harmless.
	_ = syscall.Madvise(b[from-start:to-start], syscall.MADV_DONTNEED)
}
