package zones

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The loader of the rules file, from its YAML nodes to the checked table.

// The YAML documents. posRef keeps the line of every code and source key so that an
// unknown one is reported where it is written.

type posRef struct {
	Value string
	Line  int
}

func (r *posRef) decodeNode(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &nodeError{n.Line, "valeur simple attendue"}
	}
	r.Value, r.Line = n.Value, n.Line
	return nil
}

// noteDoc is a condition or detail: a plain string, or a mapping with its own provenance.
type noteDoc struct {
	Text      string
	Sources   []posRef
	Uncertain string
	Secondary bool
	Line      int
}

func (d *noteDoc) decodeNode(n *yaml.Node) error {
	d.Line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		d.Text = n.Value
		return nil
	case yaml.MappingNode:
		var m struct {
			Text      string   `yaml:"text"`
			Sources   []posRef `yaml:"sources"`
			Uncertain string   `yaml:"uncertain"`
			Secondary bool     `yaml:"secondary"`
		}
		if err := decodeNode(n, &m); err != nil {
			return err
		}
		d.Text, d.Sources, d.Uncertain, d.Secondary = m.Text, m.Sources, m.Uncertain, m.Secondary
		return nil
	}
	return &nodeError{n.Line, "texte ou table {text, sources, uncertain, secondary} attendu"}
}

type scopeDoc struct {
	Schemes    []posRef `yaml:"schemes"`
	Categories []posRef `yaml:"categories"`
	Statuses   []posRef `yaml:"statuses"`
	Sources    []posRef `yaml:"sources"`
	Uncertain  string   `yaml:"uncertain"`
	Secondary  bool     `yaml:"secondary"`
}

type exclusionDoc struct {
	Statuses  []posRef `yaml:"statuses"`
	Text      string   `yaml:"text"`
	Sources   []posRef `yaml:"sources"`
	Uncertain string   `yaml:"uncertain"`
}

type messageDoc struct {
	Code      posRef   `yaml:"code"`
	Text      string   `yaml:"text"`
	Sources   []posRef `yaml:"sources"`
	Uncertain string   `yaml:"uncertain"`
}

type rulesDoc struct {
	NewGraduate       newGraduateDoc        `yaml:"new_graduate"`
	Conventionnement  []conventionnementDoc `yaml:"conventionnement"`
	Aids              []aidDoc              `yaml:"aids"`
	RegionalOverrides []overrideDoc         `yaml:"regional_overrides"`
	Caveats           []caveatDoc           `yaml:"caveats"`
	Messages          []messageDoc          `yaml:"messages"`
}

type newGraduateDoc struct {
	Name                 string         `yaml:"name"`
	StudiesStartYearFrom int            `yaml:"studies_start_year_from"`
	YearsInEstablishment float64        `yaml:"years_in_establishment"`
	CommitmentYears      int            `yaml:"commitment_years"`
	Text                 string         `yaml:"text"`
	Details              []noteDoc      `yaml:"details"`
	Authority            posRef         `yaml:"authority"`
	Sources              []posRef       `yaml:"sources"`
	Secondary            bool           `yaml:"secondary"`
	Uncertain            string         `yaml:"uncertain"`
	AppliesTo            []posRef       `yaml:"applies_to"`
	OtherStatuses        []exclusionDoc `yaml:"other_statuses"`
	CountsIn             []scopeDoc     `yaml:"counts_in"`
	ZoneCounts           string         `yaml:"zone_counts"`
	ZoneDoesNotCount     string         `yaml:"zone_does_not_count"`
	Outcomes             []messageDoc   `yaml:"outcomes"`
}

type conventionnementDoc struct {
	Code                posRef     `yaml:"code"`
	Label               string     `yaml:"label"`
	Access              posRef     `yaml:"access"`
	Text                string     `yaml:"text"`
	Conditions          []noteDoc  `yaml:"conditions"`
	Details             []noteDoc  `yaml:"details"`
	Authority           posRef     `yaml:"authority"`
	Sources             []posRef   `yaml:"sources"`
	Uncertain           string     `yaml:"uncertain"`
	Secondary           bool       `yaml:"secondary"`
	AlreadyConventionne *noteDoc   `yaml:"already_conventionne"`
	Scopes              []scopeDoc `yaml:"scopes"`
}

