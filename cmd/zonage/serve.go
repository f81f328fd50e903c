package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"zonage/importer"
	"zonage/web"
)

type serveFlags struct {
	addr            string
	toleranceM      float64
	rateLimit       float64
	cors            string
	maxBody         int64
	timeout         time.Duration
	classifyTimeout time.Duration
	logLevel        string
	grace           time.Duration
	postgres        string
	memLimitMB      int64
	maxConnections  int
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [--addr :8080]",
		Short: "Sert l'API HTTP (et la carte) à partir de l'instantané",
		Long: `Sert l'API JSON, l'export CSV compatible api-adresse, /openapi.json, /healthz,
/readyz et /metrics. SIGHUP, ou POST /api/v1/admin/reload avec le jeton de
$ZONAGE_ADMIN_TOKEN, recharge l'instantané sans redémarrer : il est vérifié avant
d'être servi, et un instantané invalide est refusé (l'ancien continue d'être servi).
Avec --postgres, le serveur suit les publications de la base et bascule sur chaque
nouvelle version ; si la base devient injoignable, il continue de servir la sienne,
le dit dans /readyz et se reconnecte de lui-même.
SIGTERM ou SIGINT arrête le serveur après la fin des requêtes en cours.
Le fond de carte de la page est lu au démarrage : $ZONAGE_FOND_CARTE (gabarit
d'URL de tuiles, OpenStreetMap si vide, « aucun » hors ligne) et
$ZONAGE_FOND_CARTE_ATTRIBUTION (son crédit).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", ":8080", "adresse d'écoute")
	fl.Float64Var(&f.toleranceM, "tolerance", 1000, "distance maximale (m) pour rattacher un point hors contour à la commune la plus proche")
	fl.Float64Var(&f.rateLimit, "limite-debit", 0, "requêtes par seconde permises par adresse IP (0 : sans limite)")
	fl.StringVar(&f.cors, "cors", "", "origines autorisées à appeler l'API depuis un navigateur, séparées par des virgules (* : toutes)")
	fl.Int64Var(&f.maxBody, "taille-max", 100<<20, "taille maximale d'un corps de requête (octets)")
	fl.DurationVar(&f.timeout, "delai", 10*time.Second, "délai maximal d'une réponse")
	fl.DurationVar(&f.classifyTimeout, "delai-classement", 10*time.Minute, "délai maximal d'un classement de fichier")
	fl.StringVar(&f.logLevel, "journal", "info", "niveau du journal : debug, info, warn, error")
	fl.StringVar(&f.postgres, "postgres", os.Getenv("ZONAGE_POSTGRES"), "charge la version publiée dans PostgreSQL (DSN postgres://…) et suit les nouvelles publications")
	fl.Int64Var(&f.memLimitMB, "memoire-max", 260, "mémoire visée (Mo) au-delà de laquelle le ramasse-miettes travaille davantage, relevée à un quart au-dessus des données vivantes quand elles la dépassent (0 : aucune ; GOMEMLIMIT l'emporte)")
	fl.IntVar(&f.maxConnections, "connexions-max", web.DefaultMaxConnections, "connexions servies à la fois ; au-delà, une nouvelle connexion fait fermer la plus longtemps inactive (depuis 1 s au moins) ou attend qu'une se ferme (0 : sans limite)")
	fl.DurationVar(&f.grace, "delai-arret", 30*time.Second, "temps laissé aux requêtes en cours à l'arrêt")
	return cmd
}

func runServe(cmd *cobra.Command, f *serveFlags) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return usageErr("--journal « %s » : debug, info, warn ou error attendu", f.logLevel)
	}
	if f.maxConnections < 0 {
		return usageErr("--connexions-max %d : nombre positif attendu, ou 0 pour aucune limite", f.maxConnections)
	}
	logger := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	tuneGarbageCollector(f.memLimitMB)
	cfg := serverConfig(f, logger)
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	loader := snapshotLoader(cmd, f.toleranceM)
	var publications *importer.PostgresListener
	if f.postgres != "" {
		// LISTEN before the first load: a version published while it loads is then
		// announced on this connection instead of being missed until the next one.
		l, err := importer.ListenPostgres(ctx, f.postgres)
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		publications = l
		loader = postgresLoader(f.postgres, f.toleranceM)
	}
	srv, err := web.New(ctx, cfg, loader)
	if err != nil {
		if publications != nil {
			publications.Close()
		}
		return &exitError{code: exitUsage, err: err}
	}
	// Every goroutine started here ends with ctx and is waited for before returning,
	// so that nothing loads or logs after the command has stopped.
	var background sync.WaitGroup
	defer background.Wait()
	if os.Getenv("GOMEMLIMIT") == "" && f.memLimitMB > 0 {
		// The live data is about 110 MB at start and some 180 MB once every
		// commune's answer of the day is ready (their bytes and the resolver's
		// answers); with GOGC=50 alone the heap would grow to half as much again
		// under load. The limit keeps it lower, and follows the live data when it
		// outgrows it (each profession's map and answers, once asked for).
		background.Go(func() { followLiveHeap(ctx, f.memLimitMB<<20) })
	}
	if publications != nil {
		srv.SetFollowing(true, nil)
		background.Go(func() {
			publications.Follow(ctx, func(ctx context.Context, p importer.Publication) {
				followPublication(ctx, srv, logger, p)
			}, func(listening bool, err error) {
				srv.SetFollowing(listening, err)
				if listening {
					logger.Info("suivi des publications PostgreSQL rétabli")
				} else {
					logger.Warn("suivi des publications PostgreSQL interrompu, les données actuelles restent servies",
						"err", err.Error(), "version", srv.Current().Resolver.Dataset.Meta.Version)
				}
			})
		})
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	background.Go(func() {
		for {
			select {
			case <-hup:
				srv.Reload(ctx)
			case <-ctx.Done():
				return
			}
		}
	})
	st := srv.Current()
	return srv.Serve(ctx, f.addr, f.grace, func(addr string) {
		logger.Info("zonage sert l'API", "addr", addr, "version", st.Resolver.Dataset.Meta.Version, "source", st.Source)
		fmt.Fprintf(cmd.ErrOrStderr(), "zonage : API sur http://%s (données %s, %s)\n", displayAddr(addr), st.Resolver.Dataset.Meta.Version, st.Source)
	})
}

// tuneGarbageCollector sets the memory limit and the collector's pacing for a
// server, unless GOMEMLIMIT or GOGC say otherwise.
func tuneGarbageCollector(memLimitMB int64) {
	if os.Getenv("GOMEMLIMIT") == "" && memLimitMB > 0 {
		debug.SetMemoryLimit(memLimitMB << 20) // while the data loads; followLiveHeap then keeps it
	}
	if os.Getenv("GOGC") == "" {
		// Garbage grows to half the live data before a collection, not all of it:
		// the live data is large and mostly static, so the default pacing let one
		// big upload lift the process some 150 MB above idle, and a request should
		// cost at most about 100 MB. The hot paths allocate little, so the extra
		// collections cost little.
		debug.SetGCPercent(50)
	}
}

// serverConfig is the server's configuration from the flags and the environment.
func serverConfig(f *serveFlags, logger *slog.Logger) web.Config {
	cfg := web.Config{
		MaxBodyBytes: f.maxBody, RequestTimeout: f.timeout, ClassifyTimeout: f.classifyTimeout,
		RateLimit: f.rateLimit, MaxConnections: f.maxConnections, AdminToken: os.Getenv("ZONAGE_ADMIN_TOKEN"), Logger: logger,
		BaseMap: web.ParseBaseMap(os.Getenv("ZONAGE_FOND_CARTE"), os.Getenv("ZONAGE_FOND_CARTE_ATTRIBUTION")),
	}
	if f.maxConnections == 0 {
		cfg.MaxConnections = -1 // no bound, as the flag's help says
	}
	if f.cors != "" {
		cfg.CORSOrigins = strings.Split(f.cors, ",")
	}
	return cfg
}

// testHookPublication, when set by a test, sees each publication the server is
// told of before it acts on it.
var testHookPublication func(context.Context, importer.Publication)

// followPublication swaps in the version published in the database, unless it is
// the one served (a catch-up after a reconnection that missed nothing, or a
// version already loaded by an earlier reload).
func followPublication(ctx context.Context, srv *web.Server, logger *slog.Logger, p importer.Publication) {
	if testHookPublication != nil {
		testHookPublication(ctx, p)
	}
	if p.Version == "" || p.Version == srv.Current().Resolver.Dataset.Meta.Version || ctx.Err() != nil {
		return
	}
	if p.CatchUp {
		logger.Info("version publiée pendant la coupure", "version", p.Version)
	}
	srv.Reload(ctx)
}

func displayAddr(addr string) string {
	if strings.HasPrefix(addr, "[::]:") {
		return "localhost:" + strings.TrimPrefix(addr, "[::]:")
	}
	if strings.HasPrefix(addr, "0.0.0.0:") {
		return "localhost:" + strings.TrimPrefix(addr, "0.0.0.0:")
	}
	return addr
}
