//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// The generator is one event loop on one thread, over non-blocking sockets and
// an epoll set of its own, as wrk does, rather than a goroutine and a Go timer
// per connection: the sockets are its own, not net.Conn, so that the Go
// runtime's poller and scheduler are not woken by their events as well.
//
// On the machines it runs on, sleeping and waking a thread costs more CPU than
// sending a request and reading its answer, so the loop wakes once per request
// due, not also once per answer: while a connection is free for the next
// request, it sleeps until that request is due, then reads every answer that
// has come meanwhile and sends what is due. An answer read later than it came
// is not counted late: the kernel stamps each segment with the time it reached
// the socket (SO_TIMESTAMPNS), and a latency ends at the arrival of the
// answer's last byte. Only when every connection is busy does the loop wake for
// the first answer, to send what is due on that connection at once.

// connState is where a connection is in its exchange.
type connState uint8

const (
	connClosed     connState = iota // no socket: dialled again when a request needs it
	connIdle                        // connected, in the queue of free connections
	connConnecting                  // dialling, with its request waiting to be written
	connWriting                     // part of its request written, the socket full
	connAwaiting                    // request written, answer not complete yet
)

// conn is one keep-alive connection of the loop.
type conn struct {
	fd      int
	state   connState
	request int           // the request in flight, if any
	written int           // bytes of it written
	sent    time.Duration // when it was sent (or its dial began), after start
	answer  answerReader
	// unwatched: idle, and out of the epoll set since the server closed it
	// or sent on it unasked.
	unwatched bool
}

// loop sends the requests of one run and reads their answers.
type loop struct {
	cfg      config
	requests [][]byte
	addr     syscall.Sockaddr
	family   int
	epfd     int    // the connections and the wake pipe
	sleepfd  int    // the wake pipe alone: a sleep that answers do not end
	wake     [2]int // a pipe: cancelling the run writes to it, which ends the wait
	conns    []conn
	free     []int // connected idle connections, the one free the longest first
	closed   []int // connections without a socket
	buf      []byte
	events   []syscall.EpollEvent
	// recvmsg's arguments, kept so that a read does not allocate.
	msg     syscall.Msghdr
	iov     syscall.Iovec
	control []byte
	pwait2  bool // epoll_pwait2 is there (Linux 5.11 and later)

	start    time.Time
	interval time.Duration
	total    int
	stopAt   time.Duration // past it, requests not sent yet are left unsent
	next     int           // the next request to send
	stopped  bool          // no more requests are sent: cancelled, or past stopAt
	inFlight int
	lastDone time.Duration
	res      *result
}

// wakeToken is the epoll data of the cancellation pipe; connections use their index.
const wakeToken = -1

// run opens the connections, then sends request i at start + i/rate on the
// connection free the longest, for cfg.duration.
func run(ctx context.Context, cfg config) (*result, error) {
	addr, family, err := resolve(cfg.target.Host)
	if err != nil {
		return nil, err
	}
	total := max(1, int(cfg.rate*cfg.duration.Seconds()))
	l := &loop{
		cfg:      cfg,
		requests: buildRequests(cfg),
		addr:     addr,
		family:   family,
		epfd:     -1,
		sleepfd:  -1,
		wake:     [2]int{-1, -1},
		conns:    make([]conn, cfg.connections),
		free:     make([]int, 0, cfg.connections),
		closed:   make([]int, 0, cfg.connections),
		// An answer of the service is at most a few tens of KB: one read
		// takes it whole, as the loopback delivers it in one segment.
		buf:      make([]byte, 256<<10),
		events:   make([]syscall.EpollEvent, 256),
		control:  make([]byte, syscall.CmsgSpace(int(unsafe.Sizeof(syscall.Timespec{})))),
		pwait2:   true,
		interval: time.Duration(float64(time.Second) / cfg.rate),
		total:    total,
		res:      &result{scheduled: total, latencies: make([]time.Duration, total)},
	}
	// The loop runs on a thread of its own (see timer slack in sendAndRead),
	// which ends with it.
	finished := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		finished <- l.sendAndRead(ctx)
	}()
	if err := <-finished; err != nil {
		return nil, err
	}
	res := l.res
	end := time.Now()
	for i, lat := range res.latencies {
		if lat < 0 {
			res.unsent++
			res.latencies[i] = end.Sub(res.start.Add(time.Duration(i) * l.interval))
		}
	}
	res.wall = l.lastDone
	return res, nil
}

