package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"zonage/zones"
)

type lookupFlags struct {
	lat, lon   float64
	commune    string
	asJSON     bool
	toleranceM float64
	date       string
	profession string
	profile    profileFlags
	geocoder   geocoderFlags
}

func newLookupCmd() *cobra.Command {
	var f lookupFlags
	cmd := &cobra.Command{
		Use:   `lookup ("ADRESSE" | --lat Y --lon X | --commune CODE)`,
		Short: "Donne la commune, la catégorie de zonage d'une adresse, d'un point ou d'un code commune et les options d'installation qu'elle ouvre",
		Example: `  zonage lookup "12 rue de Vaugirard 75006 Paris"
  zonage lookup --lat 48.8493 --lon 2.3325
  zonage lookup --commune 01330
  zonage lookup --commune 75106 --json
  zonage lookup --lat 48.8493 --lon 2.3325 --profession infirmier
  zonage lookup --commune 01001 --statut collaborateur --installe-depuis 2024-05-01
  zonage lookup --commune 75106 --statut titulaire --debut-etudes 2024 --annees-etablissement 2`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLookup(cmd, args, &f)
		},
	}
	cmd.Flags().Float64Var(&f.lat, "lat", 0, "latitude WGS84 en degrés décimaux")
	cmd.Flags().Float64Var(&f.lon, "lon", 0, "longitude WGS84 en degrés décimaux")
	cmd.Flags().StringVar(&f.commune, "commune", "", "code INSEE de la commune (actuel ou ancien) ou de l'arrondissement")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "réponse en JSON")
	cmd.Flags().StringVar(&f.date, "date", "", "le zonage en vigueur ce jour (AAAA-MM-JJ ; défaut : aujourd'hui)")
	cmd.Flags().StringVar(&f.profession, "profession", "", "profession dont on veut le zonage : "+professionSlugs()+" (défaut : masseur-kinesitherapeute)")
	cmd.Flags().Float64Var(&f.toleranceM, "tolerance", zones.DefaultCoastTolerance, "distance maximale (m) pour rattacher un point hors contour à la commune la plus proche")
	addProfileFlags(cmd, &f.profile)
	addGeocoderFlags(cmd, &f.geocoder)
	return cmd
}

func runLookup(cmd *cobra.Command, args []string, f *lookupFlags) error {
	address, latSet, err := lookupTarget(cmd, args, f)
	if err != nil {
		return err
	}
	profession, res, profile, err := lookupResolver(cmd, f)
	if err != nil {
		return err
	}
	day, err := dayFlag(f.date, res)
	if err != nil {
		return err
	}
	var r zones.Resolution
	switch {
	case address != "":
		r, err = res.ResolveAddress(zones.Query{Text: address, Day: day})
	case latSet:
		r, err = res.ResolvePointOn(f.lat, f.lon, day)
	default:
		r, err = res.ResolveCodeOn(f.commune, day)
	}
	var ie *zones.InputError
	if errors.As(err, &ie) {
		return &exitError{code: exitUsage, err: err}
	}
	if err != nil {
		return err
	}
	res.FillOptions(&r, profile)
	if err := printLookup(cmd.OutOrStdout(), f, r, profession, profile); err != nil {
		return err
	}
	if r.Status != zones.StatusOK {
		return &exitError{code: exitNotFound}
	}
	return nil
}

