package zones

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"zonage/internal/french"
)

// Query is a place as users give it: coordinates, an INSEE code, a free-text
// address, or split address fields. Resolve uses the most precise part present.
type Query struct {
	Text     string
	Street   string
	Postcode string
	City     string
	Citycode string
	Lat, Lon float64
	HasPoint bool
	// Day asks for the zonage in force that day; the zero Day means today.
	Day Day
}

// Empty reports whether the query says nothing at all.
func (q Query) Empty() bool {
	return !q.HasPoint && strings.TrimSpace(q.Text+q.Street+q.Postcode+q.City+q.Citycode) == ""
}

// AddressLevel is how precise an address match is.
type AddressLevel string

const (
	LevelHouseNumber  AddressLevel = "housenumber"
	LevelStreet       AddressLevel = "street"
	LevelMunicipality AddressLevel = "municipality"
)

// AddressCandidate is one commune an ambiguous address may be in.
type AddressCandidate struct {
	Code  string
	Name  string
	Score float64
}

// AddressMatch is what an address matcher found for a query.
type AddressMatch struct {
	Status     Status // ok, ambigu or introuvable
	Level      AddressLevel
	Code       string // INSEE code of the commune or arrondissement
	Score      float64
	Lat, Lon   float64 // the matched point; zero when unknown
	Label      string
	Candidates []AddressCandidate
	Warnings   []string
	Message    string // why nothing matched, in French
	// CodeConflict is set when the postcode or city given with a commune code
	// contradict it; the warning saying so is among Warnings.
	CodeConflict bool
	// NumberNotFound is set, for a street answer, when the house number asked
	// for has no address point: a warning of the matcher then says which point
	// stands for it (the nearest number's or the street's).
	NumberNotFound bool
	// NoStreetData is set, for a commune answer to a query with a street, when
	// the address data holds no street of that commune: the address itself was
	// not looked for. The resolver says so.
	NoStreetData bool
}

// AddressMatcher finds the commune of an address: offline from the snapshot's
// address tables, or through a geocoder.
type AddressMatcher interface {
	MatchAddress(q Query) AddressMatch
}

// RemoteMatcher is implemented by an AddressMatcher that asks a service over
// the network, with its delays and its quota: the resolver asks it only for
// addresses that decide an answer.
type RemoteMatcher interface {
	AddressMatcher
	Remote() bool
}

// remote reports whether r's address matcher asks a service over the network.
func (r *Resolver) remote() bool {
	m, ok := r.Addresses.(RemoteMatcher)
	return ok && m.Remote()
}

// Resolve answers any query: coordinates first, then an INSEE code, then the
// address. An unusable query (latitude out of range, nothing given) is an
// *InputError.
func (r *Resolver) Resolve(q Query) (Resolution, error) {
	switch {
	case q.HasPoint:
		res, err := r.ResolvePointOn(q.Lat, q.Lon, q.Day)
		if err == nil {
			r.checkPointCode(&res, q)
			r.checkPointAddress(&res, q)
		}
		return res, err
	case strings.TrimSpace(q.Citycode) != "":
		code := NormalizeCommuneCode(q.Citycode)
		if !ValidCommuneCode(code) {
			return Resolution{}, &InputError{Field: "code INSEE", Value: q.Citycode, Reason: "attendu un code INSEE à 5 caractères (ex. 75106, 2A004)"}
		}
		if strings.TrimSpace(q.Text+q.Street) != "" {
			return r.resolveAddressIn(code, q)
		}
		res, err := r.ResolveCodeOn(code, q.Day)
		if err == nil {
			r.checkCode(&res, code, q)
		}
		return res, err
	case q.Empty():
		return Resolution{}, &InputError{Reason: "rien à chercher : donnez une adresse, des coordonnées ou un code INSEE"}
	}
	return r.ResolveAddress(q)
}

// maxAddressRunes bounds the characters of an address's text, street and city
// together: no postal address comes near it, and the matcher's work grows with it.
const maxAddressRunes = 1000

