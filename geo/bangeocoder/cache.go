package bangeocoder

import (
	"container/list"
	"strconv"
	"strings"
	"sync"
)

// Cache keeps geocoding answers by query key. Implementations must be safe for
// concurrent use. Answers with no match are cached too: an unknown address
// stays unknown until the BAN is republished, and asking again costs a request.
type Cache interface {
	Get(key string) (Result, bool)
	Put(key string, r Result)
}

// NoCache is a Cache that keeps nothing.
var NoCache Cache = noCache{}

type noCache struct{}

func (noCache) Get(string) (Result, bool) { return Result{}, false }
func (noCache) Put(string, Result)        {}

// LRU is an in-memory Cache that forgets the least recently used entry once it
// holds its capacity. It is safe for concurrent use.
type LRU struct {
	mu    sync.Mutex
	cap   int
	order *list.List // front is the most recently used
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	r   Result
}

// NewLRU returns an LRU holding at most capacity entries (at least one).
func NewLRU(capacity int) *LRU {
	return &LRU{cap: max(capacity, 1), order: list.New(), items: make(map[string]*list.Element)}
}

// Get returns the cached answer for key and marks it as recently used.
func (c *LRU) Get(key string) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return Result{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).r, true
}

// Put stores the answer for key, evicting the least recently used entry when
// the cache is full.
func (c *LRU) Put(key string, r Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*lruEntry).r = r
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry{key: key, r: r})
	if c.order.Len() > c.cap {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry).key)
	}
}

// Len returns the number of cached entries.
func (c *LRU) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// normalizeText is the query as the geocoder sees it: case and runs of blanks
// do not change its answer, so they must not split the cache.
func normalizeText(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// cacheKey identifies a query. Search and SearchBatch answers differ (only
// Search keeps candidates), so each has its own namespace.
func cacheKey(kind string, q Query, limit int) string {
	return kind + "\x1f" + normalizeText(q.Text) + "\x1f" + strings.TrimSpace(q.Postcode) +
		"\x1f" + strings.TrimSpace(q.Citycode) + "\x1f" + strconv.Itoa(limit)
}