// lookupTarget reads what is looked up: an address (the arguments; a lone
// argument that is a commune code is taken for --commune), a point (latSet) or
// a commune code (f.commune). Two of them, or none, is a usage error.
func lookupTarget(cmd *cobra.Command, args []string, f *lookupFlags) (address string, latSet bool, err error) {
	latSet, lonSet := cmd.Flags().Changed("lat"), cmd.Flags().Changed("lon")
	if len(args) == 1 && f.commune == "" && !latSet && !lonSet && zones.ValidCommuneCode(strings.ToUpper(strings.TrimSpace(args[0]))) {
		f.commune = args[0]
		args = nil
	}
	address = strings.TrimSpace(strings.Join(args, " "))
	switch {
	case address != "" && (latSet || lonSet || f.commune != ""):
		return "", false, usageErr("donnez soit une adresse, soit --lat/--lon, soit --commune")
	case address != "":
	case latSet != lonSet:
		return "", false, usageErr("--lat et --lon vont ensemble")
	case latSet && f.commune != "":
		return "", false, usageErr("donnez soit --lat/--lon, soit --commune, pas les deux")
	case !latSet && f.commune == "":
		return "", false, usageErr("donnez une adresse, --lat et --lon, ou --commune\n%s", cmd.UsageString())
	}
	return address, latSet, nil
}

// lookupResolver is the resolver answering for the profession --profession
// names, with the address matcher the flags choose, and the profile its
// options are narrowed to (the kinés' only: a profile flag with another
// profession is a usage error).
func lookupResolver(cmd *cobra.Command, f *lookupFlags) (zones.Profession, *zones.Resolver, zones.Profile, error) {
	profession, err := zones.ParseProfession(f.profession)
	if err != nil {
		return "", nil, zones.Profile{}, usageErr("--profession : %v", err)
	}
	base, err := newResolver(cmd, f.toleranceM)
	if err != nil {
		return "", nil, zones.Profile{}, err
	}
	res, err := base.For(profession)
	if err != nil {
		return "", nil, zones.Profile{}, usageErr("--profession : %v", err)
	}
	if profession != zones.MasseurKine {
		// The profile narrows the kinés' options; another profession's answer has none.
		for _, name := range profileFlagNames {
			if cmd.Flags().Changed(name) {
				return "", nil, zones.Profile{}, usageErr("--%s précise les options d'installation des masseurs-kinésithérapeutes : sans objet avec --profession %s", name, profession)
			}
		}
	}
	profile, err := f.profile.profile(cmd, res.Today())
	if err != nil {
		return "", nil, zones.Profile{}, err
	}
	if err := f.geocoder.apply(res); err != nil {
		return "", nil, zones.Profile{}, err
	}
	return profession, res, profile, nil
}

// printLookup writes the answer, in JSON with --json, else for people.
func printLookup(w io.Writer, f *lookupFlags, r zones.Resolution, profession zones.Profession, profile zones.Profile) error {
	if f.asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	if f.date != "" {
		fmt.Fprintf(w, "Zonage en vigueur le %s\n", r.Date.French())
	}
	printResolution(w, r, profession)
	printOptions(w, r, profile)
	printInstallations(w, r)
	return nil
}

// zonageTitle names the zonage of a profession in the text answers.
func zonageTitle(p zones.Profession) string {
	if p == zones.MasseurKine || p == "" {
		return "Zonage kiné"
	}
	return "Zonage " + p.Plural()
}

