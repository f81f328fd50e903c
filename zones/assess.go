package zones

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Profile is what a kiné tells about their situation. Every field may be left at its
// zero value: an unknown fact leaves the items that depend on it "sous conditions"
// rather than deciding them.
type Profile struct {
	// Status is the practice status sought; empty means every status.
	Status PracticeStatus `json:"status,omitempty"`
	// StudiesStartYear is the year masso-kinésithérapie studies began (0 = unknown);
	// it decides whether the avenant 7 new-graduate condition applies.
	StudiesStartYear int `json:"studies_start_year,omitempty"`
	// YearsInEstablishment is the practice already done in an établissement sanitaire
	// or médico-social in France, in years.
	YearsInEstablishment float64 `json:"years_in_establishment,omitempty"`
	// AlreadyConventionneInZone says whether the kiné is already conventionné in this
	// zone; nil = unknown.
	AlreadyConventionneInZone *bool `json:"already_conventionne_in_zone,omitempty"`
	// Project is what the kiné means to do here; empty = unknown.
	Project Project `json:"project,omitempty"`
	// InstalledSince is the ISO date of installation in this zone, for the windows of
	// the installation contracts (CACCMK: 3 years for collaborateurs and assistants;
	// CAIMK: 1 year). Empty with a Project means the installation is still to come.
	InstalledSince string `json:"installed_since,omitempty"`
}

// Validate checks a profile as a user gave it, in French, field by field.
func (p Profile) Validate(today Day) error {
	year := today.Time().Year()
	switch {
	case p.Status != "" && !p.Status.Valid():
		return &InputError{Field: "statut", Value: string(p.Status), Reason: "attendu " + joinCodes(PracticeStatuses())}
	case p.Project != "" && !p.Project.Valid():
		_, err := ParseProject(string(p.Project))
		return err
	case p.StudiesStartYear != 0 && (p.StudiesStartYear < 1950 || p.StudiesStartYear > year+1):
		return &InputError{Field: "année de début d'études", Value: strconv.Itoa(p.StudiesStartYear), Reason: "attendu une année sur 4 chiffres, pas dans le futur"}
	case p.YearsInEstablishment < 0 || p.YearsInEstablishment > 60 || math.IsNaN(p.YearsInEstablishment):
		return &InputError{Field: "années en établissement", Value: strconv.FormatFloat(p.YearsInEstablishment, 'f', -1, 64), Reason: "attendu un nombre d'années entre 0 et 60"}
	}
	if p.InstalledSince != "" {
		if _, err := time.Parse("2006-01-02", p.InstalledSince); err != nil {
			return &InputError{Field: "date d'installation", Value: p.InstalledSince, Reason: "attendu une date AAAA-MM-JJ"}
		}
	}
	return nil
}

// Condition is one condition or note of an item, with its own provenance when it has one.
type Condition struct {
	Text         string   `json:"text"`
	Sources      []string `json:"sources,omitempty"`
	Uncertain    bool     `json:"uncertain,omitempty"`
	UncertainWhy string   `json:"uncertain_why,omitempty"`
	Secondary    bool     `json:"secondary,omitempty"`
}

// Conventionnement is whether and how a status can be conventionné in the zone.
type Conventionnement struct {
	Code  ConventionnementCode `json:"code"`
	Label string               `json:"label"`
	Text  string               `json:"text"`
	// Access is the answer for the profile: ouvert, sous_conditions or ferme; Why says
	// what in the profile changed it from the zone's rule.
	Access         Access      `json:"access"`
	Why            string      `json:"why,omitempty"`
	Conditions     []Condition `json:"conditions,omitempty"`
	Notes          []Condition `json:"notes,omitempty"`
	Authority      Authority   `json:"authority"`
	AuthorityLabel string      `json:"authority_label"`
	Sources        []string    `json:"sources"`
	Uncertain      bool        `json:"uncertain"`
	UncertainWhy   string      `json:"uncertain_why,omitempty"`
	Secondary      bool        `json:"secondary"`
}

