package importer

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"zonage/zones"
)

// LaPosteRow is one line of the La Poste base officielle des codes postaux: a
// postcode used in a commune, under a routing name, possibly for one of its
// anciennes communes or lieux-dits.
type LaPosteRow struct {
	Code     string // code_commune_insee, as La Poste gives it (sometimes a former commune)
	Name     string // nom_de_la_commune, upper case without accents, abbreviated ("ST ALBAN")
	Postcode string // code_postal
	Label    string // libelle_d_acheminement
	Line5    string // ligne_5: ancienne commune or lieu-dit; may be empty
	// Lat and Lon are La Poste's point for the commune; HasPoint is false for the
	// few lines without one.
	Lat, Lon float64
	HasPoint bool
	Line     int // line in the file, for messages
}

// ReadLaPoste reads the La Poste base officielle des codes postaux as published on
// datanova / data.gouv.fr: the comma-separated export with latitude and longitude
// columns, or the older semicolon one with a "coordonnees_gps" column.
func ReadLaPoste(path string) ([]LaPosteRow, error) {
	t, line, err := openHeadedTable(path)
	if err != nil {
		return nil, err
	}
	idx, err := t.requireCols(line, []string{"code_commune_insee"}, []string{"nom_de_la_commune", "nom_commune"},
		[]string{"code_postal"}, []string{"libelle_d_acheminement", "libelle_acheminement"})
	if err != nil {
		return nil, err
	}
	line5 := t.col("ligne_5")
	lat, lon := t.col("latitude"), t.col("longitude")
	gps := t.col("coordonnees_gps", "_geopoint", "geopoint")
	var out []LaPosteRow
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		r := LaPosteRow{Code: zones.NormalizeCommuneCode(rec[idx[0]]), Name: rec[idx[1]], Postcode: rec[idx[2]], Label: rec[idx[3]],
			Line5: field(rec, line5), Line: line}
		if !zones.ValidCommuneCode(r.Code) {
			return nil, &InputError{File: path, Line: line, Field: "code_commune_insee", Value: rec[idx[0]], Reason: "code INSEE invalide"}
		}
		if len(r.Postcode) == 4 && isDigits(r.Postcode) {
			r.Postcode = "0" + r.Postcode // a spreadsheet dropped the leading zero
		}
		if len(r.Postcode) != 5 || !isDigits(r.Postcode) {
			return nil, &InputError{File: path, Line: line, Field: "code_postal", Value: rec[idx[2]], Reason: "code postal invalide (5 chiffres attendus)"}
		}
		if r.Name == "" && r.Label == "" {
			return nil, &InputError{File: path, Line: line, Field: "nom_de_la_commune", Reason: "ni nom de commune ni libellé d'acheminement"}
		}
		latText, lonText, latField, lonField := field(rec, lat), field(rec, lon), "latitude", "longitude"
		if latText == "" && lonText == "" && gps >= 0 {
			// "48.86,2.34" in one column.
			latText, lonText, _ = strings.Cut(field(rec, gps), ",")
			latField, lonField = t.header[gps], t.header[gps]
		}
		if latText != "" || lonText != "" {
			if r.Lat, err = parseCoord(latText, -90, 90); err != nil {
				return nil, &InputError{File: path, Line: line, Field: latField, Value: latText, Reason: "latitude " + err.Error()}
			}
			if r.Lon, err = parseCoord(lonText, -180, 180); err != nil {
				return nil, &InputError{File: path, Line: line, Field: lonField, Value: lonText, Reason: "longitude " + err.Error()}
			}
			r.HasPoint = true
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, &InputError{File: path, Reason: "aucune ligne de code postal"}
	}
	return out, nil
}

// parseCoord reads a decimal degree (point or comma) within [lo, hi].
func parseCoord(s string, lo, hi float64) (float64, error) {
	v, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
	if err != nil {
		return 0, errors.New("invalide (nombre décimal attendu)")
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("hors de [%g, %g]", lo, hi)
	}
	return v, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
