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

// The communes of one region share their answers' Revision on a day; another day
// has its own.
func TestRevisionSharedWithinARegion(t *testing.T) {
	r := testResolver(t)
	a, _ := r.ResolveCode("75106")
	b, _ := r.ResolveCode("75107")
	if a.Zonage == nil || b.Zonage == nil || a.Zonage.Revision == nil {
		t.Fatalf("answers without revision: %+v %+v", a.Zonage, b.Zonage)
	}
	if a.Zonage.Revision != b.Zonage.Revision {
		t.Errorf("two communes of Île-de-France have two revisions: %+v and %+v", a.Zonage.Revision, b.Zonage.Revision)
	}
	later, _ := r.ResolveCodeOn("75106", mustTestDay("2030-01-01"))
	if later.Zonage == nil || later.Zonage.Revision == a.Zonage.Revision || later.Zonage.Revision.AgeDays <= a.Zonage.Revision.AgeDays {
		t.Errorf("another day's revision %+v, today's %+v", later.Zonage.Revision, a.Zonage.Revision)
	}
	other, _ := r.ResolveCode("01001")
	if other.Zonage == nil || other.Zonage.Revision == a.Zonage.Revision {
		t.Errorf("a commune of another region shares Île-de-France's revision")
	}
}
