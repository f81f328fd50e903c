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

// Coordinates with a commune code that names another commune keep the point's
// answer and say so; a code naming the point's commune, its city or one of its
// former communes, an invalid or unknown code, or no code at all adds nothing.
func TestResolvePointCodeConflict(t *testing.T) {
	r := testResolver(t)
	plain, err := r.Resolve(Query{Lat: 48.85, Lon: 2.3, HasPoint: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "le code commune 01001 (L'Abergement-Clémenciat) ne correspond pas au point, situé à Paris 6e Arrondissement (75106) : coordonnées retenues"
	for i := 0; i < 2; i++ { // the second answer comes from the cache
		got, err := r.Resolve(Query{Lat: 48.85, Lon: 2.3, HasPoint: true, Citycode: "01001"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != plain.Status || got.Commune == nil || got.Commune.Code != "75106" ||
			!slices.Equal(got.Match.Warnings, []string{want}) || got.Message != plain.Message+" ; "+want {
			t.Errorf("answer %+v, want the point's with the warning", got)
		}
	}
	former, err := r.Resolve(Query{Lat: 48.85, Lon: 2.3, HasPoint: true, Citycode: "01099"})
	if err != nil {
		t.Fatal(err)
	}
	if len(former.Match.Warnings) != 1 || !strings.Contains(former.Match.Warnings[0], "01099 (Ancienne Abergement)") {
		t.Errorf("a former commune's code is named by its own name: %v", former.Match.Warnings)
	}
	for _, code := range []string{"", "75106", "75056"} {
		got, err := r.Resolve(Query{Lat: 48.85, Lon: 2.3, HasPoint: true, Citycode: code})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Match.Warnings) > 0 || got.Message != plain.Message {
			t.Errorf("code %q: unexpected warning in %+v", code, got)
		}
	}
	// A code the point does not use is named, whatever keeps it from use.
	for code, want := range map[string]string{
		"01099x": "code commune « 01099x » invalide, ignoré : coordonnées retenues",
		" abc ":  "code commune « abc » invalide, ignoré : coordonnées retenues",
		"99999":  "code commune 99999 inconnu, ignoré : coordonnées retenues",
	} {
		got, err := r.Resolve(Query{Lat: 48.85, Lon: 2.3, HasPoint: true, Citycode: code})
		if err != nil {
			t.Fatal(err)
		}
		if got.Commune == nil || got.Commune.Code != "75106" || !slices.Equal(got.Match.Warnings, []string{want}) || got.Message != plain.Message+" ; "+want {
			t.Errorf("code %q: answer %+v, want the point's with %q", code, got, want)
		}
	}
	// A point in no commune: the code was not used either.
	sea, err := r.Resolve(Query{Lat: 47.0, Lon: -4.0, HasPoint: true, Citycode: "01001"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "code commune 01001 (L'Abergement-Clémenciat) non utilisé : coordonnées retenues"; sea.Commune != nil || !slices.Contains(sea.Match.Warnings, want) {
		t.Errorf("point at sea with a code: answer %+v, want the warning %q", sea, want)
	}
	if got, _ := r.Resolve(Query{Lat: 48.85, Lon: 5.0, HasPoint: true, Citycode: "01099"}); len(got.Match.Warnings) > 0 {
		t.Errorf("a former commune of the point's commune: unexpected warning %v", got.Match.Warnings)
	}
	if len(plain.Match.Warnings) > 0 {
		t.Fatalf("the cached answer was changed: %v", plain.Match.Warnings)
	}
}
