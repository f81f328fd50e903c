//go:build linux

package evloop

import (
	"errors"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pair is a connected pair of non-blocking stream sockets.
func pair(t *testing.T) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// A wait with nothing ready parks the goroutine until a descriptor of the set
// becomes readable, and returns at once when one is.
func TestWaitParksUntilReadable(t *testing.T) {
	p, err := NewPoller(8)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	a, b := pair(t)
	if err := unix.EpollCtl(p.FD(), unix.EPOLL_CTL_ADD, a, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(a)}); err != nil {
		t.Fatal(err)
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := p.Wait(time.Now().Add(time.Minute))
		done <- result{n, err}
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("the wait returned before anything was readable: %+v", r)
	default:
	}
	if n, err := Write(b, []byte("x")); n != 1 || err != nil {
		t.Fatalf("Write: %d, %v", n, err)
	}
	select {
	case r := <-done:
		if r.err != nil || r.n != 1 || int(p.Events[0].Fd) != a {
			t.Fatalf("wait: %d events, %v, first fd %d (want 1 event on %d)", r.n, r.err, p.Events[0].Fd, a)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the wait did not return once the socket was readable")
	}
	// Ready at once: the same event, level-triggered, until it is read.
	if n, err := p.Wait(time.Now().Add(time.Minute)); n != 1 || err != nil {
		t.Fatalf("second wait: %d, %v", n, err)
	}
	buf := make([]byte, 4)
	if n, err := Read(a, buf); n != 1 || err != nil || buf[0] != 'x' {
		t.Fatalf("Read: %d, %v, %q", n, err, buf[:max(n, 0)])
	}
	// Nothing left: Read says so without blocking.
	if n, err := Read(a, buf); n != -1 || !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("Read of an empty socket: %d, %v (want -1, EAGAIN)", n, err)
	}
}

// A wait with nothing ready ends at its deadline with no event, and again at
// a later deadline: the timer follows the deadline asked for.
func TestWaitEndsAtItsDeadline(t *testing.T) {
	p, err := NewPoller(8)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for range 2 {
		start := time.Now()
		n, err := p.Wait(start.Add(30 * time.Millisecond))
		if n != 0 || err != nil {
			t.Fatalf("wait: %d events, %v", n, err)
		}
		if waited := time.Since(start); waited < 30*time.Millisecond {
			t.Fatalf("the wait returned after %v, before its deadline", waited)
		}
	}
}

// Signals delivered to the thread while it sleeps in the wait (as the
// runtime's preemption does) do not end the wait before its deadline.
func TestWaitOutlastsSignals(t *testing.T) {
	p, err := NewPoller(8)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	signals := make(chan os.Signal, 64)
	signal.Notify(signals, syscall.SIGUSR1)
	defer signal.Stop(signals)
	type result struct {
		n      int
		err    error
		waited time.Duration
	}
	thread := make(chan int)
	done := make(chan result, 1)
	go func() {
		// The waiting goroutine keeps its thread, so that the signals are
		// sent to the very thread that sleeps in epoll_wait.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		thread <- unix.Gettid()
		start := time.Now()
		n, err := p.Wait(start.Add(200 * time.Millisecond))
		done <- result{n, err, time.Since(start)}
	}()
	tid := <-thread
	sent := 0
	var r result
signalling:
	for {
		select {
		case r = <-done:
			break signalling
		case <-time.After(5 * time.Millisecond):
			if err := unix.Tgkill(unix.Getpid(), tid, unix.SIGUSR1); err != nil {
				t.Fatal(err)
			}
			sent++
		}
	}
	if sent == 0 {
		t.Fatal("no signal was sent during the wait")
	}
	if r.n != 0 || r.err != nil {
		t.Fatalf("wait: %d events, %v", r.n, r.err)
	}
	if r.waited < 200*time.Millisecond {
		t.Fatalf("the wait returned after %v and %d signals, before its deadline", r.waited, sent)
	}
}

// Write and Read pass bytes through, and the peer's end reads as the end of
// the stream.
func TestReadWriteAndEnd(t *testing.T) {
	a, b := pair(t)
	if n, err := Write(a, []byte("bonjour")); n != 7 || err != nil {
		t.Fatalf("Write: %d, %v", n, err)
	}
	if n, err := Write(a, nil); n != 0 || err != nil {
		t.Fatalf("Write of nothing: %d, %v", n, err)
	}
	buf := make([]byte, 16)
	if n, err := Read(b, buf); n != 7 || err != nil || string(buf[:n]) != "bonjour" {
		t.Fatalf("Read: %d, %v, %q", n, err, buf[:max(n, 0)])
	}
	if err := unix.Shutdown(a, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	if n, err := Read(b, buf); n != 0 || err != nil {
		t.Fatalf("Read after the peer's end: %d, %v (want 0, nil)", n, err)
	}
	if n, err := Write(-1, []byte("x")); n != -1 || !errors.Is(err, unix.EBADF) {
		t.Fatalf("Write to no descriptor: %d, %v", n, err)
	}
}
