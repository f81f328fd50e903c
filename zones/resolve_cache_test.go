package zones

import (
	"reflect"
	"testing"
)

// The cache keeps only the commune's own parts of an answer: what it gives back,
// the first time and the next, is the answer resolveCommune makes, field for
// field, for every commune and every profession.
func TestCachedAnswerIsTheAnswer(t *testing.T) {
	base := professionResolver(t)
	day := base.today()
	for _, p := range Professions() {
		r, err := base.For(p)
		if err != nil {
			continue // a profession the test data lacks
		}
		for i := range r.Dataset.Communes {
			want := r.resolveCommune(&r.Dataset.Communes[i], day)
			for _, pass := range []string{"made", "cached"} {
				if got := r.communeAnswer(i, day); !reflect.DeepEqual(got, want) {
					t.Errorf("%s, %s, %s:\n%+v\nwant\n%+v", p, r.Dataset.Communes[i].Code, pass, got, want)
				}
			}
		}
	}
}
