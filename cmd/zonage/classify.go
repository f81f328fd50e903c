package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"zonage/geo/csvbatch"
	"zonage/internal/atomicfile"
	"zonage/internal/batch"
	"zonage/internal/french"
	"zonage/zones"
)

type classifyFlags struct {
	out              string
	columns          map[csvbatch.Role]*string
	noHeader, raw    bool
	delim, enc       string
	outDelim, outEnc string
	toleranceM       float64
	date             string
	profession       string
	quiet            bool
	geocoder         geocoderFlags
}

func newClassifyCmd() *cobra.Command {
	f := classifyFlags{columns: map[csvbatch.Role]*string{}}
	cmd := &cobra.Command{
		Use:   "classify ENTREE.csv [-o SORTIE.csv]",
		Short: "Classe chaque ligne d'un fichier CSV d'adresses, de coordonnées ou de codes INSEE",
		Long: `Lit un CSV (séparateur ; , tabulation ou | ; UTF-8 avec ou sans BOM, Windows-1252 ou UTF-16),
trouve les colonnes par leur nom (adresse, code postal, ville, latitude/longitude,
code INSEE…) ou par les options --col-*, et écrit chaque ligne, dans l'ordre, avec
ses colonnes d'origine suivies de :
  ` + strings.Join(zones.ClassificationColumns, ", ") + `

--profession choisit la profession dont ces colonnes donnent le zonage (défaut :
masseur-kinesitherapeute) ; --profession all les garde pour les masseurs-kinésithérapeutes
et ajoute une colonne de catégorie par profession :
  ` + strings.Join(batch.ProfessionColumns(), ", ") + `

Une ligne illisible sort en « erreur » avec un message ; le traitement continue.
Le résumé (lignes par statut et par catégorie) va sur la sortie d'erreur, pour que
la sortie standard puisse être le CSV.
Codes de sortie : 0 toutes les lignes classées, 1 au moins une ligne ambiguë,
introuvable ou en erreur, 2 erreur d'usage ou fichier illisible, 130 interrompu
(Ctrl-C : avec -o, aucun fichier n'est écrit).`,
		Example: `  zonage classify cabinets.csv -o cabinets-zonage.csv
  zonage classify cabinets.csv --col-adresse "Adresse du cabinet" --col-cp CP > sortie.csv
  zonage classify - --sans-entete --col-insee 1 < codes.csv
  zonage classify cabinets.csv --profession infirmier -o cabinets-infirmiers.csv
  zonage classify cabinets.csv --profession all -o cabinets-toutes-professions.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runClassify(cmd, args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "output", "o", "", "fichier résultat (défaut : sortie standard) ; écrit atomiquement")
	for _, c := range []struct {
		role       csvbatch.Role
		flag, help string
	}{
		{csvbatch.RoleAddress, "col-adresse", "colonne de l'adresse complète"},
		{csvbatch.RoleStreet, "col-voie", "colonne du numéro et de la voie"},
		{csvbatch.RolePostcode, "col-cp", "colonne du code postal"},
		{csvbatch.RoleCity, "col-ville", "colonne de la commune"},
		{csvbatch.RoleCitycode, "col-insee", "colonne du code INSEE de la commune"},
		{csvbatch.RoleLat, "col-lat", "colonne de la latitude (WGS84)"},
		{csvbatch.RoleLon, "col-lon", "colonne de la longitude (WGS84)"},
	} {
		f.columns[c.role] = fl.String(c.flag, "", c.help+" : nom dans l'en-tête ou position (1, 2…)")
	}
	fl.BoolVar(&f.noHeader, "sans-entete", false, "la première ligne est une donnée (colonnes désignées par position)")
	fl.StringVar(&f.delim, "separateur", "", "séparateur d'entrée : ; , tab ou | (défaut : détecté)")
	fl.StringVar(&f.enc, "encodage", "", "encodage d'entrée : utf-8 ou windows-1252 (défaut : détecté)")
	fl.StringVar(&f.outDelim, "separateur-sortie", "", "séparateur de sortie (défaut : celui de l'entrée)")
	fl.StringVar(&f.outEnc, "encodage-sortie", "", "encodage de sortie (défaut : celui de l'entrée)")
	fl.BoolVar(&f.raw, "brut", false, "ne pas neutraliser les cellules d'entrée qu'un tableur exécuterait comme formules (=, +, -, @)")
	fl.BoolVarP(&f.quiet, "silencieux", "q", false, "ni barre de progression ni résumé")
	fl.Float64Var(&f.toleranceM, "tolerance", zones.DefaultCoastTolerance, "distance maximale (m) pour rattacher un point hors contour à la commune la plus proche")
	fl.StringVar(&f.date, "date", "", "classer selon le zonage en vigueur ce jour (AAAA-MM-JJ ; défaut : aujourd'hui)")
	fl.StringVar(&f.profession, "profession", "", "profession dont les colonnes zonage_* donnent le zonage : "+professionSlugs()+" (défaut : masseur-kinesitherapeute) ; all ajoute une colonne de catégorie par profession")
	addGeocoderFlags(cmd, &f.geocoder)
	return cmd
}

func runClassify(cmd *cobra.Command, input string, f *classifyFlags) error {
	opt, choice, err := f.options()
	if err != nil {
		return err
	}

	in, name, size, closeInput, err := openClassifyInput(cmd, input)
	if err != nil {
		return err
	}
	defer closeInput()

	res, err := newResolver(cmd, f.toleranceM)
	if err != nil {
		return err
	}
	if err := f.geocoder.apply(res); err != nil {
		return err
	}
	day, err := dayFlag(f.date, res)
	if err != nil {
		return err
	}
	classifier, err := batch.New(res.For, choice)
	if err != nil {
		return usageErr("--profession : %v", err)
	}
	classifier.Options(&opt)

	// Ctrl-C or a termination stops the run cleanly (no temporary file left); a
	// second Ctrl-C kills at once.
	ctx, stopSignals := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	go func() { <-ctx.Done(); stopSignals() }()

	stderr := cmd.ErrOrStderr()
	start := time.Now()
	var bar *progressbar.ProgressBar
	bar, opt.Progress = classifyProgress(stderr, !f.quiet && isTerminal(stderr), size, start)

	var rep *csvbatch.Report
	in = &interruptibleReader{ctx: ctx, r: in, results: make(chan readResult, 1)}
	classify := func(out io.Writer) error {
		rep, err = csvbatch.Run(ctx, in, out, classifier.Annotator(day), opt)
		if bar != nil {
			bar.Finish()
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil && cmd.Context().Err() == nil {
			return interruptedError(name, rep, f.out == "")
		}
		return &exitError{code: exitUsage, err: fmt.Errorf("%s : %w", name, err)}
	}
	if f.out == "" {
		err = classify(cmd.OutOrStdout())
	} else {
		// Written beside the target and renamed at the end, so an interrupted run
		// never leaves a half file where a good one was.
		err = atomicfile.Write(f.out, func(tmp *os.File) error { return classify(tmp) })
	}
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return err
		}
		return usageErr("écriture de %s : %v", f.out, err)
	}
	if !f.quiet {
		printClassifySummary(stderr, name, rep, choice, classifier.CodeConflicts(), time.Since(start))
	}
	if rep.Rows != rep.Counts[zones.ColumnStatus][string(zones.StatusOK)] {
		return &exitError{code: exitNotFound}
	}
	return nil
}

// openClassifyInput opens the file to classify, standard input for "-". It
// returns it with its name for the messages, its size when known (for the
// progress bar) and what closes it.
func openClassifyInput(cmd *cobra.Command, input string) (in io.Reader, name string, size int64, closeInput func(), err error) {
	if input == "-" {
		return cmd.InOrStdin(), "entrée standard", 0, func() {}, nil
	}
	file, err := os.Open(input)
	if err != nil {
		return nil, "", 0, nil, usageErr("lecture de %s : %v", input, err)
	}
	if st, err := file.Stat(); err == nil {
		size = st.Size()
	}
	return file, input, size, func() { file.Close() }, nil
}

// options reads the flags that say how to read and write the file, and for
// which profession to classify it; a bad value is a usage error.
func (f *classifyFlags) options() (csvbatch.Options, batch.Choice, error) {
	opt := csvbatch.Options{NoHeader: f.noHeader, RawInput: f.raw, Columns: map[csvbatch.Role]string{}}
	choice, err := batch.ParseChoice(f.profession)
	if err != nil {
		return opt, choice, usageErr("--profession : %v", err)
	}
	for role, v := range f.columns {
		if *v != "" {
			opt.Columns[role] = *v
		}
	}
	if opt.Delimiter, err = csvbatch.ParseDelimiter(f.delim); err != nil {
		return opt, choice, usageErr("--separateur : %v", err)
	}
	if opt.OutDelimiter, err = csvbatch.ParseDelimiter(f.outDelim); err != nil {
		return opt, choice, usageErr("--separateur-sortie : %v", err)
	}
	if opt.Encoding, err = csvbatch.ParseEncoding(f.enc); err != nil {
		return opt, choice, usageErr("--encodage : %v", err)
	}
	if opt.OutEncoding, err = csvbatch.ParseEncoding(f.outEnc); err != nil {
		return opt, choice, usageErr("--encodage-sortie : %v", err)
	}
	return opt, choice, nil
}

// classifyProgress is the progress bar of a run over size bytes of input begun
// at start, when shown and the size is known (else nil), and the progress
// report that moves it.
func classifyProgress(w io.Writer, shown bool, size int64, start time.Time) (*progressbar.ProgressBar, func(rows, bytesRead int64)) {
	var bar *progressbar.ProgressBar
	if shown && size > 0 {
		bar = progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("classement"),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	return bar, func(rows, bytesRead int64) {
		if bar != nil {
			rate := float64(rows) / time.Since(start).Seconds()
			bar.Describe(fmt.Sprintf("%s (%.0f lignes/s)", french.Count(rows, "ligne", "lignes"), rate))
			bar.Set64(bytesRead)
		}
	}
}

// interruptedError is the exit of a run stopped by Ctrl-C or a termination
// after the rows rep counts (none when rep is nil); toStdout says that what
// was written stays, incomplete, where a file would not be written at all.
func interruptedError(name string, rep *csvbatch.Report, toStdout bool) error {
	what := "aucun fichier écrit"
	if toStdout {
		what = "la sortie est incomplète"
	}
	var rows int64
	if rep != nil {
		rows = rep.Rows
	}
	return &exitError{code: exitInterrupted, err: fmt.Errorf("%s : classement interrompu après %s, %s", name, french.Count(rows, "ligne", "lignes"), what)}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// printClassifySummary says what was read, how many rows came out per status and
// per category of the profession asked for (of each, with all) — the engine's
// counts of the rows written —, why rows are in error, and how many rows gave a
// postcode or city contradicting their commune code (conflicts).
func printClassifySummary(w io.Writer, name string, rep *csvbatch.Report, choice batch.Choice, conflicts int64, took time.Duration) {
	var cols []string
	for _, role := range csvbatch.Roles {
		if h, ok := rep.Columns[role]; ok {
			cols = append(cols, fmt.Sprintf("%s « %s »", role.Label(), h))
		}
	}
	rows := rep.Rows
	fmt.Fprintf(w, "%s : %s en %.1f s (%.0f lignes/s) — %s, séparateur %q — colonnes lues : %s\n",
		name, french.Count(rows, "ligne", "lignes"), took.Seconds(), float64(rows)/max(took.Seconds(), 1e-9), rep.Input.Encoding, string(rep.Input.Delimiter), strings.Join(cols, ", "))
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "Note : %s\n", n)
	}
	byStatus := rep.Counts[zones.ColumnStatus]
	fmt.Fprint(w, "Par statut :")
	for _, s := range []zones.Status{zones.StatusOK, zones.StatusAmbiguous, zones.StatusNotFound, zones.StatusError} {
		fmt.Fprintf(w, " %s %d ;", s, byStatus[string(s)])
	}
	fmt.Fprintln(w)
	if n := byStatus[string(zones.StatusError)]; n > 0 {
		fmt.Fprintf(w, "%s, dont %s dans le fichier (guillemets, nombre de champs) : la colonne zonage_message dit pourquoi\n",
			french.Count(n, "ligne en erreur", "lignes en erreur"), french.Count(rep.RowProblems, "mal formée", "mal formées"))
	}
	if conflicts > 0 {
		fmt.Fprintf(w, "%s le code postal ou la ville contredit le code commune : code commune retenu, la colonne zonage_message nomme les deux\n",
			french.Count(conflicts, "ligne dont", "lignes dont"))
	}
	columns := "colonne " + zones.ColumnCategory
	if choice.All {
		columns = "colonnes " + zones.ColumnCategory + " et " + batch.ProfessionColumn(choice.Profession)
	}
	printCategoryCounts(w, "Par catégorie ("+choice.Profession.Plural()+", "+columns+") :", choice.Profession, rep.Counts[zones.ColumnCategory], rows)
	if choice.All {
		for _, p := range zones.Professions() {
			if p != choice.Profession {
				col := batch.ProfessionColumn(p)
				printCategoryCounts(w, "  "+p.Plural()+" ("+col+") :", p, rep.Counts[col], rows)
			}
		}
	}
}

// printCategoryCounts writes one line of rows per category, in the order of the
// profession's scale, and the rows left without a category.
func printCategoryCounts(w io.Writer, title string, p zones.Profession, counts map[string]int64, rows int64) {
	fmt.Fprint(w, title)
	for _, c := range p.Scale() {
		if n := counts[string(c)]; n > 0 {
			rows -= n
			fmt.Fprintf(w, " %s %d ;", c.Label(), n)
		}
	}
	if rows > 0 {
		fmt.Fprintf(w, " sans catégorie %d ;", rows)
	}
	fmt.Fprintln(w)
}

// professionSlugs lists the accepted values of --profession but all.
func professionSlugs() string {
	var s []string
	for _, p := range zones.Professions() {
		s = append(s, string(p))
	}
	return strings.Join(s, ", ")
}

// interruptibleReader ends its reads when ctx is done, even while the reader under
// it is blocked (a pipe whose writer is silent, a terminal): each read runs on its
// own goroutine, left to finish by itself once the run is over.
type interruptibleReader struct {
	ctx     context.Context
	r       io.Reader
	buf     []byte
	pending bool
	results chan readResult
}

type readResult struct {
	n   int
	err error
}

func (ir *interruptibleReader) Read(p []byte) (int, error) {
	if err := ir.ctx.Err(); err != nil {
		return 0, err
	}
	if !ir.pending {
		if cap(ir.buf) < len(p) {
			ir.buf = make([]byte, len(p))
		}
		buf := ir.buf[:len(p)]
		ir.pending = true
		go func() {
			n, err := ir.r.Read(buf)
			ir.results <- readResult{n, err}
		}()
	}
	select {
	case res := <-ir.results:
		ir.pending = false
		return copy(p, ir.buf[:res.n]), res.err
	case <-ir.ctx.Done():
		return 0, ir.ctx.Err()
	}
}