// resolve finds the address to dial once, before the run.
func resolve(host string) (syscall.Sockaddr, int, error) {
	a, err := net.ResolveTCPAddr("tcp", host)
	if err != nil {
		return nil, 0, err
	}
	if ip4 := a.IP.To4(); ip4 != nil {
		sa := &syscall.SockaddrInet4{Port: a.Port}
		copy(sa.Addr[:], ip4)
		return sa, syscall.AF_INET, nil
	}
	sa := &syscall.SockaddrInet6{Port: a.Port}
	copy(sa.Addr[:], a.IP.To16())
	if a.Zone != "" {
		iface, err := net.InterfaceByName(a.Zone)
		if err != nil {
			return nil, 0, err
		}
		sa.ZoneId = uint32(iface.Index)
	}
	return sa, syscall.AF_INET6, nil
}

// sendAndRead is the whole run: the connections opened, every request sent
// when due (or left unsent), every answer read.
func (l *loop) sendAndRead(ctx context.Context) (err error) {
	// The kernel may delay a timed wait by the thread's timer slack, 50 µs by
	// default: more than the interval between requests at the rates measured,
	// and a late send counts against the server. This thread asks for none.
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_TIMERSLACK, 1, 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_TIMERSLACK) : %w", errno)
	}
	defer l.closeAll()
	if l.epfd, err = syscall.EpollCreate1(syscall.EPOLL_CLOEXEC); err != nil {
		return fmt.Errorf("epoll_create1 : %w", err)
	}
	if l.sleepfd, err = syscall.EpollCreate1(syscall.EPOLL_CLOEXEC); err != nil {
		return fmt.Errorf("epoll_create1 : %w", err)
	}
	if err := syscall.Pipe2(l.wake[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		return fmt.Errorf("pipe2 : %w", err)
	}
	for _, epfd := range []int{l.epfd, l.sleepfd} {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: wakeToken}
		if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, l.wake[0], &ev); err != nil {
			return fmt.Errorf("epoll_ctl : %w", err)
		}
	}
	// Cancelling the run wakes the loop through the pipe. The watcher is gone
	// before the pipe is closed, so that it never writes to a reused descriptor.
	ended, watcherGone := make(chan struct{}), make(chan struct{})
	defer func() {
		close(ended)
		<-watcherGone
	}()
	go func() {
		defer close(watcherGone)
		select {
		case <-ctx.Done():
			syscall.Write(l.wake[1], []byte{1})
		case <-ended:
		}
	}()
	if err := l.connectAll(); err != nil {
		return err
	}
	cpu0 := cpuTime()
	defer func() { l.res.cpu = cpuTime() - cpu0 }()

	l.start = time.Now().Add(10 * time.Millisecond)
	l.res.start = l.start
	grace := max(l.cfg.timeout, time.Second)
	l.stopAt = l.cfg.duration + grace
	for {
		now := time.Since(l.start)
		if !l.stopped && (now > l.stopAt || ctx.Err() != nil) {
			l.stopSending()
		}
		// Every request due goes out now, on the connection free the longest:
		// the ones due while every connection was busy wait until one is free,
		// and that wait is in their latency.
		for !l.stopped && l.next < l.total && l.due(l.next) <= now {
			c := l.freeConn()
			if c < 0 {
				break
			}
			l.send(c, l.next, now)
			l.next++
			now = time.Since(l.start)
		}
		if l.inFlight == 0 && (l.stopped || l.next >= l.total) {
			return nil
		}
		timeout := l.timeout(now)
		if l.canTakeNext() && timeout != 0 {
			// Answers can wait, stamped with their arrival: sleep until the
			// next request is due (or a time limit, or cancellation), then
			// read them all.
			if _, err := l.wait(l.sleepfd, timeout); err != nil {
				return err
			}
			timeout = 0
		}
		n, err := l.wait(l.epfd, timeout)
		if err != nil {
			return err
		}
		for _, ev := range l.events[:n] {
			if ev.Fd == wakeToken {
				// ctx.Err() is seen at the top of the loop; the byte is
				// read so that the pipe does not wake every later wait.
				syscall.Read(l.wake[0], l.buf[:1])
				continue
			}
			l.handle(int(ev.Fd), ev.Events)
		}
		l.expire(time.Since(l.start))
	}
}

// canTakeNext says whether the next request is to be sent and a connection
// can take it.
func (l *loop) canTakeNext() bool {
	return !l.stopped && l.next < l.total && (len(l.free) > 0 || len(l.closed) > 0)
}

