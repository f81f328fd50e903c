package importer

import (
	"fmt"
	"io"
	"strings"

	"zonage/zones"
)

// ReadCartoSante reads a CartoSanté commune export of the kiné zonage: a UTF-8 BOM,
// title lines ("CartoSanté", "Référentiel géographique : …"), then the header
// "Code;Libellé;Zonage kinés" and one row per commune or arrondissement, codes in the
// COG vintage of the export. An unknown category code stops the import: guessing one
// would give users a wrong answer.
func ReadCartoSante(path string) (*ZonageFile, error) {
	t, err := openTable(path)
	if err != nil {
		return nil, err
	}
	f := &ZonageFile{Path: path, Format: "cartosante", Notes: t.notes}
	var codeCol, nameCol, catCol = -1, -1, -1
	seen := map[string]int{}
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if codeCol < 0 {
			// Title lines come before the header; the header is the first line whose
			// first cell is "Code".
			if normHeader(field(rec, 0)) != "code" {
				if line > 10 {
					return nil, &InputError{File: path, Line: line, Reason: "en-tête « Code;Libellé;Zonage kinés » introuvable dans les 10 premières lignes : ce n'est pas un export CartoSanté"}
				}
				continue
			}
			if err := t.setHeader(rec, line); err != nil {
				return nil, err
			}
			codeCol, nameCol = 0, t.col("Libellé", "libelle", "nom")
			for i, h := range rec {
				if strings.HasPrefix(normHeader(h), "zonage_") {
					catCol = i
					if !strings.Contains(normHeader(h), "kine") {
						return nil, &InputError{File: path, Line: line, Field: h, Value: h,
							Reason: "cet export est celui d'une autre profession ; il faut la colonne « Zonage kinés »"}
					}
				}
			}
			if catCol < 0 {
				return nil, &InputError{File: path, Line: line, Reason: fmt.Sprintf("colonne « Zonage kinés » absente de l'en-tête (trouvé : %s)", strings.Join(rec, ";"))}
			}
			continue
		}
		code := zones.NormalizeCommuneCode(rec[codeCol])
		if !zones.ValidCommuneCode(code) {
			return nil, &InputError{File: path, Line: line, Field: t.header[codeCol], Value: rec[codeCol], Reason: "code INSEE invalide (5 caractères attendus, ex. 01001, 2A004)"}
		}
		if prev, dup := seen[code]; dup {
			return nil, &InputError{File: path, Line: line, Field: t.header[codeCol], Value: code, Reason: fmt.Sprintf("code en double (déjà ligne %d)", prev)}
		}
		seen[code] = line
		cat, err := zones.ParseCategoryFor(zones.MasseurKine, rec[catCol])
		if err != nil {
			return nil, &InputError{File: path, Line: line, Field: t.header[catCol], Value: rec[catCol], Reason: err.Error()}
		}
		f.Records = append(f.Records, ZonageRecord{Code: code, Name: field(rec, nameCol), Category: cat, RawCategory: rec[catCol], Line: line})
	}
	if codeCol < 0 {
		return nil, &InputError{File: path, Reason: "fichier vide ou sans en-tête « Code;Libellé;Zonage kinés »"}
	}
	if len(f.Records) == 0 {
		return nil, &InputError{File: path, Reason: "aucune commune après l'en-tête"}
	}
	return f, nil
}