// checkAddressLength refuses an address longer than maxAddressRunes, naming the
// longest of its parts and quoting its start: the part at fault is the one a
// user must shorten, and the quote must show which cell or parameter it is.
func checkAddressLength(q Query) error {
	if len(q.Text)+len(q.Street)+len(q.City) <= maxAddressRunes {
		return nil // fewer bytes than the bound, so fewer characters too
	}
	n := utf8.RuneCountInString(q.Text) + utf8.RuneCountInString(q.Street) + utf8.RuneCountInString(q.City)
	if n <= maxAddressRunes {
		return nil
	}
	field, value := "adresse", q.Text
	if len(q.Street) > len(value) {
		field, value = "voie", q.Street
	}
	if len(q.City) > len(value) {
		field, value = "commune", q.City
	}
	return &InputError{Field: field, Value: value,
		Reason: fmt.Sprintf("adresse trop longue (%d caractères ; 1 000 au plus pour l'adresse, la voie et la commune ensemble)", n)}
}

// resolveAddressIn answers an address given with the code of its commune: the
// address is sought in that commune only, as the BAN's citycode filter does. It
// places the cabinet in an arrondissement when the code is Paris's, Lyon's or
// Marseille's, or in a commune déléguée, which the code alone cannot. The code
// still decides the commune: an address found in no place of it leaves the
// code's answer, which then says that the address was not found there, so that
// the caller knows the address was read; so does one of data without address
// tables, where it cannot be looked for.
func (r *Resolver) resolveAddressIn(code string, q Query) (Resolution, error) {
	q.Citycode = code
	var res Resolution
	if r.Addresses != nil {
		var err error
		res, err = r.ResolveAddress(q)
		if err != nil || r.withinCode(res, code) {
			return res, err
		}
	}
	byCode, err := r.ResolveCodeOn(code, q.Day)
	if err != nil {
		return byCode, err
	}
	r.checkCode(&byCode, code, q)
	address := quotedAddress(q.Text, q.Street)
	var w string
	switch {
	case r.Addresses == nil:
		w = fmt.Sprintf("adresse « %s » non cherchée : ces données n'ont pas de tables d'adresses ; code commune retenu", address)
	case byCode.Commune == nil:
		w = fmt.Sprintf("adresse « %s » non cherchée : avec le code commune %s, elle n'est cherchée que dans cette commune", address, code)
	case res.Status != StatusNotFound:
		w = fmt.Sprintf("adresse « %s » trouvée hors de la commune %s (%s) : code commune retenu", address, code, byCode.Commune.Name)
	default:
		w = fmt.Sprintf("adresse « %s » introuvable dans la commune %s (%s) : code commune retenu", address, code, byCode.Commune.Name)
	}
	byCode.addWarning(w)
	return byCode, nil
}

// withinCode reports whether an address answer lies in the place code names:
// that commune, one of its arrondissements, or the former commune the code is
// of; for an ambiguous answer, every candidate must.
func (r *Resolver) withinCode(res Resolution, code string) bool {
	in := func(c string) bool {
		if c == code {
			return true
		}
		com, ok := r.Dataset.CommuneByCode(c)
		return ok && com.Parent == code
	}
	switch {
	case res.Status == StatusNotFound:
		return false
	case res.Former != nil && res.Former.Code == code:
		return true
	case res.Commune != nil:
		return in(res.Commune.Code)
	case len(res.Candidates) == 0:
		return false
	}
	for _, c := range res.Candidates {
		if !in(c.Code) {
			return false
		}
	}
	return true
}

// CodeChecker tells whether the postcode or city given with a commune code
// contradict it.
type CodeChecker interface {
	// CodeConflict says in French which of postcode and city contradict code,
	// naming them and the commune; "" when nothing does or when it cannot tell
	// (an unknown CEDEX postcode, a city name it does not know).
	CodeConflict(code, postcode, city string) string
}

// checkCode warns when the postcode or city of a code query contradict its code.
// The code still decides the answer: it is the precise part of the query, and
// the one a spreadsheet's INSEE column is made of.
func (r *Resolver) checkCode(res *Resolution, code string, q Query) {
	if r.Codes == nil || strings.TrimSpace(q.Postcode+q.City) == "" {
		return
	}
	w := r.Codes.CodeConflict(code, q.Postcode, q.City)
	if w == "" {
		return
	}
	res.addWarning(w)
	res.Match.CodeConflict = true
}

