package importer

import (
	"strings"
	"testing"

	"zonage/zones"
)

// An arrêté covers its region: the official table's rows for three communes of
// Occitanie date Toulouse too, with the rows as evidence; La Réunion's 2019 arrêté
// does not fit the served categories, so its date is unknown, with why.
func TestRegionDatesFromOfficialRows(t *testing.T) {
	snap, res := fullImport(t)
	var occ *zones.RegionDate
	for i, rd := range snap.Dataset.Meta.RegionDates {
		if rd.Region == "76" {
			occ = &snap.Dataset.Meta.RegionDates[i]
		}
	}
	if occ == nil || occ.ArreteDate != "2024-10-29" || occ.Rows != 3 || strings.Join(occ.Codes, ",") != "11132,11262,34172" ||
		occ.Scheme != zones.SchemeAvenant7 || occ.TableDate != "2026-07-30" || occ.Mismatch != "" {
		t.Fatalf("Occitanie region date = %+v, want 29/10/2024 from the 3 Atlasanté rows", occ)
	}

	cases := []struct {
		name, code, arrete, status, note string
		evidenceRows                     int
	}{
		{name: "Toulouse gets the Occitanie date, derived", code: "31555", arrete: "2024-10-29", status: zones.DateDerived,
			note: "3 lignes de la table officielle atlasante_zonages_com_format_sample_4rows.csv (11132, 11262, 34172)", evidenceRows: 3},
		{name: "Narbonne has its own row", code: "11262", arrete: "2024-10-29", status: zones.DatePublished},
		{name: "Mayotte: Tsingoni's row dates Mamoudzou", code: "97611", arrete: "2022-03-31", status: zones.DateDerived, evidenceRows: 1},
		{name: "La Réunion: unknown, and why", code: "97406", status: zones.DateUnknown, note: "ne correspond pas aux catégories servies"},
		{name: "Île-de-France keeps its sourced regional date", code: "75106", arrete: "2024-11-05", status: zones.DateRegional},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := res.ResolveCode(tc.code)
			if err != nil || got.Zonage == nil {
				t.Fatalf("ResolveCode(%s) = %+v, %v", tc.code, got, err)
			}
			z := got.Zonage
			if z.ArreteDate != tc.arrete || z.DateStatus != tc.status || !strings.Contains(z.DateNote, tc.note) {
				t.Errorf("%s: date %q status %q note %q; want %q %q containing %q", tc.code, z.ArreteDate, z.DateStatus, z.DateNote, tc.arrete, tc.status, tc.note)
			}
			if tc.evidenceRows != 0 && (z.DateEvidence == nil || z.DateEvidence.Rows != tc.evidenceRows || z.DateEvidence.TableDate != "2026-07-30") {
				t.Errorf("%s: evidence %+v, want %d rows of the table of 30/07/2026", tc.code, z.DateEvidence, tc.evidenceRows)
			}
			if tc.evidenceRows == 0 && z.DateEvidence != nil {
				t.Errorf("%s: unexpected evidence %+v", tc.code, z.DateEvidence)
			}
		})
	}
}

// Dated rows that disagree with the categories served for the same communes cannot
// date the served data: the region's answers say the date is unknown, and why.
func TestRegionDateMismatch(t *testing.T) {
	ds := &zones.Dataset{
		Zonage: map[string][]zones.Zonage{
			"01001": {{Code: "01001", Category: zones.Intermediaire, OfficialCode: "3_intermediaire", Region: "84", Source: "cartosante", Scheme: zones.SchemeAvenant7}},
		},
		Meta: zones.Meta{RegionDates: []zones.RegionDate{{Region: "84", ArreteDate: "2024-10-30", Table: "t.csv", Rows: 1, Codes: []string{"01002"},
			Mismatch: "01002 B y est 2_Sous_dotee alors que cartosante sert 3_intermediaire"}}},
	}
	ds.Index()
	r := &zones.Resolver{Dataset: ds}
	got, _ := r.ResolveCode("01001")
	if got.Zonage == nil || got.Zonage.ArreteDate != "" || got.Zonage.DateStatus != zones.DateUnknown ||
		!strings.Contains(got.Zonage.DateNote, "date inconnue : la table officielle t.csv date l'arrêté d'Auvergne-Rhône-Alpes au 30/10/2024, mais 01002 B y est 2_Sous_dotee") {
		t.Fatalf("answer %+v", got.Zonage)
	}
}