func printResolution(w io.Writer, r zones.Resolution, p zones.Profession) {
	if c := r.Commune; c != nil {
		place := c.Region.Name
		switch {
		case c.DepartementName != "" && c.DepartementName == c.Region.Name:
			// Overseas, the région has the département's name: it is said once.
			place = fmt.Sprintf("%s (%s)", c.DepartementName, c.Departement)
		case c.DepartementName != "":
			place = fmt.Sprintf("%s (%s), %s", c.DepartementName, c.Departement, c.Region.Name)
		case c.Departement != "":
			place = fmt.Sprintf("département %s, %s", c.Departement, c.Region.Name)
		}
		fmt.Fprintf(w, "%s (%s) — %s\n", c.Name, c.Code, place)
	}
	if f := r.Former; f != nil {
		fmt.Fprintf(w, "Code demandé : %s %s, ancienne commune rattachée à %s%s\n", f.Code, f.Name, f.Current, frenchSince(f.Date))
	}
	switch r.Status {
	case zones.StatusOK:
		printZonage(w, "", *r.Zonage, p)
	case zones.StatusAmbiguous:
		fmt.Fprintf(w, "%s : AMBIGU — %s\n", zonageTitle(p), r.Message)
		for _, c := range r.Candidates {
			fmt.Fprintf(w, "  • %s (%s) : %s\n", c.Name, c.Code, c.Zonage.Label)
		}
	default:
		fmt.Fprintf(w, "Introuvable : %s\n", r.Message)
	}
	switch r.Match.Method {
	case zones.MethodInside:
		fmt.Fprintln(w, "Trouvé par : point situé dans le contour de la commune")
	case zones.MethodNearest:
		fmt.Fprintf(w, "Trouvé par : commune la plus proche, à %.0f m (point hors des contours simplifiés : littoral ou interstice entre communes)\n", r.Match.DistanceM)
	case zones.MethodCode:
		fmt.Fprintln(w, "Trouvé par : code commune")
	case zones.MethodFormerCode:
		fmt.Fprintln(w, "Trouvé par : code d'une ancienne commune")
	case zones.MethodAddress:
		level := map[zones.AddressLevel]string{zones.LevelHouseNumber: "adresse (numéro dans la voie)", zones.LevelStreet: "voie",
			zones.LevelMunicipality: "commune"}[r.Match.Level]
		if level == "" {
			level = "adresse"
		}
		label := ""
		if r.Match.Label != "" {
			label = " — « " + r.Match.Label + " »"
		}
		fmt.Fprintf(w, "Trouvé par : %s%s, précision %s, score %.2f\n", level, label, r.Match.Precision, r.Match.Score)
		for _, warn := range r.Match.Warnings {
			fmt.Fprintf(w, "  ⚠ %s\n", warn)
		}
	}
	pv := r.Provenance
	fmt.Fprintf(w, "Données : %s — %s ; contours %s ; version %s\n", pv.ZonageSource, pv.ZonageVintage, pv.GeoVintage, pv.DatasetVersion)
}

// printInstallations writes what the category means for installing, for a
// profession other than the kiné: for an answer, its installation; for an
// ambiguous place, each candidate's.
func printInstallations(w io.Writer, r zones.Resolution) {
	if r.Installation != nil {
		fmt.Fprintln(w)
		printInstallation(w, "", r.Installation, r.Zonage)
	}
	for _, c := range r.Candidates {
		if c.Installation != nil {
			fmt.Fprintln(w)
			printInstallation(w, fmt.Sprintf(" à %s (%s)", c.Name, c.Code), c.Installation, &c.Zonage)
		}
	}
}

func printInstallation(w io.Writer, where string, in *zones.Installation, z *zones.ZonageAnswer) {
	zone := ""
	switch {
	case z == nil:
	case z.Category == zones.NonDisponible:
		// « zone résultat non disponible » would read as a kind of zone.
		zone = " — zonage : " + z.Label
	default:
		zone = " — zone " + z.Label
	}
	convention := ""
	if in.Convention != "" {
		convention = ", " + in.Convention
	}
	wrap(w, "", fmt.Sprintf("Installation des %s%s%s%s", in.Profession.Plural(), where, zone, convention))
	if !in.Covered {
		wrap(w, "  ", capitalize(nonEmpty(in.Message, zones.NotCoveredMessage)))
	}
	for _, it := range in.Items {
		wrap(w, "  ", fmt.Sprintf("%s — %s", strings.ToUpper(string(it.Kind)), it.Title))
		wrap(w, "    ", it.Text)
		line := "Sources" + sourceKeys(it.Sources)
		if it.Secondary {
			line += " (sources secondaires)"
		}
		wrap(w, "    · ", line)
		if it.Uncertain != "" {
			wrap(w, "    ⚠ ", "incertain : "+it.Uncertain)
		}
	}
	if p := in.OfficialPage; p.URL != "" {
		wrap(w, "  ", fmt.Sprintf("Page officielle : %s — %s", p.Title, p.URL))
	}
}

