// Package batch is the zonage batch contract shared by `zonage classify`,
// POST /api/v1/classify and POST /search/csv/: the zonage_* columns each row gets,
// for one profession or for all of them.
//
// With one profession the usual columns (zones.ClassificationColumns) answer for
// it. With all, the usual columns answer for the masseurs-kinésithérapeutes and
// one zonage_categorie_<slug> column per profession follows, in the order of
// zones.Professions(). Each row is located once; every profession's category is
// then the one its resolver gives for the commune found (or the former commune
// asked for), so that a profession's column always says what a run for that
// profession alone puts in zonage_categorie.
package batch

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"zonage/geo/csvbatch"
	"zonage/zones"
)

// All is the profession choice that answers for every profession.
const All = "all"

// Choice is the professions a classification answers for.
type Choice struct {
	// Profession is the one the usual columns answer for (the default with All).
	Profession zones.Profession
	// All adds one category column per profession after the usual columns.
	All bool
}

// ParseChoice reads the profession parameter: a slug (empty = the default
// profession) or « all ». A bad value is a *zones.InputError on « profession »
// listing the accepted values.
func ParseChoice(raw string) (Choice, error) {
	if strings.EqualFold(strings.TrimSpace(raw), All) {
		return Choice{Profession: zones.DefaultProfession, All: true}, nil
	}
	p, err := zones.ParseProfession(raw)
	if err != nil {
		return Choice{}, &zones.InputError{Field: "profession", Value: raw, Reason: "attendu " + strings.Join(choices(), ", ")}
	}
	return Choice{Profession: p}, nil
}

// choices are the accepted values of the profession parameter.
func choices() []string {
	var out []string
	for _, p := range zones.Professions() {
		out = append(out, string(p))
	}
	return append(out, All)
}

// String is the choice as the parameter writes it.
func (c Choice) String() string {
	if c.All {
		return All
	}
	if c.Profession == "" {
		return string(zones.DefaultProfession)
	}
	return string(c.Profession)
}

// ProfessionColumn is the header of p's category column with All.
func ProfessionColumn(p zones.Profession) string { return zones.ColumnCategory + "_" + string(p) }

// ProfessionColumns are the columns All appends, in the order of zones.Professions().
func ProfessionColumns() []string {
	var out []string
	for _, p := range zones.Professions() {
		out = append(out, ProfessionColumn(p))
	}
	return out
}

// ResolverFor returns the resolver answering for a profession, as
// (*zones.Resolver).For does: a *zones.InputError when the data have no zonage for it.
type ResolverFor func(zones.Profession) (*zones.Resolver, error)

// Classifier resolves the rows of a batch for a choice of professions. It is safe
// for concurrent use.
type Classifier struct {
	choice  Choice
	main    *zones.Resolver
	profs   []zones.Profession // with All: zones.Professions()
	others  []*zones.Resolver  // with All: the resolver of each of profs
	columns []string

	// cache holds, with All, every profession's answers per day and commune code:
	// at most one entry per commune code of the data and day asked for (one, save
	// a run over midnight), for the classifier's life (one run).
	mu    sync.RWMutex
	cache []dayAnswers

	// conflicts counts the rows Classify answered whose postcode or city
	// contradict their commune code.
	conflicts atomic.Int64
}

// dayAnswers are every profession's answers on a day, by commune code.
type dayAnswers struct {
	day    zones.Day
	byCode map[string][]professionAnswer
}

// New prepares the resolvers of a choice. With All, every profession must have
// data: a column left empty for want of them would read as « not classified ».
func New(resolverFor ResolverFor, c Choice) (*Classifier, error) {
	if c.Profession == "" {
		c.Profession = zones.DefaultProfession
	}
	main, err := resolverFor(c.Profession)
	if err != nil {
		return nil, err
	}
	cl := &Classifier{choice: c, main: main, columns: zones.ClassificationColumns}
	if !c.All {
		return cl, nil
	}
	var missing []string
	cl.profs = zones.Professions()
	for _, p := range cl.profs {
		r, err := resolverFor(p)
		if err != nil {
			missing = append(missing, p.Plural())
		}
		cl.others = append(cl.others, r)
	}
	if len(missing) > 0 {
		return nil, &zones.InputError{Field: "profession", Value: All,
			Reason: "les données servies n'ont pas le zonage des " + strings.Join(missing, ", ") +
				" ; réimportez-les avec leurs exports CartoSanté, ou classez pour une profession qu'elles couvrent"}
	}
	cl.columns = append(append([]string(nil), zones.ClassificationColumns...), ProfessionColumns()...)
	return cl, nil
}

// Choice is what the classifier answers for.
func (c *Classifier) Choice() Choice { return c.choice }

// Resolver is the resolver of the usual columns.
func (c *Classifier) Resolver() *zones.Resolver { return c.main }

// Columns are the columns each row gets: the usual ones, then with All one per
// profession.
func (c *Classifier) Columns() []string { return c.columns }

// LateColumns are the columns a file classified before for one profession lacks
// (csvbatch.Options.LateColumns), so that classifying it again for all fills the
// usual columns in place and appends the professions' ones.
func (c *Classifier) LateColumns() []string {
	if !c.choice.All {
		return nil
	}
	return ProfessionColumns()
}

// CountColumns are the added columns a summary counts: the status and every
// category column.
func (c *Classifier) CountColumns() []string {
	return append([]string{zones.ColumnStatus, zones.ColumnCategory}, c.LateColumns()...)
}

