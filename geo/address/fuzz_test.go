package address

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"12 bis rue de Vaugirard 75006 Paris",
	"12b r de vaugirard paris 6e",
	"75006 PARIS CEDEX 06",
	"CEDEX 9",
	"BP 123 CS 40001 TSA 12345",
	"B.P. 45 - 20000 Ajaccio",
	"Paris VI",
	"Paris 1er arrondissement",
	"Lyon 3eme",
	"Marseille 13",
	"Ruffieu 01260",
	"Saint-Denis (93)",
	"L'Haÿ-les-Roses",
	"Œuilly",
	"3BV pl. de Colombie",
	"12-14 r. X",
	"Paris 06, 12 rue de Vaugirard",
	"a\xffb",
	"東京",
	"",
	" ,;- ",
	"99999 99999 99999",
	"rue du ch vert",
	"PARIS PARIS PARIS 6 E E ARR",
}

// FuzzNormalize checks that AppendNormalized never panics, writes only upper-case ASCII
// words separated by single spaces, and is idempotent.
func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := normalize(s)
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("normalize(%q) = %q: bad spacing", s, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ') {
				t.Fatalf("normalize(%q) = %q: byte %q", s, got, c)
			}
		}
		if again := normalize(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}

// FuzzMatch checks that Match and Suggest never panic and answer consistently:
// a known status, a code when the answer is ok, candidates only when it is
// ambiguous, a score within 0…1.
func FuzzMatch(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, []string{"", "75006", "01300", "1300", "7500A"}[i%5], []string{"", "Paris", "paris 6e", "beley"}[i%4])
	}
	m := fixtureMatcher()
	f.Fuzz(func(t *testing.T, text, postcode, city string) {
		for _, q := range []Query{{Text: text}, {Text: text, Postcode: postcode, City: city}, {Street: text, Postcode: postcode, City: city}, {Citycode: postcode, City: text}} {
			r := m.Match(q)
			switch r.Status {
			case StatusOK:
				if r.Code == "" || r.Level == "" || len(r.Candidates) > 0 {
					t.Fatalf("%+v: ok without a code or level, or with candidates: %+v", q, r)
				}
			case StatusAmbiguous:
				if len(r.Candidates) < 2 {
					t.Fatalf("%+v: ambiguous with %d candidates", q, len(r.Candidates))
				}
			case StatusNotFound:
			default:
				t.Fatalf("%+v: status %q", q, r.Status)
			}
			if r.Score < 0 || r.Score > 1 {
				t.Fatalf("%+v: score %v", q, r.Score)
			}
			for _, w := range r.Warnings {
				if !utf8.ValidString(w) {
					t.Fatalf("%+v: warning is not UTF-8: %q", q, w)
				}
			}
		}
		for _, c := range m.Suggest(text, 5) {
			if c.Code == "" {
				t.Fatalf("Suggest(%q): %+v", text, c)
			}
		}
	})
}
