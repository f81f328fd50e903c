package zones

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"zonage/internal/french"
)

// Status is the outcome of a resolution; its values are the contract of the
// zonage_statut column and of the API.
type Status string

const (
	StatusOK        Status = "ok"
	StatusAmbiguous Status = "ambigu"
	StatusNotFound  Status = "introuvable"
	// StatusError is a query that could not be read (a latitude of 95, a row with
	// missing fields); only batch outputs carry it, single queries return an error.
	StatusError Status = "erreur"
)

// Method says how the commune was found.
type Method string

const (
	MethodInside     Method = "interieur"   // the point lies inside the commune outline
	MethodNearest    Method = "proximite"   // the point lies in no outline; nearest commune within tolerance
	MethodCode       Method = "code"        // current commune code
	MethodFormerCode Method = "ancien_code" // code of a former commune
	MethodOutside    Method = "hors_france" // no commune within tolerance
	MethodAddress    Method = "adresse"     // an address matched offline or by a geocoder
	// MethodCollectivity is a point on (or near) the land of a French overseas
	// collectivité whose communes the data does not tell apart: in France, but
	// in no commune it can name (Saint-Pierre-et-Miquelon).
	MethodCollectivity Method = "collectivite"
)

// Precision is the granularity of the input that was matched, as in the
// zonage_precision column: an address point, a commune, or raw coordinates.
type Precision string

const (
	PrecisionAddress     Precision = "adresse"
	PrecisionCommune     Precision = "commune"
	PrecisionCoordinates Precision = "coordonnees"
)

// Match describes how an answer was obtained.
type Match struct {
	Method    Method    `json:"method"`
	Precision Precision `json:"precision"`
	// DistanceM is the distance in metres from the point to the commune outline when
	// Method is "proximite": the outlines are simplified at 30 m and trimmed on the
	// coast, so a point in a sliver or just off the shore gets the nearest commune.
	DistanceM float64 `json:"distance_m,omitempty"`
	// Country is, for a point outside France within the coast tolerance of a
	// commune, the country whose land it lies on (« Monaco », « Suisse »).
	Country string  `json:"country,omitempty"`
	Score   float64 `json:"score,omitempty"`
	// Level, Label and the point say what an address query matched: an address point
	// ("housenumber"), a street or a municipality.
	Level    AddressLevel `json:"level,omitempty"`
	Label    string       `json:"label,omitempty"`
	Lat      float64      `json:"lat,omitempty"`
	Lon      float64      `json:"lon,omitempty"`
	Warnings []string     `json:"warnings,omitempty"`
	// CodeConflict is set when the postcode or city given with a commune code
	// contradict it (the code was retained); Warnings says which.
	CodeConflict bool `json:"-"`
}

// RegionRef names a region.
type RegionRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// CommuneRef is the commune part of an answer.
type CommuneRef struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Type        CommuneType `json:"type,omitempty"`
	Departement string      `json:"departement,omitempty"`
	// DepartementName is the département's name ("Cantal"), when its code is known.
	DepartementName string    `json:"departement_name,omitempty"`
	Region          RegionRef `json:"region"`
	Parent          string    `json:"parent,omitempty"`
	Population      int       `json:"population,omitempty"`
	Postcodes       []string  `json:"postcodes,omitempty"`
}

// ZonageAnswer is a category with everything needed to trust it.
type ZonageAnswer struct {
	Category      Category  `json:"category"`
	Label         string    `json:"label"`
	OfficialCode  string    `json:"official_code"`
	Scheme        Scheme    `json:"scheme,omitempty"`
	SchemeLabel   string    `json:"scheme_label,omitempty"`
	Code          string    `json:"zonage_code"` // commune code the category was published for
	Name          string    `json:"zonage_name"`
	Region        RegionRef `json:"region"`
	ArreteDate    string    `json:"arrete_date,omitempty"`
	EffectiveDate string    `json:"effective_date,omitempty"`
	ArreteRef     string    `json:"arrete_ref,omitempty"`
	// DateStatus says where the date comes from: publiee, derivee, regionale,
	// contradictoire (DateClaims lists every date sources give) or inconnue.
	DateStatus  string      `json:"date_status"`
	DateNote    string      `json:"date_note,omitempty"` // why the date is uncertain or unknown, when it is
	DateSources []string    `json:"date_sources,omitempty"`
	DateClaims  []DateClaim `json:"date_claims,omitempty"`
	// DateEvidence is the official rows a derived date rests on.
	DateEvidence *DateEvidence `json:"date_evidence,omitempty"`
	// Revision is the arrêté's age on the answer's day and the revision the law expects.
	Revision  *Revision     `json:"revision,omitempty"`
	Catchment *Catchment    `json:"catchment,omitempty"`
	Source    string        `json:"source"`
	Upcoming  *ZonageAnswer `json:"upcoming,omitempty"` // a later assignment already published
}

