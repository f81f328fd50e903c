package address

import (
	"math"
	"slices"
	"testing"
)

func TestSimilarity(t *testing.T) {
	cases := []struct {
		name     string
		a, b     string
		minScore float64
		want     float64
	}{
		{"equal", "BELLEY", "BELLEY", 0, 1},
		{"one deletion", "BELLEY", "BELEY", 0, 1 - 1.0/6},
		{"one substitution", "VAUGIRARD", "VAUGIRAD", 0, 1 - 1.0/9},
		{"transposition counts once", "SAINT ETIENNE", "SAINT ETIENEN", 0, 1 - 1.0/13},
		{"different numbers", "PARIS 06", "PARIS 08", 0, 0},
		{"a number more", "RUE DU 4 SEPTEMBRE", "RUE DU 14 SEPTEMBRE", 0, 0},
		{"same numbers", "RUE DU 8 MAI 1945", "RUE DU 8 MAY 1945", 0, 1 - 1.0/17},
		{"below the bar", "BELLEY", "BRENS", 0.8, 0},
		{"length alone rules out", "AIX", "AIX EN PROVENCE", 0.8, 0},
		{"empty", "", "BELLEY", 0, 0},
		{"long names", "SAINT REMY EN BOUZEMONT SAINT GENEST ET ISSON ET ENCORE UN PEU PLUS LONG", "SAINT REMY EN BOUZEMONT SAINT GENEST ET ISSON ET ENCORE UN PEU PLUS LONGS", 0, 1 - 1.0/73},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := similarity(tc.a, tc.b, tc.minScore); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("similarity(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := similarity(tc.b, tc.a, tc.minScore); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("similarity(%q, %q) = %v, want %v (not symmetric)", tc.b, tc.a, got, tc.want)
			}
		})
	}
}

func TestTrigramSearch(t *testing.T) {
	keys := []string{"SAINT ETIENNE", "SAINT ETIENNE DE TINEE", "SAINT DENIS", "ETIENNE", "BELLEY", "BELLEYDOUX"}
	ix := newTrigramIndex(keys)
	var s fuzzyScratch
	cases := []struct {
		name  string
		query string
		keep  func(int32) bool
		want  []int32
	}{
		{"typo", "SAINT ETIENE", nil, []int32{0}},
		{"filtered out", "SAINT ETIENE", func(id int32) bool { return id != 0 }, nil},
		{"short name", "BELEY", nil, []int32{4}},
		{"nothing close", "MARSEILLE", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []int32
			for _, h := range ix.search(keys, tc.query, 0.8, tc.keep, &s) {
				got = append(got, h.id)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("search(%q) = %v, want %v", tc.query, got, tc.want)
			}
		})
	}
}

func TestCodeSlot(t *testing.T) {
	cases := []struct {
		code string
		want int
	}{
		{"01001", 1001}, {"75106", 75106}, {"2A004", 100000 + 20004}, {"2B033", 200000 + 20033},
		{"97411", 97411}, {"2C004", -1}, {"3A004", -1}, {"7510", -1}, {"751066", -1}, {"7510X", -1},
	}
	for _, tc := range cases {
		if got := codeSlot(tc.code); got != tc.want {
			t.Errorf("codeSlot(%q) = %d, want %d", tc.code, got, tc.want)
		}
	}
}