// checkPointCode warns when the commune code given with coordinates names
// another commune than the one the point lies in (a geocoding error, or a
// code typed for another cabinet). The coordinates still decide the answer:
// they are the most precise part of the query. A code that names the point's
// commune, its city (Paris, Lyon, Marseille for an arrondissement) or one of
// its former communes agrees with it.
func (r *Resolver) checkPointCode(res *Resolution, q Query) {
	given := strings.TrimSpace(q.Citycode)
	if given == "" {
		return
	}
	code := NormalizeCommuneCode(given)
	if !ValidCommuneCode(code) {
		res.addWarning(fmt.Sprintf("code commune « %s » invalide, ignoré : coordonnées retenues", french.Cut(given, maxQuotedValue)))
		return
	}
	named, err := r.ResolveCodeOn(code, q.Day)
	switch {
	case err != nil:
		return
	case named.Status == StatusNotFound:
		res.addWarning(fmt.Sprintf("code commune %s inconnu, ignoré : coordonnées retenues", code))
		return
	case named.Commune == nil:
		// A city zoned by arrondissement (Paris, Lyon, Marseille): the
		// point's arrondissement names it as its parent.
		return
	}
	name := named.Commune.Name
	if named.Former != nil && named.Former.Name != "" {
		name = named.Former.Name
	}
	switch {
	case res.Commune == nil:
		res.addWarning(fmt.Sprintf("code commune %s (%s) non utilisé : coordonnées retenues", code, name))
	case named.Commune.Code != res.Commune.Code && named.Commune.Code != res.Commune.Parent:
		res.addWarning(fmt.Sprintf("le code commune %s (%s) ne correspond pas au point, situé à %s (%s) : coordonnées retenues",
			code, name, res.Commune.Name, res.Commune.Code))
	}
}

// checkPointAddress says, for coordinates given with an address, that the
// address was not used: the coordinates decide, as the most precise part of
// the query. The address is still looked for, so that the answer also tells
// whether it lies in the point's commune — an address and coordinates that
// name two communes are a geocoding error, or two cabinets mixed up, which the
// caller must see. A commune code given too is checkPointCode's.
func (r *Resolver) checkPointAddress(res *Resolution, q Query) {
	address := quotedAddress(q.Text, q.Street, q.Postcode, q.City)
	if address == "" {
		return
	}
	w := fmt.Sprintf("adresse « %s » non utilisée : coordonnées retenues", address)
	if r.Addresses == nil || r.remote() {
		// No address tables, or a geocoder whose quota is for the addresses
		// that decide an answer: the address is not compared with the point.
		res.addWarning(w)
		return
	}
	found, err := r.ResolveAddress(Query{Text: q.Text, Street: q.Street, Postcode: q.Postcode, City: q.City, Day: q.Day})
	switch {
	case err != nil || found.Status != StatusOK || found.Commune == nil:
		// Not found, ambiguous or too long: nothing to compare with the point.
	case res.Commune == nil:
		w += fmt.Sprintf(" ; l'adresse désigne %s (%s)", found.Commune.Name, found.Commune.Code)
	case found.Commune.Code == res.Commune.Code:
		w += fmt.Sprintf(" ; l'adresse est aussi à %s (%s)", res.Commune.Name, res.Commune.Code)
	default:
		w = fmt.Sprintf("l'adresse « %s » (%s, %s) ne correspond pas au point, situé à %s (%s) : coordonnées retenues",
			address, found.Commune.Name, found.Commune.Code, res.Commune.Name, res.Commune.Code)
	}
	res.addWarning(w)
}

// quotedAddress is the address parts given, as they were typed, joined and
// cut to what a message quotes; "" when none is.
func quotedAddress(parts ...string) string {
	var given []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			given = append(given, p)
		}
	}
	return french.Cut(strings.Join(given, " "), maxQuotedValue)
}

