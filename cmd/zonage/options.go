package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"zonage/zones"
)

// profileFlags are the flags that narrow the installation options to one situation.
type profileFlags struct {
	statut              string
	debutEtudes         int
	anneesEtablissement float64
	dejaConventionne    bool
	projet              string
	installeDepuis      string
}

// profileFlagNames are the flags addProfileFlags adds.
var profileFlagNames = []string{"statut", "debut-etudes", "annees-etablissement", "deja-conventionne", "projet", "installe-depuis"}

func addProfileFlags(cmd *cobra.Command, f *profileFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.statut, "statut", "", "statut d'exercice : titulaire, collaborateur, assistant ou remplacant (défaut : tous)")
	fl.IntVar(&f.debutEtudes, "debut-etudes", 0, "année de début des études de masso-kinésithérapie (condition des nouveaux diplômés)")
	fl.Float64Var(&f.anneesEtablissement, "annees-etablissement", 0, "années d'exercice en établissement sanitaire ou médico-social")
	fl.BoolVar(&f.dejaConventionne, "deja-conventionne", false, "déjà conventionné dans cette zone (--deja-conventionne=false : pas encore)")
	fl.StringVar(&f.projet, "projet", "", "projet : creation, reprise ou integration (d'un cabinet existant)")
	fl.StringVar(&f.installeDepuis, "installe-depuis", "", "date d'installation dans la zone, AAAA-MM-JJ (fenêtres des contrats CACCMK et CAIMK)")
}

// profile reads the flags into a profile; a bad value is a usage error.
func (f *profileFlags) profile(cmd *cobra.Command, today zones.Day) (zones.Profile, error) {
	var p zones.Profile
	if f.statut != "" {
		s, err := zones.ParsePracticeStatus(f.statut)
		if err != nil {
			return p, &exitError{code: exitUsage, err: err}
		}
		p.Status = s
	}
	if f.projet != "" {
		pr, err := zones.ParseProject(f.projet)
		if err != nil {
			return p, &exitError{code: exitUsage, err: err}
		}
		p.Project = pr
	}
	if cmd.Flags().Changed("deja-conventionne") {
		v := f.dejaConventionne
		p.AlreadyConventionneInZone = &v
	}
	p.StudiesStartYear, p.YearsInEstablishment, p.InstalledSince = f.debutEtudes, f.anneesEtablissement, strings.TrimSpace(f.installeDepuis)
	if err := p.Validate(today); err != nil {
		return p, &exitError{code: exitUsage, err: err}
	}
	return p, nil
}

const textWidth = 100

// printOptions writes what the category opens after the zonage lines: for an answer,
// its options; for an ambiguous place, each candidate's.
func printOptions(w io.Writer, r zones.Resolution, p zones.Profile) {
	if len(r.Options) > 0 {
		fmt.Fprintln(w)
		printAssessments(w, "", r.Options, p)
	}
	for _, c := range r.Candidates {
		if len(c.Options) > 0 {
			fmt.Fprintln(w)
			printAssessments(w, fmt.Sprintf(" à %s (%s)", c.Name, c.Code), c.Options, p)
		}
	}
}

// printAssessments shows the assessments of one place side by side: each item once,
// then what it means for each status, statuses with the same answer grouped.
func printAssessments(w io.Writer, where string, as []zones.Assessment, p zones.Profile) {
	first := as[0]
	if !first.Available {
		fmt.Fprintf(w, "Options d'installation%s : %s\n", where, first.Message)
		return
	}
	scale := "règles de l'échelle " + first.Scheme.Label()
	if first.SchemeUnknown {
		scale = "échelle inconnue : seules les règles valables sous les deux échelles"
	}
	fmt.Fprintf(w, "Options d'installation%s — zone %s, %s\n", where, first.CategoryLabel, scale)
	wrap(w, "", "Profil : "+describeProfile(p, len(as)))
	printConventionnement(w, as)
	printNewGraduate(w, as)
	printAids(w, as)
	printCaveats(w, as)
}

