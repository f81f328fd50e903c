package french

import (
	"strings"
	"testing"
)

// Cut counts characters, not bytes, and cuts a long value with one
// allocation, whatever its length.
func TestCut(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"éèêë", 3, "éèê…"},
		{"éèê", 3, "éèê"},
		{"a\xffbc", 2, "a\xff…"},
	} {
		if got := Cut(tc.s, tc.n); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
	long := strings.Repeat("é", 1<<20)
	var cut string
	if allocs := testing.AllocsPerRun(10, func() { cut = Cut(long, 200) }); allocs > 1 {
		t.Errorf("cutting a 2 MB value: %v allocations, want 1", allocs)
	}
	if want := strings.Repeat("é", 200) + "…"; cut != want {
		t.Errorf("cutting a 2 MB value: %d bytes, want %d", len(cut), len(want))
	}
}