// Paris, Lyon and Marseille are zoned by arrondissement: no arrondissement is grouped
// in its city's canton-ville. Every derived unit says whether its communes share one
// category, and a unit whose communes differ is never presented as classed whole.
func TestCatchmentsMatchTheData(t *testing.T) {
	snap, res := fullImport(t)
	for _, code := range []string{"75106", "75115", "69381", "13201"} {
		got, _ := res.ResolveCode(code)
		if got.Zonage == nil || got.Zonage.Catchment != nil {
			t.Errorf("%s: catchment %+v, want none (zoned by arrondissement)", code, got.Zonage)
		}
	}
	cc := snap.Dataset.Meta.Coverage.Catchments
	if cc == nil || cc.DerivedUnits < 1500 || cc.DerivedCoherent >= cc.DerivedUnits || cc.DerivedCoherent == 0 ||
		cc.DerivedRate != float64(cc.DerivedCoherent)/float64(cc.DerivedUnits) {
		t.Fatalf("coherence %+v", cc)
	}
	units := map[string]zones.CatchmentUnit{}
	derived := 0
	for _, u := range cc.Units {
		units[string(u.Kind)+":"+u.Code] = u
		if u.Derived {
			derived++
		}
		if n := sumCounts(u.Categories); n != u.Communes || u.Coherent != (len(u.Categories) == 1) {
			t.Errorf("unit %s %s: %d communes, categories %v, coherent %v", u.Kind, u.Code, u.Communes, u.Categories, u.Coherent)
		}
	}
	if derived != cc.DerivedUnits {
		t.Errorf("%d derived units listed, %d counted", derived, cc.DerivedUnits)
	}
	// Every commune's answer agrees with its unit's record.
	checked := map[bool]int{}
	for _, c := range snap.Dataset.Communes {
		if c.Catchment == nil || checked[false] > 50 && checked[true] > 50 {
			continue
		}
		got, _ := res.ResolveCode(c.Code)
		if got.Zonage == nil || got.Zonage.Catchment == nil {
			continue
		}
		cat := got.Zonage.Catchment
		u := units[string(cat.Kind)+":"+cat.Code]
		if cat.Coherent != zones.CoherenceOf(u.Coherent) || cat.Communes != u.Communes || cat.ClassedWhole() != u.Coherent {
			t.Fatalf("%s: answer's unit %+v, report %+v", c.Code, cat, u)
		}
		checked[u.Coherent]++
	}
	if checked[false] == 0 || checked[true] == 0 {
		t.Errorf("checked %v: want both coherent and split units", checked)
	}
	// The snapshot file keeps what the import said: a split unit stays split, it does
	// not come back as "not computed".
	b, err := EncodeSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := DecodeSnapshotDataset(b, "aller-retour")
	if err != nil {
		t.Fatal(err)
	}
	mixed := 0
	for i, c := range decoded.Communes {
		want := snap.Dataset.Communes[i].Catchment
		if c.Catchment == nil || want == nil {
			continue
		}
		if c.Catchment.Coherent != want.Coherent {
			t.Fatalf("%s: coherence %v after the snapshot, %v before", c.Code, c.Catchment.Coherent, want.Coherent)
		}
		if c.Catchment.Coherent == zones.CoherenceMixed {
			mixed++
		}
	}
	if mixed == 0 {
		t.Error("no split unit survives the snapshot")
	}
}

