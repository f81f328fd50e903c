package importer

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"zonage/zones"
)

type reconcileInput struct {
	national []*ZonageFile // CartoSanté first, then Atlasanté tables
	// professions are the other professions' CartoSanté exports, in the order of
	// zones.Professions().
	professions []*ZonageFile
	overlays    []*Overlay
	polygons    []PolygonFeature
	cog         map[string][]COGCommune // COG year -> communes
	passage     map[string]string       // historical code -> COG 2025 code
	movements   []Movement
	catchments  map[string]CatchmentRow
	today       zones.Day // the day the coverage is reported for
	notes       []string  // findings of the readers, for the report
}

// reconciler carries the lookup tables built from the inputs.
type reconciler struct {
	in      *reconcileInput
	current map[string]COGCommune // newest COG: communes, arrondissements, déléguées by code
	poly    map[string]int        // outline code -> index in in.polygons
	history map[string]string     // code that no longer has an outline -> outline code
	// anyRegion maps a code of any COG vintage to its region; built on first use.
	anyRegion map[string]string
	// disagree notes, per code, how a later national table's category differs from
	// the one an earlier table gave.
	disagree map[string]string
	notes    []string
}

// reconcile joins the zonage (its own COG vintage, per arrondissement for Paris,
// Lyon and Marseille) to the outlines (COG 2025) through the COG history, so that
// every outline gets the zonage codes that cover it or a reason why none does.
func reconcile(in *reconcileInput) (*Snapshot, error) {
	years := sortedKeys(in.cog)
	newest := in.cog[years[len(years)-1]]
	r := newReconciler(in, newest)
	ds := newDataset(newest, r.current)
	if err := r.assignNational(ds); err != nil {
		return nil, err
	}
	if err := r.applyOverlays(ds); err != nil {
		return nil, err
	}
	r.inferSchemes(ds)
	ds.Meta.RegionDates = r.deriveRegionDates(ds)
	if err := r.assignProfessions(ds); err != nil {
		return nil, err
	}
	polys := r.addCommunes(ds)
	r.buildFormer(ds)
	ds.Index()
	// ds.Index sorts communes by code; the outlines were read sorted by code too.
	for i := range ds.Communes {
		if ds.Communes[i].Code != in.polygons[i].Code {
			return nil, fmt.Errorf("ordre des contours incohérent (%s ≠ %s)", ds.Communes[i].Code, in.polygons[i].Code)
		}
	}
	ds.Meta.Coverage = r.coverage(ds)
	for i := range ds.Meta.Professions {
		ds.Meta.Professions[i].Coverage = r.professionCoverage(ds, ds.Meta.Professions[i].Profession)
	}
	ds.Meta.Coverage.Notes = append(ds.Meta.Coverage.Notes, r.notes...)
	r.describe(ds)
	return &Snapshot{Dataset: ds, Polygons: polys}, nil
}

// newReconciler builds the lookup tables: the places of the newest COG, the
// outlines by code and the history from older codes to outline codes.
func newReconciler(in *reconcileInput, newest []COGCommune) *reconciler {
	r := &reconciler{in: in, poly: map[string]int{}, history: map[string]string{}, current: map[string]COGCommune{}, notes: in.notes}
	for _, c := range newest {
		// A commune déléguée may share its code with its commune nouvelle: keep the
		// commune-actuelle entry for that code.
		if prev, ok := r.current[c.Code]; ok && prev.Type == zones.CommuneActuelle {
			continue
		}
		r.current[c.Code] = c
	}
	r.dropParentOutlines()
	for i, f := range in.polygons {
		r.poly[f.Code] = i
	}
	r.buildHistory()
	return r
}

// newDataset is an empty dataset knowing the arrondissements of Paris, Lyon and
// Marseille (sorted by code) and their communes' names, from the newest COG.
func newDataset(newest []COGCommune, current map[string]COGCommune) *zones.Dataset {
	ds := &zones.Dataset{
		Zonage:          map[string][]zones.Zonage{},
		Former:          map[string]zones.FormerCommune{},
		Arrondissements: map[string][]string{},
		ParentNames:     map[string]string{},
	}
	for _, c := range newest {
		if c.Type == zones.ArrondissementMunicipal && c.Parent != "" {
			ds.Arrondissements[c.Parent] = append(ds.Arrondissements[c.Parent], c.Code)
			if p, ok := current[c.Parent]; ok {
				ds.ParentNames[c.Parent] = p.Name
			}
		}
	}
	for _, arr := range ds.Arrondissements {
		sort.Strings(arr)
	}
	return ds
}

