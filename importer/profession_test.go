package importer

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"zonage/zones"
)

// The other professions' CartoSanté exports of September 2025, as SOURCES.md §1.2
// lists them, with the rows per category code each holds.
var professionExports = []struct {
	profession zones.Profession
	file       string
	counts     map[string]int // official code -> rows
	// ambiguous are the communes nouvelles whose former communes the export classes
	// differently (found by reading the export against the COG history).
	ambiguous []string
}{
	{zones.Infirmier, "cartosante_zonage_infirmier_communes_2025-09.csv.gz",
		map[string]int{"1_Tres_sous_dotee": 1403, "2_Sous_dotee": 4273, "3_intermediaire": 15776, "4_Tres_dotee": 8813, "5_Sur_dotee": 4712, "N/A - résultat non disponible": 2},
		[]string{"25390", "28319", "32365", "33008", "34144", "61275", "93066"}},
	{zones.Orthophoniste, "cartosante_zonage_orthophonistes_communes_2025-09.csv.gz",
		map[string]int{"1_Tres_sous_dotee": 79, "1b_Sous_dense": 10077, "2_Sous_dotee": 6, "3_intermediaire": 22342, "4_Tres_dotee": 1211, "5_Sur_dotee": 1262, "N/A - résultat non disponible": 2},
		[]string{"19248", "25390", "28319", "59006", "79307", "93066"}},
	{zones.SageFemme, "cartosante_zonage_sages-femmes_communes_2025-09.csv.gz",
		map[string]int{"1_Tres_sous_dotee": 6544, "2_Sous_dotee": 5681, "3_intermediaire": 19279, "4_Tres_dotee": 1977, "5_Sur_dotee": 1474, "N/A - résultat non disponible": 24},
		[]string{"19248", "25223", "25390", "28319", "59006", "61275"}},
	{zones.ChirurgienDentiste, "cartosante_zonage_chirurgiens-dentistes_communes_2025-09.csv.gz",
		map[string]int{"1_Tres_sous_dotee": 24759, "2_Sous_dotee": 2053, "3_intermediaire": 6988, "4_Tres_dotee": 1056, "5b_Non_prioritaire": 97, "N/A - résultat non disponible": 26},
		[]string{"19248", "25390", "33008", "34144", "51485", "79307", "93066"}},
}

func professionExportPath(t testing.TB, file string) string {
	return filepath.Join(importTestDataDir(t), "zonage_mk", "other_professions_same_export", file)
}

func TestReadCartoSanteProfessionRealFiles(t *testing.T) {
	for _, pe := range professionExports {
		t.Run(string(pe.profession), func(t *testing.T) {
			f, err := ReadCartoSanteProfession(professionExportPath(t, pe.file))
			if err != nil {
				t.Fatal(err)
			}
			if f.Profession != pe.profession {
				t.Errorf("profession %q, want %q", f.Profession, pe.profession)
			}
			counts := map[string]int{}
			for _, r := range f.Records {
				counts[r.RawCategory]++
				if !pe.profession.HasCategory(r.Category) {
					t.Errorf("line %d: %s off the scale", r.Line, r.Category)
				}
			}
			for code, n := range pe.counts {
				if counts[code] != n {
					t.Errorf("%s: %d rows, want %d", code, counts[code], n)
				}
			}
			if len(f.Records) != 34979 {
				t.Errorf("%d rows, want 34,979", len(f.Records))
			}
			// The kiné role keeps refusing another profession's export.
			if _, err := ReadCartoSante(professionExportPath(t, pe.file)); err == nil || !strings.Contains(err.Error(), "autre profession") {
				t.Errorf("read as the kiné export: %v", err)
			}
		})
	}
}

