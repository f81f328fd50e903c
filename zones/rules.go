package zones

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

// Rules is a checked rules table: for each scale, category and practice status, the
// conventionnement, the aids and the caveats, each with its sources. The one built
// into the binary is EmbeddedRules; a Resolver carries the one it answers with.
type Rules struct {
	table *rulesTable
}
