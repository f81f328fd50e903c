package importer

import (
	"fmt"
	"io"

	"zonage/zones"
)

// ReadOverlay reads a regional arrêté loaded by a user (format in the README): one
// row per commune with its category, and on every row the same region and the same
// effective date. From that date the file replaces every assignment of the region,
// so a mistake here would silently change a whole region: every cell is checked and
// the first problem stops the import with its line, column and value.
func ReadOverlay(path string) (*Overlay, error) {
	t, line, err := openHeadedTable(path)
	if err != nil {
		return nil, err
	}
	o := &Overlay{Path: path, Notes: t.notes}
	req, err := t.requireCols(line, []string{"region"}, []string{"date_effet", "date_d_effet"},
		[]string{"code_commune", "code_insee", "code"}, []string{"categorie", "zonage"})
	if err != nil {
		return nil, err
	}
	regCol, effCol, codeCol, catCol := req[0], req[1], req[2], req[3]
	nameCol, dateCol, refCol := t.col("nom", "libelle", "nom_commune"), t.col("date_arrete"), t.col("arrete", "reference_arrete")
	seen := map[string]int{}
	var regionRaw string
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		bad := func(col int, reason string) error {
			return &InputError{File: path, Line: line, Field: t.header[col], Value: rec[col], Reason: reason}
		}
		reg, ok := zones.RegionByCode(rec[regCol])
		if !ok {
			reg, ok = zones.RegionByName(rec[regCol])
		}
		if !ok {
			return nil, bad(regCol, "région inconnue (code INSEE comme 84, ou nom comme Auvergne-Rhône-Alpes)")
		}
		if o.Region == "" {
			o.Region, regionRaw = reg.Code, rec[regCol]
		} else if reg.Code != o.Region {
			return nil, bad(regCol, fmt.Sprintf("région différente de celle de la première ligne (« %s ») : un fichier par arrêté régional", regionRaw))
		}
		eff, err := parseDate(rec[effCol])
		if err != nil {
			return nil, bad(effCol, err.Error())
		}
		if o.EffectiveDate == "" {
			o.EffectiveDate = eff
		} else if eff != o.EffectiveDate {
			return nil, bad(effCol, fmt.Sprintf("date d'effet différente de celle de la première ligne (%s)", zones.FrenchDate(o.EffectiveDate)))
		}
		code, err := t.communeCode(rec, line, codeCol, seen)
		if err != nil {
			return nil, err
		}
		cat, err := zones.ParseCategoryFor(zones.MasseurKine, rec[catCol])
		if err != nil {
			return nil, bad(catCol, err.Error())
		}
		raw := rec[catCol]
		if raw == string(cat) {
			raw = cat.OfficialCode() // a slug was given: answers show the official code
		}
		if d := field(rec, dateCol); d != "" {
			iso, err := parseDate(d)
			if err != nil {
				return nil, bad(dateCol, err.Error())
			}
			if o.ArreteDate == "" {
				o.ArreteDate = iso
			}
		}
		if ref := field(rec, refCol); ref != "" && o.ArreteRef == "" {
			o.ArreteRef = ref
		}
		o.Records = append(o.Records, ZonageRecord{Code: code, Name: field(rec, nameCol), Category: cat,
			RawCategory: raw, ArreteDate: o.ArreteDate, Region: reg.Name, Line: line})
	}
	if len(o.Records) == 0 {
		return nil, &InputError{File: path, Reason: "aucune commune après l'en-tête"}
	}
	return o, nil
}
