package zones

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// PracticeStatus is the stable code of a libéral practice status. Codes are the
// contract of the JSON outputs and of the --statut flag; never rename one.
type PracticeStatus string

// The statuses: holder of the cabinet, collaborateur libéral (own patientèle),
// assistant libéral (no own patientèle), remplaçant.
const (
	Titulaire     PracticeStatus = "titulaire"
	Collaborateur PracticeStatus = "collaborateur"
	Assistant     PracticeStatus = "assistant"
	Remplacant    PracticeStatus = "remplacant"
)

var practiceStatusLabels = []struct {
	status PracticeStatus
	label  string
}{
	{Titulaire, "titulaire"},
	{Collaborateur, "collaborateur libéral"},
	{Assistant, "assistant libéral"},
	{Remplacant, "remplaçant"},
}

// PracticeStatuses lists every status in display order.
func PracticeStatuses() []PracticeStatus {
	out := make([]PracticeStatus, len(practiceStatusLabels))
	for i, s := range practiceStatusLabels {
		out[i] = s.status
	}
	return out
}

// Valid reports whether s is one of the known codes.
func (s PracticeStatus) Valid() bool { return hasItem(PracticeStatuses(), s) }

// Label is the French name of the status ("collaborateur libéral").
func (s PracticeStatus) Label() string {
	for _, l := range practiceStatusLabels {
		if l.status == s {
			return l.label
		}
	}
	return string(s)
}

// ParsePracticeStatus reads a status code, ignoring case and the cedilla of
// « remplaçant ».
func ParsePracticeStatus(raw string) (PracticeStatus, error) {
	v := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(raw)), "ç", "c")
	for _, s := range PracticeStatuses() {
		if v == string(s) {
			return s, nil
		}
	}
	return "", &InputError{Field: "statut", Value: raw, Reason: "attendu " + joinCodes(PracticeStatuses())}
}

// Project is what the kiné means to do in the zone.
type Project string

const (
	ProjectCreation    Project = "creation"    // create a cabinet
	ProjectReprise     Project = "reprise"     // take over the cabinet of a kiné who stops
	ProjectIntegration Project = "integration" // join an existing cabinet
)

var projectLabels = []struct {
	project Project
	label   string
}{
	{ProjectCreation, "création de cabinet"},
	{ProjectReprise, "reprise de cabinet"},
	{ProjectIntegration, "intégration d'un cabinet existant"},
}

// Valid reports whether p is one of the known codes.
func (p Project) Valid() bool {
	for _, l := range projectLabels {
		if l.project == p {
			return true
		}
	}
	return false
}

// Label is the French name of the project.
func (p Project) Label() string {
	for _, l := range projectLabels {
		if l.project == p {
			return l.label
		}
	}
	return string(p)
}

// ParseProject reads a project code (creation, reprise, integration), ignoring case
// and accents.
func ParseProject(raw string) (Project, error) {
	v := strings.NewReplacer("é", "e", "É", "e").Replace(strings.ToLower(strings.TrimSpace(raw)))
	for _, l := range projectLabels {
		if v == string(l.project) {
			return l.project, nil
		}
	}
	codes := make([]Project, len(projectLabels))
	for i, l := range projectLabels {
		codes[i] = l.project
	}
	return "", &InputError{Field: "projet", Value: raw, Reason: "attendu " + joinCodes(codes)}
}

// Authority is who decides on an item.
type Authority string

// The authorities: the CPAM of the place of practice, the ARS, a collectivité.
const (
	AuthorityCPAM         Authority = "cpam"
	AuthorityARS          Authority = "ars"
	AuthorityCollectivite Authority = "collectivite"
)

// Label is the French name of the authority.
func (a Authority) Label() string {
	switch a {
	case AuthorityCPAM:
		return "CPAM du lieu d'exercice"
	case AuthorityARS:
		return "ARS"
	case AuthorityCollectivite:
		return "collectivité territoriale"
	}
	return string(a)
}

func (a Authority) valid() bool {
	return a == AuthorityCPAM || a == AuthorityARS || a == AuthorityCollectivite
}

// ConventionnementCode is the kind of access to conventionnement a zone gives a status.
type ConventionnementCode string

// The conventionnement codes: free; regulated « 1 départ pour 1 installation »; for a
// remplaçant, the conventional situation of the kiné replaced.
const (
	ConventionnementLibre    ConventionnementCode = "libre"
	ConventionnementRegule   ConventionnementCode = "regule_1_pour_1"
	ConventionnementRemplace ConventionnementCode = "situation_du_remplace"
)

