package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"zonage/zones"
)

// Options configures an import.
type Options struct {
	// DataDir holds the sources in the layout of the shared data folder (see
	// SOURCES.md): zonage_mk/, contours_communes/, decoupage_administratif/, cog/.
	DataDir string
	// Overlays are regional arrêté files to apply on top of the national zonage, in
	// addition to those found in DataDir/zonage_mk/overlays/.
	Overlays []string
	// Countries is the geo-maps countries' land file (countries-land-10m); ""
	// = the one in DataDir, where the manifest puts it (countriesDest), when
	// there is one. Without it, a point abroad within the coast tolerance of a
	// commune is attached to that commune, as the coverage report says.
	Countries string
	// Progress receives one French line per step; nil = silent.
	Progress io.Writer
	// Now is the import time; nil = time.Now.
	Now func() time.Time
}

// ErrNoData means the data folder or one of its required sources is missing.
var ErrNoData = errors.New("données sources introuvables")

type sourceSet struct {
	cartosante string
	// professions are the CartoSanté exports of the other professions; which
	// profession each is for is read from its header.
	professions []string
	atlasante   []string
	overlays    []string
	contours    string
	decoupage   map[string]string // COG year -> communes.json path
	passage     string
	movements   string
	catchments  string
	laPoste     string
	ban         []string
}

// professionExportGlob is where the other professions' CartoSanté exports go in
// the data folder (they may also sit beside the kiné's, in zonage_mk/).
const professionExportGlob = "zonage_mk/other_professions_same_export/cartosante_zonage_*_communes_*.csv*"

var decoupageDir = regexp.MustCompile(`^v[0-9.]+_cog(\d{4})$`)

// findSources locates the files an import reads in dir. Required: a zonage table,
// a contours folder and a decoupage-administratif communes file; the COG history
// and catchment tables improve the answers and are optional.
func findSources(dir string) (*sourceSet, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%w : le dossier %q n'existe pas ; indiquez-le avec --data ou la variable ZONAGE_DATA", ErrNoData, dir)
	}
	s := &sourceSet{decoupage: map[string]string{}}
	glob := func(pattern string) []string {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		sort.Strings(m)
		return m
	}
	if m := glob("zonage_mk/cartosante_zonage_mk_communes_*.csv*"); len(m) > 0 {
		s.cartosante = m[len(m)-1] // names carry the export month: the last is the newest
	}
	for _, m := range append(glob("zonage_mk/cartosante_zonage_*_communes_*.csv*"), glob(professionExportGlob)...) {
		if !strings.HasPrefix(filepath.Base(m), "cartosante_zonage_mk_") {
			s.professions = append(s.professions, m)
		}
	}
	s.atlasante = glob("zonage_mk/atlasante_zonages_com*.csv*")
	s.overlays = glob("zonage_mk/overlays/*.csv")
	if s.cartosante == "" && len(s.atlasante) == 0 {
		return nil, fmt.Errorf("%w : aucun fichier de zonage dans %s (attendu zonage_mk/cartosante_zonage_mk_communes_*.csv ou zonage_mk/atlasante_zonages_com*.csv)", ErrNoData, dir)
	}
	if st, err := os.Stat(filepath.Join(dir, "contours_communes")); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%w : dossier des contours %s absent", ErrNoData, filepath.Join(dir, "contours_communes"))
	}
	s.contours = filepath.Join(dir, "contours_communes")
	entries, _ := os.ReadDir(filepath.Join(dir, "decoupage_administratif"))
	for _, e := range entries {
		if m := decoupageDir.FindStringSubmatch(e.Name()); m != nil {
			for _, name := range []string{"communes.json.gz", "communes.json"} {
				p := filepath.Join(dir, "decoupage_administratif", e.Name(), name)
				if _, err := os.Stat(p); err == nil {
					s.decoupage[m[1]] = p
					break
				}
			}
		}
	}
	if len(s.decoupage) == 0 {
		return nil, fmt.Errorf("%w : aucun fichier decoupage_administratif/v*_cogAAAA/communes.json dans %s", ErrNoData, dir)
	}
	first := func(pattern string) string {
		if m := glob(pattern); len(m) > 0 {
			return m[len(m)-1]
		}
		return ""
	}
	s.passage = first("cog/*table_passage_com_historique*.csv*")
	s.movements = first("cog/*mvtcommunes*.csv*")
	s.catchments = first("cog/*table_passage_communes_zonages*.csv*")
	s.laPoste = first("codes_postaux/laposte_*.csv*")
	s.ban = glob("ban/*.csv*")
	return s, nil
}

