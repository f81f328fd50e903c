package address

import "hash/maphash"

// keyTable finds a normalised name's index in a list of distinct names. It is
// an open-addressing hash table of indexes: unlike a map of strings, it holds
// no pointer besides the list itself, and the garbage collector has nothing in
// it to follow at every cycle for as long as the server runs.
type keyTable struct {
	keys  []string
	slots []int32 // index+1 in keys; 0 = empty
	seed  maphash.Seed
}

// newKeyTable indexes keys, which must be distinct and are not copied.
func newKeyTable(keys []string) keyTable {
	n := 8
	for n < 2*len(keys) {
		n <<= 1
	}
	t := keyTable{keys: keys, slots: make([]int32, n), seed: maphash.MakeSeed()}
	mask := uint64(n - 1)
	for i, k := range keys {
		h := maphash.String(t.seed, k) & mask
		for t.slots[h] != 0 {
			h = (h + 1) & mask
		}
		t.slots[h] = int32(i + 1)
	}
	return t
}

// get returns the index of key.
func (t *keyTable) get(key string) (int32, bool) {
	if len(t.slots) == 0 {
		return -1, false
	}
	mask := uint64(len(t.slots) - 1)
	for h := maphash.String(t.seed, key) & mask; t.slots[h] != 0; h = (h + 1) & mask {
		if id := t.slots[h] - 1; t.keys[id] == key {
			return id, true
		}
	}
	return -1, false
}

// getBytes is get for a key being built.
func (t *keyTable) getBytes(key []byte) (int32, bool) {
	if len(t.slots) == 0 {
		return -1, false
	}
	mask := uint64(len(t.slots) - 1)
	for h := maphash.Bytes(t.seed, key) & mask; t.slots[h] != 0; h = (h + 1) & mask {
		if id := t.slots[h] - 1; t.keys[id] == string(key) {
			return id, true
		}
	}
	return -1, false
}
