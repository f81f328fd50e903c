package zones

import (
	"slices"
	"strings"
	"testing"
)

// conflictsWith flags the postcodes it lists, whatever the code.
type conflictsWith []string

func (c conflictsWith) CodeConflict(code, postcode, city string) string {
	if slices.Contains(c, postcode) {
		return "le code postal " + postcode + " ne correspond pas à la commune " + code
	}
	return ""
}

// A code query with a contradicting postcode keeps the code's answer and says
// so in its warnings and message; without postcode or city nothing is checked.
func TestResolveCodeConflict(t *testing.T) {
	r := testResolver(t)
	r.Codes = conflictsWith{"75006"}
	plain, err := r.Resolve(Query{Citycode: "01001"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second answer comes from the cache
		got, err := r.Resolve(Query{Citycode: "01001", Postcode: "75006"})
		if err != nil {
			t.Fatal(err)
		}
		want := "le code postal 75006 ne correspond pas à la commune 01001"
		if got.Status != plain.Status || got.Commune == nil || got.Commune.Code != "01001" || !got.Match.CodeConflict ||
			!slices.Equal(got.Match.Warnings, []string{want}) || got.Message != plain.Message+" ; "+want {
			t.Errorf("answer %+v, want the code's with the warning", got)
		}
	}
	for _, q := range []Query{{Citycode: "01001"}, {Citycode: "01001", Postcode: "01400"}} {
		got, err := r.Resolve(q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Match.CodeConflict || len(got.Match.Warnings) > 0 || strings.Contains(got.Message, "ne correspond pas") {
			t.Errorf("%+v: unexpected warning in %+v", q, got)
		}
	}
}
