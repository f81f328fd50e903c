//go:build !linux

package main

import (
	"errors"
	"net"
)

type eventLoops struct{}

func (*eventLoops) Close() error { return nil }

// listenEventLoops needs epoll: the -loops mode exists on Linux only.
func listenEventLoops(string, int, []byte, []byte) (*eventLoops, net.Addr, error) {
	return nil, nil, errors.New("-loops : mode réservé à Linux (epoll)")
}