// Access says whether conventionnement is open to a profile.
type Access string

// The accesses, from the most open.
const (
	AccessOpen        Access = "ouvert"
	AccessConditional Access = "sous_conditions"
	AccessClosed      Access = "ferme"
)

// Label is the French word for the access ("sous conditions").
func (a Access) Label() string {
	switch a {
	case AccessOpen:
		return "ouvert"
	case AccessConditional:
		return "sous conditions"
	case AccessClosed:
		return "fermé"
	}
	return string(a)
}

// rank orders accesses from closed to open, so that combining two keeps the narrower.
func (a Access) rank() int {
	switch a {
	case AccessOpen:
		return 2
	case AccessConditional:
		return 1
	}
	return 0
}

// Eligibility says whether an aid is open to a profile. Eligible means the profile
// meets the entry condition; the aid's other conditions (activity, equipment) remain.
type Eligibility string

// The eligibilities, from the most open.
const (
	Eligible    Eligibility = "eligible"
	EligibleIf  Eligibility = "sous_conditions"
	NotEligible Eligibility = "non_eligible"
)

// Label is the French word for the eligibility ("éligible").
func (e Eligibility) Label() string {
	switch e {
	case Eligible:
		return "éligible"
	case EligibleIf:
		return "sous conditions"
	case NotEligible:
		return "non éligible"
	}
	return string(e)
}

func (e Eligibility) rank() int {
	switch e {
	case Eligible:
		return 2
	case EligibleIf:
		return 1
	}
	return 0
}

// NewGraduateOutcome is where a profile stands with the avenant 7 new-graduate condition.
type NewGraduateOutcome string

const (
	NewGraduateUnknown      NewGraduateOutcome = "a_verifier"          // year studies began not given
	NewGraduateNotConcerned NewGraduateOutcome = "non_concerne"        // studies began before the threshold
	NewGraduateConventionne NewGraduateOutcome = "deja_conventionne"   // already conventionné in the zone
	NewGraduateMet          NewGraduateOutcome = "remplie"             // enough years in an établissement
	NewGraduateCommitment   NewGraduateOutcome = "engagement_possible" // this zone counts for the commitment
	NewGraduateNotMet       NewGraduateOutcome = "non_remplie"         // this zone does not count
	NewGraduateOutOfScope   NewGraduateOutcome = "hors_champ"          // status the condition is not known to bind
)

var newGraduateOutcomes = []NewGraduateOutcome{NewGraduateUnknown, NewGraduateNotConcerned, NewGraduateConventionne,
	NewGraduateMet, NewGraduateCommitment, NewGraduateNotMet}

// The messages the assessment needs from the rules file, beside the rules themselves.
const (
	msgNotAvailable    = "non_disponible"
	msgSchemeUnknown   = "echelle_inconnue"
	msgSchemeOnlyIn    = "echelle_inconnue_" // + scheme
	msgUpcoming        = "zonage_a_venir"
	msgOr              = "ou"
	msgWithoutContract = "sans_contrat"
)

func requiredMessages() []string {
	return []string{msgNotAvailable, msgSchemeUnknown, msgSchemeOnlyIn + string(SchemeAvenant7), msgSchemeOnlyIn + string(SchemeAvenant5),
		msgUpcoming, string(Eligible), string(EligibleIf), string(NotEligible), msgOr, msgWithoutContract}
}

// Placeholders a message may hold; they are filled when an assessment is made.
var runtimePlaceholders = map[string]bool{"{date}": true, "{categorie}": true, "{condition}": true, "{liste}": true}

func joinCodes[T ~string](codes []T) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// The compiled rules table. Every source key, code and text in it has been checked.

type ruleNote struct {
	text      string
	sources   []string
	uncertain string
	secondary bool
}

type ruleScope struct {
	schemes    []Scheme
	categories []Category
	statuses   []PracticeStatus
	sources    []string
	uncertain  string
	secondary  bool
}

// matches reports whether the scope holds for a scale, category and status; an empty
// status matches any, for scopes that do not depend on it.
func (s ruleScope) matches(sch Scheme, c Category, st PracticeStatus) bool {
	return (len(s.schemes) == 0 || hasItem(s.schemes, sch)) &&
		(len(s.categories) == 0 || hasItem(s.categories, c)) &&
		(len(s.statuses) == 0 || st == "" || hasItem(s.statuses, st))
}

