package zones

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// professionResolver is testResolver with the other professions' zonage of a few
// codes: the orthophonistes disagree on Orée d'Anjou's former communes where the
// infirmiers agree, and the chirurgiens-dentistes' export was not imported.
func professionResolver(t testing.TB) *Resolver {
	t.Helper()
	r := testResolver(t)
	row := func(code, name, region string, c Category, official string) ProfessionEntry {
		return ProfessionEntry{Code: code, Name: name, Region: region, Category: c, OfficialCode: official}
	}
	rows := map[Profession][]ProfessionEntry{
		Infirmier: {
			row("01001", "L'Abergement-Clémenciat", "84", TresDotee, "4_Tres_dotee"),
			row("49069", "Champtoceaux", "52", Intermediaire, "3_intermediaire"),
			row("49244", "Liré", "52", Intermediaire, "3_intermediaire"),
			row("75106", "Paris 6e Arrondissement", "11", SurDotee, "5_Sur_dotee"),
			row("75107", "Paris 7e Arrondissement", "11", SurDotee, "5_Sur_dotee"),
			row("97701", "Saint-Barthélemy", "01", NonDisponible, "N/A - résultat non disponible"),
		},
		Orthophoniste: {
			row("01001", "L'Abergement-Clémenciat", "84", SousDense, "1b_Sous_dense"),
			row("49069", "Champtoceaux", "52", SousDense, "1b_Sous_dense"),
			row("49244", "Liré", "52", Intermediaire, "3_intermediaire"),
			row("75106", "Paris 6e Arrondissement", "11", SurDotee, "5_Sur_dotee"),
		},
		SageFemme: {
			row("22001", "Ancienne Zone", "53", SousDotee, "2_Sous_dotee"),
		},
	}
	pz, err := BuildProfessionZonages(rows)
	if err != nil {
		t.Fatal(err)
	}
	if err := pz.Check(); err != nil {
		t.Fatal(err)
	}
	r.Dataset.Professions = pz
	for _, p := range []Profession{Infirmier, Orthophoniste, SageFemme} {
		r.Dataset.Meta.Professions = append(r.Dataset.Meta.Professions, ProfessionSource{Profession: p, Source: "cartosante-" + string(p),
			ZonageSource: "export CartoSanté (ARS/DGOS), zonage des " + p.Plural(), ZonageVintage: "export CartoSanté de septembre 2025, codes COG 2024"})
	}
	return r
}

func TestResolverFor(t *testing.T) {
	r := professionResolver(t)
	if got, err := r.For(MasseurKine); err != nil || got != r {
		t.Fatalf("For(kiné) = %p, %v; want the resolver itself", got, err)
	}
	inf, err := r.For(Infirmier)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := r.For(Infirmier); again != inf {
		t.Error("For(infirmier) made a second resolver; want the one kept")
	}
	if back, _ := inf.For(MasseurKine); back != r {
		t.Error("For(kiné) on the infirmiers' resolver is not the kiné resolver")
	}
	r.Clock = func() time.Time { return mustTestDay("2027-03-04").Time() }
	if got := inf.Today().String(); got != "2027-03-04" {
		t.Errorf("infirmiers' day %s: not the kiné resolver's clock", got)
	}
	if inf.Profession() != Infirmier || r.Profession() != MasseurKine {
		t.Errorf("Profession() = %s and %s", inf.Profession(), r.Profession())
	}
	_, err = r.For(ChirurgienDentiste)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "profession" || !strings.Contains(err.Error(), "chirurgiens-dentistes") {
		t.Errorf("For(chirurgien-dentiste) without its data = %v; want an InputError on profession naming it", err)
	}
	if _, err := r.For("plombier"); !errors.As(err, &ie) || !strings.Contains(err.Error(), "sage-femme") {
		t.Errorf("For(plombier) = %v; want an InputError listing the slugs", err)
	}
	bare := testResolver(t)
	if _, err := bare.For(Infirmier); !errors.As(err, &ie) {
		t.Errorf("For on a dataset without professions = %v; want an InputError", err)
	}
	if !bare.Dataset.HasProfession(MasseurKine) || bare.Dataset.HasProfession(Infirmier) || !r.Dataset.HasProfession(Orthophoniste) {
		t.Error("HasProfession does not follow the imported professions")
	}
}

