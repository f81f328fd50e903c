package export

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/paulmach/orb"

	"zonage/internal/atomicfile"
	"zonage/zones"
)

// Format is an export file format.
type Format string

const (
	GeoJSON    Format = "geojson"
	CSV        Format = "csv"
	GeoPackage Format = "gpkg"
)

// Formats lists the formats in the order help texts give them.
func Formats() []Format { return []Format{GeoJSON, CSV, GeoPackage} }

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if strings.EqualFold(strings.TrimSpace(s), string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("format « %s » inconnu : geojson, csv ou gpkg attendu", s)
}

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	switch f {
	case GeoJSON:
		return "application/geo+json"
	case CSV:
		return "text/csv; charset=utf-8"
	case GeoPackage:
		return "application/geopackage+sqlite3"
	}
	return "application/octet-stream"
}

// Layer is what an export holds: one record per commune and, at the same index,
// its outline (lon/lat, WGS84).
type Layer struct {
	// Name names the layer inside the file (GeoJSON name, GeoPackage table).
	Name        string
	Title       string
	Description string
	Records     []zones.CommuneRecord
	Outlines    []orb.MultiPolygon
}

// NewLayer builds the communes layer of a resolver's dataset, with the zonage in
// force today; outlines[i] is the outline of Dataset.Communes[i].
func NewLayer(r *zones.Resolver, outlines []orb.MultiPolygon) (Layer, error) {
	if len(outlines) != len(r.Dataset.Communes) {
		return Layer{}, fmt.Errorf("%d contours pour %d communes : export impossible", len(outlines), len(r.Dataset.Communes))
	}
	m := r.Dataset.Meta
	return Layer{
		Name:  "communes",
		Title: "Zonage des masseurs-kinésithérapeutes par commune",
		Description: fmt.Sprintf("Catégorie ARS du zonage des masseurs-kinésithérapeutes de chaque commune (arrondissement à Paris, Lyon et Marseille). Zonage : %s — %s ; contours : %s ; version des données %s.",
			m.ZonageSource, m.ZonageVintage, m.GeoVintage, m.Version),
		Records:  r.CommuneRecords(),
		Outlines: outlines,
	}, nil
}

// WriteFile writes the layer to path in format f, atomically.
func WriteFile(path string, f Format, l Layer) error {
	err := atomicfile.Write(path, func(file *os.File) error {
		if f == GeoPackage {
			// SQLite opens the temporary file by its name and writes it without
			// syncing; atomicfile syncs it through this descriptor before the rename.
			return writeGeoPackage(file.Name(), l)
		}
		w := bufio.NewWriterSize(file, 1<<20)
		if err := Write(w, f, l); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return fmt.Errorf("export %s vers %s : %w", f, path, err)
	}
	return nil
}

// Write streams the layer to w as GeoJSON or CSV; a GeoPackage is a database file
// and only WriteFile writes it.
func Write(w io.Writer, f Format, l Layer) error {
	switch f {
	case GeoJSON:
		return writeGeoJSON(w, l)
	case CSV:
		return writeCSV(w, l)
	case GeoPackage:
		return fmt.Errorf("un GeoPackage s'écrit dans un fichier (-o FICHIER), pas sur la sortie standard")
	}
	return fmt.Errorf("format « %s » inconnu", f)
}
