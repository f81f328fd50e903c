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
// would give users a wrong answer. Another profession's export is refused: it is
// read by ReadCartoSanteProfession.
func ReadCartoSante(path string) (*ZonageFile, error) {
	return readCartoSante(path, zones.MasseurKine)
}

// ReadCartoSanteProfession reads a CartoSanté commune export of any profession,
// in the same format as the kiné's; the profession is the one its category column
// names (« Zonage infirmiers »), and each category must be on that profession's scale.
func ReadCartoSanteProfession(path string) (*ZonageFile, error) {
	return readCartoSante(path, "")
}

// readCartoSante reads an export of the profession want, or of whichever
// profession its header names when want is empty.
func readCartoSante(path string, want zones.Profession) (*ZonageFile, error) {
	t, err := openTable(path)
	if err != nil {
		return nil, err
	}
	f := &ZonageFile{Path: path, Format: "cartosante", Notes: t.notes}
	wantColumn := "Zonage kinés"
	if want != "" {
		wantColumn = want.ExportColumn()
	}
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
					return nil, &InputError{File: path, Line: line, Reason: "en-tête « Code;Libellé;" + wantColumn + " » introuvable dans les 10 premières lignes : ce n'est pas un export CartoSanté"}
				}
				continue
			}
			if err := t.setHeader(rec, line); err != nil {
				return nil, err
			}
			codeCol, nameCol = 0, t.col("Libellé", "libelle", "nom")
			for i, h := range rec {
				if !strings.HasPrefix(normHeader(h), "zonage_") {
					continue
				}
				catCol = i
				p, known := zones.ProfessionByColumn(h)
				switch {
				case want == zones.MasseurKine && !strings.Contains(normHeader(h), "kine"):
					return nil, &InputError{File: path, Line: line, Field: h, Value: h,
						Reason: "cet export est celui d'une autre profession ; il faut la colonne « Zonage kinés »"}
				case want == zones.MasseurKine:
					f.Profession = zones.MasseurKine
				case !known:
					return nil, &InputError{File: path, Line: line, Field: h, Value: h,
						Reason: "profession inconnue ; colonnes reconnues : " + professionColumns()}
				case want != "" && p != want:
					return nil, &InputError{File: path, Line: line, Field: h, Value: h,
						Reason: fmt.Sprintf("cet export est celui des %s ; il faut la colonne « %s »", p.Plural(), wantColumn)}
				default:
					f.Profession = p
				}
			}
			if catCol < 0 {
				return nil, &InputError{File: path, Line: line, Reason: fmt.Sprintf("colonne « %s » absente de l'en-tête (trouvé : %s)", wantColumn, strings.Join(rec, ";"))}
			}
			continue
		}
		code, err := t.communeCode(rec, line, codeCol, seen)
		if err != nil {
			return nil, err
		}
		cat, err := zones.ParseCategoryFor(f.Profession, rec[catCol])
		if err != nil {
			return nil, &InputError{File: path, Line: line, Field: t.header[catCol], Value: rec[catCol], Reason: err.Error()}
		}
		f.Records = append(f.Records, ZonageRecord{Code: code, Name: field(rec, nameCol), Category: cat, RawCategory: rec[catCol], Line: line})
	}
	if codeCol < 0 {
		return nil, &InputError{File: path, Reason: "fichier vide ou sans en-tête « Code;Libellé;" + wantColumn + " »"}
	}
	if len(f.Records) == 0 {
		return nil, &InputError{File: path, Reason: "aucune commune après l'en-tête"}
	}
	return f, nil
}

// professionColumns lists the category column of every profession's export.
func professionColumns() string {
	cols := make([]string, 0, len(zones.Professions()))
	for _, p := range zones.Professions() {
		cols = append(cols, "« "+p.ExportColumn()+" »")
	}
	return strings.Join(cols, ", ")
}