func printZonage(w io.Writer, indent string, z zones.ZonageAnswer, p zones.Profession) {
	fmt.Fprintf(w, "%s%s : %s (code officiel %s", indent, zonageTitle(p), z.Label, z.OfficialCode)
	if z.Scheme != "" {
		fmt.Fprintf(w, ", échelle %s", z.SchemeLabel)
	}
	fmt.Fprintln(w, ")")
	var arrete []string
	if z.ArreteRef != "" {
		arrete = append(arrete, z.ArreteRef)
	}
	if z.ArreteDate != "" {
		arrete = append(arrete, "arrêté du "+zones.FrenchDate(z.ArreteDate))
	}
	if z.EffectiveDate != "" {
		arrete = append(arrete, "en vigueur depuis le "+zones.FrenchDate(z.EffectiveDate))
	}
	if len(arrete) == 0 {
		arrete = append(arrete, "date de l'arrêté non connue")
	}
	line := fmt.Sprintf("%sRégion : %s — %s", indent, z.Region.Name, strings.Join(arrete, ", "))
	if len(z.DateSources) > 0 {
		line += " [" + strings.Join(z.DateSources, "][") + "]"
	}
	fmt.Fprintln(w, line)
	if z.DateNote != "" {
		wrap(w, indent+"  ⚠ ", z.DateNote)
	}
	for _, c := range z.DateClaims {
		var parts []string
		if c.ArreteDate != "" {
			parts = append(parts, "arrêté du "+zones.FrenchDate(c.ArreteDate))
		}
		if c.EffectiveDate != "" {
			parts = append(parts, "en vigueur le "+zones.FrenchDate(c.EffectiveDate))
		}
		if c.ArreteRef != "" {
			parts = append(parts, c.ArreteRef)
		}
		wrap(w, indent+"    · ", fmt.Sprintf("%s selon %s [%s]", strings.Join(parts, ", "), c.Note, strings.Join(c.Sources, "][")))
	}
	if rv := z.Revision; rv != nil {
		switch {
		case rv.Warning != "":
			wrap(w, indent+"  ⚠ ", rv.Warning)
		case rv.Expected != "":
			wrap(w, indent+"  ", fmt.Sprintf("Zonage en vigueur depuis %s ; révision attendue le %s (tous les deux ans, loi n° 2023-1268)", nonEmpty(rv.Age, "moins d'un jour"), zones.FrenchDate(rv.Expected)))
		case rv.Note != "":
			wrap(w, indent+"  ", rv.Note)
		}
	}
	if c := z.Catchment; c != nil {
		wrap(w, indent+"Unité de zonage : ", fmt.Sprintf("%s %s %s%s", c.Kind.Label(), c.Code, c.Name, catchmentReading(c)))
	}
	if u := z.Upcoming; u != nil {
		fmt.Fprintf(w, "%sÀ partir du %s : %s (%s)\n", indent, zones.FrenchDate(u.EffectiveDate), u.Label, u.Source)
	}
}

func frenchSince(iso string) string {
	if iso == "" {
		return ""
	}
	return " depuis le " + zones.FrenchDate(iso)
}

// catchmentReading says what the unit means for the answer, as far as the data shows:
// a unit whose communes have different categories is not classed as a whole.
func catchmentReading(c *zones.Catchment) string {
	derived := ""
	if c.Derived {
		derived = " (reconstitué à partir des tables INSEE, indicatif)"
	}
	switch {
	case c.Coherent == zones.CoherenceUnknown:
		return derived
	case c.Coherent == zones.CoherenceOne && c.Communes == 1:
		return derived + " — seule commune de l'unité dans les données"
	case c.Coherent == zones.CoherenceOne:
		return fmt.Sprintf("%s — ses %d communes ont toutes cette catégorie : l'ARS classe l'unité entière", derived, c.Communes)
	}
	return fmt.Sprintf("%s — ses %d communes n'ont pas toutes la même catégorie dans les données : seule la catégorie de la commune compte", derived, c.Communes)
}

func nonEmpty(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}
