package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"zonage/importer"
	"zonage/zones"
)

func newDiffCmd() *cobra.Command {
	var asJSON bool
	var date string
	cmd := &cobra.Command{
		Use:   "diff ANCIEN.snap NOUVEAU.snap [--json] [--date AAAA-MM-JJ]",
		Short: "Ce qui change d'un instantané à l'autre : communes changées de catégorie, comptes par région",
		Long: `Compare le zonage en vigueur un jour donné (aujourd'hui par défaut) dans deux
instantanés, code par code du zonage publié : les communes dont la catégorie change
(ancienne → nouvelle, région, arrêté), celles qui apparaissent ou n'ont plus de zonage,
et par région le nombre de communes de chaque catégorie avant et après.
Code de sortie 0 quand la comparaison a pu se faire, qu'il y ait des changements ou non ;
2 quand un fichier manque ou n'est pas un instantané lisible par ce programme.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var datasets [2]*zones.Dataset
			for i, path := range args {
				ds, err := importer.ReadSnapshotDataset(path)
				if err != nil {
					return &exitError{code: exitUsage, err: err}
				}
				datasets[i] = ds
			}
			day, err := dayFlag(date, &zones.Resolver{Dataset: datasets[1]})
			if err != nil {
				return err
			}
			d := zones.DiffDatasets(datasets[0], datasets[1], day)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(d)
			}
			printDiff(cmd.OutOrStdout(), d)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "différences en JSON")
	cmd.Flags().StringVar(&date, "date", "", "comparer le zonage en vigueur ce jour (AAAA-MM-JJ ; défaut : aujourd'hui)")
	return cmd
}

// dayFlag reads a --date flag; empty means today by the resolver's clock.
func dayFlag(s string, r *zones.Resolver) (zones.Day, error) {
	if strings.TrimSpace(s) == "" {
		return r.Today(), nil
	}
	d, err := zones.ParseDay(s)
	if err != nil {
		return d, &exitError{code: exitUsage, err: fmt.Errorf("--date : %w", err)}
	}
	return d, nil
}

// printDiff writes a diff for people: the changes, then the counts of the regions
// that changed.
func printDiff(w io.Writer, d *zones.DatasetDiff) {
	fmt.Fprintf(w, "Zonage en vigueur le %s : version %s → %s\n", d.Date.French(), d.OldVersion, d.NewVersion)
	if d.Empty() {
		fmt.Fprintln(w, "Aucun changement.")
		return
	}
	side := func(s *zones.DiffSide) string {
		if s == nil {
			return "pas de zonage"
		}
		return s.Label
	}
	arrete := func(s *zones.DiffSide) string {
		if s == nil {
			return ""
		}
		var parts []string
		if s.ArreteRef != "" {
			parts = append(parts, s.ArreteRef)
		}
		if s.ArreteDate != "" {
			parts = append(parts, "arrêté du "+zones.FrenchDate(s.ArreteDate))
		}
		if s.EffectiveDate != "" {
			parts = append(parts, "en vigueur le "+zones.FrenchDate(s.EffectiveDate))
		}
		if len(parts) == 0 {
			return ""
		}
		return " — " + strings.Join(parts, ", ")
	}
	for _, group := range []struct {
		title   string
		entries []zones.DiffEntry
	}{{"Catégorie changée", d.Changed}, {"Nouveaux codes", d.Added}, {"Plus de zonage", d.Removed}} {
		if len(group.entries) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d) :\n", group.title, len(group.entries))
		for _, e := range group.entries {
			src := e.New
			if src == nil {
				src = e.Old
			}
			fmt.Fprintf(w, "  %s %s (%s) : %s → %s%s\n", e.Code, e.Name, e.Region.Name, side(e.Old), side(e.New), arrete(src))
		}
	}
	fmt.Fprintln(w, "\nCommunes par catégorie dans les régions qui changent (avant → après) :")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "Région\t")
	cats := zones.DefaultProfession.Scale()
	for _, c := range cats {
		fmt.Fprintf(tw, "%s\t", shortLabel(c))
	}
	fmt.Fprintln(tw, "changés\t")
	for _, r := range d.PerRegion {
		if r.Changed == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t", r.Region.Name)
		for _, c := range cats {
			if r.Old[c] == r.New[c] {
				fmt.Fprintf(tw, "%d\t", r.New[c])
			} else {
				fmt.Fprintf(tw, "%d → %d\t", r.Old[c], r.New[c])
			}
		}
		fmt.Fprintf(tw, "%d\t\n", r.Changed)
	}
	tw.Flush()
}
