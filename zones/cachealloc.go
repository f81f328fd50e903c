package zones

import (
	"strings"
	"sync"
)

// The resolver's cache keeps one answer per commune of the dataset, made one
// by one as communes are asked for; a served dataset soon has all 35,000. Kept
// as separate allocations, the entries and their messages would be 70,000
// objects for the garbage collector to mark at every cycle: they are carved
// from shared blocks instead. A block lives as long as any entry it holds.

// answerBlock is how many cached answers a block of entrySlab holds.
const answerBlock = 256

// entrySlab hands out cached answers from blocks.
type entrySlab struct {
	mu   sync.Mutex
	free []cachedAnswer // the unused end of the current block
}

// new returns a zero cachedAnswer no other caller has.
func (s *entrySlab) new() *cachedAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.free) == 0 {
		s.free = make([]cachedAnswer, answerBlock)
	}
	e := &s.free[0]
	s.free = s.free[1:]
	return e
}

// textBlock is the size of a block of textArena, in bytes.
const textBlock = 64 << 10

// textArena keeps strings in shared blocks. Each block is a strings.Builder
// that is only appended to within its capacity: what it has written never
// changes, so the strings cut from it stay valid as it grows.
type textArena struct {
	mu    sync.Mutex
	block strings.Builder
}

// keep returns a copy of s in the arena.
func (a *textArena) keep(s string) string {
	if s == "" || len(s) > textBlock/4 {
		return s
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.block.Cap()-a.block.Len() < len(s) {
		a.block = strings.Builder{}
		a.block.Grow(textBlock)
	}
	start := a.block.Len()
	a.block.WriteString(s)
	return a.block.String()[start:]
}