// noStreetWarning says, for res, a commune answer to q, that the address was
// not located because the address data has no street of that commune, and
// that the answer is the commune's: the one of the code given, when q has one.
func (r *Resolver) noStreetWarning(res Resolution, q Query) string {
	address := quotedAddress(q.Text, q.Street)
	if res.Commune == nil {
		return fmt.Sprintf("adresse « %s » non localisée : les adresses chargées n'ont aucune voie de sa commune", address)
	}
	name, code := res.Commune.Name, res.Commune.Code
	if res.Former != nil && res.Former.Name != "" {
		name, code = res.Former.Name, res.Former.Code
	}
	answer := "réponse pour la commune"
	if given := NormalizeCommuneCode(q.Citycode); given != "" && (given == code || given == res.Commune.Code) {
		answer = "réponse pour la commune du code " + given
	}
	return fmt.Sprintf("adresse « %s » non localisée : les adresses chargées n'ont aucune voie de %s (%s) ; %s",
		address, name, code, answer)
}

// addWarning adds w to the answer's warnings and to its message.
func (res *Resolution) addWarning(w string) {
	// The answer may share its warnings with the resolver's cache: append to a copy.
	res.Match.Warnings = append(slices.Clip(res.Match.Warnings), w)
	if res.Message == "" {
		res.Message = w
	} else {
		res.Message += " ; " + w
	}
}

// ResolveAddress answers for an address. The matcher finds the commune (for an
// address point in Paris, Lyon or Marseille, its arrondissement); the category is
// then that commune's. A postcode shared by several communes with no usable name
// stays ambiguous, with each candidate's category.
func (r *Resolver) ResolveAddress(q Query) (Resolution, error) {
	if r.Addresses == nil {
		return Resolution{}, &InputError{Field: "adresse", Value: q.Text, Reason: "la recherche par adresse n'est pas disponible avec ces données"}
	}
	if err := checkAddressLength(q); err != nil {
		return Resolution{}, err
	}
	m := r.Addresses.MatchAddress(q)
	match := Match{Method: MethodAddress, Precision: PrecisionCommune, Score: round2(m.Score), Level: m.Level,
		Label: m.Label, Lat: m.Lat, Lon: m.Lon, Warnings: m.Warnings, CodeConflict: m.CodeConflict}
	if m.Level == LevelHouseNumber || m.Level == LevelStreet {
		match.Precision = PrecisionAddress
	}
	switch m.Status {
	case StatusOK:
		res, err := r.ResolveCodeOn(m.Code, q.Day)
		if err != nil {
			return res, err
		}
		res.Match = match
		if len(m.Warnings) > 0 {
			res.Message += " ; " + strings.Join(m.Warnings, " ; ")
		}
		if m.Level == LevelStreet && !m.NumberNotFound {
			// A query without a house number is answered at the street. When a
			// number was asked and not found, the matcher's warning says which
			// point stands for it instead.
			res.Message += " ; position de la voie"
		}
		if m.NoStreetData {
			res.addWarning(r.noStreetWarning(res, q))
		}
		return res, nil
	case StatusAmbiguous:
		if m.NoStreetData {
			// The ambiguity's own words may ask for the address, which was given.
			match.Warnings = append(slices.Clip(match.Warnings), fmt.Sprintf(
				"adresse « %s » non localisée : les adresses chargées n'ont aucune voie des communes possibles", quotedAddress(q.Text, q.Street)))
		}
		res := Resolution{Profession: r.Profession(), Status: StatusAmbiguous, Date: r.dayOr(q.Day), Match: match, Provenance: r.provenance()}
		var parts []string
		for _, c := range m.Candidates {
			cand := Candidate{Code: c.Code, Name: c.Name}
			if got, err := r.ResolveCodeOn(c.Code, q.Day); err == nil && got.Zonage != nil {
				cand.Zonage = *got.Zonage
				parts = append(parts, fmt.Sprintf("%s (%s) %s", c.Name, c.Code, got.Zonage.Label))
			} else {
				parts = append(parts, fmt.Sprintf("%s (%s)", c.Name, c.Code))
			}
			res.Candidates = append(res.Candidates, cand)
		}
		msg := m.Message
		if msg == "" {
			msg = "adresse ambiguë : plusieurs communes possibles"
		}
		if len(match.Warnings) == 0 {
			res.Message = fmt.Sprintf("%s : %s ; précisez la commune ou le code postal", msg, strings.Join(parts, ", "))
			return res, nil
		}
		// The warnings say why the row is ambiguous — a postcode set aside as
		// invalid, a name several communes share — and what would settle it: a
		// spreadsheet row has no other place to say so than its message.
		res.Message = fmt.Sprintf("%s : %s ; communes possibles : %s", msg, strings.Join(match.Warnings, " ; "), strings.Join(parts, ", "))
		return res, nil
	}
	msg := m.Message
	if msg == "" {
		msg = "adresse introuvable"
	}
	return Resolution{Profession: r.Profession(), Status: StatusNotFound, Date: r.dayOr(q.Day), Match: match, Provenance: r.provenance(), Message: msg}, nil
}

