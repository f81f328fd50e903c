// Package evloop holds what the event loops of the service's fast lane and of
// the bench's ceiling server share, on Linux: an epoll set that a goroutine
// waits on through Go's own poller, and read, write and poll calls that never
// block, made straight to the kernel.
//
// Why not the runtime's usual system-call path: a goroutine in a system call
// made with syscall.Syscall is marked as such, and the runtime's monitor hands
// its processor to another thread when the call lasts more than a few
// microseconds, waking every 20 µs to check. An event loop makes a read, a
// write and a poll per request, never blocking (non-blocking sockets, zero
// timeout); through that path the monitor took a tenth of a loaded server's
// time and woke threads for nothing. Made with RawSyscall, they are plain
// calls. When a loop has nothing to do, it parks like any goroutine waiting
// to read, on its epoll set, which is itself a descriptor in Go's poller: it
// becomes readable when the set has events.
package evloop