type aidDoc struct {
	Code         posRef         `yaml:"code"`
	ShortName    string         `yaml:"short_name"`
	Name         string         `yaml:"name"`
	AmountText   string         `yaml:"amount_text"`
	MaxAmountEUR int            `yaml:"max_amount_eur"`
	YearlyEUR    int            `yaml:"yearly_eur"`
	MonthlyEUR   int            `yaml:"monthly_eur"`
	Schedule     []string       `yaml:"schedule"`
	Duration     string         `yaml:"duration"`
	Conditions   []noteDoc      `yaml:"conditions"`
	Authority    posRef         `yaml:"authority"`
	Sources      []posRef       `yaml:"sources"`
	Uncertain    string         `yaml:"uncertain"`
	Secondary    bool           `yaml:"secondary"`
	Scopes       []scopeDoc     `yaml:"scopes"`
	WithContract []posRef       `yaml:"with_contract"`
	Paths        []pathDoc      `yaml:"paths"`
	Excluded     []exclusionDoc `yaml:"excluded"`
}

type pathDoc struct {
	Statuses             []posRef `yaml:"statuses"`
	Projects             []posRef `yaml:"projects"`
	InstalledWithinYears float64  `yaml:"installed_within_years"`
	AlreadyConventionne  *bool    `yaml:"already_conventionne"`
	Text                 string   `yaml:"text"`
	Sources              []posRef `yaml:"sources"`
}

type overrideDoc struct {
	Region        posRef    `yaml:"region"`
	Aids          []posRef  `yaml:"aids"`
	Schemes       []posRef  `yaml:"schemes"`
	MaxAmountEUR  *int      `yaml:"max_amount_eur"`
	YearlyEUR     *int      `yaml:"yearly_eur"`
	MonthlyEUR    *int      `yaml:"monthly_eur"`
	AmountText    string    `yaml:"amount_text"`
	Schedule      []string  `yaml:"schedule"`
	Duration      string    `yaml:"duration"`
	Note          string    `yaml:"note"`
	AddConditions []noteDoc `yaml:"add_conditions"`
	Sources       []posRef  `yaml:"sources"`
	Uncertain     string    `yaml:"uncertain"`
}

type caveatDoc struct {
	Code      posRef     `yaml:"code"`
	Text      string     `yaml:"text"`
	Sources   []posRef   `yaml:"sources"`
	Uncertain string     `yaml:"uncertain"`
	Secondary bool       `yaml:"secondary"`
	Scopes    []scopeDoc `yaml:"scopes"`
}

// rulesLoader turns the documents into the table, stopping at the first error.

type rulesLoader struct {
	name    string
	known   map[string]Source
	regions map[string]bool
	root    *yaml.Node
	fill    *strings.Replacer
	err     error
}

func (l *rulesLoader) fail(line int, format string, args ...any) {
	if l.err == nil {
		l.err = &DataError{l.name, line, fmt.Sprintf(format, args...)}
	}
}

// section is the line of a top-level key, for errors about a whole section.
func (l *rulesLoader) section(key string) int {
	if l.root != nil && len(l.root.Content) == 1 {
		m := l.root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i].Line
			}
		}
	}
	return 1
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// text fills the threshold placeholders and refuses an empty text or one left with a
// placeholder it does not know.
func (l *rulesLoader) text(s string, line int, what string, runtime bool) string {
	s = strings.TrimSpace(l.fill.Replace(s))
	if s == "" {
		l.fail(line, "%s : texte manquant", what)
	}
	for _, p := range placeholder.FindAllString(s, -1) {
		if !runtime || !runtimePlaceholders[p] {
			l.fail(line, "%s : espace réservé %s inconnu", what, p)
		}
	}
	return s
}

func (l *rulesLoader) sources(refs []posRef, line int, what string, required bool) []string {
	if required && len(refs) == 0 {
		l.fail(line, "%s : aucune source (clé de sources.yaml attendue)", what)
	}
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		if _, ok := l.known[r.Value]; !ok {
			l.fail(r.Line, "%s : clé de source inconnue « %s » (absente de sources.yaml)", what, r.Value)
		}
		out = append(out, r.Value)
	}
	return out
}

// code checks one code against its set and reports an unknown one at its own line,
// else at line.
func code[T ~string](l *rulesLoader, set enum[T], r posRef, line int, what string) T {
	c := T(r.Value)
	if !set.valid(c) {
		if r.Line != 0 {
			line = r.Line
		}
		l.fail(line, "%s : %s « %s » (attendu %s)", what, set.unknown, r.Value, set.expected())
	}
	return c
}

