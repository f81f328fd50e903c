package address

import (
	"slices"
)

// similarity is 1 minus the optimal-string-alignment distance (Levenshtein plus
// transposition of two neighbours) divided by the longer length: 1 for equal
// strings, 0.9 for one typo in ten letters. It compares normalised keys, which
// are ASCII, byte by byte. Numbers are not letters: names whose digits differ
// ("PARIS 06" and "PARIS 08", "RUE DU 4 SEPTEMBRE" and "RUE DU 14 SEPTEMBRE")
// score 0. So does a pair below minScore: the comparison stops as soon as the
// distance exceeds what minScore allows.
func similarity(a, b string, minScore float64) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 || !sameNumbers(a, b) {
		return 0
	}
	longer := max(la, lb)
	allowed := int((1 - minScore) * float64(longer))
	if la-lb > allowed || lb-la > allowed {
		return 0
	}
	d := osaDistance(a, b, allowed)
	if d > allowed {
		return 0
	}
	return 1 - float64(d)/float64(longer)
}

// sameNumbers reports whether a and b hold the same numbers in the same order.
func sameNumbers(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && (a[i] < '0' || a[i] > '9') {
			i++
		}
		for j < len(b) && (b[j] < '0' || b[j] > '9') {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		for i < len(a) && j < len(b) && a[i] >= '0' && a[i] <= '9' && a[i] == b[j] {
			i++
			j++
		}
		endA := i == len(a) || a[i] < '0' || a[i] > '9'
		endB := j == len(b) || b[j] < '0' || b[j] > '9'
		if !endA || !endB {
			return false
		}
	}
}

