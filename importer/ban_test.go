package importer

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestReadBANAddressesRealFile(t *testing.T) {
	rows, err := ReadBANAddresses(filepath.Join(importTestDataDir(t), "ban", "ban_adresses-75_2024-06.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	// SOURCES.md §4.1: 158,048 addresses, in the 20 arrondissements.
	if len(rows) != 158048 {
		t.Fatalf("%d rows, want 158,048", len(rows))
	}
	first := rows[0]
	if first.ID != "75101_cfq3tf_00001" || first.Number != 1 || first.Street != "Avenue du Général Lemonnier" ||
		first.Postcode != "75001" || first.Code != "75101" || first.Lon != 2.330113 || first.Lat != 48.861299 || first.Line != 2 {
		t.Errorf("first row %+v", first)
	}
	codes := map[string]bool{}
	for _, r := range rows {
		codes[r.Code] = true
	}
	if len(codes) != 20 {
		t.Errorf("%d arrondissements", len(codes))
	}
}

const banHeader = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles\n"

func banLine(numero, rep, voie, cp, insee, lon, lat string) string {
	return "75106_9788_00012;;" + numero + ";" + rep + ";" + voie + ";" + cp + ";" + insee + ";Paris 6e Arrondissement;;;650000;6860000;" + lon + ";" + lat + ";entrée;;;PARIS;X;commune;commune;1;\n"
}

func TestReadBANAddresses(t *testing.T) {
	rows, err := ReadBANAddresses(writeFile(t, "ban.csv", []byte(banHeader+banLine("12", "bis", "Rue de Vaugirard", "75006", "75106", "2.3331", "48.8489"))))
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Number != 12 || r.Rep != "bis" || r.Street != "Rue de Vaugirard" || r.Code != "75106" || r.Lon != 2.3331 || r.Lat != 48.8489 {
		t.Errorf("%+v", r)
	}
}

func TestReadBANAddressesBadInput(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    []string
	}{
		{"bad number", banHeader + banLine("12b", "", "Rue X", "75006", "75106", "2.3", "48.8"), []string{"ligne 2", "numero", "« 12b »", "numéro invalide"}},
		{"no street", banHeader + banLine("12", "", "", "75006", "75106", "2.3", "48.8"), []string{"ligne 2", "nom_voie", "vide"}},
		{"bad code", banHeader + banLine("12", "", "Rue X", "75006", "751X6", "2.3", "48.8"), []string{"ligne 2", "code_insee", "« 751X6 »"}},
		{"bad postcode", banHeader + banLine("12", "", "Rue X", "75O06", "75106", "2.3", "48.8"), []string{"ligne 2", "code_postal", "« 75O06 »"}},
		{"bad longitude", banHeader + banLine("12", "", "Rue X", "75006", "75106", "", "48.8"), []string{"ligne 2", "lon", "longitude invalide"}},
		{"bad latitude", banHeader + banLine("12", "", "Rue X", "75006", "75106", "2.3", "98.8"), []string{"ligne 2", "lat", "« 98.8 »", "hors de"}},
		{"missing column", "id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon\n", []string{"ligne 1", "« lat » absente"}},
		{"short line", banHeader + "75106_9788_00012;;12;;Rue X\n", []string{"ligne 2", "5 champs au lieu de 23"}},
		{"empty file", "", []string{"fichier vide"}},
		{"header only", banHeader, []string{"aucune adresse"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "ban.csv", []byte(tc.content))
			_, err := ReadBANAddresses(p)
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
