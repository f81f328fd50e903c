//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"zonage/internal/evloop"
)

// eventLoops is the -loops mode: the raw mode's answers, written by a few
// event loops instead of a goroutine per connection. Each loop is one OS
// thread waiting in epoll on the listening socket and on its own
// connections, so that a burst of ready connections costs one wake-up, not one
// scheduling of a goroutine each: what is left is the kernel's cost of reading
// a request and writing an answer. It is the design of the servers that top
// HTTP benchmarks (nginx's workers, Go's gnet and nbio), without their HTTP.
// Its waits, reads and writes are the service's fast lane's (internal/evloop).
type eventLoops struct {
	listener  int // the listening socket, non-blocking, shared by the loops
	wake      int // an eventfd: written once, it ends every loop
	full      []byte
	lean      []byte
	done      sync.WaitGroup
	closeOnce sync.Once
}

// listenEventLoops opens a listening socket on addr ("host:port", port 0 for
// any) and starts loops event loops answering on it with full and lean.
func listenEventLoops(addr string, loops int, full, lean []byte) (*eventLoops, net.Addr, error) {
	tcp, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return nil, nil, err
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socket: %w", err)
	}
	sa := &unix.SockaddrInet4{Port: tcp.Port}
	copy(sa.Addr[:], tcp.IP.To4())
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return nil, nil, fmt.Errorf("SO_REUSEADDR: %w", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return nil, nil, fmt.Errorf("bind %s: %w", addr, err)
	}
	if err := unix.Listen(fd, 4096); err != nil {
		unix.Close(fd)
		return nil, nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	bound, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, nil, err
	}
	b4 := bound.(*unix.SockaddrInet4)
	wake, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(fd)
		return nil, nil, fmt.Errorf("eventfd: %w", err)
	}
	l := &eventLoops{listener: fd, wake: wake, full: full, lean: lean}
	for range loops {
		poller, err := l.newPoller()
		if err != nil {
			l.Close()
			return nil, nil, err
		}
		l.done.Add(1)
		go l.run(poller)
	}
	return l, &net.TCPAddr{IP: net.IP(b4.Addr[:]), Port: b4.Port}, nil
}

// newPoller is one loop's epoll instance, watching the listening socket (woken
// alone for a new connection: EPOLLEXCLUSIVE) and the eventfd that ends it.
func (l *eventLoops) newPoller() (*evloop.Poller, error) {
	poller, err := evloop.NewPoller(256)
	if err != nil {
		return nil, fmt.Errorf("epoll: %w", err)
	}
	for _, w := range []struct {
		fd     int
		events uint32
	}{{l.listener, unix.EPOLLIN | unix.EPOLLEXCLUSIVE}, {l.wake, unix.EPOLLIN}} {
		if err := unix.EpollCtl(poller.FD(), unix.EPOLL_CTL_ADD, w.fd, &unix.EpollEvent{Events: w.events, Fd: int32(w.fd)}); err != nil {
			poller.Close()
			return nil, fmt.Errorf("epoll_ctl: %w", err)
		}
	}
	return poller, nil
}

// Close ends every loop, closing their connections, then the listening socket.
func (l *eventLoops) Close() error {
	l.closeOnce.Do(func() {
		unix.Write(l.wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		l.done.Wait()
		unix.Close(l.listener)
		unix.Close(l.wake)
	})
	return nil
}

// loopConn is what a loop keeps of one connection: the bytes read and not yet
// answered, in[start:end], and the answers' bytes the socket has not taken yet.
type loopConn struct {
	in         []byte
	start, end int
	out        []byte
}

// run is one event loop, on its own OS thread until the eventfd is written.
func (l *eventLoops) run(poller *evloop.Poller) {
	defer l.done.Done()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ep := poller.FD()
	conns := map[int]*loopConn{}
	defer func() {
		for fd := range conns {
			unix.Close(fd)
		}
		poller.Close()
	}()
	for {
		n, err := poller.Wait(time.Time{})
		if err != nil {
			return
		}
		for _, e := range poller.Events[:n] {
			fd := int(e.Fd)
			switch {
			case fd == l.wake:
				return
			case fd == l.listener:
				l.accept(ep, conns)
			case e.Events&(unix.EPOLLERR|unix.EPOLLHUP) != 0:
				closeConn(ep, conns, fd)
			case e.Events&unix.EPOLLOUT != 0:
				if !l.flush(ep, fd, conns[fd]) {
					closeConn(ep, conns, fd)
				}
			case e.Events&unix.EPOLLIN != 0:
				if !l.serve(ep, fd, conns[fd]) {
					closeConn(ep, conns, fd)
				}
			}
		}
	}
}

// accept takes every connection waiting on the listening socket.
func (l *eventLoops) accept(ep int, conns map[int]*loopConn) {
	for {
		fd, _, err := unix.Accept4(l.listener, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err != nil {
			return // EAGAIN: none left, or another loop took it
		}
		// As Go's net package does: answers go out as soon as they are written.
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(fd)}); err != nil {
			unix.Close(fd)
			continue
		}
		conns[fd] = &loopConn{in: make([]byte, maxHead)}
	}
}

func closeConn(ep int, conns map[int]*loopConn, fd int) {
	unix.EpollCtl(ep, unix.EPOLL_CTL_DEL, fd, nil)
	unix.Close(fd)
	delete(conns, fd)
}

// serve reads what the client sent and answers each complete head in order,
// as the raw mode does; it reports false when the connection is to be closed:
// the client closed it, or sent a head longer than maxHead.
func (l *eventLoops) serve(ep, fd int, c *loopConn) bool {
	n, err := evloop.Read(fd, c.in[c.end:])
	if errors.Is(err, unix.EAGAIN) {
		return true
	}
	if n <= 0 || err != nil {
		return false
	}
	c.end += n
	for {
		reply, consumed := nextAnswer(c.in[c.start:c.end], l.full, l.lean)
		if consumed == 0 {
			break
		}
		c.start += consumed
		if len(c.out) > 0 {
			c.out = append(c.out, reply...)
			continue
		}
		written, err := evloop.Write(fd, reply)
		if err != nil && !errors.Is(err, unix.EAGAIN) {
			return false
		}
		if written < len(reply) {
			// The socket's buffer is full: keep the rest, and wait until it
			// can take more instead of reading further requests.
			c.out = append(c.out[:0], reply[max(written, 0):]...)
		}
	}
	if c.start == c.end {
		c.start, c.end = 0, 0
	} else if c.end == len(c.in) {
		if c.start == 0 {
			return false
		}
		c.end = copy(c.in, c.in[c.start:c.end])
		c.start = 0
	}
	if len(c.out) > 0 {
		return unix.EpollCtl(ep, unix.EPOLL_CTL_MOD, fd, &unix.EpollEvent{Events: unix.EPOLLOUT, Fd: int32(fd)}) == nil
	}
	return true
}

// flush writes what the socket did not take before; once all is written, the
// loop reads the connection's requests again.
func (l *eventLoops) flush(ep, fd int, c *loopConn) bool {
	written, err := evloop.Write(fd, c.out)
	if err != nil && !errors.Is(err, unix.EAGAIN) {
		return false
	}
	c.out = c.out[:copy(c.out, c.out[max(written, 0):])]
	if len(c.out) > 0 {
		return true
	}
	// Every complete head read was answered: what the client sent since is
	// still in the socket, and level-triggered EPOLLIN reports it.
	return unix.EpollCtl(ep, unix.EPOLL_CTL_MOD, fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(fd)}) == nil
}