func TestResolveProfession(t *testing.T) {
	cases := []struct {
		name       string
		p          Profession
		q          Query
		status     Status
		commune    string
		category   Category
		official   string
		message    []string
		candidates []string
	}{
		{name: "kiné answer says its profession", p: MasseurKine, q: Query{Citycode: "01001"},
			status: StatusOK, commune: "01001", category: TresSousDotee, official: "1_Tres_sous_dotee"},
		{name: "infirmiers by point", p: Infirmier, q: Query{Lat: 46.1, Lon: 5.0, HasPoint: true},
			status: StatusOK, commune: "01001", category: TresDotee, official: "4_Tres_dotee",
			message: []string{"L'Abergement-Clémenciat (01001) : très dotée"}},
		{name: "orthophonistes: sous-dense as published", p: Orthophoniste, q: Query{Citycode: "01001"},
			status: StatusOK, commune: "01001", category: SousDense, official: "1b_Sous_dense"},
		{name: "infirmiers: former communes agree", p: Infirmier, q: Query{Citycode: "49126"},
			status: StatusOK, commune: "49126", category: Intermediaire, official: "3_intermediaire",
			message: []string{"toutes ses anciennes communes 49069, 49244 ont cette catégorie"}},
		{name: "orthophonistes: former communes disagree", p: Orthophoniste, q: Query{Citycode: "49126"},
			status: StatusAmbiguous, commune: "49126", candidates: []string{"49069", "49244"},
			message: []string{"Champtoceaux (49069) sous-dense", "Liré (49244) intermédiaire"}},
		{name: "former commune's own category", p: Orthophoniste, q: Query{Citycode: "49069"},
			status: StatusOK, commune: "49126", category: SousDense, official: "1b_Sous_dense"},
		{name: "Paris per arrondissement, only those the export lists", p: Orthophoniste, q: Query{Citycode: "75056"},
			status: StatusAmbiguous, candidates: []string{"75106"}},
		{name: "address", p: Infirmier, q: Query{Text: "12 rue de Vaugirard Paris"},
			status: StatusOK, commune: "75106", category: SurDotee, official: "5_Sur_dotee"},
		{name: "ambiguous address, candidates answered for the profession", p: Infirmier, q: Query{Text: "01400"},
			status: StatusAmbiguous, candidates: []string{"01001", "01999"}, message: []string{"L'Abergement-Clémenciat (01001) très dotée"}},
		{name: "no outline, published", p: Infirmier, q: Query{Citycode: "97701"},
			status: StatusOK, commune: "97701", category: NonDisponible, official: "N/A - résultat non disponible"},
		{name: "commune absent from the profession's export", p: Orthophoniste, q: Query{Citycode: "75107"},
			status: StatusNotFound, commune: "75107", message: []string{"aucun zonage en vigueur"}},
		{name: "kiné zonage ended; the profession's is not", p: SageFemme, q: Query{Citycode: "22001"},
			status: StatusOK, commune: "22001", category: SousDotee, official: "2_Sous_dotee"},
		{name: "out of France", p: SageFemme, q: Query{Lat: 10, Lon: 150, HasPoint: true}, status: StatusNotFound},
	}
	base := professionResolver(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := base.For(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.Resolve(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if res.Profession != tc.p {
				t.Errorf("profession = %q, want %q", res.Profession, tc.p)
			}
			if res.Status != tc.status {
				t.Fatalf("status = %s, want %s (%s)", res.Status, tc.status, res.Message)
			}
			if tc.commune != "" && (res.Commune == nil || res.Commune.Code != tc.commune) {
				t.Errorf("commune = %+v, want %s", res.Commune, tc.commune)
			}
			if tc.category != "" {
				if res.Zonage == nil || res.Zonage.Category != tc.category || res.Zonage.OfficialCode != tc.official {
					t.Fatalf("zonage = %+v, want %s (%s)", res.Zonage, tc.category, tc.official)
				}
			} else if res.Zonage != nil {
				t.Errorf("zonage = %+v, want none", res.Zonage)
			}
			var codes []string
			for _, c := range res.Candidates {
				codes = append(codes, c.Code)
				if c.Zonage.Category != "" && tc.p != MasseurKine && (c.Zonage.Catchment != nil || c.Zonage.Revision != nil) {
					t.Errorf("candidate %s carries the kiné's catchment or revision", c.Code)
				}
			}
			if !slices.Equal(codes, tc.candidates) {
				t.Errorf("candidates = %v, want %v", codes, tc.candidates)
			}
			for _, m := range tc.message {
				if !strings.Contains(res.Message, m) {
					t.Errorf("message %q lacks %q", res.Message, m)
				}
			}
		})
	}
}