// addCommunes adds a commune per outline, in outline order (sorted by code), and
// returns the outlines' geometry in that order. A commune's zonage codes are those
// of every profession's export that fall in it: the exports list the same codes,
// and a profession that lacks one simply has no category for it.
func (r *reconciler) addCommunes(ds *zones.Dataset) []orb.MultiPolygon {
	polys := make([]orb.MultiPolygon, len(r.in.polygons))
	covering := map[string][]string{}
	for _, code := range r.zonageCodes(ds) {
		if t := r.target(code); t != "" {
			covering[t] = append(covering[t], code)
		}
	}
	restored := r.restoredCommunes(ds)
	for i, f := range r.in.polygons {
		c := r.commune(f)
		codes := covering[f.Code]
		sort.Slice(codes, func(a, b int) bool {
			// The commune's own code first: it speaks for the commune when all agree.
			if (codes[a] == f.Code) != (codes[b] == f.Code) {
				return codes[a] == f.Code
			}
			return codes[a] < codes[b]
		})
		if len(codes) == 0 {
			if from, ok := restored[f.Code]; ok {
				// A commune restored after the zonage was published lies in the territory
				// the ARS classified as part of the commune it leaves.
				codes = []string{from.CodeBefore}
				c.ZonageNote = fmt.Sprintf("commune rétablie le %s à partir de %s (%s), pour laquelle le zonage a été publié",
					zones.FrenchDate(from.Date), from.NameBefore, from.CodeBefore)
				r.notes = append(r.notes, fmt.Sprintf("%s %s : %s", f.Code, c.Name, c.ZonageNote))
			}
		}
		c.ZonageCodes = codes
		if len(codes) == 0 {
			c.NoZonageReason = "commune absente du fichier de zonage importé"
		}
		ds.Communes = append(ds.Communes, c)
		polys[i] = f.Geometry
	}
	return polys
}

// restoredCommunes maps a commune re-established (INSEE movement 21, « rétablissement »)
// after the zonage's COG vintage to the movement from the commune it was part of,
// when that commune has a zonage.
func (r *reconciler) restoredCommunes(ds *zones.Dataset) map[string]Movement {
	out := map[string]Movement{}
	for _, m := range r.in.movements {
		if m.Mod != "21" || m.CodeBefore == m.CodeAfter || m.TypeAfter != "COM" {
			continue
		}
		if !r.hasZonage(ds, m.CodeBefore) {
			continue
		}
		if prev, ok := out[m.CodeAfter]; !ok || m.Date > prev.Date {
			out[m.CodeAfter] = m
		}
	}
	return out
}

// dropParentOutlines removes the outline of Paris, Lyon or Marseille as a whole
// when its arrondissements have outlines too: the zonage is per arrondissement, and
// an overlapping parent would shadow them. (The Etalab national files carry both.)
func (r *reconciler) dropParentOutlines() {
	have := map[string]bool{}
	for _, f := range r.in.polygons {
		have[f.Code] = true
	}
	parents := map[string]bool{}
	for _, c := range r.current {
		if c.Type == zones.ArrondissementMunicipal && have[c.Code] {
			parents[c.Parent] = true
		}
	}
	kept := make([]PolygonFeature, 0, len(r.in.polygons))
	for _, f := range r.in.polygons {
		if parents[f.Code] {
			r.notes = append(r.notes, fmt.Sprintf("contour de %s remplacé par ceux de ses arrondissements", f.Code))
			continue
		}
		kept = append(kept, f)
	}
	r.in.polygons = kept
}

