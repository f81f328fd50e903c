package bangeocoder

import (
	"fmt"
	"sync"
	"testing"
)

func TestLRUEvictsLeastRecentlyUsed(t *testing.T) {
	c := NewLRU(2)
	c.Put("a", Result{Label: "a"})
	c.Put("b", Result{Label: "b"})
	if _, ok := c.Get("a"); !ok { // a is now more recent than b
		t.Fatal("a missing")
	}
	c.Put("c", Result{Label: "c"})
	if _, ok := c.Get("b"); ok {
		t.Error("b should have been evicted")
	}
	for _, k := range []string{"a", "c"} {
		if r, ok := c.Get(k); !ok || r.Label != k {
			t.Errorf("Get(%q) = %+v, %v", k, r, ok)
		}
	}
	c.Put("a", Result{Label: "a2"})
	if r, _ := c.Get("a"); r.Label != "a2" || c.Len() != 2 {
		t.Errorf("update: %+v, len %d", r, c.Len())
	}
}

func TestLRUConcurrentUse(t *testing.T) {
	c := NewLRU(50)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := fmt.Sprint((g + i) % 80)
				c.Put(k, Result{Label: k})
				if r, ok := c.Get(k); ok && r.Label != k {
					t.Errorf("Get(%q) = %q", k, r.Label)
				}
			}
		})
	}
	wg.Wait()
	if c.Len() > 50 {
		t.Errorf("len = %d, want at most 50", c.Len())
	}
}

func TestNoCache(t *testing.T) {
	NoCache.Put("a", Result{Found: true})
	if _, ok := NoCache.Get("a"); ok {
		t.Error("NoCache kept an entry")
	}
}

func TestCacheKeyNormalisesText(t *testing.T) {
	a := cacheKey("search", Query{Text: "12 Rue de Vaugirard", Postcode: "75006"}, 5)
	b := cacheKey("search", Query{Text: " 12  rue DE vaugirard\t", Postcode: " 75006 "}, 5)
	if a != b {
		t.Errorf("%q != %q", a, b)
	}
	for _, other := range []string{
		cacheKey("csv", Query{Text: "12 Rue de Vaugirard", Postcode: "75006"}, 5),
		cacheKey("search", Query{Text: "12 Rue de Vaugirard", Postcode: "75006"}, 1),
		cacheKey("search", Query{Text: "12 Rue de Vaugirard", Citycode: "75006"}, 5),
	} {
		if other == a {
			t.Errorf("distinct queries share the key %q", a)
		}
	}
}
