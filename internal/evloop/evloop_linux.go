//go:build linux

package evloop

import (
	"errors"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Poller is an epoll set and the events of its last wait. It is not safe for
// concurrent use: one loop owns it.
type Poller struct {
	Events []unix.EpollEvent
	fd     int
}

// NewPoller is an empty epoll set whose waits return up to size events.
func NewPoller(size int) (*Poller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &Poller{Events: make([]unix.EpollEvent, size), fd: fd}, nil
}

// FD is the epoll set's descriptor, for epoll_ctl.
func (p *Poller) FD() int { return p.fd }

// Close closes the set.
func (p *Poller) Close() error { return unix.Close(p.fd) }

// Wait returns the number of events in p.Events: at once when the set has
// some; else once it has, or at until (0 then; the zero time waits for
// ever). Events ready now are taken with a plain call; only a wait that has
// to sleep goes through the runtime's blocking-call path, as it must, so that
// the thread's processor serves other goroutines meanwhile.
func (p *Poller) Wait(until time.Time) (int, error) {
	n, err := p.now()
	if n > 0 || !retry(err) {
		return n, err
	}
	for {
		timeout := -1
		if !until.IsZero() {
			// Rounded up to the millisecond epoll counts in: a wait never
			// ends before until.
			timeout = max(0, int((time.Until(until)+time.Millisecond-1)/time.Millisecond))
		}
		n, err = unix.EpollWait(p.fd, p.Events, timeout)
		// A signal (the runtime's preemption sends them) interrupts the
		// sleep: wait again for what is left of it.
		if !errors.Is(err, unix.EINTR) {
			return n, err
		}
		if timeout == 0 {
			return 0, nil
		}
	}
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
