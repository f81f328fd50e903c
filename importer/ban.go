package importer

import (
	"io"
	"strconv"

	"zonage/zones"
)

// BANRow is one address of the Base Adresse Nationale.
type BANRow struct {
	ID       string // BAN cle_interop, e.g. "75106_9788_00012"
	Number   int    // numero
	Rep      string // indice de répétition as published: "b", "t", "bis", "a"…; may be empty
	Street   string // nom_voie
	Postcode string
	Code     string // code_insee: commune or arrondissement
	Commune  string // nom_commune
	Lon, Lat float64
	Line     int // line in the file, for messages
}

// ReadBANAddresses reads an official BAN export "adresses-DEP.csv" (semicolon
// separated, one address per line, columns id, numero, rep, nom_voie,
// code_postal, code_insee, nom_commune, lon, lat among others).
func ReadBANAddresses(path string) ([]BANRow, error) {
	t, line, err := openHeadedTable(path)
	if err != nil {
		return nil, err
	}
	names := [][]string{{"id"}, {"numero"}, {"rep"}, {"nom_voie"}, {"code_postal"}, {"code_insee"}, {"nom_commune"}, {"lon"}, {"lat"}}
	idx, err := t.requireCols(line, names...)
	if err != nil {
		return nil, err
	}
	var out []BANRow
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		r := BANRow{ID: rec[idx[0]], Rep: rec[idx[2]], Street: rec[idx[3]], Postcode: rec[idx[4]],
			Code: zones.NormalizeCommuneCode(rec[idx[5]]), Commune: rec[idx[6]], Line: line}
		if r.Number, err = strconv.Atoi(rec[idx[1]]); err != nil || r.Number < 0 || r.Number > 99999 {
			return nil, &InputError{File: path, Line: line, Field: "numero", Value: rec[idx[1]], Reason: "numéro invalide (entier de 0 à 99999 attendu)"}
		}
		if r.Street == "" {
			return nil, &InputError{File: path, Line: line, Field: "nom_voie", Reason: "nom de voie vide"}
		}
		if !zones.ValidCommuneCode(r.Code) {
			return nil, &InputError{File: path, Line: line, Field: "code_insee", Value: rec[idx[5]], Reason: "code INSEE invalide"}
		}
		if r.Postcode != "" && (len(r.Postcode) != 5 || !isDigits(r.Postcode)) {
			return nil, &InputError{File: path, Line: line, Field: "code_postal", Value: r.Postcode, Reason: "code postal invalide (5 chiffres attendus)"}
		}
		if r.Lon, err = parseCoord(rec[idx[7]], -180, 180); err != nil {
			return nil, &InputError{File: path, Line: line, Field: "lon", Value: rec[idx[7]], Reason: "longitude " + err.Error()}
		}
		if r.Lat, err = parseCoord(rec[idx[8]], -90, 90); err != nil {
			return nil, &InputError{File: path, Line: line, Field: "lat", Value: rec[idx[8]], Reason: "latitude " + err.Error()}
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, &InputError{File: path, Reason: "aucune adresse"}
	}
	return out, nil
}
