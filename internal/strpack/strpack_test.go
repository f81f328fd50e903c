package strpack

import (
	"testing"
	"unsafe"
)

// After the second pass, equal strings are one copy and every string is in the
// pack; the values are unchanged.
func TestTwiceSharesEqualStrings(t *testing.T) {
	a := []string{"75056", "Paris", "", "Lyon"}
	b := []string{string([]byte("Paris")), "69123", "Lyon"}
	type kind string
	k := kind("commune")
	Twice(4, func(p *Pack) {
		p.Strings(a)
		p.Strings(b)
		k = String(p, k)
	})
	if a[1] != "Paris" || b[0] != "Paris" || a[2] != "" || k != "commune" || b[1] != "69123" {
		t.Fatalf("values changed: %q %q %q", a, b, k)
	}
	if unsafe.StringData(a[1]) != unsafe.StringData(b[0]) || unsafe.StringData(a[3]) != unsafe.StringData(b[2]) {
		t.Errorf("equal strings are two copies")
	}
	// Every string is a substring of one: consecutive strings are adjacent.
	if unsafe.Add(unsafe.Pointer(unsafe.StringData(a[0])), len(a[0])) != unsafe.Pointer(unsafe.StringData(a[1])) {
		t.Errorf("strings not packed together")
	}
}

// A string first seen after the pack is sealed is given back as it is.
func TestOfAfterSealKeepsUnknownStrings(t *testing.T) {
	p := New(1)
	p.Of("a")
	p.Seal()
	if got := p.Of("b"); got != "b" {
		t.Fatalf("Of(b) = %q", got)
	}
}

// A second pass that meets the strings in another order still gets each one
// back, from the pack.
func TestSecondPassInAnotherOrder(t *testing.T) {
	p := New(3)
	for _, s := range []string{"a", "bb", "ccc"} {
		p.Of(s)
	}
	p.Seal()
	for _, s := range []string{"ccc", "a", "bb", "a"} {
		got := p.Of(s)
		if got != s {
			t.Fatalf("Of(%q) = %q", s, got)
		}
		if unsafe.StringData(got) == unsafe.StringData(s) {
			t.Errorf("Of(%q) is not from the pack", s)
		}
	}
}