type progress struct {
	w     io.Writer
	start time.Time
}

func (p progress) step(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
	}
}

// Import reads the sources, reconciles them and returns the snapshot content and
// the coverage report. Nothing is written: the caller decides where the snapshot goes.
func Import(opt Options) (*Snapshot, error) {
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	p := progress{w: opt.Progress, start: time.Now()}
	src, err := findSources(opt.DataDir)
	if err != nil {
		return nil, err
	}
	var in reconcileInput
	var infos []zones.SourceInfo
	addInfo := func(id, role, title, path, vintage string, rows int) {
		infos = append(infos, zones.SourceInfo{ID: id, Role: role, Title: title, Path: relPath(opt.DataDir, path), Vintage: vintage, Rows: rows})
	}
	if err := readZonages(src, opt.Overlays, &in, addInfo, p); err != nil {
		return nil, err
	}
	if err := readContours(src.contours, &in, addInfo, p); err != nil {
		return nil, err
	}
	if err := readCOG(src, &in, addInfo, p); err != nil {
		return nil, err
	}
	laPoste, ban, err := readAddressSources(src, addInfo)
	if err != nil {
		return nil, err
	}

	in.today = zones.DayOf(now())
	snap, err := reconcile(&in)
	if err != nil {
		return nil, err
	}
	if laPoste != nil || ban != nil {
		newest := sortedKeys(in.cog)
		data, notes := BuildAddressData(in.cog[newest[len(newest)-1]], snap.Dataset.Former, laPoste, ban)
		snap.Address = data
		snap.Dataset.Meta.Coverage.Notes = append(snap.Dataset.Meta.Coverage.Notes, notes...)
		p.step("adresses : %d lignes La Poste, %d voies BAN", len(data.Postal), len(data.Streets))
	}
	if err := readCountries(opt, snap, addInfo, p); err != nil {
		return nil, err
	}
	if err := hashSources(opt.DataDir, infos); err != nil {
		return nil, err
	}
	for i := range infos {
		infos[i].Path = shownPath(infos[i].Path)
	}
	meta := &snap.Dataset.Meta
	meta.ImportedAt = now().UTC().Truncate(time.Second)
	meta.Sources = infos
	meta.Version = datasetVersion(infos)
	reportCoverage(meta, p)
	return snap, nil
}

// addSourceInfo records a source read into the dataset's provenance (Meta.Sources).
type addSourceInfo func(id, role, title, path, vintage string, rows int)

