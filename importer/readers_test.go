package importer

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"zonage/zones"
)

func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadCartoSanteRealFile(t *testing.T) {
	f, err := ReadCartoSante(cartoSantePath(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 34979 {
		t.Fatalf("%d rows, want 34,979 (the category counts of SOURCES.md add up to it)", len(f.Records))
	}
	counts := map[zones.Category]int{}
	for _, r := range f.Records {
		counts[r.Category]++
	}
	// SOURCES.md §1.1: the counts per category code of the export.
	want := map[zones.Category]int{zones.TresSousDotee: 12912, zones.SousDotee: 5962, zones.Intermediaire: 13263,
		zones.TresDotee: 4, zones.SurDotee: 10, zones.NonPrioritaire: 2826, zones.NonDisponible: 2}
	for c, n := range want {
		if counts[c] != n {
			t.Errorf("%s: %d rows, want %d", c, counts[c], n)
		}
	}
	first := f.Records[0]
	if first.Code != "01001" || first.Name != "L'Abergement-Clémenciat" || first.Line != 4 || first.RawCategory != "1_Tres_sous_dotee" {
		t.Errorf("first row %+v", first)
	}
}

const cartoHeader = "\ufeffCartoSanté; ; \nRéférentiel géographique : France par commune et arrondissement mun.; ; \nCode;Libellé;Zonage kinés\n"

func TestReadCartoSanteBadInput(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    []string
	}{
		{"unknown category", cartoHeader + "01001;A;1_Tres_sous_dotee\n01002;B;6_Inconnu\n", []string{"ligne 5", "Zonage kinés", "« 6_Inconnu »", "catégorie inconnue"}},
		{"très dotée is not non prioritaire", cartoHeader + "01001;A;4_Tres_dotee\n01002;B;Non prioritaire\n", []string{"ligne 5", "« Non prioritaire »"}},
		{"too many fields", cartoHeader + "01001;A;1_Tres_sous_dotee;x\n", []string{"ligne 4", "4 champs au lieu de 3"}},
		{"too few fields", cartoHeader + "01001;1_Tres_sous_dotee\n", []string{"ligne 4", "2 champs au lieu de 3"}},
		{"bad code", cartoHeader + "1A001;A;1_Tres_sous_dotee\n", []string{"ligne 4", "« 1A001 »", "code INSEE invalide"}},
		{"duplicate code", cartoHeader + "01001;A;1_Tres_sous_dotee\n01001;A;2_Sous_dotee\n", []string{"ligne 5", "déjà ligne 4"}},
		{"another profession's export", strings.Replace(cartoHeader, "Zonage kinés", "Zonage infirmiers", 1) + "01001;A;1_Tres_sous_dotee\n", []string{"ligne 3", "autre profession"}},
		{"empty file", "", []string{"fichier vide"}},
		{"header only", cartoHeader, []string{"aucune commune"}},
		{"not CartoSanté", strings.Repeat("a;b;c\n", 12), []string{"ligne 11", "pas un export CartoSanté"}},
		{"unterminated quote", cartoHeader + "01001;\"A;1_Tres_sous_dotee\n", []string{"ligne 4", "mal formée"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "cartosante.csv", []byte(tc.content))
			_, err := ReadCartoSante(p)
			if err == nil {
				t.Fatal("bad file accepted")
			}
			for _, w := range append(tc.want, p) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
}

// Excel on a French system writes Windows-1252; names must come out right.
func TestReadCartoSanteWindows1252(t *testing.T) {
	text := strings.TrimPrefix(cartoHeader, "\ufeff") + "01001;L'Abergement-Clémenciat;1_Tres_sous_dotee\r\n2A004;Ajaccio;5b_Non_prioritaire\r\n"
	latin, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadCartoSante(writeFile(t, "latin1.csv", []byte(latin)))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 2 || f.Records[0].Name != "L'Abergement-Clémenciat" || f.Records[1].Code != "2A004" || f.Records[1].Category != zones.NonPrioritaire {
		t.Fatalf("records %+v", f.Records)
	}
	if len(f.Notes) == 0 || !strings.Contains(f.Notes[0], "Windows-1252") {
		t.Errorf("the conversion is not reported: %v", f.Notes)
	}
}

func TestReadAtlasanteSample(t *testing.T) {
	f, err := ReadAtlasante(filepath.Join(importTestDataDir(t), "zonage_mk", "atlasante_zonages_com_format_sample_4rows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 4 || f.DateMaj != "2026-07-30" {
		t.Fatalf("%d rows, date_maj %s", len(f.Records), f.DateMaj)
	}
	byCode := map[string]ZonageRecord{}
	for _, r := range f.Records {
		byCode[r.Code] = r
	}
	n := byCode["11262"]
	if n.Category != zones.NonPrioritaire || n.ArreteDate != "2024-10-29" || n.Region != "Occitanie" ||
		n.Catchment == nil || n.Catchment.Kind != zones.CantonVille || n.Catchment.Code != "1199" || n.Catchment.Derived {
		t.Errorf("Narbonne %+v %+v", n, n.Catchment)
	}
	if c := byCode["11132"].Catchment; c == nil || c.Kind != zones.BassinDeVie || c.Code != "11203" || c.Name != "Lézignan-Corbières" {
		t.Errorf("Fabrezan catchment %+v", c)
	}
	if m := byCode["97617"]; m.Category != zones.TresSousDotee || m.Catchment != nil || m.ArreteDate != "2022-03-31" {
		t.Errorf("Tsingoni (Mayotte, not concerned by bassins de vie) %+v", m)
	}
}

func TestReadAtlasanteBadInput(t *testing.T) {
	head := `"niveau","code","lib","zmk_niveau","zmk_date_arrete"` + "\n"
	cases := []struct {
		name, content string
		want          []string
	}{
		{"missing kiné column", `"niveau","code","lib"` + "\n" + `"COM","01001","A"` + "\n", []string{"ligne 1", "zmk_niveau", "absente"}},
		{"bad date", head + `"COM","01001","A","1_Tres_sous_dotee","31/02/2024"` + "\n", []string{"ligne 2", "zmk_date_arrete", "« 31/02/2024 »"}},
		{"unknown category", head + `"COM","01001","A","9_Zone","01/02/2024"` + "\n", []string{"ligne 2", "« 9_Zone »"}},
		{"no commune rows", head + `"DEP","01","Ain","1_Tres_sous_dotee",""` + "\n", []string{"aucune ligne de niveau COM"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadAtlasante(writeFile(t, "atlasante.csv", []byte(tc.content)))
			if err == nil {
				t.Fatal("bad file accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
}

func TestReadOverlay(t *testing.T) {
	good := "region;date_effet;code_commune;categorie;nom;date_arrete;arrete\n" +
		"84;01/11/2025;01001;1_Tres_sous_dotee;L'Abergement-Clémenciat;30/10/2025;Arrêté ARS ARA n°2025-17-0001\n" +
		"Auvergne-Rhône-Alpes;2025-11-01;1002;intermediaire;L'Abergement-de-Varey;30/10/2025;Arrêté ARS ARA n°2025-17-0001\n"
	o, err := ReadOverlay(writeFile(t, "ara.csv", []byte(good)))
	if err != nil {
		t.Fatal(err)
	}
	if o.Region != "84" || o.EffectiveDate != "2025-11-01" || o.ArreteDate != "2025-10-30" || o.ArreteRef != "Arrêté ARS ARA n°2025-17-0001" || len(o.Records) != 2 {
		t.Fatalf("overlay %+v", o)
	}
	if r := o.Records[1]; r.Code != "01002" || r.Category != zones.Intermediaire || r.RawCategory != "3_intermediaire" {
		t.Errorf("slug and dropped leading zero: %+v", r)
	}

	head := "region,date_effet,code_commune,categorie\n"
	cases := []struct {
		name, content string
		want          []string
	}{
		{"unknown category", head + "84,01/11/2025,01001,tres_tres_dotee\n", []string{"ligne 2", "categorie", "« tres_tres_dotee »"}},
		{"bad date", head + "84,32/11/2025,01001,2_Sous_dotee\n", []string{"ligne 2", "date_effet", "« 32/11/2025 »"}},
		{"two regions", head + "84,01/11/2025,01001,2_Sous_dotee\n11,01/11/2025,75106,2_Sous_dotee\n", []string{"ligne 3", "region", "« 11 »"}},
		{"two dates", head + "84,01/11/2025,01001,2_Sous_dotee\n84,02/11/2025,01002,2_Sous_dotee\n", []string{"ligne 3", "date d'effet différente"}},
		{"unknown region", head + "Atlantide,01/11/2025,01001,2_Sous_dotee\n", []string{"ligne 2", "région inconnue"}},
		{"duplicate commune", head + "84,01/11/2025,01001,2_Sous_dotee\n84,01/11/2025,01001,2_Sous_dotee\n", []string{"ligne 3", "déjà ligne 2"}},
		{"missing column", "region;code_commune;categorie\n84;01001;2_Sous_dotee\n", []string{"ligne 1", "date_effet"}},
		{"header only", head, []string{"aucune commune"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadOverlay(writeFile(t, "overlay.csv", []byte(tc.content)))
			if err == nil {
				t.Fatal("bad overlay accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
}

func TestReadContoursBadInput(t *testing.T) {
	real, err := os.ReadFile(filepath.Join(importTestDataDir(t), "contours_communes", "metro_adminexpress2025_by_dept", "communes-75.geojson.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var truncatedGz bytes.Buffer
	zr, _ := gzip.NewReader(bytes.NewReader(real))
	var plain bytes.Buffer
	plain.ReadFrom(zr)
	zw := gzip.NewWriter(&truncatedGz)
	zw.Write(plain.Bytes()[:plain.Len()/2])
	zw.Close()
	cases := []struct {
		name, file string
		content    []byte
		want       string
	}{
		{"truncated gzip", "a.geojson.gz", real[:len(real)/2], "gzip tronquée"},
		{"truncated GeoJSON", "b.geojson.gz", truncatedGz.Bytes(), "GeoJSON illisible"},
		{"Lambert-93 coordinates", "c.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"75106"},"geometry":{"type":"Polygon","coordinates":[[[650000,6860000],[651000,6860000],[651000,6861000],[650000,6860000]]]}}]}`), "WGS84"},
		{"no code", "d.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nom":"X"},"geometry":{"type":"Polygon","coordinates":[[[2,48],[2.1,48],[2.1,48.1],[2,48]]]}}]}`), "code INSEE absent"},
		{"a point, not an outline", "e.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"75106"},"geometry":{"type":"Point","coordinates":[2,48]}}]}`), "Polygon ou MultiPolygon attendu"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, tc.file, tc.content)
			_, err := ReadContourFile(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("want an error naming the file and saying %q, got %v", tc.want, err)
			}
		})
	}
}

func TestReadCOGTables(t *testing.T) {
	dir := importTestDataDir(t)
	cs, err := ReadDecoupageCommunes(filepath.Join(dir, "decoupage_administratif", "v5.3.0_cog2025", "communes.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	actual := 0
	var haut COGCommune
	for _, c := range cs {
		if c.Type == "commune-actuelle" {
			actual++
		}
		if c.Code == "01187" && c.Type == "commune-actuelle" {
			haut = c
		}
	}
	if len(cs) != 37642 || actual != 34969 {
		t.Errorf("%d objects, %d communes actuelles; want 37,642 and 34,969", len(cs), actual)
	}
	if !strings.Contains(strings.Join(haut.FormerCodes, ","), "01330") || haut.Region != "84" {
		t.Errorf("Haut Valromey %+v should list 01330 Ruffieu among its former codes", haut)
	}
	passage, err := ReadHistoryPassage(filepath.Join(dir, "cog", "cogiter2025_table_passage_com_historique.csv"))
	if err != nil || len(passage) != 39161 || passage["01330"] != "01187" {
		t.Errorf("passage: %d rows, 01330 → %s, %v", len(passage), passage["01330"], err)
	}
	mv, err := ReadMovements(filepath.Join(dir, "cog", "cogiter2025_mvtcommunes.csv.gz"))
	if err != nil || len(mv) != 13534 {
		t.Errorf("movements: %d rows, %v", len(mv), err)
	}
	cz, err := ReadCatchments(filepath.Join(dir, "cog", "cogiter2025_table_passage_communes_zonages.csv.gz"))
	if err != nil || len(cz) != 34875 || cz["11262"].CantonVille != "1199" || cz["11132"].BassinDeVie != "11203" {
		t.Errorf("catchments: %d rows, Narbonne %+v, %v", len(cz), cz["11262"], err)
	}
	if _, err := ReadDecoupageCommunes(writeFile(t, "communes.json", []byte(`[{"code":"01001","nom":"A"},`))); err == nil || !strings.Contains(err.Error(), "JSON illisible") {
		t.Errorf("truncated communes.json: %v", err)
	}
}

// The Etalab communes layer may repeat the arrondissements of its arrondissements
// layer: the first file's outline is kept and the report says so.
func TestReadContourDirDuplicatesAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	square := `{"type":"Feature","properties":{"code":"%s","nom":"%s"},"geometry":{"type":"Polygon","coordinates":[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.8]]]}}`
	fc := func(features ...string) []byte {
		return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`)
	}
	os.WriteFile(filepath.Join(dir, "arrondissements.geojson"), fc(fmt.Sprintf(square, "75106", "Paris 6e")), 0o644)
	os.WriteFile(filepath.Join(dir, "communes.geojson"), fc(fmt.Sprintf(square, "75106", "Paris 6e bis"), fmt.Sprintf(square, "92012", "Boulogne")), 0o644)
	polys, files, notes, err := ReadContourDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || len(polys) != 2 || polys[0].Name != "Paris 6e" || polys[1].Code != "92012" {
		t.Fatalf("outlines %+v from %v", polys, files)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "communes.geojson : 1 communes déjà décrites par arrondissements.geojson") {
		t.Fatalf("notes %v", notes)
	}
	os.WriteFile(filepath.Join(dir, "x.geojson"), fc(fmt.Sprintf(square, "01001", "A"), fmt.Sprintf(square, "01001", "A")), 0o644)
	if _, _, _, err := ReadContourDir(dir); err == nil || !strings.Contains(err.Error(), "déjà décrite par l'entité 1") {
		t.Fatalf("a code repeated within one file: %v", err)
	}
}