// Classification is one answer as the zonage_* columns of the batch contract.
type Classification struct {
	CommuneCode string
	CommuneName string
	Category    string // slug, empty when unresolved
	Label       string
	Status      Status
	Precision   Precision
	Score       string
	Message     string
}

// The columns of the batch contract that summaries count.
const (
	ColumnStatus   = "zonage_statut"
	ColumnCategory = "zonage_categorie"
)

// ClassificationColumns are the names of the columns the batch contract adds.
var ClassificationColumns = []string{"zonage_commune_code", "zonage_commune_nom", ColumnCategory, "zonage_libelle",
	ColumnStatus, "zonage_precision", "zonage_score", "zonage_message"}

// Values returns the columns in the order of ClassificationColumns.
func (c Classification) Values() []string {
	return []string{c.CommuneCode, c.CommuneName, c.Category, c.Label, string(c.Status), string(c.Precision), c.Score, c.Message}
}

// Classify turns a resolution, or the error that prevented it, into the batch
// columns: ambiguous and not-found answers have no category, an input error is
// « erreur » with its message.
func Classify(res Resolution, err error) Classification {
	if err != nil {
		return Classification{Status: StatusError, Message: err.Error()}
	}
	c := Classification{Status: res.Status, Precision: res.Match.Precision, Message: res.Message}
	if res.Commune != nil {
		c.CommuneCode, c.CommuneName = res.Commune.Code, res.Commune.Name
	}
	if res.Status == StatusOK && res.Zonage != nil {
		c.Category, c.Label = string(res.Zonage.Category), res.Zonage.Label
	}
	switch {
	case res.Match.Method == MethodAddress:
		c.Score = strconv.FormatFloat(res.Match.Score, 'f', 2, 64)
	case res.Status == StatusNotFound:
	case res.Match.Method == MethodNearest:
		// A point off the outlines is less sure the farther it is.
		c.Score = strconv.FormatFloat(math.Max(0, 1-res.Match.DistanceM/2000), 'f', 2, 64)
	default:
		c.Score = "1.00"
	}
	return c
}

// ParseCoordinate reads a latitude or longitude as spreadsheets write it: a decimal
// point or a French decimal comma.
func ParseCoordinate(field, s string) (float64, error) {
	v, ok := ParseDecimal(s)
	if !ok {
		return 0, &InputError{Field: field, Value: s, Reason: "nombre décimal attendu (ex. 48.8493)"}
	}
	return v, nil
}

