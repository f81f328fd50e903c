package zones

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// RevisionYears is how often the law wants the zonages revised: the loi n° 2023-1268
// du 27 décembre 2023 (« Valletoux ») has the ARS redraw them every two years.
const RevisionYears = 2

// revisionSources are the bibliography keys of the two-year revision rule.
var revisionSources = []string{"L-VALLETOUX", "L4b"}

// Revision says, for an answer's region, how old its arrêté is on the answer's day
// and when the law expects the next one, with a warning once that day is past: the
// data may then be out of date.
type Revision struct {
	// Since is the day the age counts from: the effective date, else the arrêté date;
	// empty when the region's date is not known (Note says so).
	Since    string `json:"since,omitempty"`
	AgeDays  int    `json:"age_days,omitempty"`
	Age      string `json:"age,omitempty"`      // in words: « 2 ans et 1 mois »
	Expected string `json:"expected,omitempty"` // Since plus two years
	Overdue  bool   `json:"overdue"`
	Warning  string `json:"warning,omitempty"`
	Note     string `json:"note,omitempty"`
	// Sources are the bibliography keys of the two-year rule.
	Sources []string `json:"sources"`
}

// revisionKey is what an answer's Revision depends on.
type revisionKey struct {
	effective, arrete, status, region, day string
	claims                                 *DateClaim // the first of the answer's claims, which are its region's
	nclaims                                int
}

// revisions keeps the Revisions made, by what they depend on: the answers of the
// communes of one region share one (its warning alone is some 250 bytes), which
// for France's 35,000 cached answers is about 8 MB. A Revision is read-only once
// made. The table is emptied when it grows past maxRevisions, which only answers
// for many different days do.
var revisions struct {
	mu sync.Mutex
	m  map[revisionKey]*Revision
}

const maxRevisions = 1024

// revision returns an answer's Revision on day (ISO), shared with the answers it
// is the same for.
func revision(a *ZonageAnswer, day string) *Revision {
	k := revisionKey{effective: a.EffectiveDate, arrete: a.ArreteDate, status: a.DateStatus, region: a.Region.Name, day: day, nclaims: len(a.DateClaims)}
	if len(a.DateClaims) > 0 {
		k.claims = &a.DateClaims[0]
	}
	revisions.mu.Lock()
	defer revisions.mu.Unlock()
	if rv, ok := revisions.m[k]; ok {
		return rv
	}
	if len(revisions.m) >= maxRevisions || revisions.m == nil {
		revisions.m = make(map[revisionKey]*Revision)
	}
	rv := makeRevision(a, day)
	revisions.m[k] = rv
	return rv
}

// makeRevision computes an answer's Revision on day (ISO).
func makeRevision(a *ZonageAnswer, day string) *Revision {
	rv := &Revision{Sources: revisionSources}
	on, err := ParseDay(day)
	since := a.EffectiveDate
	if since == "" {
		since = a.ArreteDate
	}
	start, serr := ParseDay(since)
	if err != nil || since == "" || serr != nil {
		rv.Note = "date de l'arrêté inconnue : l'âge du zonage et sa prochaine révision ne peuvent être calculés"
		var due []string
		for _, c := range a.DateClaims {
			if a.DateStatus != DateConflict {
				break // claims beside an unknown date are arrêtés that do not fit the data
			}
			d := c.EffectiveDate
			if d == "" {
				d = c.ArreteDate
			}
			if cd, err := ParseDay(d); err == nil {
				due = append(due, cd.AddYears(RevisionYears).French())
			}
		}
		if len(due) > 0 {
			rv.Note = fmt.Sprintf("date de l'arrêté incertaine : révision attendue le %s selon la date retenue", strings.Join(due, " ou le "))
		}
		return rv
	}
	expected := start.AddYears(RevisionYears)
	rv.Since, rv.Expected = since, expected.String()
	if !on.Before(start) {
		rv.AgeDays = on.DaysSince(start)
		rv.Age = ageWords(start, on)
	}
	if !on.Before(expected) {
		rv.Overdue = true
		// Only an effective date says since when the zonage applies; an arrêté's own
		// date (signature or publication) may precede it.
		since := "en vigueur depuis le " + start.French()
		if a.EffectiveDate == "" {
			since = "issu de l'arrêté du " + start.French()
		}
		rv.Warning = fmt.Sprintf("zonage %s %s, il y a %s : la loi prévoit sa révision tous les deux ans, attendue le %s ; un arrêté plus récent a pu paraître, vérifiez auprès de l'ARS",
			OfRegion(a.Region.Name), since, rv.Age, expected.French())
	}
	return rv
}

