// Command zonage tells which ARS zonage category for masseurs-kinésithérapeutes
// (or, with --profession, another profession the CartoSanté export covers)
// applies to a place, and what it opens. It only wires flags to the importer, the
// domain and the server; exit codes: 0 found, 1 not found or ambiguous, 2 usage or
// data error.
//
// Where things live: main.go the root command and the exit codes; one file per
// command (import.go, lookup.go, classify.go, serve.go, diff.go, export.go,
// info.go); memlimit.go the server's memory limit; snapshot.go which snapshot a
// command reads or writes and the State served from it or from PostgreSQL;
// options.go the profile flags and the printout of installation options;
// geocoder.go the choice between the offline address matcher and the public
// geocoder.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/spf13/cobra"

	"zonage/zones"
)

// Exit codes, part of the command-line contract.
const (
	exitFound    = 0
	exitNotFound = 1
	exitUsage    = 2
	// exitInterrupted is the shells' code for a command stopped by Ctrl-C.
	exitInterrupted = 130
)

// exitError carries an exit code up to main without printing twice.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func main() {
	// Release mode once for the process: Gin's debug mode prints every route and
	// warnings meant for development.
	gin.SetMode(gin.ReleaseMode)
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintln(os.Stderr, "zonage :", ee.err)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "zonage :", err)
		os.Exit(exitUsage)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "zonage",
		Short: "Zonage des masseurs-kinésithérapeutes : catégorie ARS d'un lieu et options d'installation",
		Long: `zonage dit dans quelle catégorie du zonage ARS des masseurs-kinésithérapeutes
se trouve un lieu (très sous-dotée, sous-dotée, intermédiaire, non prioritaire ;
très dotée et sur-dotée dans les régions encore sur l'ancienne échelle), d'où vient
cette réponse (arrêté, date, version des données) et ce qu'elle ouvre. Avec
--profession, lookup et classify répondent pour les infirmiers, les orthophonistes,
les sages-femmes ou les chirurgiens-dentistes (classify --profession all : toutes).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// The tables built into the binary (regions, sources, rules) are checked before
		// any command answers, so that a broken one stops it with its file and line.
		PersistentPreRunE: func(*cobra.Command, []string) error { return zones.CheckEmbedded() },
	}
	root.PersistentFlags().String("snapshot", "", "fichier instantané (défaut : $ZONAGE_SNAPSHOT, puis "+defaultSnapshotPath+", puis l'instantané intégré au binaire)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: fmt.Errorf("%v\n%s", err, c.UsageString())}
	})
	root.AddCommand(newImportCmd(), newLookupCmd(), newInfoCmd(), newClassifyCmd(), newServeCmd(), newExportCmd(), newDiffCmd())
	return root
}
