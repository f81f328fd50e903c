package main

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestMemoryLimitFor(t *testing.T) {
	const mb = 1 << 20
	cases := []struct {
		name                   string
		configured, live, want int64
	}{
		{"live data well below the limit", 260 * mb, 150 * mb, 260 * mb},
		{"a quarter above the live data is the limit", 260 * mb, 208 * mb, 260 * mb},
		{"live data near the limit", 260 * mb, 240 * mb, 300 * mb},
		{"live data above the limit", 260 * mb, 400 * mb, 500 * mb},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := memoryLimitFor(tc.configured, tc.live); got != tc.want {
				t.Errorf("memoryLimitFor(%d MB, %d MB) = %d MB, want %d MB", tc.configured/mb, tc.live/mb, got/mb, tc.want/mb)
			}
		})
	}
}

// The limit applied follows live data that outgrows the one configured, and the
// follower ends with its context.
func TestFollowLiveHeap(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	const configured = 1 << 20
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		followLiveHeap(ctx, configured)
		close(done)
	}()
	runtime.GC()
	for debug.SetMemoryLimit(-1) < 64<<20 {
		runtime.GC()
		time.Sleep(50 * time.Millisecond) // the follower reads the live heap every second
	}
	cancel()
	<-done
	runtime.KeepAlive(live)
}