// Candidate is one of several possible answers for an ambiguous place.
type Candidate struct {
	Code    string       `json:"code"`
	Name    string       `json:"name"`
	Zonage  ZonageAnswer `json:"zonage"`
	Options []Assessment `json:"options,omitempty"` // what this candidate's category opens (FillOptions)
	// Installation is, for a profession other than the kiné, what this candidate's
	// category means for installing (FillOptions).
	Installation *Installation `json:"installation,omitempty"`
}

// Provenance says which data an answer comes from.
type Provenance struct {
	DatasetVersion string    `json:"dataset_version"`
	ZonageSource   string    `json:"zonage_source"`
	ZonageVintage  string    `json:"zonage_vintage"`
	GeoVintage     string    `json:"geo_vintage"`
	ImportedAt     time.Time `json:"imported_at"`
}

// Resolution is the answer to "which commune, which category".
type Resolution struct {
	// Profession is the profession the answer is for, the kiné's included.
	Profession Profession `json:"profession"`
	Status     Status     `json:"status"`
	// Date is the day the answer is for: the zonage in force that day.
	Date Day `json:"date"`
	// OutsideData is set when Date precedes the arrêté the data's zonage comes from.
	OutsideData bool           `json:"outside_data,omitempty"`
	Commune     *CommuneRef    `json:"commune,omitempty"`
	Former      *FormerCommune `json:"former_commune,omitempty"` // the queried code, when it is a former commune
	Zonage      *ZonageAnswer  `json:"zonage,omitempty"`
	Candidates  []Candidate    `json:"candidates,omitempty"`
	Match       Match          `json:"match"`
	Message     string         `json:"message"`
	Provenance  Provenance     `json:"provenance"`
	// Options is what the category opens, by status (Resolver.FillOptions). It
	// stays the last field a kiné's answer writes: the web layer splices ready
	// answers on that.
	Options []Assessment `json:"options,omitempty"`
	// Installation is, for a profession other than the kiné, what the category
	// means for installing (Resolver.FillOptions); the kiné's is Options.
	Installation *Installation `json:"installation,omitempty"`
}

// Locator finds the outline containing, or nearest to, a point. It is implemented
// by the geo package's index; ids are indexes into Dataset.Communes.
type Locator interface {
	Locate(p Point, maxDistanceM float64) (id int, inside bool, distanceM float64)
}

// CountryLocator tells the country of a point on foreign land near France:
// the name, in French, of the country whose land holds p, and false when p is
// on no foreign land it knows (in France, at sea, or farther abroad). It also
// tells a point on the land of an overseas collectivité that has no commune
// outline, or within maxDistanceM of it (at distanceM metres; 0 inside): its
// name and its commune's code ("" when its land does not tell its communes
// apart).
type CountryLocator interface {
	Country(p Point) (name string, ok bool)
	Collectivity(p Point, maxDistanceM float64) (commune, name string, distanceM float64, ok bool)
}

// DefaultCoastTolerance is how far from an outline a point still resolves to the
// nearest commune: the 30 m simplification trims coasts and leaves slivers.
const DefaultCoastTolerance = 1000.0