func hasItem[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

type conventionnementRule struct {
	code                ConventionnementCode
	label, text         string
	access              Access
	conditions, details []ruleNote
	authority           Authority
	sources             []string
	uncertain           string
	secondary           bool
	scopes              []ruleScope
	alreadyConventionne *ruleNote
	line                int
}

type entryPath struct {
	statuses             []PracticeStatus
	projects             []Project
	installedWithinYears float64
	alreadyConventionne  *bool
	text                 string
	sources              []string
}

type statusExclusion struct {
	statuses  []PracticeStatus
	text      string
	sources   []string
	uncertain string
}

type aidRule struct {
	code, shortName   string
	name, amountText  string
	maxEUR, yearlyEUR int
	monthlyEUR        int
	schedule          []string
	duration          string
	conditions        []ruleNote
	authority         Authority
	sources           []string
	uncertain         string
	secondary         bool
	scopes            []ruleScope
	paths             []entryPath
	excluded          []statusExclusion
	withContract      []string
	line              int
}

type regionalOverride struct {
	region                      string
	aids                        []string
	schemes                     []Scheme
	maxEUR, yearlyEUR, monthEUR *int
	amountText                  string
	schedule                    []string
	duration                    string
	note                        string
	addConditions               []ruleNote
	sources                     []string
	uncertain                   string
}

type caveatRule struct {
	code, text string
	sources    []string
	uncertain  string
	secondary  bool
	scopes     []ruleScope
}

type ruleMessage struct {
	text      string
	sources   []string
	uncertain string
}

type newGraduateRule struct {
	name                 string
	fromYear             int
	yearsInEstablishment float64
	commitmentYears      int
	text                 string
	details              []ruleNote
	authority            Authority
	sources              []string
	uncertain            string
	secondary            bool
	appliesTo            []PracticeStatus
	others               []statusExclusion
	countsIn             []ruleScope
	zoneCounts           string
	zoneDoesNotCount     string
	outcomes             map[NewGraduateOutcome]ruleMessage
}

type rulesTable struct {
	newGraduate      newGraduateRule
	conventionnement []conventionnementRule
	aids             []aidRule
	overrides        []regionalOverride
	caveats          []caveatRule
	messages         map[string]ruleMessage
	sources          map[string]Source
}

func (t *rulesTable) aid(code string) *aidRule {
	for i := range t.aids {
		if t.aids[i].code == code {
			return &t.aids[i]
		}
	}
	return nil
}

//go:embed rules.yaml
var rulesYAML []byte

// installRules is the embedded rules table, loaded and checked at start.
var installRules = mustParse(parseRules(rulesYAML, "zones/rules.yaml", sources, regionCodes(regions)))

func regionCodes(regions []Region) map[string]bool {
	codes := map[string]bool{}
	for _, r := range regions {
		codes[r.Code] = true
	}
	return codes
}

// The YAML documents. posRef keeps the line of every code and source key so that an
// unknown one is reported where it is written.

type posRef struct {
	Value string
	Line  int
}

func (r *posRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: valeur simple attendue", n.Line)}}
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

func (d *noteDoc) UnmarshalYAML(n *yaml.Node) error {
	d.Line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		d.Text = n.Value
		return nil
	case yaml.MappingNode:
	default:
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: texte ou table {text, sources, uncertain, secondary} attendu", n.Line)}}
	}
	// Decoded by hand: a nested Decode would not refuse unknown fields.
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "text":
			err = v.Decode(&d.Text)
		case "sources":
			err = v.Decode(&d.Sources)
		case "uncertain":
			err = v.Decode(&d.Uncertain)
		case "secondary":
			err = v.Decode(&d.Secondary)
		default:
			return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: field %s not found in type zones.noteDoc", k.Line, k.Value)}}
		}
		if err != nil {
			return err
		}
	}
	return nil
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
	NewGraduate struct {
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
	} `yaml:"new_graduate"`
	Conventionnement []struct {
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
	} `yaml:"conventionnement"`
	Aids []struct {
		Code         posRef     `yaml:"code"`
		ShortName    string     `yaml:"short_name"`
		Name         string     `yaml:"name"`
		AmountText   string     `yaml:"amount_text"`
		MaxAmountEUR int        `yaml:"max_amount_eur"`
		YearlyEUR    int        `yaml:"yearly_eur"`
		MonthlyEUR   int        `yaml:"monthly_eur"`
		Schedule     []string   `yaml:"schedule"`
		Duration     string     `yaml:"duration"`
		Conditions   []noteDoc  `yaml:"conditions"`
		Authority    posRef     `yaml:"authority"`
		Sources      []posRef   `yaml:"sources"`
		Uncertain    string     `yaml:"uncertain"`
		Secondary    bool       `yaml:"secondary"`
		Scopes       []scopeDoc `yaml:"scopes"`
		WithContract []posRef   `yaml:"with_contract"`
		Paths        []struct {
			Statuses             []posRef `yaml:"statuses"`
			Projects             []posRef `yaml:"projects"`
			InstalledWithinYears float64  `yaml:"installed_within_years"`
			AlreadyConventionne  *bool    `yaml:"already_conventionne"`
			Text                 string   `yaml:"text"`
			Sources              []posRef `yaml:"sources"`
		} `yaml:"paths"`
		Excluded []exclusionDoc `yaml:"excluded"`
	} `yaml:"aids"`
	RegionalOverrides []struct {
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
	} `yaml:"regional_overrides"`
	Caveats []struct {
		Code      posRef     `yaml:"code"`
		Text      string     `yaml:"text"`
		Sources   []posRef   `yaml:"sources"`
		Uncertain string     `yaml:"uncertain"`
		Secondary bool       `yaml:"secondary"`
		Scopes    []scopeDoc `yaml:"scopes"`
	} `yaml:"caveats"`
	Messages []messageDoc `yaml:"messages"`
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

