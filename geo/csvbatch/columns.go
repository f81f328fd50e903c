package csvbatch

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"zonage/internal/french"
)

// Role is what a column tells about a row's place.
type Role string

// The roles a column can play. A row is located by coordinates, by an INSEE code, or
// by an address: one free-text column, or split columns (street, postcode, town).
const (
	RoleAddress  Role = "adresse"
	RoleStreet   Role = "voie"
	RolePostcode Role = "code_postal"
	RoleCity     Role = "ville"
	RoleCitycode Role = "code_insee"
	RoleLat      Role = "latitude"
	RoleLon      Role = "longitude"
)

// Roles lists every role in the order columns are reported.
var Roles = []Role{RoleAddress, RoleStreet, RolePostcode, RoleCity, RoleCitycode, RoleLat, RoleLon}

// synonyms are the header names recognised for each role, normalised by
// normalizeHeader (lower case, no accents, '_' between words).
var synonyms = map[Role][]string{
	RoleAddress:  {"adresse", "address", "adresse_complete", "adresse_postale", "full_address", "q", "query", "adresse_cabinet"},
	RoleStreet:   {"voie", "rue", "street", "adresse_ligne_1", "adresse1", "ligne_4", "numero_et_voie", "libelle_voie"},
	RolePostcode: {"code_postal", "cp", "postcode", "postal_code", "codepostal", "zip", "zipcode", "code_postal_coord_structure"},
	RoleCity:     {"ville", "commune", "city", "localite", "nom_commune", "libelle_commune", "libelle_d_acheminement", "town"},
	RoleCitycode: {"code_insee", "citycode", "insee", "code_commune", "code_commune_insee", "depcom", "cog", "com_code"},
	RoleLat:      {"lat", "latitude", "y_wgs84"},
	RoleLon:      {"lon", "lng", "long", "longitude", "x_wgs84"},
}

// roleNames are the French words for a role: alone, in a list of the columns
// read (label: « code postal »); in a sentence (indefinite: « un code
// postal »); and naming its column in a message, in the README's words
// (column: « colonne du code postal »). The role's identifier (code_postal) is
// the name of no column a user wrote, and of no option or parameter either.
var roleNames = map[Role]struct{ label, indefinite, column string }{
	RoleAddress:  {"adresse", "une adresse", "colonne de l'adresse"},
	RoleStreet:   {"voie", "une voie", "colonne de la voie"},
	RolePostcode: {"code postal", "un code postal", "colonne du code postal"},
	RoleCity:     {"commune", "une commune", "colonne de la commune"},
	RoleCitycode: {"code INSEE", "un code INSEE", "colonne du code INSEE"},
	RoleLat:      {"latitude", "une latitude", "colonne de la latitude"},
	RoleLon:      {"longitude", "une longitude", "colonne de la longitude"},
}

// Label names the role in French, as the README does: « code postal », « commune ».
func (r Role) Label() string {
	if n, ok := roleNames[r]; ok {
		return n.label
	}
	return string(r)
}

// normalizeHeader makes header names comparable: "Code Postal", "code_postal" and
// "CODE-POSTAL" are the same column.
func normalizeHeader(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range norm.NFD.String(strings.ToLower(strings.TrimSpace(s))) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r)
		default:
			sep = true
		}
	}
	return b.String()
}

// NoColumn, given as a role's column, says the file has none for that role: its
// header synonyms are not looked up (a "lat" column left empty, say).
const NoColumn = "-"

// ColumnError is a column choice that cannot be honoured.
type ColumnError struct {
	Role   Role
	Value  string
	Reason string
}

func (e *ColumnError) Error() string {
	switch {
	case e.Role == "":
		return e.Reason
	case e.Value == "":
		return fmt.Sprintf("%s : %s", e.Role.column(), e.Reason)
	}
	return fmt.Sprintf("%s « %s » : %s", e.Role.column(), french.Cut(e.Value, maxQuoted), e.Reason)
}

// column names the role's column in a message.
func (r Role) column() string {
	if n, ok := roleNames[r]; ok {
		return n.column
	}
	return "colonne " + string(r)
}

