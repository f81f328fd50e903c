package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The server's memory limit (--memoire-max) is where the collector starts
// working harder so that the process stays within its budget. It must stay above
// the live data: a limit below it makes the collector run without pause (it once
// took nineteen twentieths of the throughput). The live data grows with use —
// every commune's answers of the day, the tiles kept, each profession's map and
// answers once asked for — so the limit follows it when it outgrows the one set.

// memoryLimitFor is the limit to apply when the last collection found live bytes
// in use: the one configured, or a quarter above the live data when that is more.
func memoryLimitFor(configured, live int64) int64 {
	return max(configured, live+live/4)
}

// liveHeapMetric is the heap the last collection found in use.
const liveHeapMetric = "/gc/heap/live:bytes"

// followLiveHeap applies the memory limit configured, and raises it while the live
// data outgrows it (see memoryLimitFor), until ctx ends; every second it reads
// what the last collection found.
func followLiveHeap(ctx context.Context, configured int64) {
	debug.SetMemoryLimit(configured)
	sample := []metrics.Sample{{Name: liveHeapMetric}}
	applied := configured
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		if limit := memoryLimitFor(configured, int64(sample[0].Value.Uint64())); limit != applied {
			debug.SetMemoryLimit(limit)
			applied = limit
		}
	}
}