// Resolver answers queries from a dataset and its spatial index. It is safe for
// concurrent use.
type Resolver struct {
	Dataset *Dataset
	Locator Locator
	// ToleranceM is the nearest-commune fallback radius in metres.
	ToleranceM float64
	// Clock is the service's one clock: a query that names no day is answered for the
	// day Clock says it is (Today), in its location; nil = the system clock.
	Clock func() time.Time
	// Addresses matches address queries; nil = address search unavailable.
	Addresses AddressMatcher
	// Codes checks the postcode and city given with a commune code against it;
	// nil = not checked.
	Codes CodeChecker
	// Rules is the rules table options are assessed with; nil = EmbeddedRules.
	Rules *Rules
	// Countries tells a point in no outline but within ToleranceM of one
	// that lies abroad (answered outside France) from one at sea or in a
	// sliver between outlines (attached to the nearest commune); nil = every
	// such point is attached.
	Countries CountryLocator

	// answers caches, per commune, the kiné's answer for the day: every point of a
	// commune gets the same one, and a batch of a million rows should not rebuild
	// it each time (communeAnswer says why other professions' are not kept).
	answersOnce sync.Once
	answers     []atomic.Pointer[cachedAnswer]
	// entries and messages hold the cached answers and their messages (see
	// cachealloc.go).
	entries  entrySlab
	messages textArena
	day      atomic.Pointer[cachedDay]

	// profession is set on the resolvers For makes for the other professions (the
	// zero value is the kiné), with their compact zonage and its provenance.
	profession Profession
	profSet    *ProfessionSet
	profSource *ProfessionSource
	base       *Resolver // the kiné resolver For was called on
	// profDateNote says why the profession's answers have no date; one string for
	// every answer of the resolver.
	profDateNote string
	// refs are the commune parts of answers, one per commune of the dataset,
	// made together on first use and shared by the resolvers For makes
	// (communeRef).
	refsOnce sync.Once
	refs     []CommuneRef
	// forMu guards forCache, the resolvers For has made, one per profession.
	forMu    sync.Mutex
	forCache map[Profession]*Resolver
}

// cachedAnswer is what resolveCommune answers that is the commune's own: the rest
// of a Resolution (profession, provenance) is the resolver's, and kept whole for
// each of 35,000 communes it would take some 10 MB more. The zonage is held in
// the entry itself and the day is the resolver's one string for today; the
// entries and their messages are carved from shared blocks (cachealloc.go):
// the garbage collector marks a few hundred objects at every cycle instead of
// some 140,000 once every commune has been asked for.
type cachedAnswer struct {
	day        string
	status     Status
	commune    *CommuneRef
	zonage     *ZonageAnswer // &zonageValue, or nil
	candidates []Candidate
	message    string

	zonageValue ZonageAnswer
}

// cacheAnswer keeps the parts of res, an answer of resolveCommune, that are the
// commune's own.
func (r *Resolver) cacheAnswer(day string, res Resolution) *cachedAnswer {
	e := r.entries.new()
	*e = cachedAnswer{day: day, status: res.Status, commune: res.Commune, candidates: res.Candidates, message: r.messages.keep(res.Message)}
	if res.Zonage != nil {
		e.zonageValue = *res.Zonage
		e.zonage = &e.zonageValue
	}
	return e
}

// resolution is the answer resolveCommune gave, with a copy of its candidates.
func (e *cachedAnswer) resolution(r *Resolver) Resolution {
	return Resolution{Profession: r.Profession(), Status: e.status, Commune: e.commune, Zonage: e.zonage,
		Candidates: append([]Candidate(nil), e.candidates...), Message: e.message, Provenance: r.provenance()}
}

type cachedDay struct {
	unixDay int64
	day     Day
	iso     string // day.String()
}

// communeAnswer returns the answer for commune i of the dataset on day, from the
// cache when it is there. The copy returned may be modified by the caller except
// through its shared pointers (Commune, Zonage), which are read-only.
func (r *Resolver) communeAnswer(i int, day string) Resolution {
	today := r.today()
	if day != today || r.base != nil {
		// A past or future day is asked for now and then: it must not evict the
		// answers of today, which nearly every query wants. Another profession's
		// answer is not kept either: making it is a look-up in its compact zonage
		// and a message, the web layer keeps the ready answers of the communes
		// asked for, and kept for every commune the answers of four professions
		// took some 70 MB.
		res := r.resolveCommune(&r.Dataset.Communes[i], day)
		res.Candidates = append([]Candidate(nil), res.Candidates...)
		return res
	}
	r.answersOnce.Do(func() { r.answers = make([]atomic.Pointer[cachedAnswer], len(r.Dataset.Communes)) })
	if e := r.answers[i].Load(); e != nil && e.day == day {
		return e.resolution(r)
	}
	e := r.cacheAnswer(today, r.resolveCommune(&r.Dataset.Communes[i], day))
	r.answers[i].Store(e)
	return e.resolution(r)
}

