//go:build !linux

package web

// laneLoops has no event loop where the system has no epoll: each of the
// lane's connections is served on its own goroutine.
type laneLoops struct{}

func (*laneLoops) take(*laneConn) bool { return false }

func (*laneLoops) wakeAll() {}
