//go:build linux

package evloop

import (
	"errors"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Poller is an epoll set and the events of its last wait. It is not safe for
// concurrent use: one loop owns it.
type Poller struct {
	Events   []unix.EpollEvent
	fd       int
	file     *os.File        // the same set in Go's poller
	conn     syscall.RawConn // to wait on it there
	deadline time.Time       // of the wait, as last set
}

// NewPoller is an empty epoll set whose waits return up to size events.
func NewPoller(size int) (*Poller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	// In non-blocking mode, os.NewFile puts the set in Go's poller.
	file := os.NewFile(uintptr(fd), "epoll")
	if err := file.SetReadDeadline(time.Time{}); err != nil {
		file.Close()
		return nil, err // not in the poller: a wait could not park
	}
	conn, err := file.SyscallConn()
	if err != nil {
		file.Close()
		return nil, err
	}
	return &Poller{Events: make([]unix.EpollEvent, size), fd: fd, file: file, conn: conn}, nil
}

// FD is the epoll set's descriptor, for epoll_ctl.
func (p *Poller) FD() int { return p.fd }

// Close closes the set.
func (p *Poller) Close() error { return p.file.Close() }

// Wait returns the number of events in p.Events: at once when the set has
// some; else once it has, or at until (0 then; the zero time waits for
// ever). It never blocks a thread: when there is nothing yet, the goroutine
// parks in Go's poller.
func (p *Poller) Wait(until time.Time) (int, error) {
	n, err := p.now()
	if n > 0 || !retry(err) {
		return n, err
	}
	if !until.Equal(p.deadline) {
		// Loops wait for the same until many times in a row: the timer
		// is set when it changes, not at each wait.
		if err := p.file.SetReadDeadline(until); err != nil {
			return 0, err
		}
		p.deadline = until
	}
	n = 0
	// Read calls the function again each time Go's poller says the set
	// became readable, until it returns true or the deadline passes.
	readErr := p.conn.Read(func(uintptr) bool {
		n, err = p.now()
		return n > 0 || !retry(err)
	})
	if errors.Is(readErr, os.ErrDeadlineExceeded) {
		return 0, nil
	}
	if readErr != nil {
		return 0, readErr
	}
	return n, err
}

// now is epoll_wait with a zero timeout: the events ready now.
func (p *Poller) now() (int, error) {
	n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_WAIT, uintptr(p.fd), uintptr(unsafe.Pointer(&p.Events[0])), uintptr(len(p.Events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	if n == 0 {
		return 0, unix.EAGAIN
	}
	return int(n), nil
}

// retry reports whether err means only "nothing yet".
func retry(err error) bool {
	return errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR)
}

// Read is read(2) on a non-blocking descriptor, straight to the kernel:
// n is -1 with the error, 0 at the end of the stream.
func Read(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if errno != 0 {
		return -1, errno
	}
	return int(n), nil
}

// Write is write(2) on a non-blocking descriptor, straight to the kernel:
// n is -1 with the error.
func Write(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if errno != 0 {
		return -1, errno
	}
	return int(n), nil
}
