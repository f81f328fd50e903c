package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"zonage/export"
	"zonage/zones"
)

func newExportCmd() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export --format geojson|csv|gpkg [-o FICHIER]",
		Short: "Exporte toutes les communes avec leur zonage : GeoJSON, CSV ou GeoPackage",
		Long: `Écrit chaque commune de l'instantané (arrondissement à Paris, Lyon et Marseille) avec
sa catégorie en vigueur aujourd'hui, son code officiel, l'échelle, les dates d'arrêté et
d'effet, l'unité de zonage et la version des données : GeoJSON (contours en
longitude/latitude WGS84), CSV (sans contour) ou GeoPackage (contours et index spatial).
Le fichier est écrit atomiquement ; sans -o, GeoJSON et CSV vont sur la sortie standard.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := export.ParseFormat(format)
			if err != nil {
				return usageErr("--format : %v", err)
			}
			if f == export.GeoPackage && (out == "" || out == "-") {
				return usageErr("--format gpkg : un GeoPackage s'écrit dans un fichier, donnez -o FICHIER.gpkg")
			}
			s, _, err := openSnapshot(cmd)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			start := time.Now()
			layer, err := export.NewLayer(s.Resolver(zones.DefaultCoastTolerance), s.Polygons)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if out == "" || out == "-" {
				w := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<20)
				if err := export.Write(w, f, layer); err != nil {
					return err
				}
				return w.Flush()
			}
			if err := export.WriteFile(out, f, layer); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			size := ""
			if st, err := os.Stat(out); err == nil {
				size = fmt.Sprintf(", %s Mo", strings.Replace(fmt.Sprintf("%.1f", float64(st.Size())/1e6), ".", ",", 1))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "zonage : %d communes écrites dans %s (%s%s) en %s\n",
				len(layer.Records), out, f, size, time.Since(start).Round(10*time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "geojson, csv ou gpkg")
	cmd.Flags().StringVarP(&out, "output", "o", "", "fichier à écrire (défaut : sortie standard pour geojson et csv)")
	cmd.MarkFlagRequired("format")
	return cmd
}
