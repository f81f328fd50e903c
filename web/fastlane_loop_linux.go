//go:build linux

package web

import (
	"bytes"
	"errors"
	"net"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"zonage/internal/evloop"
)

// The fast lane's connections are served by a few event loops, one per core,
// each a goroutine reading its own epoll set, rather than by a goroutine per
// connection: a request that arrives costs a read, the engine's work and a
// write on the loop's goroutine, with none of the per-request goroutine
// wake-ups and scheduler passes that took a fifth of the server's time under
// load (see the README's measures).
//
// A loop is an OS thread that sleeps in epoll_wait only when nothing is ready;
// its reads, writes and polls that never block go straight to the kernel (see
// internal/evloop, which says why).
//
// A loop only does the simple part: a whole head the lane takes, in one read,
// answered in one write the socket takes whole. Anything else — a head cut
// across reads, one the lane leaves to net/http, an answer the socket cannot
// take at once, the client's side ending with bytes pending — moves the
// connection to its own goroutine, where laneConn.run goes on as for any
// connection, with the bytes already read.
//
// The loops reach the socket only through the connection's syscall.RawConn,
// whose calls hold the descriptor open: a connection closed by another
// goroutine (the connection bound making room, a forced stop) fails them
// instead of reaching a descriptor the kernel has given to a new connection.
// Closing it also takes it out of the loop's epoll set; the loop forgets it
// at its next sweep.

// laneSweep is how often a loop looks for connections past their deadline, or
// closed from outside, when nothing wakes it sooner.
const laneSweep = time.Second

// laneLoops are a lane's event loops, started with its first connection.
type laneLoops struct {
	once  sync.Once
	loops []*laneLoop
	next  int
	mu    sync.Mutex
}

// laneLoop is one event loop and the connections it serves.
type laneLoop struct {
	lane   *fastLane
	poller *evloop.Poller // its epoll set
	wake   int            // an eventfd: written, it has the loop sweep at once

	mu       sync.Mutex
	incoming []*laneConn // connections given to the loop, not yet in its set
	ended    bool        // the loop has returned: it takes no more

	conns  map[uint64]*laneConn // in its set, by the id in their events
	lastID uint64
}

// take gives lc to an event loop; false when it must be served on its own
// goroutine: no loop could start, or its connection has no descriptor.
func (ls *laneLoops) take(lc *laneConn) bool {
	l := lc.lane
	ls.once.Do(func() {
		var loops []*laneLoop
		for range runtime.GOMAXPROCS(0) {
			loop, err := newLaneLoop(l)
			if err != nil {
				l.logger.Warn("voie rapide : boucle d'événements indisponible, une goroutine par connexion", "err", err)
				break
			}
			loops = append(loops, loop)
			go loop.run()
		}
		ls.mu.Lock()
		ls.loops = loops
		ls.mu.Unlock()
	})
	raw := rawConnOf(lc.conn)
	if raw == nil {
		return false
	}
	ls.mu.Lock()
	if len(ls.loops) == 0 {
		ls.mu.Unlock()
		return false
	}
	loop := ls.loops[ls.next%len(ls.loops)]
	ls.next++
	ls.mu.Unlock()
	lc.raw = raw
	lc.loopRead = func(fd uintptr) bool {
		lc.ioN, lc.ioErr = evloop.Read(int(fd), lc.buf[lc.end:])
		return true
	}
	lc.loopWrite = func(fd uintptr) bool {
		lc.ioN, lc.ioErr = evloop.Write(int(fd), lc.out)
		return true
	}
	loop.mu.Lock()
	defer loop.mu.Unlock()
	if loop.ended {
		return false
	}
	loop.incoming = append(loop.incoming, lc)
	loop.signal()
	return true
}

// wakeAll has every loop sweep its connections now: a stop began.
func (ls *laneLoops) wakeAll() {
	ls.mu.Lock()
	loops := ls.loops
	ls.mu.Unlock()
	for _, loop := range loops {
		loop.signal()
	}
}

// rawConnOf is the descriptor access of the TCP connection under c.
func rawConnOf(c net.Conn) syscall.RawConn {
	if lc, ok := c.(*limitedConn); ok {
		c = lc.Conn
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

func newLaneLoop(l *fastLane) (*laneLoop, error) {
	poller, err := evloop.NewPoller(128)
	if err != nil {
		return nil, err
	}
	wake, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		poller.Close()
		return nil, err
	}
	if err := unix.EpollCtl(poller.FD(), unix.EPOLL_CTL_ADD, wake, &unix.EpollEvent{Events: unix.EPOLLIN}); err != nil {
		poller.Close()
		unix.Close(wake)
		return nil, err
	}
	return &laneLoop{lane: l, poller: poller, wake: wake, conns: map[uint64]*laneConn{}}, nil
}

// signal wakes the loop.
func (loop *laneLoop) signal() {
	unix.Write(loop.wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
}

// run is the loop, until the lane is closed and the loop has no connection
// left.
func (loop *laneLoop) run() {
	// Its own thread: it sleeps in epoll_wait when idle and wakes there.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer loop.poller.Close()
	defer unix.Close(loop.wake)
	lastSweep := time.Now()
	for {
		n, err := loop.poller.Wait(lastSweep.Add(laneSweep))
		if err != nil {
			loop.lane.logger.Error("voie rapide : attente de la boucle d'événements", "err", err)
		}
		// One clock read for the whole batch: the idle deadlines it sets are
		// kept to the second anyway (see sweep).
		now := time.Now()
		woken := false
		for _, e := range loop.poller.Events[:n] {
			id := uint64(uint32(e.Fd)) | uint64(uint32(e.Pad))<<32
			if id == 0 {
				woken = true
				var b [8]byte
				unix.Read(loop.wake, b[:])
				continue
			}
			if lc := loop.conns[id]; lc != nil {
				loop.readable(lc, now)
			}
		}
		if woken {
			loop.admit()
		}
		if woken || now.Sub(lastSweep) >= laneSweep {
			lastSweep = now
			if loop.sweep(now) {
				return
			}
		}
	}
}

// admit puts the connections given to the loop in its epoll set.
func (loop *laneLoop) admit() {
	loop.mu.Lock()
	incoming := loop.incoming
	loop.incoming = nil
	loop.mu.Unlock()
	for _, lc := range incoming {
		loop.lastID++
		id := loop.lastID
		var ctlErr error
		err := lc.raw.Control(func(fd uintptr) {
			ctlErr = unix.EpollCtl(loop.poller.FD(), unix.EPOLL_CTL_ADD, int(fd),
				&unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))})
		})
		if err != nil || ctlErr != nil {
			go lc.run()
			continue
		}
		lc.loopID = id
		loop.conns[id] = lc
		lc.idle.Store(true)
		lc.deadline = time.Time{}
		if t := loop.lane.headTimeout; t > 0 {
			lc.deadline = lc.accepted.Add(t)
		}
	}
}