// Resolve resolves one row for the usual columns.
func (c *Classifier) Resolve(f zones.BatchFields) (zones.Resolution, error) {
	return c.main.ResolveFields(f)
}

// Values are the row's cells in the order of Columns, from its resolution (or the
// error that prevented it) and the day asked for. With All, each profession's
// category is its resolver's for the commune located, empty when it is not ok
// for that profession; zonage_message then says why when the status differs from
// the usual columns'.
func (c *Classifier) Values(res zones.Resolution, err error, day zones.Day) []string {
	cl := zones.Classify(res, err)
	if !c.choice.All {
		return cl.Values()
	}
	out := append(make([]string, 0, len(c.columns)), cl.Values()...)
	code := locatedCode(res, err)
	var answers []professionAnswer
	if code != "" {
		answers = c.answers(code, day)
	}
	// Professions whose answer needs saying share a note when they share a message.
	var notes, whose []string
	for i, p := range c.profs {
		switch {
		case p == c.choice.Profession:
			out = append(out, cl.Category)
			continue
		case answers == nil:
			out = append(out, "")
			continue
		}
		a := answers[i]
		out = append(out, a.category)
		if a.category != "" || a.status == cl.Status {
			continue
		}
		k := slices.Index(notes, a.message)
		if k < 0 {
			notes, whose = append(notes, a.message), append(whose, p.Plural())
		} else {
			whose[k] += ", " + p.Plural()
		}
	}
	if len(notes) > 0 {
		parts := make([]string, 0, len(notes)+1)
		if cl.Message != "" {
			parts = append(parts, cl.Message)
		}
		for i, n := range notes {
			parts = append(parts, fmt.Sprintf("%s : %s", whose[i], n))
		}
		out[messageCell] = strings.Join(parts, " ; ")
	}
	return out
}

// messageCell is the place of zonage_message among the usual columns.
var messageCell = slices.Index(zones.ClassificationColumns, "zonage_message")

// professionAnswer is what a profession's resolver says of a commune code.
type professionAnswer struct {
	status   zones.Status
	category string // empty unless status is ok
	message  string
}

// answers are every profession's answers for a commune code on day (the zero Day:
// today), in the order of profs; nil when none could be given. A file has many
// rows per commune: each commune is asked about once per run.
func (c *Classifier) answers(code string, day zones.Day) []professionAnswer {
	if day.IsZero() {
		day = c.main.Today()
	}
	c.mu.RLock()
	var got []professionAnswer
	for _, d := range c.cache {
		if d.day == day {
			got = d.byCode[code]
		}
	}
	c.mu.RUnlock()
	if got != nil {
		return got
	}
	got = make([]professionAnswer, len(c.others))
	for i, r := range c.others {
		if c.profs[i] == c.choice.Profession {
			continue
		}
		pr, err := r.ResolveCodeOn(code, day)
		switch {
		case err != nil:
			got[i] = professionAnswer{status: zones.StatusError, message: err.Error()}
		case pr.Status == zones.StatusOK && pr.Zonage != nil:
			got[i] = professionAnswer{status: pr.Status, category: string(pr.Zonage.Category)}
		default:
			got[i] = professionAnswer{status: pr.Status, message: pr.Message}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.cache {
		if d.day == day {
			d.byCode[code] = got
			return got
		}
	}
	c.cache = append(c.cache, dayAnswers{day: day, byCode: map[string][]professionAnswer{code: got}})
	return got
}

// Classify resolves one row and returns its cells in the order of Columns.
func (c *Classifier) Classify(f zones.BatchFields) []string {
	res, err := c.Resolve(f)
	if err == nil && res.Match.CodeConflict {
		c.conflicts.Add(1)
	}
	return c.Values(res, err, f.Day)
}

// CodeConflicts is how many rows Classify has answered whose postcode or city
// contradict their commune code: the code was retained and zonage_message names
// both values.
func (c *Classifier) CodeConflicts() int64 { return c.conflicts.Load() }

// Annotator classifies each row of a csvbatch run with the zonage in force on day
// (the zero Day: today).
func (c *Classifier) Annotator(day zones.Day) csvbatch.Annotator {
	return csvbatch.FuncAnnotator{Cols: c.Columns(), Fn: func(r *csvbatch.Row) []string { return c.Classify(Fields(r, day)) }}
}

// Options sets the columns a csvbatch run counts and those a file classified
// before may lack.
func (c *Classifier) Options(opt *csvbatch.Options) {
	opt.CountColumns = c.CountColumns()
	opt.LateColumns = c.LateColumns()
}

// Fields are the cells of a csvbatch row that locate it, for the zonage in force
// on day.
func Fields(r *csvbatch.Row, day zones.Day) zones.BatchFields {
	return zones.BatchFields{
		Text: r.Value(csvbatch.RoleAddress), Street: r.Value(csvbatch.RoleStreet), Postcode: r.Value(csvbatch.RolePostcode),
		City: r.Value(csvbatch.RoleCity), Citycode: r.Value(csvbatch.RoleCitycode),
		Lat: r.Value(csvbatch.RoleLat), Lon: r.Value(csvbatch.RoleLon), Problem: r.Problem, Line: r.Line, Day: day,
	}
}

// locatedCode is the commune code the other professions are asked about: the
// former commune asked for (its own published category may differ from its new
// commune's), else the commune found; "" when the row found none.
func locatedCode(res zones.Resolution, err error) string {
	switch {
	case err != nil:
		return ""
	case res.Former != nil:
		return res.Former.Code
	case res.Commune != nil:
		return res.Commune.Code
	}
	return ""
}
