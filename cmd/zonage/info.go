package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

func newInfoCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Décrit l'instantané chargé : version, sources, millésimes, couverture",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, name, err := openSnapshot(cmd)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(s.Dataset.Meta)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Instantané : %s (importé le %s)\n", name, s.Dataset.Meta.ImportedAt.Format("02/01/2006 15:04 MST"))
			printCoverage(cmd.OutOrStdout(), s.Dataset)
			fmt.Fprintln(cmd.OutOrStdout(), "\nSources :")
			for _, src := range s.Dataset.Meta.Sources {
				if src.Role == "contours" {
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "  %-14s %s — %s (%s, sha256 %.12s…)\n", src.Role, src.Title, src.Path, src.Vintage, src.SHA256)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "en JSON")
	return cmd
}