// due is when request i is due, after start.
func (l *loop) due(i int) time.Duration { return time.Duration(i) * l.interval }

// stopSending leaves the requests not sent yet unsent: their latency is the
// time they waited until the end of the run.
func (l *loop) stopSending() {
	l.stopped = true
	for i := l.next; i < l.total; i++ {
		l.res.latencies[i] = -1
	}
}

// freeConn is the connected connection free the longest, else one to dial
// again, else -1.
func (l *loop) freeConn() int {
	if len(l.free) > 0 {
		c := l.free[0]
		// A queue, not a stack: requests go round the connections as they
		// did when each connection had its goroutine, rather than reusing the
		// few most recently free.
		copy(l.free, l.free[1:])
		l.free = l.free[:len(l.free)-1]
		return c
	}
	if len(l.closed) > 0 {
		c := l.closed[len(l.closed)-1]
		l.closed = l.closed[:len(l.closed)-1]
		return c
	}
	return -1
}

// send starts request i on connection ci, dialling it first if it has no socket.
func (l *loop) send(ci, i int, now time.Duration) {
	c := &l.conns[ci]
	c.request, c.written, c.sent = i, 0, now
	c.answer.begin()
	l.inFlight++
	if c.state == connClosed {
		if err := l.dial(ci); err != nil {
			l.fail(ci, now)
		}
		return
	}
	if c.unwatched {
		if l.watch(c.fd, ci, syscall.EPOLLIN, syscall.EPOLL_CTL_ADD) != nil {
			l.fail(ci, now)
			return
		}
		c.unwatched = false
	}
	l.write(ci)
}

// write writes what is left of connection ci's request.
func (l *loop) write(ci int) {
	c := &l.conns[ci]
	request := l.requests[c.request%len(l.requests)]
	for c.written < len(request) {
		n, err := syscall.Write(c.fd, request[c.written:])
		if err == syscall.EAGAIN {
			if c.state != connWriting {
				c.state = connWriting
				if l.watch(c.fd, ci, syscall.EPOLLIN|syscall.EPOLLOUT, syscall.EPOLL_CTL_MOD) != nil {
					l.fail(ci, time.Since(l.start))
				}
			}
			return
		}
		if err != nil {
			l.fail(ci, time.Since(l.start))
			return
		}
		c.written += n
	}
	if c.state == connWriting || c.state == connConnecting {
		if l.watch(c.fd, ci, syscall.EPOLLIN, syscall.EPOLL_CTL_MOD) != nil {
			l.fail(ci, time.Since(l.start))
			return
		}
	}
	c.state = connAwaiting
}

// handle acts on the readiness of connection ci.
func (l *loop) handle(ci int, events uint32) {
	c := &l.conns[ci]
	switch c.state {
	case connConnecting:
		if soErr, err := syscall.GetsockoptInt(c.fd, syscall.SOL_SOCKET, syscall.SO_ERROR); err != nil || soErr != 0 {
			l.fail(ci, time.Since(l.start))
			return
		}
		l.write(ci)
	case connWriting:
		if events&(syscall.EPOLLOUT|syscall.EPOLLERR|syscall.EPOLLHUP) != 0 {
			l.write(ci)
		}
		if c.state == connAwaiting && events&syscall.EPOLLIN != 0 {
			l.read(ci)
		}
	case connAwaiting:
		l.read(ci)
	case connIdle:
		// The server closes an idle connection (its keep-alive timeout), or
		// sends on it what was not asked for. As with any client that does
		// not watch its idle connections, this shows when the next request
		// goes on it: an error, or the unasked answer, counted. Until then
		// the connection is not watched, so that its readiness does not
		// wake the loop again and again.
		if syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil) == nil {
			c.unwatched = true
		}
	}
}

// read reads once what has come on connection ci, the rest being signalled
// again by epoll, and completes its request if the answer is whole.
func (l *loop) read(ci int) {
	c := &l.conns[ci]
	n, arrived, err := l.receive(c)
	if err == syscall.EAGAIN || err == syscall.EINTR {
		return
	}
	if err != nil {
		l.fail(ci, time.Since(l.start))
		return
	}
	if n == 0 {
		if c.answer.atClose() != nil {
			l.fail(ci, time.Since(l.start))
			return
		}
		l.complete(ci, true, time.Since(l.start))
		return
	}
	used, err := c.answer.feed(l.buf[:n])
	if err != nil {
		l.fail(ci, time.Since(l.start))
		return
	}
	if c.answer.done() {
		// Bytes after the answer were not asked for: the connection is not
		// reused, as net/http's client would not reuse it either.
		l.complete(ci, used < n, arrived)
	}
}