// InputError is a query the resolver cannot take, such as a latitude out of range.
type InputError struct {
	Field  string
	Value  string
	Reason string
}

func (e *InputError) Error() string {
	if e.Field == "" {
		// A query wrong as a whole (nothing in it): no value to quote.
		return e.Reason
	}
	return fmt.Sprintf("%s « %s » invalide : %s", e.Field, french.Cut(e.Value, maxQuotedValue), e.Reason)
}

// Today is the day it is by the resolver's clock: the day every answer that names
// none is given for.
func (r *Resolver) Today() Day { return r.cachedToday().day }

// cachedToday is the day it is by the resolver's clock, with its ISO string.
func (r *Resolver) cachedToday() *cachedDay {
	if r.base != nil {
		// One clock for every profession: the kiné resolver's, as it is now.
		return r.base.cachedToday()
	}
	now := time.Now()
	if r.Clock != nil {
		now = r.Clock()
	}
	_, offset := now.Zone()
	unixDay := (now.Unix() + int64(offset)) / 86400
	if d := r.day.Load(); d != nil && d.unixDay == unixDay {
		return d
	}
	day := DayOf(now)
	d := &cachedDay{unixDay: unixDay, day: day, iso: day.String()}
	r.day.Store(d)
	return d
}

// today is Today as an ISO date, one string for as long as the day lasts.
func (r *Resolver) today() string { return r.cachedToday().iso }

// dayOr is day, or today for the zero Day.
func (r *Resolver) dayOr(day Day) Day {
	if day.IsZero() {
		return r.Today()
	}
	return day
}

// Provenance is the provenance every answer of r carries: an answer made
// outside the resolver (a refused query of a batch) carries it too.
func (r *Resolver) Provenance() Provenance { return r.provenance() }

func (r *Resolver) provenance() Provenance {
	m := r.Dataset.Meta
	p := Provenance{DatasetVersion: m.Version, ZonageSource: m.ZonageSource, ZonageVintage: m.ZonageVintage, GeoVintage: m.GeoVintage, ImportedAt: m.ImportedAt}
	if ps := r.profSource; ps != nil {
		p.ZonageSource, p.ZonageVintage = ps.ZonageSource, ps.ZonageVintage
	}
	return p
}

// ResolvePoint answers for WGS84 coordinates, today.
func (r *Resolver) ResolvePoint(lat, lon float64) (Resolution, error) {
	return r.ResolvePointOn(lat, lon, Day{})
}

// ResolvePointOn answers for WGS84 coordinates with the zonage in force on day (the
// zero Day: today).
func (r *Resolver) ResolvePointOn(lat, lon float64, day Day) (Resolution, error) {
	day = r.dayOr(day)
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return Resolution{}, &InputError{Field: "latitude", Value: fmt.Sprint(lat), Reason: "attendu un nombre entre -90 et 90"}
	}
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		return Resolution{}, &InputError{Field: "longitude", Value: fmt.Sprint(lon), Reason: "attendu un nombre entre -180 et 180"}
	}
	id, inside, dist := r.Locator.Locate(Point{lon, lat}, r.ToleranceM)
	if id < 0 && r.Countries != nil {
		if code, name, distanceM, ok := r.Countries.Collectivity(Point{lon, lat}, r.ToleranceM); ok {
			return r.collectivityAnswer(code, name, distanceM, day), nil
		}
	}
	if id < 0 {
		return Resolution{
			Profession: r.Profession(),
			Status:     StatusNotFound,
			Date:       day,
			Match:      Match{Method: MethodOutside, Precision: PrecisionCoordinates},
			Message:    fmt.Sprintf("hors de France : aucune commune à moins de %.0f m de ce point", r.ToleranceM),
			Provenance: r.provenance(),
		}, nil
	}
	if !inside && r.Countries != nil {
		// Only here, on the way to attaching the point: the tolerance reaches
		// across land borders as well as off the coast.
		if country, abroad := r.Countries.Country(Point{lon, lat}); abroad {
			return r.abroadAnswer(id, dist, country, day), nil
		}
	}
	res := r.communeAnswer(id, day.String())
	res.Date = day
	res.Profession = r.Profession()
	r.outsideData(&res, day.String())
	res.Match = Match{Method: MethodInside, Precision: PrecisionCoordinates}
	if !inside {
		res.Match.Method = MethodNearest
		res.Match.DistanceM = math.Round(dist)
		var note [128]byte
		res.Message = string(AppendNearestNote(note[:0], dist)) + res.Message
	}
	return res, nil
}