// readZonages reads the zonage tables: the kinés' CartoSanté export, the other
// professions', the Atlasanté tables, then the regional arrêtés, those found in
// the data folder before the extra ones (the later wins on a commune).
func readZonages(src *sourceSet, extraOverlays []string, in *reconcileInput, addInfo addSourceInfo, p progress) error {
	if src.cartosante != "" {
		f, err := ReadCartoSante(src.cartosante)
		if err != nil {
			return err
		}
		in.national = append(in.national, f)
		in.notes = append(in.notes, prefixed(f.Path, f.Notes)...)
		addInfo("cartosante", "zonage", "Export CartoSanté du zonage des masseurs-kinésithérapeutes", src.cartosante, exportMonth(src.cartosante), len(f.Records))
		p.step("zonage CartoSanté : %d communes (%s)", len(f.Records), filepath.Base(src.cartosante))
	}
	if err := readProfessions(src.professions, in, addInfo, p); err != nil {
		return err
	}
	for i, path := range src.atlasante {
		f, err := ReadAtlasante(path)
		if err != nil {
			return err
		}
		in.national = append(in.national, f)
		in.notes = append(in.notes, prefixed(f.Path, f.Notes)...)
		addInfo(fmt.Sprintf("atlasante-%d", i+1), "zonage", "Table Atlasanté « Zonages des professionnels de santé libéraux »", path, f.DateMaj, len(f.Records))
		p.step("zonage Atlasanté : %d communes (%s)", len(f.Records), filepath.Base(path))
	}
	for i, path := range append(src.overlays, extraOverlays...) {
		o, err := ReadOverlay(path)
		if err != nil {
			return err
		}
		o.Path = path
		in.overlays = append(in.overlays, o)
		in.notes = append(in.notes, prefixed(path, o.Notes)...)
		addInfo(fmt.Sprintf("overlay-%d", i+1), "overlay", "Arrêté régional "+o.Region+" "+o.ArreteRef, path, o.EffectiveDate, len(o.Records))
		p.step("arrêté régional %s en vigueur le %s : %d communes (%s)", o.Region, o.EffectiveDate, len(o.Records), filepath.Base(path))
	}
	return nil
}

// readCountries reads the foreign land near the communes' outlines into the
// snapshot, or notes in the coverage report that there is none.
func readCountries(opt Options, snap *Snapshot, addInfo addSourceInfo, p progress) error {
	path := opt.Countries
	if path == "" {
		path = filepath.Join(opt.DataDir, countriesDest)
		if _, err := os.Stat(path); err != nil {
			snap.Dataset.Meta.Coverage.Notes = append(snap.Dataset.Meta.Coverage.Notes,
				"frontières terrestres absentes ("+countriesDest+" dans le dossier des sources, ou --countries) : un point à l'étranger à moins de la tolérance de côte d'une commune lui est rattaché")
			p.step("frontières terrestres : absentes")
			return nil
		}
	}
	land, err := ReadCountryLand(path, snap.Polygons)
	if err != nil {
		return err
	}
	if abs, err := filepath.Abs(path); err == nil {
		// A relative path outside the data folder is not one from it.
		path = abs
	}
	snap.Countries = land
	parts, points := 0, 0
	for _, mp := range land.Polygons {
		parts += len(mp)
		for _, poly := range mp {
			for _, r := range poly {
				points += len(r)
			}
		}
	}
	foreign := 0
	for _, french := range land.French {
		if !french {
			foreign++
		}
	}
	addInfo("geomaps_countries_land_10m", "countries", "Terres émergées des pays (geo-maps countries-land-10m, d'après OpenStreetMap)", path, "geo-maps 0.6.0 (OpenStreetMap, 2017)", len(land.Codes))
	p.step("frontières terrestres : %d pays à moins de %d m des communes et %d collectivités sans contour de commune (%d morceaux, %d sommets)",
		foreign, countryStripM, len(land.Codes)-foreign, parts, points)
	return nil
}

// readContours reads the communes' polygons, one source entry per file.
func readContours(dir string, in *reconcileInput, addInfo addSourceInfo, p progress) error {
	polys, files, notes, err := ReadContourDir(dir)
	if err != nil {
		return err
	}
	in.polygons = polys
	in.notes = append(in.notes, notes...)
	for _, f := range files {
		addInfo("contours:"+relPath(dir, f), "contours", "Contours des communes", f, contourVintage(f), 0)
	}
	p.step("contours : %d communes dans %d fichiers", len(polys), len(files))
	return nil
}