// sweep closes the connections past their deadline, and the idle ones when
// the server stops, and forgets those closed from outside; true when the
// loop is to end.
func (loop *laneLoop) sweep(now time.Time) (done bool) {
	l := loop.lane
	shutting := l.shutting.Load()
	for _, lc := range loop.conns {
		if lc.raw.Control(func(uintptr) {}) != nil {
			loop.drop(lc)
			continue
		}
		idle := lc.idle.Load()
		if !lc.deadline.IsZero() && now.After(lc.deadline) ||
			shutting && idle && (lc.kept.Load() || now.Sub(lc.accepted) > newConnectionGrace) {
			loop.drop(lc)
		}
	}
	select {
	case <-l.closed:
		loop.mu.Lock()
		defer loop.mu.Unlock()
		loop.ended = len(loop.conns) == 0 && len(loop.incoming) == 0
		return loop.ended
	default:
		return false
	}
}

// drop ends the connection: out of the loop, closed.
func (loop *laneLoop) drop(lc *laneConn) {
	loop.forget(lc)
	lc.leave(false)
}

// forget takes the connection out of the loop, still open.
func (loop *laneLoop) forget(lc *laneConn) {
	lc.raw.Control(func(fd uintptr) { unix.EpollCtl(loop.poller.FD(), unix.EPOLL_CTL_DEL, int(fd), nil) })
	delete(loop.conns, lc.loopID)
	if lc.kept.Load() {
		lc.reportIdle(false)
	}
}

// detach has the connection go on on its own goroutine, where laneConn.run
// serves it with the bytes already read; rest, when not empty, is the end of
// an answer the socket did not take, written first.
func (loop *laneLoop) detach(lc *laneConn, rest []byte, closeAfter bool) {
	loop.lane.counts.handedOver.Add(1)
	loop.forget(lc)
	lc.idle.Store(false)
	go func() {
		if len(rest) > 0 && (!lc.write(rest) || closeAfter) {
			lc.leave(false)
			return
		}
		lc.run()
	}()
}

// readable serves what the client sent: each whole head the lane takes, in
// order, each answer written at once.
func (loop *laneLoop) readable(lc *laneConn, now time.Time) {
	if lc.start == lc.end {
		lc.start, lc.end = 0, 0
	}
	if err := lc.raw.Read(lc.loopRead); err != nil {
		loop.drop(lc) // closed from outside
		return
	}
	n, readErr := lc.ioN, lc.ioErr
	if errors.Is(readErr, unix.EAGAIN) {
		return
	}
	if n <= 0 || readErr != nil {
		if lc.start < lc.end {
			// The client's side ended within a head: as the goroutine
			// path meets it (net/http answers the bytes read).
			loop.detach(lc, nil, false)
			return
		}
		loop.drop(lc)
		return
	}
	lc.end += n
	if lc.idle.Swap(false) && lc.kept.Load() {
		lc.reportIdle(false)
	}
	for {
		pending := lc.buf[lc.start:lc.end]
		i := bytes.Index(pending, crlfcrlf)
		if i < 0 {
			break
		}
		head := pending[:i+len(crlfcrlf)]
		if !lc.parse(head) {
			loop.detach(lc, nil, false) // run reads the head again and hands it over
			return
		}
		lc.took(head)
		answer, closeAfter, ok := lc.respond()
		if !ok {
			lc.w.release()
			loop.drop(lc)
			return
		}
		lc.out = answer
		err := lc.raw.Write(lc.loopWrite)
		lc.out = nil
		if err != nil {
			lc.w.release()
			loop.drop(lc)
			return
		}
		written, writeErr := lc.ioN, lc.ioErr
		if writeErr != nil && !errors.Is(writeErr, unix.EAGAIN) {
			lc.w.release()
			loop.drop(lc)
			return
		}
		if written < len(answer) {
			rest := bytes.Clone(answer[max(written, 0):])
			lc.w.release()
			loop.detach(lc, rest, closeAfter)
			return
		}
		lc.w.release()
		loop.lane.counts.loopAnswered.Add(1)
		if closeAfter {
			loop.drop(lc)
			return
		}
	}
	if lc.start < lc.end {
		// A head cut across reads: run reads the rest within its timeout.
		loop.detach(lc, nil, false)
		return
	}
	lc.start, lc.end = 0, 0
	lc.idle.Store(true)
	lc.reportIdle(true)
	lc.deadline = time.Time{}
	if t := loop.lane.idleTimeout; t > 0 {
		lc.deadline = now.Add(t)
	}
	if loop.lane.shutting.Load() {
		loop.drop(lc)
	}
}
