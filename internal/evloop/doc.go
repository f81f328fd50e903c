// Package evloop holds what the event loops of the service's fast lane and of
// the bench's ceiling server share, on Linux: an epoll set a loop waits on,
// and read, write and poll calls that never block, made straight to the
// kernel.
//
// Why not the runtime's usual system-call path for everything: a goroutine in
// a system call made with syscall.Syscall is marked as such, and the runtime's
// monitor checks every 20 µs whether to hand its processor to another thread.
// An event loop makes a read, a write and a poll per request, none of which
// blocks (non-blocking sockets, zero timeout); through that path the monitor
// took a tenth of a loaded server's time and woke threads for nothing. Made
// with RawSyscall, they are plain calls. Only a wait that has to sleep, when
// nothing is ready, goes through the runtime's path, so that the thread's
// processor serves other goroutines meanwhile. Parking the loop's goroutine
// in Go's own poller instead (the epoll set being itself pollable) was tried
// and measured: a request then waited for the runtime to notice the set and
// schedule the goroutine again, which halved the rate at two connections and
// put the p99 at 16 connections above 100 ms.
package evloop
