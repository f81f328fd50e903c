package zones

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The loader of installation.yaml, from its YAML nodes to the checked table. Like
// the rules, every key, category and source is reported at its own line.

type installationDoc struct {
	Convention   string           `yaml:"convention"`
	OfficialPage officialPageDoc  `yaml:"official_page"`
	Sources      []posRef         `yaml:"sources"`
	Items        []installItemDoc `yaml:"items"`
	line         int              // the line of the profession's key
	profession   Profession       // the profession the key names
}

type officialPageDoc struct {
	Title string `yaml:"title"`
	URL   string `yaml:"url"`
}

// installItemDoc is one item of a profession; it keeps its own line.
type installItemDoc struct {
	Kind       posRef
	Categories []posRef
	Title      string
	Text       string
	AmountEUR  int
	Sources    []posRef
	Uncertain  string
	Line       int
}

func (d *installItemDoc) decodeNode(n *yaml.Node) error {
	var m struct {
		Kind       posRef   `yaml:"kind"`
		Categories []posRef `yaml:"categories"`
		Title      string   `yaml:"title"`
		Text       string   `yaml:"text"`
		AmountEUR  int      `yaml:"amount_eur"`
		Sources    []posRef `yaml:"sources"`
		Uncertain  string   `yaml:"uncertain"`
	}
	if err := decodeNode(n, &m); err != nil {
		return err
	}
	*d = installItemDoc{Kind: m.Kind, Categories: m.Categories, Title: m.Title, Text: m.Text, AmountEUR: m.AmountEUR,
		Sources: m.Sources, Uncertain: m.Uncertain, Line: n.Line}
	return nil
}

// parseInstallation reads and checks an installation table: one entry per
// profession other than the kiné, each with its convention, its official page and
// sourced items whose categories are on the profession's scale.
func parseInstallation(b []byte, name string, known map[string]Source) (*InstallationRules, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		// A syntax error: yaml.v3 gives its line in its own message only.
		return nil, fmt.Errorf("%s : %w", name, err)
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &DataError{name, 1, "une table profession → règles d'installation est attendue"}
	}
	m := root.Content[0]
	l := &rulesLoader{name: name, known: known, fill: strings.NewReplacer()}
	ir := &InstallationRules{byProfession: map[Profession]*professionInstallation{}}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		p := Profession(k.Value)
		switch {
		case p == MasseurKine:
			return nil, &DataError{name, k.Line, fmt.Sprintf("profession « %s » : ses règles sont dans rules.yaml", k.Value)}
		case !p.Valid():
			return nil, &DataError{name, k.Line, fmt.Sprintf("profession inconnue « %s » (attendu %s)", k.Value, joinCodes(otherProfessions()))}
		case ir.byProfession[p] != nil:
			return nil, &DataError{name, k.Line, fmt.Sprintf("profession « %s » en double", k.Value)}
		}
		d := installationDoc{line: k.Line, profession: p}
		if err := decodeNode(v, &d); err != nil {
			return nil, err.(*nodeError).at(name)
		}
		ir.byProfession[p] = l.professionInstallation(d)
		if l.err != nil {
			return nil, l.err
		}
	}
	for _, p := range otherProfessions() {
		if ir.byProfession[p] == nil {
			return nil, &DataError{name, 1, fmt.Sprintf("profession « %s » absente : chacune doit au moins nommer sa convention et sa page officielle", p)}
		}
	}
	return ir, nil
}

// otherProfessions is every profession but the kiné, in display order.
func otherProfessions() []Profession {
	return slices.DeleteFunc(Professions(), func(p Profession) bool { return p == MasseurKine })
}

func (l *rulesLoader) professionInstallation(d installationDoc) *professionInstallation {
	p, what := d.profession, "profession "+string(d.profession)
	pi := &professionInstallation{
		convention: l.text(d.Convention, d.line, what+" : convention", false),
		officialPage: OfficialPage{Title: l.text(d.OfficialPage.Title, d.line, what+" : official_page.title", false),
			URL: strings.TrimSpace(d.OfficialPage.URL)},
		answers: map[Category]*Installation{},
	}
	if !strings.HasPrefix(pi.officialPage.URL, "https://") && !strings.HasPrefix(pi.officialPage.URL, "http://") {
		l.fail(d.line, "%s : official_page.url « %s » n'est pas une adresse http(s)", what, pi.officialPage.URL)
	}
	l.sources(d.Sources, d.line, what, true)

	byCategory := map[Category][]InstallationItem{}
	seen := map[string]int{}
	for _, it := range d.Items {
		item := l.installationItem(p, it)
		if first, dup := seen[item.Title]; dup {
			l.fail(it.Line, "%s : élément « %s » en double (déjà ligne %d) ; une liste de catégories suffit", what, item.Title, first)
		}
		seen[item.Title] = it.Line
		for _, c := range it.Categories {
			byCategory[Category(c.Value)] = append(byCategory[Category(c.Value)], item)
		}
	}
	for _, c := range p.Scale() {
		items := byCategory[c]
		if len(items) == 0 {
			pi.answers[c] = pi.notCovered(p)
			continue
		}
		pi.answers[c] = &Installation{Profession: p, Covered: true, OfficialPage: pi.officialPage,
			Convention: pi.convention, Items: items}
	}
	return pi
}

func (l *rulesLoader) installationItem(p Profession, d installItemDoc) InstallationItem {
	what := fmt.Sprintf("profession %s, élément « %s »", p, strings.TrimSpace(d.Title))
	item := InstallationItem{
		Kind:      code(l, installationKinds, d.Kind, d.Line, what),
		Title:     l.text(d.Title, d.Line, fmt.Sprintf("profession %s : élément", p), false),
		Text:      l.text(d.Text, d.Line, what, false),
		AmountEUR: d.AmountEUR,
		Sources:   l.sources(d.Sources, d.Line, what, true),
		Uncertain: strings.TrimSpace(d.Uncertain),
	}
	if d.AmountEUR < 0 {
		l.fail(d.Line, "%s : amount_eur %d négatif", what, d.AmountEUR)
	}
	if len(d.Categories) == 0 {
		l.fail(d.Line, "%s : aucune catégorie (categories)", what)
	}
	for _, r := range d.Categories {
		c := Category(r.Value)
		switch {
		case !c.Valid() || c == NonDisponible:
			l.fail(r.Line, "%s : catégorie inconnue « %s » (attendu %s)", what, r.Value, joinCodes(p.Categories()))
		case !p.HasCategory(c):
			l.fail(r.Line, "%s : la catégorie %s n'est pas sur l'échelle des %s (attendu %s)", what, c, p.Plural(), joinCodes(p.Categories()))
		}
	}
	// An item rests on secondary sources only when every one of them is.
	item.Secondary = len(item.Sources) > 0
	for _, k := range item.Sources {
		if s, ok := l.known[k]; ok && !s.Secondary {
			item.Secondary = false
		}
	}
	return item
}