func codes[T ~string](l *rulesLoader, set enum[T], refs []posRef, what string) []T {
	var out []T
	for _, r := range refs {
		out = append(out, code(l, set, r, 0, what))
	}
	return out
}

func (l *rulesLoader) scopes(docs []scopeDoc, line int, what string, withStatuses bool) []ruleScope {
	if len(docs) == 0 {
		l.fail(line, "%s : aucune portée (scopes)", what)
	}
	var out []ruleScope
	for _, d := range docs {
		s := ruleScope{
			schemes:   codes(l, schemeCodes, d.Schemes, what),
			statuses:  codes(l, statusCodes, d.Statuses, what),
			sources:   l.sources(d.Sources, line, what, false),
			uncertain: strings.TrimSpace(d.Uncertain),
			secondary: d.Secondary,
		}
		if !withStatuses && len(d.Statuses) > 0 {
			l.fail(d.Statuses[0].Line, "%s : les statuts se règlent par paths et excluded, pas dans la portée", what)
		}
		for _, r := range d.Categories {
			c := Category(r.Value)
			switch {
			case !c.Valid():
				l.fail(r.Line, "%s : catégorie inconnue « %s » (attendu %s)", what, r.Value, joinCodes(Categories()[:len(Categories())-1]))
			case c == NonDisponible:
				l.fail(r.Line, "%s : pas de règle pour %s (aucune catégorie publiée)", what, c)
			case len(s.schemes) > 0 && !anyIn(c.Schemes(), s.schemes):
				l.fail(r.Line, "%s : la catégorie %s n'existe pas dans l'échelle %s", what, c, joinCodes(s.schemes))
			}
			s.categories = append(s.categories, c)
		}
		out = append(out, s)
	}
	return out
}

func (l *rulesLoader) notes(docs []noteDoc, what string) []ruleNote {
	var out []ruleNote
	for _, d := range docs {
		out = append(out, ruleNote{
			text:      l.text(d.Text, d.Line, what, false),
			sources:   l.sources(d.Sources, d.Line, what, false),
			uncertain: strings.TrimSpace(d.Uncertain),
			secondary: d.Secondary,
		})
	}
	return out
}

func (l *rulesLoader) exclusions(docs []exclusionDoc, line int, what string) []statusExclusion {
	var out []statusExclusion
	for _, d := range docs {
		out = append(out, statusExclusion{
			statuses:  codes(l, statusCodes, d.Statuses, what),
			text:      l.text(d.Text, line, what, false),
			sources:   l.sources(d.Sources, line, what, true),
			uncertain: strings.TrimSpace(d.Uncertain),
		})
	}
	return out
}

// parseRules reads and checks a rules file: every code, category, status, scale,
// authority and source key must be known, every scale × category × status must have
// exactly one conventionnement rule, and every aid must say what it does for each status.
func parseRules(b []byte, name string, known map[string]Source, regions map[string]bool) (*rulesTable, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		// A syntax error: yaml.v3 gives its line in its own message only.
		return nil, fmt.Errorf("%s : %w", name, err)
	}
	var doc rulesDoc
	if err := decodeNode(&root, &doc); err != nil {
		return nil, err.(*nodeError).at(name)
	}
	l := &rulesLoader{name: name, known: known, regions: regions, root: &root}
	t := &rulesTable{messages: map[string]ruleMessage{}, sources: known}
	l.newGraduate(t, doc.NewGraduate)
	for _, d := range doc.Conventionnement {
		t.conventionnement = append(t.conventionnement, l.conventionnement(d))
	}
	l.aids(t, doc.Aids)
	for _, d := range doc.RegionalOverrides {
		t.overrides = append(t.overrides, l.override(t, d))
	}
	l.caveats(t, doc.Caveats)
	l.messages(t, doc.Messages)
	// Whole-table checks come last, so that an error in an item is reported at the item.
	l.checkNewGraduate(t)
	for _, m := range requiredMessages() {
		if _, ok := t.messages[m]; !ok {
			l.fail(l.section("messages"), "message « %s » manquant", m)
		}
	}
	l.checkConventionnementCoverage(t)
	if l.err != nil {
		return nil, l.err
	}
	return t, nil
}