// osaDistance is the optimal-string-alignment distance of a and b, or a number
// above limit as soon as the distance is known to exceed it. Rows live on the
// stack for the lengths of real names.
func osaDistance(a, b string, limit int) int {
	var stack [3][64]int32
	var prev2, prev, cur []int32
	if len(b) < 64 {
		prev2, prev, cur = stack[0][:len(b)+1], stack[1][:len(b)+1], stack[2][:len(b)+1]
	} else {
		rows := make([]int32, 3*(len(b)+1))
		prev2, prev, cur = rows[:len(b)+1], rows[len(b)+1:2*(len(b)+1)], rows[2*(len(b)+1):]
	}
	for j := range prev {
		prev[j] = int32(j)
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = int32(i)
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := int32(1)
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		if int(rowMin) > limit+1 {
			// A transposition can lower the next row by one at most.
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return int(prev[len(b)])
}

// trigramIndex finds, among a fixed list of normalised keys, those that share
// many letter trigrams with a query: the candidates for a fuzzy comparison. Keys
// are padded with a space on both sides so that short names and word starts count.
// Postings are stored as one array with offsets (one allocation, built by counting
// sort), which keeps NewMatcher fast.
type trigramIndex struct {
	start []int32 // start[t] is the first posting of trigram t in post
	post  []int32 // key ids, grouped by trigram
}

// trigramSymbols maps a byte of a normalised key to 0…36 (space, A–Z, 0–9).
func trigramSymbol(c byte) int32 {
	switch {
	case c >= 'A' && c <= 'Z':
		return int32(c-'A') + 1
	case c >= '0' && c <= '9':
		return int32(c-'0') + 27
	}
	return 0
}

const trigramSpace = 37 * 37 * 37

// appendTrigrams appends the trigrams of " "+key+" " to dst.
func appendTrigrams(dst []int32, key string) []int32 {
	if key == "" {
		return dst
	}
	a, b := int32(0), trigramSymbol(key[0])
	for i := 1; i <= len(key); i++ {
		c := int32(0)
		if i < len(key) {
			c = trigramSymbol(key[i])
		}
		dst = append(dst, a*37*37+b*37+c)
		a, b = b, c
	}
	return dst
}

// newTrigramIndex indexes keys. A trigram repeated in a key is posted twice: it
// then counts twice for a query repeating it too, which does not change which
// keys are close.
func newTrigramIndex(keys []string) trigramIndex {
	size := 0
	for _, k := range keys {
		size += len(k)
	}
	all := make([]int32, 0, size)
	ends := make([]int32, len(keys))
	count := make([]int32, trigramSpace+1)
	for i, k := range keys {
		all = appendTrigrams(all, k)
		ends[i] = int32(len(all))
	}
	for _, t := range all {
		count[t+1]++
	}
	for t := 1; t <= trigramSpace; t++ {
		count[t] += count[t-1]
	}
	ix := trigramIndex{start: count, post: make([]int32, len(all))}
	fill := make([]int32, trigramSpace)
	copy(fill, count[:trigramSpace])
	from := int32(0)
	for id, end := range ends {
		for _, t := range all[from:end] {
			ix.post[fill[t]] = int32(id)
			fill[t]++
		}
		from = end
	}
	return ix
}

// fuzzyScratch is the per-query memory of a trigram search.
type fuzzyScratch struct {
	counts  []uint8 // shared trigrams per key id
	touched []int32
	tri     []int32
	cands   []scoredID
	hist    [256]int32
}

type scoredID struct {
	id    int32
	score float64
}

// maxFuzzyCandidates bounds the keys compared letter by letter after the trigram
// count: enough for a typo in a name shared by many places ("SAINT …").
const maxFuzzyCandidates = 64

// search returns the keys accepted by keep that are at least minScore similar
// to query, best first. The result lives in s until the next search.
//
// A key within the accepted distance shares at least need of the query's T
// trigrams, since an edit changes at most three of them; so it holds at least
// one of the query's T-need+1 rarest trigrams. Only those postings are read:
// the frequent trigrams of "SAINT" or " LA " cost nothing.
func (ix *trigramIndex) search(keys []string, query string, minScore float64, keep func(id int32) bool, s *fuzzyScratch) []scoredID {
	if len(s.counts) < len(keys) {
		s.counts = make([]uint8, len(keys))
	}
	s.tri = appendTrigrams(s.tri[:0], query)
	slices.Sort(s.tri)
	s.tri = slices.Compact(s.tri)
	postings := func(t int32) []int32 { return ix.post[ix.start[t]:ix.start[t+1]] }
	slices.SortFunc(s.tri, func(a, b int32) int { return len(postings(a)) - len(postings(b)) })
	need := len(s.tri) - 3*int(float64(len(query))*(1-minScore)+0.5)
	rare := len(s.tri) - max(need, 1) + 1
	s.touched = s.touched[:0]
	for _, t := range s.tri[:min(rare, len(s.tri))] {
		for _, id := range postings(t) {
			if s.counts[id] == 0 {
				s.touched = append(s.touched, id)
			}
			if s.counts[id] < 255 {
				s.counts[id]++
			}
		}
	}
	// Keep the keys sharing the most rare trigrams: a histogram finds the count
	// above which at most maxFuzzyCandidates remain, without sorting them all.
	clear(s.hist[:])
	s.cands = s.cands[:0]
	for _, id := range s.touched {
		c := s.counts[id]
		s.counts[id] = 0
		if keep != nil && !keep(id) {
			continue
		}
		s.cands = append(s.cands, scoredID{id: id, score: float64(c)})
		s.hist[c]++
	}
	threshold, total := 1, int32(0)
	for c := 255; c >= 1; c-- {
		if total > 0 && total+s.hist[c] > maxFuzzyCandidates {
			threshold = c + 1
			break
		}
		total += s.hist[c]
	}
	out := s.cands[:0]
	for _, c := range s.cands {
		if int(c.score) < threshold {
			continue
		}
		if sc := similarity(query, keys[c.id], minScore); sc >= minScore && sc > 0 {
			out = append(out, scoredID{id: c.id, score: sc})
		}
	}
	slices.SortFunc(out, func(a, b scoredID) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return int(a.id - b.id)
	})
	return out
}