// mapColumns decides which column plays each role: the caller's choices first (a
// header name or a 1-based position), then header synonyms. A role named twice in
// the header takes its first column; the duplicates are reported.
func mapColumns(header []string, hasHeader bool, chosen map[Role]string) (map[Role]int, []string, error) {
	roles := map[Role]int{}
	var notes []string
	byName := map[string]int{}
	for i, h := range header {
		n := normalizeHeader(h)
		if _, dup := byName[n]; dup && n != "" {
			notes = append(notes, fmt.Sprintf("colonne « %s » en double (colonnes %d et %d) : la première est lue", h, byName[n]+1, i+1))
			continue
		}
		byName[n] = i
	}
	taken := map[int]Role{}
	refused := map[Role]bool{}
	for _, role := range Roles {
		v, ok := chosen[role]
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if strings.TrimSpace(v) == NoColumn {
			refused[role] = true
			continue
		}
		idx, err := columnIndex(header, hasHeader, role, v)
		if err != nil {
			return nil, nil, err
		}
		roles[role] = idx
		taken[idx] = role
	}
	if hasHeader {
		for _, role := range Roles {
			if _, ok := roles[role]; ok || refused[role] {
				continue
			}
			for _, syn := range synonyms[role] {
				if i, ok := byName[syn]; ok {
					if _, used := taken[i]; used {
						continue
					}
					roles[role] = i
					taken[i] = role
					break
				}
			}
		}
		notes = append(notes, unreadSynonyms(header, byName, roles, taken, chosen)...)
	}
	latCol, lat := roles[RoleLat]
	lonCol, lon := roles[RoleLon]
	if lat != lon {
		// Name the column read, by its header when there is one: the user must
		// see which of their columns was taken for half of a point.
		read, missing, col := RoleLat, RoleLon, latCol
		if lon {
			read, missing, col = RoleLon, RoleLat, lonCol
		}
		name := fmt.Sprintf("colonne %d", col+1)
		if hasHeader {
			name = "colonne « " + french.Cut(header[col], maxQuoted) + " »"
		}
		return nil, nil, &ColumnError{"", "", fmt.Sprintf("%s lue comme %s, sans colonne de %s : latitude et longitude vont ensemble, donnez les deux colonnes",
			name, read.Label(), missing.Label())}
	}
	if len(roles) == 0 {
		what := "la première ligne ne nomme aucune colonne connue (" + french.Cut(strings.Join(header, ", "), maxQuoted) + ")"
		if !hasHeader {
			what = "fichier sans en-tête"
		}
		return nil, nil, &ColumnError{"", "", what + " : désignez les colonnes (adresse, code postal, ville, latitude/longitude ou code INSEE)"}
	}
	return roles, notes, nil
}

// unreadSynonyms names, for each role its header names found by themselves, the
// other columns whose names mean that role too ("CP" beside "Code Postal",
// "lat" beside "Latitude"): only one is read, which is not always the first, and
// when the two disagree the user must know which one decided.
func unreadSynonyms(header []string, byName map[string]int, roles map[Role]int, taken map[int]Role, chosen map[Role]string) []string {
	var notes []string
	for _, role := range Roles {
		read, ok := roles[role]
		if !ok || strings.TrimSpace(chosen[role]) != "" {
			continue
		}
		for _, syn := range synonyms[role] {
			i, ok := byName[syn]
			if !ok || i == read {
				continue
			}
			if _, used := taken[i]; used {
				continue
			}
			name := french.Cut(header[read], maxQuoted)
			notes = append(notes, fmt.Sprintf("colonnes « %s » (colonne %d) et « %s » (colonne %d) : toutes deux %s, seule « %s » est lue ; désignez l'autre pour la lire à sa place",
				name, read+1, french.Cut(header[i], maxQuoted), i+1, roleNames[role].indefinite, name))
		}
	}
	return notes
}

// columnIndex finds the column the user named: a 1-based position, or a header name
// compared as normalizeHeader does.
func columnIndex(header []string, hasHeader bool, role Role, v string) (int, error) {
	if pos, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if pos < 1 || pos > len(header) {
			return -1, &ColumnError{role, v, fmt.Sprintf("position hors du fichier (%d colonnes)", len(header))}
		}
		return pos - 1, nil
	}
	if !hasHeader {
		return -1, &ColumnError{role, v, "sans ligne d'en-tête, désignez la colonne par sa position (1, 2, …)"}
	}
	want := normalizeHeader(v)
	for i, h := range header {
		if normalizeHeader(h) == want {
			return i, nil
		}
	}
	return -1, &ColumnError{role, v, "absente de l'en-tête (" + french.Cut(strings.Join(header, ", "), maxQuoted) + ")"}
}