// Aid is a financial aid or exemption the zone opens, with what it means for the profile.
type Aid struct {
	Code       string `json:"code"`
	ShortName  string `json:"short_name"`
	Name       string `json:"name"`
	AmountText string `json:"amount_text"`
	// MaxAmountEUR is the most the aid pays over a contract; YearlyEUR and MonthlyEUR
	// are set when the aid is paid by the year or the month. Zero = not a fixed sum.
	MaxAmountEUR   int         `json:"max_amount_eur,omitempty"`
	YearlyEUR      int         `json:"yearly_eur,omitempty"`
	MonthlyEUR     int         `json:"monthly_eur,omitempty"`
	Schedule       []string    `json:"schedule,omitempty"`
	Duration       string      `json:"duration,omitempty"`
	Conditions     []Condition `json:"conditions,omitempty"`
	Authority      Authority   `json:"authority"`
	AuthorityLabel string      `json:"authority_label"`
	Sources        []string    `json:"sources"`
	Uncertain      bool        `json:"uncertain"`
	UncertainWhy   string      `json:"uncertain_why,omitempty"`
	Secondary      bool        `json:"secondary"`
	// Eligibility is the answer for the profile; Why says which entry condition it
	// rests on. The aid's other conditions (activity, equipment) remain to be met.
	Eligibility Eligibility `json:"eligibility"`
	Why         string      `json:"why"`
	// Regional holds what the region's contrat-type changes or adds.
	Regional []Condition `json:"regional,omitempty"`
}

// NewGraduate is the avenant 7 condition on new graduates as it applies here.
type NewGraduate struct {
	Name                 string             `json:"name"`
	Text                 string             `json:"text"`
	FromStudiesYear      int                `json:"from_studies_year"`
	YearsInEstablishment float64            `json:"years_in_establishment"`
	CommitmentYears      int                `json:"commitment_years"`
	ZoneCounts           bool               `json:"zone_counts"` // this category counts towards the commitment
	ZoneCountsText       string             `json:"zone_counts_text"`
	Outcome              NewGraduateOutcome `json:"outcome"`
	OutcomeText          string             `json:"outcome_text"`
	Notes                []Condition        `json:"notes,omitempty"`
	Authority            Authority          `json:"authority"`
	AuthorityLabel       string             `json:"authority_label"`
	Sources              []string           `json:"sources"`
	Uncertain            bool               `json:"uncertain"`
	UncertainWhy         string             `json:"uncertain_why,omitempty"`
	Secondary            bool               `json:"secondary"`
}

// Caveat is a warning that goes with an assessment.
type Caveat struct {
	Code         string   `json:"code"`
	Text         string   `json:"text"`
	Sources      []string `json:"sources,omitempty"`
	Uncertain    bool     `json:"uncertain,omitempty"`
	UncertainWhy string   `json:"uncertain_why,omitempty"`
	Secondary    bool     `json:"secondary,omitempty"`
}

// Assessment is what a zonage answer opens for one status and profile.
type Assessment struct {
	Status        PracticeStatus `json:"status"`
	StatusLabel   string         `json:"status_label"`
	Category      Category       `json:"category"`
	CategoryLabel string         `json:"category_label"`
	// Scheme is the scale whose rules were applied; empty with SchemeUnknown when the
	// region's scale is not known and only the rules valid under both are given.
	Scheme        Scheme `json:"scheme,omitempty"`
	SchemeUnknown bool   `json:"scheme_unknown,omitempty"`
	// Available is false when no category is published (non_disponible): Message then
	// says so and no rule is given.
	Available        bool              `json:"available"`
	Message          string            `json:"message,omitempty"`
	Conventionnement *Conventionnement `json:"conventionnement,omitempty"`
	Aids             []Aid             `json:"aids"`
	NewGraduate      *NewGraduate      `json:"new_graduate,omitempty"`
	Caveats          []Caveat          `json:"caveats"`
}

// Assess says what a zonage answer opens for p.Status (titulaire when empty), given
// the profile, on the day today (which dates the installation windows).
func (r *Rules) Assess(z ZonageAnswer, p Profile, today Day) Assessment {
	st := p.Status
	if st == "" {
		st = Titulaire
	}
	return r.table.assess(z, st, p, today.Time())
}

// AssessAll assesses every status in display order; p.Status is ignored.
func (r *Rules) AssessAll(z ZonageAnswer, p Profile, today Day) []Assessment {
	var out []Assessment
	for _, st := range PracticeStatuses() {
		out = append(out, r.table.assess(z, st, p, today.Time()))
	}
	return out
}