// collectivityAnswer is the answer to a point on the land of an overseas
// collectivité the contours have no commune outline for, or at distanceM
// metres from it within the tolerance: its commune's, when the land names one
// the data has; otherwise a point in no commune, the message saying where it
// is and why no commune is named.
func (r *Resolver) collectivityAnswer(code, name string, distanceM float64, day Day) Resolution {
	note := "point dans le contour OpenStreetMap de " + name
	match := Match{Method: MethodInside, Precision: PrecisionCoordinates}
	if distanceM > 0 {
		note = "point à " + strconv.FormatFloat(distanceM, 'f', 0, 64) + " m du contour OpenStreetMap de " + name
		match = Match{Method: MethodNearest, Precision: PrecisionCoordinates, DistanceM: math.Round(distanceM)}
	}
	note += " (pas de contour de commune dans les données) ; "
	if code != "" {
		if res, err := r.ResolveCodeOn(code, day); err == nil && res.Commune != nil {
			res.Match = match
			res.Message = note + res.Message
			return res
		}
	}
	match.Method = MethodCollectivity
	return Resolution{
		Profession: r.Profession(),
		Status:     StatusNotFound,
		Date:       day,
		Match:      match,
		Message:    note + "ses communes n'y sont pas distinguées et n'ont ni contour ni zonage dans les données",
		Provenance: r.provenance(),
	}
}

// abroadAnswer is the answer to a point on the land of country, in no commune
// outline but at distanceM metres from commune id's: outside France, the
// nearest commune named as the answers beyond the tolerance name it.
func (r *Resolver) abroadAnswer(id int, distanceM float64, country string, day Day) Resolution {
	c := &r.Dataset.Communes[id]
	msg := make([]byte, 0, 160)
	msg = append(msg, "hors de France ("...)
	msg = append(msg, country...)
	msg = append(msg, ") : point à l'étranger, à moins de "...)
	msg = strconv.AppendFloat(msg, r.ToleranceM, 'f', 0, 64)
	msg = append(msg, " m d'une commune française ; la plus proche est "...)
	msg = append(msg, c.Name...)
	msg = append(msg, " ("...)
	msg = append(msg, c.Code...)
	msg = append(msg, "), à "...)
	msg = AppendKilometres(msg, distanceM)
	return Resolution{
		Profession: r.Profession(),
		Status:     StatusNotFound,
		Date:       day,
		Match:      Match{Method: MethodOutside, Precision: PrecisionCoordinates, DistanceM: math.Round(distanceM), Country: country},
		Message:    string(msg),
		Provenance: r.provenance(),
	}
}