// newGraduate reads the avenant 7 new-graduate condition; its thresholds fill the
// placeholders of every text read after it.
func (l *rulesLoader) newGraduate(t *rulesTable, ng newGraduateDoc) {
	line := l.section("new_graduate")
	if ng.StudiesStartYearFrom < 2000 || ng.YearsInEstablishment <= 0 || ng.CommitmentYears <= 0 {
		l.fail(line, "new_graduate : studies_start_year_from, years_in_establishment et commitment_years sont requis")
	}
	l.fill = strings.NewReplacer("{annee}", strconv.Itoa(ng.StudiesStartYearFrom),
		"{annees}", strconv.FormatFloat(ng.YearsInEstablishment, 'f', -1, 64),
		"{engagement}", strconv.Itoa(ng.CommitmentYears))
	t.newGraduate = newGraduateRule{
		name:                 l.text(ng.Name, line, "new_graduate", false),
		fromYear:             ng.StudiesStartYearFrom,
		yearsInEstablishment: ng.YearsInEstablishment,
		commitmentYears:      ng.CommitmentYears,
		text:                 l.text(ng.Text, line, "new_graduate", false),
		details:              l.notes(ng.Details, "new_graduate"),
		authority:            code(l, authorityCodes, ng.Authority, line, "new_graduate"),
		sources:              l.sources(ng.Sources, line, "new_graduate", true),
		uncertain:            strings.TrimSpace(ng.Uncertain),
		secondary:            ng.Secondary,
		appliesTo:            codes(l, statusCodes, ng.AppliesTo, "new_graduate"),
		others:               l.exclusions(ng.OtherStatuses, line, "new_graduate"),
		countsIn:             l.scopes(ng.CountsIn, line, "new_graduate counts_in", false),
		zoneCounts:           l.text(ng.ZoneCounts, line, "new_graduate", false),
		zoneDoesNotCount:     l.text(ng.ZoneDoesNotCount, line, "new_graduate", false),
		outcomes:             map[NewGraduateOutcome]ruleMessage{},
	}
	for _, o := range ng.Outcomes {
		c := code(l, outcomeCodes, o.Code, line, "new_graduate")
		t.newGraduate.outcomes[c] = ruleMessage{text: l.text(o.Text, o.Code.Line, "new_graduate "+o.Code.Value, false),
			sources: l.sources(o.Sources, o.Code.Line, "new_graduate", false), uncertain: o.Uncertain}
	}
}

// checkNewGraduate makes the condition word every outcome and name every status once,
// as bound by it or not.
func (l *rulesLoader) checkNewGraduate(t *rulesTable) {
	line := l.section("new_graduate")
	for _, o := range outcomeCodes.codes() {
		if _, ok := t.newGraduate.outcomes[o]; !ok {
			l.fail(line, "new_graduate : texte manquant pour l'issue %s", o)
		}
	}
	covered := map[PracticeStatus]int{}
	for _, s := range t.newGraduate.appliesTo {
		covered[s]++
	}
	for _, e := range t.newGraduate.others {
		for _, s := range e.statuses {
			covered[s]++
		}
	}
	for _, s := range PracticeStatuses() {
		if covered[s] != 1 {
			l.fail(line, "new_graduate : le statut %s doit figurer une fois, dans applies_to ou other_statuses", s)
		}
	}
}

func (l *rulesLoader) conventionnement(d conventionnementDoc) conventionnementRule {
	what := "conventionnement " + d.Code.Value
	r := conventionnementRule{
		code:       code(l, conventionnementCodes, d.Code, 0, "conventionnement"),
		access:     code(l, accessCodes, d.Access, d.Code.Line, what),
		line:       d.Code.Line,
		label:      l.text(d.Label, d.Code.Line, what, false),
		text:       l.text(d.Text, d.Code.Line, what, false),
		conditions: l.notes(d.Conditions, what),
		details:    l.notes(d.Details, what),
		authority:  code(l, authorityCodes, d.Authority, d.Code.Line, what),
		sources:    l.sources(d.Sources, d.Code.Line, what, true),
		uncertain:  strings.TrimSpace(d.Uncertain),
		secondary:  d.Secondary,
		scopes:     l.scopes(d.Scopes, d.Code.Line, what, true),
	}
	if a := d.AlreadyConventionne; a != nil {
		n := l.notes([]noteDoc{*a}, what)
		r.alreadyConventionne = &n[0]
	}
	return r
}