// ageWords writes the time from a to b in years and months: « 2 ans et 1 mois ».
func ageWords(a, b Day) string {
	months := (b.Time().Year()-a.Time().Year())*12 + int(b.Time().Month()-a.Time().Month())
	if b.Time().Day() < a.Time().Day() {
		months--
	}
	if months < 1 {
		days := b.DaysSince(a)
		if days == 1 {
			return "1 jour"
		}
		return fmt.Sprintf("%d jours", days)
	}
	y, m := months/12, months%12
	var parts []string
	switch {
	case y == 1:
		parts = append(parts, "1 an")
	case y > 1:
		parts = append(parts, fmt.Sprintf("%d ans", y))
	}
	if m > 0 {
		parts = append(parts, fmt.Sprintf("%d mois", m))
	}
	return strings.Join(parts, " et ")
}

// RegionRevision is, for one region, what its answers say of the date and age of
// the arrêté the data comes from, on a day: GET /api/v1/dataset lists them.
type RegionRevision struct {
	Region        RegionRef `json:"region"`
	ArreteDate    string    `json:"arrete_date,omitempty"`
	EffectiveDate string    `json:"effective_date,omitempty"`
	DateStatus    string    `json:"date_status"`
	DateNote      string    `json:"date_note,omitempty"`
	Revision      *Revision `json:"revision"`
}

// RegionRevisions lists, region by region (by code), the arrêté date and revision
// of the zonage in force on day (the zero Day: today), as the region's first commune
// with a single answer gives them.
func (r *Resolver) RegionRevisions(day Day) []RegionRevision {
	day = r.dayOr(day)
	seen := map[string]bool{}
	var out []RegionRevision
	for i, c := range r.Dataset.Communes {
		if seen[c.Region] || c.Region == "" {
			continue
		}
		res := r.communeAnswer(i, day.String())
		z := res.Zonage
		if res.Status != StatusOK || z == nil {
			continue
		}
		seen[c.Region] = true
		out = append(out, RegionRevision{Region: z.Region, ArreteDate: z.ArreteDate, EffectiveDate: z.EffectiveDate,
			DateStatus: z.DateStatus, DateNote: z.DateNote, Revision: z.Revision})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region.Code < out[j].Region.Code })
	return out
}

// RevisionSummary sums up the regions whose revision is due on a day, for the map's
// legend: a count, their names, and a warning in French; empty when none is.
func RevisionSummary(revs []RegionRevision) (overdue []string, warning string) {
	for _, rv := range revs {
		if rv.Revision != nil && rv.Revision.Overdue {
			overdue = append(overdue, rv.Region.Name)
		}
	}
	switch len(overdue) {
	case 0:
		return nil, ""
	case 1:
		warning = fmt.Sprintf("Le zonage %s a plus de deux ans : la loi prévoit sa révision tous les deux ans ; un arrêté plus récent a pu paraître.", OfRegion(overdue[0]))
	default:
		warning = fmt.Sprintf("Les zonages de %d régions ont plus de deux ans (%s) : la loi prévoit leur révision tous les deux ans ; des arrêtés plus récents ont pu paraître.",
			len(overdue), strings.Join(overdue, ", "))
	}
	return overdue, warning
}
