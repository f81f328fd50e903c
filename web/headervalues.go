package web

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// The values an answer's header carries for that request alone, the request id
// and the ETag, would cost two allocations each (the string, and the one-value
// slice the header map holds). They are carved instead out of blocks shared by
// many requests: text appended to a strings.Builder, whose written bytes never
// change (a full block is left to the answers that still hold its strings, and
// the collector frees it with the last), and slots of one []string array.
// A header value is only ever replaced, never written into, and a one-value
// slice whose capacity is one cannot be appended to in place: the answers cannot
// reach each other's values.
const (
	headerBlockBytes  = 8 << 10
	headerBlockValues = 256
)

// headerBlock is the rest of one block of header values.
type headerBlock struct {
	text   strings.Builder
	values []string
}

// headerBlocks holds the blocks being carved, about one per processor.
var headerBlocks = sync.Pool{New: func() any { return new(headerBlock) }}

// headerValue returns a one-value header slice holding a copy of b.
func headerValue(b []byte) []string {
	blk := headerBlocks.Get().(*headerBlock)
	if blk.text.Cap()-blk.text.Len() < len(b) {
		blk.text = strings.Builder{}
		blk.text.Grow(max(headerBlockBytes, len(b)))
	}
	if len(blk.values) == 0 {
		blk.values = make([]string, headerBlockValues)
	}
	start := blk.text.Len()
	blk.text.Write(b)
	v := blk.values[0:1:1]
	blk.values = blk.values[1:]
	v[0] = blk.text.String()[start:]
	headerBlocks.Put(blk)
	return v
}

// fixedHeaderValue is the one-value header slice of a value that stays the same
// from one answer to the next (the dataset version), made again only when the
// value changes.
type fixedHeaderValue struct {
	last atomic.Pointer[[]string]
}

func (f *fixedHeaderValue) of(value string) []string {
	if p := f.last.Load(); p != nil && (*p)[0] == value {
		return *p
	}
	v := []string{value}
	f.last.Store(&v)
	return v
}

// contentLength is the Content-Length header value of an answer of n bytes.
func contentLength(n int) []string {
	var digits [20]byte
	return headerValue(strconv.AppendInt(digits[:0], int64(n), 10))
}