// ParseDecimal reads a plain decimal number — digits, an optional sign, a decimal
// point or comma — and nothing else: Go's own syntax would also take 0x1p5, 1_0,
// 1e3 or Inf, which no person means as a latitude.
func ParseDecimal(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	digits, sep := 0, false
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= '0' && b <= '9':
			digits++
		case (b == '+' || b == '-') && i == 0:
		case (b == '.' || b == ',') && !sep:
			sep = true
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	return v, err == nil
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// maxQuotedValue is how many characters of an offending value a message quotes.
const maxQuotedValue = 200

// BatchFields are the cells of one batch row that locate it, as read.
type BatchFields struct {
	Text, Street, Postcode, City, Citycode, Lat, Lon string
	// Problem is what is wrong with the row itself (a field count that differs from
	// the header's), already naming its line; such a row is classified « erreur ».
	Problem string
	// Line is the row's line in its file, named in the message of a cell that cannot
	// be read; 0 = none.
	Line int
	// Day asks for the zonage in force that day; the zero Day means today.
	Day Day
}

// ClassifyFields resolves one batch row. A row whose cells cannot be read comes out
// « erreur » with a message naming the field and value; the batch goes on.
func (r *Resolver) ClassifyFields(f BatchFields) Classification {
	return Classify(r.ResolveFields(f))
}

// ResolveFields resolves one batch row; the error is an *InputError naming the
// cell at fault, or the row's own problem.
func (r *Resolver) ResolveFields(f BatchFields) (Resolution, error) {
	if f.Problem != "" {
		return Resolution{}, &RowError{Problem: f.Problem}
	}
	res, err := r.resolveFields(f)
	res.Profession = r.Profession()
	if err != nil && f.Line > 0 {
		err = &LineError{Line: f.Line, Err: err}
	}
	return res, err
}

// LineError is a cell of a batch row that cannot be read, with the row's line.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("ligne %d : %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

func (r *Resolver) resolveFields(f BatchFields) (Resolution, error) {
	q := Query{Text: f.Text, Street: f.Street, Postcode: f.Postcode, City: f.City, Citycode: f.Citycode, Day: f.Day}
	if strings.TrimSpace(f.Lat) != "" || strings.TrimSpace(f.Lon) != "" {
		lat, err := ParseCoordinate("latitude", f.Lat)
		if err != nil {
			return Resolution{}, err
		}
		lon, err := ParseCoordinate("longitude", f.Lon)
		if err != nil {
			return Resolution{}, err
		}
		q.Lat, q.Lon, q.HasPoint = lat, lon, true
	}
	ignored := ""
	if q.Citycode != "" && !ValidCommuneCode(NormalizeCommuneCode(q.Citycode)) && q.Text+q.Street+q.Postcode+q.City != "" {
		// A "commune" column holding names in some rows and codes in others: an
		// unusable code falls back to the address cells, and the answer says so,
		// since the row's own code cell was set aside.
		ignored, q.Citycode = q.Citycode, ""
	}
	res, err := r.Resolve(q)
	if err == nil && q.HasPoint && res.Match.Method == MethodOutside {
		r.noteSwapped(&res, q)
	}
	if err == nil && !q.HasPoint && q.Citycode != "" && res.Status == StatusNotFound && res.Match.Method == MethodCode {
		// The message names the code looked up; when it is not the cell as typed
		// (a leading zero put back, a fraction dropped), the row must show both.
		if typed, read := strings.ToUpper(strings.TrimSpace(q.Citycode)), NormalizeCommuneCode(q.Citycode); typed != read {
			res.Message += fmt.Sprintf(" (code INSEE « %s » lu %s)", french.Cut(strings.TrimSpace(q.Citycode), maxQuotedValue), read)
		}
	}
	if ignored != "" && err == nil {
		by := "commune cherchée par l'adresse"
		if q.HasPoint {
			by = "coordonnées retenues"
		}
		res.addWarning(fmt.Sprintf("code INSEE « %s » invalide, ignoré : %s", french.Cut(ignored, maxQuotedValue), by))
	}
	return res, err
}

// noteSwapped tells, for a row whose point is in no commune, when the point
// with its latitude and longitude exchanged is in one: a spreadsheet whose two
// columns were pasted the wrong way round. The row stays « introuvable » — the
// file, not the resolver, must say which cell is which — but its message names
// both cells and the commune the other reading gives.
func (r *Resolver) noteSwapped(res *Resolution, q Query) {
	other, err := r.ResolvePointOn(q.Lon, q.Lat, q.Day)
	if err != nil || other.Commune == nil || other.Match.Method != MethodInside {
		return
	}
	lat := strconv.FormatFloat(q.Lat, 'f', -1, 64)
	lon := strconv.FormatFloat(q.Lon, 'f', -1, 64)
	res.Message += fmt.Sprintf(" ; latitude %s et longitude %s inversées ? Le point de latitude %s et longitude %s est dans %s (%s)",
		lat, lon, lon, lat, other.Commune.Name, other.Commune.Code)
}

// RowError is a batch row that cannot be read as a whole.
type RowError struct{ Problem string }

func (e *RowError) Error() string { return e.Problem }
