package importer

import (
	"strings"
	"testing"

	"zonage/geo/address"
)

// TestCodeConflictRealData checks, on the real COG and La Poste tables, which
// postcodes and cities given with a commune code are said to contradict it.
func TestCodeConflictRealData(t *testing.T) {
	d, _, _ := addressSources(t)
	codes := addressMatcher{address.NewMatcher(d)}
	cases := []struct {
		name, code, postcode, city string
		want                       string // part of the warning; "" = none
	}{
		{"postcode of another city", "13201", "75006", "", "le code postal 75006 ne correspond pas à la commune 13201 (Marseille 1er Arrondissement) : code commune retenu"},
		{"city of another commune", "13201", "", "Lyon", "la ville « Lyon » ne correspond pas à la commune 13201 (Marseille 1er Arrondissement) : code commune retenu"},
		{"both", "13201", "75006", "Paris", "le code postal 75006 et la ville « Paris » ne correspondent pas à la commune 13201"},
		{"another arrondissement", "75106", "75016", "", "le code postal 75016 ne correspond pas à la commune 75106"},
		{"another arrondissement by name", "75106", "", "Paris 16e", "la ville « Paris 16e » ne correspond pas"},
		{"homonym elsewhere", "11339", "", "Saint-Étienne", "ne correspond pas à la commune 11339"},

		{"paris holds the 6e", "75056", "75006", "Paris", ""},
		{"the 6e by its city", "75106", "75006", "PARIS", ""},
		{"the 6e by its name", "75106", "", "Paris 6e", ""},
		{"marseille holds the 1er", "13055", "13001", "Marseille", ""},
		{"lyon holds the 3e", "69123", "69003", "LYON", ""},
		{"the 3e with cedex", "69383", "", "LYON CEDEX 03", ""},
		{"accents and abbreviations", "42218", "42000", "ST ETIENNE", ""},
		{"accents and case", "42218", "42100", "saint-étienne", ""},
		{"unknown cedex postcode", "42218", "42907", "", ""},
		{"a second postcode of the commune", "42218", "42100", "", ""},
		{"former commune and its own postcode", "49040", "49270", "Champtoceaux", ""},
		{"commune nouvelle named by a commune déléguée", "49126", "49270", "Champtoceaux", ""},
		{"former code named by its commune nouvelle", "49040", "", "Orée-d'Anjou", ""},
		{"homonym of the commune given", "11339", "", "Saint-Denis", ""},
		{"misspelt city says nothing", "42218", "", "Sint Ettienne", ""},
		{"unknown city says nothing", "42218", "", "Zzyzx", ""},
	}
	for _, c := range cases {
		got := codes.CodeConflict(c.code, c.postcode, c.city)
		switch {
		case c.want == "" && got != "":
			t.Errorf("%s: %s %q %q: false warning %q", c.name, c.code, c.postcode, c.city, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%s: %s %q %q: warning %q, want one with %q", c.name, c.code, c.postcode, c.city, got, c.want)
		}
	}
}

// TestCodeConflictNoneInLaPoste checks that no line of La Poste's own table is
// taken for a contradiction: its commune code with its postcode and each of its
// names (commune name, libellé d'acheminement, ligne 5).
func TestCodeConflictNoneInLaPoste(t *testing.T) {
	d, laPoste, _ := addressSources(t)
	codes := addressMatcher{address.NewMatcher(d)}
	bad, checked := 0, 0
	for _, l := range laPoste {
		for i, city := range []string{"", l.Name, l.Label, l.Line5} {
			if i > 0 && city == "" {
				continue
			}
			checked++
			if got := codes.CodeConflict(l.Code, l.Postcode, city); got != "" {
				if bad++; bad <= 20 {
					t.Errorf("line %d (%s %s %q): false warning %q", l.Line, l.Code, l.Postcode, city, got)
				}
			}
		}
	}
	if checked < 3*len(laPoste) {
		t.Errorf("%d queries checked for %d lines", checked, len(laPoste))
	}
	if bad > 20 {
		t.Errorf("%d false warnings in all", bad)
	}
}