// printConventionnement shows the conventionnement rule of each group of statuses
// with the same answer, and the sources it rests on for each.
func printConventionnement(w io.Writer, as []zones.Assessment) {
	fmt.Fprintln(w, "\nCONVENTIONNEMENT")
	for _, g := range groupBy(as, func(a zones.Assessment) string {
		c := a.Conventionnement
		if c == nil {
			return ""
		}
		return fmt.Sprint(c.Code, c.Access, c.Why, c.Text, c.UncertainWhy)
	}) {
		c := g.first.Conventionnement
		if c == nil {
			continue
		}
		wrap(w, "  ", fmt.Sprintf("%s : %s — %s", g.labels, c.Label, c.Access.Label()))
		wrap(w, "    ", c.Text)
		if c.Why != "" {
			wrap(w, "    → ", c.Why)
		}
		printConditions(w, "    ", c.Conditions)
		printConditions(w, "    ", c.Notes)
		// The same rule may rest on other sources for each status (collaborateurs and
		// assistants: secondary sources only).
		bySources := groupBy(g.members, func(a zones.Assessment) string {
			return fmt.Sprint(a.Conventionnement.Sources, a.Conventionnement.Secondary)
		})
		if len(bySources) == 1 {
			printProvenance(w, "    ", c.AuthorityLabel, c.Sources, c.Secondary, c.UncertainWhy)
			continue
		}
		printProvenance(w, "    ", c.AuthorityLabel, nil, false, c.UncertainWhy)
		for _, sg := range bySources {
			sc := sg.first.Conventionnement
			line := "Sources (" + strings.ToLower(sg.labels) + ")" + sourceKeys(sc.Sources)
			if sc.Secondary {
				line += " (sources secondaires)"
			}
			wrap(w, "      ", line)
		}
	}
}

// printNewGraduate shows the rule for new graduates, when the category has one,
// and what it means for each status.
func printNewGraduate(w io.Writer, as []zones.Assessment) {
	if ng := as[0].NewGraduate; ng != nil {
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(ng.Name))
		wrap(w, "  ", ng.Text)
		wrap(w, "  ", ng.ZoneCountsText)
		for _, g := range groupBy(as, func(a zones.Assessment) string { return a.NewGraduate.OutcomeText }) {
			wrap(w, "  → ", fmt.Sprintf("%s : %s", g.labels, uncapitalize(g.first.NewGraduate.OutcomeText)))
		}
		printConditions(w, "  ", ng.Notes)
		printProvenance(w, "  ", ng.AuthorityLabel, ng.Sources, ng.Secondary, ng.UncertainWhy)
	}
}

// printAids shows each aid the category opens once, then who is eligible.
func printAids(w io.Writer, as []zones.Assessment) {
	first := as[0]
	fmt.Fprintln(w, "\nAIDES LIÉES AU ZONAGE")
	if len(first.Aids) == 0 {
		wrap(w, "  ", fmt.Sprintf("Aucune aide liée au zonage en zone %s.", first.CategoryLabel))
	}
	for i, aid := range first.Aids {
		if i > 0 {
			fmt.Fprintln(w)
		}
		wrap(w, "  ", fmt.Sprintf("%s : %s", aid.Name, aid.AmountText))
		if len(aid.Schedule) > 0 || aid.Duration != "" {
			line := "Versements : " + strings.Join(aid.Schedule, " ; ")
			if len(aid.Schedule) == 0 {
				line = "Durée : " + aid.Duration
			} else if aid.Duration != "" {
				line += " — durée " + aid.Duration
			}
			wrap(w, "    ", line)
		}
		printConditions(w, "    ", aid.Conditions)
		for _, r := range aid.Regional {
			wrap(w, "    ", "Contrat-type régional : "+conditionText(r))
		}
		printProvenance(w, "    ", aid.AuthorityLabel, aid.Sources, aid.Secondary, aid.UncertainWhy)
		for _, g := range groupBy(as, func(a zones.Assessment) string {
			x := findAid(a, aid.Code)
			return string(x.Eligibility) + x.Why
		}) {
			x := findAid(g.first, aid.Code)
			wrap(w, "    → ", fmt.Sprintf("%s : %s — %s", g.labels, x.Eligibility.Label(), uncapitalize(x.Why)))
		}
	}
}

// printCaveats shows each caveat once, naming the statuses it concerns when not
// all of them.
func printCaveats(w io.Writer, as []zones.Assessment) {
	fmt.Fprintln(w, "\nÀ SAVOIR")
	seen := map[string]bool{}
	for _, a := range as {
		for _, cv := range a.Caveats {
			if seen[cv.Code] {
				continue
			}
			seen[cv.Code] = true
			var who []string
			for _, b := range as {
				if hasCaveat(b, cv.Code) {
					who = append(who, b.StatusLabel)
				}
			}
			text := cv.Text + sourceKeys(cv.Sources)
			if len(who) < len(as) {
				text = capitalize(strings.Join(who, ", ")) + " : " + uncapitalize(text)
			}
			mark := "•"
			if cv.Uncertain {
				mark = "⚠"
				text += " (incertain : " + cv.UncertainWhy + ")"
			}
			wrap(w, "  "+mark+" ", text)
		}
	}
}

type group struct {
	labels  string
	first   zones.Assessment
	members []zones.Assessment
}

