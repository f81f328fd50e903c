package zones

// Installation rules of the professions other than the kiné. The kiné has a full
// rules table (rules.yaml: statuses, projects, new graduates, regional contracts);
// the other professions have, per zone category, the sourced facts of their own
// national convention and nothing more: what was not read in a source is not said.

// InstallationKind says what an installation item is about.
type InstallationKind string

// The kinds of installation items.
const (
	// KindConventionnement is a rule on the access to conventionnement in the zone.
	KindConventionnement InstallationKind = "conventionnement"
	// KindAide is an aid, or the absence of the conventional aids, in the zone.
	KindAide InstallationKind = "aide"
	// KindEngagement is a commitment a professional takes by installing in the zone.
	KindEngagement InstallationKind = "engagement"
	// KindAutre is any other sourced fact about installing in the zone.
	KindAutre InstallationKind = "autre"
)

var installationKinds = codeSet("type", "type inconnu", KindConventionnement, KindAide, KindEngagement, KindAutre)

// NotCoveredMessage is the message of an installation answer the sources read do
// not cover: the official page is then the place to look.
const NotCoveredMessage = "règles d'installation non couvertes pour cette profession"

// OfficialPage is the page a professional should read for the rules of their profession.
type OfficialPage struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// InstallationItem is one sourced fact about installing in a zone.
type InstallationItem struct {
	Kind  InstallationKind `json:"kind"`
	Title string           `json:"title"`
	Text  string           `json:"text"`
	// AmountEUR is the amount the text states, in euros, when it states one.
	AmountEUR int `json:"amount_eur,omitempty"`
	// Sources are keys of the bibliography (GET /api/v1/sources).
	Sources []string `json:"sources"`
	// Uncertain says why the item is not confirmed, when it is not.
	Uncertain string `json:"uncertain,omitempty"`
	// Secondary is set when only secondary sources (press, unions, firms) support it.
	Secondary bool `json:"secondary,omitempty"`
}

// Installation is what a zone category means for installing, for a profession
// other than the kiné. Covered is false when no sourced item applies to the
// category: Message then says so and OfficialPage is where to read the rules.
// An Installation returned by the resolver is shared between answers: read-only.
type Installation struct {
	Profession   Profession         `json:"profession"`
	Covered      bool               `json:"covered"`
	Message      string             `json:"message,omitempty"`
	OfficialPage OfficialPage       `json:"official_page"`
	Convention   string             `json:"convention,omitempty"`
	Items        []InstallationItem `json:"items"`
}

// InstallationRules is the checked table of installation.yaml: per profession
// other than the kiné, its convention, its official page and its sourced items
// by category.
type InstallationRules struct {
	byProfession map[Profession]*professionInstallation
}

type professionInstallation struct {
	convention   string
	officialPage OfficialPage
	// answers holds the answer for every category of the profession's scale
	// (non_disponible included), built once at load.
	answers map[Category]*Installation
}

// For returns the installation answer for profession p in category c, or nil when
// p is the kiné (whose rules are the Options) or is not in the table, or when there
// is no category (a candidate the profession's export does not list).
func (ir *InstallationRules) For(p Profession, c Category) *Installation {
	if ir == nil || c == "" {
		return nil
	}
	pi, ok := ir.byProfession[p]
	if !ok {
		return nil
	}
	if a, ok := pi.answers[c]; ok {
		return a
	}
	// A category off the profession's scale: the data is not the profession's,
	// nothing of its rules applies.
	return pi.notCovered(p)
}

func (pi *professionInstallation) notCovered(p Profession) *Installation {
	return &Installation{Profession: p, Message: NotCoveredMessage, OfficialPage: pi.officialPage,
		Convention: pi.convention, Items: []InstallationItem{}}
}

// EmbeddedInstallation is the installation table built into the binary.
func EmbeddedInstallation() (*InstallationRules, error) {
	t, err := loadTables()
	if err != nil {
		return nil, err
	}
	return t.installation, nil
}

// installation is the table the resolver answers other professions with. The
// command has checked the embedded tables at start (CheckEmbedded), as for the rules.
func (r *Resolver) installation() *InstallationRules {
	ir, err := EmbeddedInstallation()
	if err != nil {
		panic(err)
	}
	return ir
}

// fillInstallation answers a resolution for a profession other than the kiné: no
// kiné options, the profession's installation rules for its category instead.
func (r *Resolver) fillInstallation(res *Resolution, p Profession) {
	ir := r.installation()
	res.Options = nil
	if res.Zonage != nil {
		res.Installation = ir.For(p, res.Zonage.Category)
	}
	for i := range res.Candidates {
		c := &res.Candidates[i]
		c.Options = nil
		c.Installation = ir.For(p, c.Zonage.Category)
	}
}
