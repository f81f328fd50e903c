package zones

import "strings"

// The codes of an assessment: practice statuses, projects, authorities, accesses,
// eligibilities and new-graduate outcomes. Codes are the contract of the JSON
// outputs and of the command-line flags; never rename one.

// PracticeStatus is the stable code of a libéral practice status.
type PracticeStatus string

// The statuses: holder of the cabinet, collaborateur libéral (own patientèle),
// assistant libéral (no own patientèle), remplaçant.
const (
	Titulaire     PracticeStatus = "titulaire"
	Collaborateur PracticeStatus = "collaborateur"
	Assistant     PracticeStatus = "assistant"
	Remplacant    PracticeStatus = "remplacant"
)

var statusCodes = enum[PracticeStatus]{field: "statut", unknown: "statut inconnu", entries: []enumEntry[PracticeStatus]{
	{Titulaire, "titulaire"},
	{Collaborateur, "collaborateur libéral"},
	{Assistant, "assistant libéral"},
	{Remplacant, "remplaçant"},
}}

// PracticeStatuses lists every status in display order.
func PracticeStatuses() []PracticeStatus { return statusCodes.codes() }

// Valid reports whether s is one of the known codes.
func (s PracticeStatus) Valid() bool { return statusCodes.valid(s) }

// Label is the French name of the status ("collaborateur libéral").
func (s PracticeStatus) Label() string { return statusCodes.label(s) }

// ParsePracticeStatus reads a status code, ignoring case and the cedilla of
// « remplaçant ».
func ParsePracticeStatus(raw string) (PracticeStatus, error) {
	return statusCodes.parse(raw, strings.NewReplacer("ç", "c"))
}

// Project is what the kiné means to do in the zone.
type Project string

const (
	ProjectCreation    Project = "creation"    // create a cabinet
	ProjectReprise     Project = "reprise"     // take over the cabinet of a kiné who stops
	ProjectIntegration Project = "integration" // join an existing cabinet
)

var projectCodes = enum[Project]{field: "projet", unknown: "projet inconnu", entries: []enumEntry[Project]{
	{ProjectCreation, "création de cabinet"},
	{ProjectReprise, "reprise de cabinet"},
	{ProjectIntegration, "intégration d'un cabinet existant"},
}}

// Valid reports whether p is one of the known codes.
func (p Project) Valid() bool { return projectCodes.valid(p) }

// Label is the French name of the project.
func (p Project) Label() string { return projectCodes.label(p) }

// ParseProject reads a project code (creation, reprise, integration), ignoring case
// and accents.
func ParseProject(raw string) (Project, error) {
	return projectCodes.parse(raw, strings.NewReplacer("é", "e", "É", "e"))
}

// Authority is who decides on an item.
type Authority string

// The authorities: the CPAM of the place of practice, the ARS, a collectivité.
const (
	AuthorityCPAM         Authority = "cpam"
	AuthorityARS          Authority = "ars"
	AuthorityCollectivite Authority = "collectivite"
)

var authorityCodes = enum[Authority]{field: "autorité", unknown: "autorité inconnue", entries: []enumEntry[Authority]{
	{AuthorityCPAM, "CPAM du lieu d'exercice"},
	{AuthorityARS, "ARS"},
	{AuthorityCollectivite, "collectivité territoriale"},
}}

// Label is the French name of the authority.
func (a Authority) Label() string { return authorityCodes.label(a) }

// ConventionnementCode is the kind of access to conventionnement a zone gives a status.
type ConventionnementCode string

// The conventionnement codes: free; regulated « 1 départ pour 1 installation »; for a
// remplaçant, the conventional situation of the kiné replaced.
const (
	ConventionnementLibre    ConventionnementCode = "libre"
	ConventionnementRegule   ConventionnementCode = "regule_1_pour_1"
	ConventionnementRemplace ConventionnementCode = "situation_du_remplace"
)

var conventionnementCodes = codeSet("conventionnement", "code inconnu",
	ConventionnementLibre, ConventionnementRegule, ConventionnementRemplace)

// Access says whether conventionnement is open to a profile.
type Access string

// The accesses, from the most open.
const (
	AccessOpen        Access = "ouvert"
	AccessConditional Access = "sous_conditions"
	AccessClosed      Access = "ferme"
)

var accessCodes = enum[Access]{field: "accès", unknown: "accès inconnu", entries: []enumEntry[Access]{
	{AccessOpen, "ouvert"},
	{AccessConditional, "sous conditions"},
	{AccessClosed, "fermé"},
}}

// Label is the French word for the access ("sous conditions").
func (a Access) Label() string { return accessCodes.label(a) }

// rank orders accesses from closed to open, so that combining two keeps the narrower.
func (a Access) rank() int { return accessCodes.rank(a) }

// Eligibility says whether an aid is open to a profile. Eligible means the profile
// meets the entry condition; the aid's other conditions (activity, equipment) remain.
type Eligibility string

// The eligibilities, from the most open.
const (
	Eligible    Eligibility = "eligible"
	EligibleIf  Eligibility = "sous_conditions"
	NotEligible Eligibility = "non_eligible"
)

var eligibilityCodes = enum[Eligibility]{field: "éligibilité", unknown: "éligibilité inconnue", entries: []enumEntry[Eligibility]{
	{Eligible, "éligible"},
	{EligibleIf, "sous conditions"},
	{NotEligible, "non éligible"},
}}

// Label is the French word for the eligibility ("éligible").
func (e Eligibility) Label() string { return eligibilityCodes.label(e) }

func (e Eligibility) rank() int { return eligibilityCodes.rank(e) }

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

// outcomeCodes are the outcomes the rules file words; hors_champ is not among
// them, since its text is the status's own exclusion.
var outcomeCodes = codeSet("issue", "issue inconnue", NewGraduateUnknown, NewGraduateNotConcerned,
	NewGraduateConventionne, NewGraduateMet, NewGraduateCommitment, NewGraduateNotMet)