// receive reads what has come on c into l.buf, and returns when the last of
// it reached the socket, after start: the kernel's stamp, taken from the wall
// clock and brought to the monotonic one with their difference at the time
// of the read; without a stamp, the time of the read.
func (l *loop) receive(c *conn) (n int, arrived time.Duration, err error) {
	l.iov.Base = &l.buf[0]
	l.iov.SetLen(len(l.buf))
	l.msg.Iov = &l.iov
	l.msg.Iovlen = 1
	l.msg.Control = &l.control[0]
	l.msg.SetControllen(len(l.control))
	r, _, errno := syscall.Syscall(syscall.SYS_RECVMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&l.msg)), 0)
	now := time.Now()
	read := now.Sub(l.start)
	if errno != 0 {
		return 0, read, errno
	}
	n, arrived = int(r), read
	header := syscall.CmsgLen(0)
	stamp := syscall.CmsgLen(int(unsafe.Sizeof(syscall.Timespec{})))
	if int(l.msg.Controllen) >= stamp {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&l.control[0]))
		if h.Level == syscall.SOL_SOCKET && h.Type == syscall.SCM_TIMESTAMPNS && int(h.Len) >= stamp {
			ts := (*syscall.Timespec)(unsafe.Pointer(&l.control[header]))
			// Not before the request left (the clocks may have been set
			// in between), nor after the read.
			arrived = min(read, max(c.sent, read-time.Duration(now.UnixNano()-ts.Nano())))
		}
	}
	return n, arrived, nil
}

// complete records the answer of connection ci's request, arrived at the
// given time, and frees the connection, or closes it when the server ends it
// after the answer.
func (l *loop) complete(ci int, closeAfter bool, arrived time.Duration) {
	c := &l.conns[ci]
	l.record(c.request, arrived)
	if c.answer.status == 200 {
		l.res.completed++
	} else {
		l.res.non200++
	}
	l.res.bodyBytes += c.answer.body
	if closeAfter || c.answer.close {
		l.closeConn(ci)
		return
	}
	c.state = connIdle
	l.free = append(l.free, ci)
}

// fail counts connection ci's request as an error and closes the connection,
// dialled again for a later request.
func (l *loop) fail(ci int, now time.Duration) {
	c := &l.conns[ci]
	l.record(c.request, now)
	l.res.failed++
	l.res.bodyBytes += c.answer.body
	l.closeConn(ci)
}

// record sets the latency of request i, answered or failed at now.
func (l *loop) record(i int, now time.Duration) {
	l.res.latencies[i] = now - l.due(i)
	l.lastDone = max(l.lastDone, now)
	l.inFlight--
}

// expire fails the requests sent more than cfg.timeout ago.
func (l *loop) expire(now time.Duration) {
	for ci := range l.conns {
		c := &l.conns[ci]
		if c.state >= connConnecting && now-c.sent >= l.cfg.timeout {
			l.fail(ci, now)
		}
	}
}

// timeout is how long the loop may sleep: until the next request is due if a
// connection can take it, the next request times out, or the run is to stop
// sending; -1 is no limit.
func (l *loop) timeout(now time.Duration) time.Duration {
	until := time.Duration(-1)
	soonest := func(at time.Duration) {
		if d := max(0, at-now); until < 0 || d < until {
			until = d
		}
	}
	if !l.stopped && l.next < l.total {
		if len(l.free) > 0 || len(l.closed) > 0 {
			soonest(l.due(l.next))
		}
		soonest(l.stopAt)
	}
	for ci := range l.conns {
		if c := &l.conns[ci]; c.state >= connConnecting {
			soonest(c.sent + l.cfg.timeout)
		}
	}
	return until
}

// sysEpollPwait2 is epoll_pwait2's number, the same on every Linux
// architecture; the syscall package predates it.
const sysEpollPwait2 = 441

