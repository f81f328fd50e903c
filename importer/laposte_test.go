package importer

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestReadLaPosteRealFile(t *testing.T) {
	rows, err := ReadLaPoste(filepath.Join(importTestDataDir(t), "codes_postaux", "laposte_base_officielle_codes_postaux_datanova_2025-06-19.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	// SOURCES.md §3.3: 39,201 rows.
	if len(rows) != 39201 {
		t.Fatalf("%d rows, want 39,201", len(rows))
	}
	first := rows[0]
	if first.Code != "01001" || first.Name != "L ABERGEMENT CLEMENCIAT" || first.Postcode != "01400" ||
		first.Label != "L ABERGEMENT CLEMENCIAT" || first.Line5 != "" || !first.HasPoint || first.Lat != 46.1517018 || first.Line != 2 {
		t.Errorf("first row %+v", first)
	}
	var line5, noPoint int
	for _, r := range rows {
		if r.Line5 != "" {
			line5++
		}
		if !r.HasPoint {
			noPoint++
		}
	}
	if line5 != 4813 || noPoint != 34 {
		t.Errorf("%d rows with ligne_5 (want 4,813), %d without point (want 34)", line5, noPoint)
	}
}

const laPosteHeader = `"code_commune_insee","nom_de_la_commune","code_postal","libelle_d_acheminement","ligne_5","_geopoint","latitude","longitude"` + "\n"

func TestReadLaPoste(t *testing.T) {
	cases := []struct {
		name    string
		content string
		check   func(t *testing.T, rows []LaPosteRow)
	}{
		{"datanova export", laPosteHeader + `"01015","ARBOYS EN BUGEY","01300","ARBOYS EN BUGEY","ST BOIS","45.7,5.6","45.7","5.6"` + "\n",
			func(t *testing.T, rows []LaPosteRow) {
				if r := rows[0]; r.Line5 != "ST BOIS" || r.Lat != 45.7 || r.Lon != 5.6 || !r.HasPoint {
					t.Errorf("%+v", r)
				}
			}},
		{"older semicolon export", "\ufeffCode_commune_INSEE;Nom_commune;Code_postal;Ligne_5;Libellé_d_acheminement;coordonnees_gps\n1001;L ABERGEMENT CLEMENCIAT;1400;;L ABERGEMENT CLEMENCIAT;46.15,4.93\n",
			func(t *testing.T, rows []LaPosteRow) {
				if r := rows[0]; r.Code != "01001" || r.Postcode != "01400" || r.Lat != 46.15 || r.Lon != 4.93 {
					t.Errorf("%+v", r)
				}
			}},
		{"no point", laPosteHeader + `"98611","ALO","98610","ALO",,"","",""` + "\n",
			func(t *testing.T, rows []LaPosteRow) {
				if rows[0].HasPoint {
					t.Errorf("%+v", rows[0])
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ReadLaPoste(writeFile(t, "laposte.csv", []byte(tc.content)))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, rows)
		})
	}
}

func TestReadLaPosteBadInput(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    []string
	}{
		{"bad code", laPosteHeader + `"1A001","X","01400","X",,"","",""` + "\n", []string{"ligne 2", "code_commune_insee", "« 1A001 »", "code INSEE invalide"}},
		{"bad postcode", laPosteHeader + `"01001","X","014","X",,"","",""` + "\n", []string{"ligne 2", "code_postal", "« 014 »", "5 chiffres"}},
		{"bad latitude", laPosteHeader + `"01001","X","01400","X",,"","146.2","4.9"` + "\n", []string{"ligne 2", "latitude", "« 146.2 »", "hors de [-90, 90]"}},
		{"bad longitude", laPosteHeader + `"01001","X","01400","X",,"","46.2","est"` + "\n", []string{"ligne 2", "longitude", "« est »", "nombre décimal"}},
		{"no name", laPosteHeader + `"01001","","01400","",,"","",""` + "\n", []string{"ligne 2", "ni nom de commune"}},
		{"missing column", `"code_commune_insee","nom_de_la_commune","libelle_d_acheminement"` + "\n", []string{"ligne 1", "« code_postal » absente"}},
		{"short line", laPosteHeader + `"01001","X","01400"` + "\n", []string{"ligne 2", "3 champs au lieu de 8"}},
		{"empty file", "", []string{"fichier vide"}},
		{"header only", laPosteHeader, []string{"aucune ligne"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "laposte.csv", []byte(tc.content))
			_, err := ReadLaPoste(p)
			if err == nil {
				t.Fatal("bad file accepted")
			}
			for _, w := range append(tc.want, p) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
