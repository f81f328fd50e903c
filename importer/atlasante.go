package importer

import (
	"io"
	"strings"

	"zonage/zones"
)

// ReadAtlasante reads the official national table « Zonages des professionnels de
// santé libéraux » (Atlasanté/DataSanté on data.gouv.fr): one row per geographic
// level, of which only the communes (niveau COM) are kept; zmk_niveau is the kiné
// category, zmk_date_arrete the date of the ARS arrêté, bvcv_* the bassin de vie or
// canton-ville the category was decided for.
func ReadAtlasante(path string) (*ZonageFile, error) {
	t, line, err := openHeadedTable(path)
	if err != nil {
		return nil, err
	}
	f := &ZonageFile{Path: path, Format: "atlasante", Notes: t.notes}
	req, err := t.requireCols(line, []string{"niveau"}, []string{"com_code", "code"}, []string{"zmk_niveau"})
	if err != nil {
		return nil, err
	}
	niveauCol, codeCol, catCol := req[0], req[1], req[2]
	nameCol := t.col("com_lib", "lib")
	regionCol := t.col("com_region")
	majCol := t.col("date_maj")
	dateCol := t.col("zmk_date_arrete")
	bvCode, bvLib, bvType := t.col("bvcv_code"), t.col("bvcv_lib"), t.col("bvcv_type")
	seen := map[string]int{}
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(rec[niveauCol], "COM") {
			continue
		}
		code, err := t.communeCode(rec, line, codeCol, seen)
		if err != nil {
			return nil, err
		}
		cat, err := zones.ParseCategoryFor(zones.MasseurKine, rec[catCol])
		if err != nil {
			return nil, &InputError{File: path, Line: line, Field: "zmk_niveau", Value: rec[catCol], Reason: err.Error()}
		}
		r := ZonageRecord{Code: code, Name: field(rec, nameCol), Category: cat, RawCategory: rec[catCol], Region: field(rec, regionCol), Line: line}
		if d := field(rec, dateCol); d != "" {
			if r.ArreteDate, err = parseDate(d); err != nil {
				return nil, &InputError{File: path, Line: line, Field: "zmk_date_arrete", Value: d, Reason: err.Error()}
			}
		}
		if d := field(rec, majCol); d != "" && f.DateMaj == "" {
			if f.DateMaj, err = parseDate(d); err != nil {
				return nil, &InputError{File: path, Line: line, Field: "date_maj", Value: d, Reason: err.Error()}
			}
		}
		r.Catchment = atlasanteCatchment(field(rec, bvType), field(rec, bvCode), field(rec, bvLib))
		f.Records = append(f.Records, r)
	}
	if len(f.Records) == 0 {
		return nil, &InputError{File: path, Reason: "aucune ligne de niveau COM (communes)"}
	}
	return f, nil
}

// atlasanteCatchment reads bvcv_type: "Bassin de vie", "Canton-ville", or "NC"
// (not concerned, Mayotte), which gives no unit.
func atlasanteCatchment(kind, code, name string) *zones.Catchment {
	if code == "" || strings.EqualFold(code, "NC") {
		return nil
	}
	switch normHeader(kind) {
	case "bassin_de_vie":
		return &zones.Catchment{Kind: zones.BassinDeVie, Code: code, Name: name}
	case "canton_ville":
		return &zones.Catchment{Kind: zones.CantonVille, Code: code, Name: name}
	}
	return nil
}