// groupBy gathers the statuses whose answer has the same key, in display order.
func groupBy(as []zones.Assessment, key func(zones.Assessment) string) []group {
	var keys []string
	byKey := map[string][]zones.Assessment{}
	for _, a := range as {
		k := key(a)
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], a)
	}
	var out []group
	for _, k := range keys {
		var labels []string
		for _, a := range byKey[k] {
			labels = append(labels, a.StatusLabel)
		}
		out = append(out, group{labels: capitalize(strings.Join(labels, ", ")), first: byKey[k][0], members: byKey[k]})
	}
	return out
}

func findAid(a zones.Assessment, code string) zones.Aid {
	for _, x := range a.Aids {
		if x.Code == code {
			return x
		}
	}
	return zones.Aid{}
}

func hasCaveat(a zones.Assessment, code string) bool {
	for _, c := range a.Caveats {
		if c.Code == code {
			return true
		}
	}
	return false
}

func printConditions(w io.Writer, indent string, cs []zones.Condition) {
	for _, c := range cs {
		wrap(w, indent+"· ", conditionText(c))
	}
}

func conditionText(c zones.Condition) string {
	t := c.Text + sourceKeys(c.Sources)
	if c.Uncertain {
		t += " ⚠ incertain : " + c.UncertainWhy
	}
	if c.Secondary {
		t += " (source secondaire)"
	}
	return t
}

func printProvenance(w io.Writer, indent, authority string, sources []string, secondary bool, uncertain string) {
	line := "Décide : " + authority
	if len(sources) > 0 {
		line += " · sources" + sourceKeys(sources)
	}
	if secondary {
		line += " (sources secondaires)"
	}
	wrap(w, indent, line)
	if uncertain != "" {
		wrap(w, indent+"⚠ ", "incertain : "+uncertain)
	}
}

func sourceKeys(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return " [" + strings.Join(keys, "][") + "]"
}

func describeProfile(p zones.Profile, n int) string {
	var parts []string
	if p.Status != "" {
		parts = append(parts, p.Status.Label())
	} else if n > 1 {
		parts = append(parts, "tous statuts")
	}
	if p.StudiesStartYear != 0 {
		parts = append(parts, fmt.Sprintf("études commencées en %d", p.StudiesStartYear))
	}
	if p.YearsInEstablishment != 0 {
		years := strings.Replace(strconv.FormatFloat(p.YearsInEstablishment, 'f', -1, 64), ".", ",", 1)
		unit := "an"
		if p.YearsInEstablishment >= 2 {
			unit = "ans"
		}
		parts = append(parts, fmt.Sprintf("%s %s en établissement", years, unit))
	}
	if p.Project != "" {
		parts = append(parts, "projet : "+p.Project.Label())
	}
	if p.InstalledSince != "" {
		parts = append(parts, "installé dans la zone depuis le "+zones.FrenchDate(p.InstalledSince))
	}
	if c := p.AlreadyConventionneInZone; c != nil {
		if *c {
			parts = append(parts, "déjà conventionné dans la zone")
		} else {
			parts = append(parts, "pas encore conventionné dans la zone")
		}
	}
	if len(parts) <= 1 && p.StudiesStartYear == 0 && p.Project == "" && p.InstalledSince == "" && p.AlreadyConventionneInZone == nil && p.YearsInEstablishment == 0 {
		parts = append(parts, "situation non précisée (affinez avec --statut, --debut-etudes, --annees-etablissement, --deja-conventionne, --projet, --installe-depuis)")
	}
	return strings.Join(parts, ", ")
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}

// uncapitalize lowers the first letter of a sentence put after a colon, unless it
// starts an acronym ("CPAM").
func uncapitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	next, _ := utf8.DecodeRuneInString(s[n:])
	if n == 0 || unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// wrap writes text folded at textWidth columns; lines after the first are indented
// as far as the first line's prefix.
func wrap(w io.Writer, prefix, text string) {
	cont := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	line, width := prefix, utf8.RuneCountInString(prefix)
	empty := true
	for _, word := range unbreakable(strings.Fields(text)) {
		n := utf8.RuneCountInString(word)
		if !empty && width+1+n > textWidth {
			fmt.Fprintln(w, line)
			line, width, empty = cont, len(cont), true
		}
		if !empty {
			line += " "
			width++
		}
		line += word
		width += n
		empty = false
	}
	fmt.Fprintln(w, line)
}

// unbreakable joins the words French typography keeps on one line: a space before
// « : ; € » and after «, and the groups of digits of "49 000".
func unbreakable(words []string) []string {
	var out []string
	for _, w := range words {
		if n := len(out); n > 0 {
			prev := out[n-1]
			glue := w == ":" || w == ";" || w == "€" || w == "»" || w == "!" || w == "?" ||
				strings.HasSuffix(prev, "«") || (isDigits(w) && len(w) == 3 && prev != "" && isDigits(prev[len(prev)-1:]))
			if glue {
				out[n-1] = prev + " " + w
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
