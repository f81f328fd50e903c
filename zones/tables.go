package zones

import (
	_ "embed"
	"sync"
)

// The tables built into the binary: the bibliography (sources.yaml), the regions
// and their arrêtés (regions.yaml), the kiné installation rules (rules.yaml) and
// the other professions' installation rules (installation.yaml). Each rests on the
// ones before it: a region or a rule cites source keys, a rule names regions.

//go:embed sources.yaml
var sourcesYAML []byte

//go:embed regions.yaml
var regionsYAML []byte

//go:embed rules.yaml
var rulesYAML []byte

//go:embed installation.yaml
var installationYAML []byte

// tables is the embedded tables, read and checked together.
type tables struct {
	sources       map[string]Source
	regions       []Region
	regionsByCode map[string]*Region
	regionsByName map[string]*Region
	rules         *Rules
	installation  *InstallationRules
}

// loadTables reads the embedded tables the first time they are needed and keeps
// them, or keeps the first error with its file and line.
var loadTables = sync.OnceValues(func() (*tables, error) {
	sources, err := parseSources(sourcesYAML, "zones/sources.yaml")
	if err != nil {
		return nil, err
	}
	regions, err := parseRegions(regionsYAML, "zones/regions.yaml", sources)
	if err != nil {
		return nil, err
	}
	t := &tables{sources: sources, regions: regions}
	t.regionsByCode, t.regionsByName = indexRegions(regions)
	rules, err := parseRules(rulesYAML, "zones/rules.yaml", sources, t.regionCodes())
	if err != nil {
		return nil, err
	}
	t.rules = &Rules{rules}
	if t.installation, err = parseInstallation(installationYAML, "zones/installation.yaml", sources); err != nil {
		return nil, err
	}
	return t, nil
})

// CheckEmbedded reads the embedded tables and returns their first error, with its
// file and line. The command calls it at start so that a binary built from a broken
// table stops with that error instead of answering without regions or rules.
func CheckEmbedded() error {
	_, err := loadTables()
	return err
}

// embedded is the embedded tables; empty ones when they failed to load, which
// CheckEmbedded reports: a lookup then finds nothing rather than stopping the program.
func embedded() *tables {
	if t, err := loadTables(); err == nil {
		return t
	}
	return &tables{}
}

func (t *tables) regionCodes() map[string]bool {
	codes := map[string]bool{}
	for _, r := range t.regions {
		codes[r.Code] = true
	}
	return codes
}

// EmbeddedRules is the rules table built into the binary.
func EmbeddedRules() (*Rules, error) {
	t, err := loadTables()
	if err != nil {
		return nil, err
	}
	return t.rules, nil
}

// rules is the table the resolver assesses with: its own, else the embedded one.
// The command has checked the embedded tables at start (CheckEmbedded); a program
// that did not and runs with a broken table stops here with the table's error.
func (r *Resolver) rules() *Rules {
	if r.Rules != nil {
		return r.Rules
	}
	rules, err := EmbeddedRules()
	if err != nil {
		panic(err)
	}
	return rules
}