func (l *rulesLoader) statuses(refs []posRef, what string) []PracticeStatus {
	var out []PracticeStatus
	for _, r := range refs {
		s := PracticeStatus(r.Value)
		if !s.Valid() {
			l.fail(r.Line, "%s : statut inconnu « %s » (attendu %s)", what, r.Value, joinCodes(PracticeStatuses()))
		}
		out = append(out, s)
	}
	return out
}

func (l *rulesLoader) schemes(refs []posRef, what string) []Scheme {
	var out []Scheme
	for _, r := range refs {
		s := Scheme(r.Value)
		if s != SchemeAvenant7 && s != SchemeAvenant5 {
			l.fail(r.Line, "%s : échelle inconnue « %s » (avenant7 ou avenant5)", what, r.Value)
		}
		out = append(out, s)
	}
	return out
}

func (l *rulesLoader) authority(r posRef, line int, what string) Authority {
	a := Authority(r.Value)
	if !a.valid() {
		if r.Line != 0 {
			line = r.Line
		}
		l.fail(line, "%s : autorité inconnue « %s » (attendu cpam, ars ou collectivite)", what, r.Value)
	}
	return a
}

func (l *rulesLoader) scopes(docs []scopeDoc, line int, what string, withStatuses bool) []ruleScope {
	if len(docs) == 0 {
		l.fail(line, "%s : aucune portée (scopes)", what)
	}
	var out []ruleScope
	for _, d := range docs {
		s := ruleScope{
			schemes:   l.schemes(d.Schemes, what),
			statuses:  l.statuses(d.Statuses, what),
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

func anyIn[T comparable](a, b []T) bool {
	for _, x := range a {
		if hasItem(b, x) {
			return true
		}
	}
	return false
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
			statuses:  l.statuses(d.Statuses, what),
			text:      l.text(d.Text, line, what, false),
			sources:   l.sources(d.Sources, line, what, true),
			uncertain: strings.TrimSpace(d.Uncertain),
		})
	}
	return out
}

var (
	yamlLine      = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlFieldLine = regexp.MustCompile(`^field (\S+) not found in type`)
)

// yamlError gives a decoding error the file:line form of the other data errors.
func yamlError(name string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		reason := m[2]
		if f := yamlFieldLine.FindStringSubmatch(reason); f != nil {
			reason = fmt.Sprintf("champ inconnu « %s »", f[1])
		}
		return &DataError{name, line, reason}
	}
	return fmt.Errorf("%s : %w", name, err)
}