func TestReadCartoSanteProfessionBadInput(t *testing.T) {
	header := func(col string) string { return strings.Replace(cartoHeader, "Zonage kinés", col, 1) }
	cases := []struct {
		name    string
		content string
		want    []string
	}{
		{"sous-dense is the orthophonistes' only", header("Zonage infirmiers") + "01001;A;3_intermediaire\n01002;B;1b_Sous_dense\n",
			[]string{"ligne 5", "« 1b_Sous_dense »", "hors de l'échelle des infirmiers"}},
		{"non prioritaire is not on the sages-femmes' scale", header("Zonage sages-femmes") + "01001;A;5b_Non_prioritaire\n",
			[]string{"ligne 4", "sages-femmes"}},
		{"unknown profession", header("Zonage médecins") + "01001;A;3_intermediaire\n",
			[]string{"ligne 3", "profession inconnue", "« Zonage orthophonistes »"}},
		{"unknown category", header("Zonage orthophonistes") + "01001;A;7_Inconnu\n", []string{"ligne 4", "« 7_Inconnu »"}},
		{"duplicate code", header("Zonage chirurgien-dentiste") + "01001;A;3_intermediaire\n01001;A;3_intermediaire\n", []string{"ligne 5", "déjà ligne 4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "cartosante.csv", []byte(tc.content))
			_, err := ReadCartoSanteProfession(p)
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

// For every profession, a point inside each commune gives the category its export
// publishes for that commune, or for its former communes when they agree; a commune
// nouvelle whose former communes the export classes differently is ambiguous, for
// that profession only; and the coverage report says so.
func TestProfessionEveryOutlineInteriorPoint(t *testing.T) {
	snap, base := fullImport(t)
	formerOf := formerCodes(t)
	points := interiorPoints(snap)
	overseas := map[string]int{} // overseas département -> communes checked
	for _, pe := range professionExports {
		t.Run(string(pe.profession), func(t *testing.T) {
			src, err := ReadCartoSanteProfession(professionExportPath(t, pe.file))
			if err != nil {
				t.Fatal(err)
			}
			published := map[string]ZonageRecord{}
			for _, r := range src.Records {
				published[r.Code] = r
			}
			res, err := base.For(pe.profession)
			if err != nil {
				t.Fatal(err)
			}
			var wrong, ambiguous []string
			for i, c := range snap.Dataset.Communes {
				r, err := res.ResolvePoint(points[i][0], points[i][1])
				if err != nil {
					t.Fatal(err)
				}
				if r.Profession != pe.profession || r.Commune == nil || r.Commune.Code != c.Code {
					wrong = append(wrong, c.Code+": point resolved to another commune or profession")
					continue
				}
				want := map[string]bool{} // official codes
				if rec, ok := published[c.Code]; ok {
					want[rec.RawCategory] = true
				}
				for _, old := range formerOf[c.Code] {
					want[published[old].RawCategory] = true
				}
				switch {
				case len(want) > 1:
					ambiguous = append(ambiguous, c.Code)
					if r.Status != zones.StatusAmbiguous || len(r.Candidates) < 2 {
						wrong = append(wrong, c.Code+": want ambiguous, got "+string(r.Status))
					}
				case len(want) == 0:
					wrong = append(wrong, c.Code+": the export gives no category")
				case r.Status != zones.StatusOK || !want[r.Zonage.OfficialCode] || !r.Zonage.Category.Valid():
					wrong = append(wrong, c.Code+": category differs from the export ("+r.Message+")")
				case r.Zonage.Catchment != nil || r.Zonage.Revision != nil || r.Zonage.DateStatus != zones.DateUnknown:
					wrong = append(wrong, c.Code+": answer carries the kiné's catchment, revision or date")
				}
				if strings.HasPrefix(c.Code, "97") {
					overseas[c.Departement]++
				}
			}
			if len(wrong) > 0 {
				t.Fatalf("%d of %d communes disagree: %v", len(wrong), len(snap.Dataset.Communes), wrong[:min(len(wrong), 20)])
			}
			if !slices.Equal(ambiguous, pe.ambiguous) {
				t.Errorf("ambiguous %v, want %v", ambiguous, pe.ambiguous)
			}

			ps, ok := snap.Dataset.ProfessionSource(pe.profession)
			if !ok {
				t.Fatal("no provenance for the profession")
			}
			cov := ps.Coverage
			var reported []string
			for _, a := range cov.Ambiguous {
				reported = append(reported, a.Code)
				for _, cand := range a.Candidates {
					if cand.OfficialCode != published[cand.Code].RawCategory {
						t.Errorf("ambiguous %s: candidate %s %s, export says %s", a.Code, cand.Code, cand.OfficialCode, published[cand.Code].RawCategory)
					}
				}
			}
			if !slices.Equal(reported, ambiguous) {
				t.Errorf("coverage lists ambiguous %v, the answers %v", reported, ambiguous)
			}
			classed := 0
			for _, n := range cov.PerCategory {
				classed += n
			}
			if classed+len(cov.Ambiguous)+len(cov.CommunesNoZonage) != cov.Communes || cov.Communes != len(snap.Dataset.Communes) {
				t.Errorf("coverage: %d classed + %d ambiguous + %d without zonage ≠ %d communes", classed, len(cov.Ambiguous), len(cov.CommunesNoZonage), cov.Communes)
			}
			if cov.ZonageRows != 34979 || strings.Join(cov.UnmatchedZonage, ",") != "97701,97801" || cov.Catchments != nil {
				t.Errorf("coverage: %d rows, unmatched %v, catchments %v", cov.ZonageRows, cov.UnmatchedZonage, cov.Catchments)
			}
			if !strings.Contains(ps.ZonageVintage, "septembre 2025") || !strings.Contains(ps.ZonageVintage, "COG 2024") || ps.Source != "cartosante-"+string(pe.profession) {
				t.Errorf("provenance %+v", ps)
			}
		})
	}
	for _, dep := range []string{"971", "972", "973", "974", "976"} {
		if overseas[dep] == 0 {
			t.Errorf("no commune of département %s checked", dep)
		}
	}
}

// formerCodes maps each current commune to the codes of the export that fall in
// it, as TestEveryOutlineInteriorPoint reads them from the COG history.
func formerCodes(t *testing.T) map[string][]string {
	src, err := ReadCartoSante(cartoSantePath(t))
	if err != nil {
		t.Fatal(err)
	}
	source := map[string]bool{}
	for _, r := range src.Records {
		source[r.Code] = true
	}
	passage, err := ReadHistoryPassage(filepath.Join(importTestDataDir(t), "cog", "cogiter2025_table_passage_com_historique.csv"))
	if err != nil {
		t.Fatal(err)
	}
	formerOf := map[string][]string{}
	for old, cur := range passage {
		if source[old] && old != cur {
			formerOf[cur] = append(formerOf[cur], old)
		}
	}
	moves, err := ReadMovements(filepath.Join(importTestDataDir(t), "cog", "cogiter2025_mvtcommunes.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range moves {
		if m.Mod == "21" && m.Date >= "2024-01-02" && m.TypeAfter == "COM" && !source[m.CodeAfter] && m.CodeBefore != m.CodeAfter {
			formerOf[m.CodeAfter] = append(formerOf[m.CodeAfter], m.CodeBefore)
		}
	}
	return formerOf
}

// Named places per profession: each scale's own codes, Corsica, Paris by
// arrondissement, an overseas department.
func TestProfessionLookupPlaces(t *testing.T) {
	_, base := fullImport(t)
	cases := []struct {
		name     string
		p        zones.Profession
		code     string
		category zones.Category
		official string
	}{
		{"orthophonistes, sous-dense", zones.Orthophoniste, "01011", zones.SousDense, "1b_Sous_dense"},
		{"orthophonistes, intermédiaire", zones.Orthophoniste, "01001", zones.Intermediaire, "3_intermediaire"},
		{"chirurgiens-dentistes, non prioritaire as published", zones.ChirurgienDentiste, "06027", zones.NonPrioritaire, "5b_Non_prioritaire"},
		{"infirmiers in Corsica", zones.Infirmier, "2A004", zones.SurDotee, "5_Sur_dotee"},
		{"sages-femmes, Paris 6e", zones.SageFemme, "75106", zones.Intermediaire, "3_intermediaire"},
		{"sages-femmes, Guadeloupe", zones.SageFemme, "97101", zones.SurDotee, "5_Sur_dotee"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := base.For(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := res.ResolveCode(tc.code)
			if err != nil || r.Status != zones.StatusOK {
				t.Fatalf("%s: %v %+v", tc.code, err, r)
			}
			if tc.category != "" && (r.Zonage.Category != tc.category || r.Zonage.OfficialCode != tc.official) {
				t.Errorf("%s: %s (%s), want %s (%s)", tc.code, r.Zonage.Category, r.Zonage.OfficialCode, tc.category, tc.official)
			}
			if !strings.Contains(r.Provenance.ZonageSource, tc.p.Plural()) {
				t.Errorf("provenance %+v", r.Provenance)
			}
		})
	}
}

// A snapshot keeps the professions; one written without them (an older one) still
// loads, and answers for the kiné only.
func TestSnapshotProfessions(t *testing.T) {
	in := tinySnapshot()
	pz, err := zones.BuildProfessionZonages(map[zones.Profession][]zones.ProfessionEntry{
		zones.Orthophoniste: {{Code: "00001", Name: "Un", Region: "11", Category: zones.SousDense, OfficialCode: "1b_Sous_dense"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	in.Dataset.Professions = pz
	in.Dataset.Meta.Professions = []zones.ProfessionSource{{Profession: zones.Orthophoniste, Source: "cartosante-orthophoniste"}}
	path := filepath.Join(t.TempDir(), "z.snap")
	if err := WriteSnapshot(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadSnapshotFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := out.Resolver(0).For(zones.Orthophoniste)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := res.ResolveCode("00001"); r.Status != zones.StatusOK || r.Zonage.OfficialCode != "1b_Sous_dense" {
		t.Errorf("orthophonistes after a round trip: %+v", r)
	}
	if ds, err := ReadSnapshotDataset(path); err != nil || !ds.HasProfession(zones.Orthophoniste) {
		t.Errorf("dataset only: %v", err)
	}

	old := tinySnapshot()
	oldPath := filepath.Join(t.TempDir(), "old.snap")
	if err := WriteSnapshot(oldPath, old); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSnapshotFile(oldPath)
	if err != nil {
		t.Fatal(err)
	}
	var ie *zones.InputError
	if _, err := back.Resolver(0).For(zones.Orthophoniste); !errors.As(err, &ie) || ie.Field != "profession" {
		t.Errorf("profession on a snapshot without professions: %v", err)
	}
	if r, _ := back.Resolver(0).ResolveCode("00001"); r.Status != zones.StatusOK || r.Profession != zones.MasseurKine {
		t.Errorf("kiné on an older snapshot: %+v", r)
	}
}

// BenchmarkImport measures a whole import of the shared data folder: five
// professions, outlines, COG history, addresses.
func BenchmarkImport(b *testing.B) {
	dir := importTestDataDir(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		snap, err := Import(Options{DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.Dataset.Meta.Professions) != 4 {
			b.Fatalf("%d other professions imported", len(snap.Dataset.Meta.Professions))
		}
	}
}

// BenchmarkResolvePointProfession is BenchmarkResolvePoint for each other
// profession: the same index, answers built from the compact table.
func BenchmarkResolvePointProfession(b *testing.B) {
	snap, base := fullImport(b)
	points := interiorPoints(snap)
	for _, pe := range professionExports {
		b.Run(string(pe.profession), func(b *testing.B) {
			res, err := base.For(pe.profession)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := points[i%len(points)]
				if _, err := res.ResolvePoint(p[0], p[1]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
