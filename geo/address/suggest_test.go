package address

import (
	"slices"
	"testing"
)

func TestSuggest(t *testing.T) {
	m := fixtureMatcher()
	cases := []struct {
		name   string
		prefix string
		limit  int
		want   []string // names, in order
	}{
		{"commune prefix, by population", "sai", 4, []string{"Saint-Étienne", "Saint-Denis", "Saint-Denis", "Saint-Pierre"}},
		{"exact name first", "saint denis", 0, []string{"Saint-Denis", "Saint-Denis", "Saint-Denis"}},
		{"accents and case", "ORÉE", 0, []string{"Orée d'Anjou"}},
		{"arrondissement", "paris 6", 0, []string{"Paris 6e Arrondissement"}},
		{"arrondissement or more", "paris 1", 0, []string{"Paris 15e Arrondissement", "Paris 16e Arrondissement"}},
		{"deleguee", "champto", 0, []string{"Champtoceaux (Orée d'Anjou)"}},
		{"postcode", "750", 3, []string{"75006 Paris 6e Arrondissement", "75007 Paris 7e Arrondissement", "75015 Paris 15e Arrondissement"}},
		{"street", "rue de vaug", 0, []string{"Rue de Vaugirard, Paris 15e Arrondissement", "Rue de Vaugirard, Paris 6e Arrondissement"}},
		{"street name without its type", "vaugir", 0, []string{"Rue de Vaugirard, Paris 15e Arrondissement", "Rue de Vaugirard, Paris 6e Arrondissement"}},
		{"street after a number", "12 bd saint g", 0, []string{"Boulevard Saint-Germain, Paris 6e Arrondissement", "Boulevard Saint-Germain, Paris 7e Arrondissement"}},
		{"limit", "b", 2, []string{"Bobigny", "Belley"}},
		{"nothing", "zzz", 0, nil},
		{"empty", " ", 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := m.Suggest(tc.prefix, tc.limit)
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
				if c.Code == "" || c.Departement == "" || c.Level == "" || c.Score <= 0 || c.Score > 1 {
					t.Errorf("incomplete candidate %+v", c)
				}
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("Suggest(%q) = %q, want %q", tc.prefix, names, tc.want)
			}
		})
	}
}

func BenchmarkSuggest(b *testing.B) {
	m := NewMatcher(synthetic())
	m.Suggest("a", 1) // builds the suggestion list
	prefixes := []string{"sa", "saint b", "belmon", "75", "ville"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Suggest(prefixes[i%len(prefixes)], 10)
		i++
	}
}