// parseRules reads and checks a rules file: every code, category, status, scale,
// authority and source key must be known, every scale × category × status must have
// exactly one conventionnement rule, and every aid must say what it does for each status.
func parseRules(b []byte, name string, known map[string]Source, regions map[string]bool) (*rulesTable, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, yamlError(name, err)
	}
	var doc rulesDoc
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, yamlError(name, err)
	}
	l := &rulesLoader{name: name, known: known, regions: regions, root: &root}
	t := &rulesTable{messages: map[string]ruleMessage{}, sources: known}

	ng := doc.NewGraduate
	ngLine := l.section("new_graduate")
	if ng.StudiesStartYearFrom < 2000 || ng.YearsInEstablishment <= 0 || ng.CommitmentYears <= 0 {
		l.fail(ngLine, "new_graduate : studies_start_year_from, years_in_establishment et commitment_years sont requis")
	}
	l.fill = strings.NewReplacer("{annee}", strconv.Itoa(ng.StudiesStartYearFrom),
		"{annees}", strconv.FormatFloat(ng.YearsInEstablishment, 'f', -1, 64),
		"{engagement}", strconv.Itoa(ng.CommitmentYears))
	t.newGraduate = newGraduateRule{
		name:                 l.text(ng.Name, ngLine, "new_graduate", false),
		fromYear:             ng.StudiesStartYearFrom,
		yearsInEstablishment: ng.YearsInEstablishment,
		commitmentYears:      ng.CommitmentYears,
		text:                 l.text(ng.Text, ngLine, "new_graduate", false),
		details:              l.notes(ng.Details, "new_graduate"),
		authority:            l.authority(ng.Authority, ngLine, "new_graduate"),
		sources:              l.sources(ng.Sources, ngLine, "new_graduate", true),
		uncertain:            strings.TrimSpace(ng.Uncertain),
		secondary:            ng.Secondary,
		appliesTo:            l.statuses(ng.AppliesTo, "new_graduate"),
		others:               l.exclusions(ng.OtherStatuses, ngLine, "new_graduate"),
		countsIn:             l.scopes(ng.CountsIn, ngLine, "new_graduate counts_in", false),
		zoneCounts:           l.text(ng.ZoneCounts, ngLine, "new_graduate", false),
		zoneDoesNotCount:     l.text(ng.ZoneDoesNotCount, ngLine, "new_graduate", false),
		outcomes:             map[NewGraduateOutcome]ruleMessage{},
	}
	for _, o := range ng.Outcomes {
		code := NewGraduateOutcome(o.Code.Value)
		if !hasItem(newGraduateOutcomes, code) {
			l.fail(o.Code.Line, "new_graduate : issue inconnue « %s » (attendu %s)", o.Code.Value, joinCodes(newGraduateOutcomes))
		}
		t.newGraduate.outcomes[code] = ruleMessage{text: l.text(o.Text, o.Code.Line, "new_graduate "+o.Code.Value, false),
			sources: l.sources(o.Sources, o.Code.Line, "new_graduate", false), uncertain: o.Uncertain}
	}

	for _, d := range doc.Conventionnement {
		what := "conventionnement " + d.Code.Value
		r := conventionnementRule{
			code: ConventionnementCode(d.Code.Value), access: Access(d.Access.Value), line: d.Code.Line,
			label:      l.text(d.Label, d.Code.Line, what, false),
			text:       l.text(d.Text, d.Code.Line, what, false),
			conditions: l.notes(d.Conditions, what),
			details:    l.notes(d.Details, what),
			authority:  l.authority(d.Authority, d.Code.Line, what),
			sources:    l.sources(d.Sources, d.Code.Line, what, true),
			uncertain:  strings.TrimSpace(d.Uncertain),
			secondary:  d.Secondary,
			scopes:     l.scopes(d.Scopes, d.Code.Line, what, true),
		}
		if !hasItem([]ConventionnementCode{ConventionnementLibre, ConventionnementRegule, ConventionnementRemplace}, r.code) {
			l.fail(d.Code.Line, "conventionnement : code inconnu « %s » (attendu libre, regule_1_pour_1 ou situation_du_remplace)", d.Code.Value)
		}
		if r.access.rank() == 0 && r.access != AccessClosed {
			l.fail(d.Code.Line, "%s : accès inconnu « %s » (attendu ouvert, sous_conditions ou ferme)", what, d.Access.Value)
		}
		if a := d.AlreadyConventionne; a != nil {
			n := l.notes([]noteDoc{*a}, what)
			r.alreadyConventionne = &n[0]
		}
		t.conventionnement = append(t.conventionnement, r)
	}

	for _, d := range doc.Aids {
		what := "aide " + d.Code.Value
		if d.Code.Value == "" || t.aid(d.Code.Value) != nil {
			l.fail(d.Code.Line, "aide : code vide ou en double « %s »", d.Code.Value)
		}
		a := aidRule{
			code: d.Code.Value, line: d.Code.Line,
			shortName:  l.text(d.ShortName, d.Code.Line, what, false),
			name:       l.text(d.Name, d.Code.Line, what, false),
			amountText: l.text(d.AmountText, d.Code.Line, what, false),
			maxEUR:     d.MaxAmountEUR, yearlyEUR: d.YearlyEUR, monthlyEUR: d.MonthlyEUR,
			schedule:   d.Schedule,
			duration:   strings.TrimSpace(d.Duration),
			conditions: l.notes(d.Conditions, what),
			authority:  l.authority(d.Authority, d.Code.Line, what),
			sources:    l.sources(d.Sources, d.Code.Line, what, true),
			uncertain:  strings.TrimSpace(d.Uncertain),
			secondary:  d.Secondary,
			scopes:     l.scopes(d.Scopes, d.Code.Line, what, false),
			excluded:   l.exclusions(d.Excluded, d.Code.Line, what),
		}
		for _, p := range d.Paths {
			np := entryPath{statuses: l.statuses(p.Statuses, what), installedWithinYears: p.InstalledWithinYears,
				alreadyConventionne: p.AlreadyConventionne, text: l.text(p.Text, d.Code.Line, what, false),
				sources: l.sources(p.Sources, d.Code.Line, what, true)}
			for _, pr := range p.Projects {
				if !Project(pr.Value).Valid() {
					l.fail(pr.Line, "%s : projet inconnu « %s » (attendu creation, reprise ou integration)", what, pr.Value)
				}
				np.projects = append(np.projects, Project(pr.Value))
			}
			if len(np.statuses) == 0 {
				l.fail(d.Code.Line, "%s : un chemin d'accès sans statut", what)
			}
			a.paths = append(a.paths, np)
		}
		for _, w := range d.WithContract {
			a.withContract = append(a.withContract, w.Value)
		}
		t.aids = append(t.aids, a)
	}
	for i, d := range doc.Aids {
		for _, w := range d.WithContract {
			if w.Value == d.Code.Value || t.aid(w.Value) == nil {
				l.fail(w.Line, "aide %s : contrat « %s » inconnu dans with_contract", d.Code.Value, w.Value)
			}
		}
		checkStatusCoverage(l, t.aids[i])
	}

	for _, d := range doc.RegionalOverrides {
		what := "contrat-type régional " + d.Region.Value
		if !regions[d.Region.Value] {
			l.fail(d.Region.Line, "%s : région inconnue « %s » (code INSEE de regions.yaml attendu)", what, d.Region.Value)
		}
		o := regionalOverride{region: d.Region.Value, schemes: l.schemes(d.Schemes, what),
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
		t.overrides = append(t.overrides, o)
	}

	seen := map[string]bool{}
	for _, d := range doc.Caveats {
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

	for _, d := range doc.Messages {
		if _, dup := t.messages[d.Code.Value]; dup || !hasItem(requiredMessages(), d.Code.Value) {
			l.fail(d.Code.Line, "message « %s » inconnu ou en double (attendu %s)", d.Code.Value, strings.Join(requiredMessages(), ", "))
		}
		// Messages are glued to other texts: their spaces are kept.
		text := l.fill.Replace(d.Text)
		l.text(text, d.Code.Line, "message "+d.Code.Value, true)
		t.messages[d.Code.Value] = ruleMessage{text: text, sources: l.sources(d.Sources, d.Code.Line, "message "+d.Code.Value, false),
			uncertain: strings.TrimSpace(d.Uncertain)}
	}

	// Whole-table checks come last, so that an error in an item is reported at the item.
	for _, o := range newGraduateOutcomes {
		if _, ok := t.newGraduate.outcomes[o]; !ok {
			l.fail(ngLine, "new_graduate : texte manquant pour l'issue %s", o)
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
			l.fail(ngLine, "new_graduate : le statut %s doit figurer une fois, dans applies_to ou other_statuses", s)
		}
	}
	for _, m := range requiredMessages() {
		if _, ok := t.messages[m]; !ok {
			l.fail(l.section("messages"), "message « %s » manquant", m)
		}
	}
	checkConventionnementCoverage(l, t)
	if l.err != nil {
		return nil, l.err
	}
	return t, nil
}

// checkStatusCoverage makes every aid say, for each status, either how to get it or
// why not.
func checkStatusCoverage(l *rulesLoader, a aidRule) {
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
func checkConventionnementCoverage(l *rulesLoader, t *rulesTable) {
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
