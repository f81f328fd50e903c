package address

import (
	"fmt"
	"testing"
)

// Every key is found at its index, as a string and as bytes; a name that is
// not a key is not found, nor anything in an empty table.
func TestKeyTableFindsEveryKey(t *testing.T) {
	var keys []string
	for i := 0; i < 1000; i++ {
		keys = append(keys, fmt.Sprintf("RUE %d", i))
	}
	tab := newKeyTable(keys)
	for i, k := range keys {
		if id, ok := tab.get(k); !ok || id != int32(i) {
			t.Fatalf("get(%q) = %d, %v; want %d", k, id, ok, i)
		}
		if id, ok := tab.getBytes([]byte(k)); !ok || id != int32(i) {
			t.Fatalf("getBytes(%q) = %d, %v; want %d", k, id, ok, i)
		}
	}
	for _, k := range []string{"", "RUE", "RUE 1000", "RUE 12 "} {
		if id, ok := tab.get(k); ok {
			t.Errorf("get(%q) = %d, want none", k, id)
		}
	}
	var empty keyTable
	if _, ok := empty.get("RUE 1"); ok {
		t.Errorf("found in an empty table")
	}
	if _, ok := empty.getBytes([]byte("RUE 1")); ok {
		t.Errorf("found in an empty table")
	}
}