// AppendKilometres appends a distance written the French way, « 4,2 km »,
// « 850 m », to b: the bytes fmt writes with %.0f m and %.1f km, comma aside.
func AppendKilometres(b []byte, m float64) []byte {
	if m < 1000 {
		b = strconv.AppendFloat(b, m, 'f', 0, 64)
		return append(b, " m"...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, m/1000, 'f', 1, 64)
	for i := start; i < len(b); i++ {
		if b[i] == '.' {
			b[i] = ','
		}
	}
	return append(b, " km"...)
}

// AppendNearestNote appends to b what the message of a point in no outline
// but within the tolerance of a commune's, at distanceM metres from it, says
// before the commune's own message: « point hors des contours simplifiés,
// rattaché à la commune la plus proche (à 12 m) ; », the distance written as
// fmt writes %.0f. The web layer writes the same words into its ready
// answers.
func AppendNearestNote(b []byte, distanceM float64) []byte {
	b = append(b, "point hors des contours simplifiés, rattaché à la commune la plus proche (à "...)
	b = strconv.AppendFloat(b, distanceM, 'f', 0, 64)
	return append(b, " m) ; "...)
}

// ResolveCode answers for an INSEE commune code: a current commune or
// arrondissement, a former commune (answered with its own published category and
// its current commune), or Paris, Lyon and Marseille as a whole (ambiguous: the
// zonage is per arrondissement).
func (r *Resolver) ResolveCode(code string) (Resolution, error) {
	return r.ResolveCodeOn(code, Day{})
}

// ResolveCodeOn answers for an INSEE code with the zonage in force on day (the zero
// Day: today).
func (r *Resolver) ResolveCodeOn(code string, on Day) (Resolution, error) {
	on = r.dayOr(on)
	res, err := r.resolveCode(code, on.String())
	res.Date = on
	res.Profession = r.Profession()
	r.outsideData(&res, on.String())
	return res, err
}

func (r *Resolver) resolveCode(code, day string) (Resolution, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !ValidCommuneCode(code) {
		return Resolution{}, &InputError{Field: "code commune", Value: code, Reason: "attendu un code INSEE à 5 caractères (ex. 75106, 2A004, 97411)"}
	}
	ds := r.Dataset
	if i, ok := ds.byCode[code]; ok {
		res := r.communeAnswer(i, day)
		res.Match = Match{Method: MethodCode, Precision: PrecisionCommune}
		return res, nil
	}
	if arr, ok := ds.Arrondissements[code]; ok {
		res := Resolution{Status: StatusAmbiguous, Match: Match{Method: MethodCode, Precision: PrecisionCommune}, Provenance: r.provenance()}
		for _, a := range arr {
			if z, _ := r.zonageAt(a, day); z != nil {
				res.Candidates = append(res.Candidates, Candidate{Code: a, Name: r.communeName(a), Zonage: r.answer(z, nil, day)})
			}
		}
		res.Message = fmt.Sprintf("%s est zonée par arrondissement : précisez l'arrondissement ou l'adresse", ds.ParentNames[code])
		return res, nil
	}
	if f, ok := ds.Former[code]; ok {
		cur, ok := ds.CommuneByCode(f.Current)
		if !ok {
			return r.notFound(code), nil
		}
		fc := f
		if z, up := r.zonageAt(code, day); z != nil {
			// The zonage predates the merger and names the former commune itself:
			// its own category is the answer, whatever its new commune's neighbours got.
			ans := r.answer(z, up, day)
			res := Resolution{Status: StatusOK, Commune: r.communeRef(cur), Former: &fc, Zonage: &ans,
				Match: Match{Method: MethodFormerCode, Precision: PrecisionCommune}, Provenance: r.provenance()}
			res.Message = fmt.Sprintf("%s (%s) est une ancienne commune, rattachée à %s (%s)%s ; zonage publié pour %s : %s",
				nameOr(f.Name, code), code, cur.Name, cur.Code, sinceDate(f.Date), code, ans.Label)
			return res, nil
		}
		res := r.resolveCommune(cur, day)
		res.Former = &fc
		res.Match = Match{Method: MethodFormerCode, Precision: PrecisionCommune}
		res.Message = fmt.Sprintf("%s (%s) est une ancienne commune, rattachée à %s (%s)%s ; %s",
			nameOr(f.Name, code), code, cur.Name, cur.Code, sinceDate(f.Date), res.Message)
		return res, nil
	}
	if z, up := r.zonageAt(code, day); z != nil {
		// Published in the zonage but without an outline (Saint-Barthélemy, Saint-Martin).
		ans := r.answer(z, up, day)
		dep := DepartementOfCommune(code)
		ref := &CommuneRef{Code: code, Name: z.Name, Departement: dep, DepartementName: DepartementName(dep), Region: ans.Region}
		return Resolution{Status: StatusOK, Commune: ref, Zonage: &ans,
			Match: Match{Method: MethodCode, Precision: PrecisionCommune}, Provenance: r.provenance(),
			Message: fmt.Sprintf("%s (%s) : %s", z.Name, code, ans.Label)}, nil
	}
	return r.notFound(code), nil
}

func (r *Resolver) notFound(code string) Resolution {
	return Resolution{Profession: r.Profession(), Status: StatusNotFound, Match: Match{Method: MethodCode, Precision: PrecisionCommune}, Provenance: r.provenance(),
		Message: fmt.Sprintf("aucune commune de code %s dans le COG ni dans le zonage", code)}
}

func (r *Resolver) communeName(code string) string {
	if c, ok := r.Dataset.CommuneByCode(code); ok {
		return c.Name
	}
	return code
}

// communeRef is the commune part of an answer for c. The one of a commune of the
// dataset is made once and shared, read-only, by every answer and profession
// that names the commune: the answer caches of five professions would otherwise
// hold five copies of each. They are made all at once, in one array: a served
// dataset soon names every commune (the web layer makes the ready answer of
// each), and 35,000 separate objects would be as many more for the garbage
// collector to mark at every cycle.
func (r *Resolver) communeRef(c *Commune) *CommuneRef {
	owner := r
	if r.base != nil {
		owner = r.base
	}
	i, ok := r.Dataset.byCode[c.Code]
	if !ok || &r.Dataset.Communes[i] != c {
		return newCommuneRef(c)
	}
	owner.refsOnce.Do(func() {
		refs := make([]CommuneRef, len(r.Dataset.Communes))
		for j := range refs {
			refs[j] = communeRefOf(&r.Dataset.Communes[j])
		}
		owner.refs = refs
	})
	return &owner.refs[i]
}

func newCommuneRef(c *Commune) *CommuneRef {
	ref := communeRefOf(c)
	return &ref
}

func communeRefOf(c *Commune) CommuneRef {
	return CommuneRef{Code: c.Code, Name: c.Name, Type: c.Type, Departement: c.Departement, DepartementName: DepartementName(c.Departement),
		Region: regionRef(c.Region), Parent: c.Parent, Population: c.Population, Postcodes: c.Postcodes}
}

// resolveCommune answers for a current commune from the zonage codes that cover it.
func (r *Resolver) resolveCommune(c *Commune, day string) Resolution {
	res := Resolution{Profession: r.Profession(), Commune: r.communeRef(c), Provenance: r.provenance()}
	type found struct {
		z, up *Zonage
	}
	var zs []found
	for _, code := range c.ZonageCodes {
		if z, up := r.zonageAt(code, day); z != nil {
			zs = append(zs, found{z, up})
		}
	}
	if len(zs) == 0 {
		res.Status = StatusNotFound
		reason := c.NoZonageReason
		if reason == "" {
			reason = "aucun zonage en vigueur pour cette commune"
			for _, code := range c.ZonageCodes {
				if r.profSet != nil {
					break // another profession's export has no end dates
				}
				for _, z := range r.Dataset.Zonage[code] {
					if z.EndDate != "" && z.EndDate <= day {
						reason = fmt.Sprintf("le zonage publié pour %s (%s) a pris fin le %s et la commune ne figure pas dans l'arrêté régional qui l'a remplacé",
							nameOr(z.Name, code), code, FrenchDate(z.EndDate))
					}
				}
			}
		}
		res.Message = fmt.Sprintf("%s (%s) : %s", c.Name, c.Code, reason)
		return res
	}
	same := true
	for _, f := range zs[1:] {
		if f.z.Category != zs[0].z.Category {
			same = false
		}
	}
	if !same {
		res.Status = StatusAmbiguous
		var parts []string
		for _, f := range zs {
			a := r.answer(f.z, f.up, day)
			res.Candidates = append(res.Candidates, Candidate{Code: f.z.Code, Name: f.z.Name, Zonage: a})
			parts = append(parts, fmt.Sprintf("%s (%s) %s", f.z.Name, f.z.Code, a.Label))
		}
		res.Message = fmt.Sprintf("%s (%s) est une commune nouvelle dont les communes déléguées ont des catégories différentes : %s ; la catégorie dépend de la commune déléguée où se trouve le cabinet",
			c.Name, c.Code, strings.Join(parts, ", "))
		return res
	}
	// Prefer the commune's own code; otherwise the first former commune speaks for all.
	pick := zs[0]
	for _, f := range zs {
		if f.z.Code == c.Code {
			pick = f
		}
	}
	ans := r.answer(pick.z, pick.up, day)
	if ans.Catchment == nil && r.profSet == nil {
		ans.Catchment = c.Catchment
	}
	res.Status = StatusOK
	res.Zonage = &ans
	res.Message = fmt.Sprintf("%s (%s) : %s", c.Name, c.Code, ans.Label)
	if c.ZonageNote != "" {
		res.Message += " (" + c.ZonageNote + ")"
	}
	if len(zs) > 1 {
		var codes []string
		for _, f := range zs {
			codes = append(codes, f.z.Code)
		}
		res.Message += fmt.Sprintf(" (commune nouvelle ; toutes ses anciennes communes %s ont cette catégorie)", strings.Join(codes, ", "))
	}
	return res
}

func (r *Resolver) answer(z, up *Zonage, day string) ZonageAnswer {
	a := ZonageAnswer{
		Category: z.Category, Label: z.Category.Label(), OfficialCode: z.OfficialCode,
		Scheme: z.Scheme, Code: z.Code, Name: z.Name, Region: regionRef(z.Region),
		ArreteDate: z.ArreteDate, EffectiveDate: z.EffectiveDate, ArreteRef: z.ArreteRef,
		Catchment: z.Catchment, Source: z.Source,
	}
	if a.Scheme != "" {
		a.SchemeLabel = a.Scheme.Label()
	}
	if r.profSource != nil {
		// The kiné's arrêté dates, revisions and catchments say nothing of another
		// profession's zonage; its export dates nothing.
		a.DateStatus, a.DateNote = DateUnknown, r.profDateNote
		return a
	}
	if !r.fillDerivedDate(&a, z) {
		fillRegionalDates(&a)
	}
	a.Revision = revision(&a, day)
	if up != nil {
		u := r.answer(up, nil, day)
		a.Upcoming = &u
	}
	return a
}

// outsideData turns an answer for a day before the arrêté its zonage comes from into
// « introuvable »: the data knows nothing of the zonage then in force, and saying the
// later category would be pretending.
func (r *Resolver) outsideData(res *Resolution, day string) {
	z := res.Zonage
	if z == nil || r.profSource != nil {
		// Another profession's export dates nothing: no day can be shown to precede it.
		return
	}
	start, origin := dataStart(z)
	if start == "" || day >= start {
		return
	}
	res.Status, res.OutsideData = StatusNotFound, true
	res.Message = fmt.Sprintf("hors des données : le zonage connu %s s'applique depuis le %s au plus tôt (%s) ; le zonage en vigueur le %s relève d'un arrêté antérieur que les données ne contiennent pas",
		OfRegion(z.Region.Name), FrenchDate(start), origin, FrenchDate(day))
	res.Zonage, res.Options = nil, nil
}

// dataStart is the earliest day the answer's zonage can have been in force, and
// where that comes from: its own date; when sources disagree, the earliest date they
// give; else the date of the region's previous arrêté, which the served one replaced.
func dataStart(z *ZonageAnswer) (day, origin string) {
	if d := firstNonEmpty(z.EffectiveDate, z.ArreteDate); d != "" {
		switch z.DateStatus {
		case DateDerived:
			return d, "date tirée de la table officielle"
		case DateRegional:
			return d, "date tirée des publications régionales"
		}
		return d, "date de l'arrêté"
	}
	if z.DateStatus == DateConflict {
		for _, c := range z.DateClaims {
			if d := firstNonEmpty(c.EffectiveDate, c.ArreteDate); d != "" && (day == "" || d < day) {
				day = d
			}
		}
		return day, "la plus ancienne des dates que donnent les sources"
	}
	if r, ok := RegionByCode(z.Region.Code); ok && r.Previous != nil && (r.Scheme == "" || z.Scheme == "" || r.Scheme == z.Scheme) {
		if d := firstNonEmpty(r.Previous.EffectiveDate, r.Previous.ArreteDate); d != "" {
			return d, "date de l'arrêté précédent, que le zonage servi a remplacé"
		}
	}
	return "", ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func nameOr(name, code string) string {
	if name != "" {
		return name
	}
	return code
}

func sinceDate(iso string) string {
	if iso == "" {
		return ""
	}
	return " depuis le " + FrenchDate(iso)
}

// FrenchDate writes an ISO date the French way (2025-01-01 → 01/01/2025).
func FrenchDate(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.Format("02/01/2006")
}
