package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowser runs the browser tests of e2e/ (the map and batch pages in Debian's
// Chromium, driven by playwright-core) against `zonage serve` started here on the
// real snapshot. `make e2e` installs what they need and sets ZONAGE_E2E=1; without
// it the test is skipped, so that `go test ./...` needs no browser. Screenshots go
// to testout/e2e/.
func TestBrowser(t *testing.T) {
	if os.Getenv("ZONAGE_E2E") == "" {
		t.Skip("tests navigateur : lancez « make e2e »")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium introuvable (%v) : installez le paquet Debian « chromium », ou nommez le navigateur dans $CHROMIUM", err)
	}
	e2e, err := filepath.Abs(filepath.Join("..", "..", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "playwright-core")); err != nil {
		t.Fatalf("playwright-core absent de %s : lancez « make e2e » (npm ci)", e2e)
	}
	out := filepath.Join(filepath.Dir(e2e), "testout", "e2e")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	// Offline, as CI machines are: no base map, the page draws its own outlines.
	t.Setenv("ZONAGE_FOND_CARTE", "aucun")
	base, errOut := startServer(t, testSnapshot)

	args := []string{"--test", "--test-reporter=spec", "--test-concurrency=1"}
	if only := os.Getenv("ZONAGE_E2E_SEULEMENT"); only != "" {
		args = append(args, "--test-name-pattern="+only)
	}
	cmd := exec.Command("node", append(args, "mvt.test.mjs", "carte.test.mjs", "lot.test.mjs")...)
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(), "ZONAGE_URL="+base, "ZONAGE_TESTOUT="+out, "CHROMIUM="+chromium)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	err = cmd.Run()
	t.Log("\n" + log.String())
	if err != nil {
		serverLog := errOut.String()
		if len(serverLog) > 8000 {
			serverLog = "…" + serverLog[len(serverLog)-8000:]
		}
		t.Fatalf("tests navigateur en échec (%v) ; captures dans %s\njournal du serveur :\n%s", err, out, serverLog)
	}
}