// FillOptions sets the Options of an answered resolution, and of each candidate of an
// ambiguous one: for p.Status when set, else for every status, on the answer's day.
// For a profession other than the kiné it sets Installation instead, from that
// profession's own rules, and leaves Options empty: the kiné's rules are never
// given for another profession.
func (r *Resolver) FillOptions(res *Resolution, p Profile) {
	if res.Profession != "" && res.Profession != MasseurKine {
		r.fillInstallation(res, res.Profession)
		return
	}
	day, rules := r.dayOr(res.Date), r.rules()
	options := func(z ZonageAnswer) []Assessment {
		if p.Status != "" {
			return []Assessment{rules.Assess(z, p, day)}
		}
		return rules.AssessAll(z, p, day)
	}
	if res.Zonage != nil {
		res.Options = options(*res.Zonage)
	}
	for i := range res.Candidates {
		res.Candidates[i].Options = options(res.Candidates[i].Zonage)
	}
}

// schemesFor is the scale whose rules apply: the answer's own when the category
// exists in it, else the one the category proves, else both (scale unknown).
func schemesFor(z ZonageAnswer) []Scheme {
	if z.Scheme != "" && hasItem(z.Category.Schemes(), z.Scheme) {
		return []Scheme{z.Scheme}
	}
	if s := z.Category.ImpliedScheme(); s != "" {
		return []Scheme{s}
	}
	return z.Category.Schemes()
}

func (t *rulesTable) assess(z ZonageAnswer, st PracticeStatus, p Profile, today time.Time) Assessment {
	a := Assessment{Status: st, StatusLabel: st.Label(), Category: z.Category, CategoryLabel: z.Category.Label(),
		Aids: []Aid{}, Caveats: []Caveat{}}
	schemes := schemesFor(z)
	if len(schemes) == 0 {
		a.Message = t.messages[msgNotAvailable].text
		return a
	}
	a.Available = true
	var unknown string
	if len(schemes) == 1 {
		a.Scheme = schemes[0]
	} else {
		a.SchemeUnknown = true
		unknown = t.messages[msgSchemeUnknown].uncertain
	}
	c := z.Category

	a.NewGraduate = t.assessNewGraduate(schemes, c, st, p, unknown)
	a.Conventionnement = t.assessConventionnement(schemes, c, st, p, unknown, a.NewGraduate)

	onlyIn := map[Scheme][]string{}
	for i := range t.aids {
		r := &t.aids[i]
		var matched []ruleScope
		var matchedIn []Scheme
		for _, sch := range schemes {
			for _, s := range r.scopes {
				if s.matches(sch, c, "") {
					matched, matchedIn = append(matched, s), append(matchedIn, sch)
					break
				}
			}
		}
		if len(matched) < len(schemes) {
			// Under an unknown scale, an aid of one scale only is named in a caveat.
			for _, sch := range matchedIn {
				onlyIn[sch] = append(onlyIn[sch], r.shortName)
			}
			continue
		}
		a.Aids = append(a.Aids, t.assessAid(r, matched, schemes, z.Region.Code, st, p, today, unknown))
	}
	t.capByContract(a.Aids)

	if len(schemes) > 1 {
		m := t.messages[msgSchemeUnknown]
		cv := Caveat{Code: msgSchemeUnknown, Text: m.text, Sources: m.sources, Uncertain: true, UncertainWhy: m.uncertain}
		for _, sch := range schemes {
			if names := onlyIn[sch]; len(names) > 0 {
				e := t.messages[msgSchemeOnlyIn+string(sch)]
				cv.Text += " " + strings.ReplaceAll(e.text, "{liste}", strings.Join(names, ", "))
				cv.Sources = mergeSources(cv.Sources, e.sources)
			}
		}
		a.Caveats = append(a.Caveats, cv)
	}
	if u := z.Upcoming; u != nil && u.Category != z.Category {
		m := t.messages[msgUpcoming]
		text := strings.NewReplacer("{date}", FrenchDate(u.EffectiveDate), "{categorie}", u.Category.Label()).Replace(m.text)
		a.Caveats = append(a.Caveats, Caveat{Code: msgUpcoming, Text: text, Sources: m.sources})
	}
	for _, cr := range t.caveats {
		if !allSchemesMatch(cr.scopes, schemes, c, st) {
			continue
		}
		a.Caveats = append(a.Caveats, Caveat{Code: cr.code, Text: cr.text, Sources: cr.sources,
			Uncertain: cr.uncertain != "", UncertainWhy: cr.uncertain, Secondary: t.secondary(cr.secondary, cr.sources)})
	}
	return a
}