// readCOG reads the communes of every COG vintage, and the history and
// catchment tables when the data folder has them.
func readCOG(src *sourceSet, in *reconcileInput, addInfo addSourceInfo, p progress) error {
	var err error
	in.cog = map[string][]COGCommune{}
	for year, path := range src.decoupage {
		cs, err := ReadDecoupageCommunes(path)
		if err != nil {
			return err
		}
		in.cog[year] = cs
		addInfo("cog"+year, "cog", "@etalab/decoupage-administratif, communes", path, "COG "+year, len(cs))
	}
	p.step("COG : millésimes %s", strings.Join(sortedKeys(in.cog), ", "))
	if src.passage != "" {
		if in.passage, err = ReadHistoryPassage(src.passage); err != nil {
			return err
		}
		addInfo("cog_passage", "cog_history", "COGiter, table de passage des codes communes historiques", src.passage, "COG 2025", len(in.passage))
	}
	if src.movements != "" {
		if in.movements, err = ReadMovements(src.movements); err != nil {
			return err
		}
		addInfo("cog_mouvements", "cog_history", "INSEE, mouvements des communes (via COGiter)", src.movements, "COG 2025", len(in.movements))
	}
	if src.catchments != "" {
		if in.catchments, err = ReadCatchments(src.catchments); err != nil {
			return err
		}
		addInfo("cog_zonages", "catchments", "INSEE, bassins de vie 2022 et cantons-villes (via COGiter)", src.catchments, "COG 2025", len(in.catchments))
	}
	return nil
}

// readAddressSources reads the postcode and address tables, when the data folder
// has them; they are joined to the communes once these are reconciled.
func readAddressSources(src *sourceSet, addInfo addSourceInfo) (laPoste []LaPosteRow, ban []BANRow, err error) {
	if src.laPoste != "" {
		if laPoste, err = ReadLaPoste(src.laPoste); err != nil {
			return nil, nil, err
		}
		addInfo("laposte", "adresses", "La Poste, base officielle des codes postaux", src.laPoste, exportDay(src.laPoste), len(laPoste))
	}
	for i, path := range src.ban {
		rows, err := ReadBANAddresses(path)
		if err != nil {
			return nil, nil, err
		}
		ban = append(ban, rows...)
		addInfo(fmt.Sprintf("ban-%d", i+1), "adresses", "Base Adresse Nationale (BAN), adresses", path, exportMonth(path), len(rows))
	}
	return laPoste, ban, nil
}

// reportCoverage prints the coverage of the reconciled dataset, the kinés' then
// each other profession's.
func reportCoverage(meta *zones.Meta, p progress) {
	p.step("rapprochement : %d communes indexées, %d ambiguës, %d codes du zonage sans contour, %d contours sans zonage",
		meta.Coverage.Communes, len(meta.Coverage.Ambiguous), len(meta.Coverage.UnmatchedZonage), len(meta.Coverage.CommunesNoZonage))
	for _, ps := range meta.Professions {
		c := ps.Coverage
		p.step("%s : %d communes classées, %d ambiguës, %d codes sans contour, %d contours sans zonage",
			ps.Profession.Plural(), c.Communes-len(c.Ambiguous)-len(c.CommunesNoZonage), len(c.Ambiguous), len(c.UnmatchedZonage), len(c.CommunesNoZonage))
	}
}

