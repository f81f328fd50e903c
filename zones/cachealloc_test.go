package zones

import (
	"fmt"
	"strings"
	"testing"
)

// Strings kept in the arena stay what they were while later ones fill its
// blocks and start new ones; long and empty strings are given back as they
// are.
func TestTextArenaKeepsStrings(t *testing.T) {
	var a textArena
	var kept, want []string
	for i := 0; i < 20000; i++ {
		s := fmt.Sprintf("Commune %d (%05d) : sous-dotée", i, i)
		kept, want = append(kept, a.keep(s)), append(want, s)
	}
	for i := range kept {
		if kept[i] != want[i] {
			t.Fatalf("kept %d = %q, want %q", i, kept[i], want[i])
		}
	}
	long := strings.Repeat("x", textBlock)
	if got := a.keep(long); got != long {
		t.Errorf("long string changed")
	}
	if got := a.keep(""); got != "" {
		t.Errorf("empty string = %q", got)
	}
}

// Every entry the slab hands out is its own, across blocks.
func TestEntrySlabHandsOutDistinctEntries(t *testing.T) {
	var s entrySlab
	seen := map[*cachedAnswer]bool{}
	for i := 0; i < 3*answerBlock+1; i++ {
		e := s.new()
		if seen[e] {
			t.Fatalf("entry %d handed out twice", i)
		}
		seen[e] = true
		e.message = fmt.Sprint(i)
	}
}
