//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Ctrl-C during classify -o: the real binary stops, exits 130, and leaves neither
// its temporary file nor a partial result. The input is a pipe kept open, so the
// run is blocked reading when the signal comes: while sniffing the first bytes, or
// with rows already written to the temporary file.
func TestClassifyInterruptedLeavesNoFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rows    int
		written bool // wait for rows in the temporary file
	}{{"before the first row", 1000, false}, {"mid-file", 20000, true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			outPath := filepath.Join(dir, "out.csv")
			cmd := exec.Command(os.Args[0], "classify", "-", "-o", outPath, "--snapshot", testSnapshot)
			cmd.Env = append(os.Environ(), "ZONAGE_TEST_RUN_MAIN=1")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			go stdin.Write([]byte("code_insee\n" + strings.Repeat("75106\n", tc.rows)))
			waitFor(t, "the temporary file", func() bool {
				m, _ := filepath.Glob(filepath.Join(dir, ".out.csv.*.part"))
				if len(m) != 1 {
					return false
				}
				st, err := os.Stat(m[0])
				return err == nil && (!tc.written || st.Size() > 0)
			})
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err = <-exited:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatalf("still running after Ctrl-C; stderr: %s", stderr.String())
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Fatalf("exit %v, want %d; stderr: %s", err, exitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), "classement interrompu") || !strings.Contains(stderr.String(), "aucun fichier écrit") {
				t.Errorf("stderr: %s", stderr.String())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("files left behind: %v", entries)
			}
		})
	}
}

// waitFor polls until cond holds; the bound only keeps a broken run from hanging
// the test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
	}
}

// -o writes as a shell redirection would (the shared atomic writer's own test
// covers every case): an existing file keeps its mode, a symbolic link is written
// through and stays a link.
func TestClassifyOutputFileModeAndLinks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("code_insee\n75106\n"), 0o644)
	target := filepath.Join(dir, "resultat.csv")
	os.WriteFile(target, []byte("ancien"), 0o600)
	os.Chmod(target, 0o604)
	link := filepath.Join(dir, "lien.csv")
	os.Symlink("resultat.csv", link)
	if _, errOut, code := run("classify", in, "-o", link, "--snapshot", testSnapshot); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file (%v)", err)
	}
	st, err := os.Stat(target)
	if b, _ := os.ReadFile(target); err != nil || st.Mode().Perm() != 0o604 || !bytes.Contains(b, []byte("75106,75106,Paris 6e")) {
		t.Fatalf("target mode %v, content %q", st.Mode().Perm(), b)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*.part")); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
}