// buildHistory maps every code that has no outline of its own to the outline that
// now covers it: the COGiter passage table, then decoupage-administratif's
// anciensCodes and communes déléguées/associées.
func (r *reconciler) buildHistory() {
	set := func(old, cur string) {
		if _, own := r.poly[old]; own || old == cur {
			return
		}
		if _, ok := r.history[old]; !ok {
			r.history[old] = cur
		}
	}
	for old, cur := range r.in.passage {
		set(old, cur)
	}
	for _, year := range sortedKeys(r.in.cog) {
		for _, c := range r.in.cog[year] {
			for _, old := range c.FormerCodes {
				set(old, c.Code)
			}
			if (c.Type == zones.CommuneDeleguee || c.Type == zones.CommuneAssociee) && c.Parent != "" {
				set(c.Code, c.Parent)
			}
		}
	}
	// Follow chains (a commune merged twice) to a code that has an outline.
	for old := range r.history {
		cur := r.history[old]
		for i := 0; i < 8; i++ {
			if _, ok := r.poly[cur]; ok {
				break
			}
			next, ok := r.history[cur]
			if !ok {
				break
			}
			cur = next
		}
		r.history[old] = cur
	}
}

// target is the outline that a code of any vintage falls in, or "".
func (r *reconciler) target(code string) string {
	if _, ok := r.poly[code]; ok {
		return code
	}
	if t, ok := r.history[code]; ok {
		if _, ok := r.poly[t]; ok {
			return t
		}
	}
	return ""
}

func (r *reconciler) regionOf(code string) string {
	if t := r.target(code); t != "" {
		if c, ok := r.current[t]; ok {
			return c.Region
		}
	}
	if c, ok := r.current[code]; ok {
		return c.Region
	}
	if r.anyRegion == nil {
		// Codes of every vintage, the newest vintage winning: built once, since an
		// overlay checks thousands of codes.
		r.anyRegion = map[string]string{}
		for _, year := range sortedKeys(r.in.cog) {
			for _, c := range r.in.cog[year] {
				if c.Region != "" {
					r.anyRegion[c.Code] = c.Region
				}
			}
		}
	}
	return r.anyRegion[code]
}

// assignNational merges the national tables: the first (CartoSanté) is the base;
// a later table (Atlasanté) adds the arrêté dates and official catchments, and wins
// on a disagreement when it is more recent, which the report lists.
func (r *reconciler) assignNational(ds *zones.Dataset) error {
	for _, f := range r.in.national {
		srcID := f.Format
		for _, rec := range f.Records {
			z := zones.Zonage{
				Code: rec.Code, Name: rec.Name, Category: rec.Category, OfficialCode: rec.RawCategory,
				ArreteDate: rec.ArreteDate, Source: srcID, Catchment: rec.Catchment,
			}
			if reg, ok := zones.RegionByName(rec.Region); ok && rec.Region != "" {
				z.Region = reg.Code
			} else {
				z.Region = r.regionOf(rec.Code)
			}
			prev, ok := ds.Zonage[rec.Code]
			if !ok {
				ds.Zonage[rec.Code] = []zones.Zonage{z}
				continue
			}
			p := &prev[0]
			if p.Category != z.Category {
				if r.disagree == nil {
					r.disagree = map[string]string{}
				}
				r.disagree[rec.Code] = fmt.Sprintf("%s %s y est %s alors que %s sert %s", rec.Code, rec.Name, z.OfficialCode, p.Source, p.OfficialCode)
				r.notes = append(r.notes, fmt.Sprintf("%s %s : %s dans %s, %s dans %s (%s retenu)",
					rec.Code, rec.Name, p.OfficialCode, p.Source, z.OfficialCode, srcID, srcID))
				p.Category, p.OfficialCode, p.Source = z.Category, z.OfficialCode, srcID
			}
			if z.ArreteDate != "" {
				p.ArreteDate = z.ArreteDate
			}
			if z.Catchment != nil {
				p.Catchment = z.Catchment
			}
			if p.Name == "" {
				p.Name = z.Name
			}
		}
	}
	return nil
}

// assignProfessions stores the other professions' exports in the dataset, each
// code with its region as the kiné's assignments get it, and their provenance.
func (r *reconciler) assignProfessions(ds *zones.Dataset) error {
	if len(r.in.professions) == 0 {
		return nil
	}
	rows := map[zones.Profession][]zones.ProfessionEntry{}
	for _, f := range r.in.professions {
		list := make([]zones.ProfessionEntry, 0, len(f.Records))
		for _, rec := range f.Records {
			region := ""
			if z, ok := ds.Zonage[rec.Code]; ok {
				region = z[0].Region
			} else {
				region = r.regionOf(rec.Code)
			}
			list = append(list, zones.ProfessionEntry{Code: rec.Code, Name: rec.Name, Region: region,
				Category: rec.Category, OfficialCode: rec.RawCategory})
		}
		rows[f.Profession] = list
		ds.Meta.Professions = append(ds.Meta.Professions, zones.ProfessionSource{
			Profession:    f.Profession,
			Source:        professionSourceID(f.Profession),
			ZonageSource:  "export CartoSanté (ARS/DGOS) du zonage des " + f.Profession.Plural(),
			ZonageVintage: fmt.Sprintf("export CartoSanté de %s, codes COG %s", frenchMonth(exportMonth(f.Path)), r.zonageCOG(f)),
		})
	}
	pz, err := zones.BuildProfessionZonages(rows)
	if err != nil {
		return err
	}
	ds.Professions = pz
	return nil
}