func sumCounts(m map[zones.Category]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// Each answer says how old its region's arrêté is and when the law expects the next:
// on 1 November 2026, Occitanie's zonage of 29 October 2024 is due for revision.
func TestRevisionOnRealData(t *testing.T) {
	_, res := fullImport(t)
	got, _ := res.ResolveCode("31555")
	rv := got.Zonage.Revision
	if got.Date.String() != "2026-11-01" || rv == nil || rv.Since != "2024-10-29" || rv.Expected != "2026-10-29" || !rv.Overdue ||
		!strings.Contains(rv.Warning, "révision tous les deux ans, attendue le 29/10/2026") {
		t.Fatalf("Toulouse on %s: revision %+v", got.Date, rv)
	}
	before, _ := res.ResolveCodeOn("31555", mustDay(t, "2026-06-01"))
	if rv := before.Zonage.Revision; rv.Overdue || rv.Warning != "" || rv.Age != "1 an et 7 mois" {
		t.Errorf("Toulouse on 01/06/2026: %+v", rv)
	}
	reunion, _ := res.ResolveCode("97411")
	if rv := reunion.Zonage.Revision; rv == nil || rv.Overdue || rv.Since != "" || !strings.Contains(rv.Note, "inconnue") {
		t.Errorf("La Réunion: %+v", rv)
	}
	revs := res.RegionRevisions(zones.Day{})
	byRegion := map[string]zones.RegionRevision{}
	for _, r := range revs {
		byRegion[r.Region.Code] = r
	}
	if len(revs) != 18 || byRegion["76"].Revision.Expected != "2026-10-29" || byRegion["76"].DateStatus != zones.DateDerived ||
		byRegion["04"].DateStatus != zones.DateUnknown || byRegion["84"].DateStatus != zones.DateConflict {
		t.Errorf("region revisions: %+v", revs)
	}
	overdue, warning := zones.RevisionSummary(revs)
	if len(overdue) == 0 || !strings.Contains(warning, "Occitanie") {
		t.Errorf("summary %v %q", overdue, warning)
	}
}

func mustDay(t *testing.T, iso string) zones.Day {
	t.Helper()
	d, err := zones.ParseDay(iso)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Mayotte's arrêté of 31 March 2022, given by the official table, predates avenant 7:
// its zonage is on the five-level scale of avenant 5, for the dated row and for the
// region's other communes, so the answers apply that scale's rules and do not say
// the scale is unknown.
func TestSchemeFromArreteBeforeAvenant7(t *testing.T) {
	snap, res := fullImport(t)
	for _, rd := range snap.Dataset.Meta.RegionDates {
		if rd.Region == "06" && rd.Scheme != zones.SchemeAvenant5 {
			t.Errorf("Mayotte region date %+v, want the avenant 5 scale", rd)
		}
	}
	for _, code := range []string{"97617", "97611"} {
		got, err := res.ResolveCode(code)
		if err != nil || got.Zonage == nil {
			t.Fatalf("ResolveCode(%s) = %+v, %v", code, got, err)
		}
		if got.Zonage.Scheme != zones.SchemeAvenant5 || got.Zonage.ArreteDate != "2022-03-31" {
			t.Errorf("%s: scale %q, arrêté %q; want avenant5 from the arrêté of 2022-03-31", code, got.Zonage.Scheme, got.Zonage.ArreteDate)
		}
		res.FillOptions(&got, zones.Profile{Status: zones.Titulaire})
		if len(got.Options) != 1 {
			t.Fatalf("%s: %d options for one status", code, len(got.Options))
		}
		if o := got.Options[0]; o.SchemeUnknown || o.Scheme != zones.SchemeAvenant5 {
			t.Errorf("%s: options on scale %q (unknown %v); want the avenant 5 rules", code, o.Scheme, o.SchemeUnknown)
		}
	}
	// Occitanie's arrêté of 29 October 2024 stays on the four-level scale.
	got, _ := res.ResolveCode("31555")
	if got.Zonage == nil || got.Zonage.Scheme != zones.SchemeAvenant7 {
		t.Errorf("Toulouse: %+v, want avenant7", got.Zonage)
	}
}