// aids reads the aids, then checks what needs them all: the contracts an aid names
// in with_contract, and that each aid says what it does for every status.
func (l *rulesLoader) aids(t *rulesTable, docs []aidDoc) {
	for _, d := range docs {
		if d.Code.Value == "" || t.aid(d.Code.Value) != nil {
			l.fail(d.Code.Line, "aide : code vide ou en double « %s »", d.Code.Value)
		}
		t.aids = append(t.aids, l.aid(d))
	}
	for i, d := range docs {
		for _, w := range d.WithContract {
			if w.Value == d.Code.Value || t.aid(w.Value) == nil {
				l.fail(w.Line, "aide %s : contrat « %s » inconnu dans with_contract", d.Code.Value, w.Value)
			}
		}
		l.checkStatusCoverage(t.aids[i])
	}
}

func (l *rulesLoader) aid(d aidDoc) aidRule {
	what := "aide " + d.Code.Value
	a := aidRule{
		code: d.Code.Value, line: d.Code.Line,
		shortName:  l.text(d.ShortName, d.Code.Line, what, false),
		name:       l.text(d.Name, d.Code.Line, what, false),
		amountText: l.text(d.AmountText, d.Code.Line, what, false),
		maxEUR:     d.MaxAmountEUR, yearlyEUR: d.YearlyEUR, monthlyEUR: d.MonthlyEUR,
		schedule:   d.Schedule,
		duration:   strings.TrimSpace(d.Duration),
		conditions: l.notes(d.Conditions, what),
		authority:  code(l, authorityCodes, d.Authority, d.Code.Line, what),
		sources:    l.sources(d.Sources, d.Code.Line, what, true),
		uncertain:  strings.TrimSpace(d.Uncertain),
		secondary:  d.Secondary,
		scopes:     l.scopes(d.Scopes, d.Code.Line, what, false),
		excluded:   l.exclusions(d.Excluded, d.Code.Line, what),
	}
	for _, p := range d.Paths {
		np := entryPath{statuses: codes(l, statusCodes, p.Statuses, what),
			projects:             codes(l, projectCodes, p.Projects, what),
			installedWithinYears: p.InstalledWithinYears,
			alreadyConventionne:  p.AlreadyConventionne, text: l.text(p.Text, d.Code.Line, what, false),
			sources: l.sources(p.Sources, d.Code.Line, what, true)}
		if len(np.statuses) == 0 {
			l.fail(d.Code.Line, "%s : un chemin d'accès sans statut", what)
		}
		a.paths = append(a.paths, np)
	}
	for _, w := range d.WithContract {
		a.withContract = append(a.withContract, w.Value)
	}
	return a
}

// override reads a contrat-type régional, which changes the national aids it names
// in one region.
func (l *rulesLoader) override(t *rulesTable, d overrideDoc) regionalOverride {
	what := "contrat-type régional " + d.Region.Value
	if !l.regions[d.Region.Value] {
		l.fail(d.Region.Line, "%s : région inconnue « %s » (code INSEE de regions.yaml attendu)", what, d.Region.Value)
	}
	o := regionalOverride{region: d.Region.Value, schemes: codes(l, schemeCodes, d.Schemes, what),
		maxEUR: d.MaxAmountEUR, yearlyEUR: d.YearlyEUR, monthEUR: d.MonthlyEUR,
		amountText: strings.TrimSpace(d.AmountText), schedule: d.Schedule, duration: strings.TrimSpace(d.Duration),
		note: strings.TrimSpace(l.fill.Replace(d.Note)), addConditions: l.notes(d.AddConditions, what),
		sources: l.sources(d.Sources, d.Region.Line, what, true), uncertain: strings.TrimSpace(d.Uncertain)}
	if len(d.Aids) == 0 {
		l.fail(d.Region.Line, "%s : aucune aide visée", what)
	}
	for _, a := range d.Aids {
		if t.aid(a.Value) == nil {
			l.fail(a.Line, "%s : aide inconnue « %s »", what, a.Value)
		}
		o.aids = append(o.aids, a.Value)
	}
	amounts := o.maxEUR != nil || o.yearlyEUR != nil || o.monthEUR != nil || o.amountText != "" || o.schedule != nil
	switch {
	case amounts && o.note == "":
		// A user shown another amount than the national one must be told why.
		l.fail(d.Region.Line, "%s : un changement de montant demande une note (note)", what)
	case !amounts && o.duration == "" && o.note == "" && len(o.addConditions) == 0:
		l.fail(d.Region.Line, "%s : ne change rien", what)
	}
	return o
}

