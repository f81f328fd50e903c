package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"zonage/data"
	"zonage/export"
	"zonage/geo/address"
	"zonage/importer"
	"zonage/web"
	"zonage/zones"
)

// defaultSnapshotPath is where `zonage import` writes and where the other commands
// look first, relative to the working directory (the repository root with make).
const defaultSnapshotPath = "data/build/zonage.snap"

// snapshotPath picks the snapshot to write: --snapshot, then $ZONAGE_SNAPSHOT, then
// the default path.
func snapshotPath(cmd *cobra.Command) string {
	if p, _ := cmd.Flags().GetString("snapshot"); p != "" {
		return p
	}
	if p := os.Getenv("ZONAGE_SNAPSHOT"); p != "" {
		return p
	}
	return defaultSnapshotPath
}

// openSnapshot loads the snapshot to answer from: an explicit file must exist; with
// none named, the default file is used when present, else the embedded snapshot.
func openSnapshot(cmd *cobra.Command) (*importer.Snapshot, string, error) {
	explicit, _ := cmd.Flags().GetString("snapshot")
	if explicit == "" {
		explicit = os.Getenv("ZONAGE_SNAPSHOT")
	}
	if explicit != "" {
		s, err := importer.ReadSnapshotFile(explicit)
		return s, explicit, err
	}
	if _, err := os.Stat(defaultSnapshotPath); err == nil {
		s, err := importer.ReadSnapshotFile(defaultSnapshotPath)
		return s, defaultSnapshotPath, err
	}
	if b := data.EmbeddedSnapshot(); len(b) > 0 {
		s, err := importer.DecodeSnapshot(b, "instantané intégré")
		data.ReleaseEmbeddedSnapshot()
		return s, "instantané intégré", err
	}
	return nil, "", fmt.Errorf("%w : aucun instantané (%s absent et binaire construit sans instantané intégré) ; lancez « zonage import » ou « make build »", importer.ErrSnapshot, defaultSnapshotPath)
}

// newResolver loads the snapshot and builds the spatial index over its outlines.
func newResolver(cmd *cobra.Command, toleranceM float64) (*zones.Resolver, error) {
	s, _, err := openSnapshot(cmd)
	if err != nil {
		if errors.Is(err, importer.ErrSnapshot) {
			return nil, &exitError{code: exitUsage, err: err}
		}
		return nil, err
	}
	return s.Resolver(toleranceM), nil
}

// snapshotLoader loads the snapshot the command names (or the embedded one) each
// time the server asks, so that a reload picks up a newly imported file.
func snapshotLoader(cmd *cobra.Command, toleranceM float64) web.Loader {
	return func(ctx context.Context) (*web.State, error) {
		s, name, err := openSnapshot(cmd)
		if err != nil {
			return nil, err
		}
		return served(newState(s, name, toleranceM)), nil
	}
}

// testHookPostgresLoaded, when set by a test, sees the version each load from
// PostgreSQL read, before the server swaps it in.
var testHookPostgresLoaded func(version string)

// postgresLoader loads the version published in PostgreSQL.
func postgresLoader(dsn string, toleranceM float64) web.Loader {
	return func(ctx context.Context) (*web.State, error) {
		s, err := importer.LoadPostgres(ctx, dsn)
		if err != nil {
			return nil, err
		}
		if testHookPostgresLoaded != nil {
			testHookPostgresLoaded(s.Dataset.Meta.Version)
		}
		return served(newState(s, "PostgreSQL", toleranceM)), nil
	}
}

// newState builds what the server answers from out of a loaded snapshot.
func newState(s *importer.Snapshot, source string, toleranceM float64) *web.State {
	st := &web.State{Resolver: s.Resolver(toleranceM), Outline: s.Outline, Outlines: s.Polygons, LoadedAt: time.Now(), Source: source, Changes: s.Changes}
	st.ExportFile = func(format, path string) error {
		f, err := export.ParseFormat(format)
		if err != nil {
			return err
		}
		layer, err := export.NewLayer(st.Resolver, s.Polygons)
		if err != nil {
			return err
		}
		return export.WriteFile(path, f, layer)
	}
	if m := s.Matcher(); m != nil {
		st.Suggest = func(q string, limit int) []web.Suggestion {
			var out []web.Suggestion
			for _, c := range m.Suggest(q, limit) {
				kind := "commune"
				if c.Level == address.LevelStreet {
					kind = "street"
				} else if com, ok := s.Dataset.CommuneByCode(c.Code); ok && com.Parent != "" {
					kind = "arrondissement"
				}
				out = append(out, web.Suggestion{Kind: kind, Code: c.Code, Label: c.Name, Score: c.Score, Lat: c.Lat, Lon: c.Lon})
			}
			return out
		}
	}
	s.ReleaseAddressData()
	return st
}

// served returns st once the load's garbage has gone back to the system: the
// file read and what decoding it left behind, about as much as the data itself,
// which the collector would otherwise keep as free heap for a while.
func served(st *web.State) *web.State {
	debug.FreeOSMemory()
	return st
}