// Another profession's answer carries none of the kiné's dates, catchment or
// revision, says its date is unknown and why, and names its own source.
func TestProfessionAnswerHasNoKineParts(t *testing.T) {
	base := professionResolver(t)
	r, _ := base.For(Infirmier)
	res, err := r.ResolveCode("75106")
	if err != nil {
		t.Fatal(err)
	}
	z := res.Zonage
	if z.Catchment != nil || z.Revision != nil || z.ArreteDate != "" || z.EffectiveDate != "" || z.DateEvidence != nil || z.Scheme != "" {
		t.Errorf("infirmiers' answer carries kiné parts: %+v", z)
	}
	if z.DateStatus != DateUnknown || !strings.Contains(z.DateNote, "export CartoSanté de septembre 2025") || !strings.Contains(z.DateNote, "infirmiers") {
		t.Errorf("date status %q, note %q", z.DateStatus, z.DateNote)
	}
	if z.Source != "cartosante-infirmier" || !strings.Contains(res.Provenance.ZonageSource, "infirmiers") {
		t.Errorf("source %q, provenance %+v", z.Source, res.Provenance)
	}
	// A day before any kiné arrêté is not « outside the data » for a profession
	// whose export dates nothing.
	early, err := r.ResolveCodeOn("75106", mustTestDay("2019-01-01"))
	if err != nil || early.Status != StatusOK || early.OutsideData {
		t.Errorf("infirmiers in 2019: %s %v (%v)", early.Status, early.OutsideData, err)
	}
	kine, _ := base.ResolveCode("75106")
	if kine.Zonage.Catchment == nil || kine.Zonage.Category != Intermediaire {
		t.Errorf("the kiné's answer changed: %+v", kine.Zonage)
	}
}

func TestProfessionBatchAndRecords(t *testing.T) {
	base := professionResolver(t)
	r, _ := base.For(Orthophoniste)
	got := r.ClassifyFields(BatchFields{Citycode: "01001"})
	if got.Category != string(SousDense) || got.Status != StatusOK {
		t.Errorf("batch row = %+v", got)
	}
	res, err := r.ResolveFields(BatchFields{Lat: "95", Lon: "2", Line: 3})
	if err == nil || res.Profession != Orthophoniste {
		t.Errorf("bad row: %v, profession %q", err, res.Profession)
	}
	i := slices.IndexFunc(r.Dataset.Communes, func(c Commune) bool { return c.Code == "49126" })
	rec := r.CommuneRecord(i)
	if rec.Status != StatusAmbiguous || !strings.Contains(rec.Note, "sous-dense") {
		t.Errorf("record = %+v", rec)
	}
}

func TestBuildProfessionZonagesRefusesDuplicates(t *testing.T) {
	e := ProfessionEntry{Code: "01001", Category: Intermediaire, OfficialCode: "3_intermediaire"}
	if _, err := BuildProfessionZonages(map[Profession][]ProfessionEntry{Infirmier: {e, e}}); err == nil || !strings.Contains(err.Error(), "01001") {
		t.Errorf("duplicate code: %v", err)
	}
}
