package zones

import (
	"sort"
	"strings"
)

// SuggestCommunes completes a partial commune name or code: names starting with
// the text first, then names containing it, the most populated first. It scans
// every commune (a few milliseconds); the address index, when loaded, answers
// instead with streets too.
func (d *Dataset) SuggestCommunes(text string, limit int) []Commune {
	q := foldName(text)
	if q == "" || limit <= 0 {
		return nil
	}
	type hit struct {
		i    int
		rank int
	}
	var hits []hit
	for i := range d.Communes {
		c := &d.Communes[i]
		name := foldName(c.Name)
		switch {
		case c.Code == strings.ToUpper(strings.TrimSpace(text)):
			hits = append(hits, hit{i, 0})
		case name == q:
			hits = append(hits, hit{i, 1})
		case strings.HasPrefix(name, q):
			hits = append(hits, hit{i, 2})
		case strings.Contains(name, q):
			hits = append(hits, hit{i, 3})
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		ca, cb := &d.Communes[hits[a].i], &d.Communes[hits[b].i]
		if hits[a].rank != hits[b].rank {
			return hits[a].rank < hits[b].rank
		}
		if ca.Population != cb.Population {
			return ca.Population > cb.Population
		}
		return ca.Code < cb.Code
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Commune, len(hits))
	for k, h := range hits {
		out[k] = d.Communes[h.i]
	}
	return out
}
