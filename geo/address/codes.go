package address

// codeTable maps INSEE commune codes or postcodes to int32 values through an
// array indexed by the code itself: no hashing and no string comparison, which
// matters for the hundred thousand lookups NewMatcher makes at every start.
type codeTable struct {
	slots []int32 // value+1; 0 = absent
}

// INSEE codes are five characters, digits or 2A/2B for Corsica; postcodes are
// five digits.
const (
	inseeSlots    = 3 * 100000
	postcodeSlots = 100000
)

func newCodeTable(slots int) codeTable { return codeTable{slots: make([]int32, slots)} }

// codeSlot returns the slot of an INSEE code or postcode, -1 when s is not one.
func codeSlot[T ~string | ~[]byte](s T) int {
	if len(s) != 5 {
		return -1
	}
	variant, n := 0, 0
	for i := 0; i < 5; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
		case i == 1 && s[0] == '2' && (c == 'A' || c == 'B'):
			variant = int(c-'A') + 1
			n *= 10
		default:
			return -1
		}
	}
	return variant*100000 + n
}

func (t *codeTable) get(code string) (int32, bool) {
	i := codeSlot(code)
	if i < 0 || i >= len(t.slots) || t.slots[i] == 0 {
		return -1, false
	}
	return t.slots[i] - 1, true
}

func (t *codeTable) getBytes(code []byte) (int32, bool) {
	i := codeSlot(code)
	if i < 0 || i >= len(t.slots) || t.slots[i] == 0 {
		return -1, false
	}
	return t.slots[i] - 1, true
}

// set records v for code; it reports false when code is not a code.
func (t *codeTable) set(code string, v int32) bool {
	i := codeSlot(code)
	if i < 0 || i >= len(t.slots) {
		return false
	}
	t.slots[i] = v + 1
	return true
}