// zonageCodes are the codes of every zonage source: the kiné's assignments and
// the other professions' exports.
func (r *reconciler) zonageCodes(ds *zones.Dataset) []string {
	codes := make([]string, 0, len(ds.Zonage))
	for code := range ds.Zonage {
		codes = append(codes, code)
	}
	if ds.Professions != nil {
		for _, code := range ds.Professions.Codes {
			if _, ok := ds.Zonage[code]; !ok {
				codes = append(codes, code)
			}
		}
	}
	return codes
}

// hasZonage reports whether any profession's zonage lists code.
func (r *reconciler) hasZonage(ds *zones.Dataset, code string) bool {
	if _, ok := ds.Zonage[code]; ok {
		return true
	}
	if ds.Professions == nil {
		return false
	}
	i := sort.SearchStrings(ds.Professions.Codes, code)
	return i < len(ds.Professions.Codes) && ds.Professions.Codes[i] == code
}

// deriveRegionDates gathers, per region, the kiné arrêté dates the official tables
// give on their rows. An arrêté covers its region, so one dated row dates the region's
// other communes too (zones applies it, marked derived, with this evidence), unless
// the dated rows disagree among themselves (no date, and the report says so) or with
// the categories another table serves for the same communes (Mismatch).
func (r *reconciler) deriveRegionDates(ds *zones.Dataset) []zones.RegionDate {
	type key struct{ region, table string }
	found := map[key]*zones.RegionDate{}
	var order []key
	conflicting := map[key]bool{}
	for _, f := range r.in.national {
		for _, rec := range f.Records {
			if rec.ArreteDate == "" {
				continue
			}
			list := ds.Zonage[rec.Code]
			if len(list) == 0 {
				continue
			}
			z := list[0]
			k := key{z.Region, f.Path}
			rd, ok := found[k]
			if !ok {
				rd = &zones.RegionDate{Region: z.Region, ArreteDate: rec.ArreteDate, Scheme: rec.Category.ImpliedScheme(),
					Source: f.Format, Table: filepath.Base(f.Path), TableDate: f.DateMaj}
				found[k] = rd
				order = append(order, k)
			}
			if rd.ArreteDate != rec.ArreteDate {
				conflicting[k] = true
			}
			if s := rec.Category.ImpliedScheme(); s != "" {
				rd.Scheme = s
			} else if rd.Scheme == "" && rec.ArreteDate < avenant7InForce {
				rd.Scheme = zones.SchemeAvenant5
			}
			rd.Rows++
			rd.Codes = append(rd.Codes, rec.Code)
			if d, ok := r.disagree[rec.Code]; ok {
				rd.Mismatch = joinNote(rd.Mismatch, d)
			}
		}
	}
	var out []zones.RegionDate
	retained := map[string]string{}
	for _, k := range order {
		rd := found[k]
		switch {
		case conflicting[k]:
			r.notes = append(r.notes, fmt.Sprintf("%s : les lignes de %s ne donnent pas toutes la même date d'arrêté ; aucune date n'est étendue à la région",
				regionLabel(k.region), rd.Table))
			continue
		case retained[k.region] != "":
			r.notes = append(r.notes, fmt.Sprintf("%s : plusieurs tables officielles datent la région ; seule %s est retenue", regionLabel(k.region), retained[k.region]))
			continue
		}
		retained[k.region] = rd.Table
		sort.Strings(rd.Codes)
		out = append(out, *rd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + " ; " + b
}

// applyOverlays makes each regional arrêté replace its region's assignments from
// its effective date: earlier assignments of the region end that day.
func (r *reconciler) applyOverlays(ds *zones.Dataset) error {
	ovs := append([]*Overlay(nil), r.in.overlays...)
	sort.SliceStable(ovs, func(i, j int) bool { return ovs[i].EffectiveDate < ovs[j].EffectiveDate })
	for _, o := range ovs {
		for _, rec := range o.Records {
			reg := r.regionOf(rec.Code)
			if reg == "" {
				return &InputError{File: o.Path, Line: rec.Line, Field: "code_commune", Value: rec.Code,
					Reason: "code commune inconnu du COG (ni commune actuelle, ni ancienne commune)"}
			}
			if reg != o.Region {
				return &InputError{File: o.Path, Line: rec.Line, Field: "code_commune", Value: rec.Code,
					Reason: fmt.Sprintf("cette commune est en région %s, pas dans la région %s de l'arrêté", regionLabel(reg), regionLabel(o.Region))}
			}
		}
		r.reportOverlayGaps(o)
		for code, list := range ds.Zonage {
			for i := range list {
				z := &list[i]
				if z.Region == o.Region && (z.EndDate == "" || z.EndDate > o.EffectiveDate) && (z.EffectiveDate == "" || z.EffectiveDate < o.EffectiveDate) {
					z.EndDate = o.EffectiveDate
				}
			}
			ds.Zonage[code] = list
		}
		id := "overlay:" + o.Region + ":" + o.EffectiveDate
		for _, rec := range o.Records {
			name := rec.Name
			if name == "" {
				if c, ok := r.current[rec.Code]; ok {
					name = c.Name
				}
			}
			ds.Zonage[rec.Code] = append(ds.Zonage[rec.Code], zones.Zonage{
				Code: rec.Code, Name: name, Category: rec.Category, OfficialCode: rec.RawCategory,
				Region: o.Region, ArreteDate: o.ArreteDate, EffectiveDate: o.EffectiveDate, ArreteRef: o.ArreteRef,
				Source: id,
			})
		}
	}
	return nil
}

// reportOverlayGaps notes the communes of the overlay's region that the overlay does
// not list: from its effective date they have no zonage, which is more often a
// mistake in the file than the ARS's intent.
func (r *reconciler) reportOverlayGaps(o *Overlay) {
	listed := map[string]bool{}
	for _, rec := range o.Records {
		listed[rec.Code] = true
		if t := r.target(rec.Code); t != "" {
			listed[t] = true
		}
	}
	var missing []string
	for _, f := range r.in.polygons {
		if c, ok := r.current[f.Code]; ok && c.Region == o.Region && !listed[f.Code] {
			missing = append(missing, f.Code)
		}
	}
	if len(missing) == 0 {
		return
	}
	shown := missing
	if len(shown) > 20 {
		shown = shown[:20]
	}
	more := ""
	if len(missing) > len(shown) {
		more = fmt.Sprintf(" … et %d autres", len(missing)-len(shown))
	}
	r.notes = append(r.notes, fmt.Sprintf("arrêté régional %s (%s) : %d communes de la région absentes du fichier n'auront plus de zonage à partir du %s : %s%s",
		regionLabel(o.Region), filepath.Base(o.Path), len(missing), zones.FrenchDate(o.EffectiveDate), strings.Join(shown, ", "), more))
}

func regionLabel(code string) string {
	if reg, ok := zones.RegionByCode(code); ok {
		return reg.Name + " (" + code + ")"
	}
	return code
}

// inferSchemes sets the scale of each assignment: a source's categories prove it
// where one of them exists in one scale only (non prioritaire: avenant 7; très
// dotée, sur-dotée: avenant 5); otherwise an arrêté dated after the avenant 7
// methodology proves avenant 7, and one dated before avenant 7 took effect proves
// avenant 5 — for its own row and, as an arrêté covers its region, for the region's
// undated rows (the same rows deriveRegionDates dates); otherwise the region's known
// arrêté decides.
func (r *reconciler) inferSchemes(ds *zones.Dataset) {
	type key struct{ region, source string }
	proven := map[key]zones.Scheme{}
	datedBefore := r.regionsDatedBeforeAvenant7(ds)
	for _, list := range ds.Zonage {
		for _, z := range list {
			if s := z.Category.ImpliedScheme(); s != "" {
				k := key{z.Region, z.Source}
				if prev, ok := proven[k]; ok && prev != s {
					r.notes = append(r.notes, fmt.Sprintf("région %s : catégories des deux échelles mêlées dans %s", z.Region, z.Source))
				}
				proven[k] = s
			}
		}
	}
	for code, list := range ds.Zonage {
		for i := range list {
			z := &list[i]
			if s, ok := proven[key{z.Region, z.Source}]; ok {
				z.Scheme = s
			} else if z.EffectiveDate >= avenant7Methodology {
				z.Scheme = zones.SchemeAvenant7
			} else if z.ArreteDate != "" && z.ArreteDate < avenant7InForce ||
				z.ArreteDate == "" && z.EffectiveDate == "" && !strings.HasPrefix(z.Source, "overlay:") && datedBefore[z.Region] {
				z.Scheme = zones.SchemeAvenant5
			} else if reg, ok := zones.RegionByCode(z.Region); ok {
				z.Scheme = reg.Scheme
			}
		}
		ds.Zonage[code] = list
	}
}

// avenant7Methodology is the date of the arrêté setting the avenant 7 methodology
// (20 March 2024): an arrêté that takes effect later uses the four-level scale.
const avenant7Methodology = "2024-03-20"

// avenant7InForce is the day avenant 7 took effect (22 August 2023, after its
// approval by the arrêté of 21 August 2023): an ARS arrêté signed earlier can only
// use the five-level scale of avenant 5, whatever its categories (Mayotte's of
// 31 March 2022 has très sous-dotées only, which exist in both scales).
const avenant7InForce = "2023-08-22"

// regionsDatedBeforeAvenant7 lists the regions whose official dated rows all give
// one arrêté, signed before avenant 7 took effect.
func (r *reconciler) regionsDatedBeforeAvenant7(ds *zones.Dataset) map[string]bool {
	dates := map[string]map[string]bool{}
	for _, f := range r.in.national {
		for _, rec := range f.Records {
			list := ds.Zonage[rec.Code]
			if rec.ArreteDate == "" || len(list) == 0 {
				continue
			}
			region := list[0].Region
			if dates[region] == nil {
				dates[region] = map[string]bool{}
			}
			dates[region][rec.ArreteDate] = true
		}
	}
	out := map[string]bool{}
	for region, set := range dates {
		for d := range set {
			out[region] = len(set) == 1 && d < avenant7InForce
		}
	}
	return out
}

func (r *reconciler) commune(f PolygonFeature) zones.Commune {
	c := zones.Commune{Code: f.Code, Name: f.Name}
	if m, ok := r.current[f.Code]; ok {
		c.Name, c.Type, c.Departement, c.Region = m.Name, m.Type, m.Departement, m.Region
		c.Population, c.Postcodes = m.Population, m.Postcodes
		if m.Type == zones.ArrondissementMunicipal {
			c.Parent = m.Parent
		}
	} else {
		r.notes = append(r.notes, fmt.Sprintf("contour %s (%s) absent du COG le plus récent", f.Code, f.Name))
	}
	c.Catchment = r.catchment(c)
	return c
}

// catchment derives the unit the ARS decided on: the canton-ville for communes of
// an unité urbaine of 30 000 inhabitants or more (tranche détaillée 43 and above),
// the bassin de vie 2022 otherwise. This rebuilds the official bvcv_code of the
// Atlasanté table on its published rows; it is marked derived because the ARS
// methodology, not an INSEE table, makes the final call.
func (r *reconciler) catchment(c zones.Commune) *zones.Catchment {
	// Paris, Lyon and Marseille are zoned by arrondissement, each classed on its own
	// (Paris 6e non prioritaire beside intermédiaire arrondissements): grouping them
	// in their city's canton-ville would contradict the published data.
	if c.Parent != "" || c.Region == mayotteRegion {
		return nil
	}
	row, ok := r.in.catchments[c.Code]
	if !ok {
		return nil
	}
	if t, err := strconv.Atoi(row.TDUU2017); err == nil && t >= 43 && row.CantonVille != "" {
		return &zones.Catchment{Kind: zones.CantonVille, Code: row.CantonVille, Name: row.CantonVilleLib, Derived: true}
	}
	if row.BassinDeVie == "" {
		return nil
	}
	return &zones.Catchment{Kind: zones.BassinDeVie, Code: row.BassinDeVie, Name: row.BassinDeVieLib, Derived: true}
}

// mayotteRegion is zoned per commune: the Atlasanté table gives it no bassin de vie
// (« Non concerné »).
const mayotteRegion = "06"

func (r *reconciler) buildFormer(ds *zones.Dataset) {
	dates := map[[2]string]string{}
	names := map[string]string{}
	for _, m := range r.in.movements {
		if m.CodeBefore != m.CodeAfter {
			dates[[2]string{m.CodeBefore, m.CodeAfter}] = m.Date
		}
		if m.NameBefore != "" {
			names[m.CodeBefore] = m.NameBefore
		}
	}
	for old := range r.history {
		cur := r.target(old)
		if cur == "" {
			continue
		}
		f := zones.FormerCommune{Code: old, Current: cur}
		if z, ok := ds.Zonage[old]; ok && z[0].Name != "" {
			f.Name = z[0].Name
		} else if c, ok := r.current[old]; ok && c.Type != zones.CommuneActuelle {
			f.Name = c.Name
		} else {
			f.Name = names[old]
		}
		f.Date = dates[[2]string{old, cur}]
		if f.Date == "" {
			f.Date = dates[[2]string{old, r.in.passage[old]}]
		}
		ds.Former[old] = f
	}
}

func (r *reconciler) coverage(ds *zones.Dataset) zones.Coverage {
	var codes []string
	for code, list := range ds.Zonage {
		if list[0].Source != "" {
			codes = append(codes, code)
		}
	}
	res := &zones.Resolver{Dataset: ds, Clock: r.in.today.Time}
	cov := r.coverageOf(ds, res, len(ds.Zonage), codes, func(code string) zones.Zonage {
		z, _ := ds.ZonageAt(code, r.in.today.String())
		return *z
	})
	return cov
}

// professionCoverage is the reconciliation report of profession p's export: the
// same counts as the kiné's, from that profession's answers.
func (r *reconciler) professionCoverage(ds *zones.Dataset, p zones.Profession) zones.Coverage {
	res, err := (&zones.Resolver{Dataset: ds, Clock: r.in.today.Time}).For(p)
	if err != nil {
		// assignProfessions registered every profession it read.
		panic(err)
	}
	set, _ := ds.Professions.Set(p)
	var codes []string
	for i, code := range ds.Professions.Codes {
		if set.Categories[i] != 0 {
			codes = append(codes, code)
		}
	}
	return r.coverageOf(ds, res, len(codes), codes, nil)
}

// coverageOf counts the answers res gives for every commune of ds. codes are the
// zonage codes of the source reported on; zonageOf gives the assignment of a
// candidate code (nil: rebuilt from the answer).
func (r *reconciler) coverageOf(ds *zones.Dataset, res *zones.Resolver, rows int, codes []string, zonageOf func(code string) zones.Zonage) zones.Coverage {
	cov := zones.Coverage{
		Communes:    len(ds.Communes),
		ZonageRows:  rows,
		PerRegion:   map[string]map[zones.Category]int{},
		PerCategory: map[zones.Category]int{},
	}
	for _, code := range codes {
		if r.target(code) == "" {
			cov.UnmatchedZonage = append(cov.UnmatchedZonage, code)
		}
	}
	units := map[string]*zones.CatchmentUnit{}
	var unitOrder []string
	for _, c := range ds.Communes {
		got, _ := res.ResolveCode(c.Code)
		switch got.Status {
		case zones.StatusOK:
			cat := got.Zonage.Category
			if u := got.Zonage.Catchment; u != nil {
				k := u.Key()
				if units[k] == nil {
					units[k] = &zones.CatchmentUnit{Kind: u.Kind, Code: u.Code, Name: u.Name, Derived: u.Derived, Categories: map[zones.Category]int{}}
					unitOrder = append(unitOrder, k)
				}
				units[k].Communes++
				units[k].Categories[cat]++
			}
			cov.PerCategory[cat]++
			if cov.PerRegion[c.Region] == nil {
				cov.PerRegion[c.Region] = map[zones.Category]int{}
			}
			cov.PerRegion[c.Region][cat]++
			if len(c.ZonageCodes) > 1 {
				cov.Merged++
			}
		case zones.StatusAmbiguous:
			a := zones.AmbiguousCommune{Code: c.Code, Name: c.Name}
			for _, cand := range got.Candidates {
				if zonageOf != nil {
					a.Candidates = append(a.Candidates, zonageOf(cand.Code))
					continue
				}
				z := cand.Zonage
				a.Candidates = append(a.Candidates, zones.Zonage{Code: z.Code, Name: z.Name, Category: z.Category,
					OfficialCode: z.OfficialCode, Region: z.Region.Code, Source: z.Source})
			}
			cov.Ambiguous = append(cov.Ambiguous, a)
		default:
			cov.CommunesNoZonage = append(cov.CommunesNoZonage, c.Code)
		}
	}
	sort.Strings(cov.UnmatchedZonage)
	if res.Profession() == zones.MasseurKine {
		// Catchments are the kiné's: other professions' answers carry none.
		cov.Catchments = catchmentCoherence(ds, units, unitOrder)
	}
	return cov
}

// catchmentCoherence tells, for every unit, whether its communes share one category,
// and marks each commune's unit with it, so that an answer never presents as classed
// whole a unit whose communes the data classes differently.
func catchmentCoherence(ds *zones.Dataset, units map[string]*zones.CatchmentUnit, order []string) *zones.CatchmentCoherence {
	out := &zones.CatchmentCoherence{}
	sort.Strings(order)
	for _, k := range order {
		u := units[k]
		u.Coherent = len(u.Categories) == 1
		if u.Derived {
			out.DerivedUnits++
			if u.Coherent {
				out.DerivedCoherent++
			}
		} else {
			out.OfficialUnits++
		}
		out.Units = append(out.Units, *u)
	}
	if out.DerivedUnits > 0 {
		out.DerivedRate = float64(out.DerivedCoherent) / float64(out.DerivedUnits)
	}
	mark := func(c *zones.Catchment) {
		if c == nil {
			return
		}
		if u, ok := units[c.Key()]; ok {
			c.Communes, c.Coherent = u.Communes, zones.CoherenceOf(u.Coherent)
		}
	}
	for i := range ds.Communes {
		mark(ds.Communes[i].Catchment)
	}
	for _, list := range ds.Zonage {
		for i := range list {
			mark(list[i].Catchment)
		}
	}
	return out
}

// describe writes the human provenance of the zonage and outlines.
func (r *reconciler) describe(ds *zones.Dataset) {
	m := &ds.Meta
	var parts []string
	for _, f := range r.in.national {
		switch f.Format {
		case "cartosante":
			parts = append(parts, "export CartoSanté (ARS/DGOS)")
			m.ZonageVintage = fmt.Sprintf("export CartoSanté de %s, codes COG %s", frenchMonth(exportMonth(f.Path)), r.zonageCOG(f))
		case "atlasante":
			parts = append(parts, "table Atlasanté/DataSanté « Zonages des professionnels de santé libéraux »")
			if m.ZonageVintage == "" {
				m.ZonageVintage = fmt.Sprintf("table Atlasanté mise à jour le %s, codes COG %s", zones.FrenchDate(f.DateMaj), r.zonageCOG(f))
			}
		}
	}
	for _, o := range r.in.overlays {
		parts = append(parts, fmt.Sprintf("arrêté régional %s %s (en vigueur le %s)", o.Region, o.ArreteRef, zones.FrenchDate(o.EffectiveDate)))
	}
	m.ZonageSource = strings.Join(parts, " + ")
	vint := map[string]bool{}
	for _, f := range r.in.polygons {
		if v := contourVintage(f.Source); v != "" {
			vint[v] = true
		}
	}
	m.GeoVintage = strings.Join(sortedKeys(vint), " ; ")
}

// zonageCOG tells which COG vintage a zonage table's codes belong to: the
// decoupage-administratif vintage that knows the most of them.
func (r *reconciler) zonageCOG(f *ZonageFile) string {
	best, bestN := "", -1
	for _, year := range sortedKeys(r.in.cog) {
		codes := map[string]bool{}
		for _, c := range r.in.cog[year] {
			if c.Type == zones.CommuneActuelle || c.Type == zones.ArrondissementMunicipal {
				codes[c.Code] = true
			}
		}
		n := 0
		for _, rec := range f.Records {
			if codes[rec.Code] {
				n++
			}
		}
		if n > bestN || (n == bestN && year < best) {
			best, bestN = year, n
		}
	}
	return best
}