// wait sleeps until an event or for at most timeout (-1: no limit), and
// returns the number of events in l.events.
func (l *loop) wait(epfd int, timeout time.Duration) (int, error) {
	for {
		var n int
		var err error
		if l.pwait2 {
			var ts *syscall.Timespec
			if timeout >= 0 {
				t := syscall.NsecToTimespec(int64(timeout))
				ts = &t
			}
			// Raw: through syscall.Syscall6 the runtime would take the
			// sleep for a blocked goroutine, and its monitor thread would
			// wake every 20 µs to hand the loop's processor to another
			// thread, about a tenth of the generator's CPU in a profile.
			// When the runtime needs the thread (preemption, collection),
			// its signal ends the wait with EINTR.
			r, _, errno := syscall.RawSyscall6(sysEpollPwait2, uintptr(epfd), uintptr(unsafe.Pointer(&l.events[0])),
				uintptr(len(l.events)), uintptr(unsafe.Pointer(ts)), 0, 0)
			n = int(r)
			if errno == syscall.ENOSYS {
				l.pwait2 = false
				continue
			}
			if errno != 0 {
				err = errno
			}
		} else {
			// Before Linux 5.11: milliseconds, rounded up so as never to
			// wake before a request is due.
			ms := -1
			if timeout >= 0 {
				ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
			}
			n, err = syscall.EpollWait(epfd, l.events, ms)
		}
		if err == syscall.EINTR {
			// A signal, often the runtime's preemption: the loop works out
			// its timeout again rather than sleep the whole of it anew.
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("epoll_pwait : %w", err)
		}
		return n, nil
	}
}

// watch registers fd (or changes its registration) under token for events.
func (l *loop) watch(fd, token int, events uint32, op int) error {
	ev := syscall.EpollEvent{Events: events, Fd: int32(token)}
	if err := syscall.EpollCtl(l.epfd, op, fd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl : %w", err)
	}
	return nil
}

// dial starts connecting connection ci; the loop writes its request once
// connected.
func (l *loop) dial(ci int) error {
	c := &l.conns[ci]
	fd, err := syscall.Socket(l.family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, syscall.IPPROTO_TCP)
	if err != nil {
		return fmt.Errorf("socket : %w", err)
	}
	c.fd, c.state = fd, connConnecting
	// As net.Dial does: a request leaves at once, whatever is unacknowledged.
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1); err != nil {
		return fmt.Errorf("TCP_NODELAY : %w", err)
	}
	// Every segment read is stamped with its arrival (see receive). When no
	// socket of the machine asked for stamps before, the kernel turns them on
	// a moment later: the first answers may have none.
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1); err != nil {
		return fmt.Errorf("SO_TIMESTAMPNS : %w", err)
	}
	if err := l.watch(fd, ci, syscall.EPOLLOUT, syscall.EPOLL_CTL_ADD); err != nil {
		return err
	}
	if err := syscall.Connect(fd, l.addr); err != nil && err != syscall.EINPROGRESS {
		return fmt.Errorf("connect : %w", err)
	}
	return nil
}

// connectAll opens every connection before the first request, as a run
// measures answers, not connection set-up.
func (l *loop) connectAll() error {
	for ci := range l.conns {
		l.conns[ci].fd = -1
		if err := l.dial(ci); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(l.cfg.timeout)
	for pending := len(l.conns); pending > 0; {
		wait := time.Until(deadline)
		if wait <= 0 {
			return errors.New("connexions non établies dans le délai")
		}
		n, err := l.wait(l.epfd, wait)
		if err != nil {
			return err
		}
		for _, ev := range l.events[:n] {
			if ev.Fd == wakeToken {
				return context.Canceled
			}
			ci := int(ev.Fd)
			c := &l.conns[ci]
			if c.state != connConnecting {
				continue
			}
			soErr, err := syscall.GetsockoptInt(c.fd, syscall.SOL_SOCKET, syscall.SO_ERROR)
			if err == nil && soErr != 0 {
				err = syscall.Errno(soErr)
			}
			if err != nil {
				return fmt.Errorf("connexion à %s : %w", l.cfg.target.Host, err)
			}
			if err := l.watch(c.fd, ci, syscall.EPOLLIN, syscall.EPOLL_CTL_MOD); err != nil {
				return err
			}
			c.state = connIdle
			l.free = append(l.free, ci)
			pending--
		}
	}
	return nil
}

// closeConn closes connection ci's socket; closing it also removes it from
// the epoll set.
func (l *loop) closeConn(ci int) {
	c := &l.conns[ci]
	if c.fd >= 0 {
		syscall.Close(c.fd)
	}
	c.fd, c.state, c.unwatched = -1, connClosed, false
	l.closed = append(l.closed, ci)
}

func (l *loop) closeAll() {
	for ci := range l.conns {
		if l.conns[ci].fd >= 0 {
			syscall.Close(l.conns[ci].fd)
		}
	}
	for _, fd := range append(l.wake[:], l.epfd, l.sleepfd) {
		if fd >= 0 {
			syscall.Close(fd)
		}
	}
}