// readProfessions reads the other professions' CartoSanté exports. Each file's
// header says whose it is; of two exports of one profession the newer (the later
// name, which carries the export month) is read and the report says so.
func readProfessions(paths []string, in *reconcileInput, addInfo addSourceInfo, p progress) error {
	byProfession := map[zones.Profession]*ZonageFile{}
	for _, path := range paths {
		f, err := ReadCartoSanteProfession(path)
		if err != nil {
			return err
		}
		if f.Profession == zones.MasseurKine {
			return &InputError{File: path, Reason: "export du zonage des kinés parmi ceux des autres professions ; nommez-le zonage_mk/cartosante_zonage_mk_communes_AAAA-MM.csv"}
		}
		if prev, ok := byProfession[f.Profession]; ok {
			older, newer := prev, f
			if filepath.Base(prev.Path) > filepath.Base(f.Path) {
				older, newer = f, prev
			}
			in.notes = append(in.notes, fmt.Sprintf("%s : deux exports, %s retenu, %s ignoré", f.Profession.Plural(), filepath.Base(newer.Path), filepath.Base(older.Path)))
			f = newer
		}
		byProfession[f.Profession] = f
	}
	for _, prof := range zones.Professions() {
		f, ok := byProfession[prof]
		if !ok {
			continue
		}
		in.professions = append(in.professions, f)
		in.notes = append(in.notes, prefixed(f.Path, f.Notes)...)
		addInfo(professionSourceID(prof), "zonage_profession", "Export CartoSanté du zonage des "+prof.Plural(), f.Path, exportMonth(f.Path), len(f.Records))
		p.step("zonage CartoSanté des %s : %d communes (%s)", prof.Plural(), len(f.Records), filepath.Base(f.Path))
	}
	return nil
}

// professionSourceID is the id of a profession's export in Meta.Sources.
func professionSourceID(p zones.Profession) string { return "cartosante-" + string(p) }

func hashSources(base string, infos []zones.SourceInfo) error {
	for i := range infos {
		path := infos[i].Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(base, path)
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("lecture de %s : %w", path, err)
		}
		infos[i].SHA256 = hex.EncodeToString(h.Sum(nil))
		infos[i].Bytes = n
	}
	return nil
}

// datasetVersion names a dataset by the zonage vintage and a digest of every
// source it was built from, so the same sources give the same version anywhere.
func datasetVersion(infos []zones.SourceInfo) string {
	sums := make([]string, 0, len(infos))
	vintage := ""
	for _, s := range infos {
		sums = append(sums, s.SHA256)
		if s.Role == "zonage" && vintage == "" {
			vintage = s.Vintage
		}
	}
	sort.Strings(sums)
	h := sha256.Sum256([]byte(strings.Join(sums, "\n")))
	if vintage == "" {
		vintage = "zonage"
	}
	return vintage + "." + hex.EncodeToString(h[:])[:10]
}

var (
	monthRe = regexp.MustCompile(`(\d{4})-(\d{2})`)
	dayRe   = regexp.MustCompile(`(\d{4}-\d{2}-\d{2})`)
)

func exportDay(path string) string {
	if m := dayRe.FindStringSubmatch(filepath.Base(path)); m != nil {
		return m[1]
	}
	return exportMonth(path)
}

func exportMonth(path string) string {
	if m := monthRe.FindStringSubmatch(filepath.Base(path)); m != nil {
		return m[1] + "-" + m[2]
	}
	return ""
}

func contourVintage(path string) string {
	switch {
	case strings.Contains(path, "adminexpress2025"):
		return "ADMIN EXPRESS 2025 (COG 2025)"
	case strings.Contains(path, "cogiter2025"):
		return "ADMIN EXPRESS via COGiter (COG 2025)"
	case strings.Contains(path, "etalab_2025"):
		return "Etalab contours administratifs 2025 (COG 2025)"
	}
	return ""
}

// shownPath is how the dataset names a source: its path in the data folder,
// or, for one read from elsewhere (the countries' file, an overlay), its
// folder and file name only. The build machine's own paths would tell
// nothing to a user and are not theirs to see; the digest beside it
// identifies the file.
func shownPath(path string) string {
	if !filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Base(filepath.Dir(path)), filepath.Base(path))
}

func relPath(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frenchMonth writes "2025-09" as "septembre 2025".
func frenchMonth(ym string) string {
	var y, m int
	if _, err := fmt.Sscanf(ym, "%4d-%2d", &y, &m); err != nil || m < 1 || m > 12 {
		return ym
	}
	return fmt.Sprintf("%s %d", frenchMonths[m-1], y)
}

func prefixed(path string, notes []string) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = filepath.Base(path) + " : " + n
	}
	return out
}
