package zones

import "testing"

// The resolver For makes for a profession answers with that profession's
// installation rules; the kiné's answers keep their options.
func TestInstallationThroughResolverFor(t *testing.T) {
	base := professionResolver(t)
	inf, err := base.For(Infirmier)
	if err != nil {
		t.Fatal(err)
	}
	res, err := inf.Resolve(Query{Text: "12 rue de Vaugirard Paris"})
	if err != nil {
		t.Fatal(err)
	}
	inf.FillOptions(&res, Profile{})
	if res.Zonage == nil || res.Zonage.Category != SurDotee || res.Options != nil || res.Installation == nil ||
		!res.Installation.Covered || res.Installation.Profession != Infirmier {
		t.Fatalf("infirmier: zonage %+v, options %+v, installation %+v", res.Zonage, res.Options, res.Installation)
	}
	if it := item(t, res.Installation, "une arrivée pour un départ"); it.Kind != KindConventionnement {
		t.Errorf("%+v", it)
	}

	// Candidates: each its own category's rules; one the export does not list has none.
	amb, err := inf.Resolve(Query{Text: "01400"})
	if err != nil {
		t.Fatal(err)
	}
	inf.FillOptions(&amb, Profile{})
	if len(amb.Candidates) != 2 {
		t.Fatalf("candidates: %+v", amb.Candidates)
	}
	for _, c := range amb.Candidates {
		if c.Options != nil || (c.Zonage.Category == "") != (c.Installation == nil) {
			t.Errorf("candidate %s (%q): options %d, installation %+v", c.Code, c.Zonage.Category, len(c.Options), c.Installation)
		}
	}

	kine, err := base.Resolve(Query{Citycode: "01001"})
	if err != nil {
		t.Fatal(err)
	}
	base.FillOptions(&kine, Profile{})
	if kine.Profession != MasseurKine || len(kine.Options) != 4 || kine.Installation != nil {
		t.Errorf("kiné: profession %q, options %d, installation %+v", kine.Profession, len(kine.Options), kine.Installation)
	}
}
