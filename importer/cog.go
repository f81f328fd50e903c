package importer

import (
	"encoding/json"
	"fmt"
	"io"

	"zonage/zones"
)

// decoupageCommune is one object of @etalab/decoupage-administratif communes.json.
type decoupageCommune struct {
	Code         string            `json:"code"`
	Nom          string            `json:"nom"`
	Type         zones.CommuneType `json:"type"`
	Zone         string            `json:"zone"`
	Departement  string            `json:"departement"`
	Region       string            `json:"region"`
	CodesPostaux []string          `json:"codesPostaux"`
	Population   int               `json:"population"`
	AnciensCodes []string          `json:"anciensCodes"`
	ChefLieu     string            `json:"chefLieu"`
	Commune      string            `json:"commune"`
}

// ReadDecoupageCommunes reads the communes.json of @etalab/decoupage-administratif:
// communes, communes déléguées and associées, and arrondissements municipaux, with
// their postcodes, population and the codes of the communes merged into them.
func ReadDecoupageCommunes(path string) ([]COGCommune, error) {
	b, err := readSourceFile(path)
	if err != nil {
		return nil, err
	}
	var raw []decoupageCommune
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, &InputError{File: path, Reason: "JSON illisible (tableau de communes attendu) : " + err.Error()}
	}
	out := make([]COGCommune, 0, len(raw))
	for i, c := range raw {
		if !zones.ValidCommuneCode(c.Code) {
			return nil, &InputError{File: path, Field: "code", Value: c.Code, Reason: fmt.Sprintf("objet %d : code INSEE invalide", i+1)}
		}
		parent := c.ChefLieu
		if c.Type == zones.ArrondissementMunicipal {
			parent = c.Commune
		}
		out = append(out, COGCommune{Code: c.Code, Name: c.Nom, Type: c.Type, Zone: c.Zone, Departement: c.Departement,
			Region: c.Region, Parent: parent, Population: c.Population, Postcodes: c.CodesPostaux, FormerCodes: c.AnciensCodes})
	}
	if len(out) == 0 {
		return nil, &InputError{File: path, Reason: "aucune commune"}
	}
	return out, nil
}

// ReadHistoryPassage reads the COGiter table DEPCOM_HIST,DEPCOM mapping every commune
// code since 2003 to its commune of the table's COG vintage.
func ReadHistoryPassage(path string) (map[string]string, error) {
	out := map[string]string{}
	err := readNamedTable(path, [][]string{{"DEPCOM_HIST"}, {"DEPCOM"}}, func(v []string, line int) error {
		if !zones.ValidCommuneCode(v[0]) || !zones.ValidCommuneCode(v[1]) {
			return &InputError{File: path, Line: line, Value: v[0] + "," + v[1], Reason: "code INSEE invalide"}
		}
		out[v[0]] = v[1]
		return nil
	})
	return out, err
}

// ReadMovements reads the INSEE « mouvements des communes » table (as published by
// INSEE or converted by COGiter): MOD, DATE_EFF, then each side's TYPECOM, COM, LIBELLE.
func ReadMovements(path string) ([]Movement, error) {
	var out []Movement
	cols := [][]string{{"MOD"}, {"DATE_EFF"}, {"TYPECOM_AV"}, {"COM_AV"}, {"LIBELLE_AV"}, {"TYPECOM_AP"}, {"COM_AP"}, {"LIBELLE_AP"}}
	err := readNamedTable(path, cols, func(v []string, line int) error {
		date, err := parseDate(v[1])
		if err != nil {
			return &InputError{File: path, Line: line, Field: "DATE_EFF", Value: v[1], Reason: err.Error()}
		}
		out = append(out, Movement{Mod: v[0], Date: date, TypeBefore: v[2], CodeBefore: v[3], NameBefore: v[4], TypeAfter: v[5], CodeAfter: v[6], NameAfter: v[7]})
		return nil
	})
	return out, err
}

// ReadCatchments reads the COGiter « table de passage communes zonages »: for each
// commune its bassin de vie 2022, its canton-ville and its unité urbaine size class.
func ReadCatchments(path string) (map[string]CatchmentRow, error) {
	out := map[string]CatchmentRow{}
	cols := [][]string{{"DEPCOM"}, {"BV2022"}, {"LIB_BV2022"}, {"CV"}, {"LIB_CV"}, {"TDUU2017"}}
	err := readNamedTable(path, cols, func(v []string, line int) error {
		if !zones.ValidCommuneCode(v[0]) {
			return &InputError{File: path, Line: line, Field: "DEPCOM", Value: v[0], Reason: "code INSEE invalide"}
		}
		out[v[0]] = CatchmentRow{Commune: v[0], BassinDeVie: v[1], BassinDeVieLib: v[2], CantonVille: v[3], CantonVilleLib: v[4], TDUU2017: v[5]}
		return nil
	})
	return out, err
}

// readNamedTable reads a one-header-line table and calls row with the named columns.
func readNamedTable(path string, cols [][]string, row func(values []string, line int) error) error {
	t, line, err := openHeadedTable(path)
	if err != nil {
		return err
	}
	idx, err := t.requireCols(line, cols...)
	if err != nil {
		return err
	}
	values := make([]string, len(idx))
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		for i, c := range idx {
			values[i] = rec[c]
		}
		if err := row(values, line); err != nil {
			return err
		}
	}
}