func (l *rulesLoader) caveats(t *rulesTable, docs []caveatDoc) {
	seen := map[string]bool{}
	for _, d := range docs {
		what := "mise en garde " + d.Code.Value
		if d.Code.Value == "" || seen[d.Code.Value] {
			l.fail(d.Code.Line, "mise en garde : code vide ou en double « %s »", d.Code.Value)
		}
		seen[d.Code.Value] = true
		c := caveatRule{code: d.Code.Value, text: l.text(d.Text, d.Code.Line, what, false),
			sources: l.sources(d.Sources, d.Code.Line, what, true), uncertain: strings.TrimSpace(d.Uncertain), secondary: d.Secondary}
		if len(d.Scopes) > 0 {
			c.scopes = l.scopes(d.Scopes, d.Code.Line, what, true)
		}
		t.caveats = append(t.caveats, c)
	}
}

func (l *rulesLoader) messages(t *rulesTable, docs []messageDoc) {
	for _, d := range docs {
		if _, dup := t.messages[d.Code.Value]; dup || !hasItem(requiredMessages(), d.Code.Value) {
			l.fail(d.Code.Line, "message « %s » inconnu ou en double (attendu %s)", d.Code.Value, strings.Join(requiredMessages(), ", "))
		}
		// Messages are glued to other texts: their spaces are kept.
		text := l.fill.Replace(d.Text)
		l.text(text, d.Code.Line, "message "+d.Code.Value, true)
		t.messages[d.Code.Value] = ruleMessage{text: text, sources: l.sources(d.Sources, d.Code.Line, "message "+d.Code.Value, false),
			uncertain: strings.TrimSpace(d.Uncertain)}
	}
}

// checkStatusCoverage makes every aid say, for each status, either how to get it or
// why not.
func (l *rulesLoader) checkStatusCoverage(a aidRule) {
	inPath, inExcl := map[PracticeStatus]bool{}, map[PracticeStatus]bool{}
	for _, p := range a.paths {
		for _, s := range p.statuses {
			inPath[s] = true
		}
	}
	for _, e := range a.excluded {
		for _, s := range e.statuses {
			if inExcl[s] {
				l.fail(a.line, "aide %s : statut %s exclu deux fois", a.code, s)
			}
			inExcl[s] = true
		}
	}
	for _, s := range PracticeStatuses() {
		switch {
		case inPath[s] && inExcl[s]:
			l.fail(a.line, "aide %s : statut %s à la fois dans paths et excluded", a.code, s)
		case !inPath[s] && !inExcl[s]:
			l.fail(a.line, "aide %s : statut %s traité ni dans paths ni dans excluded", a.code, s)
		}
	}
}

// checkConventionnementCoverage makes every scale × category × status have exactly one
// conventionnement rule, and the categories common to both scales the same code under
// each, since an answer whose scale is unknown gives the rule valid under both.
func (l *rulesLoader) checkConventionnementCoverage(t *rulesTable) {
	line := l.section("conventionnement")
	for _, c := range Categories() {
		for _, st := range PracticeStatuses() {
			var codes []ConventionnementCode
			for _, sch := range c.Schemes() {
				var found *conventionnementRule
				for i := range t.conventionnement {
					r := &t.conventionnement[i]
					for _, s := range r.scopes {
						if !s.matches(sch, c, st) {
							continue
						}
						if found != nil && found != r {
							l.fail(r.line, "conventionnement : deux règles pour %s en zone %s (%s), lignes %d et %d", st, c, sch, found.line, r.line)
						}
						found = r
					}
				}
				if found == nil {
					l.fail(line, "conventionnement : aucune règle pour %s en zone %s (%s)", st, c, sch)
					continue
				}
				codes = append(codes, found.code)
			}
			if len(codes) == 2 && codes[0] != codes[1] {
				l.fail(line, "conventionnement : %s en zone %s est %s sous une échelle et %s sous l'autre", st, c, codes[0], codes[1])
			}
		}
	}
}
