//go:build unix

package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
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

// Ctrl-C during classify to the standard output: what was written ends with a whole
// row, never half of one, and says on stderr that the output is incomplete.
func TestClassifyInterruptedStdoutEndsWithWholeRow(t *testing.T) {
	dir := t.TempDir()
	outPath := filepath.Join(dir, "stdout.csv")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(os.Args[0], "classify", "-", "--snapshot", testSnapshot)
	cmd.Env = append(os.Environ(), "ZONAGE_TEST_RUN_MAIN=1")
	cmd.Stdout = out
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
	// Rows of a width that does not divide the write buffer, so that a flush made
	// by size alone would cut one.
	var in strings.Builder
	in.WriteString("code_insee;note\n")
	for i := range 20000 {
		fmt.Fprintf(&in, "75106;\"cabinet %d, bâtiment B\"\n", i)
	}
	go stdin.Write([]byte(in.String()))
	waitFor(t, "rows on the standard output", func() bool {
		st, err := os.Stat(outPath)
		return err == nil && st.Size() > 0
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
	if !strings.Contains(stderr.String(), "la sortie est incomplète") {
		t.Errorf("stderr: %s", stderr.String())
	}
	b, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 || b[len(b)-1] != '\n' {
		t.Fatalf("output ends in the middle of a row: …%q", b[max(0, len(b)-80):])
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not whole CSV rows: %v", err)
	}
	for i, rec := range recs[1:] {
		if len(rec) != len(recs[0]) || rec[1] != fmt.Sprintf("cabinet %d, bâtiment B", i) || rec[len(rec)-1] == "" {
			t.Fatalf("row %d cut or out of order: %q", i+1, rec)
		}
	}
}