// allSchemesMatch: an item holds when the scale is unknown only if it holds under
// every candidate scale. No scopes means everywhere.
func allSchemesMatch(scopes []ruleScope, schemes []Scheme, c Category, st PracticeStatus) bool {
	if len(scopes) == 0 {
		return true
	}
	for _, sch := range schemes {
		ok := false
		for _, s := range scopes {
			if s.matches(sch, c, st) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (t *rulesTable) assessConventionnement(schemes []Scheme, c Category, st PracticeStatus, p Profile, unknown string, ng *NewGraduate) *Conventionnement {
	var rule *conventionnementRule
	var sources []string
	reasons := []string{}
	secondary := false
	for _, sch := range schemes {
		for i := range t.conventionnement {
			r := &t.conventionnement[i]
			for _, s := range r.scopes {
				if !s.matches(sch, c, st) {
					continue
				}
				if rule == nil {
					rule = r
				}
				sources = mergeSources(sources, r.sources, s.sources)
				reasons = append(reasons, r.uncertain, s.uncertain)
				secondary = secondary || r.secondary || s.secondary
			}
		}
	}
	if rule == nil {
		return nil
	}
	reasons = append(reasons, unknown)
	cv := &Conventionnement{Code: rule.code, Label: rule.label, Text: rule.text, Access: rule.access,
		Conditions: t.conditions(rule.conditions), Notes: t.conditions(rule.details),
		Authority: rule.authority, AuthorityLabel: rule.authority.Label(), Sources: sources,
		UncertainWhy: joinReasons(reasons...), Secondary: t.secondary(secondary, sources)}
	cv.Uncertain = cv.UncertainWhy != ""
	if n := rule.alreadyConventionne; n != nil && p.AlreadyConventionneInZone != nil && *p.AlreadyConventionneInZone {
		cv.Access, cv.Why = AccessOpen, n.text
		cv.Sources = mergeSources(cv.Sources, n.sources)
		return cv
	}
	if ng != nil {
		switch ng.Outcome {
		case NewGraduateCommitment:
			if cv.Access.rank() > AccessConditional.rank() {
				cv.Access = AccessConditional
			}
			cv.Why = joinSentences(cv.Why, ng.OutcomeText)
		case NewGraduateNotMet:
			cv.Access = AccessClosed
			cv.Why = joinSentences(cv.Why, ng.OutcomeText)
		}
	}
	return cv
}

func (t *rulesTable) assessNewGraduate(schemes []Scheme, c Category, st PracticeStatus, p Profile, unknown string) *NewGraduate {
	r := t.newGraduate
	ng := &NewGraduate{Name: r.name, Text: r.text, FromStudiesYear: r.fromYear, YearsInEstablishment: r.yearsInEstablishment,
		CommitmentYears: r.commitmentYears, Notes: t.conditions(r.details), Authority: r.authority, AuthorityLabel: r.authority.Label(),
		Sources: r.sources}
	reasons := []string{r.uncertain}
	counting := 0
	for _, sch := range schemes {
		for _, s := range r.countsIn {
			if s.matches(sch, c, "") {
				counting++
				ng.Sources = mergeSources(ng.Sources, s.sources)
				reasons = append(reasons, s.uncertain)
				break
			}
		}
	}
	ng.ZoneCounts = counting == len(schemes)
	if counting > 0 && counting < len(schemes) {
		reasons = append(reasons, unknown)
	}
	ng.ZoneCountsText = r.zoneDoesNotCount
	if ng.ZoneCounts {
		ng.ZoneCountsText = r.zoneCounts
	}

	if !hasItem(r.appliesTo, st) {
		for _, e := range r.others {
			if hasItem(e.statuses, st) {
				ng.Outcome, ng.OutcomeText = NewGraduateOutOfScope, e.text
				ng.Sources = mergeSources(ng.Sources, e.sources)
				reasons = append(reasons, e.uncertain)
			}
		}
	} else {
		switch {
		case p.AlreadyConventionneInZone != nil && *p.AlreadyConventionneInZone:
			ng.Outcome = NewGraduateConventionne
		case p.StudiesStartYear != 0 && p.StudiesStartYear < r.fromYear:
			ng.Outcome = NewGraduateNotConcerned
		case p.YearsInEstablishment >= r.yearsInEstablishment:
			ng.Outcome = NewGraduateMet
		case p.StudiesStartYear == 0:
			ng.Outcome = NewGraduateUnknown
		case ng.ZoneCounts:
			ng.Outcome = NewGraduateCommitment
		default:
			ng.Outcome = NewGraduateNotMet
		}
		ng.OutcomeText = r.outcomes[ng.Outcome].text
	}
	ng.UncertainWhy = joinReasons(reasons...)
	ng.Uncertain = ng.UncertainWhy != ""
	ng.Secondary = t.secondary(r.secondary, ng.Sources)
	return ng
}

func (t *rulesTable) assessAid(r *aidRule, matched []ruleScope, schemes []Scheme, region string, st PracticeStatus, p Profile, today time.Time, unknown string) Aid {
	a := Aid{Code: r.code, ShortName: r.shortName, Name: r.name, AmountText: r.amountText,
		MaxAmountEUR: r.maxEUR, YearlyEUR: r.yearlyEUR, MonthlyEUR: r.monthlyEUR,
		Schedule: r.schedule, Duration: r.duration, Conditions: t.conditions(r.conditions),
		Authority: r.authority, AuthorityLabel: r.authority.Label(), Sources: r.sources}
	reasons := []string{r.uncertain}
	secondary := r.secondary
	for _, s := range matched {
		a.Sources = mergeSources(a.Sources, s.sources)
		reasons = append(reasons, s.uncertain)
		secondary = secondary || s.secondary
	}
	reasons = append(reasons, unknown)

	a.Eligibility, a.Why = t.eligibility(r, st, p, today, &a, &reasons)

	for _, o := range t.overrides {
		if o.region != region || !hasItem(o.aids, r.code) || (len(o.schemes) > 0 && !allIn(schemes, o.schemes)) {
			continue
		}
		if o.maxEUR != nil {
			a.MaxAmountEUR = *o.maxEUR
		}
		if o.yearlyEUR != nil {
			a.YearlyEUR = *o.yearlyEUR
		}
		if o.monthEUR != nil {
			a.MonthlyEUR = *o.monthEUR
		}
		if o.amountText != "" {
			a.AmountText = o.amountText
		}
		if o.schedule != nil {
			a.Schedule = o.schedule
		}
		if o.duration != "" {
			a.Duration = o.duration
		}
		if o.note != "" {
			a.Regional = append(a.Regional, Condition{Text: o.note, Sources: o.sources, Uncertain: o.uncertain != "",
				UncertainWhy: o.uncertain, Secondary: t.secondary(false, o.sources)})
		}
		for _, n := range o.addConditions {
			if len(n.sources) == 0 {
				n.sources = o.sources
			}
			n.uncertain = joinReasons(n.uncertain, o.uncertain)
			a.Regional = append(a.Regional, t.condition(n))
		}
		a.Sources = mergeSources(a.Sources, o.sources)
	}

	a.UncertainWhy = joinReasons(reasons...)
	a.Uncertain = a.UncertainWhy != ""
	a.Secondary = t.secondary(secondary, a.Sources)
	return a
}

// eligibility answers for one aid: an excluded status gets the exclusion's reason; else
// the best of the status's entry paths.
func (t *rulesTable) eligibility(r *aidRule, st PracticeStatus, p Profile, today time.Time, a *Aid, reasons *[]string) (Eligibility, string) {
	for _, e := range r.excluded {
		if hasItem(e.statuses, st) {
			a.Sources = mergeSources(a.Sources, e.sources)
			*reasons = append(*reasons, e.uncertain)
			return NotEligible, e.text
		}
	}
	best := NotEligible
	var texts []string
	for _, pa := range r.paths {
		if !hasItem(pa.statuses, st) {
			continue
		}
		a.Sources = mergeSources(a.Sources, pa.sources)
		e := evalPath(pa, p, today)
		switch {
		case e.rank() > best.rank():
			best, texts = e, []string{pa.text}
		case e == best:
			texts = append(texts, pa.text)
		}
	}
	why := strings.ReplaceAll(t.messages[string(best)].text, "{condition}", strings.Join(texts, t.messages[msgOr].text))
	return best, why
}

// evalPath checks a profile against one entry path. A condition the profile does not
// inform leaves the path "sous conditions"; a path the profile cannot check at all
// (only a status) is never more than that.
func evalPath(pa entryPath, p Profile, today time.Time) Eligibility {
	res, checked := Eligible, false
	apply := func(e Eligibility) {
		if e == Eligible {
			checked = true
		}
		if e.rank() < res.rank() {
			res = e
		}
	}
	if len(pa.projects) > 0 {
		switch {
		case p.Project == "":
			apply(EligibleIf)
		case hasItem(pa.projects, p.Project):
			apply(Eligible)
		default:
			apply(NotEligible)
		}
	}
	if pa.installedWithinYears > 0 {
		apply(installedWithin(p, pa.installedWithinYears, today))
	}
	if pa.alreadyConventionne != nil {
		switch {
		case p.AlreadyConventionneInZone != nil && *p.AlreadyConventionneInZone == *pa.alreadyConventionne:
			apply(Eligible)
		case p.AlreadyConventionneInZone != nil:
			apply(NotEligible)
		case p.Project != "":
			// A project is a new installation: not yet conventionné here.
			if *pa.alreadyConventionne {
				apply(NotEligible)
			} else {
				apply(Eligible)
			}
		default:
			apply(EligibleIf)
		}
	}
	if res == Eligible && !checked {
		res = EligibleIf
	}
	return res
}

// installedWithin checks the installation window of a contract: installed in the zone
// less than the given number of years before today, or about to be.
func installedWithin(p Profile, years float64, today time.Time) Eligibility {
	if p.InstalledSince == "" {
		if p.Project != "" && (p.AlreadyConventionneInZone == nil || !*p.AlreadyConventionneInZone) {
			return Eligible
		}
		return EligibleIf
	}
	since, err := time.Parse("2006-01-02", p.InstalledSince)
	if err != nil {
		return EligibleIf
	}
	limit := today.AddDate(0, -int(math.Round(years*12)), 0)
	if since.After(limit) {
		return Eligible
	}
	return NotEligible
}

// capByContract keeps an option of the contracts (with_contract) no more open than the
// best of those contracts.
func (t *rulesTable) capByContract(aids []Aid) {
	for i := range aids {
		r := t.aid(aids[i].Code)
		if len(r.withContract) == 0 {
			continue
		}
		best := NotEligible
		var names []string
		for _, code := range r.withContract {
			names = append(names, t.aid(code).shortName)
			for _, other := range aids {
				if other.Code == code && other.Eligibility.rank() > best.rank() {
					best = other.Eligibility
				}
			}
		}
		if best.rank() >= aids[i].Eligibility.rank() {
			continue
		}
		aids[i].Eligibility = best
		if best == NotEligible {
			aids[i].Why = strings.ReplaceAll(t.messages[msgWithoutContract].text, "{liste}", strings.Join(names, ", "))
		}
	}
}

func (t *rulesTable) condition(n ruleNote) Condition {
	return Condition{Text: n.text, Sources: n.sources, Uncertain: n.uncertain != "", UncertainWhy: n.uncertain,
		Secondary: n.secondary || (len(n.sources) > 0 && t.secondary(false, n.sources))}
}

func (t *rulesTable) conditions(ns []ruleNote) []Condition {
	var out []Condition
	for _, n := range ns {
		out = append(out, t.condition(n))
	}
	return out
}

// secondary: explicitly so, or every cited source is secondary in the bibliography.
func (t *rulesTable) secondary(explicit bool, keys []string) bool {
	if explicit {
		return true
	}
	for _, k := range keys {
		if !t.sources[k].Secondary {
			return false
		}
	}
	return len(keys) > 0
}

func allIn[T comparable](a, b []T) bool {
	for _, x := range a {
		if !hasItem(b, x) {
			return false
		}
	}
	return true
}

func mergeSources(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, k := range l {
			if !hasItem(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

func joinReasons(rs ...string) string {
	var out []string
	for _, r := range rs {
		if r = strings.TrimSpace(r); r != "" && !hasItem(out, r) {
			out = append(out, r)
		}
	}
	return strings.Join(out, " ; ")
}

func joinSentences(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}
